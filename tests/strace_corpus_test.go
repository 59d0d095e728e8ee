package tests

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
)

// The strace corpus test: every program of the differential corpus runs
// under Debian's `strace -f -o FILE` natively and under
// `redox-gdbstub strace -f -o FILE`, and for every traced task (process
// or thread) the sequence of `name = result` must be the same on both
// sides, once the documented exceptions of straceExceptions are applied
// (docs/ptrace-rsp.md, "The differential corpus under strace -f").

// A straceTrace is a trace reduced per role: role -> the task's
// syscalls as "name = result", its signals and its "+++" line, in the
// order the task made them.
type straceTrace map[string][]string

// Roles name tasks independently of pid numbers: the task of the first
// line is "root"; the k-th task (process or thread) that task R creates
// with clone, clone3, fork or vfork is "R.k". A creator's calls are in
// program order in either trace, so this naming is the same natively and
// under emulation whatever the scheduling.
const rootRole = "root"

var (
	nativeLine = regexp.MustCompile(`^(\d+) +(.*)$`)
	oursLine   = regexp.MustCompile(`^\[pid +(\d+)\] (.*)$`)
	// Greedy: a string argument may contain ") = "; the result never does.
	// "???" is strace's name for a call of a thread caught exiting.
	callLine     = regexp.MustCompile(`^([a-z_0-9]+|\?\?\?)\((.*)\) += (.*)$`)
	resumedLine  = regexp.MustCompile(`^<\.\.\. ([a-z_0-9]+|\?\?\?) resumed>(.*)\) += (.*)$`)
	unfinished   = regexp.MustCompile(`^(?:[a-z_0-9]+|\?\?\?)\((.*) <unfinished \.\.\.>$`)
	signalLine   = regexp.MustCompile(`^--- (SIG[A-Z0-9_]+) (.*) ---$`)
	exitLine     = regexp.MustCompile(`^\+\+\+ (.*?)(?: \(core dumped\))? \+\+\+$`)
	decimal      = regexp.MustCompile(`^\d+$`)
	hexResult    = regexp.MustCompile(`^0x[0-9a-f]+$`)
	anyHex       = regexp.MustCompile(`0x[0-9a-f]+`)
	siPidField   = regexp.MustCompile(`si_pid=(\d+)`)
	siUIDField   = regexp.MustCompile(`si_uid=\d+`)
	creatorCalls = []string{"clone", "clone3", "fork", "vfork"}
	// Calls whose (non-error) result is a pid or tid.
	pidResultCalls = []string{"clone", "clone3", "fork", "vfork", "wait4", "getpid", "gettid", "set_tid_address", "getppid"}
)

// straceEvent is one line of a trace that the reduction keeps.
type straceEvent struct {
	pid  string
	kind byte // 'c' call, 's' signal, 'x' exit
	name string
	args string // a call's arguments as printed (both halves of a split call)
	rest string // the result, the signal's fields, or the exit text
}

// firstArg is a call's first argument (a file descriptor, for read and
// write).
func (e straceEvent) firstArg() string {
	a, _, _ := strings.Cut(e.args, ",")
	return a
}

// parseStrace parses a trace written by `strace -f -o` (native: "PID
// line") or by ours ("[pid N] line") into its events and the role of
// every pid. A call split into "<unfinished ...>" and "<... NAME
// resumed>" is one event, at its resumption (where its result is); a
// call left unfinished for ever (its task ended first) has no result
// and is left out.
func parseStrace(text string, native bool) ([]straceEvent, map[string]string, error) {
	re := oursLine
	if native {
		re = nativeLine
	}
	var events []straceEvent
	root := ""
	children := map[string][]string{} // creator pid -> created pids in order
	pending := map[string]string{}    // pid -> arguments of its unfinished call
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		m := re.FindStringSubmatch(l)
		if m == nil {
			return nil, nil, fmt.Errorf("line without a pid: %q", l)
		}
		pid, rest := m[1], m[2]
		if root == "" {
			root = pid
		}
		var ev straceEvent
		if c := unfinished.FindStringSubmatch(rest); c != nil {
			pending[pid] = c[1]
			continue
		} else if c := callLine.FindStringSubmatch(rest); c != nil {
			ev = straceEvent{pid, 'c', c[1], c[2], c[3]}
		} else if c := resumedLine.FindStringSubmatch(rest); c != nil {
			ev = straceEvent{pid, 'c', c[1], pending[pid] + c[2], c[3]}
			delete(pending, pid)
		} else if c := signalLine.FindStringSubmatch(rest); c != nil {
			ev = straceEvent{pid, 's', c[1], "", c[2]}
		} else if c := exitLine.FindStringSubmatch(rest); c != nil {
			ev = straceEvent{pid, 'x', "+++", "", c[1]}
		} else {
			return nil, nil, fmt.Errorf("line not understood: %q", l)
		}
		if ev.kind == 'c' && slices.Contains(creatorCalls, ev.name) && decimal.MatchString(ev.rest) {
			children[pid] = append(children[pid], ev.rest)
		}
		events = append(events, ev)
	}
	if root == "" {
		return nil, nil, fmt.Errorf("empty trace")
	}
	roles := map[string]string{root: rootRole}
	for queue := []string{root}; len(queue) > 0; queue = queue[1:] {
		for k, child := range children[queue[0]] {
			if _, dup := roles[child]; dup {
				return nil, nil, fmt.Errorf("pid %s created twice", child)
			}
			roles[child] = fmt.Sprintf("%s.%d", roles[queue[0]], k+1)
			queue = append(queue, child)
		}
	}
	for _, ev := range events {
		if _, ok := roles[ev.pid]; !ok {
			return nil, nil, fmt.Errorf("pid %s has lines but no traced clone/fork created it", ev.pid)
		}
	}
	return events, roles, nil
}

// reduceStrace parses a trace (parseStrace) and reduces it per role.
// Normalisation: pids in the results of pid-valued calls and in si_pid
// become roles (a pid outside the trace, the parent's from getppid,
// becomes OTHER), si_uid becomes UID, brk results become offsets from the
// task's first brk result ("brk = +0x21000"), other hexadecimal results
// and addresses in signal fields become 0x?, and " (core dumped)" is
// dropped (it depends on the host's core size limit).
func reduceStrace(text string, native bool) (straceTrace, error) {
	events, roles, err := parseStrace(text, native)
	if err != nil {
		return nil, err
	}
	rolePid := func(s string) string {
		if r, ok := roles[s]; ok {
			return r
		}
		return "OTHER"
	}
	out := straceTrace{}
	brkBase := map[string]uint64{}
	for _, ev := range events {
		role := roles[ev.pid]
		var s string
		switch ev.kind {
		case 'c':
			res := ev.rest
			switch {
			case slices.Contains(pidResultCalls, ev.name) && decimal.MatchString(res):
				res = rolePid(res)
			case ev.name == "brk" && hexResult.MatchString(res):
				v, err := strconv.ParseUint(res[2:], 16, 64)
				if err != nil {
					return nil, fmt.Errorf("brk result %q: %w", res, err)
				}
				base, seen := brkBase[role]
				if !seen {
					brkBase[role], base = v, v
				}
				res = fmt.Sprintf("+%#x", v-base)
			case hexResult.MatchString(res):
				res = "0x?"
			}
			if ev.name == "execve" {
				delete(brkBase, role) // a new program, a new heap
			}
			s = ev.name + " = " + res
		case 's':
			f := siPidField.ReplaceAllStringFunc(ev.rest, func(m string) string {
				return "si_pid=" + rolePid(strings.TrimPrefix(m, "si_pid="))
			})
			f = siUIDField.ReplaceAllString(f, "si_uid=UID")
			s = "--- " + ev.name + " " + anyHex.ReplaceAllString(f, "0x?") + " ---"
		case 'x':
			s = "+++ " + ev.rest + " +++"
		}
		out[role] = append(out[role], s)
	}
	return out, nil
}

// A straceException is a documented difference between native strace -f
// and ours on the corpus. fix rewrites one role's native and emulated
// sequences into comparable ones; it returns an error when the
// difference is not the documented one (so an exception cannot hide
// another difference). programs/compilers scope it (nil: all); an
// exception scoped to programs must change something in each of them
// (unless the difference shows only in some runs: sometimes), so that
// one no longer needed is noticed and removed.
type straceException struct {
	name      string
	programs  []string
	compilers []string
	sometimes bool
	reason    string
	fix       func(native, ours []string) ([]string, []string, error)
}

// vdsoCalls are the calls the host's libc makes through the vDSO.
var vdsoCalls = []string{"clock_gettime", "clock_getres", "gettimeofday", "time", "getcpu"}

// threadedPrograms are the C programs of the corpus that run several
// threads.
var threadedPrograms = []string{"threads", "misc"}

var straceExceptions = []straceException{
	{
		name: "vDSO calls",
		reason: "natively glibc and musl answer clock_gettime, clock_getres, gettimeofday, time and getcpu " +
			"in the vDSO (no syscall, so strace does not see them) except what the vDSO does not serve " +
			"(CPU-time clocks; musl's clock_getres); target provides no vDSO, so every one is a syscall under emulation. " +
			"Checked: the native ones are, in order, a subsequence of ours (by name)",
		fix: func(native, ours []string) ([]string, []string, error) {
			isVDSO := func(s string) bool { return slices.Contains(vdsoCalls, callName(s)) }
			nv, ov := filter(native, isVDSO), filter(ours, isVDSO)
			i := 0
			for _, o := range ov {
				if i < len(nv) && callName(nv[i]) == callName(o) {
					i++
				}
			}
			if i < len(nv) {
				return nil, nil, fmt.Errorf("native vDSO-served calls %q are not a subsequence of ours %q", nv, ov)
			}
			return remove(native, isVDSO), remove(ours, isVDSO), nil
		},
	},
	{
		name:      "rseq",
		compilers: []string{"gcc"},
		reason: "known emulation difference: target answers rseq with ENOSYS (no restartable sequences; " +
			"target/syscalls.go), which glibc accepts as on kernels before 4.18; natively it succeeds. " +
			"Once the main thread's registration has failed, glibc's new threads do not call rseq at " +
			"all, while natively each thread registers: a native \"rseq = 0\" is compared as ours " +
			"\"rseq = -1 ENOSYS\" in a task that made that call, and left out in one that made none",
		fix: func(native, ours []string) ([]string, []string, error) {
			const enosys = "rseq = -1 ENOSYS (Function not implemented)"
			if slices.Contains(ours, enosys) {
				return replace(native, "rseq = 0", enosys), ours, nil
			}
			if slices.ContainsFunc(ours, func(s string) bool { return callName(s) == "rseq" }) {
				return nil, nil, fmt.Errorf("ours calls rseq with another result: %q", ours)
			}
			return remove(native, func(s string) bool { return s == "rseq = 0" }), ours, nil
		},
	},
	{
		name:      "clone3",
		compilers: []string{"gcc"},
		reason: "known emulation difference: target answers clone3 with ENOSYS (target/syscalls.go), so " +
			"glibc's pthread_create retries with clone; natively clone3 creates the thread. " +
			"Ours \"clone3 = -1 ENOSYS\" followed by \"clone = R\" is compared as \"clone3 = R\"",
		fix: func(native, ours []string) ([]string, []string, error) {
			var out []string
			for i := 0; i < len(ours); i++ {
				if ours[i] == "clone3 = -1 ENOSYS (Function not implemented)" && i+1 < len(ours) &&
					callName(ours[i+1]) == "clone" {
					out = append(out, "clone3"+strings.TrimPrefix(ours[i+1], "clone"))
					i++
					continue
				}
				out = append(out, ours[i])
			}
			return native, out, nil
		},
	},
	{
		name:     "futex",
		programs: threadedPrograms,
		reason: "in a program with several threads, whether a thread waits on a futex, and what the wait " +
			"and the wake return (0, EAGAIN, the number woken), depends on how the threads interleave " +
			"(natively on the host's scheduler, under emulation on the round-robin one)",
		fix: func(native, ours []string) ([]string, []string, error) {
			isFutex := func(s string) bool { return callName(s) == "futex" }
			return remove(native, isFutex), remove(ours, isFutex), nil
		},
	},
	{
		name: "SIGCHLD",
		reason: "where the parent's SIGCHLD line falls is timing: natively the signal is taken when the " +
			"parent next returns to user mode after the child's exit, and two close exits can be merged " +
			"into one; under emulation the parent takes it when the child's exit wakes it, before the " +
			"wait4 that reaps the child returns. The SIGCHLD lines are left out on both sides",
		fix: func(native, ours []string) ([]string, []string, error) {
			isChld := func(s string) bool { return strings.HasPrefix(s, "--- SIGCHLD ") }
			return remove(native, isChld), remove(ours, isChld), nil
		},
	},
	{
		name:      "restarted fork",
		sometimes: true,
		reason: "natively, when a signal (the SIGCHLD of an earlier child) arrives while fork/clone " +
			"runs, the kernel abandons the call and restarts it (ERESTARTNOINTR): strace shows the " +
			"abandoned attempt as \"clone(...) = ? ERESTARTNOINTR\", the program never sees it, and " +
			"whether it happens is timing. Such lines are left out natively",
		fix: func(native, ours []string) ([]string, []string, error) {
			return remove(native, func(s string) bool {
				return strings.HasSuffix(s, " = ? ERESTARTNOINTR (To be restarted)")
			}), ours, nil
		},
	},
	{
		name:      "glibc arena alignment",
		programs:  threadedPrograms,
		compilers: []string{"gcc"},
		sometimes: true,
		reason: "a thread's first malloc makes glibc create an arena (new_heap): it reserves 128 MiB " +
			"and unmaps what lies outside a 64 MiB-aligned 64 MiB heap, with two munmap calls, or one " +
			"when the reservation happens to start aligned, which natively depends on the randomised " +
			"address-space layout. \"mmap, munmap, munmap, mprotect\" is compared as \"mmap, munmap, mprotect\"",
		fix: func(native, ours []string) ([]string, []string, error) {
			one := func(s []string) []string {
				var out []string
				for i, x := range s {
					if x == "munmap = 0" && i > 0 && s[i-1] == "munmap = 0" && i > 1 && s[i-2] == "mmap = 0x?" &&
						i+1 < len(s) && s[i+1] == "mprotect = 0" {
						continue
					}
					out = append(out, x)
				}
				return out
			}
			return one(native), one(ours), nil
		},
	},
	{
		name:     "interrupted call",
		programs: []string{"misc"},
		reason: "known emulation difference: a call interrupted by a signal that has a handler shows " +
			"its final result -1 EINTR at its POST_SYSCALL stop under emulation; natively the " +
			"syscall-exit stop comes before signal delivery and shows the kernel's internal " +
			"ERESTARTNOHAND, which delivery then turns into EINTR (pause: never restarted)",
		fix: func(native, ours []string) ([]string, []string, error) {
			var out []string
			for _, s := range native {
				if n, ok := strings.CutSuffix(s, " = ? ERESTARTNOHAND (To be restarted if no handler)"); ok {
					s = n + " = -1 EINTR (Interrupted system call)"
				}
				out = append(out, s)
			}
			return out, ours, nil
		},
	},
	{
		name:     "interval timer",
		programs: []string{"misc"},
		reason: "misc runs `while (alarms < 3) pause();` under a 10 ms interval timer: how many " +
			"SIGALRMs arrive before the timer is cancelled, and how many of them interrupt a pause " +
			"rather than the code between two pauses, is timing (natively under load two can come " +
			"back to back). Between the two setitimer calls, both sides must have only pause " +
			"(= -1 EINTR), SIGALRM and rt_sigreturn lines and at least 3 SIGALRMs; the window is " +
			"then compared as one line",
		fix: func(native, ours []string) ([]string, []string, error) {
			collapse := func(s []string) ([]string, error) {
				i := slices.Index(s, "setitimer = 0")
				if i < 0 {
					return s, nil
				}
				j := slices.Index(s[i+1:], "setitimer = 0")
				if j < 0 {
					return nil, fmt.Errorf("the interval timer is never cancelled: %q", s[i:])
				}
				window, alarms := s[i+1:i+1+j], 0
				for _, x := range window {
					switch {
					case strings.HasPrefix(x, "--- SIGALRM "):
						alarms++
					case x == "pause = -1 EINTR (Interrupted system call)", callName(x) == "rt_sigreturn":
					default:
						return nil, fmt.Errorf("%q while the interval timer runs", x)
					}
				}
				if alarms < 3 {
					return nil, fmt.Errorf("%d SIGALRMs, want at least 3", alarms)
				}
				return slices.Concat(s[:i+1], []string{"(interval timer: 3 or more SIGALRMs)"}, s[i+1+j:]), nil
			}
			n, err := collapse(native)
			if err != nil {
				return nil, nil, fmt.Errorf("native: %w", err)
			}
			o, err := collapse(ours)
			if err != nil {
				return nil, nil, fmt.Errorf("ours: %w", err)
			}
			return n, o, nil
		},
	},
	{
		name:     "sched_getaffinity",
		programs: []string{"goprog", "gostress"},
		reason: "known emulation difference: sched_getaffinity returns the size of the kernel's CPU " +
			"mask: 8 bytes under emulation (target reports one CPU in a 64-bit mask), natively the " +
			"host kernel's cpumask size (32 bytes on a kernel built for up to 256 CPUs); both are " +
			"compared as MASKSIZE when they are a positive multiple of 8",
		fix: func(native, ours []string) ([]string, []string, error) {
			mask := func(s []string) []string {
				out := slices.Clone(s)
				for i, x := range out {
					if v, ok := strings.CutPrefix(x, "sched_getaffinity = "); ok {
						if n, err := strconv.Atoi(v); err == nil && n > 0 && n%8 == 0 {
							out[i] = "sched_getaffinity = MASKSIZE"
						}
					}
				}
				return out
			}
			return mask(native), mask(ours), nil
		},
	},
	{
		name:      "mkstemp's getrandom",
		programs:  []string{"misc"},
		compilers: []string{"gcc"},
		sometimes: true,
		reason: "glibc's mkstemp (__gen_tempname) derives its first name from CLOCK_MONOTONIC's " +
			"nanoseconds and calls getrandom only when that value falls in the range that would bias " +
			"the base-62 digits (about 4.5% of values), on either side: a getrandom right before an " +
			"openat is left out on both sides",
		fix: func(native, ours []string) ([]string, []string, error) {
			drop := func(s []string) []string {
				var out []string
				for i, x := range s {
					if callName(x) == "getrandom" && i+1 < len(s) && callName(s[i+1]) == "openat" {
						continue
					}
					out = append(out, x)
				}
				return out
			}
			return drop(native), drop(ours), nil
		},
	},
	{
		name:     "wait4(-1) order",
		programs: []string{"procs"},
		reason: "wait(&status) reaps whichever child has exited: in which order four children that " +
			"exit at once are reaped is up to the scheduler (natively the host's). Each run of " +
			"consecutive wait4 calls is compared sorted",
		fix: func(native, ours []string) ([]string, []string, error) {
			return sortRuns(native, "wait4"), sortRuns(ours, "wait4"), nil
		},
	},
	{
		name:      "glibc heap offset",
		programs:  []string{"heap"},
		compilers: []string{"gcc"},
		reason: "known emulation difference: without a vDSO (no AT_SYSINFO_EHDR), glibc's static start-up " +
			"does not build a link_map for it (natively calloc(1225) in _dl_new_object, and " +
			"_dl_find_object_init's array is 160 bytes instead of 128), so the emulated heap starts " +
			"0x500 bytes lower and malloc's brk extensions fall at other points of a malloc-heavy " +
			"program; its brk calls are left out (mmap, mremap and munmap still match)",
		fix: func(native, ours []string) ([]string, []string, error) {
			isBrk := func(s string) bool { return callName(s) == "brk" }
			return remove(native, isBrk), remove(ours, isBrk), nil
		},
	},
}

// callName is the syscall name of a reduced "name = result" line.
func callName(s string) string {
	n, _, _ := strings.Cut(s, " = ")
	return n
}

func filter(s []string, keep func(string) bool) []string {
	var out []string
	for _, x := range s {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func remove(s []string, drop func(string) bool) []string {
	return filter(s, func(x string) bool { return !drop(x) })
}

func replace(s []string, old, new string) []string {
	out := slices.Clone(s)
	for i, x := range out {
		if x == old {
			out[i] = new
		}
	}
	return out
}

// sortRuns sorts each run of consecutive calls named name.
func sortRuns(s []string, name string) []string {
	out := slices.Clone(s)
	for i := 0; i < len(out); {
		j := i
		for j < len(out) && callName(out[j]) == name {
			j++
		}
		if j > i {
			slices.Sort(out[i:j])
			i = j
		} else {
			i++
		}
	}
	return out
}

func replaceAll(s []string, old, new string) []string {
	out := slices.Clone(s)
	for i, x := range out {
		out[i] = strings.ReplaceAll(x, old, new)
	}
	return out
}

func hexOrZero(v uint64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", v)
}

// applies reports whether e covers the build of program by cc.
func (e straceException) applies(program, cc string) bool {
	return (e.programs == nil || slices.Contains(e.programs, program)) &&
		(e.compilers == nil || slices.Contains(e.compilers, cc))
}

// compareStraces applies the exceptions to both reduced traces and
// reports every role whose sequence differs, and every scoped exception
// that changed nothing.
func compareStraces(t *testing.T, program, cc string, native, ours straceTrace) {
	t.Helper()
	roles := map[string]bool{}
	for r := range native {
		roles[r] = true
	}
	for r := range ours {
		roles[r] = true
	}
	for _, e := range straceExceptions {
		if !e.applies(program, cc) {
			continue
		}
		changed := false
		for r := range roles {
			n, o, err := e.fix(native[r], ours[r])
			if err != nil {
				t.Errorf("role %s: exception %q: %v", r, e.name, err)
				continue
			}
			changed = changed || !slices.Equal(n, native[r]) || !slices.Equal(o, ours[r])
			native[r], ours[r] = n, o
		}
		if e.programs != nil && !e.sometimes && !changed {
			t.Errorf("exception %q changed nothing for %s/%s: the difference is gone, narrow or remove the exception", e.name, program, cc)
		}
	}
	sorted := make([]string, 0, len(roles))
	for r := range roles {
		sorted = append(sorted, r)
	}
	slices.Sort(sorted)
	for _, r := range sorted {
		n, o := native[r], ours[r]
		if len(n) == 0 && len(o) == 0 {
			continue
		}
		if !slices.Equal(n, o) {
			d := unifiedDiff("native "+r, "ours "+r, strings.Join(n, "\n")+"\n", strings.Join(o, "\n")+"\n")
			t.Errorf("role %s: %d calls natively, %d ours; the sequences differ:\n%s", r, len(n), len(o), tail(d, 6000))
		}
	}
}

// straceCase is one program of the corpus under both straces.
type straceCase struct {
	program, cc string
	bin         string
	status      int
	stdin       string
}

// straceRun runs argv (the program's directory appended) in dir and
// returns its exit status and trace file.
func straceRun(t *testing.T, dir string, argv []string, trace, stdin string, env []string) (int, string, error) {
	r := runProgram(dir, append(argv, dir), stdin, env)
	if r.err != nil {
		return 0, "", fmt.Errorf("%s: %w\n%s", shellQuote(argv), r.err, r)
	}
	b, err := os.ReadFile(trace)
	if err != nil || len(b) == 0 {
		return 0, "", fmt.Errorf("%s: no trace (%v)\n%s", shellQuote(argv), err, r)
	}
	return r.status, string(b), nil
}

// straceCompare runs c under both straces (at the same time, in two
// directories whose paths have the same length, since getcwd's result
// is one) and compares them.
func straceCompare(t *testing.T, c straceCase, strace string, reduce func(string, bool) (straceTrace, error)) {
	env := append(append(os.Environ(), "LC_ALL=C", "TZ=UTC"), "CORPUS_MARKER=corpus")
	base := t.TempDir()
	type side struct {
		status int
		trace  string
		err    error
	}
	var native, ours side
	var wg sync.WaitGroup
	for _, s := range []struct {
		name string
		argv func(trace string) []string
		out  *side
	}{
		{"native", func(tr string) []string { return []string{strace, "-f", "-o", tr, c.bin} }, &native},
		{"strace", func(tr string) []string { return []string{suite.stub, "strace", "-f", "-o", tr, c.bin} }, &ours},
	} {
		dir := filepath.Join(base, s.name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		trace := filepath.Join(base, s.name+".trace")
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.out.status, s.out.trace, s.out.err = straceRun(t, dir, s.argv(trace), trace, c.stdin, env)
		}()
	}
	wg.Wait()
	if native.err != nil {
		if strings.Contains(native.err.Error(), "PTRACE_TRACEME") || strings.Contains(native.err.Error(), "Operation not permitted") {
			testenv.Missing(t, "a native strace that can trace", native.err)
		}
		t.Fatalf("native strace: %v", native.err)
	}
	if ours.err != nil {
		t.Fatalf("redox-gdbstub strace: %v", ours.err)
	}
	if native.status != c.status || ours.status != c.status {
		t.Errorf("exit status: native %d, ours %d, want %d", native.status, ours.status, c.status)
	}
	n, err := reduce(native.trace, true)
	if err != nil {
		t.Fatalf("native trace: %v\n%s", err, tail(native.trace, 4000))
	}
	o, err := reduce(ours.trace, false)
	if err != nil {
		t.Fatalf("our trace: %v\n%s", err, tail(ours.trace, 4000))
	}
	for r, calls := range o {
		if len(calls) == 0 {
			t.Fatalf("our trace has no events for %s:\n%s", r, tail(ours.trace, 4000))
		}
	}
	compareStraces(t, c.program, c.cc, n, o)
	if t.Failed() && os.Getenv("STRACE_CORPUS_KEEP") != "" {
		keep := filepath.Join(os.Getenv("STRACE_CORPUS_KEEP"), strings.ReplaceAll(t.Name(), "/", "_"))
		_ = os.WriteFile(keep+".native", []byte(native.trace), 0o644)
		_ = os.WriteFile(keep+".ours", []byte(ours.trace), 0o644)
	}
}

// TestStraceCorpus compares `redox-gdbstub strace -f` with Debian's
// `strace -f` on every C program of the differential corpus, built by
// gcc and musl-gcc (-O2, static), per role, with straceExceptions.
func TestStraceCorpus(t *testing.T) {
	strace := testenv.Tool(t, "strace")
	for _, cc := range corpusCompilers {
		testenv.Tool(t, cc)
	}
	if suite.stubErr != nil {
		t.Fatalf("the stub could not be built: %v", suite.stubErr)
	}
	for _, p := range corpusPrograms {
		for _, cc := range corpusCompilers {
			t.Run(p.name+"/"+cc, func(t *testing.T) {
				t.Parallel()
				bin := buildCorpus(t, p.name, cc, "-O2")
				straceCompare(t, straceCase{program: p.name, cc: cc, bin: bin, status: p.status, stdin: p.stdin}, strace, reduceStrace)
			})
		}
	}
}

// goRuntimeCalls are the calls of the Go runtime's scheduler, memory
// manager, timers, signal set-up and thread management. Which thread
// makes them, how many there are and what futex, epoll_pwait and
// nanosleep return all depend on how the runtime's threads interleave
// (natively on the host's scheduler), so the process-wide comparison of
// a Go program leaves them out.
var goRuntimeCalls = []string{"futex", "nanosleep", "sched_yield", "epoll_pwait", "clone", "mmap",
	"munmap", "madvise", "mprotect", "rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "sigaltstack", "gettid",
	"getpid", "tgkill", "arch_prctl", "sched_getaffinity", "set_robust_list", "exit", "exit_group"}

// goLayoutCalls are left out of a Go program's start-up: the runtime
// reserves its heap arenas at hint addresses and tries the next hint
// when the kernel places a mapping elsewhere, so how many of these calls
// it makes depends on the address-space layout (randomised natively).
var goLayoutCalls = []string{"mmap", "munmap", "madvise"}

// goTrace reduces a Go program's trace to two comparable sequences:
// "root init", the root's calls before it creates its first thread
// (the runtime's start-up, single-threaded, so in a fixed order), and
// "process", the calls of all its threads in trace order other than
// goRuntimeCalls, the reads and writes of the netpoller's eventfd (the
// runtime writes it to wake a thread blocked in epoll_pwait, when one
// is) and the calls of sysmon (the runtime's monitor thread, the first
// one runtime.main creates, "root.1": it runs no goroutine, and when its
// calls fall among the others' is timing), followed by the root's "+++"
// line. epoll_ctl is shown with its operation ("epoll_ctl
// EPOLL_CTL_ADD = 0"): the os package registers files with the poller.
// The netpoller itself (epoll_create1, eventfd2 and the eventfd's
// registration) is made when the first timer or pollable file needs it,
// which is timing when goroutines race to it, so it is left out, and
// the descriptors openat returns, whose numbers depend on whether it
// came first, are compared as FD.
func goTrace(text string, native bool) (straceTrace, error) {
	perRole, err := reduceStrace(text, native)
	if err != nil {
		return nil, err
	}
	events, roles, err := parseStrace(text, native)
	if err != nil {
		return nil, err
	}
	out := straceTrace{}
	root := perRole[rootRole]
	first := slices.IndexFunc(root, func(s string) bool { return callName(s) == "clone" })
	if first < 0 {
		return nil, fmt.Errorf("the root never creates a thread")
	}
	out["root init"] = remove(root[:first], func(s string) bool { return slices.Contains(goLayoutCalls, callName(s)) })
	eventfd := ""
	for _, ev := range events {
		switch {
		case ev.kind == 'c' && ev.name == "eventfd2" && decimal.MatchString(ev.rest):
			eventfd = ev.rest
		case ev.kind != 'c' || slices.Contains(goRuntimeCalls, ev.name) || roles[ev.pid] == "root.1":
		case (ev.name == "read" || ev.name == "write") && ev.firstArg() == eventfd:
		case ev.name == "epoll_create1" || ev.name == "epoll_ctl" && epollFd(ev.args) == eventfd:
		default:
			res, name := ev.rest, ev.name
			if hexResult.MatchString(res) {
				res = "0x?"
			}
			if name == "openat" && decimal.MatchString(res) {
				res = "FD"
			}
			if name == "epoll_ctl" {
				_, op, _ := strings.Cut(ev.args, ", ")
				op, _, _ = strings.Cut(op, ",")
				name += " " + op
			}
			out["process"] = append(out["process"], name+" = "+res)
		}
	}
	out["process"] = append(out["process"], root[len(root)-1])
	return out, nil
}

// epollFd is the descriptor epoll_ctl's arguments name (the third).
func epollFd(args string) string {
	f := strings.SplitN(args, ", ", 4)
	if len(f) < 3 {
		return ""
	}
	return f[2]
}

// TestStraceCorpusGo compares both straces on the corpus's Go programs
// (goTrace's two sequences, with straceExceptions).
func TestStraceCorpusGo(t *testing.T) {
	strace := testenv.Tool(t, "strace")
	if suite.stubErr != nil {
		t.Fatalf("the stub could not be built: %v", suite.stubErr)
	}
	for _, tc := range []struct {
		name   string
		status int
	}{{"goprog", 3}, {"gostress", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bin := filepath.Join(t.TempDir(), tc.name)
			cmd := exec.Command("go", "build", "-o", bin, "./corpus/"+tc.name)
			cmd.Dir = suite.testDir
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOAMD64=v1", "GOOS=linux", "GOARCH=amd64")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build ./corpus/%s: %v\n%s", tc.name, err, out)
			}
			straceCompare(t, straceCase{program: tc.name, cc: "go", bin: bin, status: tc.status}, strace, goTrace)
		})
	}
}

// TestReduceStrace checks the reduction on a made-up native trace and
// the same run as ours would print it.
func TestReduceStrace(t *testing.T) {
	native := `100 execve("/p", ["/p"], 0x7ffc /* 3 vars */) = 0
100 brk(NULL)                         = 0x55d000
100 brk(0x57e000)                     = 0x57e000
100 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>
101 getpid()                          = 101
100 <... clone resumed>)              = 101
101 write(1, "a) = 2", 6)             = 6
100 clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_THREAD) = 102
102 gettid()                          = 102
101 exit_group(0)                     = ?
101 +++ exited with 0 +++
100 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=101, si_uid=1000, si_status=0, si_utime=0, si_stime=0} ---
100 wait4(-1, NULL, 0, NULL)          = 101
100 getppid()                         = 7
102 futex(0x7f10, FUTEX_WAIT, 1, NULL <unfinished ...>
102 ???( <unfinished ...>
100 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f0000000000
100 kill(100, SIGSEGV)                = 0
100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SI_USER, si_pid=100, si_uid=1000} ---
100 +++ killed by SIGSEGV (core dumped) +++
`
	// The futex call never resumes (its thread is gone): it is left out,
	// as is the nameless call strace caught the thread in.
	want := straceTrace{
		"root": {"execve = 0", "brk = +0x0", "brk = +0x21000", "clone = root.1", "clone = root.2",
			"--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=root.1, si_uid=UID, si_status=0, si_utime=0, si_stime=0} ---",
			"wait4 = root.1", "getppid = OTHER", "mmap = 0x?", "kill = 0",
			"--- SIGSEGV {si_signo=SIGSEGV, si_code=SI_USER, si_pid=root, si_uid=UID} ---", "+++ killed by SIGSEGV +++"},
		"root.1": {"getpid = root.1", "write = 6", "exit_group = ?", "+++ exited with 0 +++"},
		"root.2": {"gettid = root.2"},
	}
	got, err := reduceStrace(native, true)
	if err != nil {
		t.Fatal(err)
	}
	for r, w := range want {
		if !slices.Equal(got[r], w) {
			t.Errorf("native role %s:\n got %q\nwant %q", r, got[r], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("roles %v, want %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	// The same run as ours prints it: other pids, "[pid N]" prefixes.
	ours := regexp.MustCompile(`(?m)^(\d+) `).ReplaceAllStringFunc(native, func(m string) string {
		return "[pid 42" + strings.TrimSpace(m) + "] "
	})
	for _, p := range []string{"100", "101", "102"} {
		ours = regexp.MustCompile(`\b`+p+`\b`).ReplaceAllString(ours, "42"+p)
	}
	gotOurs, err := reduceStrace(ours, false)
	if err != nil {
		t.Fatal(err)
	}
	for r, w := range want {
		if !slices.Equal(gotOurs[r], w) {
			t.Errorf("ours role %s:\n got %q\nwant %q", r, gotOurs[r], w)
		}
	}
	if _, err := reduceStrace("100 write(1, \"x\", 1) = 1\n200 getpid() = 200\n", true); err == nil {
		t.Error("a pid that no traced clone created was accepted")
	}
	if _, err := reduceStrace("garbage\n", true); err == nil {
		t.Error("a line without a pid was accepted")
	}
}
