package target

import (
	"math/bits"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
	"github.com/sirupsen/logrus"
)

// Linux signal numbers.
const (
	sigHUP    = 1
	sigINT    = 2
	sigQUIT   = 3
	sigILL    = 4
	sigTRAP   = 5
	sigABRT   = 6
	sigBUS    = 7
	sigFPE    = 8
	sigKILL   = 9
	sigUSR1   = 10
	sigSEGV   = 11
	sigUSR2   = 12
	sigPIPE   = 13
	sigALRM   = 14
	sigTERM   = 15
	sigCHLD   = 17
	sigCONT   = 18
	sigSTOP   = 19
	sigTSTP   = 20
	sigTTIN   = 21
	sigTTOU   = 22
	sigURG    = 23
	sigXCPU   = 24
	sigXFSZ   = 25
	sigWINCH  = 28
	sigSYS    = 31
	maxSig    = 64
	sigDFL    = 0
	sigIGN    = 1
	siUser    = 0    // si_code: sent by kill(2)
	siKernel  = 0x80 // si_code: sent by the kernel (int3)
	siTkill   = -6   // si_code: sent by tkill/tgkill
	coreDump  = 0x80 // wait-status bit: the signal dumped core
	sigsetLen = 8
)

// sigBit is sig's bit in a signal set.
func sigBit(sig int) uint64 { return 1 << (sig - 1) }

// unblockable signals can be neither blocked nor caught.
const unblockable = 1<<(sigKILL-1) | 1<<(sigSTOP-1)

// sigaction is one recorded rt_sigaction disposition (kernel layout).
type sigaction struct {
	handler, flags, restorer, mask uint64
}

// signalState is the process's signal dispositions, shared by its
// threads (CLONE_SIGHAND). Masks and alternate stacks are per thread.
type signalState struct {
	actions [maxSig + 1]sigaction
}

// sigInfo is one signal about to be delivered (what siginfo_t says).
type sigInfo struct {
	signo  int
	code   int
	errno  int
	addr   uint64 // faults: si_addr
	pid    int    // kill: si_pid
	uid    int    // kill: si_uid
	fault  bool   // synchronous (CPU fault or int3): cannot be ignored or blocked
	trapno uint64 // faults: the x86 trap number for sigcontext
	status int    // SIGCHLD: si_status
}

// defaultIgnored reports whether sig's default action is to do nothing.
// SIGSTOP and the terminal stop signals are treated as ignored until job
// control exists.
func defaultIgnored(sig int) bool {
	switch sig {
	case sigCHLD, sigCONT, sigURG, sigWINCH, sigSTOP, sigTSTP, sigTTIN, sigTTOU:
		return true
	}
	return false
}

// dumpsCore reports whether sig's default action dumps core.
func dumpsCore(sig int) bool {
	switch sig {
	case sigQUIT, sigILL, sigTRAP, sigABRT, sigBUS, sigFPE, sigSEGV, sigXCPU, sigXFSZ, sigSYS:
		return true
	}
	return false
}

// handler is the disposition a StopSignal event reports for sig.
func (s *signalState) handler(sig int) uint64 {
	if sig <= 0 || sig > maxSig {
		return sigDFL
	}
	return s.actions[sig].handler
}

// trapOf is the trap number the kernel would record for a CPU fault.
func trapOf(signo, code int) uint64 {
	switch signo {
	case sigSEGV:
		if code == emu.SI_KERNEL {
			return trapGP
		}
		return trapPF
	case sigBUS:
		return trapGP
	case sigILL:
		return trapUD
	case sigFPE:
		return trapDE
	case sigTRAP:
		return trapBP
	}
	return 0
}

// readyLocked is the set of signals t could take now. p.mu is held.
func (p *Process) readyLocked(t *Thread) uint64 {
	return (t.pending | p.pending) &^ (t.blocked &^ unblockable)
}

// takePending removes and returns the lowest deliverable signal queued
// for t, its own signals first (signo 0 if none), clearing the interrupt
// flag while it holds the lock so that no Kill is lost.
func (p *Process) takePending(t *Thread) sigInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.intr.Store(false)
	if p.pending|t.pending == 0 {
		return sigInfo{}
	}
	mask := ^(t.blocked &^ unblockable)
	if own := t.pending & mask; own != 0 {
		sig := bits.TrailingZeros64(own) + 1
		t.pending &^= sigBit(sig)
		return t.pendInfo[sig]
	}
	if shared := p.pending & mask; shared != 0 {
		sig := bits.TrailingZeros64(shared) + 1
		p.pending &^= sigBit(sig)
		return p.pendInfo[sig]
	}
	return sigInfo{}
}

// takeKill removes a queued SIGKILL, reporting whether there was one.
func (p *Process) takeKill() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := p.pending&sigBit(sigKILL) != 0
	p.pending &^= sigBit(sigKILL)
	return k
}

// takeKillOf is takeKill for a SIGKILL sent to the process or to thread
// t (tkill(SIGKILL) kills the whole process too).
func (p *Process) takeKillOf(t *Thread) bool {
	p.mu.Lock()
	k := t.pending&sigBit(sigKILL) != 0
	t.pending &^= sigBit(sigKILL)
	p.mu.Unlock()
	return p.takeKill() || k
}

// signal is the delivery point of si for thread t: a StopSignal stop if
// armed, else the action right away. SIGKILL never stops.
func (p *Process) signal(t *Thread, si sigInfo, mask StopMask) (Event, bool, error) {
	if si.signo == sigKILL {
		return p.terminate(sigKILL, mask)
	}
	if mask&StopSignal != 0 {
		p.park = parkSignal
		p.parked = si
		return Event{
			Kind:    StopSignal,
			Tid:     t.Tid,
			Signo:   si.signo,
			Handler: p.sig.handler(si.signo),
			SigCode: si.code,
			SigAddr: si.addr,
			SigPid:  si.pid, SigUid: si.uid, SigStatus: si.status,
		}, true, nil
	}
	return p.act(t, si, mask)
}

// act performs the action for si in thread t: ignore it, run the
// default action, or enter the guest handler on an rt_sigframe.
func (p *Process) act(t *Thread, si sigInfo, mask StopMask) (Event, bool, error) {
	if si.signo == sigKILL {
		return p.terminate(sigKILL, mask)
	}
	a := p.sig.actions[si.signo]
	if si.fault && (a.handler == sigIGN || t.blocked&sigBit(si.signo) != 0) {
		// force_sig: a fault that is ignored or blocked kills.
		a = sigaction{}
		p.sig.actions[si.signo] = a
	}
	switch {
	case a.handler == sigIGN:
		return Event{}, false, nil
	case a.handler == sigDFL:
		if defaultIgnored(si.signo) {
			return Event{}, false, nil
		}
		return p.terminate(si.signo, mask)
	}
	if t.restart {
		if a.flags&saRestart != 0 {
			p.restartSyscall(t)
		}
		t.restart = false
	}
	if !p.setupFrame(t, si, a) {
		p.log.WithFields(logrus.Fields{"tid": t.Tid, "signal": si.signo}).Debug("cannot write the signal frame; forcing SIGSEGV")
		p.sig.actions[sigSEGV] = sigaction{}
		return p.terminate(sigSEGV, mask)
	}
	if mask&StopSingleStep != 0 {
		// Stepping into a handler stops on its first instruction, as
		// Linux's single step does.
		p.stepPending = true
	}
	return Event{}, false, nil
}

// terminate ends the process by signal sig.
func (p *Process) terminate(sig int, mask StopMask) (Event, bool, error) {
	status := sig
	if dumpsCore(sig) {
		status |= coreDump
	}
	p.log.WithField("signal", sig).Debug("killed by signal")
	return p.exit(status, mask)
}

// exit is the exit path: a StopExit stop if armed, else gone at once.
func (p *Process) exit(status int, mask StopMask) (Event, bool, error) {
	if mask&StopExit != 0 {
		p.park = parkExit
		p.parked = sigInfo{}
		p.mu.Lock()
		p.status = status
		p.mu.Unlock()
		return Event{Kind: StopExit, Tid: p.cur.Tid, Status: status}, true, nil
	}
	p.finish(status)
	return Event{}, true, ErrExited
}

// finish makes the process a zombie with the given wait status.
func (p *Process) finish(status int) {
	p.alarm.stop()
	p.mu.Lock()
	p.exited = true
	p.status = status
	p.pending = 0
	for _, t := range p.threads {
		p.retired += t.CPU.InstructionsExecuted()
	}
	p.threads = nil
	p.mu.Unlock()
	p.park = parkNone
	p.files.closeAll()
	p.log.WithField("status", status).Debug("exited")
	p.orphanChildren()
	if p.parent != nil {
		p.parent.childExited(p, status)
	}
	p.closeDone()
}
