package ptrace

import (
	"fmt"
	"syscall"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
	"github.com/redox-gdbstub/redox-gdbstub/target"
)

// Data watchpoints: an extension beyond Redox's ptrace (which has no
// watchpoints), evaluated by the emulator on every guest load and store.
// A hit traps after the accessing instruction completed and is reported
// as STOP_BREAKPOINT (or STOP_SINGLESTEP when single-stepping) with
// LastStop's WatchAddr/WatchKind telling which watchpoint fired; RIP is
// past the instruction (or still at a rep string instruction that has
// iterations left). Accesses by the debugger (ReadMem/WriteMem) and by
// syscalls on the guest's behalf never trigger, as with Linux hardware
// watchpoints.

// WatchKind is what a watchpoint catches.
type WatchKind uint8

const (
	WatchWrite  WatchKind = WatchKind(emu.WatchWrite)  // stores (gdb Z2, "watch")
	WatchRead   WatchKind = WatchKind(emu.WatchRead)   // loads (gdb Z3, "rwatch")
	WatchAccess WatchKind = WatchKind(emu.WatchAccess) // either (gdb Z4, "awatch")
)

func (k WatchKind) String() string { return emu.WatchKind(k).String() }

// SetWatchpoint arms a data watchpoint on [addr, addr+n) (any alignment,
// any length up to emu.MaxWatchLen, no limit on their number; the range
// need not be mapped). Setting the same one twice is a no-op. Only while
// the tracee is stopped (EBUSY otherwise); EINVAL for a bad kind or range.
func (s *Session) SetWatchpoint(addr, n uint64, kind WatchKind) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.memLocked("set watchpoint", addr, 0); err != nil {
		return err
	}
	if err := s.p.Mem.SetWatch(addr, n, emu.WatchKind(kind)); err != nil {
		return fmt.Errorf("ptrace set watchpoint (pid %d): %v: %w", s.p.Pid, err, syscall.EINVAL)
	}
	return nil
}

// ClearWatchpoint removes the watchpoint set with the same arguments;
// removing one that is not set is not an error.
func (s *Session) ClearWatchpoint(addr, n uint64, kind WatchKind) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.memLocked("clear watchpoint", addr, 0); err != nil {
		return err
	}
	s.p.Mem.ClearWatch(addr, n, emu.WatchKind(kind))
	return nil
}

// watchInfoLocked fills the watchpoint fields of info for the stop ev:
// only a breakpoint or single-step stop of a thread whose last CPU run
// ended on a watchpoint hit.
func (s *Session) watchInfoLocked(ev target.Event, info *StopInfo) {
	if ev.Kind != target.StopBreakpoint && ev.Kind != target.StopSingleStep {
		return
	}
	for _, t := range s.p.Threads() {
		if t.Tid != ev.Tid {
			continue
		}
		if h, ok := t.CPU.Watch(); ok {
			info.WatchAddr, info.WatchKind = h.Addr, WatchKind(h.Kind)
		}
		return
	}
}
