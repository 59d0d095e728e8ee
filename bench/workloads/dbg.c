/* dbg.c: the guest of bench/gdb.sh, built with musl-gcc -static -O0 -g.
 * argv[1] picks the case; every case ends with exit status 0.
 *   step   a plain loop in spin() for `stepi 20000`
 *   next   main calls work(N) on one source line (the `next` target)
 *   cond   f(x) called CALLS times, never with x == -1
 *   watch  the hot loop of work() with never_written untouched
 *   dump   fills a 64 MiB heap buffer, then calls ready(buf, len) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile long never_written;
volatile long sink;

long spin(long n)
{
	long s = 0;
	for (long i = 0; i < n; i++)
		s += i;
	return s;
}

long work(long n)
{
	long s = 0;
	for (long i = 0; i < n; i++)
		s += i ^ (s >> 3);
	return s;
}

long f(long x)
{
	return x * 3 + 1;
}

void ready(unsigned char *buf, size_t len)
{
	sink = buf[len - 1];
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "next";
	long n = argc > 2 ? atol(argv[2]) : 0;
	if (strcmp(mode, "step") == 0) {
		sink = spin(n ? n : 100000);
	} else if (strcmp(mode, "next") == 0) {
		long r;
		r = work(n ? n : 100000); /* the `next` line */
		sink = r;
	} else if (strcmp(mode, "cond") == 0) {
		long calls = n ? n : 100000;
		for (long i = 0; i < calls; i++)
			sink += f(i);
	} else if (strcmp(mode, "watch") == 0) {
		sink = work(n ? n : 1000000);
	} else if (strcmp(mode, "dump") == 0) {
		size_t len = (size_t)(n ? n : 64) << 20;
		unsigned char *buf = malloc(len);
		if (!buf)
			return 1;
		/* memset (rep stos in musl) plus one xorshift word per 4 KiB:
		 * every page distinct and non-zero, cheap to emulate, so the
		 * case times the dump rather than the fill. */
		memset(buf, 0xa5, len);
		unsigned long x = 88172645463325252UL;
		for (size_t i = 0; i < len; i += 4096) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(buf + i, &x, 8);
		}
		ready(buf, len);
		free(buf);
	} else {
		fprintf(stderr, "dbg: unknown mode %s\n", mode);
		return 2;
	}
	printf("dbg %s done\n", mode);
	return 0;
}
