package ptrace

import (
	"fmt"
	"syscall"

	"github.com/redox-gdbstub/redox-gdbstub/target"
	"github.com/sirupsen/logrus"
)

// EVENT_CLONE (spec §5.6, §12).
//
// A session installs target's clone hook on its process. When the
// process creates a thread or a child process while the session's
// breakpoint contains EventClone, the session queues the non-stopping
// event {Cause: EventClone, A: new pid or tid}; the tracee goes on
// running (a blocking 2019 write returns, as for any queued event).
//
//   - A child process (fork, vfork, clone without CLONE_THREAD) is frozen:
//     it runs no instruction until the tracer decides. To trace it, the
//     tracer opens a session on it (Session.Child gives the
//     *target.Process for the pid in A) and writes: the first write
//     un-freezes it. When the tracer reads the event (Read, or Next which
//     consumes queued events) the child is remembered; at the session's
//     next write, or at its Close, every remembered child with no session
//     of its own is un-freezed ("ignored clones"). A child whose event is
//     never read stays frozen.
//   - A thread is not a context of its own here: the threads of a process
//     share the process's session, and their stops already come through
//     it (StopInfo.Tid). EVENT_CLONE reports the new tid and nothing is
//     frozen beyond the process itself.
//
// A child process is run by the scheduler of its tree (inside the Resume
// of the process Load made), never by a Resume of its own: a session on a
// child hands each resuming write to that scheduler
// (target.Process.ResumeChild), which runs the child with the session's
// stops armed and holds it at the first one; the session then reports it
// as any session does (Read, Next, Ready). While the root is being
// resumed its scheduler runs the child with the rest of the tree; while
// the root is parked by its own tracer, or after it has exited, the
// session's runner drives the child itself (target.Process.Drive), so a child can be resumed alone (gdb's
// "inferior 2" + "continue"). Registers and memory of a held or frozen
// child can be read and written.

// onClone is target's clone hook, called on the goroutine inside Resume.
func (s *Session) onClone(e target.CloneEvent) (freeze bool) {
	s.mu.Lock()
	if s.closed || s.armed&EventClone == 0 {
		s.mu.Unlock()
		return false
	}
	notify := len(s.queue) == 0
	s.queue = append(s.queue, Event{Cause: EventClone, A: uint64(e.Child)})
	if e.Proc != nil && !e.Vfork {
		if s.clones == nil {
			s.clones = make(map[int]*target.Process)
		}
		s.clones[e.Child] = e.Proc
		freeze = true
	}
	s.cond.Broadcast()
	s.mu.Unlock()
	if debugOn(s.log) {
		s.log.WithFields(logrus.Fields{"tid": e.Tid, "child": e.Child, "process": e.Proc != nil}).Debug("ptrace: clone event")
	}
	if notify && s.ready != nil {
		s.ready(s)
	}
	return freeze
}

// consumedLocked records the children of the EventClone events the tracer
// has just taken from the queue: they are thawed at the next write or
// close unless a session is open on them by then.
func (s *Session) consumedLocked(evs []Event) {
	for _, e := range evs {
		if e.Cause == EventClone {
			if c := s.clones[int(e.A)]; c != nil {
				s.readClones = append(s.readClones, c)
			}
		}
	}
}

// thawIgnoredLocked un-freezes the read children nobody opened.
func (s *Session) thawIgnoredLocked() {
	for _, c := range s.readClones {
		if !s.reg.traced(c) {
			s.log.WithField("child", c.Pid).Debug("ptrace: ignored clone un-frozen")
			c.Thaw()
		}
	}
	s.readClones = nil
}

// Child is the child process reported by an EVENT_CLONE event of this
// session with A = pid, to open a session on (Registry.Open). It fails
// with ESRCH for a pid that no clone event reported, or a thread.
func (s *Session) Child(pid int) (*target.Process, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.clones[pid]; c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("ptrace child %d (pid %d): not a reported child process: %w", pid, s.p.Pid, syscall.ESRCH)
}

// resumeChild is Resume for a child process: the request goes to the
// scheduler of its tree (target.Process.ResumeChild), and the runner
// goroutine drives the child itself whenever the tree's root is not
// running (parked by its own tracer, or gone) until the answer comes.
func (s *Session) resumeChild(mask target.StopMask, ignore bool) (target.Event, error) {
	var r struct {
		ev  target.Event
		err error
	}
	answered := make(chan struct{})
	err := s.p.ResumeChild(mask, ignore, func(ev target.Event, err error) {
		r.ev, r.err = ev, err
		close(answered)
	})
	if err != nil {
		return target.Event{}, err
	}
	s.p.Drive(answered)
	<-answered
	return r.ev, r.err
}

// OpenChild opens a session on the child process pid reported by an
// EVENT_CLONE event of s, through the same Registry (so that s's next
// write sees that the child is traced and leaves it frozen for it).
func (s *Session) OpenChild(pid int, opts Options) (*Session, error) {
	c, err := s.Child(pid)
	if err != nil {
		return nil, err
	}
	return s.reg.Open(c, opts)
}
