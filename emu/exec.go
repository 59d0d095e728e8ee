package emu

import (
	"math/bits"
)

// The executor: one dense switch over inst.op. Every handler reads all its
// inputs and performs every check that can fault before it changes any
// architectural state, so a fault leaves the CPU exactly as it was.

func (c *CPU) getReg(o *operand, size uint8) uint64 {
	if o.kind == kRegHi {
		return (c.R[o.reg] >> 8) & 0xff
	}
	return c.R[o.reg] & sizeMask[size]
}

func (c *CPU) setReg(o *operand, size uint8, v uint64) {
	r := &c.R[o.reg]
	switch size {
	case 1:
		if o.kind == kRegHi {
			*r = *r&^0xff00 | (v&0xff)<<8
		} else {
			*r = *r&^0xff | v&0xff
		}
	case 2:
		*r = *r&^0xffff | v&0xffff
	case 4:
		*r = v & 0xffffffff
	default:
		*r = v
	}
}

// read returns the value of a register, immediate or memory operand.
func (c *CPU) read(o *operand, size uint8) (uint64, bool) {
	switch o.kind {
	case kReg:
		return c.R[o.reg] & sizeMask[size], true
	case kImm:
		return uint64(o.disp) & sizeMask[size], true
	case kMem:
		return c.load(c.ea(o), size)
	case kRegHi:
		return (c.R[o.reg] >> 8) & 0xff, true
	}
	return 0, true
}

// write stores to a register or memory operand.
func (c *CPU) write(o *operand, size uint8, v uint64) bool {
	if o.kind == kMem {
		return c.store(c.ea(o), size, v)
	}
	c.setReg(o, size, v)
	return true
}

func (c *CPU) push(v uint64, size uint8) bool {
	sp := c.R[RSP] - uint64(size)
	if !c.store(sp, size, v) {
		return false
	}
	c.R[RSP] = sp
	return true
}

func (c *CPU) divFault() {
	c.Fault = Fault{Signo: SIGFPE, Code: FPE_INTDIV, Addr: c.RIP}
}

// exec executes in at c.RIP.
func (c *CPU) exec(in *inst) int {
	sz := in.size
	switch in.op {
	case oNop:
		return stNext

	case oMov:
		v, ok := c.read(&in.b, sz)
		if !ok || !c.write(&in.a, sz, v) {
			return stFault
		}
		return stNext

	case oAdd, oOr, oAdc, oSbb, oAnd, oSub, oXor, oCmp, oTest:
		return c.alu(in)

	case oInc, oDec, oNeg, oNot:
		a, ok := c.read(&in.a, sz)
		if !ok {
			return stFault
		}
		var r uint64
		switch in.op {
		case oInc:
			r = a + 1
		case oDec:
			r = a - 1
		case oNeg:
			r = -a
		default:
			r = ^a
		}
		var cf uint64
		if in.op == oInc || in.op == oDec {
			cf = c.cf()
		}
		if !c.write(&in.a, sz, r) {
			return stFault
		}
		switch in.op {
		case oInc:
			c.setCC(ccInc, sz, a, 1, r)
			c.ccC = cf
		case oDec:
			c.setCC(ccDec, sz, a, 1, r)
			c.ccC = cf
		case oNeg:
			c.setCC(ccSub, sz, 0, a, r)
		}
		return stNext

	case oMovzx, oMovsx:
		v, ok := c.read(&in.b, in.size2)
		if !ok {
			return stFault
		}
		if in.op == oMovsx {
			v = uint64(sx(v, in.size2))
		}
		c.setReg(&in.a, sz, v)
		return stNext

	case oLea:
		c.setReg(&in.a, sz, c.offset(&in.b))
		return stNext

	case oXchg:
		a, ok := c.read(&in.a, sz)
		if !ok {
			return stFault
		}
		b, _ := c.read(&in.b, sz)
		if in.a.kind == kMem {
			if !c.write(&in.a, sz, b) {
				return stFault
			}
			c.setReg(&in.b, sz, a)
			return stNext
		}
		if in.b.kind == kMem {
			if !c.write(&in.b, sz, a) {
				return stFault
			}
			c.setReg(&in.a, sz, b)
			return stNext
		}
		c.setReg(&in.a, sz, b)
		c.setReg(&in.b, sz, a)
		return stNext

	case oCmpxchg:
		d, ok := c.read(&in.a, sz)
		if !ok {
			return stFault
		}
		acc := c.R[RAX] & sizeMask[sz]
		src := c.getReg(&in.b, sz)
		if acc == d {
			if !c.write(&in.a, sz, src) {
				return stFault
			}
		} else {
			if in.a.kind == kMem && !c.write(&in.a, sz, d) {
				return stFault
			}
			c.setReg(&operand{kind: kReg, reg: RAX}, sz, d)
		}
		c.setCC(ccSub, sz, acc, d, acc-d)
		return stNext

	case oXadd:
		d, ok := c.read(&in.a, sz)
		if !ok {
			return stFault
		}
		s := c.getReg(&in.b, sz)
		r := d + s
		if in.a.kind == kMem {
			if !c.write(&in.a, sz, r) {
				return stFault
			}
			c.setReg(&in.b, sz, d)
		} else {
			c.setReg(&in.b, sz, d)
			c.setReg(&in.a, sz, r)
		}
		c.setCC(ccAdd, sz, d, s, r)
		return stNext

	case oCmpxchg8b, oCmpxchg16b:
		return c.cmpxchgWide(in)

	case oPush:
		v, ok := c.read(&in.a, sz)
		if !ok || !c.push(v, sz) {
			return stFault
		}
		return stNext

	case oPop:
		v, ok := c.load(c.R[RSP], sz)
		if !ok {
			return stFault
		}
		old := c.R[RSP]
		c.R[RSP] += uint64(sz)
		if in.a.kind == kMem {
			if !c.write(&in.a, sz, v) {
				c.R[RSP] = old
				return stFault
			}
			return stNext
		}
		c.setReg(&in.a, sz, v)
		return stNext

	case oCallRel:
		if !c.push(c.RIP+uint64(in.len), 8) {
			return stFault
		}
		c.RIP = in.targ
		return stJump

	case oCallInd:
		t, ok := c.read(&in.a, 8)
		if !ok || !c.push(c.RIP+uint64(in.len), 8) {
			return stFault
		}
		c.RIP = t
		return stJump

	case oRet:
		t, ok := c.load(c.R[RSP], 8)
		if !ok {
			return stFault
		}
		c.R[RSP] += 8 + in.imm
		c.RIP = t
		return stJump

	case oJmpRel:
		c.RIP = in.targ
		return stJump

	case oJmpInd:
		t, ok := c.read(&in.a, 8)
		if !ok {
			return stFault
		}
		c.RIP = t
		return stJump

	case oJcc:
		if c.cond(in.cond) {
			c.RIP = in.targ
			return stJump
		}
		return stNext

	case oJrcxz:
		if c.R[RCX]&sizeMask[sz] == 0 {
			c.RIP = in.targ
			return stJump
		}
		return stNext

	case oLoop, oLoope, oLoopne:
		rcx := (c.R[RCX] - 1) & sizeMask[sz]
		take := rcx != 0
		if in.op == oLoope {
			take = take && c.cond(condE)
		} else if in.op == oLoopne {
			take = take && !c.cond(condE)
		}
		c.R[RCX] = rcx // a 32-bit ECX count zero-extends like any 32-bit write
		if take {
			c.RIP = in.targ
			return stJump
		}
		return stNext

	case oCmov:
		v, ok := c.read(&in.b, sz)
		if !ok {
			return stFault
		}
		if c.cond(in.cond) {
			c.setReg(&in.a, sz, v)
		} else if sz == 4 {
			c.R[in.a.reg] &= 0xffffffff
		}
		return stNext

	case oSetcc:
		var v uint64
		if c.cond(in.cond) {
			v = 1
		}
		if !c.write(&in.a, 1, v) {
			return stFault
		}
		return stNext

	case oLeave:
		v, ok := c.load(c.R[RBP], 8)
		if !ok {
			return stFault
		}
		c.R[RSP] = c.R[RBP] + 8
		c.R[RBP] = v
		return stNext

	case oEnter:
		if in.size2 != 0 {
			c.sigill()
			return stFault
		}
		sp := c.R[RSP] - 8
		if !c.store(sp, 8, c.R[RBP]) {
			return stFault
		}
		c.R[RBP] = sp
		c.R[RSP] = sp - in.imm
		return stNext

	case oMul1, oImul1:
		return c.mul1(in)

	case oImul3:
		b, ok := c.read(&in.b, sz)
		if !ok {
			return stFault
		}
		m, _ := c.read(&in.c, sz)
		sb, sm := sx(b, sz), sx(m, sz)
		var r uint64
		var of bool
		if sz == 8 {
			hi, lo := bits.Mul64(uint64(sb), uint64(sm))
			if sb < 0 {
				hi -= uint64(sm)
			}
			if sm < 0 {
				hi -= uint64(sb)
			}
			r = lo
			of = hi != uint64(int64(lo)>>63)
		} else {
			p := sb * sm
			r = uint64(p)
			of = sx(r, sz) != p
		}
		c.setReg(&in.a, sz, r)
		f := szp(r, sz)
		if of {
			f |= FlagCF | FlagOF
		}
		c.setEager(f)
		return stNext

	case oDiv, oIdiv:
		return c.div(in)

	case oShl, oShr, oSar, oRol, oRor, oRcl, oRcr:
		return c.shift(in)

	case oShld, oShrd:
		return c.shiftDouble(in)

	case oBt, oBts, oBtr, oBtc:
		return c.bitTest(in)

	case oBsf, oBsr:
		v, ok := c.read(&in.b, sz)
		if !ok {
			return stFault
		}
		f := c.arith() &^ FlagZF
		if v == 0 {
			c.setEager(f | FlagZF)
			return stNext
		}
		var r uint64
		if in.op == oBsf {
			r = uint64(bits.TrailingZeros64(v))
		} else {
			r = uint64(63 - bits.LeadingZeros64(v))
		}
		c.setReg(&in.a, sz, r)
		c.setEager(f)
		return stNext

	case oPopcnt:
		v, ok := c.read(&in.b, sz)
		if !ok {
			return stFault
		}
		c.setReg(&in.a, sz, uint64(bits.OnesCount64(v)))
		var f uint64
		if v == 0 {
			f = FlagZF
		}
		c.setEager(f)
		return stNext

	case oBswap:
		r := &c.R[in.a.reg]
		if sz == 8 {
			*r = bits.ReverseBytes64(*r)
		} else {
			*r = uint64(bits.ReverseBytes32(uint32(*r)))
		}
		return stNext

	case oCbw:
		switch sz {
		case 2:
			c.R[RAX] = c.R[RAX]&^0xffff | uint64(sx(c.R[RAX], 1))&0xffff
		case 4:
			c.R[RAX] = uint64(sx(c.R[RAX], 2)) & 0xffffffff
		default:
			c.R[RAX] = uint64(sx(c.R[RAX], 4))
		}
		return stNext

	case oCwd:
		var hi uint64
		if c.R[RAX]&signBit[sz] != 0 {
			hi = ^uint64(0)
		}
		c.setReg(&operand{kind: kReg, reg: RDX}, sz, hi)
		return stNext

	case oMovs, oStos, oLods, oCmps, oScas:
		return c.stringOp(in)

	case oCpuid:
		c.cpuid()
		return stNext

	case oRdtsc:
		t := c.icount
		c.R[RAX] = t & 0xffffffff
		c.R[RDX] = t >> 32
		return stNext

	case oSyscall:
		next := c.RIP + uint64(in.len)
		c.R[RCX] = next
		c.R[R11] = c.Flags() &^ (1 << 16) // RF cleared
		c.RIP = next
		return stSyscall

	case oInt:
		if in.imm == 3 {
			c.RIP += uint64(in.len)
			return stInt3
		}
		c.gpFault()
		return stFault

	case oUd2:
		c.sigill()
		return stFault

	case oHlt:
		c.gpFault()
		return stFault

	case oClc, oStc, oCmc:
		f := c.arith()
		switch in.op {
		case oClc:
			f &^= FlagCF
		case oStc:
			f |= FlagCF
		default:
			f ^= FlagCF
		}
		c.setEager(f)
		return stNext

	case oCld:
		c.rflags &^= FlagDF
		return stNext

	case oStd:
		c.rflags |= FlagDF
		return stNext

	case oLahf:
		f := c.Flags()&(FlagSF|FlagZF|FlagAF|FlagPF|FlagCF) | 2
		c.R[RAX] = c.R[RAX]&^0xff00 | f<<8
		return stNext

	case oSahf:
		ah := (c.R[RAX] >> 8) & (FlagSF | FlagZF | FlagAF | FlagPF | FlagCF)
		c.setEager(c.arith()&FlagOF | ah)
		return stNext

	case oPushf:
		if !c.push(c.Flags()&0x00fcffff, 8) {
			return stFault
		}
		return stNext

	case oPopf:
		v, ok := c.load(c.R[RSP], 8)
		if !ok {
			return stFault
		}
		const settable = arithMask | FlagTF | FlagDF | 1<<18 | 1<<21 // AC, ID
		c.R[RSP] += 8
		c.SetFlags(c.Flags()&^settable | v&settable)
		return stNext

	case oXlat:
		v, ok := c.load(c.R[RBX]+c.R[RAX]&0xff, 1)
		if !ok {
			return stFault
		}
		c.R[RAX] = c.R[RAX]&^0xff | v
		return stNext

	case oFnstcw:
		if !c.write(&in.a, 2, uint64(c.X87.FCW)) {
			return stFault
		}
		return stNext

	case oFldcw:
		v, ok := c.read(&in.a, 2)
		if !ok {
			return stFault
		}
		c.X87.FCW = uint16(v)
		return stNext

	case oFninit:
		c.X87.FCW, c.X87.FSW, c.X87.FTW, c.X87.FOP, c.X87.FIP, c.X87.FDP = 0x37f, 0, 0, 0, 0, 0
		return stNext

	case oFnstsw:
		if !c.write(&in.a, 2, uint64(c.X87.FSW)) {
			return stFault
		}
		return stNext

	case oStmxcsr:
		if !c.write(&in.a, 4, uint64(c.MXCSR)) {
			return stFault
		}
		return stNext

	case oLdmxcsr:
		v, ok := c.read(&in.a, 4)
		if !ok {
			return stFault
		}
		if v&^mxcsrMask != 0 {
			c.gpFault()
			return stFault
		}
		c.MXCSR = uint32(v)
		return stNext
	}
	if in.op >= oFld {
		return c.execX87(in)
	}
	if in.op >= oSSEFirst {
		return c.execSSE(in)
	}
	if st := c.execFast(in); st >= 0 {
		return st
	}
	c.sigill()
	return stFault
}

func (c *CPU) alu(in *inst) int {
	sz := in.size
	a, ok := c.read(&in.a, sz)
	if !ok {
		return stFault
	}
	b, ok := c.read(&in.b, sz)
	if !ok {
		return stFault
	}
	var r, carry uint64
	var cc uint8
	switch in.op {
	case oAdd:
		r, cc = a+b, ccAdd
	case oOr:
		r, cc = a|b, ccLogic
	case oAdc:
		carry = c.cf()
		r, cc = a+b+carry, ccAdc
	case oSbb:
		carry = c.cf()
		r, cc = a-b-carry, ccSbb
	case oAnd, oTest:
		r, cc = a&b, ccLogic
	case oSub, oCmp:
		r, cc = a-b, ccSub
	case oXor:
		r, cc = a^b, ccLogic
	}
	if in.op != oCmp && in.op != oTest {
		if in.a.kind == kReg {
			c.setReg(&in.a, sz, r)
		} else if !c.write(&in.a, sz, r) {
			return stFault
		}
	}
	c.ccOp, c.ccSize, c.ccA, c.ccB, c.ccR, c.ccC = cc, sz, a, b, r, carry
	return stNext
}

func (c *CPU) mul1(in *inst) int {
	sz := in.size
	v, ok := c.read(&in.a, sz)
	if !ok {
		return stFault
	}
	var lo, hi uint64
	var of bool
	signed := in.op == oImul1
	acc := c.R[RAX] & sizeMask[sz]
	if sz == 8 {
		hi, lo = bits.Mul64(acc, v)
		if signed {
			if int64(acc) < 0 {
				hi -= v
			}
			if int64(v) < 0 {
				hi -= acc
			}
			of = hi != uint64(int64(lo)>>63)
		} else {
			of = hi != 0
		}
	} else {
		bitsN := 8 * uint(sz)
		var p uint64
		if signed {
			p = uint64(sx(acc, sz) * sx(v, sz))
			of = sx(p, sz) != int64(p)
		} else {
			p = acc * v
			of = p>>bitsN != 0
		}
		lo = p & sizeMask[sz]
		hi = (p >> bitsN) & sizeMask[sz]
	}
	switch sz {
	case 1:
		c.R[RAX] = c.R[RAX]&^0xffff | hi<<8 | lo
	case 2:
		c.R[RAX] = c.R[RAX]&^0xffff | lo
		c.R[RDX] = c.R[RDX]&^0xffff | hi
	default:
		c.R[RAX], c.R[RDX] = lo, hi
	}
	f := szp(lo, sz)
	if of {
		f |= FlagCF | FlagOF
	}
	c.setEager(f)
	return stNext
}

func (c *CPU) div(in *inst) int {
	sz := in.size
	d, ok := c.read(&in.a, sz)
	if !ok {
		return stFault
	}
	if d == 0 {
		c.divFault()
		return stFault
	}
	var q, r uint64
	if sz == 8 {
		hi, lo := c.R[RDX], c.R[RAX]
		if in.op == oDiv {
			if hi >= d {
				c.divFault()
				return stFault
			}
			q, r = bits.Div64(hi, lo, d)
		} else {
			neg := int64(hi) < 0
			if neg { // 128-bit two's complement negate
				lo = -lo
				hi = ^hi
				if lo == 0 {
					hi++
				}
			}
			ad := d
			dneg := int64(d) < 0
			if dneg {
				ad = -d
			}
			if hi >= ad {
				c.divFault()
				return stFault
			}
			q, r = bits.Div64(hi, lo, ad)
			if neg != dneg {
				if q > 1<<63 {
					c.divFault()
					return stFault
				}
				q = -q
			} else if q >= 1<<63 {
				c.divFault()
				return stFault
			}
			if neg {
				r = -r
			}
		}
		c.R[RAX], c.R[RDX] = q, r
		return stNext
	}
	bitsN := 8 * uint(sz)
	var lo, hi uint64
	if sz == 1 {
		lo, hi = c.R[RAX]&0xff, (c.R[RAX]>>8)&0xff
	} else {
		lo, hi = c.R[RAX]&sizeMask[sz], c.R[RDX]&sizeMask[sz]
	}
	n := hi<<bitsN | lo
	if in.op == oDiv {
		q, r = n/d, n%d
		if q > sizeMask[sz] {
			c.divFault()
			return stFault
		}
	} else {
		sn := sx(n, 2*sz)
		sd := sx(d, sz)
		sq := sn / sd
		if sq != sx(uint64(sq), sz) {
			c.divFault()
			return stFault
		}
		q, r = uint64(sq)&sizeMask[sz], uint64(sn%sd)&sizeMask[sz]
	}
	switch sz {
	case 1:
		c.R[RAX] = c.R[RAX]&^0xffff | r<<8 | q
	case 2:
		c.R[RAX] = c.R[RAX]&^0xffff | q
		c.R[RDX] = c.R[RDX]&^0xffff | r
	default:
		c.R[RAX], c.R[RDX] = q, r
	}
	return stNext
}

func (c *CPU) shift(in *inst) int {
	sz := in.size
	a, ok := c.read(&in.a, sz)
	if !ok {
		return stFault
	}
	var cnt uint64
	if in.b.kind == kImm {
		cnt = uint64(in.b.disp)
	} else {
		cnt = c.R[RCX]
	}
	if sz == 8 {
		cnt &= 63
	} else {
		cnt &= 31
	}
	if cnt == 0 {
		// no change, but a memory operand must still be writable
		if in.a.kind == kMem && !c.canWrite(c.ea(&in.a), int(sz)) {
			return stFault
		}
		if in.a.kind == kReg && sz == 4 {
			c.R[in.a.reg] &= 0xffffffff
		}
		return stNext
	}
	nb := uint64(8 * uint(sz))
	m, sb := sizeMask[sz], signBit[sz]
	var r uint64
	switch in.op {
	case oShl, oShr, oSar:
		var op uint8
		switch in.op {
		case oShl:
			if cnt < 64 {
				r = (a << cnt) & m
			}
			op = ccShl
		case oShr:
			r = a >> cnt
			op = ccShr
		default:
			r = uint64(sx(a, sz)>>min(cnt, 63)) & m
			op = ccSar
		}
		if !c.write(&in.a, sz, r) {
			return stFault
		}
		c.ccOp, c.ccSize, c.ccA, c.ccB, c.ccR = op, sz, a&m, cnt, r
		return stNext
	case oRol, oRor:
		rc := cnt % nb
		if in.op == oRol {
			r = (a<<rc | a>>(nb-rc)) & m
		} else {
			r = (a>>rc | a<<(nb-rc)) & m
		}
		if !c.write(&in.a, sz, r) {
			return stFault
		}
		c.setRot(rotCFOF(in.op == oRol, r, sb))
		return stNext
	}
	// rcl, rcr
	f := c.arith()
	n := cnt
	if sz == 1 {
		n %= 9
	} else if sz == 2 {
		n %= 17
	}
	cf := f & FlagCF
	r = a
	for i := uint64(0); i < n; i++ {
		if in.op == oRcl {
			out := (r >> (nb - 1)) & 1
			r = (r<<1 | cf) & m
			cf = out
		} else {
			out := r & 1
			r = r>>1 | cf<<(nb-1)
			cf = out
		}
	}
	f = f&^(FlagCF|FlagOF) | cf
	if in.op == oRcl {
		if (r&sb != 0) != (cf != 0) {
			f |= FlagOF
		}
	} else if (r&sb != 0) != (r&(sb>>1) != 0) {
		f |= FlagOF
	}
	if !c.write(&in.a, sz, r) {
		return stFault
	}
	c.setEager(f)
	return stNext
}

func (c *CPU) shiftDouble(in *inst) int {
	sz := in.size
	a, ok := c.read(&in.a, sz)
	if !ok {
		return stFault
	}
	b := c.getReg(&in.b, sz)
	var cnt uint64
	if in.c.kind == kImm {
		cnt = uint64(in.c.disp)
	} else {
		cnt = c.R[RCX]
	}
	if sz == 8 {
		cnt &= 63
	} else {
		cnt &= 31
	}
	if cnt == 0 {
		if in.a.kind == kMem && !c.canWrite(c.ea(&in.a), int(sz)) {
			return stFault
		}
		if in.a.kind == kReg && sz == 4 {
			c.R[in.a.reg] &= 0xffffffff
		}
		return stNext
	}
	nb := uint64(8 * uint(sz))
	m, sb := sizeMask[sz], signBit[sz]
	var r, cf uint64
	if sz == 2 && cnt > 16 {
		// undefined result; emulate the common 32-bit-pattern behaviour
		cnt &= 15
		if cnt == 0 {
			cnt = 16
		}
	}
	if in.op == oShld {
		r = (a<<cnt | b>>(nb-cnt)) & m
		cf = (a >> (nb - cnt)) & 1
	} else {
		r = (a>>cnt | b<<(nb-cnt)) & m
		cf = (a >> (cnt - 1)) & 1
	}
	f := szp(r, sz) | cf
	if (r^a)&sb != 0 {
		f |= FlagOF
	}
	if !c.write(&in.a, sz, r) {
		return stFault
	}
	c.setEager(f)
	return stNext
}

func (c *CPU) bitTest(in *inst) int {
	sz := in.size
	nb := int64(8 * int(sz))
	var off int64
	if in.b.kind == kImm {
		off = in.b.disp & (nb - 1)
	} else {
		off = sx(c.getReg(&in.b, sz), sz)
	}
	var addr uint64
	var a uint64
	if in.a.kind == kMem {
		addr = c.ea(&in.a)
		if in.b.kind != kImm {
			addr += uint64((off >> uint(bits.TrailingZeros64(uint64(nb)))) * int64(sz))
		}
		off &= nb - 1
		v, ok := c.load(addr, sz)
		if !ok {
			return stFault
		}
		a = v
	} else {
		off &= nb - 1
		a = c.getReg(&in.a, sz)
	}
	bit := uint64(1) << uint(off)
	var r uint64
	switch in.op {
	case oBt:
		r = a
	case oBts:
		r = a | bit
	case oBtr:
		r = a &^ bit
	default:
		r = a ^ bit
	}
	if in.op != oBt {
		if in.a.kind == kMem {
			if !c.store(addr, sz, r) {
				return stFault
			}
		} else {
			c.setReg(&in.a, sz, r)
		}
	}
	f := c.arith() &^ FlagCF
	if a&bit != 0 {
		f |= FlagCF
	}
	c.setEager(f)
	return stNext
}

func (c *CPU) cmpxchgWide(in *inst) int {
	if in.a.kind != kMem {
		c.sigill()
		return stFault
	}
	addr := c.ea(&in.a)
	if in.size == 8 {
		d, ok := c.load(addr, 8)
		if !ok {
			return stFault
		}
		cmp := c.R[RDX]<<32 | c.R[RAX]&0xffffffff
		f := c.arith() &^ FlagZF
		if d == cmp {
			if !c.store(addr, 8, c.R[RCX]<<32|c.R[RBX]&0xffffffff) {
				return stFault
			}
			f |= FlagZF
		} else {
			if !c.store(addr, 8, d) {
				return stFault
			}
			c.R[RAX], c.R[RDX] = d&0xffffffff, d>>32
		}
		c.setEager(f)
		return stNext
	}
	if addr%16 != 0 {
		c.gpFault()
		return stFault
	}
	var b [16]byte
	if !c.loadBytes(addr, b[:]) {
		return stFault
	}
	lo, hi := le64(b[:8]), le64(b[8:])
	f := c.arith() &^ FlagZF
	if lo == c.R[RAX] && hi == c.R[RDX] {
		putLE64(b[:8], c.R[RBX])
		putLE64(b[8:], c.R[RCX])
		if !c.storeBytes(addr, b[:]) {
			return stFault
		}
		f |= FlagZF
	} else {
		if !c.storeBytes(addr, b[:]) {
			return stFault
		}
		c.R[RAX], c.R[RDX] = lo, hi
	}
	c.setEager(f)
	return stNext
}

// maxRepChunk bounds the iterations of one rep string instruction per
// dispatch, so Run stays responsive to its interrupt flag.
const maxRepChunk = 1 << 16

func (c *CPU) stringOp(in *inst) int {
	sz := in.size
	delta := uint64(sz)
	if c.rflags&FlagDF != 0 {
		delta = -delta
	}
	rep := in.rep != repNone
	if rep && c.R[RCX] == 0 {
		return stNext
	}
	limit := 1
	if rep && !c.single {
		limit = maxRepChunk
	}
	for i := 0; i < limit; i++ {
		switch in.op {
		case oMovs:
			v, ok := c.load(c.R[RSI], sz)
			if !ok || !c.store(c.R[RDI], sz, v) {
				return stFault
			}
			c.R[RSI] += delta
			c.R[RDI] += delta
		case oStos:
			if !c.store(c.R[RDI], sz, c.R[RAX]) {
				return stFault
			}
			c.R[RDI] += delta
		case oLods:
			v, ok := c.load(c.R[RSI], sz)
			if !ok {
				return stFault
			}
			c.setReg(&operand{kind: kReg, reg: RAX}, sz, v)
			c.R[RSI] += delta
		case oCmps:
			a, ok := c.load(c.R[RSI], sz)
			if !ok {
				return stFault
			}
			b, ok := c.load(c.R[RDI], sz)
			if !ok {
				return stFault
			}
			c.setCC(ccSub, sz, a, b, a-b)
			c.R[RSI] += delta
			c.R[RDI] += delta
		case oScas:
			b, ok := c.load(c.R[RDI], sz)
			if !ok {
				return stFault
			}
			a := c.R[RAX] & sizeMask[sz]
			c.setCC(ccSub, sz, a, b, a-b)
			c.R[RDI] += delta
		}
		if !rep {
			return stNext
		}
		c.R[RCX]--
		if c.R[RCX] == 0 {
			return stNext
		}
		if c.watchHit {
			return stRepeat // stop after the iteration that hit
		}
		if in.op == oCmps || in.op == oScas {
			eq := c.ccA&sizeMask[sz] == c.ccB&sizeMask[sz]
			if in.rep == repE && !eq || in.rep == repNE && eq {
				return stNext
			}
		}
	}
	return stRepeat
}
