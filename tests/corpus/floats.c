/* floats: stdio with floats, doubles and long doubles, and conversions. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static volatile double vd = 0.1;
static volatile long double vld = 0.1L;

int main(void)
{
	double d = 0;
	for (int i = 0; i < 10; i++)
		d += vd;
	printf("sum %.17g %a %e %f %g\n", d, d, d, d, d);
	printf("float %.9g %a\n", (float)d / 3.0f, (float)(1.0 / 3.0));
	printf("limits %g %g %.17g %g\n", DBL_MAX, DBL_MIN, DBL_EPSILON, FLT_MAX);
	printf("specials %f %f %f %g\n", 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0 * 0, -0.0);
	printf("rounding %.0f %.0f %.0f %.0f %.3f %.2e\n", 0.5, 1.5, 2.5, -2.5, 1.0005, 12345.678);
	printf("big %.0f %f\n", 1e23, 123456789012345678.0);
	long double ld = 0;
	for (int i = 0; i < 10; i++)
		ld += vld;
	printf("long double %.21Lg %La %Le %Lf\n", ld, ld, ld, ld);
	printf("ld ops %.20Lg %.20Lg %.20Lg\n", ld / 3, ld * ld - 1, (long double)1 / 7);
	printf("ld limits %Lg %Lg %Lg\n", LDBL_MAX, LDBL_MIN, LDBL_EPSILON);
	printf("ld cmp %d %d %d\n", ld > 1.0L, ld == 1.0L, (long double)d == ld);
	long double f = 1;
	for (int i = 1; i <= 25; i++)
		f *= i;
	printf("25! %.0Lf %lld\n", f, (long long)(f / 1e10L));
	printf("strtod %.17g %.17g %g %a\n", strtod("6.02214076e23", NULL), strtod("0x1.8p3", NULL), strtod("1e-320", NULL),
	       strtod("2.2250738585072011e-308", NULL));
	printf("strtold %.21Lg\n", strtold("3.14159265358979323846264338327950288", NULL));
	printf("atof %g sscanf ", atof("  -7.25e2xyz"));
	double a;
	float b;
	long double c;
	if (sscanf("1.5 2.25 3.125", "%lf %f %Lf", &a, &b, &c) == 3)
		printf("%g %g %Lg\n", a, (double)b, c);
	printf("math %.17g %.17g %.17g %.17g\n", sqrt(2.0), floor(-2.5), ceil(2.1), fabs(-3.5));
	printf("fmod %.17g trunc %g round %g lrint %ld\n", fmod(10.5, 3.0), trunc(-2.7), round(2.5), lrint(3.5));
	printf("conv %d %d %lld %u %g %g\n", (int)-2.9, (int)2.9, (long long)-1e18, (unsigned)3e9, (double)(1LL << 62),
	       (double)(unsigned long)-1);
	float fs[8] = {1.5f, -2.25f, 3.0f, 0.1f, 1e10f, -1e-10f, 7.0f, 8.5f};
	float fsum = 0, fprod = 1;
	for (int i = 0; i < 8; i++) {
		fsum += fs[i];
		fprod *= fs[i];
	}
	printf("floats %.9g %.9g\n", fsum, fprod);
	double m[4][4], r = 0;
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			m[i][j] = 1.0 / (i + j + 1);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			for (int k = 0; k < 4; k++)
				r += m[i][k] * m[k][j];
	printf("hilbert %.17g\n", r);
	fprintf(stderr, "floats done %.3f\n", 2.0 / 3);
	return 0;
}
