/* Reads stdin, a host pipe or terminal, while another thread runs.
 *   hostread           one thread spins while the main thread waits in read(0)
 *   hostread nonblock  read(0) with O_NONBLOCK and no data: EAGAIN
 *   hostread single    one thread, one read(0)
 *   hostread poll      as hostread, waiting in poll(2) before the read
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile long counter;
static volatile int done;

static void *spin(void *arg)
{
	(void)arg;
	while (!done)
		counter++;
	return NULL;
}

int main(int argc, char **argv)
{
	char buf[64];
	ssize_t n;
	if (argc > 1 && strcmp(argv[1], "nonblock") == 0) {
		fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
		n = read(0, buf, sizeof buf);
		printf("read=%zd %s\n", n, n < 0 && errno == EAGAIN ? "EAGAIN" : "other");
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "single") == 0) {
		n = read(0, buf, sizeof buf);
		printf("read=%zd\n", n);
		return 0;
	}
	pthread_t th;
	pthread_create(&th, NULL, spin, NULL);
	while (counter == 0)
		;
	long before = counter;
	write(1, "reading\n", 8); /* the test sends input after seeing this */
	if (argc > 1 && strcmp(argv[1], "poll") == 0) {
		struct pollfd pf = {0, POLLIN, 0};
		int r = poll(&pf, 1, -1);
		printf("poll %d revents %#x\n", r, pf.revents);
	}
	n = read(0, buf, sizeof buf);
	long after = counter;
	done = 1;
	pthread_join(th, NULL);
	printf("read %zd bytes: %.*s", n, n > 0 ? (int)n : 0, buf);
	printf("the other thread %s while this one read\n", after - before > 200000 ? "ran" : "did not run");
	return 0;
}
