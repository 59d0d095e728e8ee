package ptrace

import "syscall"

// SetSyscallFilter (an extension of this implementation) makes only the
// syscalls in nrs (Linux numbers) produce PTRACE_STOP_PRE_SYSCALL and
// PTRACE_STOP_POST_SYSCALL stops; the others run without a stop. nil
// restores the default (every syscall stops). A debugger that wants a few
// syscalls (gdb's "catch syscall NAME", fork and execve to follow a
// process) then pays nothing for the rest, as with Linux's seccomp
// SECCOMP_RET_TRACE. It applies from the next resuming write and fails
// with EBUSY while the tracee runs.
func (s *Session) SetSyscallFilter(nrs []uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLocked("syscall filter"); err != nil {
		return err
	}
	if s.running {
		return s.errno("syscall filter", syscall.EBUSY)
	}
	s.p.SetSyscallFilter(nrs)
	return nil
}
