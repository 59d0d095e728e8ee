package main

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/go-delve/delve/pkg/dwarf/frame"
	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
	"github.com/redox-gdbstub/redox-gdbstub/target"
	"github.com/sirupsen/logrus"
)

// The `strace` subcommand is the second client of the ptrace API (the
// first is the rsp package): it traces a program's system calls and
// signals and prints them the way Linux's strace does.
//
//	redox-gdbstub strace [-f] [-k] [-o FILE] [-e trace=NAME[,NAME...]] PROG [ARGS...]
//
// It creates the process with target.Load and then uses nothing but the
// trace file of package ptrace: 8-byte operations written with Write,
// 56-byte events read with Read, registers and memory of the parked
// tracee.
//
//   - Without -f it is the seed's simple mode (strace-redox's
//     bin_modes/simple.rs): one blocking Mode2019 session; each blocking
//     Write arms PRE_SYSCALL|POST_SYSCALL|SIGNAL|EXIT, resumes the tracee
//     and returns once a stop (or an event) is queued; Read then gets the
//     events, PRE and POST stops in order.
//   - With -f it is the seed's advanced mode (bin_modes/advanced.rs):
//     non-blocking sessions whose Ready notification (Redox's event:
//     scheme) wakes one loop that drains whichever session has events and
//     re-arms it with a Write that returns at once. Every line is prefixed
//     "[pid N]" (N is the thread id of the stop: threads of the process are
//     traced by its session). PTRACE_EVENT_CLONE is armed: a new thread
//     needs nothing more; a new child process (frozen by the event) gets
//     a session of its own (Session.OpenChild) on the same readiness set,
//     whose first write un-freezes it; from then on the child's syscalls,
//     signals and exit come through that session like the parent's.
//
// -e inject=NAME[,NAME...]:retval=N (or :error=ENOENT) makes the tracer
// answer those calls itself through sysemu: at the PRE_SYSCALL stop it
// sets RAX and resumes with FlagIgnore, so the call is skipped and the
// program sees N; the line ends "(INJECTED)" as in strace.
//
// A call is printed when it returns (its POST stop), in strace's format:
// name(args) = result, the result aligned at column 40, errors as
// "-1 ENOENT (No such file or directory)". Strings are escaped as strace
// does (octal for non-printable bytes) and cut after 32 bytes with "...";
// paths are printed whole. Signals print as "--- SIGSEGV {si_signo=...}
// ---" and the end as "+++ exited with N +++" or "+++ killed by SIG
// (core dumped) +++". A call that never returns (exit_group) prints
// "= ?". The first line is execve, which target.Load performed: it is
// printed from the loaded process's initial stack.
//
// -k prints the call stack after each call, as strace -k does
// (" > /path/prog(func+0xoff) [0xaddr]"), plus "file.c:line" where the
// program has DWARF line information (built with -g). The stack is
// unwound at the PRE_SYSCALL stop with the program's .eh_frame (parsed by
// delve's dwarf/frame), reading the stack through the trace session.
//
// The exit status is the program's, or 128+N when it was killed by
// signal N. Stub failures: 127 (PROG not found), 126 (cannot load),
// 2 (bad command line), 1 (tracing failed).

// straceSubcommand is the word that selects the strace subcommand.
const straceSubcommand = "strace"

// straceOptions are the parsed strace command line.
type straceOptions struct {
	follow bool
	stack  bool
	out    string
	trace  map[string]bool  // nil: every call
	inject map[string]int64 // -e inject=NAME:retval=N|error=E: the tracer answers
	prog   string
	args   []string
}

// exprFlag collects repeated -e options.
type exprFlag []string

func (e *exprFlag) String() string     { return strings.Join(*e, " ") }
func (e *exprFlag) Set(v string) error { *e = append(*e, v); return nil }

func parseStraceArgs(args []string, stderr io.Writer) (straceOptions, error) {
	var o straceOptions
	var exprs exprFlag
	fs := flag.NewFlagSet(progName+" strace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.follow, "f", false, "advanced mode: multiplexed non-blocking sessions, lines prefixed [pid N]")
	fs.BoolVar(&o.stack, "k", false, "print the call stack at each syscall")
	fs.StringVar(&o.out, "o", "", "write the trace to FILE instead of stderr")
	fs.Var(&exprs, "e", "trace=NAME[,NAME...]: print only these calls")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s strace [-f] [-k] [-o FILE] [-e trace=NAME[,NAME...]] PROG [ARGS...]\n"+
			"  Runs PROG in the emulator and prints its system calls and signals.\n", progName)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	for _, e := range exprs {
		if spec, ok := strings.CutPrefix(e, "inject="); ok {
			if err := o.parseInject(spec); err != nil {
				return o, err
			}
			continue
		}
		names, ok := strings.CutPrefix(e, "trace=")
		if !ok && strings.Contains(e, "=") {
			return o, fmt.Errorf("-e %s: only trace= and inject= are supported", e)
		}
		if o.trace == nil {
			o.trace = map[string]bool{}
		}
		for _, n := range strings.Split(names, ",") {
			if n == "all" {
				o.trace = nil
				break
			}
			if _, known := syscallNumbers[n]; !known {
				return o, fmt.Errorf("-e trace=%s: invalid system call %q", names, n)
			}
			o.trace[n] = true
		}
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return o, errors.New("missing PROG")
	}
	o.prog, o.args = rest[0], rest[1:]
	return o, nil
}

// parseInject parses "NAME[,NAME...]:retval=N" or ":error=ENAME".
func (o *straceOptions) parseInject(spec string) error {
	names, action, ok := strings.Cut(spec, ":")
	if !ok {
		return fmt.Errorf("-e inject=%s: missing :retval=N or :error=ERRNO", spec)
	}
	var ret int64
	switch {
	case strings.HasPrefix(action, "retval="):
		v, err := strconv.ParseInt(action[len("retval="):], 0, 64)
		if err != nil {
			return fmt.Errorf("-e inject=%s: bad retval: %w", spec, err)
		}
		ret = v
	case strings.HasPrefix(action, "error="):
		name := action[len("error="):]
		for n, v := range errnoNames {
			if v == name {
				ret = -int64(n)
			}
		}
		if ret == 0 {
			return fmt.Errorf("-e inject=%s: unknown error %q", spec, name)
		}
	default:
		return fmt.Errorf("-e inject=%s: only retval= and error= are supported", spec)
	}
	if o.inject == nil {
		o.inject = map[string]int64{}
	}
	for _, n := range strings.Split(names, ",") {
		if _, known := syscallNumbers[n]; !known {
			return fmt.Errorf("-e inject=%s: invalid system call %q", spec, n)
		}
		o.inject[n] = ret
	}
	return nil
}

// straceCommand runs the strace subcommand and returns the exit status.
func straceCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseStraceArgs(args, stderr)
	if errors.Is(err, errUsage) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s strace: %v\n", progName, err)
		return exitRunUsage
	}
	path, err := resolve(o.prog)
	if err != nil {
		fmt.Fprintf(stderr, "%s strace: %v\n", progName, err)
		return exitNotFound
	}
	if err := checkELF(path); err != nil {
		fmt.Fprintf(stderr, "%s strace: %v\n", progName, err)
		return exitCannotLoad
	}
	out := stderr
	if o.out != "" {
		f, err := os.Create(o.out)
		if err != nil {
			fmt.Fprintf(stderr, "%s strace: %v\n", progName, err)
			return exitRunUsage
		}
		defer f.Close()
		out = f
	}
	log := logrus.New()
	log.SetOutput(stderr)
	log.SetLevel(logrus.WarnLevel)
	proc, err := target.Load(target.Config{
		Path:   path,
		Args:   append([]string{o.prog}, o.args...),
		Env:    os.Environ(),
		Stdin:  stdin,
		Stdout: stdout,
		Stderr: stderr,
		Log:    log.WithField("component", "target"),
	})
	if err != nil {
		fmt.Fprintf(stderr, "%s strace: %v\n", progName, err)
		return exitCannotLoad
	}
	st := newStracer(out, o)
	if o.stack {
		if st.sym, err = newSymbolizer(path); err != nil {
			fmt.Fprintf(stderr, "%s strace: %v\n", progName, err)
			return exitCannotLoad
		}
	}
	shown := path // execve shows the name it was given, or the $PATH match
	if strings.Contains(o.prog, "/") {
		shown = o.prog
	}
	status, err := st.trace(proc, shown)
	if err != nil {
		fmt.Fprintf(stderr, "%s strace: %v\n", progName, err)
		return exitRunFailed
	}
	return guestResult{waitStatus: status}.exitCode()
}

// traceFlags is what strace arms at every resume: strace-redox's
// TRACE_FLAGS without the breakpoint stop (a guest int3 is then a SIGTRAP,
// shown as a signal).
const traceFlags = ptrace.StopPreSyscall | ptrace.StopPostSyscall | ptrace.StopSignal |
	ptrace.StopExit | ptrace.EventClone

// stracer formats the events of one or more tracees.
type stracer struct {
	mu     sync.Mutex // one line at a time
	w      io.Writer
	filter map[string]bool
	follow bool
	stack  bool
	inject map[string]int64
	sym    *symbolizer // -k
}

func newStracer(w io.Writer, o straceOptions) *stracer {
	return &stracer{w: w, filter: o.trace, follow: o.follow, stack: o.stack, inject: o.inject}
}

// tracee is one traced process.
type tracee struct {
	s      *ptrace.Session
	pid    int
	calls  map[int]*pendingCall // by thread: PRE seen, POST not yet
	status int                  // wait status once known
	exited bool                 // the +++ line was printed
	ignore bool                 // the next write skips the syscall (sysemu)
}

// pendingCall is a syscall between its PRE and POST stops.
type pendingCall struct {
	nr       uint64
	args     [6]uint64
	rsp      uint64   // at entry (rt_sigreturn's frame)
	entry    []string // arguments decoded at entry ("" = decoded at exit)
	show     bool
	injected bool     // answered by the tracer (sysemu)
	stack    []uint64 // -k: return addresses at entry
}

// trace opens the session on proc and traces it to its end; it returns
// the wait status.
func (st *stracer) trace(proc *target.Process, path string) (int, error) {
	if st.follow {
		return st.advanced(proc, path)
	}
	return st.simple(proc, path)
}

// simple is the seed's simple mode: one blocking session.
func (st *stracer) simple(proc *target.Process, path string) (int, error) {
	s, err := ptrace.Open(proc, ptrace.Options{StopOnOpen: true, KillOnClose: true})
	if err != nil {
		return 0, fmt.Errorf("trace %s: %w", path, err)
	}
	defer s.Close()
	tc := st.attach(s, path)
	buf := make([]byte, 4*ptrace.EventSize)
	op := traceFlags
	for {
		// Blocking 2019 write: arms, resumes and waits for a stop.
		if err := writeOp(s, op); err != nil {
			if errors.Is(err, syscall.ESRCH) {
				break
			}
			return 0, err
		}
		n, err := s.Read(buf)
		if errors.Is(err, syscall.ESRCH) {
			break
		}
		if err != nil {
			return 0, err
		}
		evs, err := ptrace.DecodeEvents(buf[:n])
		if err != nil {
			return 0, err
		}
		op = st.handle(tc, evs)
	}
	return st.finish(tc), nil
}

// advanced is the seed's advanced mode: non-blocking sessions served by
// one loop through their readiness notification.
func (st *stracer) advanced(proc *target.Process, path string) (int, error) {
	rs := newReadySet()
	s, err := ptrace.Open(proc, ptrace.Options{StopOnOpen: true, KillOnClose: true,
		NonBlocking: true, Ready: rs.notify})
	if err != nil {
		return 0, fmt.Errorf("trace %s: %w", path, err)
	}
	defer s.Close()
	first := st.attach(s, path)
	live := map[*ptrace.Session]*tracee{s: first}
	if err := writeOp(s, traceFlags); err != nil && !errors.Is(err, syscall.ESRCH) {
		return 0, err
	}
	buf := make([]byte, 4*ptrace.EventSize)
	for len(live) > 0 {
		<-rs.wake
		for _, rsess := range rs.take() {
			tc := live[rsess]
			if tc == nil {
				continue
			}
			for {
				n, err := rsess.Read(buf) // never blocks in Mode2019
				if errors.Is(err, syscall.ESRCH) {
					st.finish(tc)
					delete(live, rsess)
					if rsess != s {
						rsess.Close() // a followed child
					}
					break
				}
				if err != nil {
					return 0, err
				}
				if n == 0 {
					break
				}
				evs, err := ptrace.DecodeEvents(buf[:n])
				if err != nil {
					return 0, err
				}
				for _, e := range evs {
					if e.Cause == ptrace.EventClone {
						if c := st.follow1(rsess, int(e.A), rs); c != nil {
							live[c.s] = c
						}
					}
				}
				op := st.handle(tc, evs)
				if err := writeOp(rsess, op); err != nil && !errors.Is(err, syscall.ESRCH) {
					return 0, err
				}
			}
		}
	}
	return first.status, nil
}

// follow1 attaches to the child process pid that an EVENT_CLONE of
// parent reported: a non-blocking session on the same readiness set, and
// a first write that un-freezes it. A thread (its tid is no child
// process) is already traced by the process's session: nil.
func (st *stracer) follow1(parent *ptrace.Session, pid int, rs *readySet) *tracee {
	cs, err := parent.OpenChild(pid, ptrace.Options{NonBlocking: true, Ready: rs.notify})
	if err != nil {
		return nil
	}
	tc := &tracee{s: cs, pid: pid, calls: map[int]*pendingCall{}}
	if err := writeOp(cs, traceFlags); err != nil {
		cs.Close()
		return nil
	}
	return tc
}

// readySet is the tracer's side of the event: scheme: sessions that have
// become readable, and a wake-up for the loop.
type readySet struct {
	mu   sync.Mutex
	set  []*ptrace.Session
	wake chan struct{}
}

func newReadySet() *readySet { return &readySet{wake: make(chan struct{}, 1)} }

// notify is the sessions' Ready callback: it must not block.
func (r *readySet) notify(s *ptrace.Session) {
	r.mu.Lock()
	if !slices.Contains(r.set, s) {
		r.set = append(r.set, s)
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *readySet) take() []*ptrace.Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.set
	r.set = nil
	return s
}

// writeOp writes one 8-byte operation to the trace file.
func writeOp(s *ptrace.Session, op ptrace.Flags) error {
	b, _ := op.MarshalBinary()
	_, err := s.Write(b)
	return err
}

// attach prints the execve that target.Load performed and prepares the
// tracee's state.
func (st *stracer) attach(s *ptrace.Session, path string) *tracee {
	tc := &tracee{s: s, pid: s.Pid(), calls: map[int]*pendingCall{}}
	if st.filter == nil || st.filter["execve"] {
		st.line(tc, s.Pid(), padResult(st.prefix(s.Pid())+"execve("+st.execveArgs(tc, path)+")", "0"))
	}
	return tc
}

// execveArgs decodes argv and envp from the initial stack: argc at RSP,
// then argv[], NULL, envp[], NULL.
func (st *stracer) execveArgs(tc *tracee, path string) string {
	args := quoteString([]byte(path), false)
	threads := tc.s.Threads()
	if len(threads) == 0 {
		return args
	}
	regs, err := tc.s.IntRegs(threads[0])
	if err != nil {
		return args
	}
	argc, ok := tc.word(regs.RSP)
	if !ok {
		return args
	}
	argv := regs.RSP + 8
	envp := argv + 8*(argc+1)
	vars := 0
	for ; vars < 4096; vars++ {
		if p, ok := tc.word(envp + 8*uint64(vars)); !ok || p == 0 {
			break
		}
	}
	return fmt.Sprintf("%s, %s, %#x /* %d vars */", args, tc.stringArray(argv), envp, vars)
}

// handle prints what a batch of events shows and returns the next
// operation: re-arm, or keep waiting (FlagWait) if no stop was among them.
func (st *stracer) handle(tc *tracee, evs []ptrace.Event) ptrace.Flags {
	op := ptrace.FlagWait
	for _, e := range evs {
		switch {
		case e.Cause&ptrace.StopPreSyscall != 0:
			st.syscallEntry(tc)
		case e.Cause&ptrace.StopPostSyscall != 0:
			st.syscallExit(tc)
		case e.Cause&ptrace.StopSignal != 0:
			st.signal(tc, e)
		case e.Cause&ptrace.StopExit != 0:
			tc.status = int(e.A)
			st.exit(tc)
		case e.Cause&ptrace.EventClone != 0:
			// Not a line of its own (strace prints none): with -f the
			// advanced loop attaches to the child (follow); without, the
			// child, read and ignored, is un-frozen by the next write.
			continue
		default:
			continue
		}
		op = traceFlags // a stop: the signal (if any) is delivered
		st.threadExits(tc)
	}
	if tc.ignore && op == traceFlags {
		// Sysemu: FlagIgnore after the PRE_SYSCALL stop skips the call;
		// RAX keeps the value the tracer set.
		op |= ptrace.FlagIgnore
		tc.ignore = false
	}
	return op
}

// threadExits ends the threads that called exit and are gone: exit has
// no POST stop, and a thread's end is not an event of its own.
func (st *stracer) threadExits(tc *tracee) {
	var gone []int
	for tid, c := range tc.calls {
		if c.nr == sysExitNr && tid != tc.pid {
			gone = append(gone, tid)
		}
	}
	if len(gone) == 0 {
		return
	}
	alive := tc.s.Threads()
	slices.Sort(gone)
	for _, tid := range gone {
		if alive == nil || slices.Contains(alive, tid) {
			continue
		}
		c := tc.calls[tid]
		delete(tc.calls, tid)
		if c.show {
			st.line(tc, tid, padResult(st.prefix(tid)+"exit("+strings.Join(c.entry, ", ")+")", "?"))
			st.printStack(tc, tid, c)
		}
		st.line(tc, tid, st.prefix(tid)+fmt.Sprintf("+++ exited with %d +++", c.args[0]&0xff))
	}
}

// sysExitNr is exit(2): it ends one thread.
const sysExitNr = 60

// stopTid is the thread parked at the current stop.
func (tc *tracee) stopTid() int {
	if info, ok := tc.s.LastStop(); ok && info.Tid > 0 {
		return info.Tid
	}
	return tc.pid
}

func (st *stracer) syscallEntry(tc *tracee) {
	tid := tc.stopTid()
	regs, err := tc.s.IntRegs(tid)
	if err != nil {
		return
	}
	// At a PRE_SYSCALL stop RAX is the syscall number (Redox has no orig_rax).
	c := &pendingCall{nr: regs.RAX, args: [6]uint64{regs.RDI, regs.RSI, regs.RDX, regs.R10, regs.R8, regs.R9}, rsp: regs.RSP}
	name := syscallName(c.nr)
	c.show = st.filter == nil || st.filter[name]
	if c.show {
		c.entry = tc.formatArgs(c, false, 0)
	}
	if c.show && st.sym != nil {
		c.stack = st.sym.unwind(regs, tc.word)
	}
	if ret, ok := st.inject[name]; ok {
		regs.RAX = uint64(ret)
		if err := tc.s.SetIntRegs(tid, regs); err == nil {
			c.injected, tc.ignore = true, true
		}
	}
	tc.calls[tid] = c
}

func (st *stracer) syscallExit(tc *tracee) {
	tid := tc.stopTid()
	c := tc.calls[tid]
	delete(tc.calls, tid)
	regs, err := tc.s.IntRegs(tid)
	if err != nil || c == nil || !c.show {
		return
	}
	ret := int64(regs.RAX)
	args := c.entry
	if syscallName(c.nr) != "execve" || ret < 0 && ret >= -4095 {
		// A successful execve has replaced the memory its arguments
		// were in: they stay as decoded at entry.
		args = tc.formatArgs(c, true, ret)
	}
	call := st.prefix(tid) + syscallName(c.nr) + "(" + strings.Join(args, ", ") + ")"
	result := tc.returnValue(c, ret)
	if c.injected {
		result += " (INJECTED)"
	}
	st.line(tc, tid, padResult(call, result))
	st.printStack(tc, tid, c)
}

// unfinished prints the calls that will never return (exit_group, or a
// call cut short by a fatal signal) as "= ?".
func (st *stracer) unfinished(tc *tracee) {
	tids := make([]int, 0, len(tc.calls))
	for tid := range tc.calls {
		tids = append(tids, tid)
	}
	slices.Sort(tids)
	for _, tid := range tids {
		c := tc.calls[tid]
		delete(tc.calls, tid)
		if !c.show {
			continue
		}
		call := st.prefix(tid) + syscallName(c.nr) + "(" + strings.Join(c.entry, ", ") + ")"
		st.line(tc, tid, padResult(call, "?"))
		st.printStack(tc, tid, c)
	}
}

// printStack prints the -k call stack of a call.
func (st *stracer) printStack(tc *tracee, tid int, c *pendingCall) {
	for i, pc := range c.stack {
		st.line(tc, tid, st.prefix(tid)+st.sym.describe(pc, i == 0))
	}
}

func (st *stracer) signal(tc *tracee, e ptrace.Event) {
	tid := tc.stopTid()
	info, _ := tc.s.LastStop()
	sig := int(e.A)
	fields := []string{"si_signo=" + signalName(sig)}
	code := info.SigCode
	fields = append(fields, "si_code="+sigCodeName(sig, code))
	switch {
	case code > 0 && code < 0x80 && (sig == sigSEGV || sig == sigBUS || sig == sigILL || sig == sigFPE):
		fields = append(fields, "si_addr="+pointer(info.SigAddr))
	case sig == sigCHLD && code >= cldExited && code <= cldContinued:
		// The child's CPU times are not accounted (always 0).
		fields = append(fields, fmt.Sprintf("si_pid=%d", info.SigPid), fmt.Sprintf("si_uid=%d", info.SigUid),
			fmt.Sprintf("si_status=%s", childStatusText(code, info.SigStatus)), "si_utime=0", "si_stime=0")
	case code == 0 || code == siTKILL || code == siQUEUE:
		// Sent with kill/tkill/sigqueue by a guest process, as the
		// host user.
		fields = append(fields, fmt.Sprintf("si_pid=%d", info.SigPid), fmt.Sprintf("si_uid=%d", info.SigUid))
	}
	st.line(tc, tid, st.prefix(tid)+"--- "+signalName(sig)+" {"+strings.Join(fields, ", ")+"} ---")
}

// exit prints the end of the process (once).
func (st *stracer) exit(tc *tracee) {
	if tc.exited {
		return
	}
	tc.exited = true
	st.unfinished(tc)
	status := tc.status
	var msg string
	if sig := status & 0x7f; sig != 0 {
		msg = "+++ killed by " + signalName(sig)
		if status&0x80 != 0 {
			msg += " (core dumped)"
		}
		msg += " +++"
	} else {
		msg = fmt.Sprintf("+++ exited with %d +++", (status>>8)&0xff)
	}
	st.line(tc, tc.pid, st.prefix(tc.pid)+msg)
}

// finish is called once the session reports ESRCH: the exit line is
// printed from ExitStatus if STOP_EXIT was not seen.
func (st *stracer) finish(tc *tracee) int {
	if !tc.exited {
		if status, ok := tc.s.ExitStatus(); ok {
			tc.status = status
		}
		st.exit(tc)
	}
	return tc.status
}

func (st *stracer) prefix(tid int) string {
	if !st.follow {
		return ""
	}
	return fmt.Sprintf("[pid %d] ", tid)
}

func (st *stracer) line(_ *tracee, _ int, s string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	io.WriteString(st.w, s+"\n")
}

// padResult aligns " = result" at column 40 as strace does.
func padResult(call, result string) string {
	if len(call) < 40 {
		call += strings.Repeat(" ", 40-len(call))
		return call + "= " + result
	}
	return call + " = " + result
}

// --- tracee memory -------------------------------------------------------

const (
	maxStrLen  = 32   // strace -s default
	maxPathLen = 4096 // PATH_MAX: paths are printed whole
	pageSize   = 4096
)

func (tc *tracee) word(addr uint64) (uint64, bool) {
	var b [8]byte
	if tc.s.ReadMem(addr, b[:]) != nil {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[:]), true
}

func (tc *tracee) bytes(addr uint64, n int) ([]byte, bool) {
	b := make([]byte, n)
	if tc.s.ReadMem(addr, b) != nil {
		return nil, false
	}
	return b, true
}

// cString reads a NUL-terminated string of at most max bytes; more
// reports that it is longer. Reads never cross into an unmapped page
// needlessly: memory access fails as a whole.
func (tc *tracee) cString(addr uint64, max int) (s []byte, more, ok bool) {
	for len(s) <= max {
		n := int(pageSize - (addr+uint64(len(s)))%pageSize)
		chunk, good := tc.bytes(addr+uint64(len(s)), n)
		if !good {
			return nil, false, false
		}
		if i := slices.Index(chunk, 0); i >= 0 {
			s = append(s, chunk[:i]...)
			break
		}
		s = append(s, chunk...)
	}
	if len(s) > max {
		return s[:max], true, true
	}
	return s, false, true
}

// str formats a C string argument: NULL, the quoted string, or the
// address if it cannot be read.
func (tc *tracee) str(addr uint64, max int) string {
	if addr == 0 {
		return "NULL"
	}
	s, more, ok := tc.cString(addr, max)
	if !ok {
		return pointer(addr)
	}
	return quoteString(s, more)
}

// buf formats n bytes at addr as a (truncated) quoted string.
func (tc *tracee) buf(addr uint64, n int64) string {
	if n < 0 {
		return pointer(addr)
	}
	show := min(n, maxStrLen)
	b, ok := tc.bytes(addr, int(show))
	if !ok {
		return pointer(addr)
	}
	return quoteString(b, n > show)
}

// stringArray formats a NULL-terminated array of C strings.
func (tc *tracee) stringArray(addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	var parts []string
	for i := uint64(0); ; i++ {
		p, ok := tc.word(addr + 8*i)
		if !ok {
			return pointer(addr)
		}
		if p == 0 {
			break
		}
		if i == maxStrLen {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, tc.str(p, maxStrLen))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// quoteString escapes b as strace does: C escapes for \t \n \v \f \r,
// octal for other non-printable bytes (three digits when a digit follows).
func quoteString(b []byte, more bool) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for i, c := range b {
		switch {
		case c == '"' || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\v':
			sb.WriteString(`\v`)
		case c == '\f':
			sb.WriteString(`\f`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			nextDigit := i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '7'
			if nextDigit {
				fmt.Fprintf(&sb, `\%03o`, c)
			} else {
				fmt.Fprintf(&sb, `\%o`, c)
			}
		}
	}
	sb.WriteByte('"')
	if more {
		sb.WriteString("...")
	}
	return sb.String()
}

func pointer(v uint64) string {
	if v == 0 {
		return "NULL"
	}
	return fmt.Sprintf("%#x", v)
}

// --- arguments -----------------------------------------------------------

// argKind says how one argument is decoded.
type argKind int

const (
	aInt          argKind = iota // signed decimal (int)
	aLong                        // signed decimal (long)
	aUint                        // unsigned decimal
	aPtr                         // NULL or hex
	aHex                         // hex, 0 as "0" (offsets)
	aOct                         // octal mode
	aDirfd                       // AT_FDCWD or int
	aPath                        // C string, whole
	aStr                         // C string, cut at 32
	aBufIn                       // buffer, length = next argument
	aBufOut                      // buffer written by the call, length = result
	aPathOut                     // C string written by the call (getcwd)
	aOpenFlags                   // O_* (the mode follows with O_CREAT/O_TMPFILE)
	aProt                        // PROT_*
	aMapFlags                    // MAP_*
	aWhence                      // SEEK_*
	aAccess                      // F_OK / R_OK|W_OK|X_OK
	aAtFlags                     // AT_*
	aSignal                      // SIGxxx
	aSigHow                      // SIG_BLOCK...
	aClock                       // CLOCK_*
	aIoctl                       // ioctl request (and its argument)
	aArchPrctl                   // ARCH_*
	aFcntl                       // F_* (and its argument)
	aFutex                       // FUTEX_* (and the arguments it uses)
	aRlimit                      // RLIMIT_*
	aStatOut                     // struct stat written by the call
	aUnameOut                    // struct utsname written by the call
	aTimespecIn                  // struct timespec read by the call
	aTimespecOut                 // struct timespec written by the call
	aTimevalOut                  // struct timeval written by the call
	aIovecIn                     // iovec array read by the call (count next)
	aIovecOut                    // iovec array written by the call (count next)
	aPipeOut                     // int[2] written by the call
	aWaitStatus                  // int* status written by wait4
	aArgv                        // NULL-terminated string array
	aEnvp                        // envp, shown as "0x... /* N vars */"
	aGrndFlags                   // GRND_*
	aSigset                      // sigset_t read by the call
	aSigsetOut                   // sigset_t written by the call
	aSigaction                   // struct sigaction (kernel layout) read by the call
	aSigactionOut                // struct sigaction written by the call
	aSigreturn                   // rt_sigreturn: the mask it restores, {mask=[...]}
	aClone                       // clone's five arguments, named as strace does
	aRandomOut                   // buffer written by getrandom, every byte in hex as strace prints it
	aMremapFlags                 // MREMAP_* (new_address follows with MREMAP_FIXED)
	aPollfds                     // struct pollfd array read by poll (count next)
	aSiginfoOut                  // siginfo_t written by the call
	aEpollCtl                    // epoll_ctl's op, fd and struct epoll_event
	aEpollOut                    // struct epoll_event array written by epoll_wait (count = result)
	aEfdFlags                    // EFD_*
	aEpollFlags                  // EPOLL_CLOEXEC
	aPipeFlags                   // pipe2's O_NONBLOCK|O_CLOEXEC|O_DIRECT, 0 as "0"
	aMadvise                     // MADV_*
)

// isOut reports whether an argument is only meaningful at the call's exit.
func (k argKind) isOut() bool {
	switch k {
	case aClone, aSigsetOut, aSigactionOut, aBufOut, aRandomOut, aSiginfoOut, aEpollOut, aPathOut, aStatOut, aUnameOut, aTimespecOut, aTimevalOut, aIovecOut, aPipeOut, aWaitStatus, aIoctl:
		return true
	}
	return false
}

// retKind says how the result is shown.
type retKind int

const (
	rDec  retKind = iota // decimal, or -1 ERRNO (message)
	rHex                 // address (mmap, brk)
	rNone                // never returns
)

type callSpec struct {
	args []argKind
	ret  retKind
}

// specs covers the calls target implements (and a few more); other calls
// print their six raw arguments in hex.
var specs = map[string]callSpec{
	"read":              {args: []argKind{aInt, aBufOut, aUint}},
	"write":             {args: []argKind{aInt, aBufIn, aUint}},
	"open":              {args: []argKind{aPath, aOpenFlags}},
	"close":             {args: []argKind{aInt}},
	"stat":              {args: []argKind{aPath, aStatOut}},
	"fstat":             {args: []argKind{aInt, aStatOut}},
	"lstat":             {args: []argKind{aPath, aStatOut}},
	"lseek":             {args: []argKind{aInt, aLong, aWhence}},
	"mmap":              {args: []argKind{aPtr, aUint, aProt, aMapFlags, aInt, aHex}, ret: rHex},
	"mprotect":          {args: []argKind{aPtr, aUint, aProt}},
	"munmap":            {args: []argKind{aPtr, aUint}},
	"brk":               {args: []argKind{aPtr}, ret: rHex},
	"rt_sigaction":      {args: []argKind{aSignal, aSigaction, aSigactionOut, aUint}},
	"rt_sigprocmask":    {args: []argKind{aSigHow, aSigset, aSigsetOut, aUint}},
	"rt_sigreturn":      {args: []argKind{aSigreturn}},
	"ioctl":             {args: []argKind{aInt, aIoctl}},
	"pread64":           {args: []argKind{aInt, aBufOut, aUint, aLong}},
	"pwrite64":          {args: []argKind{aInt, aBufIn, aUint, aLong}},
	"readv":             {args: []argKind{aInt, aIovecOut, aInt}},
	"writev":            {args: []argKind{aInt, aIovecIn, aInt}},
	"access":            {args: []argKind{aPath, aAccess}},
	"pipe":              {args: []argKind{aPipeOut}},
	"pipe2":             {args: []argKind{aPipeOut, aPipeFlags}},
	"sched_yield":       {args: []argKind{}},
	"madvise":           {args: []argKind{aPtr, aUint, aMadvise}},
	"dup":               {args: []argKind{aInt}},
	"dup2":              {args: []argKind{aInt, aInt}},
	"dup3":              {args: []argKind{aInt, aInt, aOpenFlags}},
	"pause":             {args: []argKind{}},
	"nanosleep":         {args: []argKind{aTimespecIn, aPtr}},
	"getpid":            {args: []argKind{}},
	"fork":              {args: []argKind{}},
	"vfork":             {args: []argKind{}},
	"execve":            {args: []argKind{aPath, aArgv, aEnvp}},
	"exit":              {args: []argKind{aInt}, ret: rNone},
	"exit_group":        {args: []argKind{aInt}, ret: rNone},
	"wait4":             {args: []argKind{aInt, aWaitStatus, aInt, aPtr}},
	"kill":              {args: []argKind{aInt, aSignal}},
	"uname":             {args: []argKind{aUnameOut}},
	"fcntl":             {args: []argKind{aInt, aFcntl}},
	"getcwd":            {args: []argKind{aPathOut, aUint}},
	"readlink":          {args: []argKind{aPath, aBufOut, aUint}},
	"gettimeofday":      {args: []argKind{aTimevalOut, aPtr}},
	"getrlimit":         {args: []argKind{aRlimit, aPtr}},
	"getuid":            {args: []argKind{}},
	"getgid":            {args: []argKind{}},
	"geteuid":           {args: []argKind{}},
	"getegid":           {args: []argKind{}},
	"getppid":           {args: []argKind{}},
	"sigaltstack":       {args: []argKind{aPtr, aPtr}},
	"arch_prctl":        {args: []argKind{aArchPrctl, aPtr}},
	"gettid":            {args: []argKind{}},
	"time":              {args: []argKind{aPtr}},
	"futex":             {args: []argKind{aPtr, aFutex}},
	"tkill":             {args: []argKind{aInt, aSignal}},
	"getdents64":        {args: []argKind{aInt, aPtr, aUint}},
	"rt_sigpending":     {args: []argKind{aSigsetOut, aUint}},
	"rt_sigsuspend":     {args: []argKind{aSigset, aUint}},
	"set_tid_address":   {args: []argKind{aPtr}},
	"clock_gettime":     {args: []argKind{aClock, aTimespecOut}},
	"clock_getres":      {args: []argKind{aClock, aTimespecOut}},
	"clock_nanosleep":   {args: []argKind{aClock, aInt, aTimespecIn, aPtr}},
	"tgkill":            {args: []argKind{aInt, aInt, aSignal}},
	"openat":            {args: []argKind{aDirfd, aPath, aOpenFlags}},
	"newfstatat":        {args: []argKind{aDirfd, aPath, aStatOut, aAtFlags}},
	"readlinkat":        {args: []argKind{aDirfd, aPath, aBufOut, aUint}},
	"faccessat":         {args: []argKind{aDirfd, aPath, aAccess}},
	"faccessat2":        {args: []argKind{aDirfd, aPath, aAccess, aAtFlags}},
	"set_robust_list":   {args: []argKind{aPtr, aUint}},
	"prlimit64":         {args: []argKind{aInt, aRlimit, aPtr, aPtr}},
	"getrandom":         {args: []argKind{aRandomOut, aUint, aGrndFlags}},
	"rseq":              {args: []argKind{aPtr, aHex, aInt, aHex}},
	"mremap":            {args: []argKind{aPtr, aUint, aUint, aMremapFlags}, ret: rHex},
	"poll":              {args: []argKind{aPollfds, aUint, aInt}},
	"rt_sigtimedwait":   {args: []argKind{aSigset, aSiginfoOut, aTimespecIn, aUint}},
	"epoll_create1":     {args: []argKind{aEpollFlags}},
	"epoll_ctl":         {args: []argKind{aInt, aEpollCtl}},
	"epoll_pwait":       {args: []argKind{aInt, aEpollOut, aInt, aInt, aSigset, aUint}},
	"epoll_wait":        {args: []argKind{aInt, aEpollOut, aInt, aInt}},
	"eventfd2":          {args: []argKind{aUint, aEfdFlags}},
	"clone":             {args: []argKind{aClone}},
	"clone3":            {args: []argKind{aPtr, aUint}},
	"getpgrp":           {args: []argKind{}},
	"setpgid":           {args: []argKind{aInt, aInt}},
	"sched_getaffinity": {args: []argKind{aInt, aUint, aPtr}},
	"unlink":            {args: []argKind{aPath}},
	"unlinkat":          {args: []argKind{aDirfd, aPath, aAtFlags}},
	"mkdir":             {args: []argKind{aPath, aOct}},
	"chdir":             {args: []argKind{aPath}},
}

// formatArgs decodes a call's arguments. At entry (exit false) arguments
// read by the call are decoded and those written by it are left "";
// at exit the latter are filled in from the result.
func (tc *tracee) formatArgs(c *pendingCall, exit bool, ret int64) []string {
	spec, ok := specs[syscallName(c.nr)]
	if !ok {
		out := make([]string, 6)
		for i, a := range c.args {
			out[i] = fmt.Sprintf("%#x", a)
		}
		return out
	}
	failed := ret < 0 && ret >= -4095
	var out []string
	for i := 0; i < len(spec.args); i++ {
		k := spec.args[i]
		if !exit && k.isOut() {
			out = append(out, "")
			continue
		}
		a := c.args[i]
		var next uint64
		if i+1 < len(c.args) {
			next = c.args[i+1]
		}
		switch k {
		case aInt:
			out = append(out, strconv.Itoa(int(int32(a))))
		case aLong:
			out = append(out, strconv.FormatInt(int64(a), 10))
		case aUint:
			out = append(out, strconv.FormatUint(a, 10))
		case aPtr:
			out = append(out, pointer(a))
		case aHex:
			out = append(out, hexOrZero(a))
		case aOct:
			out = append(out, fmt.Sprintf("%#o", a))
		case aDirfd:
			if int32(a) == atFDCWD {
				out = append(out, "AT_FDCWD")
			} else {
				out = append(out, strconv.Itoa(int(int32(a))))
			}
		case aPath:
			out = append(out, tc.str(a, maxPathLen))
		case aStr:
			out = append(out, tc.str(a, maxStrLen))
		case aBufIn:
			out = append(out, tc.buf(a, int64(next)))
		case aBufOut:
			if failed {
				out = append(out, pointer(a))
			} else {
				out = append(out, tc.buf(a, ret))
			}
		case aPathOut:
			if failed {
				out = append(out, pointer(a))
			} else {
				out = append(out, tc.str(a, maxPathLen))
			}
		case aOpenFlags:
			out = append(out, openFlags(a))
			if a&(oCREAT|oTMPFILE) != 0 && i+1 < len(c.args) {
				out = append(out, fmt.Sprintf("%#o", next))
			}
		case aProt:
			out = append(out, bitNames(a, protNames, "PROT_NONE"))
		case aMapFlags:
			out = append(out, mapFlags(a))
		case aWhence:
			out = append(out, enumName(a, whenceNames))
		case aAccess:
			out = append(out, bitNames(a, accessNames, "F_OK"))
		case aAtFlags:
			out = append(out, bitNames(a, atFlagNames, "0"))
		case aSignal:
			out = append(out, signalName(int(a)))
		case aSigHow:
			out = append(out, enumName(a, sigHowNames))
		case aClock:
			out = append(out, enumName(a, clockNames))
		case aArchPrctl:
			out = append(out, enumName(a, archPrctlNames))
		case aRlimit:
			out = append(out, enumName(a, rlimitNames))
		case aGrndFlags:
			out = append(out, bitNames(a, grndNames, "0"))
		case aIoctl:
			out = append(out, tc.ioctlArgs(a, next, failed)...)
			return out
		case aFcntl:
			return append(out, fcntlArgs(a, next)...)
		case aFutex:
			return append(out, futexArgs(a, c.args[2], c.args[3])...)
		case aStatOut:
			out = append(out, tc.outStruct(a, failed, statSize, formatStat))
		case aUnameOut:
			out = append(out, tc.outStruct(a, failed, utsSize, formatUname))
		case aTimespecOut:
			out = append(out, tc.outStruct(a, failed, 16, formatTimespec))
		case aTimespecIn:
			out = append(out, tc.outStruct(a, false, 16, formatTimespec))
		case aTimevalOut:
			out = append(out, tc.outStruct(a, failed, 16, formatTimeval))
		case aIovecIn:
			out = append(out, tc.iovec(a, int(int32(next)), -1))
		case aIovecOut:
			if failed {
				out = append(out, pointer(a))
			} else {
				out = append(out, tc.iovec(a, int(int32(next)), ret))
			}
		case aPipeOut:
			out = append(out, tc.outStruct(a, failed, 8, func(b []byte) string {
				return fmt.Sprintf("[%d, %d]", int32(binary.LittleEndian.Uint32(b)), int32(binary.LittleEndian.Uint32(b[4:])))
			}))
		case aWaitStatus:
			if failed || a == 0 || ret == 0 {
				out = append(out, pointer(a))
			} else if b, ok := tc.bytes(a, 4); ok {
				out = append(out, "["+waitStatus(int(binary.LittleEndian.Uint32(b)))+"]")
			} else {
				out = append(out, pointer(a))
			}
		case aClone:
			return append(out, tc.cloneArgs(c.args, failed))
		case aRandomOut:
			if failed {
				out = append(out, pointer(a))
			} else {
				out = append(out, tc.hexBuf(a, ret))
			}
		case aMremapFlags:
			out = append(out, bitNames(a, mremapNames, "0"))
			if a&mremapFixed != 0 {
				out = append(out, pointer(next))
			}
			return out
		case aPollfds:
			out = append(out, tc.pollfds(a, next, "events"))
		case aSiginfoOut:
			out = append(out, tc.outStruct(a, failed, 32, formatSiginfo))
		case aEpollCtl:
			// op, fd, event: the event is not read for EPOLL_CTL_DEL.
			out = append(out, enumName(a, epollOpNames), strconv.Itoa(int(int32(next))))
			ev := c.args[i+2]
			if a == epollCtlDel {
				return append(out, pointer(ev))
			}
			return append(out, tc.outStruct(ev, false, epollEventSize, formatEpollEvents))
		case aEpollOut:
			if failed || ret > 1024 {
				out = append(out, pointer(a))
			} else {
				out = append(out, tc.outStruct(a, false, epollEventSize*int(ret), func(b []byte) string {
					return "[" + formatEpollEvents(b) + "]"
				}))
			}
		case aPipeFlags:
			out = append(out, bitNames(a, pipeFlagNames, "0"))
		case aMadvise:
			out = append(out, enumName(a, madviseNames))
		case aEfdFlags:
			out = append(out, bitNames(a, efdNames, "0"))
		case aEpollFlags:
			out = append(out, bitNames(a, []bitName{{oCLOEXECFlag, "EPOLL_CLOEXEC"}}, "0"))
		case aSigset:
			out = append(out, tc.outStruct(a, false, 8, formatSigset))
		case aSigsetOut:
			out = append(out, tc.outStruct(a, failed, 8, formatSigset))
		case aSigaction:
			out = append(out, tc.outStruct(a, false, 32, formatSigaction))
		case aSigactionOut:
			out = append(out, tc.outStruct(a, failed, 32, formatSigaction))
		case aSigreturn:
			// RSP points at the ucontext of the signal frame; the mask
			// is uc_sigmask, at offset 296.
			out = append(out, "{mask="+tc.outStruct(c.rsp+296, false, 8, formatSigset)+"}")
		case aArgv:
			out = append(out, tc.stringArray(a))
		case aEnvp:
			n := 0
			for ; n < 4096; n++ {
				if p, ok := tc.word(a + 8*uint64(n)); !ok || p == 0 {
					break
				}
			}
			out = append(out, fmt.Sprintf("%s /* %d vars */", pointer(a), n))
		}
	}
	return out
}

var cloneFlagNames = []bitName{{0x100, "CLONE_VM"}, {0x200, "CLONE_FS"}, {0x400, "CLONE_FILES"},
	{0x800, "CLONE_SIGHAND"}, {0x1000, "CLONE_PIDFD"}, {0x2000, "CLONE_PTRACE"}, {0x4000, "CLONE_VFORK"},
	{0x8000, "CLONE_PARENT"}, {0x10000, "CLONE_THREAD"}, {0x20000, "CLONE_NEWNS"},
	{0x40000, "CLONE_SYSVSEM"}, {0x80000, "CLONE_SETTLS"}, {0x100000, "CLONE_PARENT_SETTID"},
	{0x200000, "CLONE_CHILD_CLEARTID"}, {0x400000, "CLONE_DETACHED"}, {0x800000, "CLONE_UNTRACED"},
	{0x1000000, "CLONE_CHILD_SETTID"}, {0x2000000, "CLONE_NEWCGROUP"}, {0x4000000, "CLONE_NEWUTS"},
	{0x8000000, "CLONE_NEWIPC"}, {0x10000000, "CLONE_NEWUSER"}, {0x20000000, "CLONE_NEWPID"},
	{0x40000000, "CLONE_NEWNET"}, {0x80000000, "CLONE_IO"}}

// cloneArgs formats clone(flags, stack, parent_tid, child_tid, tls) on
// x86_64 as strace does, showing only the fields the flags use.
func (tc *tracee) cloneArgs(a [6]uint64, failed bool) string {
	flags, stack, ptid, ctid, tls := a[0], a[1], a[2], a[3], a[4]
	f := bitNames(flags&^0xff, cloneFlagNames, "")
	if sig := int(flags & 0xff); sig != 0 {
		if f != "" {
			f += "|"
		}
		f += signalName(sig)
	}
	if f == "" {
		f = "0"
	}
	parts := []string{"child_stack=" + pointer(stack), "flags=" + f}
	if flags&0x100000 != 0 { // CLONE_PARENT_SETTID
		v := pointer(ptid)
		if b, ok := tc.bytes(ptid, 4); ok && !failed {
			v = fmt.Sprintf("[%d]", int32(binary.LittleEndian.Uint32(b)))
		}
		parts = append(parts, "parent_tid="+v)
	}
	if flags&0x80000 != 0 { // CLONE_SETTLS
		parts = append(parts, "tls="+pointer(tls))
	}
	if flags&0x1200000 != 0 { // CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID
		parts = append(parts, "child_tidptr="+pointer(ctid))
	}
	return strings.Join(parts, ", ")
}

// outStruct decodes a struct the call wrote (or read); on failure or NULL
// the address is shown.
func (tc *tracee) outStruct(addr uint64, failed bool, size int, f func([]byte) string) string {
	if failed || addr == 0 {
		return pointer(addr)
	}
	b, ok := tc.bytes(addr, size)
	if !ok {
		return pointer(addr)
	}
	return f(b)
}

// iovec decodes n iovecs; limit is the number of bytes the call
// transferred (readv's result), or -1 for all of each iov_len.
func (tc *tracee) iovec(addr uint64, n int, limit int64) string {
	if n < 0 || n > 1024 {
		return pointer(addr)
	}
	raw, ok := tc.bytes(addr, 16*n)
	if !ok {
		return pointer(addr)
	}
	parts := make([]string, n)
	for i := range n {
		base := binary.LittleEndian.Uint64(raw[16*i:])
		l := binary.LittleEndian.Uint64(raw[16*i+8:])
		show := int64(l)
		if limit >= 0 {
			show = min(show, limit)
			limit -= show
		}
		var data string
		if base == 0 {
			data = "NULL"
		} else {
			b, ok := tc.bytes(base, int(min(show, maxStrLen)))
			if !ok {
				data = pointer(base)
			} else {
				data = quoteString(b, show > maxStrLen)
			}
		}
		parts[i] = fmt.Sprintf("{iov_base=%s, iov_len=%d}", data, l)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// ioctlArgs formats an ioctl's request and argument.
func (tc *tracee) ioctlArgs(req, arg uint64, failed bool) []string {
	name, known := ioctlNames[req]
	if !known {
		return []string{fmt.Sprintf("%#x", req), pointer(arg)}
	}
	if req == tiocGWINSZ && !failed {
		return []string{name, tc.outStruct(arg, false, 8, func(b []byte) string {
			h := func(i int) uint16 { return binary.LittleEndian.Uint16(b[2*i:]) }
			return fmt.Sprintf("{ws_row=%d, ws_col=%d, ws_xpixel=%d, ws_ypixel=%d}", h(0), h(1), h(2), h(3))
		})}
	}
	return []string{name, pointer(arg)}
}

func fcntlArgs(cmd, arg uint64) []string {
	name := enumName(cmd, fcntlNames)
	switch cmd {
	case 0, 1030: // F_DUPFD, F_DUPFD_CLOEXEC
		return []string{name, strconv.Itoa(int(int32(arg)))}
	case 2: // F_SETFD
		if arg == 1 {
			return []string{name, "FD_CLOEXEC"}
		}
		return []string{name, strconv.FormatUint(arg, 10)}
	case 4: // F_SETFL
		return []string{name, openFlags(arg)}
	case 1, 3: // F_GETFD, F_GETFL
		return []string{name}
	}
	return []string{name, pointer(arg)}
}

func futexArgs(op, val, timeout uint64) []string {
	base := op &^ (futexPrivate | futexClockRealtime)
	name := enumName(base, futexNames)
	if op&futexPrivate != 0 {
		name += "_PRIVATE"
	}
	if op&futexClockRealtime != 0 {
		name += "|FUTEX_CLOCK_REALTIME"
	}
	switch base {
	case 0: // FUTEX_WAIT
		return []string{name, strconv.Itoa(int(int32(val))), pointer(timeout)}
	case 1: // FUTEX_WAKE
		return []string{name, strconv.Itoa(int(int32(val)))}
	}
	return []string{name, strconv.Itoa(int(int32(val))), pointer(timeout)}
}

// hexBuf formats the n bytes at addr with every byte escaped in hex,
// as strace does for getrandom's random bytes.
func (tc *tracee) hexBuf(addr uint64, n int64) string {
	show := min(n, maxStrLen)
	b, ok := tc.bytes(addr, int(show))
	if !ok {
		return pointer(addr)
	}
	var sb strings.Builder
	sb.WriteByte('"')
	for _, c := range b {
		fmt.Fprintf(&sb, "\\x%02x", c)
	}
	sb.WriteByte('"')
	if n > show {
		sb.WriteString("...")
	}
	return sb.String()
}

// mremapFixed is MREMAP_FIXED: mremap's fifth argument is then used.
const mremapFixed = 2

var mremapNames = []bitName{{1, "MREMAP_MAYMOVE"}, {mremapFixed, "MREMAP_FIXED"}, {4, "MREMAP_DONTUNMAP"}}

var pollNames = []bitName{{0x1, "POLLIN"}, {0x2, "POLLPRI"}, {0x4, "POLLOUT"}, {0x8, "POLLERR"},
	{0x10, "POLLHUP"}, {0x20, "POLLNVAL"}, {0x40, "POLLRDNORM"}, {0x80, "POLLRDBAND"},
	{0x100, "POLLWRNORM"}, {0x200, "POLLWRBAND"}, {0x400, "POLLMSG"}, {0x2000, "POLLRDHUP"}}

// pollfds formats n struct pollfd {int fd; short events, revents;}:
// with field "events" all of them (poll's argument), with "revents"
// only those whose revents is set (what strace appends to the result).
func (tc *tracee) pollfds(addr, n uint64, field string) string {
	if n > 1024 {
		return pointer(addr)
	}
	raw, ok := tc.bytes(addr, 8*int(n))
	if !ok {
		return pointer(addr)
	}
	var parts []string
	for i := range int(n) {
		fd := int32(binary.LittleEndian.Uint32(raw[8*i:]))
		ev := uint64(binary.LittleEndian.Uint16(raw[8*i+4:]))
		if field == "revents" {
			ev = uint64(binary.LittleEndian.Uint16(raw[8*i+6:]))
			if ev == 0 {
				continue
			}
		}
		parts = append(parts, fmt.Sprintf("{fd=%d, %s=%s}", fd, field, bitNames(ev, pollNames, "0")))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

var pipeFlagNames = []bitName{{0x800, "O_NONBLOCK"}, {0x4000, "O_DIRECT"}, {0x80000, "O_CLOEXEC"}}

var madviseNames = map[uint64]string{0: "MADV_NORMAL", 1: "MADV_RANDOM", 2: "MADV_SEQUENTIAL",
	3: "MADV_WILLNEED", 4: "MADV_DONTNEED", 8: "MADV_FREE", 9: "MADV_REMOVE", 10: "MADV_DONTFORK",
	11: "MADV_DOFORK", 12: "MADV_MERGEABLE", 13: "MADV_UNMERGEABLE", 14: "MADV_HUGEPAGE",
	15: "MADV_NOHUGEPAGE", 16: "MADV_DONTDUMP", 17: "MADV_DODUMP", 18: "MADV_WIPEONFORK",
	19: "MADV_KEEPONFORK", 20: "MADV_COLD", 21: "MADV_PAGEOUT", 22: "MADV_POPULATE_READ",
	23: "MADV_POPULATE_WRITE", 24: "MADV_DONTNEED_LOCKED", 25: "MADV_COLLAPSE"}

// epoll_ctl's operations.
const epollCtlDel = 2

var epollOpNames = map[uint64]string{1: "EPOLL_CTL_ADD", epollCtlDel: "EPOLL_CTL_DEL", 3: "EPOLL_CTL_MOD"}

// epollEventSize is sizeof(struct epoll_event) on x86_64, where it is
// packed: u32 events, u64 data.
const epollEventSize = 12

var epollNames = []bitName{{0x1, "EPOLLIN"}, {0x2, "EPOLLPRI"}, {0x4, "EPOLLOUT"}, {0x8, "EPOLLERR"},
	{0x10, "EPOLLHUP"}, {0x20, "EPOLLNVAL"}, {0x40, "EPOLLRDNORM"}, {0x80, "EPOLLRDBAND"},
	{0x100, "EPOLLWRNORM"}, {0x200, "EPOLLWRBAND"}, {0x400, "EPOLLMSG"}, {0x2000, "EPOLLRDHUP"},
	{1 << 28, "EPOLLEXCLUSIVE"}, {1 << 29, "EPOLLWAKEUP"}, {1 << 30, "EPOLLONESHOT"}, {1 << 31, "EPOLLET"}}

// oCLOEXECFlag is O_CLOEXEC, which EPOLL_CLOEXEC and EFD_CLOEXEC equal.
const oCLOEXECFlag = 0x80000

var efdNames = []bitName{{1, "EFD_SEMAPHORE"}, {oCLOEXECFlag, "EFD_CLOEXEC"}, {0x800, "EFD_NONBLOCK"}}

// formatEpollEvents formats consecutive struct epoll_event, joined by
// ", ", with data shown as strace does (as u32 and as u64).
func formatEpollEvents(b []byte) string {
	var parts []string
	for ; len(b) >= epollEventSize; b = b[epollEventSize:] {
		data := binary.LittleEndian.Uint64(b[4:])
		parts = append(parts, fmt.Sprintf("{events=%s, data={u32=%d, u64=%d}}",
			bitNames(uint64(binary.LittleEndian.Uint32(b)), epollNames, "0"), uint32(data), data))
	}
	return strings.Join(parts, ", ")
}

// formatSiginfo decodes the fields of a siginfo_t that strace shows for
// a signal sent by a process (kill, tkill, sigqueue) or the kernel.
func formatSiginfo(b []byte) string {
	sig := int(int32(binary.LittleEndian.Uint32(b)))
	code := int(int32(binary.LittleEndian.Uint32(b[8:])))
	fields := []string{"si_signo=" + signalName(sig), "si_code=" + sigCodeName(sig, code)}
	if code == 0 || code == siTKILL || code == siQUEUE {
		fields = append(fields, fmt.Sprintf("si_pid=%d", int32(binary.LittleEndian.Uint32(b[16:]))),
			fmt.Sprintf("si_uid=%d", binary.LittleEndian.Uint32(b[20:])))
	}
	return "{" + strings.Join(fields, ", ") + "}"
}

// returnValue is the result as strace shows it: formatResult, followed
// for some calls by what the result means, read from the call's
// arguments at its exit (poll's ready descriptors, fcntl's flags, the
// signal rt_sigtimedwait took).
func (tc *tracee) returnValue(c *pendingCall, ret int64) string {
	if ret < 0 && ret >= -4095 {
		return formatResult(c.nr, ret)
	}
	switch syscallName(c.nr) {
	case "poll":
		if ret == 0 {
			return "0 (Timeout)"
		}
		return fmt.Sprintf("%d (%s)", ret, tc.pollfds(c.args[0], c.args[1], "revents"))
	case "fcntl":
		switch c.args[1] {
		case 1: // F_GETFD
			if ret != 0 {
				return fmt.Sprintf("%#x (flags %s)", ret, bitNames(uint64(ret), []bitName{{1, "FD_CLOEXEC"}}, "0"))
			}
		case 3: // F_GETFL
			return fmt.Sprintf("%s (flags %s)", hexOrZero(uint64(ret)), openFlags(uint64(ret)))
		}
	case "rt_sigtimedwait":
		if ret > 0 {
			return fmt.Sprintf("%d (%s)", ret, signalName(int(ret)))
		}
	}
	return formatResult(c.nr, ret)
}

// --- results ---------------------------------------------------------------

func formatResult(nr uint64, ret int64) string {
	spec := specs[syscallName(nr)]
	if spec.ret == rNone {
		return "?"
	}
	if ret < 0 && ret >= -4095 {
		e := int(-ret)
		return "-1 " + errnoName(e) + " (" + errnoMessage(e) + ")"
	}
	if spec.ret == rHex {
		return fmt.Sprintf("%#x", uint64(ret))
	}
	return strconv.FormatInt(ret, 10)
}

func hexOrZero(v uint64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", v)
}

var errnoNames = map[int]string{
	1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO", 7: "E2BIG",
	8: "ENOEXEC", 9: "EBADF", 10: "ECHILD", 11: "EAGAIN", 12: "ENOMEM", 13: "EACCES",
	14: "EFAULT", 15: "ENOTBLK", 16: "EBUSY", 17: "EEXIST", 18: "EXDEV", 19: "ENODEV",
	20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL", 23: "ENFILE", 24: "EMFILE", 25: "ENOTTY",
	26: "ETXTBSY", 27: "EFBIG", 28: "ENOSPC", 29: "ESPIPE", 30: "EROFS", 31: "EMLINK",
	32: "EPIPE", 33: "EDOM", 34: "ERANGE", 35: "EDEADLK", 36: "ENAMETOOLONG",
	37: "ENOLCK", 38: "ENOSYS", 39: "ENOTEMPTY", 40: "ELOOP", 61: "ENODATA",
	75: "EOVERFLOW", 88: "ENOTSOCK", 95: "EOPNOTSUPP", 110: "ETIMEDOUT",
	512: "ERESTARTSYS", 513: "ERESTARTNOINTR", 514: "ERESTARTNOHAND", 516: "ERESTART_RESTARTBLOCK",
}

func errnoName(e int) string {
	if n, ok := errnoNames[e]; ok {
		return n
	}
	return "errno " + strconv.Itoa(e)
}

// errnoMessage is strerror's text (Go's table, capitalised as glibc's).
func errnoMessage(e int) string {
	switch e {
	case 512:
		return "To be restarted if SA_RESTART is set"
	case 513:
		return "To be restarted"
	case 514:
		return "To be restarted if no handler"
	case 516:
		return "Interrupted by signal"
	}
	m := syscall.Errno(e).Error()
	if m == "" {
		return "Unknown error " + strconv.Itoa(e)
	}
	return strings.ToUpper(m[:1]) + m[1:]
}

// --- flag sets and enums ---------------------------------------------------

type bitName struct {
	bit  uint64
	name string
}

// bitNames joins the names of the set bits in table order; leftover bits
// are appended in hex; zero is zero.
func bitNames(v uint64, names []bitName, zero string) string {
	if v == 0 {
		return zero
	}
	var parts []string
	for _, n := range names {
		if v&n.bit == n.bit && n.bit != 0 {
			parts = append(parts, n.name)
			v &^= n.bit
		}
	}
	if v != 0 {
		parts = append(parts, fmt.Sprintf("%#x", v))
	}
	return strings.Join(parts, "|")
}

func enumName(v uint64, names map[uint64]string) string {
	if n, ok := names[v]; ok {
		return n
	}
	return strconv.FormatInt(int64(v), 10)
}

const (
	atFDCWD            = -100
	oCREAT             = 0o100
	oTMPFILE           = 0o20200000
	futexPrivate       = 128
	futexClockRealtime = 256
	tiocGWINSZ         = 0x5413
)

var openFlagNames = []bitName{
	{0o100, "O_CREAT"}, {0o200, "O_EXCL"}, {0o400, "O_NOCTTY"}, {0o1000, "O_TRUNC"},
	{0o2000, "O_APPEND"}, {0o4000, "O_NONBLOCK"}, {0o4010000, "O_SYNC"}, {0o10000, "O_DSYNC"},
	{0o20000, "O_ASYNC"}, {0o40000, "O_DIRECT"}, {0o100000, "O_LARGEFILE"},
	{0o20200000, "O_TMPFILE"}, {0o200000, "O_DIRECTORY"}, {0o400000, "O_NOFOLLOW"},
	{0o1000000, "O_NOATIME"}, {0o2000000, "O_CLOEXEC"}, {0o10000000, "O_PATH"},
}

func openFlags(v uint64) string {
	mode := []string{"O_RDONLY", "O_WRONLY", "O_RDWR", "0x3"}[v&3]
	rest := bitNames(v&^3, openFlagNames, "")
	if rest == "" {
		return mode
	}
	return mode + "|" + rest
}

var protNames = []bitName{{1, "PROT_READ"}, {2, "PROT_WRITE"}, {4, "PROT_EXEC"}, {8, "PROT_SEM"},
	{0x01000000, "PROT_GROWSDOWN"}, {0x02000000, "PROT_GROWSUP"}}

var mapFlagNames = []bitName{{0x10, "MAP_FIXED"}, {0x20, "MAP_ANONYMOUS"}, {0x40, "MAP_32BIT"},
	{0x100, "MAP_GROWSDOWN"}, {0x800, "MAP_DENYWRITE"}, {0x1000, "MAP_EXECUTABLE"},
	{0x2000, "MAP_LOCKED"}, {0x4000, "MAP_NORESERVE"}, {0x8000, "MAP_POPULATE"},
	{0x10000, "MAP_NONBLOCK"}, {0x20000, "MAP_STACK"}, {0x40000, "MAP_HUGETLB"},
	{0x80000, "MAP_SYNC"}, {0x100000, "MAP_FIXED_NOREPLACE"}}

func mapFlags(v uint64) string {
	typ := []string{"0", "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE"}[v&3]
	rest := bitNames(v&^3, mapFlagNames, "")
	if rest == "" {
		return typ
	}
	return typ + "|" + rest
}

var accessNames = []bitName{{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}}

var atFlagNames = []bitName{{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_EACCESS"},
	{0x400, "AT_SYMLINK_FOLLOW"}, {0x800, "AT_NO_AUTOMOUNT"}, {0x1000, "AT_EMPTY_PATH"}}

var grndNames = []bitName{{1, "GRND_NONBLOCK"}, {2, "GRND_RANDOM"}, {4, "GRND_INSECURE"}}

var whenceNames = map[uint64]string{0: "SEEK_SET", 1: "SEEK_CUR", 2: "SEEK_END", 3: "SEEK_DATA", 4: "SEEK_HOLE"}

var sigHowNames = map[uint64]string{0: "SIG_BLOCK", 1: "SIG_UNBLOCK", 2: "SIG_SETMASK"}

var clockNames = map[uint64]string{0: "CLOCK_REALTIME", 1: "CLOCK_MONOTONIC", 2: "CLOCK_PROCESS_CPUTIME_ID",
	3: "CLOCK_THREAD_CPUTIME_ID", 4: "CLOCK_MONOTONIC_RAW", 5: "CLOCK_REALTIME_COARSE",
	6: "CLOCK_MONOTONIC_COARSE", 7: "CLOCK_BOOTTIME"}

var archPrctlNames = map[uint64]string{0x1001: "ARCH_SET_GS", 0x1002: "ARCH_SET_FS", 0x1003: "ARCH_GET_FS", 0x1004: "ARCH_GET_GS"}

var rlimitNames = map[uint64]string{0: "RLIMIT_CPU", 1: "RLIMIT_FSIZE", 2: "RLIMIT_DATA", 3: "RLIMIT_STACK",
	4: "RLIMIT_CORE", 5: "RLIMIT_RSS", 6: "RLIMIT_NPROC", 7: "RLIMIT_NOFILE", 8: "RLIMIT_MEMLOCK",
	9: "RLIMIT_AS", 10: "RLIMIT_LOCKS", 11: "RLIMIT_SIGPENDING", 12: "RLIMIT_MSGQUEUE",
	13: "RLIMIT_NICE", 14: "RLIMIT_RTPRIO", 15: "RLIMIT_RTTIME"}

var fcntlNames = map[uint64]string{0: "F_DUPFD", 1: "F_GETFD", 2: "F_SETFD", 3: "F_GETFL", 4: "F_SETFL",
	5: "F_GETLK", 6: "F_SETLK", 7: "F_SETLKW", 1030: "F_DUPFD_CLOEXEC"}

var futexNames = map[uint64]string{0: "FUTEX_WAIT", 1: "FUTEX_WAKE", 2: "FUTEX_FD", 3: "FUTEX_REQUEUE",
	4: "FUTEX_CMP_REQUEUE", 5: "FUTEX_WAKE_OP", 6: "FUTEX_LOCK_PI", 7: "FUTEX_UNLOCK_PI",
	9: "FUTEX_WAIT_BITSET", 10: "FUTEX_WAKE_BITSET"}

var ioctlNames = map[uint64]string{0x5401: "TCGETS", 0x5402: "TCSETS", 0x5403: "TCSETSW", 0x5404: "TCSETSF",
	0x540f: "TIOCGPGRP", 0x5410: "TIOCSPGRP", 0x5413: "TIOCGWINSZ", 0x5414: "TIOCSWINSZ",
	0x541b: "FIONREAD", 0x5421: "FIONBIO", 0x5451: "FIOCLEX", 0x5450: "FIONCLEX"}

// --- signals ---------------------------------------------------------------

const (
	sigILL  = 4
	sigFPE  = 8
	sigBUS  = 7
	sigSEGV = 11
	sigCHLD = 17

	cldExited    = 1 // SIGCHLD si_code: the child called exit
	cldKilled    = 2 // ... it was killed by a signal
	cldDumped    = 3 // ... and dumped core
	cldContinued = 6
	siTKILL      = -6
	siQUEUE      = -1
)

var signalNames = [...]string{"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
	"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
	"SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG",
	"SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"}

// signalName uses the kernel's numbering of real-time signals, as strace
// does: 32 is SIGRTMIN, 33 SIGRT_1 and so on.
func signalName(sig int) string {
	switch {
	case sig > 0 && sig < len(signalNames):
		return signalNames[sig]
	case sig == 32:
		return "SIGRTMIN"
	case sig > 32 && sig <= 64:
		return fmt.Sprintf("SIGRT_%d", sig-32)
	}
	return strconv.Itoa(sig)
}

// formatSigset shows a 64-signal set as strace does: "[USR1 TERM]", or
// "~[...]" listing the missing signals when more than half are set.
func formatSigset(b []byte) string {
	set := binary.LittleEndian.Uint64(b)
	prefix := "["
	if bits.OnesCount64(set) > 32 {
		set, prefix = ^set, "~["
	}
	var names []string
	for sig := 1; sig <= 64; sig++ {
		if set&(1<<(sig-1)) != 0 {
			names = append(names, strings.TrimPrefix(signalName(sig), "SIG"))
		}
	}
	return prefix + strings.Join(names, " ") + "]"
}

// saFlagNames are in strace's order (SA_RESTORER first, SA_SIGINFO after
// SA_RESETHAND), not by value.
var saFlagNames = []bitName{{0x04000000, "SA_RESTORER"}, {0x08000000, "SA_ONSTACK"}, {0x10000000, "SA_RESTART"},
	{0x40000000, "SA_NODEFER"}, {0x80000000, "SA_RESETHAND"}, {4, "SA_SIGINFO"},
	{1, "SA_NOCLDSTOP"}, {2, "SA_NOCLDWAIT"}}

// formatSigaction decodes the kernel's struct sigaction: handler, flags,
// restorer, mask.
func formatSigaction(b []byte) string {
	handler := binary.LittleEndian.Uint64(b)
	flags := binary.LittleEndian.Uint64(b[8:])
	h := map[uint64]string{0: "SIG_DFL", 1: "SIG_IGN"}[handler]
	if h == "" {
		h = fmt.Sprintf("%#x", handler)
	}
	out := fmt.Sprintf("{sa_handler=%s, sa_mask=%s, sa_flags=%s", h, formatSigset(b[24:]), bitNames(flags, saFlagNames, "0"))
	if flags&0x04000000 != 0 {
		out += fmt.Sprintf(", sa_restorer=%#x", binary.LittleEndian.Uint64(b[16:]))
	}
	return out + "}"
}

// sigCodeName names si_code as strace does.
// childStatusText is SIGCHLD's si_status as strace prints it: the exit
// code, or the name of the signal that ended the child.
func childStatusText(code, status int) string {
	if code == cldKilled || code == cldDumped {
		return signalName(status)
	}
	return strconv.Itoa(status)
}

func sigCodeName(sig, code int) string {
	switch code {
	case 0:
		return "SI_USER"
	case 0x80:
		return "SI_KERNEL"
	case siQUEUE:
		return "SI_QUEUE"
	case -2:
		return "SI_TIMER"
	case siTKILL:
		return "SI_TKILL"
	}
	var names []string
	switch sig {
	case sigSEGV:
		names = []string{"SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR"}
	case sigBUS:
		names = []string{"BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR"}
	case sigILL:
		names = []string{"ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP", "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK"}
	case sigCHLD:
		names = []string{"CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"}
	case sigFPE:
		names = []string{"FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF", "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB"}
	case 5:
		names = []string{"TRAP_BRKPT", "TRAP_TRACE"}
	}
	if code >= 1 && code <= len(names) {
		return names[code-1]
	}
	return strconv.Itoa(code)
}

func waitStatus(s int) string {
	if sig := s & 0x7f; sig != 0 && sig != 0x7f {
		r := "{WIFSIGNALED(s) && WTERMSIG(s) == " + signalName(sig)
		if s&0x80 != 0 {
			r += " && WCOREDUMP(s)"
		}
		return r + "}"
	}
	return fmt.Sprintf("{WIFEXITED(s) && WEXITSTATUS(s) == %d}", (s>>8)&0xff)
}

// --- structs -----------------------------------------------------------------

const (
	statSize = 144 // Linux x86_64 struct stat
	utsSize  = 6 * 65
)

// formatStat shows the fields strace shows without -v.
func formatStat(b []byte) string {
	mode := binary.LittleEndian.Uint32(b[24:])
	rdev := binary.LittleEndian.Uint64(b[40:])
	size := int64(binary.LittleEndian.Uint64(b[48:]))
	types := map[uint32]string{0o140000: "S_IFSOCK", 0o120000: "S_IFLNK", 0o100000: "S_IFREG",
		0o60000: "S_IFBLK", 0o40000: "S_IFDIR", 0o20000: "S_IFCHR", 0o10000: "S_IFIFO"}
	m := fmt.Sprintf("%#o", mode&0o7777)
	if mode&0o7777 == 0 {
		m = "000"
	}
	if t, ok := types[mode&0o170000]; ok {
		m = t + "|" + m
	}
	if t := mode & 0o170000; t == 0o20000 || t == 0o60000 {
		major := ((rdev >> 8) & 0xfff) | ((rdev >> 32) &^ 0xfff)
		minor := (rdev & 0xff) | ((rdev >> 12) &^ 0xff)
		return fmt.Sprintf("{st_mode=%s, st_rdev=makedev(%#x, %#x), ...}", m, major, minor)
	}
	return fmt.Sprintf("{st_mode=%s, st_size=%d, ...}", m, size)
}

func formatUname(b []byte) string {
	field := func(i int) string {
		f := b[65*i : 65*(i+1)]
		if j := slices.Index(f, 0); j >= 0 {
			f = f[:j]
		}
		return quoteString(f, false)
	}
	return fmt.Sprintf("{sysname=%s, nodename=%s, ...}", field(0), field(1))
}

func formatTimespec(b []byte) string {
	return fmt.Sprintf("{tv_sec=%d, tv_nsec=%d}", int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[8:])))
}

func formatTimeval(b []byte) string {
	return fmt.Sprintf("{tv_sec=%d, tv_usec=%d}", int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[8:])))
}

// --- syscall names -------------------------------------------------------------

// Linux x86_64 syscall names by number (asm/unistd_64.h): 0..334 in
// order, then 424 onwards.
const (
	syscallNamesLow = `read write open close stat fstat lstat poll lseek mmap mprotect munmap brk
rt_sigaction rt_sigprocmask rt_sigreturn ioctl pread64 pwrite64 readv writev access pipe select
sched_yield mremap msync mincore madvise shmget shmat shmctl dup dup2 pause nanosleep getitimer
alarm setitimer getpid sendfile socket connect accept sendto recvfrom sendmsg recvmsg shutdown bind
listen getsockname getpeername socketpair setsockopt getsockopt clone fork vfork execve exit wait4
kill uname semget semop semctl shmdt msgget msgsnd msgrcv msgctl fcntl flock fsync fdatasync
truncate ftruncate getdents getcwd chdir fchdir rename mkdir rmdir creat link unlink symlink
readlink chmod fchmod chown fchown lchown umask gettimeofday getrlimit getrusage sysinfo times
ptrace getuid syslog getgid setuid setgid geteuid getegid setpgid getppid getpgrp setsid setreuid
setregid getgroups setgroups setresuid getresuid setresgid getresgid getpgid setfsuid setfsgid
getsid capget capset rt_sigpending rt_sigtimedwait rt_sigqueueinfo rt_sigsuspend sigaltstack utime
mknod uselib personality ustat statfs fstatfs sysfs getpriority setpriority sched_setparam
sched_getparam sched_setscheduler sched_getscheduler sched_get_priority_max sched_get_priority_min
sched_rr_get_interval mlock munlock mlockall munlockall vhangup modify_ldt pivot_root _sysctl prctl
arch_prctl adjtimex setrlimit chroot sync acct settimeofday mount umount2 swapon swapoff reboot
sethostname setdomainname iopl ioperm create_module init_module delete_module get_kernel_syms
query_module quotactl nfsservctl getpmsg putpmsg afs_syscall tuxcall security gettid readahead
setxattr lsetxattr fsetxattr getxattr lgetxattr fgetxattr listxattr llistxattr flistxattr
removexattr lremovexattr fremovexattr tkill time futex sched_setaffinity sched_getaffinity
set_thread_area io_setup io_destroy io_getevents io_submit io_cancel get_thread_area
lookup_dcookie epoll_create epoll_ctl_old epoll_wait_old remap_file_pages getdents64
set_tid_address restart_syscall semtimedop fadvise64 timer_create timer_settime timer_gettime
timer_getoverrun timer_delete clock_settime clock_gettime clock_getres clock_nanosleep exit_group
epoll_wait epoll_ctl tgkill utimes vserver mbind set_mempolicy get_mempolicy mq_open mq_unlink
mq_timedsend mq_timedreceive mq_notify mq_getsetattr kexec_load waitid add_key request_key keyctl
ioprio_set ioprio_get inotify_init inotify_add_watch inotify_rm_watch migrate_pages openat mkdirat
mknodat fchownat futimesat newfstatat unlinkat renameat linkat symlinkat readlinkat fchmodat
faccessat pselect6 ppoll unshare set_robust_list get_robust_list splice tee sync_file_range
vmsplice move_pages utimensat epoll_pwait signalfd timerfd_create eventfd fallocate timerfd_settime
timerfd_gettime accept4 signalfd4 eventfd2 epoll_create1 dup3 pipe2 inotify_init1 preadv pwritev
rt_tgsigqueueinfo perf_event_open recvmmsg fanotify_init fanotify_mark prlimit64 name_to_handle_at
open_by_handle_at clock_adjtime syncfs sendmmsg setns getcpu process_vm_readv process_vm_writev kcmp
finit_module sched_setattr sched_getattr renameat2 seccomp getrandom memfd_create kexec_file_load
bpf execveat userfaultfd membarrier mlock2 copy_file_range preadv2 pwritev2 pkey_mprotect
pkey_alloc pkey_free statx io_pgetevents rseq`
	syscallNamesHighBase = 424
	syscallNamesHigh     = `pidfd_send_signal io_uring_setup io_uring_enter io_uring_register open_tree
move_mount fsopen fsconfig fsmount fspick pidfd_open clone3 close_range openat2 pidfd_getfd
faccessat2 process_madvise epoll_pwait2 mount_setattr quotactl_fd landlock_create_ruleset
landlock_add_rule landlock_restrict_self memfd_secret process_mrelease futex_waitv
set_mempolicy_home_node`
)

var (
	syscallLow     = strings.Fields(syscallNamesLow)
	syscallHigh    = strings.Fields(syscallNamesHigh)
	syscallNumbers = func() map[string]uint64 {
		m := map[string]uint64{}
		for i, n := range syscallLow {
			m[n] = uint64(i)
		}
		for i, n := range syscallHigh {
			m[n] = uint64(syscallNamesHighBase + i)
		}
		return m
	}()
)

// syscallName names Linux x86_64 syscall nr as strace does.
func syscallName(nr uint64) string {
	switch {
	case nr < uint64(len(syscallLow)):
		return syscallLow[nr]
	case nr >= syscallNamesHighBase && nr < syscallNamesHighBase+uint64(len(syscallHigh)):
		return syscallHigh[nr-syscallNamesHighBase]
	}
	return fmt.Sprintf("syscall_%#x", nr)
}

// --- -k: call stacks ---------------------------------------------------------

// symbolizer unwinds and names the guest's call stack with the program's
// own unwind tables (.eh_frame, parsed by delve's dwarf/frame), its symbol
// table and its DWARF line table (when built with -g).
type symbolizer struct {
	path  string
	fdes  frame.FrameDescriptionEntries
	funcs []elf.Symbol // STT_FUNC symbols sorted by address
	lines []lineEntry  // sorted by address
}

type lineEntry struct {
	addr uint64
	file string
	line int
}

// newSymbolizer reads the tables of the static executable at path.
func newSymbolizer(path string) (*symbolizer, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-k: %w", err)
	}
	defer f.Close()
	sy := &symbolizer{path: path}
	sec := f.Section(".eh_frame")
	if sec == nil {
		return nil, fmt.Errorf("-k: %s has no .eh_frame unwind table", path)
	}
	data, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("-k: .eh_frame: %w", err)
	}
	if sy.fdes, err = frame.Parse(data, binary.LittleEndian, 0, 8, sec.Addr); err != nil {
		return nil, fmt.Errorf("-k: .eh_frame: %w", err)
	}
	if syms, err := f.Symbols(); err == nil {
		for _, s := range syms {
			if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 {
				sy.funcs = append(sy.funcs, s)
			}
		}
		slices.SortFunc(sy.funcs, func(a, b elf.Symbol) int { return cmpUint(a.Value, b.Value) })
	}
	if d, err := f.DWARF(); err == nil {
		sy.readLines(d)
	}
	return sy, nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// readLines flattens the line tables of every compilation unit.
func (sy *symbolizer) readLines(d *dwarf.Data) {
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if e.Tag != dwarf.TagCompileUnit {
			r.SkipChildren()
			continue
		}
		lr, err := d.LineReader(e)
		if err != nil || lr == nil {
			continue
		}
		var le dwarf.LineEntry
		for lr.Next(&le) == nil {
			if le.EndSequence || le.File == nil {
				continue
			}
			sy.lines = append(sy.lines, lineEntry{le.Address, le.File.Name, le.Line})
		}
		r.SkipChildren()
	}
	slices.SortStableFunc(sy.lines, func(a, b lineEntry) int { return cmpUint(a.addr, b.addr) })
}

// DWARF register numbers of x86_64.
const (
	dwRBP = 6
	dwRSP = 7
	dwRA  = 16
)

// unwind returns the return addresses of the stack, innermost first,
// starting at the stopped instruction.
func (sy *symbolizer) unwind(r ptrace.IntRegisters, word func(uint64) (uint64, bool)) []uint64 {
	regs := [17]uint64{r.RAX, r.RDX, r.RCX, r.RBX, r.RSI, r.RDI, r.RBP, r.RSP,
		r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15, r.RIP}
	var pcs []uint64
	for depth := 0; depth < 64; depth++ {
		pc := regs[dwRA]
		if pc == 0 {
			break
		}
		pcs = append(pcs, pc)
		lookup := pc
		if depth > 0 {
			lookup-- // a return address: the call is just before it
		}
		fde, err := sy.fdes.FDEForPC(lookup)
		if err != nil {
			// No unwind information (musl's libc.a is built without
			// it): scan the stack for the first return address into
			// code that has it, just after a call instruction.
			sp, ra, ok := sy.scan(regs[dwRSP], word)
			if !ok {
				break
			}
			regs[dwRSP], regs[dwRA] = sp, ra
			continue
		}
		fc, err := fde.EstablishFrame(lookup)
		if err != nil || fc.CFA.Rule != frame.RuleCFA || fc.CFA.Reg > dwRA {
			break
		}
		cfa := uint64(int64(regs[fc.CFA.Reg]) + fc.CFA.Offset)
		next := regs
		for reg, rule := range fc.Regs {
			if reg > dwRA {
				continue
			}
			switch rule.Rule {
			case frame.RuleOffset:
				v, ok := word(uint64(int64(cfa) + rule.Offset))
				if !ok {
					return pcs
				}
				next[reg] = v
			case frame.RuleValOffset:
				next[reg] = uint64(int64(cfa) + rule.Offset)
			case frame.RuleRegister:
				if rule.Reg <= dwRA {
					next[reg] = regs[rule.Reg]
				}
			case frame.RuleUndefined:
				if reg == fc.RetAddrReg {
					return pcs // the outermost frame
				}
			}
		}
		if ra, ok := fc.Regs[fc.RetAddrReg]; !ok || ra.Rule != frame.RuleOffset {
			break
		}
		next[dwRSP] = cfa
		if next[dwRSP] <= regs[dwRSP] && depth > 0 {
			break // the stack must grow towards the caller
		}
		regs = next
	}
	return pcs
}

// scan looks at up to 512 stack words from sp for a return address into
// code with unwind information whose preceding bytes are a call; it
// returns the stack pointer after that return and the address.
func (sy *symbolizer) scan(sp uint64, word func(uint64) (uint64, bool)) (uint64, uint64, bool) {
	for i := uint64(0); i < 512; i++ {
		w, ok := word(sp + 8*i)
		if !ok {
			return 0, 0, false
		}
		if w < 8 {
			continue
		}
		if _, err := sy.fdes.FDEForPC(w - 1); err != nil {
			continue
		}
		code, ok := word(w - 8)
		if !ok {
			continue
		}
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], code)
		// call rel32 (E8 xx xx xx xx), or call r/m64 (FF /2) of 2, 3 or 6 bytes.
		if b[3] == 0xe8 || (b[6] == 0xff && b[7]>>3&7 == 2) ||
			(b[5] == 0xff && b[6]>>3&7 == 2) || (b[2] == 0xff && b[3]>>3&7 == 2) {
			return sp + 8*i + 8, w, true
		}
	}
	return 0, 0, false
}

// describe names one frame as strace -k does, plus the source line:
// " > /path/prog(main+0x1a) [0x401149] hello.c:5".
func (sy *symbolizer) describe(pc uint64, inner bool) string {
	lookup := pc
	if !inner {
		lookup--
	}
	fn := ""
	i, _ := slices.BinarySearchFunc(sy.funcs, lookup+1, func(s elf.Symbol, t uint64) int { return cmpUint(s.Value, t) })
	if i > 0 {
		s := sy.funcs[i-1]
		if lookup < s.Value+max(s.Size, 1) {
			fn = fmt.Sprintf("%s+%#x", s.Name, pc-s.Value)
		}
	}
	out := fmt.Sprintf(" > %s(%s) [%#x]", sy.path, fn, pc)
	j, _ := slices.BinarySearchFunc(sy.lines, lookup+1, func(l lineEntry, t uint64) int { return cmpUint(l.addr, t) })
	if j > 0 && fn != "" {
		l := sy.lines[j-1]
		// Only trust a line entry inside the same function.
		if k, _ := slices.BinarySearchFunc(sy.funcs, l.addr+1, func(s elf.Symbol, t uint64) int { return cmpUint(s.Value, t) }); k == i {
			out += fmt.Sprintf(" %s:%d", l.file, l.line)
		}
	}
	return out
}
