/* pthreads.c: pthread guests for the thread scenarios (tests/e2e_threads_test.go
 * and tests/threads_stress_test.go), one per argv[1]. Each is synchronised so
 * that at every breakpoint the set of threads, their names and the frames of
 * the guest's own functions are the same in every run, natively or emulated:
 *   names   three named workers park in a futex wait; main calls
 *           all_parked() once all three wait
 *   relay   three named workers call shared() in a fixed order (a token
 *           passed under a mutex), each while the others wait; all stay
 *           until the last one is done
 *   sched   "spinner" counts in a loop; "stepper" calls bump() three times
 *           (sleeping in it and after it), then waits until the spinner has
 *           counted 1000 more, then calls synced(): a debugger that resumes
 *           only the stepper sees the spinner's count unchanged
 *   stress  50 threads each call shared_fn() 100 times, all at once and
 *           interleaved
 *   sigthread  a named worker signals itself, then calls worker_ready()
 * Threads are named with prctl(PR_SET_NAME), which both libcs have. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

enum { WORKERS = 3, STRESS_THREADS = 50, STRESS_CALLS = 100 };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t release_cv = PTHREAD_COND_INITIALIZER;
static int turn;
static int visits[WORKERS + 1];

static void name_self(const char *prefix, long i)
{
	char name[16];
	snprintf(name, sizeof name, "%s-%ld", prefix, i);
	prctl(PR_SET_NAME, name, 0, 0, 0);
}

/* names: a worker parks in a futex wait made by the guest's own code (not
 * libc's, which musl cannot unwind through), so that 'bt' in a parked
 * thread shows the guest's frames. */
static volatile int parked_count, release_word;

static void futex_wait(volatile int *addr, int val)
{
	register long r10 __asm__("r10") = 0; /* no timeout */
	long ret = 202;                       /* SYS_futex */
	__asm__ volatile("syscall" /* MARK: futex-wait */
			 : "+a"(ret)
			 : "D"(addr), "S"(128 /* FUTEX_WAIT_PRIVATE */), "d"(val), "r"(r10)
			 : "rcx", "r11", "memory");
}

static void futex_wake_all(volatile int *addr)
{
	register long r10 __asm__("r10") = 0;
	long ret = 202;
	__asm__ volatile("syscall"
			 : "+a"(ret)
			 : "D"(addr), "S"(129 /* FUTEX_WAKE_PRIVATE */), "d"(0x7fffffff), "r"(r10)
			 : "rcx", "r11", "memory");
}

static void *parker(void *arg)
{
	long i = (long)arg;
	name_self("worker", i);
	__atomic_add_fetch(&parked_count, 1, __ATOMIC_SEQ_CST);
	while (!release_word)
		futex_wait(&release_word, 0); /* MARK: park */
	return NULL;
}

void all_parked(void)
{
	printf("all %d workers parked\n", WORKERS); /* MARK: all-parked */
	fflush(stdout);
}

static int run_names(void)
{
	pthread_t t[WORKERS];
	struct timespec ms = {.tv_nsec = 1000 * 1000};
	for (long i = 0; i < WORKERS; i++)
		pthread_create(&t[i], NULL, parker, (void *)(i + 1));
	while (__atomic_load_n(&parked_count, __ATOMIC_SEQ_CST) < WORKERS)
		nanosleep(&ms, NULL);
	/* Each worker is a few instructions from its futex wait: give them
	 * time to enter it, so that every thread's pc is the same in every
	 * run. */
	nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
	all_parked(); /* MARK: call-all-parked */
	release_word = 1;
	futex_wake_all(&release_word);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	printf("names: joined %d workers\n", WORKERS);
	return 0;
}

/* relay: shared() runs in worker 1, then 2, then 3. */
void shared(int i)
{
	visits[i]++; /* MARK: shared */
}

static void *runner(void *arg)
{
	long i = (long)arg;
	name_self("relay", i);
	pthread_mutex_lock(&mu);
	while (turn != i)
		pthread_cond_wait(&release_cv, &mu);
	shared((int)i); /* MARK: call-shared */
	turn++;
	pthread_cond_broadcast(&release_cv);
	/* Stay until the last worker is done, so that the thread list is
	 * the same at every stop. */
	while (turn <= WORKERS)
		pthread_cond_wait(&release_cv, &mu);
	pthread_mutex_unlock(&mu);
	return NULL;
}

static int run_relay(void)
{
	pthread_t t[WORKERS];
	for (long i = 0; i < WORKERS; i++)
		pthread_create(&t[i], NULL, runner, (void *)(i + 1));
	pthread_mutex_lock(&mu);
	turn = 1;
	pthread_cond_broadcast(&release_cv);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	printf("relay: visits %d %d %d\n", visits[1], visits[2], visits[3]);
	return 0;
}

/* sched: spins is the spinner's counter, steps the stepper's. */
static volatile long spins;
static volatile int stop_spinning;
static int steps;

static void *spinner(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "spinner", 0, 0, 0);
	while (!stop_spinning)
		spins++;
	return NULL;
}

/* nap sleeps 1 ms: while the stepper sleeps, any other thread that is
 * allowed to run does (the emulator's scheduler too), so the spinner's
 * count shows whether the debugger resumed it. */
static void nap(void)
{
	nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
}

void bump(int n)
{
	steps += n; /* MARK: bump */
	nap();
}

void synced(long seen)
{
	printf("stepper: steps %d, spinner moved %d\n", steps, spins > seen); /* MARK: synced */
}

static void *stepper(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "stepper", 0, 0, 0);
	while (spins == 0)
		; /* the spinner is running */
	for (int k = 1; k <= 3; k++) {
		bump(k); /* MARK: call-bump */
		nap();   /* MARK: loop-nap */
	}
	long seen = spins;
	while (spins < seen + 1000)
		; /* MARK: wait-spinner */
	synced(seen);
	stop_spinning = 1;
	return NULL;
}

static int run_sched(void)
{
	pthread_t a, b;
	pthread_create(&a, NULL, spinner, NULL);
	pthread_create(&b, NULL, stepper, NULL);
	pthread_join(b, NULL);
	pthread_join(a, NULL);
	printf("sched: steps %d\n", steps);
	return 0;
}

/* stress: every thread calls shared_fn STRESS_CALLS times; the calls
 * counted under the mutex must add up. */
static long stress_total;

void shared_fn(int thread, int call)
{
	(void)thread; /* read by the debugger at each hit */
	(void)call;
	pthread_mutex_lock(&mu);
	stress_total++;
	pthread_mutex_unlock(&mu);
}

/* All threads start calling at once (the barrier), and each yields after
 * every call, so that the calls of different threads interleave: the
 * emulator's round-robin quantum would otherwise let one thread make all
 * its calls before the next one runs. */
static pthread_barrier_t start_line;

static void *hammer(void *arg)
{
	int i = (int)(long)arg;
	pthread_barrier_wait(&start_line);
	for (int c = 0; c < STRESS_CALLS; c++) {
		shared_fn(i, c);
		sched_yield();
	}
	return NULL;
}

static int run_stress(void)
{
	pthread_t t[STRESS_THREADS];
	pthread_barrier_init(&start_line, NULL, STRESS_THREADS);
	for (long i = 0; i < STRESS_THREADS; i++)
		pthread_create(&t[i], NULL, hammer, (void *)i);
	for (int i = 0; i < STRESS_THREADS; i++)
		pthread_join(t[i], NULL);
	printf("stress: %ld calls\n", stress_total);
	return stress_total == STRESS_THREADS * STRESS_CALLS ? 0 : 1;
}

/* sigthread: a worker signals itself (pthread_kill), and the debugger
 * sends it one more signal; the handler counts the signals that ran in the
 * worker (by its name). */
static volatile int worker_signals, other_signals;

static void on_thread_usr1(int sig)
{
	char name[16] = "";
	prctl(PR_GET_NAME, name, 0, 0, 0);
	if (sig == SIGUSR1 && strcmp(name, "sig-worker") == 0)
		worker_signals++; /* MARK: thread-handler */
	else
		other_signals++;
}

void worker_ready(void)
{
	printf("worker ready\n"); /* MARK: worker-ready */
	fflush(stdout);
}

static void *sig_worker(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "sig-worker", 0, 0, 0);
	pthread_kill(pthread_self(), SIGUSR1); /* MARK: self-kill */
	worker_ready();
	return NULL;
}

static int run_sigthread(void)
{
	struct sigaction sa;
	pthread_t t;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_thread_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&t, NULL, sig_worker, NULL);
	pthread_join(t, NULL);
	printf("sigthread: %d signals handled in sig-worker, %d elsewhere\n", worker_signals, other_signals);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "names") == 0)
		return run_names();
	if (argc == 2 && strcmp(argv[1], "relay") == 0)
		return run_relay();
	if (argc == 2 && strcmp(argv[1], "sched") == 0)
		return run_sched();
	if (argc == 2 && strcmp(argv[1], "stress") == 0)
		return run_stress();
	if (argc == 2 && strcmp(argv[1], "sigthread") == 0)
		return run_sigthread();
	printf("usage: pthreads names|relay|sched|stress|sigthread\n");
	return 2;
}
