/* Sleeps for a long time, then reports how much of it was left. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	unsigned left = sleep(100);
	printf("left %s\n", left > 0 ? "some" : "none");
	return 0;
}
