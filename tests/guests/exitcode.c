/* exitcode.c: prints a line and exits with status 3. */
#include <stdio.h>
#include <stdlib.h>

static int status(void)
{
	return 3;
}

int main(void)
{
	printf("exiting with %d\n", status());
	exit(status()); /* MARK: exit */
}
