/* Handlers that return: SIGUSR1 by raise and kill, SA_SIGINFO fields of
 * kill, a signal blocked then unblocked, a nested signal (SIGUSR2 raised
 * inside the SIGUSR1 handler), SA_RESETHAND, SA_NODEFER recursion,
 * floating point state preserved across a handler, and the mask inside
 * a handler. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile int usr1, usr2, depth, maxdepth, resets;
static volatile int order[16], norder;
static volatile int kcode, kpid_ok;
static volatile int usr1_blocked_inside, usr2_blocked_inside;

static void on_usr2(int sig)
{
	order[norder++] = 2;
	usr2++;
	(void)sig;
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	sigset_t cur;
	sigprocmask(SIG_BLOCK, 0, &cur);
	usr1_blocked_inside = sigismember(&cur, SIGUSR1);
	usr2_blocked_inside = sigismember(&cur, SIGUSR2);
	order[norder++] = 1;
	usr1++;
	kcode = si->si_code;
	kpid_ok = si->si_pid == getpid();
	if (usr1 == 2)
		raise(SIGUSR2); /* nested: runs before this handler returns */
	order[norder++] = 10;
	/* clobber the FPU state; the interrupted code must not see it */
	volatile double x = 1.5;
	for (int i = 0; i < 10; i++)
		x = x * 3.25 + 0.5;
	(void)sig;
}

static void on_term(int sig)
{
	resets++;
	(void)sig;
}

static void on_alrm(int sig)
{
	depth++;
	if (depth > maxdepth)
		maxdepth = depth;
	if (depth < 3)
		raise(SIGALRM); /* SA_NODEFER: re-entered at once */
	depth--;
	(void)sig;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, 0);
	signal(SIGUSR2, on_usr2);

	volatile double f = 2.0;
	f = f / 3.0;
	raise(SIGUSR1);
	printf("after raise: usr1=%d code=%d pid_ok=%d self-blocked=%d usr2-blocked=%d f=%.15f\n",
	       usr1, kcode, kpid_ok, usr1_blocked_inside, usr2_blocked_inside, f);
	kill(getpid(), SIGUSR1);
	printf("after kill: usr1=%d usr2=%d code=%d pid_ok=%d\n", usr1, usr2, kcode, kpid_ok);
	printf("order:");
	for (int i = 0; i < norder; i++)
		printf(" %d", order[i]);
	printf("\n");

	/* blocked, then delivered on unblock */
	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, &old);
	raise(SIGUSR2);
	raise(SIGUSR2); /* a standard signal is pending only once */
	sigset_t pend;
	sigpending(&pend);
	printf("while blocked: usr2=%d pending=%d\n", usr2, sigismember(&pend, SIGUSR2));
	sigprocmask(SIG_SETMASK, &old, 0);
	printf("after unblock: usr2=%d\n", usr2);

	/* sa_mask blocks SIGUSR2 in the SIGUSR1 handler */
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, 0);
	raise(SIGUSR1);
	printf("with sa_mask: usr2-blocked=%d\n", usr2_blocked_inside);

	/* SA_RESETHAND: the second SIGTERM takes the default action */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGTERM, &sa, 0);
	raise(SIGTERM);
	struct sigaction now;
	sigaction(SIGTERM, 0, &now);
	printf("after SA_RESETHAND: resets=%d default=%d\n", resets, now.sa_handler == SIG_DFL);

	/* SA_NODEFER */
	sa.sa_handler = on_alrm;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGALRM, &sa, 0);
	raise(SIGALRM);
	printf("SA_NODEFER depth %d\n", maxdepth);

	/* SIG_IGN */
	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR2);
	printf("ignored: usr2=%d\n", usr2);
	fflush(stdout);
	raise(SIGTERM);
	puts("not reached");
	return 0;
}
