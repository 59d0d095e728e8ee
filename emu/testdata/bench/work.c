// A CPU-bound guest used by BenchmarkGuestProgram: recursion, array
// loops, qsort and string formatting.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static int cmp(const void *a, const void *b) { unsigned x = *(const unsigned *)a, y = *(const unsigned *)b; return (x > y) - (x < y); }

int main(void) {
	static unsigned arr[50000];
	unsigned s = 1;
	for (int i = 0; i < 50000; i++) { s = s * 1103515245 + 12345; arr[i] = s; }
	qsort(arr, 50000, sizeof arr[0], cmp);
	static char sieve[200000];
	int primes = 0;
	for (int i = 2; i < 200000; i++) if (!sieve[i]) { primes++; for (int j = 2 * i; j < 200000; j += i) sieve[j] = 1; }
	char buf[64];
	unsigned long h = 0;
	for (int i = 0; i < 20000; i++) { snprintf(buf, sizeof buf, "%d:%x", i, i * 7); h = h * 31 + strlen(buf); }
	printf("%ld %u %d %lu\n", fib(25), arr[25000], primes, h);
	return 0;
}
