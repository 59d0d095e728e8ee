#include <stdio.h>
int main(int argc, char **argv) {
	printf("hello, world %d\n", argc);
	return 0;
}
