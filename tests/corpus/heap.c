/* heap: malloc-heavy code: many sizes, frees, reallocs, calloc, big blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
	struct node *next;
	unsigned long key;
	char payload[];
};

static unsigned long seed = 12345;
static unsigned long rnd(void)
{
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	return seed >> 33;
}

int main(void)
{
	enum { SLOTS = 4096 };
	static char *slot[SLOTS];
	static size_t len[SLOTS];
	unsigned long sum = 0;
	for (int round = 0; round < 40000; round++) {
		int i = rnd() % SLOTS;
		size_t n = rnd() % 3 == 0 ? rnd() % 5000 : rnd() % 100;
		if (round % 997 == 0)
			n = 200000 + rnd() % 300000; /* above the mmap threshold */
		if (slot[i] && rnd() % 2) {
			for (size_t k = 0; k < len[i]; k++)
				sum += (unsigned char)slot[i][k] * (k + 1);
			free(slot[i]);
			slot[i] = NULL;
		} else if (slot[i]) {
			char *p = realloc(slot[i], n + 1);
			if (!p)
				return 2;
			if (n + 1 > len[i])
				memset(p + len[i], (int)(n & 0xff), n + 1 - len[i]);
			slot[i] = p;
			len[i] = n + 1;
		} else {
			slot[i] = rnd() % 4 ? malloc(n + 1) : calloc(n + 1, 1);
			if (!slot[i])
				return 3;
			memset(slot[i], i & 0xff, n + 1);
			len[i] = n + 1;
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		for (size_t k = 0; k < len[i] && slot[i]; k++)
			sum += (unsigned char)slot[i][k];
		free(slot[i]);
	}
	printf("checksum %lu\n", sum);

	struct node *head = NULL;
	for (unsigned long k = 0; k < 20000; k++) {
		struct node *n = malloc(sizeof *n + k % 64 + 1);
		n->key = k * 2654435761UL % 1000003;
		snprintf(n->payload, k % 64 + 1, "%lu", n->key);
		n->next = head;
		head = n;
	}
	unsigned long keys = 0, count = 0;
	while (head) {
		struct node *n = head;
		head = n->next;
		keys += n->key + strlen(n->payload);
		count++;
		free(n);
	}
	printf("list %lu %lu\n", count, keys);
	char *huge = malloc(64 << 20);
	if (!huge)
		return 4;
	for (size_t i = 0; i < (64 << 20); i += 4096)
		huge[i] = (char)i;
	huge = realloc(huge, 96 << 20);
	printf("huge %d\n", huge[8192 * 3] + huge[(64 << 20) - 4096]);
	free(huge);
	return 0;
}
