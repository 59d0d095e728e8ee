/* clocks: time that passes (sleeps) and time that is consistent (clocks
 * are monotonic, conversions agree); printed as facts, not values. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	double m0 = now(CLOCK_MONOTONIC), r0 = now(CLOCK_REALTIME);
	struct timespec req = {0, 30 * 1000 * 1000};
	printf("nanosleep %d\n", nanosleep(&req, NULL));
	usleep(20000);
	double m1 = now(CLOCK_MONOTONIC), r1 = now(CLOCK_REALTIME);
	printf("monotonic advanced >= 50ms %d, < 5s %d\n", m1 - m0 >= 0.05, m1 - m0 < 5);
	printf("realtime advanced %d\n", r1 > r0);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	printf("gettimeofday agrees %d\n", tv.tv_sec - (time_t)r1 <= 1 && tv.tv_sec >= (time_t)r0);
	printf("time() agrees %d\n", time(NULL) - (time_t)r1 <= 1);
	printf("process cpu clock works %d\n", now(CLOCK_PROCESS_CPUTIME_ID) >= 0);
	struct timespec res;
	printf("clock_getres %d\n", clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0);
	time_t fixed = 1234567890;
	struct tm tm;
	gmtime_r(&fixed, &tm);
	char buf[64];
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %A %j", &tm);
	printf("gmtime %s\n", buf);
	printf("mktime round trip %d\n", timegm(&tm) == fixed);
	double s = now(CLOCK_MONOTONIC);
	volatile unsigned long spin = 0;
	while (now(CLOCK_MONOTONIC) - s < 0.01)
		spin++;
	printf("busy wait ended %d\n", spin > 0);
	return 0;
}
