/* Faults caught by handlers: SIGSEGV with SA_SIGINFO (si_addr, si_code)
 * left with siglongjmp, a write to read-only memory (SEGV_ACCERR), an
 * integer division by zero (SIGFPE), and a SIGSEGV handler on an
 * alternate stack after the stack overflowed. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile void *fault_addr;
static volatile int fault_code, fault_signo;
static volatile int on_alt;
static char altstack[65536];

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	char local;
	fault_signo = si->si_signo;
	fault_code = si->si_code;
	fault_addr = si->si_addr;
	on_alt = &local >= altstack && &local < altstack + sizeof altstack;
	siglongjmp(env, sig);
}

static volatile int depth_sink;
static int recurse(int n)
{
	volatile char buf[1024];
	buf[0] = (char)n;
	return recurse(n + 1) + buf[0];
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, 0);
	sigaction(SIGFPE, &sa, 0);

	int r = sigsetjmp(env, 1);
	if (r == 0) {
		*(volatile int *)0x1234 = 1;
		puts("not reached");
	}
	printf("caught %d: signo %d code %d addr %p\n", r, fault_signo, fault_code, (void *)fault_addr);

	char *ro = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r = sigsetjmp(env, 1);
	if (r == 0) {
		ro[8] = 1;
		puts("not reached");
	}
	printf("caught %d: signo %d code %d offset %ld\n", r, fault_signo, fault_code, (long)((char *)fault_addr - ro));

	volatile int zero = 0;
	r = sigsetjmp(env, 1);
	if (r == 0) {
		depth_sink = 10 / zero;
		puts("not reached");
	}
	printf("caught %d: signo %d code %d\n", r, fault_signo, fault_code);

	/* The mask was restored by siglongjmp: SIGSEGV is deliverable again. */
	sigset_t cur;
	sigprocmask(SIG_BLOCK, 0, &cur);
	printf("SIGSEGV blocked after siglongjmp: %d\n", sigismember(&cur, SIGSEGV));

	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
	sigaltstack(&ss, 0);
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGSEGV, &sa, 0);
	r = sigsetjmp(env, 1);
	if (r == 0) {
		depth_sink = recurse(0);
		puts("not reached");
	}
	printf("stack overflow caught %d: signo %d on alternate stack %d\n", r, fault_signo, on_alt);

	/* Without a handler the default action ends the process. */
	signal(SIGSEGV, SIG_DFL);
	fflush(stdout);
	*(volatile int *)8 = 0;
	return 0;
}
