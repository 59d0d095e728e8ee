/* Executes a guest int3 between two lines of output. */
#include <stdio.h>

int main(void)
{
	puts("before int3");
	fflush(stdout);
	__asm__ volatile("int3");
	puts("after int3");
	return 0;
}
