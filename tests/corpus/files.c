/* files: file I/O in the directory given as argv[1]. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
	if (argc < 2 || chdir(argv[1]) != 0) {
		fprintf(stderr, "usage: files DIR\n");
		return 2;
	}
	FILE *f = fopen("data.txt", "w+");
	for (int i = 0; i < 1000; i++)
		fprintf(f, "line %04d %s\n", i, i % 3 ? "fizz" : "buzz");
	fseek(f, 0, SEEK_SET);
	char line[64];
	int lines = 0, buzz = 0;
	while (fgets(line, sizeof line, f)) {
		lines++;
		buzz += strstr(line, "buzz") != NULL;
	}
	printf("lines %d buzz %d ftell %ld\n", lines, buzz, ftell(f));
	fseek(f, -15, SEEK_END);
	printf("tail %s", fgets(line, sizeof line, f));
	fclose(f);

	int fd = open("raw.bin", O_CREAT | O_RDWR | O_TRUNC, 0640);
	unsigned char block[4096];
	for (int i = 0; i < 4096; i++)
		block[i] = (unsigned char)(i * 7);
	for (int i = 0; i < 16; i++)
		write(fd, block, sizeof block);
	printf("lseek %ld\n", (long)lseek(fd, 1000, SEEK_SET));
	unsigned char b[8];
	ssize_t got = pread(fd, b, 8, 4096 * 3 + 5);
	printf("pread %zd %d %d\n", got, b[0], b[7]);
	ftruncate(fd, 10000);
	struct stat st;
	fstat(fd, &st);
	printf("size %ld mode %o regular %d\n", (long)st.st_size, (unsigned)st.st_mode & 0777, S_ISREG(st.st_mode));
	close(fd);

	mkdir("sub", 0755);
	mkdir("sub/deeper", 0700);
	symlink("../data.txt", "sub/link");
	rename("raw.bin", "sub/moved.bin");
	char target[64];
	ssize_t n = readlink("sub/link", target, sizeof target);
	printf("readlink %.*s\n", (int)n, target);
	int moved = stat("sub/moved.bin", &st) == 0, gone = access("raw.bin", F_OK);
	printf("stat moved %d, raw gone %d (errno %d)\n", moved, gone, errno);
	printf("lstat link %d\n", lstat("sub/link", &st) == 0 && S_ISLNK(st.st_mode));

	DIR *d = opendir("sub");
	char *names[16];
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d)) && count < 16)
		names[count++] = strdup(e->d_name);
	closedir(d);
	qsort(names, count, sizeof names[0], cmp);
	for (int i = 0; i < count; i++)
		printf("entry %s\n", names[i]);

	int rc = rmdir("sub");
	printf("rmdir non-empty %d errno %d\n", rc, errno);
	rc = open("nope/none", O_RDONLY);
	printf("open missing %d errno %d\n", rc, errno);
	unlink("sub/link");
	unlink("sub/moved.bin");
	rmdir("sub/deeper");
	printf("rmdir %d\n", rmdir("sub"));
	char cwd[4096];
	printf("cwd ends with dir %d\n", getcwd(cwd, sizeof cwd) && strcmp(strrchr(cwd, '/'), strrchr(argv[1], '/')) == 0);
	FILE *a = fopen("data.txt", "a");
	fputs("appended\n", a);
	fclose(a);
	stat("data.txt", &st);
	printf("after append %ld\n", (long)st.st_size);
	fprintf(stderr, "files: exit 7\n");
	return 7;
}
