/* Sends itself SIGINT while blocking it; the signal arrives on unblock. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigprocmask(SIG_BLOCK, &s, 0);
	kill(getpid(), SIGINT);
	puts("still here while blocked");
	fflush(stdout);
	sigprocmask(SIG_UNBLOCK, &s, 0);
	puts("not reached");
	return 0;
}
