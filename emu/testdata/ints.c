#include <stdio.h>
#include <stdint.h>
#include <limits.h>

static volatile int64_t vals[] = {0, 1, -1, 2, -2, 3, 7, -7, 100, -100, 12345, -12345,
	INT_MAX, INT_MIN, (int64_t)UINT_MAX, LLONG_MAX, LLONG_MIN, 0x123456789abcdefLL, -0x5555555555LL};
#define N (sizeof(vals) / sizeof(vals[0]))

int main(void) {
	uint64_t h = 1469598103934665603ULL;
	for (unsigned i = 0; i < N; i++) {
		for (unsigned j = 0; j < N; j++) {
			int64_t a = vals[i], b = vals[j];
			uint64_t ua = a, ub = b;
			int32_t a32 = (int32_t)a, b32 = (int32_t)b;
			uint32_t ua32 = a32, ub32 = b32;
			int16_t a16 = (int16_t)a, b16 = (int16_t)b;
			int8_t a8 = (int8_t)a, b8 = (int8_t)b;
			uint64_t r[40];
			int k = 0;
			r[k++] = ua + ub; r[k++] = ua - ub; r[k++] = ua * ub;
			r[k++] = ua32 * ub32; r[k++] = a32 * b32;
			r[k++] = ub ? ua / ub : 0; r[k++] = ub ? ua % ub : 0;
			r[k++] = (b && !(a == LLONG_MIN && b == -1)) ? a / b : 0;
			r[k++] = (b && !(a == LLONG_MIN && b == -1)) ? a % b : 0;
			r[k++] = ub32 ? ua32 / ub32 : 0; r[k++] = ub32 ? ua32 % ub32 : 0;
			r[k++] = (b32 && !(a32 == INT_MIN && b32 == -1)) ? a32 / b32 : 0;
			r[k++] = (b16) ? (int16_t)(a16 / b16) : 0;
			r[k++] = (b8 && !(a8 == -128 && b8 == -1)) ? (int8_t)(a8 % b8) : 0;
			r[k++] = ua << (ub & 63); r[k++] = ua >> (ub & 63); r[k++] = a >> (ub & 63);
			r[k++] = ua32 << (ub & 31); r[k++] = ua32 >> (ub & 31); r[k++] = a32 >> (ub & 31);
			r[k++] = (ua << (ub & 63)) | (ua >> ((64 - (ub & 63)) & 63));
			r[k++] = a < b; r[k++] = ua < ub; r[k++] = a32 <= b32; r[k++] = ua32 > ub32;
			r[k++] = a8 < b8; r[k++] = (uint8_t)a8 < (uint8_t)b8; r[k++] = a16 >= b16;
			r[k++] = (unsigned __int128)ua * ub >> 64;
			r[k++] = (uint64_t)((__int128)a * b >> 64);
			r[k++] = a ? __builtin_ctzll(a) : 99; r[k++] = a ? __builtin_clzll(a) : 99;
			r[k++] = __builtin_popcountll(a); r[k++] = __builtin_bswap64(a);
			r[k++] = __builtin_bswap32(a32); r[k++] = a < 0 ? -a : a;
			r[k++] = a > b ? a : b; r[k++] = ua32 < ub32 ? ua32 : ub32;
			uint64_t s; r[k++] = __builtin_add_overflow(a, b, (int64_t *)&s); r[k++] = s;
			for (int q = 0; q < k; q++) h = (h ^ r[q]) * 1099511628211ULL;
		}
		printf("%u %016llx\n", i, (unsigned long long)h);
	}
	printf("%d %ld %lld %x %o %llu\n", -42, 123456789L, -9876543210LL, 0xbeef, 0755, 18446744073709551615ULL);
	return 3;
}
