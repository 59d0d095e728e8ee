package ptrace

import (
	"fmt"
	"syscall"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// Operations beyond Redox's trace file that lldb needs: memory allocated
// in the tracee for JIT-compiled expressions (lldb's _M/_m, what
// lldb-server does by making the tracee call mmap), and the process facts
// of qProcessInfo and qGetWorkingDir (what lldb-server reads from
// /proc/PID). Like the register files, they need the tracee stopped.

// ProcInfo is what a debugger learns about the tracee process.
type ProcInfo struct {
	ParentPid            int
	UID, EUID, GID, EGID int
	WorkingDir           string // "" if unknown
}

// AllocateMemory maps size bytes of zeroed memory with the given
// permissions in the tracee, where an mmap without a hint would, and
// returns the address. EBUSY while the tracee runs.
func (s *Session) AllocateMemory(size uint64, read, write, exec bool) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.stoppedLocked("allocate memory"); err != nil {
		return 0, err
	}
	var perm emu.Perm
	if read {
		perm |= emu.PermRead
	}
	if write {
		perm |= emu.PermWrite
	}
	if exec {
		perm |= emu.PermExec
	}
	addr, err := s.p.AllocMemory(size, perm)
	if err != nil {
		return 0, fmt.Errorf("ptrace allocate memory (pid %d): %w", s.p.Pid, err)
	}
	return addr, nil
}

// DeallocateMemory unmaps memory AllocateMemory returned; size is the size
// it was asked for.
func (s *Session) DeallocateMemory(addr, size uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.stoppedLocked("deallocate memory"); err != nil {
		return err
	}
	if err := s.p.FreeMemory(addr, size); err != nil {
		return fmt.Errorf("ptrace deallocate memory (pid %d): %w", s.p.Pid, err)
	}
	return nil
}

// ProcInfo returns the tracee's parent pid, ids and working directory.
func (s *Session) ProcInfo() (ProcInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.stoppedLocked("process info"); err != nil {
		return ProcInfo{}, err
	}
	var pi ProcInfo
	pi.ParentPid = s.p.ParentPid()
	pi.UID, pi.EUID, pi.GID, pi.EGID = s.p.IDs()
	pi.WorkingDir, _ = s.p.WorkingDir() // optional
	return pi, nil
}

// stoppedLocked checks that the tracee exists and is stopped.
func (s *Session) stoppedLocked(op string) error {
	if err := s.checkLocked(op); err != nil {
		return err
	}
	if s.running {
		return s.errno(op, syscall.EBUSY)
	}
	return nil
}
