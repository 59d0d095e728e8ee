package target

import (
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
	"github.com/sirupsen/logrus"
)

// Linux x86_64 syscall numbers implemented here.
const (
	sysRead           = 0
	sysWrite          = 1
	sysOpen           = 2
	sysClose          = 3
	sysStat           = 4
	sysFstat          = 5
	sysLstat          = 6
	sysLseek          = 8
	sysMmap           = 9
	sysMprotect       = 10
	sysMunmap         = 11
	sysBrk            = 12
	sysRtSigaction    = 13
	sysRtSigprocmask  = 14
	sysRtSigreturn    = 15
	sysIoctl          = 16
	sysPread64        = 17
	sysPwrite64       = 18
	sysReadv          = 19
	sysWritev         = 20
	sysAccess         = 21
	sysSchedYield     = 24
	sysMadvise        = 28
	sysDup            = 32
	sysDup2           = 33
	sysNanosleep      = 35
	sysPause          = 34
	sysGetpid         = 39
	sysClone          = 56
	sysFork           = 57
	sysVfork          = 58
	sysExecve         = 59
	sysExit           = 60
	sysWait4          = 61
	sysWaitid         = 247
	sysKill           = 62
	sysUname          = 63
	sysFcntl          = 72
	sysGetcwd         = 79
	sysReadlink       = 89
	sysGettimeofday   = 96
	sysGetrlimit      = 97
	sysGetuid         = 102
	sysGetgid         = 104
	sysGeteuid        = 107
	sysGetegid        = 108
	sysGetppid        = 110
	sysSigaltstack    = 131
	sysPrctl          = 157
	sysSchedGetaff    = 204
	sysEpollCreate    = 213
	sysEpollWait      = 232
	sysEpollCtl       = 233
	sysEpollPwait     = 281
	sysEventfd        = 284
	sysEventfd2       = 290
	sysEpollCreate1   = 291
	sysArchPrctl      = 158
	sysGettid         = 186
	sysTime           = 201
	sysFutex          = 202
	sysTkill          = 200
	sysGetdents64     = 217
	sysRtSigpending   = 127
	sysRtSigsuspend   = 130
	sysSetTidAddress  = 218
	sysClockGettime   = 228
	sysClockGetres    = 229
	sysClockNanosleep = 230
	sysExitGroup      = 231
	sysTgkill         = 234
	sysOpenat         = 257
	sysNewfstatat     = 262
	sysReadlinkat     = 267
	sysFaccessat      = 269
	sysSetRobustList  = 273
	sysDup3           = 292
	sysPrlimit64      = 302
	sysGetrandom      = 318
	sysRseq           = 334
	sysClone3         = 435
	sysFaccessat2     = 439
	sysPipe           = 22
	sysPipe2          = 293
)

// syscall runs syscall nr for thread t with the arguments in its registers
// and returns the value for RAX (a negative errno on failure).
func (p *Process) syscall(t *Thread, nr uint64) uint64 {
	r := &t.CPU.R
	a0, a1, a2, a3, a4, a5 := r[emu.RDI], r[emu.RSI], r[emu.RDX], r[emu.R10], r[emu.R8], r[emu.R9]
	switch nr {
	case sysRead:
		return p.sysRead(int32(a0), a1, a2)
	case sysWrite:
		return p.sysWrite(int32(a0), a1, a2)
	case sysOpen:
		return p.sysOpenat(atFDCWD, a0, int(int32(a1)), uint32(a2))
	case sysOpenat:
		return p.sysOpenat(int32(a0), a1, int(int32(a2)), uint32(a3))
	case sysClose:
		return p.sysClose(int32(a0))
	case sysStat:
		return p.sysNewfstatat(atFDCWD, a0, a1, 0)
	case sysLstat:
		return p.sysNewfstatat(atFDCWD, a0, a1, atSymlinkNofollow)
	case sysFstat:
		return p.sysFstat(int32(a0), a1)
	case sysNewfstatat:
		return p.sysNewfstatat(int32(a0), a1, a2, int(int32(a3)))
	case sysLseek:
		return p.sysLseek(int32(a0), int64(a1), int(int32(a2)))
	case sysPread64:
		return p.sysPread(int32(a0), a1, a2, int64(a3))
	case sysPwrite64:
		return p.sysPwrite(int32(a0), a1, a2, int64(a3))
	case sysReadv:
		return p.sysReadv(int32(a0), a1, a2)
	case sysWritev:
		return p.sysWritev(int32(a0), a1, a2)
	case sysIoctl:
		return p.sysIoctl(int32(a0), uint32(a1), a2)
	case sysFcntl:
		return p.sysFcntl(int32(a0), int(int32(a1)), a2)
	case sysDup:
		return p.sysDup(int32(a0))
	case sysDup2:
		return p.sysDup3(int32(a0), int32(a1), 0, true)
	case sysDup3:
		return p.sysDup3(int32(a0), int32(a1), int(int32(a2)), false)
	case sysAccess:
		return p.sysFaccessat(atFDCWD, a0, uint32(a1))
	case sysFaccessat, sysFaccessat2:
		return p.sysFaccessat(int32(a0), a1, uint32(a2))
	case sysReadlink:
		return p.sysReadlinkat(atFDCWD, a0, a1, int64(a2))
	case sysReadlinkat:
		return p.sysReadlinkat(int32(a0), a1, a2, int64(a3))
	case sysGetcwd:
		return p.sysGetcwd(a0, a1)
	case sysPipe:
		return p.sysPipe2(a0, 0)
	case sysPipe2:
		return p.sysPipe2(a0, int(int32(a1)))
	case sysGetdents64:
		return p.sysGetdents64(int32(a0), a1, a2)

	case sysBrk:
		return p.sysBrk(a0)
	case sysMmap:
		return p.sysMmap(a0, a1, int(int32(a2)), int(int32(a3)), int32(a4), a5)
	case sysMunmap:
		return p.sysMunmap(a0, a1)
	case sysMprotect:
		return p.sysMprotect(a0, a1, int(int32(a2)))
	case sysMadvise:
		return p.sysMadvise(a0, a1, int(int32(a2)))

	case sysExit, sysExitGroup:
		if nr == sysExit && len(p.threads) > 1 {
			p.threadExit = true
			return 0
		}
		status := int(a0&0xff) << 8
		p.exitReq = &status
		p.log.WithField("code", a0&0xff).Debug(syscallName(nr))
		return 0
	case sysClone:
		if a0&cloneThread == 0 {
			return p.fork(t, a0, a1, a2, a3, a4)
		}
		return p.sysClone(t, a0, a1, a2, a3, a4)
	case sysFork:
		return p.fork(t, sigCHLD, 0, 0, 0, 0)
	case sysVfork:
		return p.fork(t, cloneVM|cloneVfork|sigCHLD, 0, 0, 0, 0)
	case sysClone3:
		return fail(eNOSYS) // glibc falls back from clone3 to clone
	case sysWait4:
		return p.sysWait4(t, int(int32(a0)), a1, int(int32(a2)), a3)
	case sysWaitid:
		return p.sysWaitid(t, int(int32(a0)), int(int32(a1)), a2, int(int32(a3)), a4)
	case sysExecve:
		return p.sysExecve(t, a0, a1, a2)
	case sysGetpid:
		return uint64(p.Pid)
	case sysGettid:
		return uint64(t.Tid)
	case sysGetppid:
		if p.parent != nil {
			return uint64(p.parent.Pid)
		}
		return 1 // the root, and orphans (reparented to init)
	case sysGetuid, sysGeteuid, sysGetgid, sysGetegid:
		uid, euid, gid, egid := p.host.IDs()
		switch nr {
		case sysGetuid:
			return uint64(uid)
		case sysGeteuid:
			return uint64(euid)
		case sysGetgid:
			return uint64(gid)
		}
		return uint64(egid)
	case sysSetTidAddress:
		t.clearTid = a0
		return uint64(t.Tid)
	case sysSetRobustList:
		if a1 != 24 {
			return fail(eINVAL)
		}
		t.robust = a0
		return 0
	case sysRseq:
		return fail(eNOSYS)
	case sysSchedGetaff:
		return p.sysSchedGetaffinity(int(int32(a0)), a1, a2)
	case sysEventfd:
		return p.sysEventfd2(uint32(a0), 0)
	case sysEventfd2:
		return p.sysEventfd2(uint32(a0), int(int32(a1)))
	case sysEpollCreate:
		if int32(a0) <= 0 {
			return fail(eINVAL)
		}
		return p.sysEpollCreate1(0)
	case sysEpollCreate1:
		return p.sysEpollCreate1(int(int32(a0)))
	case sysEpollCtl:
		return p.sysEpollCtl(int32(a0), int(int32(a1)), int32(a2), a3)
	case sysEpollWait, sysEpollPwait:
		return p.sysEpollWait(t, int32(a0), a1, int(int32(a2)), int(int32(a3)))
	case sysPrctl:
		return p.sysPrctl(t, int(int32(a0)), a1)
	case sysArchPrctl:
		return p.sysArchPrctl(t, int(a0), a1)
	case sysUname:
		return p.sysUname(a0)
	case sysPrlimit64:
		return p.sysPrlimit(int(int32(a0)), int(a1), a2, a3)
	case sysGetrlimit:
		return p.sysPrlimit(0, int(a0), 0, a1)
	case sysSchedYield:
		if p.multi() {
			p.used = quantum // the next thread runs
		}
		return 0
	case sysGetrandom:
		return p.sysGetrandom(a0, a1, uint32(a2))

	case sysClockGettime:
		return p.sysClockGettime(int(int32(a0)), a1)
	case sysClockGetres:
		return p.sysClockGetres(int(int32(a0)), a1)
	case sysGettimeofday:
		return p.sysGettimeofday(a0)
	case sysTime:
		return p.sysTime(a0)
	case sysNanosleep:
		return p.sysNanosleep(t, a0, a1)
	case sysClockNanosleep:
		if a1 != 0 { // TIMER_ABSTIME is not supported
			return p.unimplemented(nr)
		}
		return p.sysNanosleep(t, a2, a3)

	case sysRtSigaction:
		return p.sysRtSigaction(int(int32(a0)), a1, a2, a3)
	case sysRtSigprocmask:
		return p.sysRtSigprocmask(t, int(int32(a0)), a1, a2, a3)
	case sysRtSigreturn:
		if !p.sigreturn(t) {
			// A bad frame: the kernel forces SIGSEGV.
			p.sig.actions[sigSEGV] = sigaction{}
			p.mu.Lock()
			t.blocked &^= sigBit(sigSEGV)
			p.mu.Unlock()
			p.queue(t, sigInfo{signo: sigSEGV, code: siKernel})
			return t.CPU.R[emu.RAX]
		}
		return t.CPU.R[emu.RAX]
	case sysSigaltstack:
		return p.sysSigaltstack(t, a0, a1)
	case sysPause:
		p.block(t, waitSignal, 0, false)
		return 0 // EINTR when a signal wakes it
	case sysRtSigsuspend:
		if a1 != sigsetLen {
			return fail(eINVAL)
		}
		set, r := p.getU64(a0)
		if r != 0 {
			return r
		}
		p.mu.Lock()
		t.savedMask, t.saveMask = t.blocked, true
		t.blocked = set &^ unblockable
		p.mu.Unlock()
		p.block(t, waitSignal, 0, false)
		return 0 // EINTR when a signal wakes it
	case sysRtSigpending:
		if a1 > sigsetLen {
			return fail(eINVAL)
		}
		p.mu.Lock()
		set := (t.pending | p.pending) & t.blocked
		p.mu.Unlock()
		return p.putBytes(a0, le.AppendUint64(nil, set)[:a1])
	case sysKill:
		return p.sysKill(int(int32(a0)), int(int32(a1)))
	case sysTkill:
		return p.sysTgkill(-1, int(int32(a0)), int(int32(a1)))
	case sysTgkill:
		return p.sysTgkill(int(int32(a0)), int(int32(a1)), int(int32(a2)))
	case sysFutex:
		return p.sysFutex(t, a0, int(int32(a1)), uint32(a2), a3, a4, uint32(a5))
	}
	if r, ok := p.fsSyscall(nr, a0, a1, a2, a3, a4); ok {
		return r
	}
	if r, ok := p.timerSyscall(nr, a0, a1, a2); ok {
		return r
	}
	if r, ok := p.pollSyscall(t, nr, a0, a1, a2); ok {
		return r
	}
	if r, ok := p.pgroupSyscall(nr, a0, a1); ok {
		return r
	}
	if nr == sysRtSigtimedwait {
		return p.sysRtSigtimedwait(t, a0, a1, a2, a3)
	}
	return p.unimplemented(nr)
}

// unimplemented answers ENOSYS, warning once per syscall number.
func (p *Process) unimplemented(nr uint64) uint64 {
	entry := p.log.WithFields(logrus.Fields{"syscall": syscallName(nr), "nr": nr})
	if !p.warned[nr] {
		p.warned[nr] = true
		entry.Warn("unimplemented syscall, returning ENOSYS")
	} else {
		entry.Debug("unimplemented syscall, returning ENOSYS")
	}
	return fail(eNOSYS)
}

// --- process and identity ---

const (
	archSetGS = 0x1001
	archSetFS = 0x1002
	archGetFS = 0x1003
	archGetGS = 0x1004
)

func (p *Process) sysArchPrctl(t *Thread, code int, addr uint64) uint64 {
	switch code {
	case archSetFS, archSetGS:
		if addr >= taskSize {
			return fail(ePERM)
		}
		if code == archSetFS {
			t.CPU.FSBase = addr
		} else {
			t.CPU.GSBase = addr
		}
		return 0
	case archGetFS, archGetGS:
		v := t.CPU.FSBase
		if code == archGetGS {
			v = t.CPU.GSBase
		}
		return p.putU64(addr, v)
	}
	return fail(eINVAL) // including ARCH_CET_STATUS: no CET, like a non-CET kernel
}

const (
	prSetName = 15
	prGetName = 16
	taskComm  = 16 // TASK_COMM_LEN
)

// sysPrctl covers the thread name calls; other options fail with EINVAL.
func (p *Process) sysPrctl(t *Thread, option int, arg uint64) uint64 {
	switch option {
	case prSetName:
		b := make([]byte, taskComm-1)
		for i := range b {
			c, r := p.getBytes(arg+uint64(i), 1)
			if r != 0 {
				return r
			}
			if c[0] == 0 {
				b = b[:i]
				break
			}
			b[i] = c[0]
		}
		t.name = string(b)
		return 0
	case prGetName:
		name := p.threadName(t)
		b := make([]byte, taskComm)
		copy(b[:taskComm-1], name)
		return p.putBytes(arg, b)
	}
	return fail(eINVAL)
}

func (p *Process) sysUname(addr uint64) uint64 {
	buf := make([]byte, 6*65)
	for i, s := range []string{"Linux", "redox-gdbstub", "6.1.0", "#1 SMP PREEMPT_DYNAMIC", "x86_64", "(none)"} {
		copy(buf[i*65:i*65+64], s)
	}
	return p.putBytes(addr, buf)
}

const rlimInfinity = ^uint64(0)

func (p *Process) sysPrlimit(pid, resource int, newAddr, oldAddr uint64) uint64 {
	if pid != 0 && pid != p.Pid {
		return fail(eSRCH)
	}
	if resource < 0 || resource >= 16 {
		return fail(eINVAL)
	}
	if oldAddr != 0 {
		cur, max := rlimInfinity, rlimInfinity
		switch resource {
		case 3: // RLIMIT_STACK
			cur = stackSize
		case 7: // RLIMIT_NOFILE
			cur, max = maxFDs, maxFDs
		}
		b := le.AppendUint64(nil, cur)
		b = le.AppendUint64(b, max)
		if r := p.putBytes(oldAddr, b); r != 0 {
			return r
		}
	}
	// New limits are accepted and not enforced.
	return 0
}

const (
	grndNonblock = 1
	grndRandom   = 2
	grndInsecure = 4
)

// sysGetrandom fills the buffer from a fixed-seed ChaCha8 stream, so runs
// reproduce; these bytes are not secret.
func (p *Process) sysGetrandom(addr, n uint64, flags uint32) uint64 {
	if flags&^(grndNonblock|grndRandom|grndInsecure) != 0 || flags&(grndRandom|grndInsecure) == grndRandom|grndInsecure {
		return fail(eINVAL)
	}
	n = min(n, 1<<25-1)
	buf := make([]byte, n)
	p.rng.Read(buf)
	if r := p.putBytes(addr, buf); r != 0 {
		return r
	}
	return n
}

// --- time (through the Host) ---

func (p *Process) sysClockGettime(clock int, addr uint64) uint64 {
	sec, nsec, err := p.host.Clock(clock)
	if err != nil {
		return fail(errnoOf(err))
	}
	b := le.AppendUint64(nil, uint64(sec))
	b = le.AppendUint64(b, uint64(nsec))
	return p.putBytes(addr, b)
}

func (p *Process) sysClockGetres(clock int, addr uint64) uint64 {
	if _, _, err := p.host.Clock(clock); err != nil {
		return fail(errnoOf(err))
	}
	if addr == 0 {
		return 0
	}
	b := le.AppendUint64(nil, 0)
	b = le.AppendUint64(b, 1)
	return p.putBytes(addr, b)
}

func (p *Process) sysGettimeofday(addr uint64) uint64 {
	if addr == 0 {
		return 0
	}
	sec, nsec, err := p.host.Clock(0)
	if err != nil {
		return fail(errnoOf(err))
	}
	b := le.AppendUint64(nil, uint64(sec))
	b = le.AppendUint64(b, uint64(nsec/1000))
	return p.putBytes(addr, b)
}

func (p *Process) sysTime(addr uint64) uint64 {
	sec, _, err := p.host.Clock(0)
	if err != nil {
		return fail(errnoOf(err))
	}
	if addr != 0 {
		if r := p.putU64(addr, uint64(sec)); r != 0 {
			return r
		}
	}
	return uint64(sec)
}

// sysNanosleep sleeps on the host; Kill interrupts it with EINTR. With
// other threads, the thread blocks and the others run meanwhile.
func (p *Process) sysNanosleep(t *Thread, reqAddr, remAddr uint64) uint64 {
	b, r := p.getBytes(reqAddr, 16)
	if r != 0 {
		return r
	}
	sec, nsec := int64(le.Uint64(b)), int64(le.Uint64(b[8:]))
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return fail(eINVAL)
	}
	d := time.Duration(sec)*time.Second + time.Duration(nsec)
	if sec > int64(time.Duration(1<<62)/time.Second) {
		d = 1 << 62
	}
	if p.multi() {
		t.remAddr = remAddr
		p.block(t, waitSleep, d, true)
		return 0 // replaced when the thread wakes
	}
	// Drain a stale wake-up from a signal that was already handled.
	select {
	case <-p.wake:
	default:
	}
	if p.signalReady(t) {
		return fail(eINTR)
	}
	start := p.clk.Now()
	if p.host.Sleep(d, p.wake) {
		return 0
	}
	if remAddr != 0 {
		left := max(d-p.clk.Now().Sub(start), 0)
		rb := le.AppendUint64(nil, uint64(left/time.Second))
		rb = le.AppendUint64(rb, uint64(left%time.Second))
		p.putBytes(remAddr, rb)
	}
	return fail(eINTR)
}

// signalReady reports whether a queued signal could be delivered to t now.
func (p *Process) signalReady(t *Thread) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.readyLocked(t) != 0
}

// --- signals ---

func (p *Process) sysRtSigaction(sig int, actAddr, oldAddr, size uint64) uint64 {
	if size != sigsetLen || sig < 1 || sig > maxSig {
		return fail(eINVAL)
	}
	if actAddr != 0 && (sig == sigKILL || sig == sigSTOP) {
		return fail(eINVAL)
	}
	var nw sigaction
	if actAddr != 0 {
		b, r := p.getBytes(actAddr, 32)
		if r != 0 {
			return r
		}
		nw = sigaction{le.Uint64(b), le.Uint64(b[8:]), le.Uint64(b[16:]), le.Uint64(b[24:]) &^ unblockable}
	}
	if oldAddr != 0 {
		o := p.sig.actions[sig]
		b := le.AppendUint64(nil, o.handler)
		b = le.AppendUint64(b, o.flags)
		b = le.AppendUint64(b, o.restorer)
		b = le.AppendUint64(b, o.mask)
		if r := p.putBytes(oldAddr, b); r != 0 {
			return r
		}
	}
	if actAddr != 0 {
		p.sig.actions[sig] = nw
	}
	return 0
}

func (p *Process) sysRtSigprocmask(t *Thread, how int, setAddr, oldAddr, size uint64) uint64 {
	if size != sigsetLen {
		return fail(eINVAL)
	}
	var set uint64
	if setAddr != 0 {
		v, r := p.getU64(setAddr)
		if r != 0 {
			return r
		}
		set = v
		if how < 0 || how > 2 {
			return fail(eINVAL)
		}
	}
	if oldAddr != 0 {
		if r := p.putU64(oldAddr, t.blocked); r != 0 {
			return r
		}
	}
	if setAddr != 0 {
		p.mu.Lock()
		switch how {
		case 0: // SIG_BLOCK
			t.blocked |= set
		case 1: // SIG_UNBLOCK
			t.blocked &^= set
		case 2: // SIG_SETMASK
			t.blocked = set
		}
		t.blocked &^= unblockable
		p.mu.Unlock()
	}
	return 0
}

func (p *Process) sysSigaltstack(t *Thread, ssAddr, oldAddr uint64) uint64 {
	sp := t.CPU.R[emu.RSP]
	if oldAddr != 0 {
		b := le.AppendUint64(nil, t.altSP)
		b = le.AppendUint64(b, uint64(t.altFlags(sp)))
		b = le.AppendUint64(b, t.altSize)
		if r := p.putBytes(oldAddr, b); r != 0 {
			return r
		}
	}
	if ssAddr != 0 {
		b, r := p.getBytes(ssAddr, 24)
		if r != 0 {
			return r
		}
		if t.onAltStack(sp) {
			return fail(ePERM)
		}
		ss, flags, size := le.Uint64(b), uint32(le.Uint64(b[8:])), le.Uint64(b[16:])
		switch mode := flags &^ ssAutodisarm; {
		case mode == ssDisable:
			t.altSP, t.altSize, t.altFlag = 0, 0, 0
		case mode != 0 && mode != ssOnstack:
			return fail(eINVAL)
		case size < minSigStkSz:
			return fail(eNOMEM)
		default:
			t.altSP, t.altSize, t.altFlag = ss, size, uint64(flags&ssAutodisarm)
		}
	}
	return 0
}

// sysKill sends a signal to this process (the only one there is) with
// si_code SI_USER.
func (p *Process) sysKill(pid, sig int) uint64 {
	// This process, its process group (0 or -pid); kill(-1) reaches
	// every process but the caller, and there is no other.
	if sig < 0 || sig > maxSig {
		return fail(eINVAL)
	}
	targets := []*Process{p}
	switch {
	case pid == 0 || pid < -1:
		pgid := p.pgid
		if pid < -1 {
			pgid = -pid
		}
		if targets = p.groupMembers(pgid); len(targets) == 0 {
			return fail(eSRCH)
		}
	case pid != p.Pid && pid != -1:
		t := p.findProcess(pid)
		if t == nil {
			return fail(eSRCH)
		}
		targets = []*Process{t}
	}
	if sig != 0 {
		uid, _, _, _ := p.host.IDs()
		for _, t := range targets {
			t.queue(nil, sigInfo{signo: sig, code: siUser, pid: p.Pid, uid: uid})
		}
	}
	return 0
}

// findProcess finds a live process of the tree by pid (or -pid).
func (p *Process) findProcess(pid int) *Process {
	if pid < 0 {
		pid = -pid
	}
	root := p.kern.root
	if root == nil { // (a Process made without Load, in tests)
		for root = p; root.parent != nil; root = root.parent {
		}
	}
	var find func(q *Process) *Process
	find = func(q *Process) *Process {
		if q.Pid == pid && !q.gone() {
			return q
		}
		for _, c := range q.children {
			if r := find(c); r != nil {
				return r
			}
		}
		return nil
	}
	if r := find(root); r != nil {
		return r
	}
	for _, o := range p.kern.orphans {
		if r := find(o); r != nil {
			return r
		}
	}
	return nil
}

// sysTgkill sends a signal to thread tid (of thread group tgid, or any
// for tkill's tgid -1) with si_code SI_TKILL.
func (p *Process) sysTgkill(tgid, tid, sig int) uint64 {
	if tid <= 0 || (tgid != -1 && tgid <= 0) || sig < 0 || sig > maxSig {
		return fail(eINVAL)
	}
	if tgid != -1 && tgid != p.Pid {
		return fail(eSRCH)
	}
	var target *Thread
	for _, t := range p.threads {
		if t.Tid == tid {
			target = t
		}
	}
	if target == nil {
		return fail(eSRCH)
	}
	if sig != 0 {
		uid, _, _, _ := p.host.IDs()
		p.queue(target, sigInfo{signo: sig, code: siTkill, pid: p.Pid, uid: uid})
	}
	return 0
}
