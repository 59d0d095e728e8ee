package target

// Thread focus and scheduler locking, for a debugger's per-thread resume
// (gdb's "thread N" + stepi, and "set scheduler-locking on|step").
//
// Focus names the thread that runs first at the next Resume: the one a
// StopSingleStep moves. It takes effect after the stop the process is
// parked at has been settled, since that stop (a syscall, a signal)
// belongs to the thread that reached it. LockTo restricts the scheduler to
// one thread: the others run no instruction until the lock is lifted; a
// locked thread that blocks makes the process wait, as on Linux with
// scheduler-locking. Child processes are not affected by either.

// Focus makes thread tid the one the next Resume runs first (and single
// steps). It reports false, changing nothing, for a tid that is not a
// live thread. Call it only while p is stopped.
func (p *Process) Focus(tid int) bool {
	if !p.hasThread(tid) {
		return false
	}
	p.focusTid = tid
	return true
}

// LockTo restricts scheduling to thread tid until LockTo(0); it reports
// false, changing nothing, for a tid that is not a live thread. The lock
// ends by itself when the thread exits. Call it only while p is stopped.
func (p *Process) LockTo(tid int) bool {
	if tid != 0 && !p.hasThread(tid) {
		return false
	}
	p.lockTid = tid
	return true
}

func (p *Process) hasThread(tid int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.threads {
		if t.Tid == tid {
			return true
		}
	}
	return false
}

// applyFocus makes the focused thread current (Resume, once the parked
// stop is settled).
func (p *Process) applyFocus() {
	tid := p.focusTid
	p.focusTid = 0
	if tid == 0 || tid == p.cur.Tid {
		return
	}
	for i, t := range p.threads {
		if t.Tid == tid && t.wait != waitExited {
			p.cur, p.curIdx = t, i
			p.used = 0
			p.stepPending = false
			return
		}
	}
}

// Hold keeps thread tid where it is (held true) until Hold(tid, false):
// the scheduler runs the other threads only, as a debugger in non-stop
// mode wants for a thread it reported stopped. It reports false for a tid
// that is not a live thread. Call it only while p is stopped.
func (p *Process) Hold(tid int, held bool) bool {
	if !p.hasThread(tid) {
		return false
	}
	if held {
		if p.held == nil {
			p.held = map[int]bool{}
		}
		p.held[tid] = true
	} else {
		delete(p.held, tid)
	}
	return true
}

// Interrupt makes a running Resume stop as soon as possible with a
// StopSignal event of signal 0 (no signal: resuming from it delivers
// nothing), if StopSignal is armed; a Resume that is not running stops so
// at its start. Safe to call from any goroutine.
func (p *Process) Interrupt() {
	p.pauseReq.Store(true)
	p.intr.Store(true)
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// takePause reports an Interrupt request as the stop it makes.
func (p *Process) takePause(mask StopMask) (Event, bool) {
	if mask&StopSignal == 0 || !p.pauseReq.Load() {
		return Event{}, false
	}
	p.pauseReq.Store(false)
	return Event{Kind: StopSignal, Tid: p.cur.Tid}, true
}

// schedulable reports whether the scheduler may pick t: it is not blocked,
// not held, and not excluded by the lock.
func (p *Process) schedulable(t *Thread) bool {
	return t.wait == waitNone && (p.lockTid == 0 || t.Tid == p.lockTid) && !p.held[t.Tid]
}
