package ptrace

import (
	"fmt"
	"syscall"
)

// Per-thread control and interrupts (extensions of this implementation).
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

// Hold keeps thread tid where it is (held true) while the tracee's other
// threads run, until Hold(tid, false): a debugger in non-stop mode holds
// the threads it reported stopped. EBUSY while running, ESRCH for a tid
// that is not a live thread.
func (s *Session) Hold(tid int, held bool) error {
	return s.threadControl("hold", tid, func(tid int) bool { return s.p.Hold(tid, held) })
}

// Interrupt (like Linux's PTRACE_INTERRUPT) makes the running tracee stop
// as soon as possible with PTRACE_STOP_SIGNAL a=0, when that stop is
// armed: no signal is pending at that stop, and resuming from it delivers
// nothing. On a parked tracee it applies to the next resume. It is safe to
// call while another goroutine is inside Next or Write.
func (s *Session) Interrupt() error {
	s.mu.Lock()
	err := s.checkLocked("interrupt")
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.p.Interrupt()
	return nil
}
