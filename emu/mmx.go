package emu

import (
	"golang.org/x/arch/x86/x86asm"
)

// MMX: the 64-bit integer SIMD instructions on mm0..mm7 (part of the
// x86-64 baseline CPUID reports), including the SSE/SSE2 additions
// (pshufw, pmovmskb, pextrw, pinsrw, pavg, pmin/pmax, psadbw, paddq,
// pmuludq, movntq, maskmovq, movq2dq, movdq2q). mmN aliases the
// significand of physical x87 register N: every MMX instruction but emms
// sets TOP to 0 and tags all registers valid, a write sets the exponent
// bits to all ones, and emms empties the tags. Lane arithmetic reuses the
// SSE executor on zero-extended 128-bit values. Not implemented (SIGILL):
// the MMX conversions cvtpi2ps/cvtps2pi/cvttps2pi/cvtpi2pd/cvtpd2pi/
// cvttpd2pi.

const kMM = kXMM + 2 // MMX register mm(reg)

// repMMX marks an SSE-family inst whose operands are MMX registers.
const repMMX = 3

const (
	oEmms = oSSEFirst + 0x60 + iota
	oMovq2dq
	oMovdq2q
	oMaskmovq
)

func mmxOnly(op x86asm.Op) bool {
	switch op {
	case x86asm.EMMS, x86asm.MOVQ2DQ, x86asm.MOVDQ2Q, x86asm.MASKMOVQ, x86asm.MOVNTQ, x86asm.PSHUFW:
		return true
	}
	return false
}

func translateMMX(x *x86asm.Inst, out *inst) bool {
	out.rep = repMMX
	mm := func(o *operand) bool { return o.kind == kMM }
	mmOrMem := func(o *operand) bool { return o.kind == kMM || o.kind == kMem }
	switch x.Op {
	case x86asm.EMMS:
		out.op = oEmms
		return true
	case x86asm.MOVQ2DQ:
		out.op = oMovq2dq
		return out.a.kind == kXMM && mm(&out.b)
	case x86asm.MOVDQ2Q:
		out.op = oMovdq2q
		return mm(&out.a) && out.b.kind == kXMM
	case x86asm.MASKMOVQ:
		out.op = oMaskmovq
		return mm(&out.a) && mm(&out.b)
	case x86asm.MOVNTQ:
		out.op, out.size = oMovd, 8
		return out.a.kind == kMem && mm(&out.b)
	case x86asm.PSHUFW:
		out.op, out.imm = oPshuflw, uint64(out.c.disp)&0xff
		return mm(&out.a) && mmOrMem(&out.b) && out.c.kind == kImm
	case x86asm.PEXTRW:
		out.op, out.imm = oPextrw, uint64(out.c.disp)&0xff
		return out.a.kind == kReg && mm(&out.b) && out.c.kind == kImm
	case x86asm.PINSRW:
		out.op, out.imm, out.size2 = oPinsrw, uint64(out.c.disp)&0xff, 2
		return mm(&out.a) && (out.b.kind == kReg || out.b.kind == kMem) && out.c.kind == kImm
	case x86asm.MOVD, x86asm.MOVQ:
		out.op, out.size = oMovd, 4
		if x.Op == x86asm.MOVQ {
			out.size = 8
		}
		// mm <- r/m, r/m <- mm, mm <- mm
		return mm(&out.a) && (out.b.kind == kReg || out.b.kind == kMem || mm(&out.b)) ||
			mm(&out.b) && (out.a.kind == kReg || out.a.kind == kMem)
	}
	if !translateSSEOp(x, out) {
		return false
	}
	out.rep = repMMX
	switch out.op {
	case oPLogic, oPLane, oPunpckl, oPunpckh, oPack, oPShiftReg, oPmaddwd, oPsadbw:
		return mm(&out.a) && mmOrMem(&out.b) && out.imm != 0 || mm(&out.a) && mmOrMem(&out.b) && (out.op == oPLogic || out.op == oPack || out.op == oPmaddwd || out.op == oPsadbw)
	case oPShiftImm:
		return mm(&out.a) && out.b.kind == kImm
	case oPmovmskb, oPextrw:
		return out.a.kind == kReg && mm(&out.b)
	case oPinsrw:
		return mm(&out.a) && (out.b.kind == kReg || out.b.kind == kMem)
	}
	return false
}

// mmxEnter switches the x87 state to MMX mode: TOP = 0, all tags valid.
func (c *CPU) mmxEnter() {
	if t := c.fTop(); t != 0 {
		var phys [8][10]byte
		for i := 0; i < 8; i++ {
			phys[(t+i)&7] = c.X87.ST[i]
		}
		c.X87.ST = phys
		c.setTop(0)
	}
	c.X87.FTW = 0xff
}

func (c *CPU) mm(r uint8) uint64 { return le64(c.X87.ST[r&7][:8]) }

func (c *CPU) setMM(r uint8, v uint64) {
	st := &c.X87.ST[r&7]
	putLE64(st[:8], v)
	st[8], st[9] = 0xff, 0xff
}

// mmSrc reads an mm register or 64-bit memory operand.
func (c *CPU) mmSrc(o *operand) (uint64, bool) {
	switch o.kind {
	case kMM:
		return c.mm(o.reg), true
	case kMem:
		return c.load(c.ea(o), 8)
	case kImm:
		return uint64(o.disp), true
	}
	return 0, false
}

func (c *CPU) execMMX(in *inst) int {
	switch in.op {
	case oEmms:
		c.X87.FTW = 0
		return stNext
	case oMovq2dq:
		c.mmxEnter()
		c.XMM[in.a.reg] = [2]uint64{c.mm(in.b.reg), 0}
		return stNext
	case oMovdq2q:
		c.mmxEnter()
		c.setMM(in.a.reg, c.XMM[in.b.reg][0])
		return stNext
	case oMaskmovq:
		src, mask, addr := c.mm(in.a.reg), c.mm(in.b.reg), c.R[RDI]
		for i := uint(0); i < 8; i++ {
			if mask>>(8*i+7)&1 != 0 && !c.canWrite(addr+uint64(i), 1) {
				return stFault
			}
		}
		c.mmxEnter()
		for i := uint(0); i < 8; i++ {
			if mask>>(8*i+7)&1 != 0 {
				c.store(addr+uint64(i), 1, src>>(8*i))
			}
		}
		return stNext
	case oMovd:
		sz := in.size
		if in.a.kind == kMM {
			var v uint64
			var ok bool
			if in.b.kind == kMM {
				v, ok = c.mm(in.b.reg), true
			} else {
				v, ok = c.read(&in.b, sz)
			}
			if !ok {
				return stFault
			}
			c.mmxEnter()
			c.setMM(in.a.reg, v&sizeMask[sz])
			return stNext
		}
		v := c.mm(in.b.reg) & sizeMask[sz]
		if in.a.kind == kMem && !c.store(c.ea(&in.a), sz, v) {
			return stFault
		}
		c.mmxEnter()
		if in.a.kind == kReg {
			c.setReg(&in.a, sz, v)
		}
		return stNext
	case oPmovmskb, oPextrw:
		c.mmxEnter()
		v := c.mm(in.b.reg)
		if in.op == oPmovmskb {
			c.setReg(&in.a, 8, byteSigns(v))
		} else {
			c.setReg(&in.a, 8, (v>>(16*(in.imm&3)))&0xffff)
		}
		return stNext
	case oPinsrw:
		w, ok := c.read(&in.b, 2)
		if !ok {
			return stFault
		}
		c.mmxEnter()
		sh := 16 * (in.imm & 3)
		c.setMM(in.a.reg, c.mm(in.a.reg)&^(0xffff<<sh)|(w&0xffff)<<sh)
		return stNext
	}
	// lane operations: run the SSE form on zero-extended values in a
	// scratch pair of XMM registers
	s, ok := c.mmSrc(&in.b)
	if !ok {
		return stFault
	}
	c.mmxEnter()
	d := c.mm(in.a.reg)
	if in.op == oPunpckh {
		d, s = d>>32, s>>32 // the high halves, interleaved as punpckl does
	}
	x := *in
	x.rep = 0
	x.a = operand{kind: kXMM, reg: 0}
	if in.op == oPunpckh {
		x.op = oPunpckl
	}
	if x.b.kind != kImm {
		x.b = operand{kind: kXMM, reg: 1}
	}
	save0, save1 := c.XMM[0], c.XMM[1]
	c.XMM[0], c.XMM[1] = [2]uint64{d, 0}, [2]uint64{s, 0}
	if x.op == oPshuflw {
		c.XMM[0] = c.XMM[1]
	}
	st := c.execSSE(&x)
	r := c.XMM[0]
	c.XMM[0], c.XMM[1] = save0, save1
	if st != stNext {
		return st
	}
	v := r[0]
	if in.op == oPack {
		// dst's lanes land in the low half, src's in the high half
		v = r[0]&0xffffffff | r[1]<<32
	}
	c.setMM(in.a.reg, v)
	return stNext
}
