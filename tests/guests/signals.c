/* signals.c: a SIGUSR1 handler (SA_SIGINFO) entered through raise(), and
 * a SIGSEGV handler that recovers with siglongjmp. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t got;
static sigjmp_buf recover;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got = sig * 100 + (si->si_code < 0 ? -si->si_code : si->si_code); /* MARK: handler */
}

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(recover, 1); /* MARK: segv-handler */
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("handler saw %d\n", (int)got);

	signal(SIGSEGV, on_segv);
	if (sigsetjmp(recover, 1) == 0) {
		*(volatile int *)16 = 1; /* MARK: fault */
		printf("not reached\n");
	} else {
		printf("recovered from SIGSEGV\n");
	}
	return 0;
}
