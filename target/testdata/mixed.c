/* A grab bag of libc: sorting, strings, formatting, 64/128-bit integer
 * arithmetic, setjmp/longjmp, varargs, time and environment. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static long sum(int n, ...)
{
	va_list ap;
	long s = 0;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		s += va_arg(ap, long);
	va_end(ap);
	return s;
}

static jmp_buf env;

static void jump(int v)
{
	longjmp(env, v);
}

int main(void)
{
	int64_t a[64];
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 64; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		a[i] = (int64_t)x;
	}
	qsort(a, 64, sizeof a[0], cmp);
	printf("min %" PRId64 " max %" PRId64 "\n", a[0], a[63]);

	unsigned __int128 p = (unsigned __int128)x * 0x9e3779b97f4a7c15ULL;
	printf("mul128 %016" PRIx64 "%016" PRIx64 "\n", (uint64_t)(p >> 64), (uint64_t)p);
	printf("div %" PRIu64 " mod %" PRIu64 " sdiv %" PRId64 "\n", x / 1000003, x % 1000003, (int64_t)x / -77);

	char buf[200];
	snprintf(buf, sizeof buf, "[%5d|%-5s|%05.1f|%x|%o|%c|%%|%lld]", -42, "ab", 3.14159, 255u, 8u, 'z', -1LL << 40);
	puts(buf);
	printf("len %zu strchr %s strstr %s cmp %d\n", strlen(buf), strchr(buf, '|'), strstr(buf, "ab"), strcmp("abc", "abd") < 0);
	char *dup = strdup(buf);
	memmove(dup + 1, dup, 10);
	printf("memmove %.12s\n", dup);
	free(dup);

	printf("varargs %ld\n", sum(5, 1L, 2L, 3L, 4L, 1L << 40));
	int v = setjmp(env);
	if (v == 0)
		jump(7);
	printf("longjmp %d\n", v);

	time_t t = time(NULL);
	printf("time sane %d\n", t > 1600000000);
	printf("getenv %s\n", getenv("GREETING"));
	printf("atoi %d strtoul %lu\n", atoi("  -123x"), strtoul("0x1F", NULL, 0));
	return 0;
}
