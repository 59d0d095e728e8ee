/* procs: fork, pipes, wait status, exec of this program, and a child killed
 * by a signal. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %d\n", what, WTERMSIG(st));
	else
		printf("%s: status %#x\n", what, st);
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[2], "child") == 0) {
		char line[64];
		if (fgets(line, sizeof line, stdin))
			printf("exec'd child read: %s", line);
		fprintf(stderr, "exec'd child to stderr\n");
		return 9;
	}
	fflush(stdout);
	int up[2], down[2];
	if (pipe(up) || pipe(down))
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		char buf[128];
		ssize_t n = read(down[0], buf, sizeof buf);
		for (ssize_t i = 0; i < n; i++)
			buf[i] = buf[i] >= 'a' && buf[i] <= 'z' ? buf[i] - 32 : buf[i];
		write(up[1], buf, n);
		_exit(n > 0 ? 5 : 6);
	}
	close(up[1]);
	close(down[0]);
	write(down[1], "ping through a pipe", 19);
	close(down[1]);
	char buf[128];
	ssize_t n = read(up[0], buf, sizeof buf);
	printf("parent got %.*s\n", (int)n, buf);
	close(up[0]);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 2;
	report("child 1", st);

	/* Several children, reaped in any order, reported in order. */
	pid_t kids[4];
	for (int i = 0; i < 4; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			if (i == 3)
				raise(SIGKILL);
			_exit(10 + i);
		}
	}
	int status[4], reaped = 0;
	while (reaped < 4) {
		pid_t w = wait(&st);
		for (int i = 0; i < 4; i++)
			if (kids[i] == w)
				status[i] = st, reaped++;
		if (w < 0)
			break;
	}
	for (int i = 0; i < 4; i++)
		report("kid", status[i]);
	printf("no more children: %d\n", wait(NULL) < 0);

	/* A child's output to a shared pipe, then exec of this program. */
	int p[2];
	pipe(p);
	pid = fork();
	if (pid == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		execl(argv[0], argv[0], argc > 1 ? argv[1] : "-", "child", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	write(p[1], "hello exec\n", 11);
	close(p[1]);
	waitpid(pid, &st, 0);
	report("exec child", st);
	return 0;
}
