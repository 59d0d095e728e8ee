/* Calls abort(), which raises SIGABRT through tkill. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	puts("aborting");
	fflush(stdout);
	abort();
}
