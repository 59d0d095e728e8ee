package ptrace

import (
	"fmt"
	"syscall"
)

// Per-thread control (an extension of this implementation).
//
// On Redox each thread is a context with a trace file of its own; here
// the threads of a process share its session, so a tracer that wants one
// thread to move (a debugger's "thread N; stepi", or scheduler locking)
// says which, before the resuming write:
//
//   - Focus(tid): the next resume runs thread tid first, so a
//     PTRACE_STOP_SINGLESTEP steps that thread. It applies once the stop
//     the tracee is parked at has been settled (that stop's syscall or
//     signal belongs to the thread that reached it).
//   - LockScheduler(tid): until LockScheduler(0), only thread tid runs;
//     the other threads stay where they are. The lock ends by itself
//     when the thread exits.
//
// Both fail with EBUSY while the tracee runs and ESRCH for a tid that is
// not a live thread of the tracee.

// Focus makes thread tid the one the next resume runs first.
func (s *Session) Focus(tid int) error {
	return s.threadControl("focus", tid, s.p.Focus)
}

// LockScheduler restricts the tracee's scheduler to thread tid (0 lifts
// the restriction).
func (s *Session) LockScheduler(tid int) error {
	return s.threadControl("lock scheduler", tid, s.p.LockTo)
}

func (s *Session) threadControl(op string, tid int, apply func(int) bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLocked(op); err != nil {
		return err
	}
	if s.running {
		return s.errno(op, syscall.EBUSY)
	}
	if !apply(tid) {
		return fmt.Errorf("ptrace %s %d (pid %d): %w", op, tid, s.p.Pid, syscall.ESRCH)
	}
	return nil
}
