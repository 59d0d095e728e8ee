package emu

import "math/bits"

// Lazy arithmetic flags, QEMU style: ALU instructions record the operation,
// its operands and result (ccOp, ccA, ccB, ccR, ccC); CF PF AF ZF SF OF are
// computed only when something reads them. Conditional branches after CMP,
// SUB, TEST and logic ops are answered directly from the operands.
//
// Shifts record their operand and count as well (ccShl, ccShr, ccSar), so a
// shift whose flags the next ALU instruction overwrites costs no flag work.
// Rotates change only CF and OF and keep the other four flags of whatever
// came before: they leave that earlier lazy state in place (its op moves to
// ccBase) and put their CF and OF in ccRF (ccRot).

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
	// shl/shr/sar by a non-zero (masked) count: ccA operand (masked to
	// the size), ccB count, ccR result. AF is undefined after a shift;
	// like the eager code before it, it reads as 0.
	ccShl
	ccShr
	ccSar
	// rol/ror over a lazy state: SF ZF PF AF (and ccR, so ZF is still
	// ccR == 0) are those of ccBase's state; CF and OF are in ccRF. A
	// rotate after an eager state updates rflags directly instead.
	ccRot
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

// setRot records CF and OF (as flag bits, nothing else set) of a rotate:
// the other arithmetic flags stay those of the state before it.
func (c *CPU) setRot(cfof uint64) {
	switch c.ccOp {
	case ccEager:
		c.rflags = c.rflags&^(FlagCF|FlagOF) | cfof
	case ccRot:
		c.ccRF = cfof
	default:
		c.ccBase, c.ccOp, c.ccRF = c.ccOp, ccRot, cfof
	}
}

// rotCFOF returns CF and OF (as flag bits) after a rotate left (rol) or
// right with result r (masked to size sz). They depend on the result
// alone: rol's CF is the bit rotated into bit 0, ror's the one rotated
// into the sign bit; OF (defined for a count of 1, and computed the same
// way for any count as the emulator always has) is CF xor the new sign
// bit for rol, and the xor of the two top bits for ror.
func rotCFOF(rol bool, r, sb uint64) uint64 {
	msb := uint64(0)
	if r&sb != 0 {
		msb = 1
	}
	if rol {
		cf := r & 1
		return cf | (cf^msb)<<11
	}
	msb2 := uint64(0)
	if r&(sb>>1) != 0 {
		msb2 = 1
	}
	return msb | (msb^msb2)<<11
}

// setEager stores the arithmetic flags f (other bits ignored).
func (c *CPU) setEager(f uint64) {
	c.rflags = c.rflags&^arithMask | f&arithMask
	c.ccOp = ccEager
}

// arith computes the arithmetic flags.
func (c *CPU) arith() uint64 {
	switch op := c.ccOp; op {
	case ccEager:
		return c.rflags & arithMask
	case ccRot:
		return c.lazyFlags(c.ccBase)&^(FlagCF|FlagOF) | c.ccRF
	default:
		return c.lazyFlags(op)
	}
}

// shiftCFOF returns CF and OF (as flag bits) of a shift recorded by op
// (ccShl, ccShr or ccSar) of the size-masked operand a by cnt (1-31, or
// 1-63 for size 8). For counts above 1, OF is undefined on x86; these are
// the values the emulator has always produced (shl: MSB(result) xor CF,
// shr and sar: 0).
func shiftCFOF(op, sz uint8, a, cnt, r uint64) uint64 {
	nb := uint64(8 * uint(sz))
	var cf, of uint64
	switch op {
	case ccShl:
		if cnt <= nb {
			cf = (a >> (nb - cnt)) & 1
		}
		of = ((r >> (nb - 1)) ^ cf) & 1
	case ccShr:
		cf = (a >> (cnt - 1)) & 1
		if cnt == 1 {
			of = (a >> (nb - 1)) & 1
		}
	default: // ccSar
		c1 := min(cnt-1, 63)
		cf = uint64(sx(a, sz)>>c1) & 1
	}
	return cf | of<<11
}

// lazyFlags computes the arithmetic flags of lazy state op (not ccEager
// or ccRot) from ccSize, ccA, ccB, ccR and ccC.
func (c *CPU) lazyFlags(op uint8) uint64 {
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
	case ccShl, ccShr, ccSar:
		f |= shiftCFOF(op, sz, a, c.ccB, r)
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
	case ccShl, ccShr, ccSar:
		m := sizeMask[c.ccSize]
		return shiftCFOF(c.ccOp, c.ccSize, c.ccA&m, c.ccB, c.ccR&m) & FlagCF
	case ccRot:
		return c.ccRF & FlagCF
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
