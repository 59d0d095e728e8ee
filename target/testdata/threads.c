/* pthreads: create/join with return values, a mutex-protected counter
 * incremented by 4 threads, a condition variable handing work from a
 * producer to consumers, thread ids distinct from the pid, and a
 * thread-local variable per thread. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTHREADS 4
#define ITERS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread int tls_value;
static int tid_differs[NTHREADS];

static void *adder(void *arg)
{
	long id = (long)arg;
	tls_value = (int)id * 100;
	tid_differs[id] = syscall(SYS_gettid) != getpid();
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return (void *)(id * 10 + tls_value);
}

static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int queue[64], head, tail, finished, consumed_sum;

static void *consumer(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&lock);
		while (head == tail && !finished)
			pthread_cond_wait(&cond, &lock);
		if (head == tail && finished) {
			pthread_mutex_unlock(&lock);
			return 0;
		}
		consumed_sum += queue[head++ % 64];
		pthread_cond_signal(&done_cond);
		pthread_mutex_unlock(&lock);
	}
}

int main(void)
{
	pthread_t th[NTHREADS];
	tls_value = -1;
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], 0, adder, (void *)i) != 0) {
			puts("pthread_create failed");
			return 1;
		}
	long sum = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		sum += (long)ret;
	}
	printf("counter %ld (want %d), joined sum %ld, main tls %d\n", counter, NTHREADS * ITERS, sum, tls_value);
	for (int i = 0; i < NTHREADS; i++)
		printf("thread %d tid differs from pid: %d\n", i, tid_differs[i]);

	pthread_t c[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&c[i], 0, consumer, 0);
	int produced = 0;
	for (int i = 1; i <= 200; i++) {
		pthread_mutex_lock(&lock);
		while (tail - head >= 64)
			pthread_cond_wait(&done_cond, &lock);
		queue[tail++ % 64] = i;
		produced += i;
		pthread_cond_signal(&cond);
		pthread_mutex_unlock(&lock);
	}
	pthread_mutex_lock(&lock);
	finished = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < 2; i++)
		pthread_join(c[i], 0);
	printf("produced %d consumed %d\n", produced, consumed_sum);
	return 0;
}
