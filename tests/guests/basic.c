/* basic.c: a small guest for the end-to-end tests. It has functions, a
 * loop, locals, globals, a struct, a string and a recursive function.
 * The tests refer to lines in this file by the "MARK:" comments, so keep
 * those comments on the lines they describe. */
#include <stdio.h>
#include <string.h>

struct pair {
	int a;
	long b;
	char tag[8];
};

int global_counter = 7;
long global_total;
const char message[] = "hello, debugger";
struct pair global_pair = {1, 2, "pair"};

/* noipa keeps add a real call at -O2 (no inlining, cloning or IPA). */
static __attribute__((noipa)) int add(int x, int y)
{
	int sum = x + y; /* MARK: add-body */
	return sum;
}

static int factorial(int n)
{
	if (n <= 1)
		return 1; /* MARK: factorial-base */
	return n * factorial(n - 1);
}

static long loop_sum(int limit)
{
	long total = 0;
	for (int i = 0; i < limit; i++) {
		total += add(i, global_counter); /* MARK: loop-body */
	}
	return total;
}

static void fill(struct pair *p, int a)
{
	p->a = a;
	p->b = (long)a * 1000;
	strcpy(p->tag, "filled");
}

int main(void)
{
	int local_int = 42; /* MARK: main-first */
	struct pair local_pair = {0, 0, ""};
	const char *str = message;

	fill(&local_pair, local_int);
	global_total = loop_sum(4);
	int f = factorial(5);
	printf("%s: counter=%d total=%ld fact=%d pair=%d/%ld/%s\n", str,
	       global_counter, global_total, f, local_pair.a, local_pair.b,
	       local_pair.tag);
	return 0; /* MARK: main-return */
}
