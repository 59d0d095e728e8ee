#include <stdio.h>
#include <math.h>
#include <stdlib.h>

static volatile double dv[] = {0.0, 1.0, -1.5, 3.14159265358979, 1e-300, 6.02214076e23, 0.1, 2.5, -0.0, 123456.789};
static volatile long double lv = 1.0L / 3.0L;

int main(void) {
	double sum = 0;
	for (int i = 0; i < 10; i++) {
		double d = dv[i];
		sum += d * 1.5 - d / 3.0;
		printf("%g %f %e %.17g %a\n", d, d, d, d, d);
	}
	printf("sum %.10f\n", sum);
	printf("ld %Lf %.20Lg\n", lv, lv * 7);
	printf("int conv %d %ld %u\n", (int)dv[3], (long)dv[5] / 1000000, (unsigned)dv[9]);
	printf("floor %f ceil %f fmod %f\n", floor(-2.5), ceil(2.1), fmod(10.5, 3.0));
	printf("sqrt %.15f\n", sqrt(2.0));
	float f = 1.25f;
	for (int i = 0; i < 5; i++) f = f * 1.5f + 0.25f;
	printf("float %f %g\n", f, (double)f);
	printf("strtod %g %g\n", strtod("3.5e10", 0), atof("-0.125"));
	printf("cmp %d %d %d\n", dv[1] < dv[2], dv[3] > dv[1], dv[0] == dv[8]);
	printf("%.3f%%\n", 99.9999);
	return 0;
}
