package target

import "sync"

// Clone notification (Redox's PTRACE_EVENT_CLONE, spec §5 and §12).
//
// A clone is not a stop: the creating thread goes on running. The hook
// set with SetCloneHook is called synchronously, on the goroutine inside
// Resume, right after the new thread or process exists. For a child
// process (fork, vfork, clone without CLONE_THREAD) the hook's answer
// decides whether the child starts frozen: a frozen child is skipped by
// its parent's scheduler (it runs no instruction) until Thaw. Threads are
// never frozen: they belong to the process and are traced with it; nor
// are vfork children: their parent waits for them, so a frozen one would
// hold both until its tracer acted.

// CloneEvent describes a new thread or child process.
type CloneEvent struct {
	Tid   int      // the thread that called clone/fork/vfork
	Child int      // the new thread's tid or the new process's pid
	Proc  *Process // the new child process; nil for a thread
	Vfork bool     // the child shares the parent's memory until it execs or exits, and the parent waits
}

// CloneHook is called at each clone; for a child process, returning true
// leaves the child frozen until its Thaw.
type CloneHook func(CloneEvent) (freeze bool)

// cloneState is a process's clone hook and its freeze flag.
type cloneState struct {
	mu     sync.Mutex
	hook   CloneHook
	frozen bool
	done   chan struct{} // Done's channel, made on demand
	ended  bool          // finish ran
	trace  *childTrace   // the request of the child's own tracer (childtrace.go)
}

// SetCloneHook installs (nil removes) the clone notification of p. It may
// be called while p runs; the hook is not inherited by children.
func (p *Process) SetCloneHook(h CloneHook) {
	p.clone.mu.Lock()
	p.clone.hook = h
	p.clone.mu.Unlock()
}

// notifyClone calls the hook (if any) for a new thread or child process.
func (p *Process) notifyClone(t *Thread, child int, proc *Process, vfork bool) {
	p.clone.mu.Lock()
	h := p.clone.hook
	p.clone.mu.Unlock()
	if h == nil {
		return
	}
	// The child is frozen before the hook runs: the hook publishes the
	// event, and a tracer may Thaw the child before the hook returns.
	freezable := proc != nil && !vfork
	if freezable {
		proc.clone.mu.Lock()
		proc.clone.frozen = true
		proc.clone.mu.Unlock()
	}
	if !h(CloneEvent{Tid: t.Tid, Child: child, Proc: proc, Vfork: vfork}) && freezable {
		proc.clone.mu.Lock()
		proc.clone.frozen = false
		proc.clone.mu.Unlock()
	}
}

// Frozen reports whether p is a child frozen by its parent's clone hook.
func (p *Process) Frozen() bool {
	p.clone.mu.Lock()
	defer p.clone.mu.Unlock()
	return p.clone.frozen
}

// Thaw lets a frozen child run (its parent's scheduler picks it up at the
// next quantum); it does nothing to a process that is not frozen. Safe to
// call from any goroutine.
func (p *Process) Thaw() {
	p.clone.mu.Lock()
	was := p.clone.frozen
	p.clone.frozen = false
	p.clone.mu.Unlock()
	if was {
		select { // an idle scheduler waiting for the child wakes up
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// IsChild reports whether p was created by fork/vfork/clone (and so is run
// by the scheduler of the tree rather than by its own Resume).
func (p *Process) IsChild() bool { return p.kern != nil && p.kern.root != p }

// Children lists p's live and zombie children in fork order. Call it only
// while p is stopped (not inside Resume).
func (p *Process) Children() []*Process {
	return append([]*Process(nil), p.children...)
}

// Done is closed once p has exited (it is a zombie or reaped); it lets a
// caller that does not run p (the tracer of a child) wait for its end.
func (p *Process) Done() <-chan struct{} {
	p.clone.mu.Lock()
	defer p.clone.mu.Unlock()
	if p.clone.done == nil {
		p.clone.done = make(chan struct{})
		if p.clone.ended {
			close(p.clone.done)
		}
	}
	return p.clone.done
}

// closeDone closes Done's channel (finish).
func (p *Process) closeDone() {
	p.clone.mu.Lock()
	defer p.clone.mu.Unlock()
	if !p.clone.ended {
		p.clone.ended = true
		if p.clone.done != nil {
			close(p.clone.done)
		}
	}
}

// Root is the process Load made: the one whose Resume runs the whole tree
// (p itself for that process).
func (p *Process) Root() *Process {
	if p.kern == nil || p.kern.root == nil {
		return p
	}
	return p.kern.root
}
