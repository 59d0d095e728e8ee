/* libm: the math library in float, double, long double (x87) and complex. */
#include <math.h>
#include <stdio.h>
#include <complex.h>
int main(void){
 volatile long double x = 0.7L; volatile double y = 0.7; volatile float z = 0.7f;
 printf("%.18Lg %.18Lg %.18Lg %.18Lg %.18Lg %.18Lg\n", sinl(x), cosl(x), expl(x), logl(x), powl(x, 3.3L), atan2l(x, 2));
 printf("%.17g %.17g %.17g %.17g %.17g %.17g %.17g\n", sin(y), cos(y), exp(y), log(y), pow(y, 3.3), atan2(y, 2), tan(y));
 printf("%.9g %.9g %.9g %.9g\n", sinf(z), expf(z), logf(z), powf(z, 3.3f));
 printf("%.17g %.17g %.17g %.17g\n", cbrt(y*100), hypot(3,4), fma(y,y,y), erf(y));
 printf("%.18Lg %.18Lg %.18Lg\n", sqrtl(x), fmodl(x*10, 3), ldexpl(x, 20));
 double complex c = cexp(I*y); printf("%.17g %.17g\n", creal(c), cimag(c));
 return 0;}
