/* fsops: the file-system-changing syscalls, chdir/fchdir, sendfile,
 * sysinfo and mremap, run in the directory given as argv[1]. Prints
 * results and errnos only (no paths), to compare with a native run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#define TRY(what, call)                                                     \
	do {                                                                \
		errno = 0;                                                  \
		long r_ = (long)(call);                                     \
		printf("%-28s %ld errno %d\n", what, r_, r_ < 0 ? errno : 0); \
	} while (0)

int main(int argc, char **argv)
{
	struct stat st;
	char buf[256];
	if (argc < 2)
		return 2;
	TRY("chdir", chdir(argv[1]));
	TRY("chdir missing", chdir("nope"));
	TRY("mkdir", mkdir("d", 0750));
	TRY("mkdir again", mkdir("d", 0750));
	TRY("mkdirat", mkdirat(AT_FDCWD, "d/e", 0700));
	stat("d", &st);
	printf("mode %o dir %d\n", st.st_mode & 0777, S_ISDIR(st.st_mode));
	int fd = open("d/f", O_CREAT | O_WRONLY, 0644);
	TRY("write", write(fd, "0123456789abcdef", 16));
	TRY("ftruncate", ftruncate(fd, 10));
	TRY("fchmod", fchmod(fd, 0600));
	close(fd);
	stat("d/f", &st);
	printf("size %ld mode %o\n", (long)st.st_size, st.st_mode & 0777);
	TRY("truncate", truncate("d/f", 4));
	TRY("chmod", chmod("d/f", 0640));
	TRY("link", link("d/f", "d/g"));
	TRY("symlink", symlink("f", "d/s"));
	TRY("rename", rename("d/g", "d/h"));
	TRY("renameat", renameat(AT_FDCWD, "d/h", AT_FDCWD, "d/e/h"));
	stat("d/f", &st);
	printf("size %ld mode %o nlink %ld\n", (long)st.st_size, st.st_mode & 0777, (long)st.st_nlink);
	TRY("readlink", readlink("d/s", buf, sizeof buf));
	TRY("rmdir non-empty", rmdir("d"));
	TRY("unlink dir", unlink("d"));
	TRY("chdir d", chdir("d"));
	TRY("getcwd tail", getcwd(buf, sizeof buf) ? (long)strcmp(strrchr(buf, '/'), "/d") : -1L);
	TRY("open relative", open("s", O_RDONLY));
	int dfd = open("e", O_RDONLY | O_DIRECTORY);
	TRY("fchdir", fchdir(dfd));
	TRY("access h", access("h", F_OK));
	TRY("unlink h", unlink("h"));
	TRY("chdir ..", chdir(".."));
	TRY("unlinkat dir", unlinkat(AT_FDCWD, "e", AT_REMOVEDIR));
	TRY("umask", umask(077));
	close(open("private", O_CREAT | O_WRONLY, 0666));
	mkdir("privdir", 0777);
	stat("private", &st);
	printf("umask applied %o", st.st_mode & 0777);
	stat("privdir", &st);
	printf(" %o\n", st.st_mode & 0777);
	TRY("umask again", umask(022));
	struct timespec times[2] = {{1000000000, 5}, {981173106, 123456789}};
	TRY("utimensat", utimensat(AT_FDCWD, "private", times, 0));
	stat("private", &st);
	printf("mtime %ld.%09ld\n", (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	times[1].tv_nsec = UTIME_OMIT;
	times[0].tv_nsec = UTIME_NOW;
	TRY("utimensat omit", utimensat(AT_FDCWD, "private", times, 0));
	stat("private", &st);
	printf("mtime kept %d\n", st.st_mtim.tv_sec == 981173106);
	TRY("utimensat bad", utimensat(AT_FDCWD, "private", (struct timespec[2]){{0, -5}, {0, 0}}, 0));

	int in = open("f", O_RDONLY);
	int out = open("copy", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	off_t off = 1;
	TRY("sendfile offset", sendfile(out, in, &off, 100));
	printf("offset now %ld\n", (long)off);
	TRY("sendfile", sendfile(out, in, NULL, 2));
	TRY("sendfile at eof", sendfile(out, in, NULL, 2));
	int p[2];
	pipe(p);
	TRY("sendfile from pipe", sendfile(out, p[0], NULL, 2));
	close(out);
	stat("copy", &st);
	printf("copy size %ld\n", (long)st.st_size);

	struct sysinfo si;
	TRY("sysinfo", sysinfo(&si));
	printf("sysinfo sane %d\n", si.totalram > 0 && si.mem_unit > 0 && si.freeram <= si.totalram);

	char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(m, "kept");
	strcpy(m + 8192, "also");
	char *g = mremap(m, 3 * 4096, 64 * 4096, MREMAP_MAYMOVE);
	printf("mremap grow %d %s %s\n", g != MAP_FAILED, g, g + 8192);
	g[64 * 4096 - 1] = 1;
	char *s = mremap(g, 64 * 4096, 4096, 0);
	printf("mremap shrink %d %s\n", s == g, s);
	TRY("mremap bad", (long)mremap(g + 1, 4096, 8192, 0));
	return 0;
}
