package target

import (
	"math/bits"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// rt_sigtimedwait(2): take a pending signal of a set without running its
// handler (sigwait, sigwaitinfo, sigtimedwait).

const sysRtSigtimedwait = 128

// sigWaitSet is what a thread blocked in rt_sigtimedwait waits for: a
// signal of set pending for it or its process.
type sigWaitSet struct {
	p   *Process
	t   *Thread
	set uint64
}

func (w sigWaitSet) ready() bool {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return (w.t.pending|w.p.pending)&w.set != 0
}

func (p *Process) sysRtSigtimedwait(t *Thread, setAddr, infoAddr, tsAddr, size uint64) uint64 {
	if size != sigsetLen {
		return fail(eINVAL)
	}
	set, r := p.getU64(setAddr)
	if r != 0 {
		return r
	}
	set &^= unblockable
	var timeout time.Duration
	if tsAddr != 0 {
		ts, r := p.getBytes(tsAddr, 16)
		if r != 0 {
			return r
		}
		sec, nsec := int64(le.Uint64(ts)), int64(le.Uint64(ts[8:]))
		if sec < 0 || nsec < 0 || nsec >= 1e9 {
			return fail(eINVAL)
		}
		timeout = time.Duration(sec)*time.Second + time.Duration(nsec)
	}
	// Take the lowest-numbered pending signal of the set, the thread's
	// own first.
	p.mu.Lock()
	var si sigInfo
	for _, src := range []struct {
		pending *uint64
		info    *[maxSig + 1]sigInfo
	}{{&t.pending, &t.pendInfo}, {&p.pending, &p.pendInfo}} {
		if m := *src.pending & set; m != 0 {
			sig := bits.TrailingZeros64(m) + 1
			*src.pending &^= sigBit(sig)
			si = src.info[sig]
			si.signo = sig
			break
		}
	}
	p.mu.Unlock()
	if si.signo != 0 {
		if infoAddr != 0 {
			b := make([]byte, 128)
			si.put(b)
			if r := p.putBytes(infoAddr, b); r != 0 {
				return r
			}
		}
		return uint64(si.signo)
	}
	if tsAddr != 0 && timeout == 0 {
		return fail(eAGAIN)
	}
	// Block until a signal of the set is pending (the call is then made
	// again and takes it), a signal outside it interrupts (EINTR), or the
	// timeout passes (EAGAIN).
	t.waitOn, t.epoll = sigWaitSet{p, t, set}, true
	t.restartNr = t.CPU.R[emu.RAX]
	t.timeoutErr = eAGAIN
	p.block(t, waitReady, timeout, tsAddr != 0)
	return 0
}
