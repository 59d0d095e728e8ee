/* The bundled demo program served by `redox-gdbstub :PORT` when no program
 * is named. Rebuild with `go generate ./cmd/redox-gdbstub` (needs musl-gcc). */
#include <stdio.h>
#include <string.h>

struct point {
	int x, y;
};

static const char greeting[] = "hello from the emulated demo";
int counter = 0;

static int square(int v)
{
	return v * v;
}

static int sum_squares(int n)
{
	int total = 0;
	for (int i = 1; i <= n; i++) {
		total += square(i);
		counter++;
	}
	return total;
}

static void move(struct point *p, int dx, int dy)
{
	p->x += dx;
	p->y += dy;
}

int main(int argc, char **argv)
{
	struct point p = {1, 2};
	int n = 5;
	int s = sum_squares(n);
	move(&p, 3, 4);
	printf("%s (argc=%d, %zu chars)\n", greeting, argc, strlen(greeting));
	printf("sum of squares 1..%d = %d, point = (%d,%d)\n", n, s, p.x, p.y);
	return 0;
}
