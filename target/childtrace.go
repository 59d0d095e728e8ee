package target

import (
	"errors"
	"time"
)

// Tracing a child process.
//
// A child process (fork, vfork, clone without CLONE_THREAD) is run by the
// scheduler of its tree, inside the Resume of the process Load made, so
// that the whole tree is one deterministic schedule. Its own tracer
// therefore cannot call Resume on it; it calls ResumeChild instead, which
// hands the request (the stops to arm and the decision about the stop the
// child is parked at) to that scheduler and returns at once. At the
// child's next turn the scheduler settles the parked stop and runs the
// child with the mask armed; when a stop in the mask is reached (or the
// child exits) the child is held again, frozen as a new clone is, and the
// request's done function is called with the stop, on the scheduler's
// goroutine. A held child runs no instruction until the next ResumeChild.
//
// While the root is being resumed its scheduler runs the whole tree. While
// it is parked by its tracer, or after it has exited, nothing would run a
// resumed child: the child's tracer then drives it with Drive, which runs
// the child's own slices (and its descendants') whenever the root is not
// running. The tree's token (kernel.token) makes sure that only one of
// them runs guest code at a time.

// childTrace is a request of a child's tracer, guarded by clone.mu.
type childTrace struct {
	mask    StopMask
	ignore  bool
	settled bool               // the parked stop was settled (first turn done)
	done    func(Event, error) // nil: untraced, run with nothing armed
}

// ResumeChild is Resume for a child process (IsChild): it arms mask,
// decides the parked stop (ignore as for Resume), lets the child run at its
// next turn in the tree's schedule, and returns at once. done is called
// once, on the scheduler's goroutine, with the first stop in mask (the
// child is then held until the next ResumeChild) or with ErrExited; it must
// not block. A nil done detaches: the child runs on with nothing armed and
// is never held again. ResumeChild returns ErrExited, without calling done,
// when the child has already exited.
func (p *Process) ResumeChild(mask StopMask, ignore bool, done func(Event, error)) error {
	if _, exited := p.ExitStatus(); exited {
		return ErrExited
	}
	if done == nil {
		mask = 0
	}
	p.clone.mu.Lock()
	p.clone.trace = &childTrace{mask: mask, ignore: ignore, done: done}
	p.clone.mu.Unlock()
	p.Thaw()
	// A child that was not frozen (it was already running untraced) may
	// be waited for by an idle scheduler too.
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return nil
}

// takeTrace returns the current request of the child's tracer (nil when
// untraced) and whether this turn must settle the parked stop first.
func (p *Process) takeTrace() (tr *childTrace, settle bool) {
	p.clone.mu.Lock()
	defer p.clone.mu.Unlock()
	tr = p.clone.trace
	if tr == nil || tr.done == nil && tr.settled {
		return tr, false
	}
	settle = !tr.settled
	tr.settled = true
	return tr, settle
}

// hold freezes the child after it reached a stop of request tr and tells
// its tracer; a request that was replaced meanwhile is not answered.
func (p *Process) hold(tr *childTrace, ev Event, err error) {
	p.clone.mu.Lock()
	if p.clone.trace != tr {
		p.clone.mu.Unlock()
		return
	}
	p.clone.trace = nil
	if err == nil {
		p.clone.frozen = true
	}
	p.clone.mu.Unlock()
	tr.done(ev, err)
}

// slice runs a child for one quantum of one of its threads (and its own
// children in turn), with its tracer's stops armed when it is traced.
func (c *Process) slice() {
	tr, settle := c.takeTrace()
	var mask StopMask
	ignore := false
	if tr != nil {
		mask, ignore = tr.mask, tr.ignore
	}
	c.sliceMode = true
	c.used = 0
	var ev Event
	var err error
	stop := false
	if settle {
		ev, stop, err = c.resumeParked(mask, ignore)
		if !stop {
			c.applyFocus()
		}
	}
	if !stop {
		ev, err = c.run(mask)
	}
	c.sliceMode = false
	switch {
	case errors.Is(err, errSliceDone):
	case tr != nil && tr.done != nil && (err == nil || errors.Is(err, ErrExited)):
		c.hold(tr, ev, err)
	case err != nil && !errors.Is(err, ErrExited) && !c.gone():
		c.log.WithError(err).Error("child process stopped unexpectedly")
	}
}

// driveIdle bounds how long Drive sleeps when the child can run nothing
// (it is blocked, or frozen): it then looks again, since the events that
// unblock it (a parent's write, a signal, a deadline) do not wake it.
const driveIdle = 2 * time.Millisecond

// Drive runs child c for its tracer until answered is closed (the done
// function of the current ResumeChild request closes it), whenever the
// root is not running the tree itself: when the root is parked by its own
// tracer (scheduled one inferior at a time, as gdb does), or gone. Call it
// on the tracer's goroutine after ResumeChild; it returns at once for a
// process that is not a child.
func (c *Process) Drive(answered <-chan struct{}) {
	if !c.IsChild() {
		return
	}
	tok := c.kern.token
	for {
		select {
		case <-answered:
			return
		case tok <- struct{}{}:
		}
		ran := false
		var next time.Time
		if !c.gone() && !c.Frozen() {
			var runnable bool
			runnable, next = c.poll()
			if runnable {
				c.slice()
				ran = true
			}
		}
		<-tok
		if !ran {
			c.host.Sleep(c.idleFor(next, driveIdle), answered)
		}
	}
}

// RunOrphans runs, once the tree's root p has exited, the processes it
// left behind (untraced children and orphans) until none is alive, as
// they would go on running on Linux after their parent's end; it returns
// at once while p is alive or when nothing is left. Traced children are
// driven by their own sessions (Drive) and are skipped.
func (p *Process) RunOrphans() {
	if p.IsChild() || !p.gone() {
		return
	}
	tok := p.kern.token
	for {
		tok <- struct{}{}
		alive := false
		for _, c := range p.kids() {
			if !c.gone() {
				alive = true
			}
		}
		if !alive {
			<-tok
			return
		}
		ran := p.runChildren()
		_, next := p.pollKids()
		<-tok
		if !ran {
			// Blocked (or frozen for a tracer): look again after the
			// earliest deadline, a wake-up, or driveIdle.
			p.host.Sleep(p.idleFor(next, driveIdle), p.wake)
		}
	}
}
