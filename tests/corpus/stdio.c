/* stdio: reading stdin (line, character and scanf input), buffering modes,
 * interleaved stdout/stderr, environment and arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char line[128];
	int lines = 0, total = 0;
	printf("argc %d argv[1] is a directory path %d\n", argc, argc > 1 && argv[1][0] == '/');
	printf("env marker %s\n", getenv("CORPUS_MARKER") ? getenv("CORPUS_MARKER") : "(unset)");
	if (!fgets(line, sizeof line, stdin))
		return 1;
	printf("first line: %s", line);
	int a, b;
	char word[32];
	double d;
	if (scanf("%d %d %31s %lf", &a, &b, word, &d) == 4)
		printf("scanf: %d %s %.3f\n", a * b, word, d * 2);
	int c;
	while ((c = getchar()) != EOF && c != '#')
		if (c >= 'a' && c <= 'z')
			total += c - 'a' + 1;
	ungetc('!', stdin);
	printf("letters sum %d, next char %c\n", total, getchar());
	while (fgets(line, sizeof line, stdin)) {
		lines++;
		line[strcspn(line, "\n")] = 0;
		fprintf(stderr, "err: %s\n", line);
	}
	printf("rest: %d lines, eof %d\n", lines, feof(stdin) != 0);
	printf("flushed ");
	fflush(stdout);
	write(1, "then raw write\n", 15);
	fprintf(stderr, "stderr last\n");
	return lines;
}
