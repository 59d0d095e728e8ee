/* jumps: setjmp/longjmp through nested calls, and volatile state across them. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf outer, inner;
static int depth;

static void dive(int n)
{
	char pad[256];
	pad[n % 256] = (char)n;
	depth++;
	if (n == 0)
		longjmp(inner, 40 + pad[0]);
	dive(n - 1);
}

static int attempt(int k)
{
	volatile int tries = 0;
	int r = setjmp(inner);
	if (r) {
		tries++;
		if (tries < k)
			dive(tries * 10);
		return r * 100 + tries;
	}
	dive(5);
	return -1;
}

int main(void)
{
	volatile int count = 0;
	int v = setjmp(outer);
	printf("setjmp returned %d\n", v);
	if (count++ < 3)
		longjmp(outer, count * 7);
	for (int k = 1; k < 5; k++)
		printf("attempt(%d) = %d depth %d\n", k, attempt(k), depth);
	switch (setjmp(outer)) {
	case 0:
		longjmp(outer, 0); /* setjmp then returns 1 */
	case 1:
		printf("longjmp(0) gives 1\n");
		break;
	default:
		printf("longjmp(0) gives something else\n");
	}
	sigjmp_buf sj;
	volatile int rounds = 0;
	if (sigsetjmp(sj, 1) < 3) {
		rounds++;
		siglongjmp(sj, rounds);
	}
	printf("siglongjmp rounds %d\n", rounds);
	return 0;
}
