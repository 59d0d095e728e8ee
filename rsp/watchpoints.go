package rsp

import (
	"fmt"
	"strings"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// Watchpoint packets: Z2/z2 (write), Z3/z3 (read) and Z4/z4 (access)
// through the tracer's data watchpoints, which the emulator checks on
// every guest load and store: exact (the range gdb asks for, any length
// and alignment, as many as gdb wants) and reported after the access with
// PC past the instruction, as x86 debug registers do. The stop reply
// carries "watch:", "rwatch:" or "awatch:" with the watched address.

// Watchpointer is a Tracer with data watchpoints (Z2-Z4).
type Watchpointer interface {
	SetWatchpoint(addr, n uint64, kind ptrace.WatchKind) error
	ClearWatchpoint(addr, n uint64, kind ptrace.WatchKind) error
}

// trapHWBKPT is Linux's si_code for a hardware breakpoint/watchpoint trap.
const trapHWBKPT = 4

// watchKinds maps the Z packet type to the watchpoint kind.
var watchKinds = map[string]ptrace.WatchKind{
	"2": ptrace.WatchWrite,
	"3": ptrace.WatchRead,
	"4": ptrace.WatchAccess,
}

// watchpoint handles "Z<2|3|4>,<addr>,<length>" and the z forms (rest is
// what follows "<type>,"). Both are idempotent. Conditions are not
// offered for watchpoints (gdb evaluates them itself).
func (s *Session) watchpoint(insert bool, kind ptrace.WatchKind, rest string) response {
	wp, isWP := s.t.(Watchpointer)
	if !isWP {
		return empty
	}
	addrPart, lenPart, found := cut(rest, ',')
	if !found {
		return errReply
	}
	if i := strings.IndexByte(lenPart, ';'); i >= 0 {
		lenPart = lenPart[:i] // a cond list: not offered, ignored
	}
	addr, err := parseHex(addrPart)
	if err != nil {
		return errReply
	}
	n, err := parseHex(lenPart)
	if err != nil || n == 0 {
		return errReply
	}
	if !insert {
		if s.exited {
			return ok
		}
		if err := wp.ClearWatchpoint(addr, n, kind); err != nil {
			s.log.WithError(err).Debug("clear watchpoint")
			return errReply
		}
		delete(s.watchpoints, watchKey{addr, n, kind})
		return ok
	}
	if s.exited {
		return errReply
	}
	if err := wp.SetWatchpoint(addr, n, kind); err != nil {
		s.log.WithError(err).Debug("set watchpoint")
		return errReply
	}
	if s.watchpoints == nil {
		s.watchpoints = map[watchKey]bool{}
	}
	s.watchpoints[watchKey{addr, n, kind}] = true
	return ok
}

// watchKey names one watchpoint as gdb set it.
type watchKey struct {
	addr, n uint64
	kind    ptrace.WatchKind
}

// clearWatchpoints removes this client's watchpoints (on detach, or when
// the process is kept for the next debugger), so a later client never
// gets a watch stop it did not ask for.
func (s *Session) clearWatchpoints() {
	wp, isWP := s.t.(Watchpointer)
	for k := range s.watchpoints {
		if isWP && !s.exited {
			if err := wp.ClearWatchpoint(k.addr, k.n, k.kind); err != nil {
				s.log.WithError(err).Debug("clear watchpoint")
			}
		}
		delete(s.watchpoints, k)
	}
}

// watchStop reports the watchpoint behind the stop the tracee is parked
// at, if any (kind 0 otherwise).
func (s *Session) watchStop() (addr uint64, kind ptrace.WatchKind) {
	si, has := s.t.(StopInfoer)
	if !has {
		return 0, 0
	}
	info, ok := si.LastStop()
	if !ok {
		return 0, 0
	}
	return info.WatchAddr, info.WatchKind
}

// isWatchStop is used by the resume loop: a watchpoint stop is never
// resumed silently (by range stepping or a breakpoint condition).
func (s *Session) isWatchStop(ev ptrace.Event) bool {
	if ev.Cause&(ptrace.StopBreakpoint|ptrace.StopSingleStep) == 0 {
		return false
	}
	_, kind := s.watchStop()
	return kind != 0
}

// watchReply builds the stop reply for a watchpoint stop, or returns nil
// when the stop is not one: "T05watch:<addr>;06:..;07:..;10:..;thread:..;"
// (rwatch/awatch for read/access watchpoints). The siginfo is a
// TRAP_HWBKPT with si_addr the watched address, as Linux gives.
func (s *Session) watchReply(tid int) []byte {
	addr, kind := s.watchStop()
	var key string
	switch kind {
	case ptrace.WatchWrite:
		key = "watch"
	case ptrace.WatchRead:
		key = "rwatch"
	case ptrace.WatchAccess:
		key = "awatch"
	default:
		return nil
	}
	s.siginfo = stopSiginfo{true, sigTRAP, trapHWBKPT, addr}
	r := s.tReply(5, tid, false) // "T05" + registers and thread
	out := make([]byte, 0, len(r)+len(key)+20)
	out = append(out, r[:3]...)
	out = fmt.Appendf(out, "%s:%x;", key, addr)
	return append(out, r[3:]...)
}
