/* Thread names: a thread names itself with prctl(PR_SET_NAME) and a
 * thread it creates inherits the name; then the main thread calls
 * getppid, where the test looks at every thread's name. */
#include <pthread.h>
#include <sys/prctl.h>
#include <unistd.h>

static int fds[2];

static void *inner(void *arg)
{
	char c;
	(void)arg;
	read(fds[0], &c, 1);
	return 0;
}

static void *worker(void *arg)
{
	pthread_t t;
	(void)arg;
	prctl(PR_SET_NAME, "worker-named");
	pthread_create(&t, 0, inner, 0);
	char c;
	read(fds[0], &c, 1);
	pthread_join(t, 0);
	return 0;
}

int main(void)
{
	pthread_t t;
	pipe(fds);
	pthread_create(&t, 0, worker, 0);
	usleep(20000);
	getppid();
	write(fds[1], "xy", 2);
	pthread_join(t, 0);
	return 0;
}
