/* sighandler.c: signal handlers for the signal scenarios of
 * tests/e2e_threads_test.go. SIGUSR1 is sent twice (kill, then raise) and
 * SIGALRM comes from a timer while main waits in sigsuspend (SIGALRM is
 * blocked until then, so it can only arrive there). checkpoint() prints how
 * often each handler ran, so the output shows which signals reached the
 * program. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t usr1_count, alrm_count;

static void on_usr1(int sig)
{
	usr1_count += sig == SIGUSR1; /* MARK: usr1-body */
}

static void on_alrm(int sig)
{
	alrm_count += sig == SIGALRM; /* MARK: alrm-body */
}

void checkpoint(int n)
{
	printf("checkpoint %d: usr1 %d alrm %d\n", n, (int)usr1_count, (int)alrm_count); /* MARK: checkpoint */
	fflush(stdout);
}

int main(void)
{
	struct sigaction sa;
	sigset_t alrm, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_alrm;
	sigaction(SIGALRM, &sa, NULL);

	checkpoint(0);
	kill(getpid(), SIGUSR1); /* MARK: kill */
	checkpoint(1);
	raise(SIGUSR1); /* MARK: raise */
	checkpoint(2);

	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, &old);
	struct itimerval it = {.it_value = {.tv_usec = 10000}};
	setitimer(ITIMER_REAL, &it, NULL);
	sigsuspend(&old); /* MARK: sigsuspend */
	sigprocmask(SIG_SETMASK, &old, NULL);
	checkpoint(3);
	return 0;
}
