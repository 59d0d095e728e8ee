/* orphankill: an orphaned grandchild (vfork, then fork, then the middle
 * process exits) kills the root process, as busybox timeout does. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
	volatile pid_t parent = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		parent = getppid();
		if (fork() != 0) _exit(0);
		/* grandchild */
		setsid();
		usleep(100000);
		int r = kill(parent, SIGTERM);
		fprintf(stderr, "grandchild kill -> %d\n", r);
		_exit(0);
	}
	wait(NULL);
	printf("parent var set %d\n", parent != 0);
	fflush(stdout);
	sleep(1);
	printf("not killed\n");
	return 0;
}
