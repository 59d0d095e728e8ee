/* Exercises malloc (brk and mmap paths), realloc, free, and raw mmap,
 * mprotect and munmap; prints checksums so runs can be compared. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	uint64_t sum = 0;
	char *blocks[200];
	for (int i = 0; i < 200; i++) {
		size_t n = 1 + (size_t)i * 37 % 5000;
		blocks[i] = malloc(n);
		memset(blocks[i], i & 0xff, n);
	}
	for (int i = 0; i < 200; i += 2) {
		free(blocks[i]);
		blocks[i] = NULL;
	}
	for (int i = 1; i < 200; i += 2) {
		size_t n = 1 + (size_t)i * 37 % 5000;
		blocks[i] = realloc(blocks[i], n * 3);
		for (size_t j = 0; j < n; j++)
			sum += (unsigned char)blocks[i][j];
		free(blocks[i]);
	}
	printf("small sum=%llu\n", (unsigned long long)sum);

	size_t big = 8 << 20;
	unsigned char *b = malloc(big);
	for (size_t i = 0; i < big; i += 4096)
		b[i] = (unsigned char)(i >> 12);
	sum = 0;
	for (size_t i = 0; i < big; i += 4096)
		sum += b[i];
	free(b);
	printf("big sum=%llu\n", (unsigned long long)sum);

	void *cur = sbrk(0);
	if (sbrk(65536) == (void *)-1)
		printf("sbrk failed\n");
	else
		printf("sbrk grew=%d\n", (char *)sbrk(0) - (char *)cur == 65536);

	unsigned char *m = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	printf("mmap zeroed=%d\n", m[0] == 0 && m[3 * 4096 - 1] == 0);
	m[4096] = 7;
	printf("mprotect=%d\n", mprotect(m, 4096, PROT_READ));
	printf("munmap middle=%d\n", munmap(m + 4096, 4096));
	unsigned char *again = mmap(m + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("fixed remap same=%d zero=%d\n", again == m + 4096, again[0] == 0);
	printf("munmap all=%d\n", munmap(m, 3 * 4096));
	printf("munmap unaligned=%d\n", munmap(m + 1, 4096));
	printf("mprotect unmapped=%d\n", mprotect(m, 4096, PROT_READ));
	return 0;
}
