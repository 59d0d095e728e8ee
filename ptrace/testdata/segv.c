/* Dereferences NULL: SIGSEGV (11) with the default action. */
int main(void)
{
	volatile int *p = 0;
	return *p;
}
