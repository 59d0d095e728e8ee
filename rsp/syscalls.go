package rsp

import (
	"fmt"
	"strings"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// QCatchSyscalls (gdb's "catch syscall"), QPassSignals and QProgramSignals,
// and the stops the stub resumes by itself instead of reporting them.
//
// Syscall stops are Redox's PTRACE_STOP_PRE_SYSCALL / POST_SYSCALL, armed
// with every continue while catching is on: a PRE stop is reported as
// syscall_entry, a POST stop as syscall_return, so the two alternate and
// the first is an entry. Syscalls outside the client's list are resumed
// inside the stub. orig_rax (regnum 57) is the syscall number at those
// stops and -1 elsewhere; writing -1 at an entry stop skips the call
// (Redox's PTRACE_FLAG_IGNORE on the next resume: sysemu).

// enosys is -ENOSYS: RAX at a syscall-entry stop on Linux, and what a
// skipped syscall returns unless the tracer set RAX.
const enosys = ^uint64(38 - 1)

// syscallStop is the syscall stop the tracee is parked at, if any.
//
// At an entry stop Redox keeps the syscall number in RAX (the call reads
// it from there when resumed) while Linux shows RAX = -ENOSYS and keeps
// the number in orig_rax. The client sees Linux's view: rax is a virtual
// register, initially -ENOSYS, and orig_rax the number; at the resume RAX
// is set to orig_rax (run the call, possibly another one) or, after
// orig_rax = -1, to the virtual rax (skip it: that is its result).
type syscallStop struct {
	entry, ret bool
	nr         uint64 // orig_rax (the syscall number; the client may change it)
	rax        uint64 // entry: the client's view of RAX
	realRAX    uint64 // entry: RAX in the tracee
	skip       bool   // orig_rax was set to -1 at the entry stop
}

func (st syscallStop) active() bool { return st.entry || st.ret }

// origRAX is the value of the orig_rax register.
func (s *Session) origRAX() uint64 {
	if s.sys.active() && !s.sys.skip {
		return s.sys.nr
	}
	return ^uint64(0)
}

// setOrigRAX handles a client write of orig_rax. At an entry stop -1 skips
// the call and another value replaces the syscall number. Elsewhere writes
// are ignored, as Linux ignores orig_rax outside syscalls.
func (s *Session) setOrigRAX(v uint64) {
	if !s.sys.entry {
		return
	}
	if v == ^uint64(0) {
		s.sys.skip = true
		return
	}
	s.sys.skip, s.sys.nr = false, v
}

// prepareSyscallResume sets RAX for the resume from an entry stop: the
// syscall number to run, or the result of a skipped call.
func (s *Session) prepareSyscallResume() {
	if !s.sys.entry {
		return
	}
	want := s.sys.nr
	if s.sys.skip {
		want = s.sys.rax
	}
	if want == s.sys.realRAX {
		return
	}
	regs, err := s.t.IntRegs(s.stopTid)
	if err != nil {
		return
	}
	regs.RAX = want
	if err := s.t.SetIntRegs(s.stopTid, regs); err != nil {
		s.log.WithError(err).Warn("set RAX for the syscall")
		return
	}
	s.sys.realRAX = want
}

// catchSyscallsPacket handles "QCatchSyscalls:1[;nr]..." and
// "QCatchSyscalls:0".
func (s *Session) catchSyscallsPacket(arg string) response {
	if _, has := s.t.(StopInfoer); !has {
		return empty
	}
	on, list, _ := strings.Cut(arg, ";")
	switch on {
	case "0":
		if list != "" {
			return errReply
		}
		s.catchSyscalls, s.catchList = false, nil
		return ok
	case "1":
	default:
		return errReply
	}
	var set map[uint64]bool
	if list != "" {
		set = map[uint64]bool{}
		for _, item := range strings.Split(list, ";") {
			nr, err := parseHex(item)
			if err != nil {
				return errReply
			}
			set[nr] = true
		}
	}
	s.catchSyscalls, s.catchList = true, set
	return ok
}

// caught reports whether the client wants a stop for syscall nr.
func (s *Session) caught(nr uint64) bool {
	return s.catchSyscalls && (s.catchList == nil || s.catchList[nr])
}

// syscallStopReply records a PRE/POST syscall stop and builds its reply:
// "T05syscall_entry:<nr>;..." or "T05syscall_return:<nr>;...".
func (s *Session) syscallStopReply(ev ptrace.Event) {
	s.stopTid = s.recordStop(causeSyscall, 0)
	nr := uint64(0)
	if si, has := s.t.(StopInfoer); has {
		if info, ok := si.LastStop(); ok {
			nr = info.Syscall
		}
	}
	key := "syscall_return"
	if s.skippedSyscall && s.catchList == nil && ev.Cause&ptrace.StopPostSyscall != 0 {
		// The return of a skipped call (the first stop after it: with a
		// list, the filter has resumed it silently, -1 is never listed).
		nr = ^uint64(0) // Linux: orig_rax stays -1 after a skipped call
	}
	s.sys = syscallStop{ret: true, nr: nr}
	if ev.Cause&ptrace.StopPreSyscall != 0 {
		key = "syscall_entry"
		s.sys = syscallStop{entry: true, nr: nr, rax: enosys}
		if regs, err := s.t.IntRegs(s.stopTid); err == nil {
			s.sys.realRAX = regs.RAX
		}
	}
	out := s.tReply(5, s.stopTid, false)
	// The stop reason goes right after the signal, as gdbserver sends it.
	s.lastStop = append([]byte(fmt.Sprintf("T05%s:%x;", key, nr)), out[3:]...)
}

// signalListPacket parses "QPassSignals:" / "QProgramSignals:" lists of
// GDB signal numbers (hex, ';'-separated) into a set of Linux numbers.
func (s *Session) signalList(arg string) (map[int]bool, bool) {
	set := map[int]bool{}
	if arg == "" {
		return set, true
	}
	for _, item := range strings.Split(arg, ";") {
		if item == "" {
			continue // gdb ends the list with ';'
		}
		g, err := parseHex(item)
		if err != nil || g > 0xff {
			return nil, false
		}
		if l := s.linuxSignal(int(g)); l != 0 {
			set[l] = true
		}
	}
	return set, true
}

func (s *Session) passSignalsPacket(arg string) response {
	set, valid := s.signalList(arg)
	if !valid {
		return errReply
	}
	delete(set, sigKILL) // never silently: it ends the process anyway
	s.passSignals = set
	return ok
}

func (s *Session) programSignalsPacket(arg string) response {
	set, valid := s.signalList(arg)
	if !valid {
		return errReply
	}
	s.programSignals = set
	return ok
}

// stopFilter decides, in the goroutine that waits for the tracee, which
// stops are resumed without telling the client. It is a snapshot of the
// session's settings taken before the resume.
type stopFilter struct {
	s          *Session
	tid        int
	ranged     bool
	start, end uint64
	step       bool
	pass       map[int]bool
	catchAll   bool
	catchList  map[uint64]bool
	skipped    bool                       // resuming from a skipped syscall: its return has nr -1
	cond       func(ev ptrace.Event) bool // false: a breakpoint stop to skip (conditions false, or commands run)
	count      uint64                     // stops resumed silently
}

func (s *Session) stopFilter(req resumeReq, tid int) *stopFilter {
	f := &stopFilter{s: s, tid: tid, ranged: req.ranged, start: req.start, end: req.end,
		step: req.step, pass: s.passSignals, skipped: s.skippedSyscall}
	if s.catchSyscalls {
		f.catchAll, f.catchList = s.catchList == nil, s.catchList
	}
	if len(s.conds) > 0 || len(s.cmds) > 0 {
		f.cond = s.breakpointConditionHolds
	}
	return f
}

// resumeSilent resumes, with flags less FlagIgnore, the stops the client
// does not want to see (outside a stepped range, uncaught syscalls,
// passed signals, false breakpoint conditions) without a round trip to
// the client, and returns the first stop (or error) it wants. A
// watchpoint stop is always wanted.
func (f *stopFilter) resumeSilent(t Tracer, flags ptrace.Flags, ev ptrace.Event, err error) (ptrace.Event, error) {
	for err == nil && !f.s.isWatchStop(ev) && f.silent(ev) {
		f.count++
		ev, err = t.Next(flags &^ ptrace.FlagIgnore)
	}
	return ev, err
}

// silent reports whether ev is a stop to resume at once.
func (f *stopFilter) silent(ev ptrace.Event) bool {
	switch {
	case ev.Cause&ptrace.StopSingleStep != 0:
		if !f.ranged {
			return false
		}
		// Range step: stop once the PC leaves [start, end) or on any
		// other stop (breakpoint, signal such as Ctrl-C, exit).
		regs, err := f.s.t.IntRegs(f.tid)
		return err == nil && regs.RIP >= f.start && regs.RIP < f.end
	case ev.Cause&(ptrace.StopPreSyscall|ptrace.StopPostSyscall) != 0:
		if _, event := f.s.procEventOf(ev); event {
			return false // a fork or an exec the client follows
		}
		if f.catchAll {
			return false
		}
		si, has := f.s.t.(StopInfoer)
		if !has {
			return false
		}
		info, ok := si.LastStop()
		nr := info.Syscall
		if f.skipped && ev.Cause&ptrace.StopPostSyscall != 0 {
			nr = ^uint64(0)
		}
		f.skipped = false
		return ok && !f.catchList[nr]
	case ev.Cause&ptrace.StopSignal != 0:
		// A passed signal is delivered (the resume has no FlagIgnore)
		// without a stop; while stepping gdb clears the list itself.
		return f.pass[int(ev.A)]
	case ev.Cause&ptrace.StopBreakpoint != 0:
		return f.cond != nil && !f.cond(ev)
	}
	return false
}
