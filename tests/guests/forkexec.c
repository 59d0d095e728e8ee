/* Processes for gdb's fork and exec support: the parent forks (or
 * vforks, with argument "vfork"), the child calls work() and execs this
 * program again with "again", which exits with code 4; the parent waits
 * for it, calls work() and exits 0. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int work(int x)
{
	return x * 2; /* MARK: work-body */
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "again") == 0) {
		printf("exec'd: %s\n", argv[1]); /* MARK: again */
		return 4;
	}
	int use_vfork = argc > 1 && strcmp(argv[1], "vfork") == 0;
	fflush(stdout);
	pid_t pid = use_vfork ? vfork() : fork();
	if (pid == 0) {
		if (!use_vfork) {
			printf("child: %d\n", work(21));
			fflush(stdout); /* exec discards stdio buffers */
		}
		execl(argv[0], argv[0], "again", (char *)0);
		_exit(1);
	}
	int st;
	waitpid(pid, &st, 0); /* MARK: parent-wait */
	printf("parent: child exited %d, work %d\n", WEXITSTATUS(st), work(1)); /* MARK: parent-done */
	return 0;
}
