/* Installs a SIGINT handler and spins. */
#include <signal.h>

volatile unsigned long counter;

void on_int(int sig)
{
	counter += sig;
}

int main(void)
{
	signal(SIGINT, on_int);
	for (;;)
		counter++;
}
