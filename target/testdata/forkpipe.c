/* Processes: fork with a pipe from child to parent, wait4 statuses
 * (exit code, killed by a signal), SIGCHLD to a handler, getppid in the
 * child, vfork + _exit, and fork + execve of this program, all with
 * output that must match a native run. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int chld;

static void on_chld(int sig)
{
	(void)sig;
	chld++;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exec") == 0) {
		printf("exec'd child: argc %d arg %s\n", argc, argv[2]);
		return 5;
	}
	signal(SIGCHLD, on_chld);
	int fds[2];
	pipe(fds);
	pid_t me = getpid();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		char msg[64];
		int n = snprintf(msg, sizeof msg, "hello from the child, parent ok %d", getppid() == me);
		write(fds[1], msg, n);
		_exit(7);
	}
	close(fds[1]);
	char buf[128];
	int total = 0;
	ssize_t n;
	while ((n = read(fds[0], buf + total, sizeof buf - 1 - total)) > 0)
		total += n;
	buf[total] = 0;
	int st;
	pid_t w = waitpid(pid, &st, 0);
	printf("read \"%s\"; waited %d: exited %d code %d; SIGCHLD %d\n", buf, w == pid, WIFEXITED(st), WEXITSTATUS(st), chld);

	pid = fork();
	if (pid == 0) {
		raise(SIGTERM);
		_exit(1);
	}
	waitpid(pid, &st, 0);
	printf("killed child: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));

	pid = vfork();
	if (pid == 0)
		_exit(3);
	waitpid(pid, &st, 0);
	printf("vfork child code %d\n", WEXITSTATUS(st));

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *args[] = { argv[0], "exec", "forty-two", 0 };
		execv(argv[0], args);
		perror("execv");
		_exit(127);
	}
	waitpid(pid, &st, 0);
	printf("exec'd child code %d\n", WEXITSTATUS(st));
	pid = fork();
	if (pid == 0)
		_exit(9);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	int r = waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	printf("waitid %d: pid ok %d code %d status %d\n", r, si.si_pid == pid, si.si_code, si.si_status);
	printf("still reapable: %d\n", waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 9);
	printf("no more children: %d\n", wait(&st) == -1);
	return 0;
}
