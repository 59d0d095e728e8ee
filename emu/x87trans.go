package emu

import (
	"math/big"
)

// x87 transcendental instructions (fsin, fcos, fsincos, fptan, fpatan,
// f2xm1, fyl2x, fyl2xp1) and fxtract. glibc's long double libm (expl,
// logl, powl, atan2l, log1pl, ...) is built on them.
//
// Results are computed with math/big at transPrec bits from series with
// argument reduction, then rounded once to the precision and rounding mode
// of the control word, so they are the correctly rounded values except in
// astronomically rare ties. Real hardware is allowed up to about one ulp
// of error, so a last-bit difference from a native run is possible.
// Argument reduction for fsin/fcos/fptan uses an exact pi (hardware uses a
// 66-bit approximation, which differs for huge arguments). These
// instructions are rare, so they may allocate.

const transPrec = 192

func bf() *big.Float { return new(big.Float).SetPrec(transPrec) }

// atanhSeries returns atanh(z) for |z| < 1/2: z + z^3/3 + z^5/5 + ...
func atanhSeries(z *big.Float, prec uint) *big.Float {
	sum := new(big.Float).SetPrec(prec).Set(z)
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	p := new(big.Float).SetPrec(prec).Set(z)
	t := new(big.Float).SetPrec(prec)
	for k := int64(3); k < 4000; k += 2 {
		p.Mul(p, z2)
		t.Quo(p, new(big.Float).SetInt64(k))
		if t.Sign() == 0 || t.MantExp(nil) < sum.MantExp(nil)-int(prec)-4 {
			break
		}
		sum.Add(sum, t)
	}
	return sum
}

// atanSeries returns atan(z) for small |z|: z - z^3/3 + z^5/5 - ...
func atanSeries(z *big.Float, prec uint) *big.Float {
	sum := new(big.Float).SetPrec(prec).Set(z)
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	z2.Neg(z2)
	p := new(big.Float).SetPrec(prec).Set(z)
	t := new(big.Float).SetPrec(prec)
	for k := int64(3); k < 4000; k += 2 {
		p.Mul(p, z2)
		t.Quo(p, new(big.Float).SetInt64(k))
		if t.Sign() == 0 || t.MantExp(nil) < sum.MantExp(nil)-int(prec)-4 {
			break
		}
		sum.Add(sum, t)
	}
	return sum
}

// ln2Big is ln(2) = 2 atanh(1/3).
func ln2Big(prec uint) *big.Float {
	third := new(big.Float).SetPrec(prec).Quo(big.NewFloat(1), big.NewFloat(3))
	r := atanhSeries(third, prec)
	return r.Mul(r, big.NewFloat(2))
}

// piBig is pi = 16 atan(1/5) - 4 atan(1/239) (Machin).
func piBig(prec uint) *big.Float {
	a := atanSeries(new(big.Float).SetPrec(prec).Quo(big.NewFloat(1), big.NewFloat(5)), prec)
	b := atanSeries(new(big.Float).SetPrec(prec).Quo(big.NewFloat(1), big.NewFloat(239)), prec)
	a.Mul(a, big.NewFloat(16))
	b.Mul(b, big.NewFloat(4))
	return a.Sub(a, b)
}

// atanBig returns atan(z) for finite z.
func atanBig(z *big.Float, prec uint) *big.Float {
	neg := z.Sign() < 0
	x := new(big.Float).SetPrec(prec).Abs(z)
	if x.Sign() == 0 {
		return x
	}
	invert := x.Cmp(big.NewFloat(1)) > 0
	if invert {
		x.Quo(big.NewFloat(1), x)
	}
	// atan(x) = 2 atan(x / (1 + sqrt(1 + x^2)))
	doublings := 0
	eighth := big.NewFloat(0.125)
	for x.Cmp(eighth) > 0 {
		s := new(big.Float).SetPrec(prec).Mul(x, x)
		s.Add(s, big.NewFloat(1))
		s.Sqrt(s)
		s.Add(s, big.NewFloat(1))
		x.Quo(x, s)
		doublings++
	}
	r := atanSeries(x, prec)
	r.SetMantExp(r, doublings)
	if invert {
		h := piBig(prec)
		h.SetMantExp(h, -1)
		r.Sub(h, r)
	}
	if neg {
		r.Neg(r)
	}
	return r
}

// log2Big returns log2(x) for finite x > 0.
func log2Big(x *big.Float, prec uint) *big.Float {
	m := new(big.Float).SetPrec(prec)
	e := x.MantExp(m) // x = m * 2^e, 0.5 <= m < 1
	if m.Cmp(big.NewFloat(0.70710678118654752)) < 0 {
		m.SetMantExp(m, 1)
		e--
	}
	// ln m = 2 atanh((m-1)/(m+1))
	num := new(big.Float).SetPrec(prec).Sub(m, big.NewFloat(1))
	den := new(big.Float).SetPrec(prec).Add(m, big.NewFloat(1))
	l := atanhSeries(num.Quo(num, den), prec)
	l.SetMantExp(l, 1)
	l.Quo(l, ln2Big(prec))
	return l.Add(l, new(big.Float).SetPrec(prec).SetInt64(int64(e)))
}

// log2p1Big returns log2(1+x) for finite x > -1, accurate for tiny x.
func log2p1Big(x *big.Float, prec uint) *big.Float {
	ax := new(big.Float).Abs(x)
	if ax.Cmp(big.NewFloat(0.25)) > 0 {
		onep := new(big.Float).SetPrec(prec).Add(x, big.NewFloat(1))
		return log2Big(onep, prec)
	}
	// ln(1+x) = 2 atanh(x / (2 + x))
	den := new(big.Float).SetPrec(prec).Add(x, big.NewFloat(2))
	z := new(big.Float).SetPrec(prec).Quo(x, den)
	l := atanhSeries(z, prec)
	l.SetMantExp(l, 1)
	return l.Quo(l, ln2Big(prec))
}

// expm1Big returns e^t - 1 for |t| <= 1, accurate for tiny t.
func expm1Big(t *big.Float, prec uint) *big.Float {
	// halve k times, sum the series, then expm1(2u) = expm1(u) (expm1(u) + 2)
	const k = 12
	u := new(big.Float).SetPrec(prec).SetMantExp(t, -k)
	sum := new(big.Float).SetPrec(prec).Set(u)
	term := new(big.Float).SetPrec(prec).Set(u)
	for n := int64(2); n < 200; n++ {
		term.Mul(term, u)
		term.Quo(term, new(big.Float).SetInt64(n))
		if term.Sign() == 0 || term.MantExp(nil) < sum.MantExp(nil)-int(prec)-4 {
			break
		}
		sum.Add(sum, term)
	}
	for i := 0; i < k; i++ {
		s2 := new(big.Float).SetPrec(prec).Add(sum, big.NewFloat(2))
		sum.Mul(sum, s2)
	}
	return sum
}

// sinCosBig returns sin(x) and cos(x) for finite x (exact reduction).
func sinCosBig(x *big.Float) (s, c *big.Float) {
	prec := uint(transPrec)
	if e := x.MantExp(nil); e > 0 {
		prec += uint(e)
	}
	halfPi := piBig(prec)
	halfPi.SetMantExp(halfPi, -1)
	q := new(big.Float).SetPrec(prec).Quo(x, halfPi)
	// nearest integer quadrant
	qa := new(big.Float).SetPrec(prec).Abs(q)
	qa.Add(qa, big.NewFloat(0.5))
	qi, _ := qa.Int(nil)
	if q.Sign() < 0 {
		qi.Neg(qi)
	}
	r := new(big.Float).SetPrec(prec).SetInt(qi)
	r.Mul(r, halfPi)
	r.Sub(new(big.Float).SetPrec(prec).Set(x), r)
	r.SetPrec(transPrec)
	// series for |r| <= pi/4
	r2 := bf().Mul(r, r)
	r2.Neg(r2)
	sn, cs := bf().Set(r), bf().SetInt64(1)
	ts, tc := bf().Set(r), bf().SetInt64(1)
	for n := int64(1); n < 200; n++ {
		ts.Mul(ts, r2)
		ts.Quo(ts, new(big.Float).SetInt64((2*n)*(2*n+1)))
		tc.Mul(tc, r2)
		tc.Quo(tc, new(big.Float).SetInt64((2*n-1)*(2*n)))
		sn.Add(sn, ts)
		cs.Add(cs, tc)
		if tc.Sign() == 0 || tc.MantExp(nil) < -transPrec-8 {
			break
		}
	}
	switch new(big.Int).And(qi, big.NewInt(3)).Int64() {
	case 0:
		return sn, cs
	case 1:
		return cs, sn.Neg(sn)
	case 2:
		return sn.Neg(sn), cs.Neg(cs)
	default:
		return cs.Neg(cs), sn
	}
}

// roundFCW rounds f to the precision and rounding mode of the FPU control
// word.
func roundFCW(f *big.Float, fcw uint16) f80 {
	return fromBigRC(f, (fcw>>10)&3, (fcw>>8)&3)
}

// quiet returns the quiet form of NaN x.
func quiet(x f80) f80 { return f80{x.m | 1<<62, x.se} }

// nanOf2 picks the NaN result of a two-operand instruction.
func nanOf2(a, b f80) f80 {
	switch {
	case !b.isNaN():
		return quiet(a)
	case !a.isNaN():
		return quiet(b)
	case b.m|1<<62 > a.m|1<<62:
		return quiet(b)
	}
	return quiet(a)
}

const (
	fswIE = 1 << 0
	fswDE = 1 << 1
	fswZE = 1 << 2
	fswOE = 1 << 3
	fswUE = 1 << 4
	fswPE = 1 << 5
	fswC2 = 1 << 10
)

func (c *CPU) fexc(bits uint16) { c.X87.FSW |= bits }

// fpatan: ST(1) = atan2(ST(1), ST(0)), pop.
func (c *CPU) fpatan() {
	x, y := c.st(0), c.st(1)
	var r f80
	pi := func(num, den int64, neg bool) f80 {
		p := piBig(transPrec)
		p.Mul(p, big.NewFloat(float64(num)))
		p.Quo(p, big.NewFloat(float64(den)))
		if neg {
			p.Neg(p)
		}
		return roundFCW(p, c.X87.FCW)
	}
	ys := y.neg()
	switch {
	case x.isNaN() || y.isNaN():
		r = nanOf2(y, x)
	case y.isZero():
		if x.neg() {
			r = pi(1, 1, ys)
		} else {
			r = f80{0, y.se & 0x8000}
		}
	case y.isInf() && x.isInf():
		if x.neg() {
			r = pi(3, 4, ys)
		} else {
			r = pi(1, 4, ys)
		}
	case y.isInf() || x.isZero():
		r = pi(1, 2, ys)
	case x.isInf():
		if x.neg() {
			r = pi(1, 1, ys)
		} else {
			r = f80{0, y.se & 0x8000}
		}
	default:
		q := bf().Quo(y.big(), x.big())
		q.Abs(q)
		a := atanBig(q, transPrec)
		if x.neg() {
			a.Sub(piBig(transPrec), a)
		}
		if ys {
			a.Neg(a)
		}
		r = roundFCW(a, c.X87.FCW)
		c.fexc(fswPE)
	}
	c.setST(1, r)
	c.fpop()
}

// f2xm1: ST(0) = 2^ST(0) - 1 for -1 <= ST(0) <= 1.
func (c *CPU) f2xm1() {
	x := c.st(0)
	switch {
	case x.isNaN():
		c.setST(0, quiet(x))
		return
	case x.isZero():
		return
	case x.isInf():
		if x.neg() {
			c.setST(0, f80{1 << 63, 0xbfff}) // -1
		}
		return
	}
	// (outside -1..1 the result is architecturally undefined; this
	// computes 2^x - 1 anyway, slowly for large x)
	t := bf().Mul(x.big(), ln2Big(transPrec))
	if t.MantExp(nil) > 1 {
		e := bf().Mul(x.big(), big.NewFloat(1))
		if x.exp() > 16383+20 {
			if x.neg() {
				c.setST(0, f80{1 << 63, 0xbfff})
			} else {
				c.setST(0, f80{1 << 63, 0x7fff})
			}
			return
		}
		// 2^x = 2^n * 2^f with n integral, |f| <= 1/2
		n, _ := roundInt(e, 0).Int64()
		f := bf().Sub(e, new(big.Float).SetInt64(n))
		r := expm1Big(f.Mul(f, ln2Big(transPrec)), transPrec)
		r.Add(r, big.NewFloat(1))
		r.SetMantExp(r, int(n))
		r.Sub(r, big.NewFloat(1))
		c.setST(0, roundFCW(r, c.X87.FCW))
		c.fexc(fswPE)
		return
	}
	c.setST(0, roundFCW(expm1Big(t, transPrec), c.X87.FCW))
	c.fexc(fswPE)
}

// fyl2x: ST(1) = ST(1) * log2(ST(0)), pop; fyl2xp1 uses log2(ST(0)+1).
func (c *CPU) fyl2x(p1 bool) {
	x, y := c.st(0), c.st(1)
	var r f80
	one := f80One
	if p1 {
		one.se |= 0x8000 // the pole is at x = -1
	}
	pole := p1 && x.m == one.m && x.se == one.se || !p1 && x.isZero()
	below := x.neg() && (!p1 || fcompare(x, one) < 0)
	switch {
	case x.isNaN() || y.isNaN():
		r = nanOf2(y, x)
	case below && !pole:
		r = f80QNaN
		c.fexc(fswIE)
	case pole:
		if y.isZero() {
			r = f80QNaN
			c.fexc(fswIE)
		} else {
			r = f80{1 << 63, (y.se^0x8000)&0x8000 | 0x7fff}
			c.fexc(fswZE)
		}
	case x.isInf():
		if y.isZero() {
			r = f80QNaN
			c.fexc(fswIE)
		} else {
			r = f80{1 << 63, y.se&0x8000 | 0x7fff}
		}
	default:
		var l *big.Float
		if p1 {
			if x.isZero() {
				l = bf()
			} else {
				l = log2p1Big(x.big(), transPrec)
			}
		} else {
			l = log2Big(x.big(), transPrec)
		}
		switch {
		case y.isInf():
			if l.Sign() == 0 {
				r = f80QNaN
				c.fexc(fswIE)
			} else if (l.Sign() < 0) != y.neg() {
				r = f80{1 << 63, 0xffff}
			} else {
				r = f80{1 << 63, 0x7fff}
			}
		case y.isZero() || l.Sign() == 0:
			var s uint16
			if y.neg() != (l.Sign() < 0) && l.Sign() != 0 || l.Sign() == 0 && y.neg() != x.neg() {
				s = 0x8000
			}
			r = f80{0, s}
		default:
			r = roundFCW(l.Mul(l, y.big()), c.X87.FCW)
			c.fexc(fswPE)
		}
	}
	c.setST(1, r)
	c.fpop()
}

// ftrig executes fsin (kind 0), fcos (1), fsincos (2) and fptan (3).
func (c *CPU) ftrig(kind int) {
	x := c.st(0)
	c.X87.FSW &^= fswC2 | 1<<9
	switch {
	case x.isNaN() || x.isInf():
		r := quiet(x)
		if x.isInf() {
			r = f80QNaN
			c.fexc(fswIE)
		}
		c.setST(0, r)
		if kind >= 2 {
			c.fpush(r)
		}
		return
	case x.exp() >= 16383+63:
		c.X87.FSW |= fswC2 // out of range: operand unchanged
		return
	case x.isZero() && kind != 1:
		if kind == 2 {
			c.fpush(f80One)
			c.setST(1, x)
		} else if kind == 3 {
			c.fpush(f80One)
		}
		return
	}
	s, co := sinCosBig(x.big())
	fcw := c.X87.FCW
	switch kind {
	case 0:
		c.setST(0, roundFCW(s, fcw))
	case 1:
		c.setST(0, roundFCW(co, fcw))
	case 2:
		c.setST(0, roundFCW(s, fcw))
		c.fpush(roundFCW(co, fcw))
	default:
		c.setST(0, roundFCW(s.Quo(s, co), fcw))
		c.fpush(f80One)
	}
	c.fexc(fswPE)
}

// fxtract: ST(0) = exponent, then push the significand (in [1, 2)).
func (c *CPU) fxtract() {
	x := c.st(0)
	switch {
	case x.isNaN():
		c.setST(0, quiet(x))
		c.fpush(quiet(x))
		return
	case x.isInf():
		c.setST(0, f80{1 << 63, 0x7fff})
		c.fpush(x)
		return
	case x.isZero():
		c.fexc(fswZE)
		c.setST(0, f80{1 << 63, 0xffff})
		c.fpush(x)
		return
	}
	m, e := x.m, x.exp()
	if e == 0 { // denormal
		e = 1
		for m>>63 == 0 {
			m <<= 1
			e--
		}
	}
	c.setST(0, fromBig(new(big.Float).SetInt64(int64(e-16383))))
	c.fpush(f80{m, x.se&0x8000 | 16383})
}

// fxsave stores the x87, MXCSR and XMM state in the 512-byte FXSAVE
// layout (bytes 416..511 are not written, as on hardware). The 64-bit form
// (REX.W) stores 64-bit FPU instruction and data pointers; the default
// form stores 32-bit offsets with zero selectors.
func (c *CPU) fxsave(in *inst) int {
	addr := c.ea(&in.a)
	if addr%16 != 0 {
		c.gpFault()
		return stFault
	}
	var b [416]byte
	x := &c.X87
	putLE16(b[0:], uint64(x.FCW))
	putLE16(b[2:], uint64(x.FSW))
	b[4] = x.FTW
	putLE16(b[6:], uint64(x.FOP))
	if in.imm&1 != 0 {
		putLE64(b[8:], x.FIP)
		putLE64(b[16:], x.FDP)
	} else {
		putLE32(b[8:], x.FIP)
		putLE32(b[16:], x.FDP)
	}
	putLE32(b[24:], uint64(c.MXCSR))
	putLE32(b[28:], mxcsrMask)
	for i := 0; i < 8; i++ {
		copy(b[32+16*i:], x.ST[i][:])
	}
	for i := 0; i < 16; i++ {
		putLE64(b[160+16*i:], c.XMM[i][0])
		putLE64(b[168+16*i:], c.XMM[i][1])
	}
	if !c.storeBytes(addr, b[:]) {
		return stFault
	}
	return stNext
}

// fxrstor loads the state fxsave stores; reserved MXCSR bits raise #GP.
func (c *CPU) fxrstor(in *inst) int {
	addr := c.ea(&in.a)
	if addr%16 != 0 {
		c.gpFault()
		return stFault
	}
	var b [416]byte
	if !c.loadBytes(addr, b[:]) {
		return stFault
	}
	mx := uint32(le32(b[24:]))
	if mx&^mxcsrMask != 0 {
		c.gpFault()
		return stFault
	}
	x := &c.X87
	x.FCW = uint16(le16(b[0:]))
	x.FSW = uint16(le16(b[2:]))
	x.FTW = b[4]
	x.FOP = uint16(le16(b[6:]) & 0x7ff)
	if in.imm&1 != 0 {
		x.FIP, x.FDP = le64(b[8:]), le64(b[16:])
	} else {
		x.FIP, x.FDP = le32(b[8:]), le32(b[16:])
	}
	c.MXCSR = mx
	for i := 0; i < 8; i++ {
		copy(x.ST[i][:], b[32+16*i:])
	}
	for i := 0; i < 16; i++ {
		c.XMM[i] = [2]uint64{le64(b[160+16*i:]), le64(b[168+16*i:])}
	}
	return stNext
}
