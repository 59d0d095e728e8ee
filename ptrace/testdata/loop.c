/* Spins forever without syscalls: only a signal can stop it. */
volatile unsigned long counter;

int main(void)
{
	for (;;)
		counter++;
}
