/* Two raw writes and exit code 3: the PRE/POST syscall, FlagIgnore and
   breakpoint tests look for these write(2) calls. */
#include <unistd.h>

int other(void) { return 42; }

int main(void)
{
	write(1, "first\n", 6);
	write(1, "second\n", 7);
	return 3;
}
