/* Two worker threads that each count and make a getppid syscall every
 * 1000 iterations, for the scheduler-locking and focus tests. */
#include <pthread.h>
#include <unistd.h>

static void *worker(void *arg)
{
	volatile long n = 0;
	(void)arg;
	for (long i = 0; i < 200000; i++) {
		n++;
		if (i % 1000 == 0)
			getppid();
	}
	return 0;
}

int main(void)
{
	pthread_t a, b;
	pthread_create(&a, 0, worker, 0);
	pthread_create(&b, 0, worker, 0);
	pthread_join(a, 0);
	pthread_join(b, 0);
	return 0;
}
