/* threads: pthreads with a mutex and condition variables, with output in a
 * fixed order whatever the scheduling. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { WORKERS = 4, ITEMS = 200, ROUNDS = 5 };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t item_cv = PTHREAD_COND_INITIALIZER, space_cv = PTHREAD_COND_INITIALIZER;
static int turn;
static long counter;
static int queue[8], qhead, qlen, done;
static long consumed[WORKERS];

/* Threads take turns printing, in order, ROUNDS times. */
static void *taker(void *arg)
{
	int id = (int)(long)arg;
	for (int r = 0; r < ROUNDS; r++) {
		pthread_mutex_lock(&mu);
		while (turn % WORKERS != id)
			pthread_cond_wait(&turn_cv, &mu);
		printf("round %d thread %d\n", r, id);
		turn++;
		pthread_cond_broadcast(&turn_cv);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

static void *adder(void *arg)
{
	for (int i = 0; i < 10000; i++) {
		pthread_mutex_lock(&mu);
		counter += (long)arg;
		pthread_mutex_unlock(&mu);
	}
	return (void *)((long)arg * 10);
}

static void *consumer(void *arg)
{
	int id = (int)(long)arg;
	for (;;) {
		pthread_mutex_lock(&mu);
		while (qlen == 0 && !done)
			pthread_cond_wait(&item_cv, &mu);
		if (qlen == 0 && done) {
			pthread_mutex_unlock(&mu);
			return NULL;
		}
		int v = queue[qhead];
		qhead = (qhead + 1) % 8;
		qlen--;
		consumed[id] += v;
		pthread_cond_signal(&space_cv);
		pthread_mutex_unlock(&mu);
	}
}

static __thread int tls_value = 5;

static void *tls_user(void *arg)
{
	tls_value += (int)(long)arg;
	return (void *)(long)tls_value;
}

int main(void)
{
	pthread_t th[WORKERS];
	for (long i = 0; i < WORKERS; i++)
		pthread_create(&th[i], NULL, taker, (void *)i);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);

	long total = 0;
	for (long i = 0; i < WORKERS; i++)
		pthread_create(&th[i], NULL, adder, (void *)(i + 1));
	for (int i = 0; i < WORKERS; i++) {
		void *r;
		pthread_join(th[i], &r);
		total += (long)r;
	}
	printf("counter %ld joined %ld\n", counter, total);

	for (long i = 0; i < WORKERS; i++)
		pthread_create(&th[i], NULL, consumer, (void *)i);
	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&mu);
		while (qlen == 8)
			pthread_cond_wait(&space_cv, &mu);
		queue[(qhead + qlen) % 8] = i;
		qlen++;
		pthread_cond_signal(&item_cv);
		pthread_mutex_unlock(&mu);
	}
	pthread_mutex_lock(&mu);
	done = 1;
	pthread_cond_broadcast(&item_cv);
	pthread_mutex_unlock(&mu);
	long sum = 0;
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(th[i], NULL);
		sum += consumed[i];
	}
	printf("consumed %ld (want %d)\n", sum, ITEMS * (ITEMS + 1) / 2);

	void *r1, *r2;
	pthread_create(&th[0], NULL, tls_user, (void *)10L);
	pthread_create(&th[1], NULL, tls_user, (void *)20L);
	pthread_join(th[0], &r1);
	pthread_join(th[1], &r2);
	printf("tls %ld %ld main %d\n", (long)r1, (long)r2, tls_value);
	return 0;
}
