/* One fork: the child prints a line and exits 3; the parent waits for it
 * and prints its exit code. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child\n");
		fflush(stdout);
		_exit(3);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("parent: child code %d\n", WEXITSTATUS(st));
	return 0;
}
