/* Floating point through libc: strtod and printf use long double (x87)
 * inside musl. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	double v = strtod("2.25", NULL);
	double s = 0;
	for (int i = 1; i <= 10; i++)
		s += v / i;
	printf("%.6f %g %e\n", s, sqrt(s), s * 1e10);
	long double l = 1.0L / 3;
	printf("%.10Lf\n", l);
	return 0;
}
