/* sleeper.c: sleeps in nanosleep for a long time, for the Ctrl-C test of
 * a program blocked in a system call. */
#include <stdio.h>
#include <time.h>

int main(void)
{
	struct timespec ts = {30, 0};
	printf("sleeping\n");
	fflush(stdout);
	nanosleep(&ts, NULL); /* MARK: sleep */
	printf("woke up\n");
	return 0;
}
