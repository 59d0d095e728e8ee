/* One thread: it prints a line; the main thread joins it. */
#include <pthread.h>
#include <stdio.h>

static void *run(void *arg)
{
	(void)arg;
	printf("thread\n");
	return 0;
}

int main(void)
{
	pthread_t th;
	pthread_create(&th, 0, run, 0);
	pthread_join(th, 0);
	printf("joined\n");
	return 0;
}
