/* Signal payloads: SIGUSR1 has a handler, SIGUSR2 is ignored (SIG_IGN),
   SIGTERM keeps SIG_DFL. Prints what ran; exits 7 if SIGTERM was dropped. */
#include <signal.h>
#include <unistd.h>

void on_usr1(int sig) { (void)sig; write(1, "usr1\n", 5); }

int main(void)
{
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR1);
	raise(SIGUSR2);
	raise(SIGTERM);
	write(1, "end\n", 4);
	return 7;
}
