#include <stdio.h>
#include <stdint.h>

struct node { int key; struct node *l, *r; };
static struct node pool[1000];
static int used;

static struct node *insert(struct node *t, int k) {
	if (!t) { t = &pool[used++]; t->key = k; t->l = t->r = 0; return t; }
	if (k < t->key) t->l = insert(t->l, k); else t->r = insert(t->r, k);
	return t;
}
static int depth(struct node *t) { if (!t) return 0; int a = depth(t->l), b = depth(t->r); return 1 + (a > b ? a : b); }
static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
	struct node *root = 0;
	uint32_t s = 2463534242u;
	for (int i = 0; i < 1000; i++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; root = insert(root, (int)(s % 100000)); }
	printf("depth %d\n", depth(root));
	printf("fib %ld\n", fib(24));
	unsigned char sieve[10000] = {0};
	int primes = 0;
	for (int i = 2; i < 10000; i++) { if (!sieve[i]) { primes++; for (int j = i * 2; j < 10000; j += i) sieve[j] = 1; } }
	printf("primes %d\n", primes);
	uint64_t m[4][4], a[4][4];
	for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) a[i][j] = i * 4 + j + 1;
	for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) { m[i][j] = 0; for (int k = 0; k < 4; k++) m[i][j] += a[i][k] * a[k][j]; }
	printf("mat %llu %llu\n", (unsigned long long)m[0][0], (unsigned long long)m[3][3]);
	short sh[8] = {1, -2, 3, -4, 5, -6, 7, -8};
	int acc = 0;
	for (int i = 0; i < 8; i++) acc += sh[i] * (i + 1);
	printf("acc %d\n", acc);
	return 0;
}
