package ptrace

import (
	"fmt"
	"sync"
	"syscall"

	"github.com/redox-gdbstub/redox-gdbstub/target"
)

// Registry enforces "one tracer per tracee" (spec §4.1): it remembers the
// session open on each process. The caller owns it (one per stub), so the
// package keeps no global state.
type Registry struct {
	mu   sync.Mutex
	open map[*target.Process]*Session
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{open: make(map[*target.Process]*Session)}
}

// Open attaches a tracer to p (proc:<pid>/trace). It fails with EBUSY while
// another session opened through r is attached to p, including a closed
// (detached) session whose tracee is still running free, and with ESRCH
// if p has already exited.
func (r *Registry) Open(p *target.Process, opts Options) (*Session, error) {
	if p == nil {
		return nil, fmt.Errorf("ptrace open: nil process: %w", syscall.EINVAL)
	}
	if _, exited := p.ExitStatus(); exited {
		return nil, fmt.Errorf("ptrace open (pid %d): %w", p.Pid, syscall.ESRCH)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, busy := r.open[p]; busy {
		return nil, fmt.Errorf("ptrace open (pid %d): already traced: %w", p.Pid, syscall.EBUSY)
	}
	s := newSession(r, p, opts)
	r.open[p] = s
	return s, nil
}

// release forgets s once it is closed and its tracee no longer runs.
func (r *Registry) release(s *Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.open[s.p] == s {
		s.p.SetCloneHook(nil)
		delete(r.open, s.p)
	}
}

// traced reports whether a session opened through r is attached to p.
func (r *Registry) traced(p *target.Process) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.open[p]
	return ok
}

// Open attaches a tracer to p through a fresh Registry. It cannot see
// sessions opened by other calls, so it is only for programs with a single
// tracer per process (the stub); use NewRegistry().Open to get EBUSY for a
// second session on the same process.
func Open(p *target.Process, opts Options) (*Session, error) {
	return NewRegistry().Open(p, opts)
}
