package target

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

// signalState is the process's signal dispositions and mask.
type signalState struct {
	actions [maxSig + 1]sigaction
	blocked uint64
	altSP   uint64 // sigaltstack: recorded only
	altSize uint64
	altFlag uint64
}

// sigInfo is one signal about to be delivered.
type sigInfo struct {
	signo int
	code  int
	addr  uint64
	fault bool // synchronous (CPU fault or int3): cannot be ignored or blocked
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

// takePending removes and returns the lowest deliverable signal queued by
// Kill (signo 0 if none), clearing the interrupt flag while it holds the
// lock so that no Kill is lost.
func (p *Process) takePending() sigInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.intr.Store(false)
	ready := p.pending &^ (p.sig.blocked &^ unblockable)
	if ready == 0 {
		return sigInfo{}
	}
	for sig := 1; sig <= maxSig; sig++ {
		if ready&sigBit(sig) != 0 {
			p.pending &^= sigBit(sig)
			return sigInfo{signo: sig, code: p.sigCode[sig]}
		}
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

// signal is the delivery point of sig: a StopSignal stop if armed, else
// the action right away. SIGKILL never stops.
func (p *Process) signal(si sigInfo, mask StopMask) (Event, bool, error) {
	if si.signo == sigKILL {
		return p.terminate(sigKILL, mask)
	}
	if mask&StopSignal != 0 {
		p.park = parkSignal
		p.parked = si
		return Event{
			Kind:    StopSignal,
			Tid:     p.main.Tid,
			Signo:   si.signo,
			Handler: p.sig.handler(si.signo),
			SigCode: si.code,
			SigAddr: si.addr,
		}, true, nil
	}
	return p.act(si, mask)
}

// act performs the action for si. Handlers are not run yet: a guest
// handler gets the default action (with a warning).
func (p *Process) act(si sigInfo, mask StopMask) (Event, bool, error) {
	h := p.sig.handler(si.signo)
	switch {
	case si.signo == sigKILL:
	case h == sigIGN && !si.fault:
		return Event{}, false, nil
	case h != sigDFL && h != sigIGN:
		p.log.WithField("signal", si.signo).Warn("signal handlers are not implemented yet; taking the default action")
	}
	if si.signo != sigKILL && defaultIgnored(si.signo) {
		return Event{}, false, nil
	}
	return p.terminate(si.signo, mask)
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
		return Event{Kind: StopExit, Tid: p.main.Tid, Status: status}, true, nil
	}
	p.finish(status)
	return Event{}, true, ErrExited
}

// finish makes the process a zombie with the given wait status.
func (p *Process) finish(status int) {
	p.mu.Lock()
	p.exited = true
	p.status = status
	p.pending = 0
	p.mu.Unlock()
	p.park = parkNone
	p.files.closeAll()
	p.log.WithField("status", status).Debug("exited")
}
