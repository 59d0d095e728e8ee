/* Reads lines from stdin, upper-cases them, and sums the numbers in them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	char line[128];
	long total = 0;
	int lines = 0;
	while (fgets(line, sizeof line, stdin)) {
		lines++;
		total += strtol(line, NULL, 10);
		for (char *c = line; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		fputs(line, stdout);
	}
	printf("%d lines, total %ld\n", lines, total);
	return 0;
}
