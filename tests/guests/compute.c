/* compute.c: integer, bit, SSE2 and floating-point work plus libc string
 * and formatting routines; every result is printed, so the emulated run
 * must print exactly what the native run prints. Built at -O0 and -O2. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static const char *classify(int v)
{
	switch (v % 7) {
	case 0: return "zero";
	case 1: return "one";
	case 2: return "two";
	case 3: return "three";
	case 4: return "four";
	case 5: return "five";
	default: return "other";
	}
}

static double poly(double x)
{
	return ((0.5 * x - 1.25) * x + 3.0) * x - 0.125; /* MARK: poly */
}

int main(void)
{
	/* 64-bit integer arithmetic, signed and unsigned */
	uint64_t u = 0x0123456789abcdefULL;
	int64_t s = -1234567890123LL;
	printf("mul %llu div %llu mod %llu\n", (unsigned long long)(u * 3),
	       (unsigned long long)(u / 7), (unsigned long long)(u % 1000003));
	printf("sdiv %lld smod %lld neg %lld\n", (long long)(s / 37), (long long)(s % 37), (long long)-s);
	unsigned __int128 wide = (unsigned __int128)u * 0xfedcba9876543210ULL;
	printf("mul128 hi %016llx lo %016llx\n", (unsigned long long)(wide >> 64), (unsigned long long)wide);
	printf("shifts %llx %llx %lld\n", (unsigned long long)(u << 13), (unsigned long long)(u >> 17), (long long)(s >> 5));
	uint32_t r = 0x80000001u;
	printf("rot %08x %08x\n", (r << 3) | (r >> 29), (r >> 5) | (r << 27));
	printf("bits %d %d %d %d\n", __builtin_popcountll(u), __builtin_clzll(u), __builtin_ctzll(u), __builtin_parity(0x7));
	printf("bswap %08x %016llx\n", __builtin_bswap32(0x11223344), (unsigned long long)__builtin_bswap64(u));
	signed char sc = -5;
	unsigned short us = 65000;
	printf("ext %d %u %d %u\n", sc, (unsigned char)sc, (short)us, us);

	/* branches, cmov/setcc, jump tables */
	int hist[7] = {0};
	for (int i = -50; i < 50; i++) {
		int v = i < 0 ? -i : i;
		hist[v % 7] += (v & 1) ? 1 : 2;
	}
	for (int i = 0; i < 7; i++)
		printf("%s=%d ", classify(i), hist[i]);
	printf("\n");

	/* libc: sort, strings, memory */
	int arr[16];
	for (int i = 0; i < 16; i++)
		arr[i] = (i * 7919) % 61 - 30;
	qsort(arr, 16, sizeof arr[0], cmp_int);
	for (int i = 0; i < 16; i++)
		printf("%d%c", arr[i], i == 15 ? '\n' : ',');
	char buf[256];
	memset(buf, 'x', sizeof buf);
	memcpy(buf + 3, "emulated copy", 14);
	printf("str %zu %s %d %s\n", strlen(buf + 3), buf + 3, memcmp(buf, "xxx", 3), strchr(buf + 3, 'c'));
	char big[5000];
	for (int i = 0; i < 5000; i++)
		big[i] = (char)('a' + i % 26);
	char big2[5000];
	memmove(big2, big, sizeof big);
	memmove(big + 1, big, 4000);
	printf("memmove %c%c%c %d\n", big[1], big[2], big[4000], memcmp(big2, big, 1));
	printf("fmt [%5d] [%-5d] [%05x] [%lu] [%c] [%10.3s]\n", 42, 42, 0xbeef, 18446744073709551615UL, 'Z', "truncate");
	printf("strtol %ld %lu\n", strtol("-123456789", NULL, 10), strtoul("ff", NULL, 16));

	/* floating point: SSE2 double and float, conversions, libm, printf */
	double d = poly(2.5); /* MARK: after-poly */
	float f = 1.0f / 3.0f;
	printf("double %.17g float %.9g\n", d, (double)f);
	printf("conv %d %lld %u %.3f\n", (int)-7.9, (long long)1e15, (unsigned)3.99e9, (double)(int64_t)-42);
	printf("math %.15g %.15g %.15g %.15g\n", sqrt(2.0), floor(-2.5), fabs(-0.75), fmod(10.5, 3.0));
	printf("fmt %f %e %g %a\n", 3.14159, 12345.678, 0.0001234, 1.0);
	printf("strtod %.17g\n", strtod("6.02214076e23", NULL));
	double acc = 0;
	for (int i = 1; i <= 1000; i++)
		acc += 1.0 / ((double)i * i);
	printf("basel %.15f cmp %d %d\n", acc, acc < 1.6449, d == d);
	printf("libm %.15g %.15g %.15g %.15g %.15g %.15g\n", exp(1.0), log(10.0), sin(0.5), cos(0.5),
	       atan2(1.0, -2.0), pow(2.0, 0.5));
	printf("round %.1f %.1f %.1f %ld %.7g\n", round(-2.5), trunc(-2.7), ceil(2.1), lrint(2.5), sqrtf(2.0f));
	long double ld = (long double)1 / 3;
	printf("long double %.20Lf %.10Lg\n", ld, sqrtl(2.0L) * ld);
	unsigned __int128 num = ((unsigned __int128)0x0123456789abcdefULL << 64) | 0xfedcba9876543210ULL;
	unsigned long long q = (unsigned long long)(num / 0x1000000007ULL), rem = (unsigned long long)(num % 0x1000000007ULL);
	printf("div128 %llx %llx\n", q, rem);
	long long ov;
	printf("overflow %d %d\n", __builtin_mul_overflow(0x7fffffffffffffffLL, 2LL, &ov), __builtin_add_overflow(1LL, 2LL, &ov));
	printf("done\n");
	return 0;
}
