package emu

import (
	"math"
	"math/bits"
)

// Allocation-free x87 paths for the common cases: loads and stores of
// float32/float64/integers, compares, and add/sub/mul/div of normal
// operands with a normal result at 64-bit precision. Everything else
// (zeros, denormals, infinities, overflow, underflow, reduced precision
// control) falls back to the exact math/big code in x87.go.

// roundMant rounds the significand m with the fraction bits rest (a
// 64-bit binary fraction of one unit in the last place) per rc. It
// reports the rounded significand, whether it carried out (m became 2^64)
// and whether the result was inexact.
func roundMant(m, rest uint64, neg bool, rc uint16) (r uint64, carry, inexact bool) {
	if rest == 0 {
		return m, false, false
	}
	up := false
	switch rc {
	case 0:
		up = rest > 1<<63 || rest == 1<<63 && m&1 == 1
	case 1:
		up = neg
	case 2:
		up = !neg
	}
	if up {
		m++
		if m == 0 {
			return 1 << 63, true, true
		}
	}
	return m, false, true
}

func (x f80) isNormal() bool {
	e := x.exp()
	return e != 0 && e != 0x7fff && x.m>>63 != 0
}

// farithFast computes a op b for normal operands when the result is
// normal and the precision control is 64 bits.
func farithFast(kind uint8, a, b f80, fcw uint16) (f80, uint16, bool) {
	if (fcw>>8)&3 != 3 || !a.isNormal() || !b.isNormal() {
		return f80{}, 0, false
	}
	rc := (fcw >> 10) & 3
	ea, eb := a.exp(), b.exp()
	var m, rest uint64
	var e int
	var neg bool
	switch kind {
	case fMul:
		hi, lo := bits.Mul64(a.m, b.m)
		e = ea + eb - 16383 + 1
		if hi>>63 == 0 {
			hi, lo = hi<<1|lo>>63, lo<<1
			e--
		}
		m, rest, neg = hi, lo, a.neg() != b.neg()
	case fDiv, fDivr:
		if kind == fDivr {
			a, b, ea, eb = b, a, eb, ea
		}
		var q, r uint64
		if a.m < b.m {
			q, r = bits.Div64(a.m, 0, b.m)
			e = ea - eb + 16383 - 1
		} else {
			q, r = bits.Div64(a.m>>1, a.m<<63, b.m)
			e = ea - eb + 16383
		}
		// only the position of the remainder relative to half matters
		switch {
		case r == 0:
			rest = 0
		case r < b.m-r:
			rest = 1
		case r == b.m-r:
			rest = 1 << 63
		default:
			rest = 1<<63 + 1
		}
		m, neg = q, a.neg() != b.neg()
	case fAdd, fSub, fSubr:
		sa, sb := a.neg(), b.neg()
		if kind == fSub {
			sb = !sb
		} else if kind == fSubr {
			sa = !sa
		}
		// |a| >= |b|
		if ea < eb || ea == eb && a.m < b.m {
			a, b, ea, eb, sa, sb = b, a, eb, ea, sb, sa
		}
		d := ea - eb
		ahi, alo := a.m, uint64(0)
		var bhi, blo uint64
		switch {
		case d == 0:
			bhi = b.m
		case d < 64:
			bhi, blo = b.m>>uint(d), b.m<<uint(64-d)
		case d == 64:
			blo = b.m
		case d < 128:
			blo = b.m >> uint(d-64)
			if b.m<<uint(128-d) != 0 {
				blo |= 1
			}
		default:
			blo = 1
		}
		e, neg = ea, sa
		if sa == sb {
			lo, c := bits.Add64(alo, blo, 0)
			hi, c2 := bits.Add64(ahi, bhi, c)
			if c2 != 0 {
				sticky := lo & 1
				lo = lo>>1 | hi<<63 | sticky
				hi = hi>>1 | 1<<63
				e++
			}
			m, rest = hi, lo
		} else {
			lo, bw := bits.Sub64(alo, blo, 0)
			hi, _ := bits.Sub64(ahi, bhi, bw)
			if hi == 0 && lo == 0 {
				return f80{}, 0, false // exact zero: sign depends on rc
			}
			var sh int
			if hi == 0 {
				sh = 64 + bits.LeadingZeros64(lo)
			} else {
				sh = bits.LeadingZeros64(hi)
			}
			if sh >= 64 {
				hi, lo = lo<<uint(sh-64), 0
			} else if sh > 0 {
				hi, lo = hi<<uint(sh)|lo>>uint(64-sh), lo<<uint(sh)
			}
			e -= sh
			m, rest = hi, lo
		}
	default:
		return f80{}, 0, false
	}
	m, carry, inexact := roundMant(m, rest, neg, rc)
	var exc uint16
	if inexact {
		exc = fswPE
	}
	if carry {
		e++
	}
	if e <= 0 || e >= 0x7fff {
		return f80{}, 0, false
	}
	var s uint16
	if neg {
		s = 0x8000
	}
	return f80{m, s | uint16(e)}, exc, true
}

// f80FromInt converts a signed integer exactly.
func f80FromInt(v int64) f80 {
	if v == 0 {
		return f80{}
	}
	var s uint16
	u := uint64(v)
	if v < 0 {
		s, u = 0x8000, -u
	}
	lz := bits.LeadingZeros64(u)
	return f80{u << uint(lz), s | uint16(16383+63-lz)}
}

// f80FromF64 converts a float64 exactly.
func f80FromF64(v float64) f80 {
	b := math.Float64bits(v)
	s := uint16(b>>48) & 0x8000
	e := int(b>>52) & 0x7ff
	frac := b & (1<<52 - 1)
	switch {
	case e == 0x7ff:
		if frac == 0 {
			return f80{1 << 63, s | 0x7fff}
		}
		return f80{1<<63 | frac<<11, s | 0x7fff}
	case e == 0:
		if frac == 0 {
			return f80{0, s}
		}
		lz := bits.LeadingZeros64(frac)
		// value = frac * 2^-1074
		return f80{frac << uint(lz), s | uint16(16383+63-lz-1074)}
	}
	return f80{1<<63 | frac<<11, s | uint16(e-1023+16383)}
}

// f80FromF32 converts a float32 exactly.
func f80FromF32(v float32) f80 { return f80FromF64(float64(v)) }

// toIEEE rounds x to an IEEE binary format with fracBits fraction bits and
// exponent bias (float64: 52, 1023; float32: 23, 127) per rc. ok is false
// when the result would be denormal, zero from underflow, or overflow
// (the caller takes the exact path).
func (x f80) toIEEE(fracBits uint, bias int, rc uint16) (r uint64, inexact, ok bool) {
	if !x.isNormal() {
		return 0, false, false
	}
	e := x.exp() - 16383 + bias
	drop := 63 - fracBits
	m := x.m >> drop
	rest := x.m << (64 - drop)
	m, _, inexact = roundMant(m, rest, x.neg(), rc)
	if m>>(fracBits+1) != 0 {
		m >>= 1
		e++
	}
	if e <= 0 || e >= 2*bias+1 {
		return 0, false, false
	}
	r = uint64(e)<<fracBits | m&(1<<fracBits-1)
	if x.neg() {
		r |= 1 << (fracBits + bitsOfExp(bias))
	}
	return r, inexact, true
}

func bitsOfExp(bias int) uint {
	if bias == 1023 {
		return 11
	}
	return 8
}

// fcompare returns -1, 0, 1, or 2 for unordered.
func fcompare(a, b f80) int {
	if a.isNaN() || b.isNaN() {
		return 2
	}
	az, bz := a.isZero(), b.isZero()
	if az && bz {
		return 0
	}
	sa, sb := a.neg() && !az, b.neg() && !bz
	if az {
		if sb {
			return 1
		}
		return -1
	}
	if bz {
		if sa {
			return -1
		}
		return 1
	}
	if sa != sb {
		if sa {
			return -1
		}
		return 1
	}
	// same sign: compare magnitudes (exponent, then significand)
	r := 0
	ea, eb := a.exp(), b.exp()
	switch {
	case ea != eb:
		if ea < eb {
			r = -1
		} else {
			r = 1
		}
	case a.m != b.m:
		if a.m < b.m {
			r = -1
		} else {
			r = 1
		}
	}
	if sa {
		r = -r
	}
	return r
}

// roundToInt rounds |x| to an integer per rc (applied to the signed
// value). ok is false for NaN, infinity, denormals and magnitudes of 2^64
// or more; mag may be 2^63, which only a negative 64-bit result can hold.
func (x f80) roundToInt(rc uint16) (mag uint64, inexact, ok bool) {
	if x.isZero() {
		return 0, false, true
	}
	if !x.isNormal() {
		return 0, false, false
	}
	e := x.exp() - 16383
	switch {
	case e >= 64:
		return 0, false, false
	case e == 63:
		return x.m, false, true
	case e >= 0:
		ip := x.m >> uint(63-e)
		frac := x.m << uint(e+1)
		r, _, inex := roundMant(ip, frac, x.neg(), rc)
		return r, inex, true
	}
	// |x| < 1: the whole significand is fraction
	var frac uint64
	if sh := -e - 1; sh >= 64 {
		frac = 1 // sticky
	} else {
		frac = x.m >> uint(sh)
		if x.m<<uint(64-sh) != 0 && sh > 0 {
			frac |= 1
		}
	}
	r, _, inex := roundMant(0, frac, x.neg(), rc)
	return r, inex, true
}
