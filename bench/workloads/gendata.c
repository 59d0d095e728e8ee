/* gendata: writes SIZE bytes of deterministic, text-like data (words and
 * numbers picked by a seeded xorshift64 generator) to stdout, so that the
 * sha256sum and gzip workloads see the same, moderately compressible input
 * on every machine. Usage: gendata SIZE [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *words[] = {
	"the", "emulator", "runs", "static", "programs", "register", "memory",
	"page", "signal", "thread", "futex", "instruction", "decode", "cache",
	"flags", "carry", "overflow", "zero", "sign", "parity", "stack", "heap",
	"syscall", "debugger", "breakpoint", "step", "continue", "exit", "gdb",
	"remote", "packet", "checksum",
};

int main(int argc, char **argv) {
	if (argc < 2) {
		fprintf(stderr, "usage: gendata SIZE [SEED]\n");
		return 2;
	}
	unsigned long size = strtoul(argv[1], 0, 10);
	unsigned long x = argc > 2 ? strtoul(argv[2], 0, 10) : 42;
	if (x == 0) x = 42;
	char line[256];
	unsigned long done = 0;
	while (done < size) {
		int len = 0;
		int nwords = 4 + (int)(x % 9);
		for (int i = 0; i < nwords; i++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			if (x % 5 == 0)
				len += sprintf(line + len, "%lu ", (x >> 20) % 100000);
			else
				len += sprintf(line + len, "%s ", words[(x >> 8) % (sizeof words / sizeof *words)]);
		}
		line[len - 1] = '\n';
		unsigned long n = len;
		if (n > size - done) n = size - done;
		fwrite(line, 1, n, stdout);
		done += n;
	}
	return 0;
}
