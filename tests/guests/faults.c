/* faults.c: dies with the fault named by argv[1], each on its marked line:
 *   divzero  integer division by zero            -> SIGFPE
 *   trap     __builtin_trap (ud2)                -> SIGILL
 *   rodata   write into a string in .rodata      -> SIGSEGV (page permissions)
 *   nx       call into a non-executable array    -> SIGSEGV (execute permission)
 *   wild     call through a pointer to unmapped  -> SIGSEGV at the bad pc
 *   abort    abort() (raise through tkill)       -> SIGABRT
 * With no argument it prints usage and exits with status 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char rodata_text[] = "read-only";
unsigned char data_code[16] = {0xc3}; /* a 'ret' in writable, non-exec data */
volatile int zero;

static int divide(int a, int b)
{
	return a / b; /* MARK: divzero */
}

static void trap(void)
{
	__builtin_trap(); /* MARK: trap */
}

static void write_rodata(void)
{
	char *p = (char *)rodata_text;
	p[0] = 'R'; /* MARK: rodata */
}

static void call_data(void)
{
	void (*f)(void) = (void (*)(void))data_code;
	f(); /* MARK: nx */
}

static void call_wild(void)
{
	void (*f)(void) = (void (*)(void))0x10000badUL;
	f(); /* MARK: wild */
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: faults divzero|trap|rodata|nx|wild|abort\n");
		return 2;
	}
	printf("fault: %s\n", argv[1]);
	fflush(stdout);
	if (!strcmp(argv[1], "divzero"))
		printf("%d\n", divide(7, zero));
	else if (!strcmp(argv[1], "trap"))
		trap();
	else if (!strcmp(argv[1], "rodata"))
		write_rodata();
	else if (!strcmp(argv[1], "nx"))
		call_data();
	else if (!strcmp(argv[1], "wild"))
		call_wild();
	else if (!strcmp(argv[1], "abort"))
		abort(); /* MARK: abort */
	printf("no fault\n");
	return 1;
}
