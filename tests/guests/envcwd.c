/* envcwd.c: prints $FOO and the working directory, exits with status 7
 * (extended-remote test: "set environment", "set cwd", run twice). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int report(const char *foo, const char *dir)
{
	printf("FOO=%s\n", foo ? foo : "(unset)");
	printf("cwd=%s\n", dir ? dir : "(unknown)");
	return 7;
}

int main(void)
{
	char buf[512];
	const char *foo = getenv("FOO");
	const char *dir = getcwd(buf, sizeof buf);
	int status = report(foo, dir);
	fflush(stdout);
	return status; /* MARK: return */
}
