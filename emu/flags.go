package emu

import "math/bits"

// Lazy arithmetic flags, QEMU style: ALU instructions record the operation,
// its operands and result (ccOp, ccA, ccB, ccR, ccC); CF PF AF ZF SF OF are
// computed only when something reads them. Conditional branches after CMP,
// SUB, TEST and logic ops are answered directly from the operands.

const arithMask = FlagCF | FlagPF | FlagAF | FlagZF | FlagSF | FlagOF

const (
	ccEager uint8 = iota // arithmetic flags are in rflags
	ccAdd
	ccAdc
	ccSub
	ccSbb
	ccLogic
	ccInc
	ccDec
	ccShift // shl/shr/sar by a non-zero count: ccR result, ccC holds CF and OF as flag bits
)

var sizeMask = [17]uint64{1: 0xff, 2: 0xffff, 4: 0xffffffff, 8: ^uint64(0), 16: ^uint64(0)}
var signBit = [17]uint64{1: 0x80, 2: 0x8000, 4: 0x80000000, 8: 1 << 63, 16: 1 << 63}

// sx sign-extends the low size bytes of v.
func sx(v uint64, size uint8) int64 {
	s := 64 - 8*uint(size)
	return int64(v<<s) >> s
}

func parity(v uint64) uint64 {
	if bits.OnesCount8(uint8(v))&1 == 0 {
		return FlagPF
	}
	return 0
}

// szp returns SF, ZF and PF for result r of size bytes.
func szp(r uint64, size uint8) uint64 {
	r &= sizeMask[size]
	f := parity(r)
	if r == 0 {
		f |= FlagZF
	}
	if r&signBit[size] != 0 {
		f |= FlagSF
	}
	return f
}

func (c *CPU) setCC(op, size uint8, a, b, r uint64) {
	c.ccOp, c.ccSize, c.ccA, c.ccB, c.ccR = op, size, a, b, r
}

// setEager stores the arithmetic flags f (other bits ignored).
func (c *CPU) setEager(f uint64) {
	c.rflags = c.rflags&^arithMask | f&arithMask
	c.ccOp = ccEager
}

// arith computes the arithmetic flags.
func (c *CPU) arith() uint64 {
	op := c.ccOp
	if op == ccEager {
		return c.rflags & arithMask
	}
	sz := c.ccSize
	m, sb := sizeMask[sz], signBit[sz]
	a, b, r := c.ccA&m, c.ccB&m, c.ccR&m
	var f uint64
	switch op {
	case ccAdd:
		if r < a {
			f |= FlagCF
		}
		if (a^r)&(b^r)&sb != 0 {
			f |= FlagOF
		}
		f |= (a ^ b ^ r) & FlagAF
	case ccAdc:
		if r < a || c.ccC != 0 && r == a {
			f |= FlagCF
		}
		if (a^r)&(b^r)&sb != 0 {
			f |= FlagOF
		}
		f |= (a ^ b ^ r) & FlagAF
	case ccSub:
		if a < b {
			f |= FlagCF
		}
		if (a^b)&(a^r)&sb != 0 {
			f |= FlagOF
		}
		f |= (a ^ b ^ r) & FlagAF
	case ccSbb:
		if a < b || c.ccC != 0 && a == b {
			f |= FlagCF
		}
		if (a^b)&(a^r)&sb != 0 {
			f |= FlagOF
		}
		f |= (a ^ b ^ r) & FlagAF
	case ccLogic:
	case ccShift:
		f |= c.ccC & (FlagCF | FlagOF)
	case ccInc:
		f |= c.ccC & FlagCF
		if r == sb {
			f |= FlagOF
		}
		f |= (a ^ 1 ^ r) & FlagAF
	case ccDec:
		f |= c.ccC & FlagCF
		if a == sb {
			f |= FlagOF
		}
		f |= (a ^ 1 ^ r) & FlagAF
	}
	f |= parity(r)
	if r == 0 {
		f |= FlagZF
	}
	if r&sb != 0 {
		f |= FlagSF
	}
	return f
}

// cf returns the carry flag as 0 or 1.
func (c *CPU) cf() uint64 {
	switch c.ccOp {
	case ccSub:
		m := sizeMask[c.ccSize]
		if c.ccA&m < c.ccB&m {
			return 1
		}
		return 0
	case ccLogic:
		return 0
	case ccShift:
		return c.ccC & FlagCF
	case ccAdd:
		m := sizeMask[c.ccSize]
		if c.ccR&m < c.ccA&m {
			return 1
		}
		return 0
	}
	return c.arith() & FlagCF
}

// cond evaluates condition code cc.
func (c *CPU) cond(cc uint8) bool {
	switch c.ccOp {
	case ccSub:
		sz := c.ccSize
		m := sizeMask[sz]
		a, b := c.ccA&m, c.ccB&m
		switch cc {
		case condE:
			return a == b
		case condNE:
			return a != b
		case condB:
			return a < b
		case condAE:
			return a >= b
		case condBE:
			return a <= b
		case condA:
			return a > b
		case condL:
			return sx(a, sz) < sx(b, sz)
		case condGE:
			return sx(a, sz) >= sx(b, sz)
		case condLE:
			return sx(a, sz) <= sx(b, sz)
		case condG:
			return sx(a, sz) > sx(b, sz)
		}
	case ccLogic:
		sz := c.ccSize
		r := c.ccR & sizeMask[sz]
		neg := r&signBit[sz] != 0
		switch cc {
		case condE, condBE:
			return r == 0
		case condNE, condA:
			return r != 0
		case condS, condL:
			return neg
		case condNS, condGE:
			return !neg
		case condLE:
			return r == 0 || neg
		case condG:
			return r != 0 && !neg
		case condB, condO:
			return false
		case condAE, condNO:
			return true
		}
	}
	return evalCond(cc, c.arith())
}

func evalCond(cc uint8, f uint64) bool {
	var r bool
	switch cc >> 1 {
	case 0:
		r = f&FlagOF != 0
	case 1:
		r = f&FlagCF != 0
	case 2:
		r = f&FlagZF != 0
	case 3:
		r = f&(FlagCF|FlagZF) != 0
	case 4:
		r = f&FlagSF != 0
	case 5:
		r = f&FlagPF != 0
	case 6:
		r = (f&FlagSF != 0) != (f&FlagOF != 0)
	default:
		r = f&FlagZF != 0 || (f&FlagSF != 0) != (f&FlagOF != 0)
	}
	if cc&1 != 0 {
		return !r
	}
	return r
}
