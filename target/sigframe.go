package target

import (
	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// Signal frames: the Linux x86_64 struct rt_sigframe that a handler runs
// on, and rt_sigreturn, which undoes it. The offsets are the kernel's
// (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h, signal.h), which
// gdb's amd64-linux unwinder reads to walk through a handler.

// struct rt_sigframe { pretcode; struct ucontext uc; siginfo_t info; }
const (
	frameUC   = 8             // ucontext within the frame
	frameInfo = frameUC + 304 // siginfo within the frame
	frameSize = frameInfo + 128

	// struct ucontext
	ucFlags    = 0
	ucLink     = 8
	ucStack    = 16 // stack_t: ss_sp, ss_flags (int), ss_size
	ucMcontext = 40 // struct sigcontext (256 bytes)
	ucSigmask  = 296
	ucSize     = 304

	// uc_flags Linux sets on x86_64 (no UC_FP_XSTATE: no XSAVE here)
	ucSigcontextSS     = 2
	ucStrictRestoreSS  = 4
	fxsaveSize         = 512
	fxsaveAlign        = 64
	redZone            = 128
	userCS, userSS     = 0x33, 0x2b
	fixEflags          = emu.FlagCF | emu.FlagPF | emu.FlagAF | emu.FlagZF | emu.FlagSF | emu.FlagTF | emu.FlagDF | emu.FlagOF | 1<<16 | 1<<18 // incl. RF, AC
	handlerClearEflags = emu.FlagDF | emu.FlagTF | 1<<16
)

// sigcontextRegs is the order of the general registers at the start of
// struct sigcontext: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp.
var sigcontextRegs = [16]int{
	emu.R8, emu.R9, emu.R10, emu.R11, emu.R12, emu.R13, emu.R14, emu.R15,
	emu.RDI, emu.RSI, emu.RBP, emu.RBX, emu.RDX, emu.RAX, emu.RCX, emu.RSP,
}

// sigaction flags
const (
	saSiginfo   = 0x4
	saOnstack   = 0x08000000
	saRestart   = 0x10000000
	saNodefer   = 0x40000000
	saResethand = 0x80000000
	saRestorer  = 0x04000000

	ssOnstack    = 1
	ssDisable    = 2
	ssAutodisarm = 0x80000000
	minSigStkSz  = 2048
)

// Trap numbers the kernel records in sigcontext.trapno.
const (
	trapDE = 0  // divide error
	trapBP = 3  // int3
	trapUD = 6  // invalid opcode
	trapGP = 13 // general protection
	trapPF = 14 // page fault
)

// onAltStack reports whether sp lies on t's alternate signal stack.
func (t *Thread) onAltStack(sp uint64) bool {
	return t.altSize != 0 && sp > t.altSP && sp-t.altSP <= t.altSize
}

// altFlags is ss_flags as sigaltstack reports it for sp.
func (t *Thread) altFlags(sp uint64) uint32 {
	switch {
	case t.altSize == 0:
		return ssDisable
	case t.onAltStack(sp):
		return ssOnstack | uint32(t.altFlag)
	}
	return uint32(t.altFlag)
}

// fxsave stores the FPU and SSE state of c in the FXSAVE layout.
func fxsave(c *emu.CPU, b []byte) {
	clear(b[:fxsaveSize])
	x := &c.X87
	le.PutUint16(b[0:], x.FCW)
	le.PutUint16(b[2:], x.FSW)
	b[4] = x.FTW
	le.PutUint16(b[6:], x.FOP)
	le.PutUint64(b[8:], x.FIP)
	le.PutUint64(b[16:], x.FDP)
	le.PutUint32(b[24:], c.MXCSR)
	le.PutUint32(b[28:], 0xffff) // MXCSR_MASK
	for i := range x.ST {
		copy(b[32+16*i:], x.ST[i][:])
	}
	for i := range c.XMM {
		le.PutUint64(b[160+16*i:], c.XMM[i][0])
		le.PutUint64(b[168+16*i:], c.XMM[i][1])
	}
}

// fxrstor loads the FPU and SSE state from the FXSAVE layout.
func fxrstor(c *emu.CPU, b []byte) {
	mxcsr := le.Uint32(b[24:])
	x := &c.X87
	x.FCW = le.Uint16(b[0:])
	x.FSW = le.Uint16(b[2:])
	x.FTW = b[4]
	x.FOP = le.Uint16(b[6:])
	x.FIP = le.Uint64(b[8:])
	x.FDP = le.Uint64(b[16:])
	c.MXCSR = mxcsr
	for i := range x.ST {
		copy(x.ST[i][:], b[32+16*i:])
	}
	for i := range c.XMM {
		c.XMM[i][0] = le.Uint64(b[160+16*i:])
		c.XMM[i][1] = le.Uint64(b[168+16*i:])
	}
}

// fpuInit gives c the FPU state a signal handler starts with.
func fpuInit(c *emu.CPU) {
	c.X87 = emu.X87{FCW: 0x37f}
	c.MXCSR = 0x1f80
	c.XMM = [16][2]uint64{}
}

// putSiginfo fills a 128-byte siginfo_t.
func (si *sigInfo) put(b []byte) {
	clear(b[:128])
	le.PutUint32(b[0:], uint32(si.signo))
	le.PutUint32(b[4:], uint32(si.errno))
	le.PutUint32(b[8:], uint32(int32(si.code)))
	if si.fault {
		le.PutUint64(b[16:], si.addr) // si_addr
		return
	}
	le.PutUint32(b[16:], uint32(si.pid)) // si_pid
	le.PutUint32(b[20:], uint32(si.uid)) // si_uid
	if si.signo == sigCHLD {
		le.PutUint32(b[24:], uint32(si.status)) // si_status
	}
}

// setupFrame builds an rt_sigframe for si on t's stack (or its alternate
// stack) and points t at handler act. It reports false if the frame could
// not be written (the kernel then forces SIGSEGV).
func (p *Process) setupFrame(t *Thread, si sigInfo, act sigaction) bool {
	c := t.CPU
	oldSP := c.R[emu.RSP]
	sp := oldSP - redZone
	if act.flags&saOnstack != 0 && t.altSize != 0 && !t.onAltStack(sp) {
		sp = t.altSP + t.altSize
	}
	fpAddr := (sp - fxsaveSize) &^ (fxsaveAlign - 1)
	frame := (fpAddr-frameSize)&^15 - 8

	var buf [fxsaveSize]byte
	fxsave(c, buf[:])
	if p.putBytes(fpAddr, buf[:]) != 0 {
		return false
	}

	b := buf[:frameSize]
	clear(b)
	le.PutUint64(b[0:], act.restorer) // pretcode
	uc := b[frameUC:]
	le.PutUint64(uc[ucFlags:], ucSigcontextSS|ucStrictRestoreSS)
	le.PutUint64(uc[ucStack:], t.altSP)
	le.PutUint32(uc[ucStack+8:], t.altFlags(oldSP))
	le.PutUint64(uc[ucStack+16:], t.altSize)
	sc := uc[ucMcontext:]
	for i, r := range sigcontextRegs {
		le.PutUint64(sc[8*i:], c.R[r])
	}
	le.PutUint64(sc[128:], c.RIP)
	le.PutUint64(sc[136:], c.Flags())
	le.PutUint16(sc[144:], userCS) // cs, gs, fs, ss
	le.PutUint16(sc[150:], userSS)
	var errCode uint64
	if si.trapno == trapPF {
		errCode = 4 // user-mode access
		if si.code == emu.SEGV_ACCERR {
			errCode |= 1 // protection violation
		}
	}
	le.PutUint64(sc[152:], errCode)
	le.PutUint64(sc[160:], si.trapno)
	oldMask := t.blocked
	if t.saveMask { // rt_sigsuspend: the handler returns to the old mask
		oldMask = t.savedMask
	}
	le.PutUint64(sc[168:], oldMask) // oldmask
	if si.trapno == trapPF {
		le.PutUint64(sc[176:], si.addr) // cr2
	}
	le.PutUint64(sc[184:], fpAddr)
	le.PutUint64(uc[ucSigmask:], oldMask)
	si.put(b[frameInfo:])
	if p.putBytes(frame, b) != 0 {
		return false
	}

	if t.altFlag&ssAutodisarm != 0 && act.flags&saOnstack != 0 {
		t.altSP, t.altSize, t.altFlag = 0, 0, 0
	}
	c.R[emu.RDI] = uint64(si.signo)
	c.R[emu.RSI] = frame + frameInfo
	c.R[emu.RDX] = frame + frameUC
	c.R[emu.RAX] = 0
	c.R[emu.RSP] = frame
	c.RIP = act.handler
	c.SetFlags(c.Flags() &^ handlerClearEflags)
	fpuInit(c)

	block := act.mask
	if act.flags&saNodefer == 0 {
		block |= sigBit(si.signo)
	}
	p.mu.Lock()
	t.blocked = (t.blocked | block) &^ unblockable
	t.saveMask = false
	p.mu.Unlock()
	if act.flags&saResethand != 0 {
		p.sig.actions[si.signo] = sigaction{}
	}
	return true
}

// sigreturn is rt_sigreturn: it restores the registers, FPU state,
// signal mask and alternate stack saved by setupFrame. RSP points just
// past pretcode, at the ucontext. It reports false for an unreadable
// frame (the kernel then forces SIGSEGV).
func (p *Process) sigreturn(t *Thread) bool {
	c := t.CPU
	ucAddr := c.R[emu.RSP]
	uc, r := p.getBytes(ucAddr, ucSize)
	if r != 0 {
		return false
	}
	sc := uc[ucMcontext:]
	fpAddr := le.Uint64(sc[184:])
	var fp []byte
	if fpAddr != 0 {
		if fp, r = p.getBytes(fpAddr, fxsaveSize); r != 0 {
			return false
		}
	}
	var regs [16]uint64
	for i, reg := range sigcontextRegs {
		regs[reg] = le.Uint64(sc[8*i:])
	}
	if fp != nil {
		if le.Uint32(fp[24:])&^0xffff != 0 {
			return false // reserved MXCSR bits: the kernel rejects the frame
		}
		fxrstor(c, fp)
	} else {
		fpuInit(c)
	}
	c.R = regs
	c.RIP = le.Uint64(sc[128:])
	c.SetFlags(c.Flags()&^fixEflags | le.Uint64(sc[136:])&fixEflags)

	p.mu.Lock()
	t.blocked = le.Uint64(uc[ucSigmask:]) &^ unblockable
	p.mu.Unlock()

	// restore_altstack: applied like sigaltstack(2), failures ignored.
	if !t.onAltStack(c.R[emu.RSP]) {
		ss, flags, size := le.Uint64(uc[ucStack:]), le.Uint32(uc[ucStack+8:]), le.Uint64(uc[ucStack+16:])
		switch {
		case flags&ssDisable != 0:
			t.altSP, t.altSize, t.altFlag = 0, 0, 0
		case flags&^(ssAutodisarm|ssOnstack) == 0 && size >= minSigStkSz:
			t.altSP, t.altSize, t.altFlag = ss, size, uint64(flags&ssAutodisarm)
		}
	}
	return true
}
