package emu

import (
	"math"
	"math/big"

	"golang.org/x/arch/x86/x86asm"
)

// x87 FPU. Values are kept as 80-bit extended numbers in X87.ST, stored
// relative to the top of stack as FXSAVE does (ST[0] is ST(0)); TOP lives
// in FSW bits 11..13 and FTW is the abridged tag word over physical
// registers. The common operations (loads and stores of float32/float64/
// integers, compares, and + - * / of normal numbers at 64-bit precision)
// run allocation-free on integer significands (x87fast.go); everything
// else is computed exactly with math/big and rounded once. Both honour the
// control word's rounding control and precision control (24/53/64 bits)
// and set the sticky exception flags (IE DE ZE OE UE PE; DE is noted for
// denormal float32/float64 memory operands and 80-bit arithmetic
// operands); transcendental instructions are in x87trans.go. Not
// modelled: unmasked exceptions (the masked response is always used),
// stack overflow/underflow faults (C1/SF, IE on an empty register), the
// C1 round-up indication, and FIP/FDP/FOP (stored as zero).

const (
	kST = kXMM + 1 // x87 register ST(reg)
)

const (
	oFld    = oSSEFirst + 0x80 + iota
	oFst    // imm&1: pop
	oFild   // size 2/4/8
	oFist   // imm&1: pop
	oFisttp // truncating store and pop
	oFxch
	oFarith  // cond: fAdd..; imm&1 pop, imm&2 reversed
	oFiarith // integer memory operand
	oFcomi   // imm&1 pop
	oFcom    // imm = number of pops; cond 1 = compare with integer memory
	oFchs
	oFabs
	oFconst // imm = constant index
	oFsqrt
	oFrndint
	oFprem // cond 1: fprem1
	oFscale
	oFxam
	oFtst
	oFcmov // cond: condition code
	oFfree
	oFincstp
	oFdecstp
	oFnclex
	oFnstenv
	oFldenv
	oFpatan
	oF2xm1
	oFyl2x // cond 1: fyl2xp1
	oFtrig // imm: 0 fsin, 1 fcos, 2 fsincos, 3 fptan
	oFxtract
	oFxsave  // imm&1: 64-bit form (REX.W)
	oFxrstor // imm&1: 64-bit form
)

// farith kinds beyond the SSE ones
const (
	fSubr = fSqrt + 1 + iota
	fDivr
)

type f80 struct {
	m  uint64
	se uint16 // sign and exponent
}

var (
	f80Zero  = f80{}
	f80One   = f80{1 << 63, 0x3fff}
	f80QNaN  = f80{0xc000000000000000, 0xffff} // the "real indefinite"
	f80Const = [...]f80{
		f80One,
		{0xd49a784bcd1b8afe, 0x4000}, // log2(10)
		{0xb8aa3b295c17f0bc, 0x3fff}, // log2(e)
		{0xc90fdaa22168c235, 0x4000}, // pi
		{0x9a209a84fbcff799, 0x3ffd}, // log10(2)
		{0xb17217f7d1cf79ac, 0x3ffe}, // ln(2)
		f80Zero,
	}
)

func (x f80) neg() bool   { return x.se&0x8000 != 0 }
func (x f80) exp() int    { return int(x.se & 0x7fff) }
func (x f80) isNaN() bool { return x.exp() == 0x7fff && x.m<<1 != 0 }
func (x f80) isInf() bool { return x.exp() == 0x7fff && x.m<<1 == 0 }
func (x f80) isZero() bool {
	return x.exp() == 0 && x.m == 0
}

// big converts a non-NaN value (infinities included).
func (x f80) big() *big.Float {
	f := new(big.Float).SetPrec(64)
	if x.isInf() {
		return f.SetInf(x.neg())
	}
	f.SetUint64(x.m)
	e := x.exp()
	if e == 0 {
		e = 1
	}
	f.SetMantExp(f, e-16383-63)
	if x.neg() {
		f.Neg(f)
	}
	if x.m == 0 && x.neg() {
		f.Neg(f.SetInt64(0)) // -0
	}
	return f
}

func fromBig(f *big.Float) f80 { return fromBigRC(f, 0, 3) }

// fromBigRC rounds f to an 80-bit value with x87 rounding control rc
// (0 nearest even, 1 down, 2 up, 3 toward zero) and precision control pc
// (0: 24-bit, 2: 53-bit, 1 and 3: 64-bit significands). The exponent range
// stays the 80-bit one; tiny results are denormalised and rounded once.
func fromBigRC(f *big.Float, rc, pc uint16) f80 {
	r, _ := fromBigRCExc(f, rc, pc)
	return r
}

// fromBigRCExc is fromBigRC that also reports the OE, UE and PE
// exceptions of the final rounding (an inexact f is the caller's PE).
func fromBigRCExc(f *big.Float, rc, pc uint16) (f80, uint16) {
	var sign uint16
	neg := f.Signbit()
	if neg {
		sign = 0x8000
	}
	if f.IsInf() {
		return f80{1 << 63, sign | 0x7fff}, 0
	}
	if f.Sign() == 0 {
		return f80{0, sign}, 0
	}
	prec := uint(64)
	switch pc {
	case 0:
		prec = 24
	case 2:
		prec = 53
	}
	mode := big.ToNearestEven
	switch rc {
	case 1:
		mode = big.ToNegativeInf
	case 2:
		mode = big.ToPositiveInf
	case 3:
		mode = big.ToZero
	}
	if f.MantExp(nil)-1+16383 <= 0 {
		// denormal (or underflow to zero): round f * 2^(16382+63) to an
		// integer significand
		g := new(big.Float).SetPrec(f.Prec()+64).SetMantExp(f, 16382+63)
		i := roundInt(g, rc)
		var exc uint16
		if i.Cmp(g) != 0 {
			exc = fswUE | fswPE
		}
		m, _ := i.Uint64()
		if i.Sign() < 0 {
			v, _ := new(big.Float).Neg(i).Uint64()
			m = v
		}
		if m>>63 != 0 {
			return f80{m, sign | 1}, exc // rounded up to the smallest normal
		}
		return f80{m, sign}, exc
	}
	g := new(big.Float).SetPrec(prec).SetMode(mode).Set(f)
	mant := new(big.Float)
	exp := g.MantExp(mant) // g = mant * 2^exp, 0.5 <= |mant| < 1
	mant.Abs(mant)
	mant.SetMantExp(mant, 64)
	m, _ := mant.Uint64()
	e := exp - 1 + 16383
	if e >= 0x7fff {
		if rc == 3 || rc == 1 && !neg || rc == 2 && neg {
			return f80{^uint64(0) << (64 - prec), sign | 0x7ffe}, fswOE | fswPE
		}
		return f80{1 << 63, sign | 0x7fff}, fswOE | fswPE
	}
	return f80{m, sign | uint16(e)}, 0
}

func (x f80) float64() float64 {
	if r, _, ok := x.toIEEE(52, 1023, 0); ok {
		return math.Float64frombits(r)
	}
	if x.isNaN() {
		b := uint64(0x7ff8000000000000) | (x.m<<1)>>12
		if x.neg() {
			b |= 1 << 63
		}
		return math.Float64frombits(b)
	}
	f, _ := x.big().Float64()
	return f
}

func (x f80) bytes() (b [10]byte) {
	putLE64(b[:8], x.m)
	b[8], b[9] = byte(x.se), byte(x.se>>8)
	return
}

func f80FromBytes(b []byte) f80 {
	return f80{le64(b), uint16(b[8]) | uint16(b[9])<<8}
}

// stack access

func (c *CPU) fTop() int { return int(c.X87.FSW>>11) & 7 }

func (c *CPU) setTop(t int) {
	c.X87.FSW = c.X87.FSW&^(7<<11) | uint16(t&7)<<11
}

func (c *CPU) st(i int) f80 { return f80FromBytes(c.X87.ST[i&7][:]) }

func (c *CPU) setST(i int, v f80) {
	c.X87.ST[i&7] = v.bytes()
	c.X87.FTW |= 1 << uint((c.fTop()+i)&7)
}

func (c *CPU) fpush(v f80) {
	copy(c.X87.ST[1:], c.X87.ST[:7])
	c.setTop(c.fTop() - 1)
	c.setST(0, v)
}

func (c *CPU) fpop() {
	c.X87.FTW &^= 1 << uint(c.fTop())
	copy(c.X87.ST[:7], c.X87.ST[1:])
	c.X87.ST[7] = [10]byte{}
	c.setTop(c.fTop() + 1)
}

// farith computes a op b with IEEE semantics, rounded once to the
// precision and rounding mode of the control word fcw; exc holds the FSW
// exception bits raised (IE, ZE, PE).
func farith(kind uint8, a, b f80, fcw uint16) (r f80, exc uint16) {
	if a.isNaN() || b.isNaN() {
		// propagate the NaN with the larger significand (as a quiet
		// NaN); on a tie the positive one
		switch {
		case !b.isNaN():
		case !a.isNaN():
			a = b
		case b.m|1<<62 > a.m|1<<62 || b.m|1<<62 == a.m|1<<62 && !b.neg():
			a = b
		}
		return f80{a.m | 1<<62, a.se}, 0
	}
	if r, exc, ok := farithFast(kind, a, b, fcw); ok {
		return r, exc
	}
	if a.exp() == 0 && a.m != 0 || b.exp() == 0 && b.m != 0 {
		exc |= fswDE
	}
	defer func() {
		if recover() != nil { // big.ErrNaN: inf-inf, 0*inf, 0/0, inf/inf
			r, exc = f80QNaN, fswIE
		}
	}()
	x, y := a.big(), b.big()
	rc, pc := (fcw>>10)&3, (fcw>>8)&3
	prec := uint(64)
	switch pc {
	case 0:
		prec = 24
	case 2:
		prec = 53
	}
	mode := [4]big.RoundingMode{big.ToNearestEven, big.ToNegativeInf, big.ToPositiveInf, big.ToZero}[rc]
	z := new(big.Float).SetPrec(prec).SetMode(mode)
	switch kind {
	case fAdd:
		z.Add(x, y)
	case fSub:
		// (big.Float.Sub rounds a lone nonzero operand before negating
		// it, which is wrong for directed rounding: add the negation)
		z.Add(x, new(big.Float).Neg(y))
	case fSubr:
		z.Add(y, new(big.Float).Neg(x))
	case fMul:
		z.Mul(x, y)
	case fDiv:
		if y.Sign() == 0 && !x.IsInf() && x.Sign() != 0 {
			return f80{1 << 63, (a.se^b.se)&0x8000 | 0x7fff}, fswZE
		}
		z.Quo(x, y)
	case fDivr:
		if x.Sign() == 0 && !y.IsInf() && y.Sign() != 0 {
			return f80{1 << 63, (a.se^b.se)&0x8000 | 0x7fff}, fswZE
		}
		z.Quo(y, x)
	}
	if z.Acc() != big.Exact {
		exc |= fswPE
	}
	if z.Sign() == 0 && (kind == fAdd || kind == fSub || kind == fSubr) {
		// IEEE sign of an exact zero sum: -0 only when rounding down or
		// when both addends are -0
		xs, ys := a.neg(), b.neg()
		if kind == fSub {
			ys = !ys
		} else if kind == fSubr {
			xs = !xs
		}
		neg := rc == 1
		if a.isZero() && b.isZero() && xs == ys {
			neg = xs
		}
		if neg {
			return f80{0, 0x8000}, exc
		}
		return f80{}, exc
	}
	r, e2 := fromBigRCExc(z, rc, pc)
	return r, exc | e2
}

// roundInt rounds x to an integer per the rounding control rc.
func roundInt(x *big.Float, rc uint16) *big.Float {
	if x.IsInf() {
		return x
	}
	i, _ := x.Int(nil) // truncates toward zero
	t := new(big.Float).SetInt(i)
	frac := new(big.Float).Sub(x, t)
	switch rc {
	case 0: // nearest even
		half := big.NewFloat(0.5)
		af := new(big.Float).Abs(frac)
		c := af.Cmp(half)
		if c > 0 || c == 0 && i.Bit(0) == 1 {
			if x.Sign() < 0 {
				t.Sub(t, big.NewFloat(1))
			} else {
				t.Add(t, big.NewFloat(1))
			}
		}
	case 1: // down
		if frac.Sign() < 0 {
			t.Sub(t, big.NewFloat(1))
		}
	case 2: // up
		if frac.Sign() > 0 {
			t.Add(t, big.NewFloat(1))
		}
	}
	if t.Sign() == 0 && x.Signbit() {
		t.Neg(t)
	}
	return t
}

// toInt converts to a size-byte integer, or the integer indefinite value.
func (c *CPU) fToInt(x f80, size uint8, trunc bool) uint64 {
	indef := signBit[size]
	if x.isNaN() || x.isInf() {
		c.X87.FSW |= fswIE
		return indef
	}
	rc := (c.X87.FCW >> 10) & 3
	if trunc {
		rc = 3
	}
	if mag, inexact, ok := x.roundToInt(rc); ok {
		if mag > signBit[size] || mag == signBit[size] && !x.neg() {
			c.X87.FSW |= fswIE
			return indef
		}
		if inexact {
			c.X87.FSW |= fswPE
		}
		if x.neg() {
			mag = -mag
		}
		return mag & sizeMask[size]
	}
	r := roundInt(x.big(), rc)
	i, acc := r.Int64()
	if acc != big.Exact || sx(uint64(i), size) != i {
		c.X87.FSW |= fswIE
		return indef
	}
	if r.Cmp(x.big()) != 0 {
		c.X87.FSW |= fswPE
	}
	return uint64(i) & sizeMask[size]
}

func translateX87(x *x86asm.Inst, next uint64, out *inst) bool {
	// operands: ST registers or memory
	var ops [2]operand
	for i := 0; i < 2; i++ {
		switch a := x.Args[i].(type) {
		case nil:
		case x86asm.Reg:
			if a >= x86asm.F0 && a <= x86asm.F7 {
				ops[i] = operand{kind: kST, reg: uint8(a - x86asm.F0)}
			} else {
				return false
			}
		case x86asm.Mem:
			o, _, ok := convArg(x, a, next)
			if !ok {
				return false
			}
			ops[i] = o
		default:
			return false
		}
	}
	out.a, out.b = ops[0], ops[1]
	out.size = uint8(x.MemBytes)
	mem := out.a.kind == kMem
	switch x.Op {
	case x86asm.FXSAVE, x86asm.FXSAVE64, x86asm.FXRSTOR, x86asm.FXRSTOR64:
		if !mem {
			return false
		}
		out.size = 0
		out.op = oFxsave
		if x.Op == x86asm.FXRSTOR || x.Op == x86asm.FXRSTOR64 {
			out.op = oFxrstor
		}
		if x.Op == x86asm.FXSAVE64 || x.Op == x86asm.FXRSTOR64 {
			out.imm = 1
		}
		return true
	}
	if mem && out.size == 0 && (x.Op == x86asm.FLD || x.Op == x86asm.FSTP) {
		out.size = 10 // x86asm reports no size for m80
	}
	if mem && (x.Op == x86asm.FNSTENV || x.Op == x86asm.FLDENV) {
		out.size = 28
	} else if mem && out.size != 2 && out.size != 4 && out.size != 8 && out.size != 10 {
		return false
	}
	set := func(op uint16, cond uint8, imm uint64) bool {
		out.op, out.cond, out.imm = op, cond, imm
		return true
	}
	arith := func(kind uint8, pop bool) bool {
		var imm uint64
		if pop {
			imm = 1
		}
		if mem && out.size != 4 && out.size != 8 {
			return false
		}
		if !mem && out.a.kind != kST {
			if x.Args[0] != nil {
				return false
			}
			// faddp with no operands: st(1), st(0)
			out.a, out.b = operand{kind: kST, reg: 1}, operand{kind: kST, reg: 0}
		}
		return set(oFarith, kind, imm)
	}
	iarith := func(kind uint8) bool {
		if !mem || (out.size != 2 && out.size != 4) {
			return false
		}
		return set(oFiarith, kind, 0)
	}
	switch x.Op {
	case x86asm.FLD:
		if mem && out.size != 4 && out.size != 8 && out.size != 10 {
			return false
		}
		return set(oFld, 0, 0)
	case x86asm.FST, x86asm.FSTP:
		if mem && out.size != 4 && out.size != 8 && out.size != 10 || mem && out.size == 10 && x.Op == x86asm.FST {
			return false
		}
		if x.Op == x86asm.FSTP {
			return set(oFst, 0, 1)
		}
		return set(oFst, 0, 0)
	case x86asm.FILD:
		return mem && set(oFild, 0, 0)
	case x86asm.FIST, x86asm.FISTP:
		if !mem || x.Op == x86asm.FIST && out.size == 8 {
			return false
		}
		if x.Op == x86asm.FISTP {
			return set(oFist, 0, 1)
		}
		return set(oFist, 0, 0)
	case x86asm.FISTTP:
		return mem && set(oFisttp, 0, 1)
	case x86asm.FXCH:
		if out.a.kind == kNone {
			out.a = operand{kind: kST, reg: 1}
		}
		if out.a.kind == kST && out.a.reg == 0 && out.b.kind == kST {
			out.a = out.b
		}
		return set(oFxch, 0, 0)
	case x86asm.FADD:
		return arith(fAdd, false)
	case x86asm.FADDP:
		return arith(fAdd, true)
	case x86asm.FSUB:
		return arith(fSub, false)
	case x86asm.FSUBP:
		return arith(fSub, true)
	case x86asm.FSUBR:
		return arith(fSubr, false)
	case x86asm.FSUBRP:
		return arith(fSubr, true)
	case x86asm.FMUL:
		return arith(fMul, false)
	case x86asm.FMULP:
		return arith(fMul, true)
	case x86asm.FDIV:
		return arith(fDiv, false)
	case x86asm.FDIVP:
		return arith(fDiv, true)
	case x86asm.FDIVR:
		return arith(fDivr, false)
	case x86asm.FDIVRP:
		return arith(fDivr, true)
	case x86asm.FIADD:
		return iarith(fAdd)
	case x86asm.FISUB:
		return iarith(fSub)
	case x86asm.FISUBR:
		return iarith(fSubr)
	case x86asm.FIMUL:
		return iarith(fMul)
	case x86asm.FIDIV:
		return iarith(fDiv)
	case x86asm.FIDIVR:
		return iarith(fDivr)
	case x86asm.FUCOMI, x86asm.FCOMI:
		return set(oFcomi, 0, 0)
	case x86asm.FUCOMIP, x86asm.FCOMIP:
		return set(oFcomi, 0, 1)
	case x86asm.FUCOM, x86asm.FCOM:
		return set(oFcom, 0, 0)
	case x86asm.FUCOMP, x86asm.FCOMP:
		return set(oFcom, 0, 1)
	case x86asm.FUCOMPP, x86asm.FCOMPP:
		out.a = operand{kind: kST, reg: 1}
		return set(oFcom, 0, 2)
	case x86asm.FICOM:
		return mem && set(oFcom, 1, 0)
	case x86asm.FICOMP:
		return mem && set(oFcom, 1, 1)
	case x86asm.FCHS:
		return set(oFchs, 0, 0)
	case x86asm.FABS:
		return set(oFabs, 0, 0)
	case x86asm.FLD1:
		return set(oFconst, 0, 0)
	case x86asm.FLDL2T:
		return set(oFconst, 0, 1)
	case x86asm.FLDL2E:
		return set(oFconst, 0, 2)
	case x86asm.FLDPI:
		return set(oFconst, 0, 3)
	case x86asm.FLDLG2:
		return set(oFconst, 0, 4)
	case x86asm.FLDLN2:
		return set(oFconst, 0, 5)
	case x86asm.FLDZ:
		return set(oFconst, 0, 6)
	case x86asm.FSQRT:
		return set(oFsqrt, 0, 0)
	case x86asm.FRNDINT:
		return set(oFrndint, 0, 0)
	case x86asm.FPREM:
		return set(oFprem, 0, 0)
	case x86asm.FPREM1:
		return set(oFprem, 1, 0)
	case x86asm.FSCALE:
		return set(oFscale, 0, 0)
	case x86asm.FXAM:
		return set(oFxam, 0, 0)
	case x86asm.FTST:
		return set(oFtst, 0, 0)
	case x86asm.FFREE, x86asm.FFREEP:
		return set(oFfree, 0, 0)
	case x86asm.FINCSTP:
		return set(oFincstp, 0, 0)
	case x86asm.FDECSTP:
		return set(oFdecstp, 0, 0)
	case x86asm.FNCLEX:
		return set(oFnclex, 0, 0)
	case x86asm.FNSTENV:
		return mem && set(oFnstenv, 0, 0)
	case x86asm.FLDENV:
		return mem && set(oFldenv, 0, 0)
	case x86asm.FNOP:
		out.op = oNop
		return true
	case x86asm.FPATAN:
		return set(oFpatan, 0, 0)
	case x86asm.F2XM1:
		return set(oF2xm1, 0, 0)
	case x86asm.FYL2X:
		return set(oFyl2x, 0, 0)
	case x86asm.FYL2XP1:
		return set(oFyl2x, 1, 0)
	case x86asm.FSIN:
		return set(oFtrig, 0, 0)
	case x86asm.FCOS:
		return set(oFtrig, 0, 1)
	case x86asm.FSINCOS:
		return set(oFtrig, 0, 2)
	case x86asm.FPTAN:
		return set(oFtrig, 0, 3)
	case x86asm.FXTRACT:
		return set(oFxtract, 0, 0)
	case x86asm.FCMOVB:
		return set(oFcmov, condB, 0)
	case x86asm.FCMOVNB:
		return set(oFcmov, condAE, 0)
	case x86asm.FCMOVE:
		return set(oFcmov, condE, 0)
	case x86asm.FCMOVNE:
		return set(oFcmov, condNE, 0)
	case x86asm.FCMOVBE:
		return set(oFcmov, condBE, 0)
	case x86asm.FCMOVNBE:
		return set(oFcmov, condA, 0)
	case x86asm.FCMOVU:
		return set(oFcmov, condP, 0)
	case x86asm.FCMOVNU:
		return set(oFcmov, condNP, 0)
	}
	return false
}

// loadF reads a 4/8/10-byte float operand or ST register.
// loadExc notes the exceptions of loading an IEEE single/double: DE for a
// denormal, IE for a signalling NaN.
func (c *CPU) loadExc(v uint64, fracBits uint, expMax uint64) {
	e, frac := (v>>fracBits)&expMax, v&(1<<fracBits-1)
	switch {
	case e == 0 && frac != 0:
		c.X87.FSW |= fswDE
	case e == expMax && frac != 0 && frac>>(fracBits-1) == 0:
		c.X87.FSW |= fswIE
	}
}

func (c *CPU) loadF(o *operand, size uint8) (f80, bool) {
	if o.kind == kST {
		return c.st(int(o.reg)), true
	}
	addr := c.ea(o)
	switch size {
	case 4:
		v, ok := c.load(addr, 4)
		if ok {
			c.loadExc(v, 23, 0xff)
		}
		return f80FromF32(math.Float32frombits(uint32(v))), ok
	case 8:
		v, ok := c.load(addr, 8)
		if ok {
			c.loadExc(v, 52, 0x7ff)
		}
		return f80FromF64(math.Float64frombits(v)), ok
	default:
		var b [10]byte
		if !c.loadBytes(addr, b[:]) {
			return f80{}, false
		}
		return f80FromBytes(b[:]), true
	}
}

func (c *CPU) setCC87(c3, c2, c1, c0 bool) {
	fsw := c.X87.FSW &^ (1<<14 | 1<<10 | 1<<9 | 1<<8)
	if c3 {
		fsw |= 1 << 14
	}
	if c2 {
		fsw |= 1 << 10
	}
	if c1 {
		fsw |= 1 << 9
	}
	if c0 {
		fsw |= 1 << 8
	}
	c.X87.FSW = fsw
}

func (c *CPU) execX87(in *inst) int {
	switch in.op {
	case oFld:
		v, ok := c.loadF(&in.a, in.size)
		if !ok {
			return stFault
		}
		c.fpush(v)
	case oFst:
		v := c.st(0)
		if in.a.kind == kST {
			c.setST(int(in.a.reg), v)
		} else {
			addr := c.ea(&in.a)
			ok := true
			switch in.size {
			case 4:
				ok = c.store(addr, 4, uint64(c.f80ToF32(v)))
			case 8:
				ok = c.store(addr, 8, c.f80ToF64(v))
			default:
				b := v.bytes()
				ok = c.storeBytes(addr, b[:])
			}
			if !ok {
				return stFault
			}
		}
		if in.imm&1 != 0 {
			c.fpop()
		}
	case oFild:
		v, ok := c.read(&in.a, in.size)
		if !ok {
			return stFault
		}
		c.fpush(f80FromInt(sx(v, in.size)))
	case oFist, oFisttp:
		v := c.fToInt(c.st(0), in.size, in.op == oFisttp)
		if !c.write(&in.a, in.size, v) {
			return stFault
		}
		if in.imm&1 != 0 {
			c.fpop()
		}
	case oFxch:
		i := int(in.a.reg)
		a, b := c.st(0), c.st(i)
		c.setST(0, b)
		c.setST(i, a)
	case oFarith, oFiarith:
		var dst int
		var a, b f80
		switch {
		case in.op == oFiarith:
			v, ok := c.read(&in.a, in.size)
			if !ok {
				return stFault
			}
			a, b = c.st(0), f80FromInt(sx(v, in.size))
		case in.a.kind == kMem:
			v, ok := c.loadF(&in.a, in.size)
			if !ok {
				return stFault
			}
			a, b = c.st(0), v
		default:
			dst = int(in.a.reg)
			a, b = c.st(dst), c.st(int(in.b.reg))
		}
		r, exc := farith(in.cond, a, b, c.X87.FCW)
		c.X87.FSW |= exc
		c.setST(dst, r)
		if in.imm&1 != 0 {
			c.fpop()
		}
	case oFcomi:
		r := fcompare(c.st(0), c.st(int(in.b.reg)))
		var f uint64
		switch r {
		case 2:
			f = FlagZF | FlagPF | FlagCF
		case -1:
			f = FlagCF
		case 0:
			f = FlagZF
		}
		c.setEager(f)
		if in.imm&1 != 0 {
			c.fpop()
		}
	case oFcom:
		var b f80
		switch {
		case in.cond == 1:
			v, ok := c.read(&in.a, in.size)
			if !ok {
				return stFault
			}
			b = f80FromInt(sx(v, in.size))
		case in.a.kind == kMem:
			v, ok := c.loadF(&in.a, in.size)
			if !ok {
				return stFault
			}
			b = v
		case in.a.kind == kST:
			b = c.st(int(in.a.reg))
		default:
			b = c.st(1)
		}
		r := fcompare(c.st(0), b)
		c.setCC87(r == 0 || r == 2, r == 2, false, r == -1 || r == 2)
		for i := uint64(0); i < in.imm; i++ {
			c.fpop()
		}
	case oFtst:
		r := fcompare(c.st(0), f80Zero)
		c.setCC87(r == 0 || r == 2, r == 2, false, r == -1 || r == 2)
	case oFxam:
		v := c.st(0)
		var c3, c2, c0 bool
		switch {
		case c.X87.FTW&(1<<uint(c.fTop())) == 0: // empty
			c3, c0 = true, true
		case v.isNaN():
			c0 = true
		case v.isInf():
			c2, c0 = true, true
		case v.isZero():
			c3 = true
		case v.exp() == 0: // denormal
			c3, c2 = true, true
		default:
			c2 = true
		}
		c.setCC87(c3, c2, v.neg(), c0)
	case oFchs:
		v := c.st(0)
		v.se ^= 0x8000
		c.setST(0, v)
	case oFabs:
		v := c.st(0)
		v.se &^= 0x8000
		c.setST(0, v)
	case oFconst:
		c.fpush(f80Const[in.imm])
	case oFsqrt:
		v := c.st(0)
		switch {
		case v.isNaN(), v.isZero(), v.isInf() && !v.neg():
		case v.neg():
			v = f80QNaN
			c.X87.FSW |= fswIE
		default:
			x := v.big()
			z := new(big.Float).SetPrec(transPrec).Sqrt(x)
			v = roundFCW(z, c.X87.FCW)
			r := v.big()
			if new(big.Float).SetPrec(256).Mul(r, r).Cmp(x) != 0 {
				c.X87.FSW |= fswPE
			}
		}
		c.setST(0, v)
	case oFrndint:
		v := c.st(0)
		if mag, inexact, ok := v.roundToInt((c.X87.FCW >> 10) & 3); ok && v.exp() < 16383+63 {
			r := f80FromInt(int64(mag)) // mag < 2^63 here
			r.se |= v.se & 0x8000       // keeps the sign of a zero result
			if inexact {
				c.X87.FSW |= fswPE
			}
			v = r
		} else if !v.isNaN() && !v.isInf() && v.exp() < 16383+63 {
			v = fromBig(roundInt(v.big(), (c.X87.FCW>>10)&3))
		}
		c.setST(0, v)
	case oFscale:
		a, b := c.st(0), c.st(1)
		if a.isNaN() || b.isNaN() || a.isInf() || b.isInf() || a.isZero() {
			if b.isNaN() {
				a = b
			}
			c.setST(0, a)
			break
		}
		n, _ := roundInt(b.big(), 3).Int64()
		n = max(-70000, min(70000, n))
		f := a.big()
		c.setST(0, fromBig(f.SetMantExp(f, int(n))))
	case oFprem:
		c.fprem(in.cond == 1)
	case oFpatan:
		c.fpatan()
	case oF2xm1:
		c.f2xm1()
	case oFyl2x:
		c.fyl2x(in.cond == 1)
	case oFtrig:
		c.ftrig(int(in.imm))
	case oFxtract:
		c.fxtract()
	case oFxsave:
		return c.fxsave(in)
	case oFxrstor:
		return c.fxrstor(in)
	case oFcmov:
		if c.cond(in.cond) {
			c.setST(0, c.st(int(in.b.reg)))
		}
	case oFfree:
		c.X87.FTW &^= 1 << uint((c.fTop()+int(in.a.reg))&7)
	case oFincstp:
		// rotate the relative view: ST(0) becomes ST(7)
		st0 := c.X87.ST[0]
		copy(c.X87.ST[:7], c.X87.ST[1:])
		c.X87.ST[7] = st0
		c.setTop(c.fTop() + 1)
	case oFdecstp:
		st7 := c.X87.ST[7]
		copy(c.X87.ST[1:], c.X87.ST[:7])
		c.X87.ST[0] = st7
		c.setTop(c.fTop() - 1)
	case oFnclex:
		c.X87.FSW &= 0x7f00
	case oFnstenv:
		// 28-byte protected-mode environment: FCW, FSW, full tag word,
		// then instruction/data pointers (kept as stored in X87).
		var b [28]byte
		putLE16(b[0:], uint64(c.X87.FCW))
		putLE16(b[4:], uint64(c.X87.FSW))
		putLE16(b[8:], c.fullTags())
		putLE32(b[12:], c.X87.FIP)
		putLE16(b[18:], uint64(c.X87.FOP))
		putLE32(b[20:], c.X87.FDP)
		if !c.storeBytes(c.ea(&in.a), b[:]) {
			return stFault
		}
		c.X87.FCW |= 0x3f // fnstenv masks all exceptions
	case oFldenv:
		var b [28]byte
		if !c.loadBytes(c.ea(&in.a), b[:]) {
			return stFault
		}
		c.X87.FCW = uint16(le16(b[0:]))
		c.X87.FSW = uint16(le16(b[4:]))
		tags := le16(b[8:])
		var ftw uint8
		for i := 0; i < 8; i++ {
			if (tags>>(2*i))&3 != 3 {
				ftw |= 1 << i
			}
		}
		c.X87.FTW = ftw
		c.X87.FIP = le32(b[12:])
		c.X87.FOP = uint16(le16(b[18:]) & 0x7ff)
		c.X87.FDP = le32(b[20:])
	default:
		c.sigill()
		return stFault
	}
	return stNext
}

// fullTags expands the abridged tag word into the 2-bit-per-register
// form (00 valid, 01 zero, 10 special, 11 empty) over physical registers.
func (c *CPU) fullTags() uint64 {
	var t uint64
	top := c.fTop()
	for phys := 0; phys < 8; phys++ {
		tag := uint64(3)
		if c.X87.FTW&(1<<phys) != 0 {
			v := c.st((phys - top) & 7)
			switch {
			case v.isZero():
				tag = 1
			case v.exp() == 0x7fff || v.exp() == 0 || v.m>>63 == 0:
				tag = 2
			default:
				tag = 0
			}
		}
		t |= tag << (2 * phys)
	}
	return t
}

// fprem computes the partial remainder ST0 mod ST1 (truncating quotient,
// or round-to-nearest for fprem1) exactly; it always completes (C2 = 0)
// and reports the low quotient bits in C0, C3, C1.
func (c *CPU) fprem(nearest bool) {
	a, b := c.st(0), c.st(1)
	if a.isNaN() || b.isNaN() || a.isInf() || b.isZero() {
		// invalid operation: condition codes are left unchanged
		if !a.isNaN() {
			a = f80QNaN
		}
		if b.isNaN() {
			a = b
		}
		c.setST(0, f80{a.m | 1<<62, a.se})
		return
	}
	if b.isInf() || a.isZero() {
		c.setCC87(false, false, false, false)
		return
	}
	x, y := a.big(), b.big()
	prec := uint(64 + 128)
	if d := x.MantExp(nil) - y.MantExp(nil); d > 0 {
		prec += uint(d)
	}
	q := new(big.Float).SetPrec(prec).Quo(x, y)
	rc := uint16(3)
	if nearest {
		rc = 0
	}
	qi := roundInt(q, rc)
	qi.SetPrec(prec)
	r := new(big.Float).SetPrec(prec).Mul(qi, y)
	r.Sub(new(big.Float).SetPrec(prec).Set(x), r)
	if r.Sign() == 0 && x.Signbit() {
		r.Neg(r)
	}
	c.setST(0, fromBig(r))
	qint, _ := qi.Int(nil)
	qint.Abs(qint)
	c.setCC87(qint.Bit(1) == 1, false, qint.Bit(0) == 1, qint.Bit(2) == 1)
}

// f80ToF64 rounds x to float64 bits per the control word's rounding.
func (c *CPU) f80ToF64(x f80) uint64 {
	rc := (c.X87.FCW >> 10) & 3
	if r, inexact, ok := x.toIEEE(52, 1023, rc); ok {
		if inexact {
			c.X87.FSW |= fswPE
		}
		return r
	}
	if x.isNaN() || x.isInf() || x.isZero() {
		return math.Float64bits(x.float64())
	}
	return c.bigToIEEE(x, 53, rc, false)
}

// f80ToF32 rounds x to float32 bits per the control word's rounding.
func (c *CPU) f80ToF32(x f80) uint32 {
	rc := (c.X87.FCW >> 10) & 3
	if r, inexact, ok := x.toIEEE(23, 127, rc); ok {
		if inexact {
			c.X87.FSW |= fswPE
		}
		return uint32(r)
	}
	if x.isNaN() {
		f := x.float64()
		return math.Float32bits(float32(f))
	}
	if x.isInf() || x.isZero() {
		return math.Float32bits(float32(x.float64()))
	}
	return uint32(c.bigToIEEE(x, 24, rc, true))
}

// bigToIEEE is the exact slow path for results that overflow or are
// denormal in the destination format.
func (c *CPU) bigToIEEE(x f80, prec uint, rc uint16, single bool) uint64 {
	mode := [4]big.RoundingMode{big.ToNearestEven, big.ToNegativeInf, big.ToPositiveInf, big.ToZero}[rc]
	f := x.big()
	pre := big.Exact
	if rc != 0 {
		// directed rounding: round the significand first (Float32 and
		// Float64 themselves round to nearest)
		f = new(big.Float).SetPrec(prec).SetMode(mode).Set(f)
		pre = f.Acc()
	}
	if pre != big.Exact {
		c.X87.FSW |= fswPE
	}
	if single {
		v, acc := f.Float32()
		if acc != big.Exact || pre != big.Exact {
			c.X87.FSW |= fswPE
			if math.Abs(float64(v)) < 0x1p-126 {
				c.X87.FSW |= fswUE
			}
		}
		if math.IsInf(float64(v), 0) {
			c.X87.FSW |= fswOE | fswPE
		}
		if math.IsInf(float64(v), 0) && (rc == 3 || rc == 1 && v > 0 || rc == 2 && v < 0) {
			v = float32(math.Copysign(math.MaxFloat32, float64(v)))
		}
		return uint64(math.Float32bits(v))
	}
	v, acc := f.Float64()
	if acc != big.Exact || pre != big.Exact {
		c.X87.FSW |= fswPE
		if math.Abs(v) < 0x1p-1022 {
			c.X87.FSW |= fswUE
		}
	}
	if math.IsInf(v, 0) {
		c.X87.FSW |= fswOE | fswPE
	}
	if math.IsInf(v, 0) && (rc == 3 || rc == 1 && v > 0 || rc == 2 && v < 0) {
		v = math.Copysign(math.MaxFloat64, v)
	}
	return math.Float64bits(v)
}
