/* Reads the file named by argv[1] in several ways and reports what it saw. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		perror("fstat");
		return 1;
	}
	printf("size=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));
	char buf[256];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n < 0) {
		perror("read");
		return 1;
	}
	buf[n] = 0;
	printf("read %zd: %s", n, buf);
	off_t off = lseek(fd, 6, SEEK_SET);
	n = read(fd, buf, 5);
	buf[n > 0 ? n : 0] = 0;
	printf("at %lld: %s\n", (long long)off, buf);
	close(fd);
	if (read(fd, buf, 1) < 0)
		printf("read after close fails\n");
	FILE *f = fopen(argv[1], "r");
	int lines = 0, c;
	while ((c = fgetc(f)) != EOF)
		lines += c == '\n';
	fclose(f);
	printf("lines=%d\n", lines);
	if (open("/nonexistent/file", O_RDONLY) < 0)
		perror("open missing");
	return 0;
}
