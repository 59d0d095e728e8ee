/* Busy-loops until killed. */
volatile unsigned long counter;

int main(void)
{
	for (;;)
		counter++;
}
