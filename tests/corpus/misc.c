/* misc: timers (setitimer, alarm), poll, pthread barriers, rwlocks,
 * semaphores, signals to threads and sigwait, atexit order, mkstemp,
 * file mmap, dup2 redirection; run in the directory given as argv[1]. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

static pthread_barrier_t barrier;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static sem_t sem;
static int shared[4];

static void *worker(void *arg)
{
	int id = (int)(long)arg;
	pthread_rwlock_wrlock(&rw);
	shared[id] = id * id;
	pthread_rwlock_unlock(&rw);
	pthread_barrier_wait(&barrier);
	pthread_rwlock_rdlock(&rw);
	int sum = shared[0] + shared[1] + shared[2] + shared[3];
	pthread_rwlock_unlock(&rw);
	sem_post(&sem);
	return (void *)(long)sum;
}

static void *waiter(void *arg)
{
	sigset_t *set = arg;
	int sig = 0;
	sigwait(set, &sig);
	return (void *)(long)sig;
}

static void bye1(void) { printf("atexit 1 (last)\n"); }
static void bye2(void) { printf("atexit 2 (first)\n"); }

int main(int argc, char **argv)
{
	if (argc < 2 || chdir(argv[1]))
		return 2;
	atexit(bye1);
	atexit(bye2);

	signal(SIGALRM, on_alarm);
	struct itimerval it = {{0, 10000}, {0, 10000}};
	setitimer(ITIMER_REAL, &it, NULL);
	while (alarms < 3)
		pause();
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	printf("interval timer fired %d times\n", alarms >= 3);
	alarm(1);
	printf("alarm pending %d\n", alarm(0) >= 0);

	int p[2];
	pipe(p);
	struct pollfd pf = {p[0], POLLIN, 0};
	int n = poll(&pf, 1, 20);
	printf("poll empty %d\n", n);
	write(p[1], "x", 1);
	n = poll(&pf, 1, 1000);
	printf("poll ready %d revents %#x\n", n, pf.revents);
	close(p[1]);
	char c;
	read(p[0], &c, 1);
	pf.revents = 0;
	n = poll(&pf, 1, 1000);
	printf("poll hangup %d revents has POLLHUP %d\n", n, (pf.revents & POLLHUP) != 0);

	pthread_barrier_init(&barrier, NULL, 4);
	sem_init(&sem, 0, 0);
	pthread_t th[4];
	for (long i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (int i = 0; i < 4; i++)
		sem_wait(&sem);
	long total = 0;
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(th[i], &r);
		total += (long)r;
	}
	printf("barrier sums %ld\n", total);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_t w;
	pthread_create(&w, NULL, waiter, &set);
	pthread_kill(w, SIGUSR1);
	void *got;
	pthread_join(w, &got);
	printf("sigwait got %ld\n", (long)got);

	char tmpl[] = "tmpXXXXXX";
	int fd = mkstemp(tmpl);
	printf("mkstemp %d name len %zu\n", fd >= 0, strlen(tmpl));
	write(fd, "mapped file contents\n", 21);
	char *m = mmap(NULL, 21, PROT_READ, MAP_PRIVATE, fd, 0);
	printf("mmap file: %.6s\n", m);
	munmap(m, 21);
	char real[PATH_MAX];
	printf("realpath ends with name %d\n", realpath(tmpl, real) && strcmp(strrchr(real, '/') + 1, tmpl) == 0);
	unlink(tmpl);
	close(fd);

	fflush(stdout);
	int saved = dup(1);
	int out = open("redirected", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	dup2(out, 1);
	printf("into the file\n");
	fflush(stdout);
	dup2(saved, 1);
	close(out);
	struct stat st;
	stat("redirected", &st);
	printf("redirected %ld bytes\n", (long)st.st_size);
	return 0;
}
