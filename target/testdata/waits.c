/* waits: interval timers, alarm, poll/ppoll and rt_sigtimedwait; prints
 * facts (not times) to compare with a native run. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

int main(void)
{
	signal(SIGALRM, on_alarm);
	struct itimerval it = {{0, 5000}, {0, 5000}}, cur;
	printf("setitimer %d\n", setitimer(ITIMER_REAL, &it, NULL));
	getitimer(ITIMER_REAL, &cur);
	printf("getitimer interval %ld.%06ld armed %d\n", (long)cur.it_interval.tv_sec, (long)cur.it_interval.tv_usec,
	       cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 5000);
	while (alarms < 4)
		pause();
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, &cur);
	printf("four alarms; old interval %ld\n", (long)cur.it_interval.tv_usec);
	getitimer(ITIMER_REAL, &cur);
	printf("disarmed %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
	int r = setitimer(ITIMER_VIRTUAL + 7, &it, NULL);
	printf("bad which %d errno %d\n", r, errno);
	printf("alarm first %u\n", alarm(5));
	printf("alarm left %u\n", alarm(0));

	int p[2];
	pipe(p);
	struct pollfd pf[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {99, POLLIN, 0}};
	r = poll(pf, 1, 10);
	printf("poll timeout %d revents %#x\n", r, pf[0].revents);
	r = poll(pf, 3, 0);
	printf("poll %d: %#x %#x %#x\n", r, pf[0].revents, pf[1].revents, pf[2].revents);
	write(p[1], "x", 1);
	struct timespec ts = {1, 0};
	r = ppoll(pf, 1, &ts, NULL);
	printf("ppoll %d %#x\n", r, pf[0].revents);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	struct timespec zero = {0, 0}, short_ = {0, 10 * 1000 * 1000};
	siginfo_t si;
	r = sigtimedwait(&set, &si, &zero);
	printf("sigtimedwait empty %d errno %d\n", r, errno);
	r = sigtimedwait(&set, &si, &short_);
	printf("sigtimedwait timeout %d errno %d\n", r, errno);
	raise(SIGUSR2);
	kill(getpid(), SIGUSR1);
	r = sigwaitinfo(&set, &si);
	printf("sigwaitinfo %d code %d pid ok %d\n", r, si.si_code, si.si_pid == getpid());
	int sig;
	sigwait(&set, &sig);
	printf("sigwait %d\n", sig);
	return 0;
}
