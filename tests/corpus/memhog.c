/* memhog: allocates and touches 1 MiB blocks until malloc fails, then
 * frees them and shows the process still works (for --max-memory). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	enum { BLOCK = 1 << 20, MAX = 1 << 16 };
	static char *blocks[MAX];
	int n = 0;
	while (n < MAX) {
		errno = 0;
		char *p = malloc(BLOCK);
		if (!p)
			break;
		memset(p, n & 0xff, BLOCK);
		blocks[n++] = p;
	}
	printf("malloc failed after %d MiB, errno ENOMEM %d\n", n, errno == ENOMEM);
	long sum = 0;
	for (int i = 0; i < n; i++) {
		sum += blocks[i][i % BLOCK];
		free(blocks[i]);
	}
	char *again = malloc(BLOCK);
	printf("sum %ld, malloc after free %s\n", sum, again ? "works" : "fails");
	return n > 0 && again ? 0 : 1;
}
