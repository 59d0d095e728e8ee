/* signals: handlers with SA_SIGINFO, masks, pending signals, faults caught
 * with siglongjmp, and finally death by a signal. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t hits[65];
static volatile int last_code = 99, nested;
static sigjmp_buf recover;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits[sig]++;
	last_code = si->si_code;
	if (sig == SIGUSR1 && hits[SIGUSR1] == 1)
		raise(SIGUSR2); /* nested delivery: SIGUSR2 is not masked */
}

static void on_plain(int sig)
{
	hits[sig]++;
	nested = hits[SIGUSR1];
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits[sig]++;
	last_code = si->si_code;
	siglongjmp(recover, sig);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = 0;
	sa.sa_handler = on_plain;
	sigaction(SIGUSR2, &sa, NULL);

	raise(SIGUSR1);
	printf("raise: usr1=%d usr2=%d code=%d nested=%d\n", hits[SIGUSR1], hits[SIGUSR2], last_code, nested);
	kill(getpid(), SIGUSR1);
	printf("kill: usr1=%d code=%d\n", hits[SIGUSR1], last_code);

	sigset_t set, old, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	raise(SIGUSR1);
	raise(SIGUSR1); /* standard signals do not queue */
	sigpending(&pend);
	printf("blocked: usr1=%d pending=%d\n", hits[SIGUSR1], sigismember(&pend, SIGUSR1));
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("unblocked: usr1=%d\n", hits[SIGUSR1]);

	signal(SIGCHLD, SIG_IGN);
	raise(SIGCHLD);
	signal(SIGWINCH, SIG_DFL); /* default: ignore */
	raise(SIGWINCH);
	printf("ignored ok\n");

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	volatile int *bad = (int *)16;
	volatile int zero = 0;
	for (int i = 0; i < 3; i++) {
		int sig = sigsetjmp(recover, 1);
		if (sig == 0) {
			if (i == 2)
				printf("div %d\n", 7 / zero);
			else
				*bad = i;
		}
		printf("round %d caught %d code %d\n", i, sig, last_code);
	}
	printf("segv=%d fpe=%d\n", hits[SIGSEGV], hits[SIGFPE]);

	sa.sa_handler = on_plain;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGTERM, &sa, NULL);
	raise(SIGTERM);
	printf("term handled once: %d\n", hits[SIGTERM]);
	fflush(stdout);
	fprintf(stderr, "dying by SIGTERM\n");
	raise(SIGTERM); /* back to SIG_DFL: the process dies */
	printf("not reached\n");
	return 0;
}
