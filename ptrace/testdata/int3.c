/* Executes a guest int3 (not a debugger breakpoint), then writes. */
#include <unistd.h>

int main(void)
{
	__asm__ volatile(".globl int3_here\nint3_here: int3");
	write(1, "after\n", 6);
	return 0;
}
