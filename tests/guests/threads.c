/* threads.c: a multi-threaded guest (pthreads) for the lldb tests. main
 * starts one worker and waits for it, so that when the worker stops at a
 * breakpoint the set of threads is known: main, blocked in pthread_join,
 * and the worker. The tests refer to lines by the "MARK:" comments. */
#include <pthread.h>
#include <stdio.h>

int result;

/* noipa keeps work a real call (no inlining or cloning). */
static __attribute__((noipa)) int work(int id)
{
	int r = id * 10; /* MARK: work-body */
	return r + 2;
}

static void *worker(void *arg)
{
	result = work((int)(long)arg);
	return NULL;
}

int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, worker, (void *)4L) != 0)
		return 1;
	pthread_join(t, NULL);
	printf("result=%d\n", result); /* MARK: after-join */
	return 0;
}
