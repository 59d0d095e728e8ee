#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <ctype.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int icmp(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
	char buf[256];
	char *words[] = {"pear", "apple", "fig", "banana", "kiwi", "cherry", "date", "elderberry", "grape"};
	int n = sizeof(words) / sizeof(words[0]);
	qsort(words, n, sizeof(words[0]), cmp);
	for (int i = 0; i < n; i++) printf("%s%c", words[i], i == n - 1 ? '\n' : ' ');
	int nums[200];
	unsigned x = 12345;
	for (int i = 0; i < 200; i++) { x = x * 1103515245 + 12345; nums[i] = (int)(x >> 8) - (1 << 22); }
	qsort(nums, 200, sizeof(int), icmp);
	long sum = 0;
	for (int i = 0; i < 200; i++) sum = sum * 31 + nums[i];
	printf("sorted %d %d sum %ld\n", nums[0], nums[199], sum);
	strcpy(buf, "Hello, ");
	strcat(buf, argc > 1 ? argv[1] : "nobody");
	printf("%s len=%zu\n", buf, strlen(buf));
	printf("strchr %s\n", strchr(buf, ','));
	printf("strrchr %s\n", strrchr(buf, 'l'));
	printf("strstr %s\n", strstr(buf, "arg"));
	printf("memcmp %d %d\n", memcmp("abc", "abd", 3) < 0, strncmp("abcdef", "abcxyz", 3));
	char big[5000];
	memset(big, 'x', sizeof big);
	big[4999] = 0;
	memmove(big + 1, big, 3000);
	printf("big %zu\n", strlen(big));
	for (int i = 0; buf[i]; i++) buf[i] = toupper((unsigned char)buf[i]);
	puts(buf);
	char num[64];
	snprintf(num, sizeof num, "%08.3d|%-6s|%+d|%#x", 42, "ab", 7, 255);
	puts(num);
	printf("atoi %d strtol %ld strtoul %lu\n", atoi("-1234"), strtol("0x7fff", 0, 16), strtoul("777", 0, 8));
	char *dup = strdup("duplicate me");
	printf("%s %zu\n", dup, strspn(dup, "dupli"));
	free(dup);
	void *blocks[50];
	for (int i = 0; i < 50; i++) { blocks[i] = malloc(i * 100 + 1); memset(blocks[i], i, i * 100 + 1); }
	unsigned check = 0;
	for (int i = 0; i < 50; i++) { check += ((unsigned char *)blocks[i])[i * 50]; free(blocks[i]); }
	printf("malloc check %u\n", check);
	void *huge = malloc(1 << 20);
	memset(huge, 1, 1 << 20);
	printf("huge %d\n", ((char *)huge)[12345]);
	free(huge);
	return 0;
}
