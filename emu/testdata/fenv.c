// Floating point environment: MXCSR and x87 rounding modes, exception
// flags and long double libm (x87 transcendentals). Basic operations are
// printed exactly (%a); transcendental results with 15 digits, because
// hardware fyl2x/f2xm1/fpatan/fsin are not always correctly rounded.
#include <fenv.h>
#include <math.h>
#include <stdio.h>

static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};

int main(int argc, char **argv) {
	(void)argv;
	volatile double a = argc * 0.35, b = 3.0, tiny = 1e-308, big = 1e308, zero = 0;
	volatile float fa = (float)a, fb = 7.0f;
	volatile long double la = a, lb = 3.0L;
	for (int i = 0; i < 4; i++) {
		fesetround(modes[i]);
		printf("%d %a %a %a %a %a\n", i, a / b, a * 0.1, a - b * 1e-17, sqrt(a), tiny * a * 1e-5);
		printf("%d %a %a %a %a\n", i, fa / fb, fa * 0.1f, sqrtf(fa), (float)(a / b));
		printf("%d %La %La %La %ld %La\n", i, la / lb, la * 0.1L, sqrtl(la), lrintl(la * 2.5L), nearbyintl(-la * 3));
		printf("%d %ld %ld %a\n", i, lrint(a * 7.5), (long)(a * 7.5), (double)(la / 7));
	}
	fesetround(FE_TONEAREST);
	struct {
		const char *name;
		int flag;
	} fl[] = {{"inexact", FE_INEXACT}, {"divbyzero", FE_DIVBYZERO}, {"underflow", FE_UNDERFLOW},
		{"overflow", FE_OVERFLOW}, {"invalid", FE_INVALID}};
	volatile double r;
	volatile float rf;
	volatile long double rl;
	for (int t = 0; t < 10; t++) {
		feclearexcept(FE_ALL_EXCEPT);
		switch (t) {
		case 0: r = a / b; break;
		case 1: r = a / zero; break;
		case 2: r = tiny * tiny; break;
		case 3: r = big * big; break;
		case 4: r = sqrt(-a); break;
		case 5: rf = fa / 0.0f; break;
		case 6: rf = (float)big; break;
		case 7: rl = la / 0.0L; break;
		case 8: rl = la / lb; break;
		case 9: r = (double)(long long)(a * 1e19); break;
		}
		printf("case %d:", t);
		for (int k = 0; k < 5; k++)
			if (fetestexcept(fl[k].flag))
				printf(" %s", fl[k].name);
		printf("\n");
	}
	(void)r; (void)rf; (void)rl;
	printf("%.15Lg %.15Lg %.15Lg %.15Lg\n", expl(la), logl(la), log2l(la + 1), log10l(la * 100));
	printf("%.15Lg %.15Lg %.15Lg %.15Lg\n", powl(la, 2.5L), log1pl(la), expm1l(la), atan2l(la, -lb));
	printf("%.15Lg %.15Lg %.15Lg %.15Lg\n", sinl(la), cosl(la), tanl(la), atanl(la * 5));
	printf("%.15g %.15g %.15g %.15g\n", exp(a), log(a), pow(a, 3.3), atan2(a, -b));
	return 0;
}
