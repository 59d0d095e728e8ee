package target

import (
	"github.com/redox-gdbstub/redox-gdbstub/emu"
	"github.com/sirupsen/logrus"
)

// runChunk is how many instructions CPU.Run executes between checks for
// queued signals when nothing else stops it.
const runChunk = 1 << 20

// Resume continues the process from where it last stopped and runs until
// one of the stops in mask is reached, which it returns. ignore applies to
// the stop the process is parked at: after a StopPreSyscall it skips the
// syscall and leaves RAX as the tracer set it; after a StopSignal it
// discards the signal (never SIGKILL). Resume returns ErrExited when the
// process has exited (after its StopExit, or without one if it was not
// armed); ExitStatus then tells how. Resume must not be called concurrently.
func (p *Process) Resume(mask StopMask, ignore bool) (Event, error) {
	p.kern.token <- struct{}{}
	defer func() { <-p.kern.token }()
	if ev, stop, err := p.resumeParked(mask, ignore); stop {
		return ev, err
	}
	p.applyFocus()
	return p.run(mask)
}

// resumeParked is the first half of a resume: it settles the stop the
// process is parked at (runs or skips the syscall, acts on or discards the
// signal, finishes the exit), which may itself reach a stop in mask.
func (p *Process) resumeParked(mask StopMask, ignore bool) (Event, bool, error) {
	p.inSyscall = false
	p.mu.Lock()
	exited := p.exited
	p.mu.Unlock()
	if exited {
		return Event{}, true, ErrExited
	}

	park := p.park
	p.park = parkNone
	if park != parkExit && p.takeKill() {
		// SIGKILL beats whatever the process was parked at.
		return p.terminate(sigKILL, mask)
	}
	switch park {
	case parkExit:
		p.mu.Lock()
		status := p.status
		p.mu.Unlock()
		p.finish(status)
		return Event{}, true, ErrExited
	case parkPreSyscall:
		return p.finishSyscall(mask, ignore)
	case parkSignal:
		si := p.parked
		p.parked = sigInfo{}
		if !ignore || si.signo == sigKILL {
			return p.act(p.cur, si, mask)
		}
	}
	return Event{}, false, nil
}

// run executes guest code until a stop in mask (or the exit). With more
// than one thread it switches threads every quantum instructions.
func (p *Process) run(mask StopMask) (Event, error) {
	step := mask&StopSingleStep != 0
	for {
		t := p.cur
		if ev, stop := p.takePause(mask); stop {
			return ev, nil
		}
		if p.stepPending {
			p.stepPending = false
			if step {
				return p.stepEvent(), nil
			}
		}
		// A single step stays on the thread the tracer stepped: the
		// quantum ends only when no step is asked for.
		if !p.schedulable(t) || (!step && (p.multi() || p.sliceMode) && p.used >= quantum) {
			if ev, stop, err := p.schedule(mask); stop {
				return ev, err
			}
			continue
		}
		if t.postStop {
			// The thread woke from a blocking syscall (futex, sleep,
			// vfork, a wait that timed out or was interrupted): the
			// syscall's exit, before any signal is acted upon.
			t.postStop = false
			if mask&StopPostSyscall != 0 && p.syscallTraced(t.sysNr) {
				p.inSyscall, p.sysnr = true, t.sysNr
				return Event{Kind: StopPostSyscall, Tid: t.Tid, Syscall: t.sysNr}, nil
			}
		}
		if si := p.takePending(t); si.signo != 0 {
			if ev, stop, err := p.signal(t, si, mask); stop {
				return ev, err
			}
			continue
		}

		if t.restart {
			p.restartSyscall(t) // interrupted, and no handler ran
		}
		if t.saveMask {
			p.mu.Lock()
			t.blocked, t.saveMask = t.savedMask, false
			p.mu.Unlock()
		}
		cpu := t.CPU
		budget := uint64(runChunk)
		if p.multi() {
			budget = quantum - p.used
		}
		if step {
			budget = 1
		}
		reason, n := cpu.Run(budget, &p.intr)
		p.used += n
		switch reason {
		case emu.StopBudget:
			if step {
				return p.stepEvent(), nil
			}
		case emu.StopInterrupt:
			if step && n > 0 {
				p.stepPending = true
			}
		case emu.StopSyscall:
			p.stepPending = step
			p.sysnr = cpu.R[emu.RAX]
			again := t.noPre && t.noPreAt == cpu.RIP-2
			t.noPre = false
			if mask&StopPreSyscall != 0 && !again && p.syscallTraced(p.sysnr) {
				p.park = parkPreSyscall
				p.inSyscall = true
				return Event{Kind: StopPreSyscall, Tid: t.Tid, Syscall: p.sysnr}, nil
			}
			if ev, stop, err := p.finishSyscall(mask, false); stop {
				return ev, err
			}
		case emu.StopBreakpoint:
			if step && n > 0 {
				return p.stepEvent(), nil
			}
			if mask&StopBreakpoint != 0 {
				return Event{Kind: StopBreakpoint, Tid: t.Tid}, nil
			}
			// Not armed: the next Run steps over it.
		case emu.StopInt3:
			if mask&StopBreakpoint != 0 {
				cpu.RIP--
				return Event{Kind: StopBreakpoint, Tid: t.Tid}, nil
			}
			p.stepPending = step
			if ev, stop, err := p.signal(t, sigInfo{signo: sigTRAP, code: siKernel, fault: true, trapno: trapBP}, mask); stop {
				return ev, err
			}
		case emu.StopFault:
			f := cpu.Fault
			if f.Signo == emu.SIGSEGV && f.Code == emu.SEGV_MAPERR && p.growStack(f.Addr) {
				continue // the faulting instruction runs again
			}
			si := sigInfo{signo: f.Signo, code: f.Code, addr: f.Addr, fault: true}
			if si.signo <= 0 || si.signo > maxSig {
				si.signo = sigSEGV
			}
			si.trapno = trapOf(si.signo, si.code)
			if ev, stop, err := p.signal(t, si, mask); stop {
				return ev, err
			}
		default:
			p.log.WithField("reason", reason).Error("unknown CPU stop; treating as SIGILL")
			if ev, stop, err := p.signal(t, sigInfo{signo: sigILL, code: emu.ILL_ILLOPC, addr: cpu.RIP, fault: true, trapno: trapUD}, mask); stop {
				return ev, err
			}
		}
	}
}

func (p *Process) stepEvent() Event { return Event{Kind: StopSingleStep, Tid: p.cur.Tid} }

// finishSyscall runs (or, with skip, skips) the syscall the thread is at,
// then makes the post-syscall stop if armed. An exit ends in the exit path
// and has no post stop.
func (p *Process) finishSyscall(mask StopMask, skip bool) (Event, bool, error) {
	t := p.cur
	cpu := t.CPU
	nr := p.sysnr
	if !skip {
		nr = cpu.R[emu.RAX]
		res := p.syscall(t, nr)
		if p.trace {
			r := &cpu.R
			p.log.WithFields(logrus.Fields{"tid": t.Tid, "syscall": syscallName(nr)}).Tracef("(%#x, %#x, %#x, %#x, %#x, %#x) = %d",
				r[emu.RDI], r[emu.RSI], r[emu.RDX], r[emu.R10], r[emu.R8], r[emu.R9], int64(res))
		}
		if p.exitReq != nil {
			status := *p.exitReq
			p.exitReq = nil
			p.stepPending = false
			return p.exit(status, mask)
		}
		if p.threadExit {
			p.threadExit = false
			p.stepPending = false
			p.exitThread(t)
			return Event{}, false, nil
		}
		if t.wait != waitNone {
			// Blocked: the result is set when the thread wakes, and
			// the post-syscall stop comes then (run).
			return Event{}, false, nil
		}
		cpu.R[emu.RAX] = res
		if p.intr.Load() && p.takeKillOf(t) {
			// The call sent SIGKILL to its own process (raise,
			// kill(getpid())): it never returns, as on Linux. (Every
			// signal sent sets intr, so most calls skip the locks.)
			p.stepPending = false
			return p.terminate(sigKILL, mask)
		}
	}
	if mask&StopPostSyscall != 0 && p.syscallTraced(nr) {
		p.inSyscall = true
		p.sysnr = nr
		return Event{Kind: StopPostSyscall, Tid: t.Tid, Syscall: nr}, true, nil
	}
	return Event{}, false, nil
}

// SyscallStop reports the syscall number when the process is stopped at a
// pre- or post-syscall stop (what Linux shows as orig_rax; -1 elsewhere).
func (p *Process) SyscallStop() (nr uint64, ok bool) {
	return p.sysnr, p.inSyscall
}
