/* memlimit: runs into the memory limit by mmap, brk, mprotect and stack
 * growth (run with Config.MaxMemory = 32 MiB), and keeps going. */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static int deep(int n)
{
	volatile char pad[4096];
	pad[0] = (char)n;
	return n == 0 ? 0 : deep(n - 1) + pad[0];
}

int main(int argc, char **argv)
{
	int chunks = 0;
	void *p;
	while ((p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) != MAP_FAILED)
		chunks++;
	printf("mmap stopped after %d MiB, ENOMEM %d\n", chunks, errno == ENOMEM);
	/* A reservation costs nothing; making it accessible does. */
	void *res = mmap(NULL, 256 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	printf("PROT_NONE reservation %d\n", res != MAP_FAILED);
	errno = 0;
	int r = mprotect(res, 256 << 20, PROT_READ | PROT_WRITE);
	printf("mprotect to rw %d ENOMEM %d\n", r, errno == ENOMEM);
	void *old = sbrk(0);
	errno = 0;
	r = sbrk(1 << 20) == (void *)-1;
	printf("sbrk fails %d ENOMEM %d\n", r, errno == ENOMEM);
	printf("brk unchanged %d\n", sbrk(0) == old);
	munmap(res, 256 << 20);
	printf("after freeing nothing: mmap still fails %d\n",
	       mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
	fflush(stdout);
	if (argc > 1)
		return deep(100000); /* 400 MiB of stack: SIGSEGV at the limit */
	return 0;
}
