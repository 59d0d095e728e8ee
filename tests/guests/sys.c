/* sys.c: exercises the system calls the emulated Linux implements and
 * prints only results that are the same natively and emulated (no pids,
 * times, addresses or kernel versions), so the outputs can be compared. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static unsigned checksum(const unsigned char *p, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++)
		sum = sum * 31 + p[i];
	return sum;
}

static void report(const char *what, long value)
{
	printf("%s: %ld\n", what, value); /* MARK: report */
}

int main(int argc, char **argv)
{
	/* arguments and environment */
	report("argc", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	const char *marker = getenv("REDOX_GDBSTUB_E2E");
	printf("env REDOX_GDBSTUB_E2E = %s\n", marker ? marker : "(unset)");

	/* open, fstat, read, lseek, close on the program itself */
	int fd = open(argv[0], O_RDONLY);
	report("open self ok", fd >= 0);
	struct stat st;
	report("fstat", fstat(fd, &st));
	unsigned char magic[4] = {0};
	report("read", read(fd, magic, 4));
	printf("magic: %02x %c%c%c\n", magic[0], magic[1], magic[2], magic[3]);
	report("lseek end == st_size", lseek(fd, 0, SEEK_END) == st.st_size);
	report("lseek set", lseek(fd, 1, SEEK_SET));
	report("read after seek", read(fd, magic, 3));
	printf("bytes 1..3: %c%c%c\n", magic[0], magic[1], magic[2]);
	report("close", close(fd));
	errno = 0;
	report("close again", close(fd));
	printf("errno: %s\n", strerror(errno));
	errno = 0;
	report("open missing", open("/nonexistent/redox-gdbstub", O_RDONLY));
	printf("errno: %s\n", strerror(errno));

	/* stdin is /dev/null for both servers */
	char c;
	report("read stdin", read(0, &c, 1));

	/* brk (small malloc) and mmap (large malloc), munmap (free) */
	unsigned char *small = malloc(100);
	memset(small, 0xab, 100);
	report("small checksum", checksum(small, 100));
	size_t big_n = 1 << 20;
	unsigned char *big = malloc(big_n);
	for (size_t i = 0; i < big_n; i++)
		big[i] = (unsigned char)(i * 7);
	report("big checksum", checksum(big, big_n));
	free(big);
	free(small);

	/* anonymous mmap, mprotect, munmap */
	unsigned char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	report("mmap ok", m != MAP_FAILED);
	report("mmap zeroed", checksum(m, 3 * 4096) == 0);
	m[4096] = 1;
	report("mprotect", mprotect(m, 4096, PROT_READ));
	report("munmap", munmap(m, 3 * 4096));

	/* uname: only the fields that are fixed for x86_64 Linux */
	struct utsname u;
	report("uname", uname(&u));
	printf("sysname=%s machine=%s\n", u.sysname, u.machine);

	/* clocks and randomness: only their success and sanity */
	struct timespec a, b;
	report("clock_gettime", clock_gettime(CLOCK_MONOTONIC, &a));
	clock_gettime(CLOCK_MONOTONIC, &b);
	report("monotonic", b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
	struct timespec r;
	report("realtime after 2020", clock_gettime(CLOCK_REALTIME, &r) == 0 && r.tv_sec > 1577836800);
	unsigned char rnd[16];
	report("getrandom", getrandom(rnd, sizeof rnd, 0));
	report("getpid positive", getpid() > 0);
	report("isatty(0)", isatty(0));

	fprintf(stderr, "to stderr\n");
	printf("done\n");
	return 0;
}
