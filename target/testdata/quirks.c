/* Linux details programs can see: F_GETFL of an opened file (with
 * O_LARGEFILE) and of a pipe (without), poll of an empty pipe whose
 * writers are gone (POLLHUP alone), and epoll refusing a regular file. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	(void)argc;
	int fd = open(argv[0], O_RDONLY);
	int p[2];
	pipe(p);
	printf("file F_GETFL %#x, pipe F_GETFL %#x %#x\n", fcntl(fd, F_GETFL), fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
	close(p[1]);
	struct pollfd f = {p[0], POLLIN, 0};
	int n = poll(&f, 1, 0);
	printf("poll %d revents %#x\n", n, f.revents);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN};
	int r = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	printf("epoll_ctl of a file %d errno %d\n", r, r ? errno : 0);
	r = epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	printf("epoll_ctl of a pipe %d\n", r);
	return 0;
}
