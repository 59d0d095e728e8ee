/* More thread behaviour: a timed condition wait that times out, a thread
 * sleeping in nanosleep while another runs, pthread_kill running a
 * handler in the target thread, a semaphore-style handoff with
 * sched_yield, and main leaving with pthread_exit while a thread
 * finishes the process. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static volatile int slept, handler_tid, target_tid, go_on;

static void *sleeper(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, 0);
	slept = 1;
	return 0;
}

static void on_usr1(int sig)
{
	(void)sig;
	handler_tid = syscall(SYS_gettid);
}

static void *waiter(void *arg)
{
	(void)arg;
	target_tid = syscall(SYS_gettid);
	while (!go_on)
		sched_yield();
	return 0;
}

static void *last(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	nanosleep(&ts, 0);
	puts("last thread done");
	fflush(stdout);
	return 0;
}

int main(void)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += 30 * 1000 * 1000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&m);
	int r = pthread_cond_timedwait(&c, &m, &deadline);
	pthread_mutex_unlock(&m);
	printf("timedwait: %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : "other");

	pthread_t t;
	pthread_create(&t, 0, sleeper, 0);
	volatile unsigned long spins = 0;
	while (!slept)
		spins++;
	pthread_join(t, 0);
	printf("sleeper woke while main spun: %d\n", slept && spins > 0);

	signal(SIGUSR1, on_usr1);
	pthread_create(&t, 0, waiter, 0);
	while (!target_tid)
		sched_yield();
	pthread_kill(t, SIGUSR1);
	while (!handler_tid)
		sched_yield();
	go_on = 1;
	pthread_join(t, 0);
	printf("handler ran in the target thread: %d\n", handler_tid == target_tid);

	pthread_create(&t, 0, last, 0);
	puts("main leaves");
	fflush(stdout);
	pthread_exit(0);
}
