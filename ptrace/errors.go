package ptrace

import (
	"fmt"
	"syscall"
)

// Errors are syscall.Errno values (Redox and Linux agree on the ones used
// here: ESRCH 3, EAGAIN 11, EFAULT 14, EBUSY 16, EINVAL 22, EBADF 9, EIO 5)
// wrapped with context, so callers test them with errors.Is(err, syscall.ESRCH).

// errno wraps e with the operation and the tracee's pid.
func (s *Session) errno(op string, e syscall.Errno) error {
	return fmt.Errorf("ptrace %s (pid %d): %w", op, s.p.Pid, e)
}
