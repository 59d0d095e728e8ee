/* spin.c: loops forever, for the Ctrl-C (interrupt) test. */
volatile unsigned long spins;

int main(void)
{
	for (;;)
		spins++; /* MARK: spin */
}
