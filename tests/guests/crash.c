/* crash.c: writes through a NULL pointer inside a function called from
 * main, so the program dies with SIGSEGV on the line marked "crash". */
#include <stdio.h>

struct node {
	int value;
	struct node *next;
};

static void poke(struct node *n, int v)
{
	n->value = v; /* MARK: crash */
}

int main(void)
{
	struct node *head = NULL;
	printf("about to crash\n");
	fflush(stdout);
	poke(head, 99);
	printf("not reached\n");
	return 0;
}
