#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <stdarg.h>

#define N 203
static int8_t a8[N], b8[N];
static uint8_t u8[N], v8[N];
static int16_t a16[N], b16[N];
static int32_t a32[N], b32[N];
static int64_t a64[N], b64[N];
static float f32[N];
static double f64[N];

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ULL; }

struct big { int x[37]; char name[21]; double d; };
static struct big copyme(struct big b) { b.x[3] += 1; return b; }

static int vsum(int n, ...) {
	va_list ap;
	va_start(ap, n);
	int s = 0;
	for (int i = 0; i < n; i++) s += va_arg(ap, int);
	va_end(ap);
	return s;
}

static const char *day(int d) {
	switch (d) {
	case 0: return "sun"; case 1: return "mon"; case 2: return "tue"; case 3: return "wed";
	case 4: return "thu"; case 5: return "fri"; case 6: return "sat"; default: return "?";
	}
}

static jmp_buf jb;
static void jumper(int v) { if (v > 2) longjmp(jb, v); jumper(v + 1); }

int main(void) {
	uint32_t s = 12345;
	for (int i = 0; i < N; i++) {
		s = s * 1664525 + 1013904223;
		a8[i] = s >> 24; b8[i] = s >> 16; u8[i] = s >> 8; v8[i] = s;
		a16[i] = s >> 3; b16[i] = s >> 13; a32[i] = s; b32[i] = s ^ 0x5555;
		a64[i] = (int64_t)s << 20 | i; b64[i] = -(int64_t)s;
		f32[i] = (float)(int32_t)s / 1000.0f; f64[i] = (double)(int32_t)s / 7.0;
	}
	uint64_t h = 0;
	int32_t sum32 = 0; int64_t sum64 = 0; int sum8 = 0; unsigned umax = 0; int smin = 0;
	for (int i = 0; i < N; i++) sum8 += a8[i] * b8[i];
	for (int i = 0; i < N; i++) sum32 += a32[i] ^ b32[i];
	for (int i = 0; i < N; i++) sum64 += a64[i] + b64[i] * 3;
	for (int i = 0; i < N; i++) umax = u8[i] > umax ? u8[i] : umax;
	for (int i = 0; i < N; i++) smin = a16[i] < smin ? a16[i] : smin;
	for (int i = 0; i < N; i++) u8[i] = (uint8_t)(u8[i] + v8[i]) > 200 ? u8[i] : v8[i];
	for (int i = 0; i < N; i++) a16[i] = (int16_t)(a16[i] * b16[i] + (a16[i] >> 2));
	for (int i = 0; i < N; i++) a32[i] = a32[i] < b32[i] ? a32[i] * 3 : b32[i] - 7;
	for (int i = 0; i < N; i++) a8[i] = a8[i] == b8[i] ? 1 : a8[i] > b8[i] ? a8[i] - b8[i] : (int8_t)(b8[i] << 1);
	for (int i = 0; i < N; i++) a64[i] = a64[i] > b64[i] ? a64[i] >> 3 : (int64_t)((uint64_t)b64[i] >> 5);
	for (int i = 0; i < N; i++) b32[i] = (int32_t)((uint32_t)b32[i] >> 7) | (a32[i] << 3);
	float fs = 0; double ds = 0;
	for (int i = 0; i < N; i++) { f32[i] = f32[i] * 1.5f + 0.25f; fs += f32[i]; }
	for (int i = 0; i < N; i++) { f64[i] = f64[i] * f64[i] - 3.0; ds += f64[i]; }
	for (int i = 0; i < N; i++) h = mix(h, (uint64_t)a8[i] | (uint64_t)u8[i] << 8 | (uint64_t)(uint16_t)a16[i] << 16 | (uint64_t)(uint32_t)a32[i] << 32);
	for (int i = 0; i < N; i++) h = mix(h, (uint64_t)a64[i] ^ (uint64_t)b32[i]);
	printf("sums %d %d %lld %u %d\n", sum8, sum32, (long long)sum64, umax, smin);
	printf("hash %016llx\n", (unsigned long long)h);
	printf("floats %.6g %.12g\n", fs, ds);
	struct big b = {{0}, "structure copy", 2.5};
	for (int i = 0; i < 37; i++) b.x[i] = i * i;
	struct big c = copyme(b);
	printf("struct %d %d %s %g\n", c.x[3], c.x[36], c.name, c.d);
	printf("varargs %d\n", vsum(5, 1, 2, 3, 4, 5));
	for (int i = 0; i < 8; i++) printf("%s%c", day(i), i == 7 ? '\n' : ' ');
	int r = setjmp(jb);
	if (r == 0) jumper(0);
	printf("longjmp %d\n", r);
	char buf[300];
	memset(buf, 0, sizeof buf);
	for (int i = 0; i < 299; i++) buf[i] = 'a' + i % 26;
	printf("memchr %ld strlen %zu\n", (long)((char *)memchr(buf, 'z', 299) - buf), strlen(buf + 3));
	unsigned __int128 x = (unsigned __int128)0x123456789abcdefULL * 0xfedcba987654321ULL;
	printf("u128 %016llx%016llx %llu\n", (unsigned long long)(x >> 64), (unsigned long long)x, (unsigned long long)(x % 1000000007));
	return 0;
}
