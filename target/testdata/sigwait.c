/* Waiting for signals: sigsuspend woken by a signal from another thread
 * (the handler runs, the old mask comes back), and a futex wait (a
 * condition wait) interrupted by a SA_RESTART handler, which carries on
 * waiting until the condition really is signalled. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_t main_thread;
static volatile int got;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int ready;

static void on_sig(int sig)
{
	got += sig;
}

static void nap(int ms)
{
	struct timespec ts = { 0, ms * 1000 * 1000 };
	nanosleep(&ts, 0);
}

static void *sender(void *arg)
{
	(void)arg;
	nap(10);
	pthread_kill(main_thread, SIGUSR1);
	return 0;
}

static void *interrupter(void *arg)
{
	(void)arg;
	nap(10);
	pthread_kill(main_thread, SIGUSR2);
	nap(10);
	pthread_mutex_lock(&m);
	ready = 1;
	pthread_cond_signal(&c);
	pthread_mutex_unlock(&m);
	return 0;
}

int main(void)
{
	main_thread = pthread_self();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;
	sigaction(SIGUSR1, &sa, 0);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, 0);

	sigset_t block, empty, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, 0);
	pthread_t t;
	pthread_create(&t, 0, sender, 0);
	sigemptyset(&empty);
	int r = sigsuspend(&empty);
	int e = errno;
	sigprocmask(SIG_BLOCK, 0, &now);
	printf("sigsuspend %d errno EINTR %d got %d still blocked %d\n", r, e == EINTR, got, sigismember(&now, SIGUSR1));
	pthread_join(t, 0);

	got = 0;
	pthread_create(&t, 0, interrupter, 0);
	pthread_mutex_lock(&m);
	while (!ready)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	pthread_join(t, 0);
	printf("condition wait survived the handler: got %d ready %d\n", got, ready);
	return 0;
}
