package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// Issue 6's proof for threads and signal handlers: gdb scripts run against
// the stub and against gdbserver on the same native binaries (musl and
// glibc), compared after normalisation like TestGDBTranscripts. The guests
// (guests/pthreads.c, guests/sighandler.c) are synchronised so that at every
// stop the threads, their names and the frames shown are the same in every
// run: a multi-threaded transcript is only comparable when it is
// deterministic natively.

// threadRules are the normalisation rules of the thread scenarios, on top
// of the common ones (process-id, thread-id and lwp-id already replace
// pids and tids: the stub's start at 4200000, gdbserver's are host pids).
var threadRules = append([]rule{
	{
		name: "clone-frame",
		why: "glibc 2.34+ starts a thread with clone3 and falls back to clone when the kernel " +
			"answers ENOSYS; the stub offers only clone (as kernels before 5.3 did), so the " +
			"outermost frame of a glibc thread is clone3 natively and clone in the emulator. " +
			"Both are libc's thread-creation entry, below the thread's start routine; the " +
			"frames above it (start_thread and the guest's own) are compared as they are.",
		re:   regexp.MustCompile(`(?m)^(#\d+ +)0x[0-9a-f]+ in clone3? \(\)$`),
		repl: "${1}<clone> ()",
	},
}, threadTableRules...)

// threadScenarios cover the thread items of issue 6. Each names the
// guest's musl build; threadGlibcScenarios adds the glibc variants.
var threadScenarios = []scenario{
	{
		// Three named workers parked in a futex wait (in the guest's own
		// code, so that musl's frames unwind), main at a breakpoint. The
		// names come from prctl(PR_SET_NAME), which gdb reads from
		// qXfer:threads:read; the main thread keeps the executable's name.
		name:  "info-threads-names",
		guest: "pthreads",
		args:  []string{"names"},
		file:  true,
		cmds: []string{"break all_parked", "continue", "info threads", "thread", "thread 3", "bt", "frame 1",
			"print arg", "thread apply all bt", "thread apply 2-4 print $_thread", "thread 1", "bt 1",
			"delete", "continue"},
		want: []string{
			`^Thread 1 "pthreads(-glibc)?" hit Breakpoint 1, all_parked \(\) at guests/pthreads\.c:$LINE(all-parked)$`,
			`^\* 1 +Thread PID\.TID "pthreads(-glibc)?" all_parked \(\) at guests/pthreads\.c:$LINE(all-parked)$`,
			`^  2 +Thread PID\.TID "worker-1" 0x[0-9a-f]+ in futex_wait \(addr=0x[0-9a-f]+ <release_word>, val=0\) at guests/pthreads\.c:$LINE(futex-wait)$`,
			`^  4 +Thread PID\.TID "worker-3" 0x[0-9a-f]+ in futex_wait \(`,
			`^\[Switching to thread 3 \(Thread PID\.TID\)\]$`,
			`^#1  0x[0-9a-f]+ in parker \(arg=0x2\) at guests/pthreads\.c:$LINE(park)$`,
			`^\$1 = \(void \*\) 0x2$`,
			`^Thread 4 \(Thread PID\.TID "worker-3"\):$`,
			`^#1  0x[0-9a-f]+ in parker \(arg=0x3\) at guests/pthreads\.c:$LINE(park)$`,
			`^Thread 1 \(Thread PID\.TID "pthreads(-glibc)?"\):$`,
			`^#1  0x[0-9a-f]+ in run_names \(\) at guests/pthreads\.c:$LINE(call-all-parked)$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"all 3 workers parked\nnames: joined 3 workers\n"},
		rules:      threadRules,
	},
	{
		// One breakpoint, hit by three threads in turn (a token passed
		// under a mutex fixes the order): each stop names the thread that
		// hit it, and gdb switches to it.
		name:  "breakpoint-in-threads",
		guest: "pthreads",
		args:  []string{"relay"},
		file:  true,
		cmds: []string{"break shared", "continue", "thread", "bt 2", "continue", "thread", "print i",
			"bt 2", "continue", "print i", "print visits", "delete", "continue"},
		want: []string{
			`^Thread 2 "relay-1" hit Breakpoint 1, shared \(i=1\) at guests/pthreads\.c:$LINE(shared)$`,
			`^\[Switching to Thread PID\.TID\]$`,
			`^Thread 3 "relay-2" hit Breakpoint 1, shared \(i=2\) at guests/pthreads\.c:$LINE(shared)$`,
			`^\[Current thread is 3 \(Thread PID\.TID\)\]$`,
			`^#1  0x[0-9a-f]+ in runner \(arg=0x2\) at guests/pthreads\.c:$LINE(call-shared)$`,
			`^Thread 4 "relay-3" hit Breakpoint 1, shared \(i=3\) at guests/pthreads\.c:$LINE(shared)$`,
			`^\$\d+ = \{0, 1, 1, 0\}$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"relay: visits 1 1 1\n"},
		rules:      threadRules,
	},
	{
		// scheduler-locking on: finish, next and continue resume only the
		// stepper, so the spinner's count (saved in $s0 at the first stop)
		// stays where it was. Each of them covers a 1 ms sleep of the
		// stepper, during which a resumed spinner would certainly run,
		// natively and in the emulator. Once locking is off, the stepper
		// can only reach synced() if the spinner ran. Where the spinner
		// stops is timing, so it is never shown.
		name:  "scheduler-locking-on",
		guest: "pthreads",
		args:  []string{"sched"},
		file:  true,
		cmds: []string{"break bump", "continue", "set scheduler-locking on", "set $s0 = spins", "finish",
			"next", "next", "print spins == $s0", "next", "step", "next", "print n", "print spins == $s0",
			"continue", "print n", "print steps", "print spins == $s0", "set scheduler-locking off", "delete",
			"break synced", "continue", "print spins > $s0", "delete", "continue"},
		want: []string{
			`^Thread 2 "stepper" hit Breakpoint 1, bump \(n=1\) at guests/pthreads\.c:$LINE(bump)$`,
			`^$LINE(loop-nap)\t\t\tnap\(\);   /\* MARK: loop-nap \*/$`,
			`^\$1 = 1$`,
			`^Thread 2 "stepper" hit Breakpoint 1, bump \(n=2\) at guests/pthreads\.c:$LINE(bump)$`,
			`^\$2 = 2$`,
			`^\$3 = 1$`,
			`^Thread 2 "stepper" hit Breakpoint 1, bump \(n=3\) at guests/pthreads\.c:$LINE(bump)$`,
			`^\$5 = 3$`,
			`^\$6 = 1$`,
			`^Thread 2 "stepper" hit Breakpoint 2, synced \(seen=N\) at guests/pthreads\.c:$LINE(synced)$`,
			`^\$7 = 1$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"stepper: steps 6, spinner moved 1\nsched: steps 6\n"},
		rules:      append(threadRules[:len(threadRules):len(threadRules)], spinnerSeenRule),
	},
	{
		// scheduler-locking step: next and step resume only the stepper
		// (each 'next' over a 1 ms sleep, as above); continue resumes
		// every thread, which the stepper needs to get past its wait for
		// the spinner.
		name:  "scheduler-locking-step",
		guest: "pthreads",
		args:  []string{"sched"},
		file:  true,
		cmds: []string{"break bump", "continue", "set scheduler-locking step", "set $s0 = spins", "next",
			"next", "next", "next", "next", "print spins == $s0", "step", "print n", "next", "next",
			"print spins == $s0", "delete", "break synced", "continue", "print spins > $s0", "print steps",
			"delete", "continue"},
		want: []string{
			`^Thread 2 "stepper" hit Breakpoint 1, bump \(n=1\) at guests/pthreads\.c:$LINE(bump)$`,
			`^$LINE(loop-nap)\t\t\tnap\(\);   /\* MARK: loop-nap \*/$`,
			`^\$1 = 1$`,
			`^Thread 2 "stepper" hit Breakpoint 1, bump \(n=2\) at guests/pthreads\.c:$LINE(bump)$`,
			`^\$2 = 2$`,
			`^\$3 = 1$`,
			`^Thread 2 "stepper" hit Breakpoint 2, synced \(seen=N\) at guests/pthreads\.c:$LINE(synced)$`,
			`^\$4 = 1$`,
			`^\$5 = 6$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"stepper: steps 6, spinner moved 1\nsched: steps 6\n"},
		rules:      append(threadRules[:len(threadRules):len(threadRules)], spinnerSeenRule),
	},
	{
		// A signal to one thread: the stop names the thread that received
		// it, its handler runs in that thread (the guest checks by the
		// thread's name), and 'signal SIGUSR1' from gdb goes to the
		// current thread, here the worker at a breakpoint.
		name:  "thread-signals",
		guest: "pthreads",
		args:  []string{"sigthread"},
		file:  true,
		cmds: []string{"break on_thread_usr1", "break worker_ready", "continue", "thread", "continue", "bt 3",
			"continue", "signal SIGUSR1", "bt 4", "delete", "continue"},
		want: []string{
			`^Thread 2 "sig-worker" received signal SIGUSR1, User defined signal 1\.$`,
			`^\[Current thread is 2 \(Thread PID\.TID\)\]$`,
			`^Thread 2 "sig-worker" hit Breakpoint 1, on_thread_usr1 \(sig=10\) at guests/pthreads\.c:\d+$`,
			`^#1  <signal handler called>$`,
			`^Thread 2 "sig-worker" hit Breakpoint 2, worker_ready \(\) at guests/pthreads\.c:$LINE(worker-ready)$`,
			`^#2  worker_ready \(\) at guests/pthreads\.c:$LINE(worker-ready)$`,
			`^#3  0x[0-9a-f]+ in sig_worker \(arg=0x0\) at guests/pthreads\.c:\d+$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"sigthread: 2 signals handled in sig-worker, 0 elsewhere\n"},
		rules:      threadRules,
	},
	{
		// stepi at a signal stop (kill(getpid(), SIGUSR1) returning) goes
		// into the handler and stops on its first instruction, as Linux
		// does: the signal frame is set up and the step trap fires before
		// the handler's first instruction runs. bt shows the signal frame
		// and the interrupted kill(); finish returns to the trampoline.
		name:  "stepi-into-handler",
		guest: "sighandler",
		file:  true,
		pre:   []string{"set print frame-arguments none"},
		cmds: []string{"continue", "x/i $pc", "stepi", "x/i $pc", "bt", "stepi", "stepi", "x/i $pc", "finish",
			"bt 1", "continue", "continue"},
		want: []string{
			`^Program received signal SIGUSR1, User defined signal 1\.$`,
			`^on_usr1 \(sig=\.\.\.\) at guests/sighandler\.c:\d+$`,
			`^=> 0x[0-9a-f]+ <on_usr1>:\s`,
			`^#0  on_usr1 \(sig=\.\.\.\) at guests/sighandler\.c:\d+$`,
			`^#1  <signal handler called>$`,
			`^#2  0x[0-9a-f]+ in kill \(\)$`,
			`^#[34]  0x[0-9a-f]+ in main \(\) at guests/sighandler\.c:$LINE(kill)$`,
			`^#0  <signal handler called>$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"checkpoint 1: usr1 1 alrm 0\ncheckpoint 2: usr1 2 alrm 0\ncheckpoint 3: usr1 2 alrm 1\n"},
	},
	{
		// A breakpoint in the handler: bt goes through the signal frame to
		// the interrupted function and main; up/frame select frames past
		// it. (musl's kill has no CFI: gdb's prologue analysis finds a
		// bogus frame between it and main, the same with both servers.)
		name:  "bt-in-handler",
		guest: "sighandler",
		file:  true,
		cmds: []string{"break on_usr1", "continue", "continue", "bt", "up", "up", "info frame", "print $pc",
			"continue", "continue", "bt", "delete", "continue"},
		want: []string{
			`^Breakpoint 1, on_usr1 \(sig=10\) at guests/sighandler\.c:$LINE(usr1-body)$`,
			`^#1  <signal handler called>$`,
			`^#[34]  0x[0-9a-f]+ in main \(\) at guests/sighandler\.c:$LINE(kill)$`,
			`^#2  0x[0-9a-f]+ in kill \(\)$`,
			`^Stack level 2, frame at <sp0-X>:$`,
			`^ rip = 0x[0-9a-f]+ in kill; saved rip = `,
			`^\$1 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <kill\+\d+>$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"checkpoint 2: usr1 2 alrm 0\n"},
		// The frame addresses 'info frame' prints for the signal frame
		// are in the signal frame, whose size follows the CPU's XSAVE
		// area (see signal-handlers in e2e_test.go); only its shape is
		// compared.
		rules: []rule{{
			name: "sigframe-addresses",
			why:  "signal-frame addresses depend on the XSAVE area size (AVX-512 natively, none emulated)",
			re:   regexp.MustCompile(`<sp0-0x[0-9a-f]+>`),
			repl: "<sp0-X>",
		}},
	},
	{
		// 'signal SIGUSR1' at a breakpoint delivers the signal: the
		// handler runs on top of checkpoint(0) (a breakpoint in it shows
		// the signal frame over checkpoint), returns to the breakpoint's
		// address, where gdb reports the breakpoint again (it delivers the
		// signal instead of stepping over the breakpoint), and the program
		// goes on. SIGUSR1 is nostop/pass so the program's own two signals
		// run the handler without stopping: 3 runs in all.
		name:  "signal-from-gdb",
		guest: "sighandler",
		file:  true,
		cmds: []string{"handle SIGUSR1 nostop noprint pass", "break checkpoint", "continue", "break on_usr1",
			"signal SIGUSR1", "bt", "print usr1_count", "delete 2", "continue", "print usr1_count", "continue",
			"print usr1_count", "delete", "continue"},
		want: []string{
			`^Breakpoint 1, checkpoint \(n=0\) at guests/sighandler\.c:$LINE(checkpoint)$`,
			`^Breakpoint 2, on_usr1 \(sig=10\) at guests/sighandler\.c:$LINE(usr1-body)$`,
			`^#1  <signal handler called>$`,
			`^#2  checkpoint \(n=0\) at guests/sighandler\.c:$LINE(checkpoint)$`,
			`^\$1 = 0$`,
			`^\$2 = 1$`,
			`^Breakpoint 1, checkpoint \(n=1\) at guests/sighandler\.c:$LINE(checkpoint)$`,
			`^\$3 = 2$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"checkpoint 0: usr1 1 alrm 0\ncheckpoint 1: usr1 2 alrm 0\ncheckpoint 2: usr1 3 alrm 0\n"},
	},
	{
		// queue-signal: the signal is delivered with the next resume,
		// before checkpoint(0) goes on (then, as with 'signal', gdb reports
		// checkpoint's breakpoint again when the handler returns to it).
		name:  "queue-signal",
		guest: "sighandler",
		file:  true,
		cmds: []string{"handle SIGUSR1 nostop noprint pass", "break checkpoint", "continue", "queue-signal SIGUSR1",
			"break on_usr1", "continue", "bt 3", "print usr1_count", "delete 2", "continue", "print usr1_count",
			"continue", "print usr1_count", "delete", "continue"},
		want: []string{
			`^Breakpoint 1, checkpoint \(n=0\) at guests/sighandler\.c:$LINE(checkpoint)$`,
			`^Breakpoint 2, on_usr1 \(sig=10\) at guests/sighandler\.c:$LINE(usr1-body)$`,
			`^#1  <signal handler called>$`,
			`^#2  checkpoint \(n=0\) at guests/sighandler\.c:$LINE(checkpoint)$`,
			`^\$1 = 0$`,
			`^\$2 = 1$`,
			`^Breakpoint 1, checkpoint \(n=1\) at guests/sighandler\.c:$LINE(checkpoint)$`,
			`^\$3 = 2$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"checkpoint 0: usr1 1 alrm 0\ncheckpoint 1: usr1 2 alrm 0\ncheckpoint 2: usr1 3 alrm 0\n"},
	},
	{
		// handle nostop noprint pass: the program's signals reach its
		// handler without a stop (QPassSignals).
		name:       "handle-pass",
		guest:      "sighandler",
		file:       true,
		cmds:       []string{"handle SIGUSR1 nostop noprint pass", "info signals SIGUSR1", "continue"},
		want:       []string{`^SIGUSR1 +No\tNo\tYes\t+User defined signal 1$`, `^\[Inferior 1 \(process PID\) exited normally\]$`},
		wantOutput: []string{"checkpoint 1: usr1 1 alrm 0\ncheckpoint 2: usr1 2 alrm 0\n"},
	},
	{
		// handle nostop noprint nopass: gdb discards the signals, so the
		// handler never runs (the counts stay 0).
		name:       "handle-nopass",
		guest:      "sighandler",
		file:       true,
		cmds:       []string{"handle SIGUSR1 nostop noprint nopass", "info signals SIGUSR1", "continue"},
		want:       []string{`^SIGUSR1 +No\tNo\tNo\t+User defined signal 1$`, `^\[Inferior 1 \(process PID\) exited normally\]$`},
		wantOutput: []string{"checkpoint 1: usr1 0 alrm 0\ncheckpoint 2: usr1 0 alrm 0\ncheckpoint 3: usr1 0 alrm 1\n"},
	},
	{
		// handle SIGALRM stop print (gdb passes SIGALRM silently by
		// default): the timer's signal stops the program in sigsuspend,
		// the only place it is unblocked; continuing delivers it.
		name:  "handle-sigalrm-stop",
		guest: "sighandler",
		file:  true,
		cmds: []string{"handle SIGUSR1 nostop noprint pass", "handle SIGALRM stop print", "info signals SIGALRM", "continue", "bt",
			"print $_siginfo.si_signo", "break on_alrm", "continue", "bt 2", "delete", "continue"},
		want: []string{
			`^SIGALRM +Yes\tYes\tYes\t+Alarm clock$`,
			`^Program received signal SIGALRM, Alarm clock\.$`,
			`^#[01]  0x[0-9a-f]+ in sigsuspend \(\)$`,
			`^\$1 = 14$`,
			`^Breakpoint 1, on_alrm \(sig=14\) at guests/sighandler\.c:$LINE(alrm-body)$`,
			`^#1  <signal handler called>$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"checkpoint 3: usr1 2 alrm 1\n"},
	},
}

// spinnerSeenRule: synced's argument is the spinner's count when the
// stepper finished bumping, which is timing.
var spinnerSeenRule = rule{
	name: "spinner-count",
	why:  "synced(seen): seen is how far the spinner had counted, which depends on scheduling",
	re:   regexp.MustCompile(`synced \(seen=\d+\)`),
	repl: "synced (seen=N)",
}

// threadGlibcGuests maps the musl thread guests to their glibc builds.
var threadGlibcGuests = map[string]string{"pthreads": "pthreads-glibc", "sighandler": "sighandler-glibc"}

// threadGlibcScenarios are the NAME-glibc variants: the same scripts and
// key lines on the gcc -static builds (glibc's clone3 fallback, its
// pthread internals and raise()'s signal masking).
func threadGlibcScenarios() []scenario {
	var out []scenario
	for _, sc := range threadScenarios {
		sc.name += "-glibc"
		sc.guest = threadGlibcGuests[sc.guest]
		out = append(out, sc)
	}
	return out
}

// TestGDBThreads runs the thread and signal-handler scenarios; each is a
// sub-test (e.g. -run 'TestGDBThreads/scheduler-locking-on$').
func TestGDBThreads(t *testing.T) {
	needTools(t)
	for _, sc := range append(threadScenarios[:len(threadScenarios):len(threadScenarios)], threadGlibcScenarios()...) {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			compareScenario(t, sc)
		})
	}
}

// goScenario stops a static Go program (tests/corpus/goprog: four worker
// goroutines and a feeder) at a function its workers run, lists the
// threads and runs it to its exit. Which goroutine gets there first, with
// which argument, and how many threads the Go runtime has started by then
// are timing (natively and in the emulator alike), so only key lines are
// checked, on both servers, and the transcripts are not compared.
var goScenario = scenario{
	name: "goroutines",
	file: true,
	cmds: []string{"break main.collatz", "continue", "info threads", "bt 2", "delete", "continue"},
	want: []string{
		`hit Breakpoint 1, (0x[0-9a-f]+ in )?main\.collatz \(n=\d+\) at \S+/corpus/goprog/main\.go:\d+$`,
		// At least two threads: the Go runtime starts sysmon and the
		// threads for goroutines that block (the feeder, the waiters).
		`^[ *] 1 +Thread PID\.TID "goprog" `,
		`^[ *] 2 +Thread PID\.TID "goprog" `,
		`^#1  (0x[0-9a-f]+ in )?main\.main\.func1 \(w=\d\) at \S+/corpus/goprog/main\.go:\d+$`,
		`^\[Inferior 1 \(process PID\) exited with code 03\]$`,
	},
	wantOutput: []string{"results 400, per-worker sum 400, total steps 20141\n", "goprog: exit 3\n"},
	rules:      threadTableRules,
}

// TestGDBGoroutines runs goScenario against the stub, and against
// gdbserver on the same binary to check the scenario itself.
func TestGDBGoroutines(t *testing.T) {
	needTools(t)
	bin := filepath.Join(t.TempDir(), "goprog")
	cmd := exec.Command("go", "build", "-o", bin, "./corpus/goprog")
	cmd.Dir = suite.testDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOAMD64=v1", "GOOS=linux", "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./corpus/goprog: %v\n%s", err, out)
	}
	// The Go runtime writes goprog's last line to stderr, which the
	// harness records as the server's log.
	checkKeyLines(t, goScenario, bin, true)
}
