/* Four named worker threads call hit() three times each under a mutex
 * while main joins them: for gdb's non-stop mode, where one worker stops
 * at a breakpoint while the others run on. Prints "counter 30". */
#include <pthread.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#define N 4
static volatile int counter;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void hit(int id) /* MARK: hit */
{
	pthread_mutex_lock(&mu);
	counter += id;
	pthread_mutex_unlock(&mu);
}

static void *worker(void *arg)
{
	int id = (int)(long)arg;
	char name[16];
	snprintf(name, sizeof name, "worker-%d", id);
	prctl(PR_SET_NAME, name);
	for (int i = 0; i < 3; i++)
		hit(id);
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	for (int i = 0; i < N; i++)
		pthread_create(&t[i], NULL, worker, (void *)(long)(i + 1));
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	printf("counter %d\n", counter);
	return 0;
}
