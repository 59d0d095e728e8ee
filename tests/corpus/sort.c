/* sort: qsort and bsearch over integers, doubles and structs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec {
	int group;
	double weight;
	char name[12];
};

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}
static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}
static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->group != y->group)
		return x->group - y->group;
	if (x->weight != y->weight)
		return x->weight < y->weight ? 1 : -1;
	return strcmp(x->name, y->name);
}

int main(void)
{
	enum { N = 50000 };
	int *v = malloc(N * sizeof *v);
	double *w = malloc(N * sizeof *w);
	struct rec *r = malloc(2000 * sizeof *r);
	unsigned s = 1;
	for (int i = 0; i < N; i++) {
		s = s * 1103515245 + 12345;
		v[i] = (int)(s >> 1) % 100000 - 50000;
		w[i] = (double)(s % 1000003) / 7.0;
	}
	qsort(v, N, sizeof *v, cmp_int);
	qsort(w, N, sizeof *w, cmp_dbl);
	long long acc = 0;
	for (int i = 0; i < N; i++)
		acc += (long long)v[i] * (i % 17);
	printf("ints %d %d %d %lld\n", v[0], v[N / 2], v[N - 1], acc);
	printf("doubles %.6f %.6f %.6f\n", w[0], w[N / 2], w[N - 1]);
	int key = v[1234];
	int *hit = bsearch(&key, v, N, sizeof *v, cmp_int);
	printf("bsearch %d %d\n", hit != NULL, hit ? *hit == key : 0);
	key = 60000;
	printf("bsearch miss %d\n", bsearch(&key, v, N, sizeof *v, cmp_int) == NULL);
	for (int i = 0; i < 2000; i++) {
		s = s * 1103515245 + 12345;
		r[i].group = s % 7;
		r[i].weight = (s >> 8) % 13 / 4.0;
		snprintf(r[i].name, sizeof r[i].name, "n%05u", (s >> 4) % 99999);
	}
	qsort(r, 2000, sizeof *r, cmp_rec);
	for (int i = 0; i < 2000; i += 250)
		printf("rec %d %.2f %s\n", r[i].group, r[i].weight, r[i].name);
	return 0;
}
