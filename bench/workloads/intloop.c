/* intloop: a tight integer loop (xorshift64), the emulator's CPU-bound
 * benchmark. Usage: intloop [ITERATIONS] (default 100000000). Prints the
 * final state and the sum so the work cannot be optimised away. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
	unsigned long n = argc > 1 ? strtoul(argv[1], 0, 10) : 100000000UL;
	unsigned long x = 88172645463325252UL, sum = 0;
	for (unsigned long i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sum += x;
	}
	printf("%lu iterations: x=%016lx sum=%016lx\n", n, x, sum);
	return 0;
}
