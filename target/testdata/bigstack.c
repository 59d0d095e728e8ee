/* Uses a few MiB of stack: a syscall writing into untouched stack first,
 * then deep recursion. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static unsigned long depth(unsigned long n)
{
	volatile char pad[256];
	pad[0] = (char)n;
	if (n == 0)
		return pad[0];
	return depth(n - 1) + pad[0] % 2;
}

int main(void)
{
	char big[2 << 20];
	int fd = open("/proc/self/exe", O_RDONLY);
	ssize_t n = read(fd, big, 16);
	printf("read %zd magic %.3s\n", n, big + 1);
	memset(big, 1, sizeof big);
	unsigned long s = 0;
	for (size_t i = 0; i < sizeof big; i += 4096)
		s += big[i];
	printf("sum %lu depth %lu\n", s, depth(10000));
	return 0;
}
