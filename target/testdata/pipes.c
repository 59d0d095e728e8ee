/* Pipes: a reader thread blocks on an empty pipe while the writer
 * thread sleeps between messages; EOF after the write end closes; a
 * non-blocking read of an empty pipe; a write with no reader (EPIPE,
 * SIGPIPE ignored). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fds[2];

static void *writer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, 0);
		char msg[32];
		int n = snprintf(msg, sizeof msg, "message %d;", i);
		write(fds[1], msg, n);
	}
	close(fds[1]);
	return 0;
}

int main(void)
{
	if (pipe(fds) != 0) {
		perror("pipe");
		return 1;
	}
	pthread_t t;
	pthread_create(&t, 0, writer, 0);
	char buf[256];
	int total = 0, reads = 0;
	for (;;) {
		ssize_t n = read(fds[0], buf + total, sizeof buf - 1 - total);
		if (n <= 0)
			break;
		total += n;
		reads++;
	}
	buf[total] = 0;
	pthread_join(t, 0);
	printf("read \"%s\" (%d bytes), EOF seen\n", buf, total);
	close(fds[0]);

	int p2[2];
	pipe2(p2, O_NONBLOCK | O_CLOEXEC);
	ssize_t n = read(p2[0], buf, 10);
	printf("non-blocking empty read: %zd %s, cloexec %d\n", n, errno == EAGAIN ? "EAGAIN" : "?", fcntl(p2[0], F_GETFD) & FD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	close(p2[0]);
	n = write(p2[1], "x", 1);
	printf("write without reader: %zd %s\n", n, errno == EPIPE ? "EPIPE" : "?");
	return 0;
}
