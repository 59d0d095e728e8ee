/* Dereferences NULL. */
#include <stdio.h>

int main(void)
{
	volatile int *p = 0;
	puts("about to crash");
	fflush(stdout);
	*p = 42;
	puts("not reached");
	return 0;
}
