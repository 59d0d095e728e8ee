package ptrace

import (
	"fmt"
	"syscall"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// Information about the tracee beyond Redox's trace file, for debuggers
// (rsp's /proc/PID/maps and "monitor stats"). Like the register files,
// these need the tracee stopped.

// Region is a maximal run of mapped pages with the same permissions.
type Region struct {
	Start, End           uint64 // [Start, End), page aligned
	Read, Write, Execute bool
}

// MemoryRegions lists the tracee's mapped memory, sorted by address
// (what proc:<pid>/maps would show). EBUSY while the tracee runs.
func (s *Session) MemoryRegions() ([]Region, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLocked("memory regions"); err != nil {
		return nil, err
	}
	if s.running {
		return nil, s.errno("memory regions", syscall.EBUSY)
	}
	rs := s.p.Mem.Regions()
	out := make([]Region, len(rs))
	for i, r := range rs {
		out[i] = Region{Start: r.Start, End: r.End,
			Read:    r.Perm&emu.PermRead != 0,
			Write:   r.Perm&emu.PermWrite != 0,
			Execute: r.Perm&emu.PermExec != 0,
		}
	}
	return out, nil
}

// InstructionsExecuted is the number of instructions the tracee's live
// threads have executed (threads that have exited are not counted).
// EBUSY while the tracee runs.
func (s *Session) InstructionsExecuted() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLocked("instruction count"); err != nil {
		return 0, err
	}
	if s.running {
		return 0, fmt.Errorf("ptrace instruction count (pid %d): %w", s.p.Pid, syscall.EBUSY)
	}
	var n uint64
	for _, t := range s.p.Threads() {
		n += t.CPU.InstructionsExecuted()
	}
	return n, nil
}

// ArmedFlags is the breakpoint the last resuming write armed (0 when none)
// and whether its stop was reached, and Queued the events waiting to be
// read: what "monitor ptrace" shows.
func (s *Session) ArmedFlags() (armed Flags, reached bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.armed, s.reached
}

// Queued returns a copy of the events queued for Read and of those Next
// set aside (Pending), oldest first, without consuming them.
func (s *Session) Queued() (queue, pending []Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.queue...), append([]Event(nil), s.pending...)
}
