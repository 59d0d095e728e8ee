/* strings: the string and memory functions and formatted output of libc. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
	char buf[256], *words[16], *save, *tok;
	int n = 0;
	strcpy(buf, "the quick brown fox jumps over the lazy dog, again and again");
	printf("len %zu strchr %s strrchr %s\n", strlen(buf), strchr(buf, 'q'), strrchr(buf, ','));
	printf("strstr %s\n", strstr(buf, "lazy"));
	printf("spn %zu cspn %zu\n", strspn(buf, "the "), strcspn(buf, ","));
	for (tok = strtok_r(buf, " ,", &save); tok && n < 16; tok = strtok_r(NULL, " ,", &save))
		words[n++] = tok;
	qsort(words, n, sizeof words[0], cmp);
	for (int i = 0; i < n; i++)
		printf("%s%c", words[i], i + 1 < n ? ' ' : '\n');

	/* Overlapping moves of every alignment and length (the vectorised paths). */
	char big[600];
	unsigned long sum = 0;
	for (int len = 0; len < 200; len += 7)
		for (int off = 0; off < 17; off++) {
			for (int i = 0; i < (int)sizeof big; i++)
				big[i] = (char)(i * 31 + len);
			memmove(big + off, big + 3, len);
			memmove(big + 40, big + 40 + off, len);
			memset(big + 300 + off, len & 0xff, len);
			for (int i = 0; i < (int)sizeof big; i++)
				sum = sum * 131 + (unsigned char)big[i];
		}
	printf("memmove checksum %lu\n", sum);
	printf("memcmp %d %d %d\n", memcmp("abcd", "abce", 4) < 0, memcmp("abc", "abc", 3), memcmp("b", "a", 1) > 0);
	printf("strncmp %d strcasecmp %d\n", strncmp("hello", "help", 3), strcasecmp("HeLLo", "hello"));
	char *d = strdup("Mixed Case 123");
	for (char *p = d; *p; p++)
		*p = isupper((unsigned char)*p) ? tolower((unsigned char)*p) : toupper((unsigned char)*p);
	printf("swapped %s\n", d);
	free(d);
	printf("strtol %ld %ld %ld %lu\n", strtol("-12345", NULL, 10), strtol("0x7fff", NULL, 16), strtol("0777", NULL, 0),
	       strtoul("18446744073709551615", NULL, 10));
	printf("atoi %d snprintf %d\n", atoi("  42abc"), snprintf(buf, 8, "%s", "truncated output"));
	printf("buf '%s' %5.2s|%-6d|%+d|%06x|%#o|%c\n", buf, "xyz", 42, 7, 0xbeef, 8, 'Z');
	/* The long string functions over a page boundary of a large buffer. */
	char *page = malloc(1 << 16);
	memset(page, 'a', (1 << 16) - 1);
	page[(1 << 16) - 1] = 0;
	page[40000] = 'b';
	printf("long strlen %zu strchr %td rawmemchr %td\n", strlen(page), strchr(page, 'b') - page, (char *)memchr(page, 'b', 1 << 16) - page);
	free(page);
	fprintf(stderr, "strings done\n");
	return 0;
}
