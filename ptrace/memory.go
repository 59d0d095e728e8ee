package ptrace

import (
	"fmt"
	"syscall"
)

// memLocked checks that tracee memory may be accessed: not after exit
// (ESRCH) and not while the tracee runs (EBUSY; Redox allows it, but the
// emulated memory is not shared with a running CPU). It also rejects
// ranges that wrap around the address space or touch an unmapped page.
func (s *Session) memLocked(op string, addr uint64, n int) error {
	if err := s.checkLocked(op); err != nil {
		return err
	}
	if s.running {
		return s.errno(op, syscall.EBUSY)
	}
	if n == 0 {
		return nil
	}
	if addr+uint64(n)-1 < addr || !s.p.Mem.IsMapped(addr, uint64(n)) {
		return fmt.Errorf("ptrace %s %#x+%d (pid %d): unmapped: %w", op, addr, n, s.p.Pid, syscall.EFAULT)
	}
	return nil
}

// ReadMem reads tracee memory (proc:<pid>/mem), whatever the page
// permissions; fails as a whole with EFAULT if any page is unmapped.
func (s *Session) ReadMem(addr uint64, b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.memLocked("read mem", addr, len(b)); err != nil || len(b) == 0 {
		return err
	}
	if err := s.p.Mem.ReadForce(addr, b); err != nil {
		return fmt.Errorf("ptrace read mem %#x+%d (pid %d): %v: %w", addr, len(b), s.p.Pid, err, syscall.EFAULT)
	}
	return nil
}

// WriteMem writes tracee memory ignoring page protections (this is how a
// debugger patches code); fails as a whole with EFAULT.
func (s *Session) WriteMem(addr uint64, b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.memLocked("write mem", addr, len(b)); err != nil || len(b) == 0 {
		return err
	}
	if err := s.p.Mem.WriteForce(addr, b); err != nil {
		return fmt.Errorf("ptrace write mem %#x+%d (pid %d): %v: %w", addr, len(b), s.p.Pid, err, syscall.EFAULT)
	}
	return nil
}

// SetBreakpoint arms an address breakpoint (no code patching): reaching it
// with STOP_BREAKPOINT armed is a stop with RIP at addr. Only while the
// tracee is stopped (EBUSY otherwise).
func (s *Session) SetBreakpoint(addr uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.memLocked("set breakpoint", addr, 0); err != nil {
		return err
	}
	s.p.Mem.SetBreakpoint(addr)
	return nil
}

// ClearBreakpoint removes an address breakpoint; removing one that is not
// set is not an error.
func (s *Session) ClearBreakpoint(addr uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.memLocked("clear breakpoint", addr, 0); err != nil {
		return err
	}
	s.p.Mem.ClearBreakpoint(addr)
	return nil
}
