package emu

import (
	"sync/atomic"
)

const tlbSize = 256

type tlbEntry struct {
	tag uint64 // page number; ^0 = empty (flushTLB)
	p   *page
}

// readTLBEntry caches the contents of a page that loads may read without
// any further check: readable, not watched for reads, and materialised
// (its data pointer never changes once set). Entries are only filled from
// the page itself and dropped with the rest of the TLB whenever Mem.gen
// changes (mapping, permissions or watchpoints).
type readTLBEntry struct {
	tag  uint64 // page number; ^0 = empty
	data *[PageSize]byte
}

// CPU is one x86_64 hardware thread in 64-bit user mode.
type CPU struct {
	Mem            *Memory
	R              [16]uint64 // general registers, index RAX..R15
	RIP            uint64
	FSBase, GSBase uint64
	XMM            [16][2]uint64 // low, high quadword
	MXCSR          uint32
	X87            X87
	Fault          Fault // valid after StopFault

	// RFLAGS: the non-arithmetic bits always live here; the arithmetic
	// bits (CF PF AF ZF SF OF) live here only when ccOp == ccEager and are
	// otherwise computed from the lazy state below.
	rflags uint64
	ccOp   uint8
	ccSize uint8
	ccA    uint64 // first operand
	ccB    uint64 // second operand
	ccR    uint64 // result
	ccC    uint64 // carry in (adc/sbb) or preserved CF (inc/dec)
	ccBase uint8  // ccRot: the lazy op whose SF ZF PF AF stand
	ccRF   uint64 // ccRot: CF and OF as flag bits

	icount uint64 // instructions completed

	// translation caches, valid while memGen == Mem.gen
	memGen uint64
	tlb    [tlbSize]tlbEntry
	rtlb   [tlbSize]readTLBEntry
	codePN uint64 // page number of codeP
	codeP  *page  // page holding RIP, checked executable
	xinst  inst   // scratch for an instruction not cached (page cache full)

	single bool // this Run executes one instruction (rep does one iteration)

	// rfAddr is the address of the breakpoint last reported, valid until
	// an instruction completes (x86's RF flag).
	rfAddr  uint64
	rfValid bool

	// watch is the data watchpoint hit by the current instruction
	// (watch.go); Run stops once the instruction completes.
	watch    WatchHit
	watchHit bool

	panicOnBug bool // tests: let executor panics through Run's safety net
}

// NewCPU returns a CPU with RFLAGS = 0x202, MXCSR = 0x1f80, FCW = 0x37f.
func NewCPU(mem *Memory) *CPU {
	c := &CPU{Mem: mem, rflags: 0x202, MXCSR: 0x1f80}
	c.X87.FCW = 0x37f
	c.flushTLB()
	return c
}

// Flags materialises RFLAGS.
func (c *CPU) Flags() uint64 {
	return c.rflags&^arithMask | c.arith() | 2
}

// SetFlags sets RFLAGS (bit 1 always reads as 1).
func (c *CPU) SetFlags(v uint64) {
	c.rflags = v | 2
	c.ccOp = ccEager
}

// Clone returns a copy of the registers sharing Mem (for new threads).
func (c *CPU) Clone() *CPU {
	n := &CPU{
		Mem: c.Mem, R: c.R, RIP: c.RIP, FSBase: c.FSBase, GSBase: c.GSBase,
		XMM: c.XMM, MXCSR: c.MXCSR, X87: c.X87,
	}
	n.flushTLB()
	n.SetFlags(c.Flags())
	return n
}

// InstructionsExecuted is the total number of instructions this CPU completed.
func (c *CPU) InstructionsExecuted() uint64 { return c.icount }

// results of exec
const (
	stNext    = iota // completed, RIP = next instruction
	stJump           // completed, RIP already set
	stRepeat         // a string instruction did some iterations and must run again (RIP unchanged)
	stFault          // c.Fault set, nothing changed
	stSyscall        // completed syscall
	stInt3           // completed int3
)

// Run executes up to max instructions (max >= 1) and returns why it stopped
// and how many instructions completed. A debugger breakpoint is reported
// (StopBreakpoint) before its instruction executes. Like x86's RF flag, the
// breakpoint Run last reported is not reported again when execution
// resumes at it before any instruction completed, so a resume steps off
// it (also when that instruction faults and is retried). A breakpoint at
// the starting RIP after any other kind of stop (budget, syscall,
// interrupt, int3) IS reported, so splitting a run into chunks never
// misses one. With max == 1 a rep-prefixed string instruction performs one
// iteration (as under the TF flag). intr is polled every 1024 instructions
// and every 64th taken branch; it may be nil.
//
// A rep string instruction that is interrupted after some iterations
// (max == 1, or a long count split in chunks) counts as one instruction
// per chunk and leaves RIP at itself.
func (c *CPU) Run(max uint64, intr *atomic.Bool) (reason StopReason, n uint64) {
	defer func() {
		// Last resort: an executor bug must not take the process down.
		if r := recover(); r != nil {
			if c.panicOnBug {
				panic(r)
			}
			c.Fault = Fault{Signo: SIGILL, Code: ILL_ILLOPN, Addr: c.RIP}
			reason = StopFault
		}
	}()
	if max == 0 {
		return StopBudget, 0
	}
	if c.memGen != c.Mem.gen {
		c.flushTLB()
	}
	c.codeP = nil
	c.single = max == 1
	c.watchHit = false
	// RF semantics: the breakpoint this CPU last reported is not reported
	// again when execution resumes at it.
	skipBP := c.rfValid && c.rfAddr == c.RIP
	for n < max {
		if n&1023 == 0 && intr != nil && intr.Load() {
			if c.watchHit {
				return StopBreakpoint, n
			}
			return StopInterrupt, n
		}
		// hot path of fetch: same page, decoded, no breakpoints in it
		var in *inst
		rip := c.RIP
		if p := c.codeP; p != nil && rip/PageSize == c.codePN && p.nbp == 0 {
			if cp := p.code; cp != nil {
				if i := cp.idx[rip%PageSize]; i != 0 {
					in = &cp.insts[i-1]
				}
			}
		}
		if in == nil {
			if c.watchHit {
				// A data watchpoint hit by the previous instruction
				// (watch.go cleared codeP to get here): trap after it.
				return StopBreakpoint, n
			}
			in = c.fetch(skipBP)
		}
		if in == nil {
			if c.Fault.Signo == 0 {
				c.rfValid, c.rfAddr = true, c.RIP
				return StopBreakpoint, n
			}
			return StopFault, n
		}
		skipBP = false
		var st int
		switch in.op {
		case oMovRR:
			c.setRegN(in.a.reg, in.size, c.R[in.b.reg&15])
			st = stNext
		case oJcc:
			st = stNext
			var take bool
			// ZF of every lazy operation is "result == 0"
			if c.ccOp != ccEager && in.cond == condNE {
				take = c.ccR&sizeMask[c.ccSize] != 0
			} else if c.ccOp != ccEager && in.cond == condE {
				take = c.ccR&sizeMask[c.ccSize] == 0
			} else {
				take = c.cond(in.cond)
			}
			if take {
				c.RIP = in.targ
				st = stJump
			}
		case oAluRR, oAluRI:
			// inlined from execFast: the commonest instructions
			sz := in.size
			m := sizeMask[sz]
			a := c.R[in.a.reg&15] & m
			b := in.imm
			if in.op == oAluRR {
				b = c.R[in.b.reg&15] & m
			}
			var r uint64
			cc := ccLogic
			switch uint16(in.cond) {
			case oAdd:
				r, cc = a+b, ccAdd
				c.setRegN(in.a.reg, sz, r)
			case oSub:
				r, cc = a-b, ccSub
				c.setRegN(in.a.reg, sz, r)
			case oCmp:
				r, cc = a-b, ccSub
			case oXor:
				r = a ^ b
				c.setRegN(in.a.reg, sz, r)
			case oAnd:
				r = a & b
				c.setRegN(in.a.reg, sz, r)
			case oOr:
				r = a | b
				c.setRegN(in.a.reg, sz, r)
			default: // test
				r = a & b
			}
			c.ccOp, c.ccSize, c.ccA, c.ccB, c.ccR = cc, sz, a, b, r
			st = stNext
		case oShiftRI, oIncR, oDecR, oMovRI, oLoadR, oStoreR, oStoreI, oLoadX, oExtR, oAluRM, oAluMX:
			st = c.execFast(in)
		default:
			st = c.exec(in)
		}
		switch st {
		case stNext:
			c.RIP += uint64(in.len)
		case stJump:
			if intr != nil && n&63 == 0 && intr.Load() {
				n++
				c.icount++
				c.rfValid = false
				if c.watchHit {
					return StopBreakpoint, n
				}
				return StopInterrupt, n
			}
		case stRepeat:
			skipBP = true
			if intr != nil && intr.Load() {
				n++
				c.icount++
				c.rfValid, c.rfAddr = true, c.RIP
				if c.watchHit {
					return StopBreakpoint, n
				}
				return StopInterrupt, n
			}
		case stFault:
			c.watchHit = false  // the instruction did not happen
			return StopFault, n // RF stays set: a retried instruction is not re-reported
		case stSyscall:
			n++
			c.icount++
			c.rfValid = false
			return StopSyscall, n
		case stInt3:
			n++
			c.icount++
			c.rfValid = false
			return StopInt3, n
		}
		n++
		c.icount++
		// an interrupted rep string instruction keeps RF set, like x86
		c.rfValid, c.rfAddr = st == stRepeat, c.RIP
	}
	if c.watchHit {
		return StopBreakpoint, n
	}
	return StopBudget, n
}

func (c *CPU) flushTLB() {
	for i := range c.tlb {
		c.tlb[i] = tlbEntry{tag: ^uint64(0)}
		c.rtlb[i] = readTLBEntry{tag: ^uint64(0)}
	}
	c.codeP = nil
	if c.Mem != nil {
		c.memGen = c.Mem.gen
	}
}

// pageOf returns the page holding page number pn, or nil.
func (c *CPU) pageOf(pn uint64) *page {
	if e := &c.tlb[uint8(pn)]; e.tag == pn { // tlbSize == 256
		return e.p
	}
	return c.pageOfSlow(pn)
}

// pageOfSlow is pageOf on a TLB miss (kept separate so pageOf inlines).
func (c *CPU) pageOfSlow(pn uint64) *page {
	p := c.Mem.lookup(pn)
	if p != nil {
		e := &c.tlb[uint8(pn)]
		e.tag, e.p = pn, p
	}
	return p
}

func (c *CPU) segv(addr uint64, code int) {
	c.Fault = Fault{Signo: SIGSEGV, Code: code, Addr: addr}
}

func (c *CPU) sigill() {
	c.Fault = Fault{Signo: SIGILL, Code: ILL_ILLOPN, Addr: c.RIP}
}

// gpFault is a general protection fault: Linux sends SIGSEGV with
// si_code SI_KERNEL and address 0.
func (c *CPU) gpFault() {
	c.Fault = Fault{Signo: SIGSEGV, Code: SI_KERNEL, Addr: 0}
}

// fetch returns the decoded instruction at RIP. It returns nil with
// c.Fault set on a fetch or decode fault, and nil with c.Fault.Signo == 0
// when a breakpoint is armed at RIP (unless skipBP).
func (c *CPU) fetch(skipBP bool) *inst {
	rip := c.RIP
	pn := rip / PageSize
	p := c.codeP
	if p == nil || c.codePN != pn {
		p = c.pageOf(pn)
		if p == nil {
			if !skipBP && c.Mem.HasBreakpoint(rip) {
				c.Fault = Fault{}
				return nil
			}
			c.segv(rip, SEGV_MAPERR)
			return nil
		}
		if p.perm&PermExec == 0 {
			if !skipBP && c.Mem.HasBreakpoint(rip) {
				c.Fault = Fault{}
				return nil
			}
			c.segv(rip, SEGV_ACCERR)
			return nil
		}
		c.codeP, c.codePN = p, pn
	}
	if p.nbp != 0 && !skipBP && c.Mem.HasBreakpoint(rip) {
		c.Fault = Fault{}
		return nil
	}
	cp := p.code
	if cp == nil {
		cp = &codePage{}
		p.code = cp
	}
	off := rip % PageSize
	if i := cp.idx[off]; i != 0 {
		return &cp.insts[i-1]
	}
	return c.decodeAt(rip, p, cp)
}

// decodeAt decodes and caches the instruction at rip in page p.
func (c *CPU) decodeAt(rip uint64, p *page, cp *codePage) *inst {
	off := rip % PageSize
	var buf [16]byte
	nb := min(15, int(PageSize-off))
	if p.data != nil {
		copy(buf[:nb], p.data[off:])
	}
	crossing := false
	var nextFault Fault
	if nb < 15 {
		// the instruction may continue on the next page
		np := c.pageOf(pn1(rip))
		switch {
		case np == nil:
			nextFault = Fault{Signo: SIGSEGV, Code: SEGV_MAPERR, Addr: pn1(rip) * PageSize}
		case np.perm&PermExec == 0:
			nextFault = Fault{Signo: SIGSEGV, Code: SEGV_ACCERR, Addr: pn1(rip) * PageSize}
		default:
			if np.data != nil {
				copy(buf[nb:15], np.data[:])
			}
			nb = 15
			crossing = true
		}
	}
	var in inst
	ok := decodeBytes(buf[:nb], rip, &in)
	if !ok {
		if nextFault.Signo != 0 && nb < 15 {
			// Could the instruction have continued on the missing page?
			// If decoding with that page padded succeeds beyond nb bytes,
			// the fetch fault comes first.
			var pad [16]byte
			copy(pad[:], buf[:nb])
			var t inst
			if decodeBytes(pad[:15], rip, &t) && int(t.len) > nb {
				c.Fault = nextFault
				return nil
			}
		}
		c.sigill()
		return nil
	}
	if crossing && int(off)+int(in.len) > PageSize {
		// Cached here, and the next page remembers that writing it (or
		// remapping it) must drop this page's instructions too.
		np := c.pageOf(pn1(rip))
		if np.code == nil {
			np.code = &codePage{}
		}
		np.code.prevDep = true
	}
	if len(cp.insts) >= 0xffff {
		c.xinst = in
		return &c.xinst
	}
	cp.insts = append(cp.insts, in)
	cp.idx[off] = uint16(len(cp.insts))
	return &cp.insts[len(cp.insts)-1]
}

func pn1(addr uint64) uint64 { return addr/PageSize + 1 }

// ea computes the effective address of a memory operand, including the
// FS/GS base.
func (c *CPU) ea(o *operand) uint64 {
	a := uint64(o.disp)
	if o.base != noReg {
		a += c.R[o.base]
	}
	if o.index != noReg {
		a += c.R[o.index] << o.scale
	}
	if o.addr32 {
		a = uint64(uint32(a))
	}
	switch o.seg {
	case segFS:
		a += c.FSBase
	case segGS:
		a += c.GSBase
	}
	return a
}

// offset is ea without the segment base (for LEA).
func (c *CPU) offset(o *operand) uint64 {
	a := uint64(o.disp)
	if o.base != noReg {
		a += c.R[o.base]
	}
	if o.index != noReg {
		a += c.R[o.index] << o.scale
	}
	if o.addr32 {
		a = uint64(uint32(a))
	}
	return a
}

// load reads size (1, 2, 4, 8) bytes; on a fault it sets c.Fault.
func (c *CPU) load(addr uint64, size uint8) (uint64, bool) {
	off := addr % PageSize
	if off+uint64(size) <= PageSize {
		pn := addr / PageSize
		var d *[PageSize]byte
		if e := &c.rtlb[uint8(pn)]; e.tag == pn { // tlbSize == 256
			d = e.data
		} else {
			d = c.fillReadTLB(pn)
		}
		if d != nil {
			b := d[off:]
			switch size {
			case 1:
				return uint64(b[0]), true
			case 2:
				return le16(b), true
			case 4:
				return le32(b), true
			default:
				return le64(b), true
			}
		}
		if p := c.pageOf(pn); p != nil && p.fast&PermRead != 0 && p.data == nil {
			return 0, true // never written: zeros
		}
	}
	var b [8]byte
	if !c.loadBytes(addr, b[:size]) {
		return 0, false
	}
	return le64(b[:]), true
}

// fillReadTLB returns the contents of page pn if loads may read them
// directly (see readTLBEntry) and caches them; nil otherwise.
func (c *CPU) fillReadTLB(pn uint64) *[PageSize]byte {
	p := c.pageOf(pn)
	if p == nil || p.fast&PermRead == 0 || p.data == nil {
		return nil
	}
	e := &c.rtlb[uint8(pn)]
	e.tag, e.data = pn, p.data
	return p.data
}

// loadBytes reads len(b) bytes (slow path, any alignment).
func (c *CPU) loadBytes(addr uint64, b []byte) bool {
	if f, ok := c.Mem.check(addr, len(b), accRead); !ok {
		c.Fault = f
		return false
	}
	c.Mem.copyOut(addr, b)
	if len(c.Mem.wpages) != 0 {
		c.watchCheck(addr, len(b), WatchRead)
	}
	return true
}

// storeBytes writes len(b) bytes after checking the whole range.
func (c *CPU) storeBytes(addr uint64, b []byte) bool {
	if f, ok := c.Mem.check(addr, len(b), accWrite); !ok {
		c.Fault = f
		return false
	}
	c.Mem.copyIn(addr, b)
	if len(c.Mem.wpages) != 0 {
		c.watchCheck(addr, len(b), WatchWrite)
	}
	return true
}

// store writes size (1, 2, 4, 8) bytes; on a fault it sets c.Fault and
// writes nothing.
func (c *CPU) store(addr uint64, size uint8, v uint64) bool {
	off := addr % PageSize
	if off+uint64(size) <= PageSize {
		p := c.pageOf(addr / PageSize)
		if p != nil && p.fast&PermWrite != 0 {
			if p.code != nil {
				c.Mem.dropCode(addr/PageSize, p)
			}
			if p.data == nil {
				p.data = new([PageSize]byte)
			}
			d := p.data[off:]
			switch size {
			case 1:
				d[0] = byte(v)
			case 2:
				putLE16(d, v)
			case 4:
				putLE32(d, v)
			default:
				putLE64(d, v)
			}
			return true
		}
	}
	var b [8]byte
	putLE64(b[:], v)
	return c.storeBytes(addr, b[:size])
}

// canWrite checks that [addr, addr+size) is writable (for instructions
// that must not change anything before a later store could fault).
func (c *CPU) canWrite(addr uint64, size int) bool {
	if f, ok := c.Mem.check(addr, size, accWrite); !ok {
		c.Fault = f
		return false
	}
	return true
}

func putLE16(b []byte, v uint64) {
	_ = b[1]
	b[0], b[1] = byte(v), byte(v>>8)
}

func putLE32(b []byte, v uint64) {
	_ = b[3]
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func putLE64(b []byte, v uint64) {
	_ = b[7]
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	b[4], b[5], b[6], b[7] = byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56)
}
