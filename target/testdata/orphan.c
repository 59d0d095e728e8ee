/* orphan: the child outlives its parent and prints after it has exited. */
#include <stdio.h>
#include <unistd.h>
int main(void) {
	if (fork() == 0) { usleep(30000); printf("orphan done\n"); return 0; }
	printf("parent exits\n");
	return 0;
}
