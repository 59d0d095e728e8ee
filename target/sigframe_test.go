package target

import (
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// TestSigframeRoundTrip delivers a signal to a synthetic thread with
// every register, the FPU and SSE state set, then rt_sigreturns: all of
// it comes back, and so does the mask.
func TestSigframeRoundTrip(t *testing.T) {
	p, _ := newSysProc(t)
	th := p.main
	c := th.CPU
	for i := range c.R {
		c.R[i] = 0x1111111111111111 * uint64(i+1)
	}
	c.R[emu.RSP] = stackTop - 0x1000 + 3 // misaligned on purpose
	c.RIP = 0x401234
	c.SetFlags(emu.FlagCF | emu.FlagZF | emu.FlagDF | 0x200)
	for i := range c.XMM {
		c.XMM[i] = [2]uint64{uint64(i) * 3, ^uint64(i)}
	}
	c.MXCSR = 0x1fa0
	c.X87.FCW, c.X87.FSW, c.X87.FTW = 0x27f, 0x3800, 0x80
	c.X87.ST[0] = [10]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	th.blocked = sigBit(sigHUP)
	before := *cpuRegs(c)
	flags, x87, xmm := c.Flags(), c.X87, c.XMM

	act := sigaction{handler: 0x402000, flags: saSiginfo | saRestorer, restorer: 0x403000, mask: sigBit(sigUSR2)}
	if !p.setupFrame(th, sigInfo{signo: sigUSR1, code: siTkill, pid: 7, uid: 8}, act) {
		t.Fatal("setupFrame failed")
	}
	sp := c.R[emu.RSP]
	if (sp+8)%16 != 0 || c.RIP != 0x402000 || c.R[emu.RDI] != sigUSR1 || c.Flags()&emu.FlagDF != 0 {
		t.Fatalf("handler entry: rsp %#x rip %#x rdi %d flags %#x", sp, c.RIP, c.R[emu.RDI], c.Flags())
	}
	if want := sigBit(sigHUP) | sigBit(sigUSR1) | sigBit(sigUSR2); th.blocked != want {
		t.Errorf("mask in handler %#x, want %#x", th.blocked, want)
	}
	if c.MXCSR != 0x1f80 || c.XMM[3] != [2]uint64{} {
		t.Errorf("handler FPU state not reset: MXCSR %#x", c.MXCSR)
	}
	// The handler returns: its ret pops pretcode.
	c.R[emu.RSP] += 8
	c.R[emu.RAX] = sysRtSigreturn
	res := p.syscall(th, sysRtSigreturn)
	c.R[emu.RAX] = res
	if got := *cpuRegs(c); got.r != before.r || got.rip != before.rip || got.mxcsr != before.mxcsr {
		t.Errorf("registers after sigreturn\n got %+v\nwant %+v", got, before)
	}
	if c.Flags() != flags || c.X87 != x87 || c.XMM != xmm {
		t.Errorf("flags %#x (want %#x), x87 or xmm differ", c.Flags(), flags)
	}
	if th.blocked != sigBit(sigHUP) {
		t.Errorf("mask after sigreturn %#x", th.blocked)
	}
}

// FuzzSigreturn: rt_sigreturn on an arbitrary frame never panics; it
// either restores some state or forces SIGSEGV.
func FuzzSigreturn(f *testing.F) {
	f.Add(make([]byte, ucSize), uint64(0))
	f.Add(make([]byte, ucSize), uint64(scratch+0x800))
	f.Fuzz(func(t *testing.T, frame []byte, fp uint64) {
		p, _ := newSysProc(t)
		if len(frame) > ucSize {
			frame = frame[:ucSize]
		}
		b := make([]byte, ucSize)
		copy(b, frame)
		le.PutUint64(b[ucMcontext+184:], fp)
		p.Mem.WriteForce(scratch, b)
		c := p.main.CPU
		c.R[emu.RSP] = scratch
		p.syscall(p.main, sysRtSigreturn)
		if p.main.blocked&unblockable != 0 {
			t.Fatalf("mask %#x blocks SIGKILL or SIGSTOP", p.main.blocked)
		}
	})
}
