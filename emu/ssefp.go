package emu

import (
	"math"
)

// SSE floating point with MXCSR semantics: rounding control, DAZ/FTZ and
// the sticky exception flags IE DE ZE OE UE PE (all exceptions are treated
// as masked: the flag is set and the masked response is returned; an
// unmasked exception would raise SIGFPE on hardware, which is not
// modelled). Arithmetic is done with the host's round-to-nearest float64
// operations plus error-free transformations (TwoSum, FMA residuals) that
// give the exact error's sign, which decides inexactness and directed
// rounding. float32 operations are computed in float64 (exact or
// innocuously double-rounded for + - * / sqrt) and rounded once more.

const (
	mxIE  = 1 << 0
	mxDE  = 1 << 1
	mxZE  = 1 << 2
	mxOE  = 1 << 3
	mxUE  = 1 << 4
	mxPE  = 1 << 5
	mxDAZ = 1 << 6
	mxFTZ = 1 << 15

	// mxcsrMask is the MXCSR_MASK fxsave reports: every bit is
	// writable, DAZ included.
	mxcsrMask = 0xffff
)

const (
	f64QNaNBit = 1 << 51
	f32QNaNBit = 1 << 22
)

func isSNaN64(v float64) bool {
	b := math.Float64bits(v)
	return v != v && b&f64QNaNBit == 0
}

func isSNaN32(v float32) bool {
	b := math.Float32bits(v)
	return v != v && b&f32QNaNBit == 0
}

func quiet64(v float64) float64 { return math.Float64frombits(math.Float64bits(v) | f64QNaNBit) }

func isDenorm64(v float64) bool {
	return v != 0 && math.Abs(v) < 0x1p-1022
}

// dazQuiet64 applies denormals-are-zero without noting DE.
func (c *CPU) dazQuiet64(v float64) float64 {
	if c.MXCSR&mxDAZ != 0 && isDenorm64(v) {
		return math.Copysign(0, v)
	}
	return v
}

func (c *CPU) dazQuiet32(v float32) float32 {
	if c.MXCSR&mxDAZ != 0 && v != 0 && math.Abs(float64(v)) < 0x1p-126 {
		return float32(math.Copysign(0, float64(v)))
	}
	return v
}

func isDenorm32(v float32) bool { return v != 0 && math.Abs(float64(v)) < 0x1p-126 }

// daz applies denormals-are-zero to an input, noting DE otherwise.
func (c *CPU) daz64(v float64) float64 {
	if isDenorm64(v) {
		if c.MXCSR&mxDAZ != 0 {
			return math.Copysign(0, v)
		}
		c.MXCSR |= mxDE
	}
	return v
}

// roundDir moves a round-to-nearest result r one ulp when the exact
// result (r + an error of sign es) must round the other way under rc.
func roundDir(r float64, es int, rc uint32) float64 {
	if es == 0 || rc == 0 || math.IsInf(r, 0) || r != r {
		return r
	}
	switch rc {
	case 1: // down
		if es < 0 {
			return math.Nextafter(r, math.Inf(-1))
		}
	case 2: // up
		if es > 0 {
			return math.Nextafter(r, math.Inf(1))
		}
	default: // toward zero
		if es < 0 && r > 0 || es > 0 && r < 0 {
			return math.Nextafter(r, 0)
		}
	}
	return r
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// exact64 computes a op b rounded to nearest float64 and the sign of the
// rounding error (exact - r). ok is false on invalid operations.
func exact64(kind uint8, a, b float64) (r float64, es int) {
	switch kind {
	case fAdd, fSub:
		if kind == fSub {
			b = -b
		}
		r = a + b
		if math.IsInf(r, 0) {
			return r, 0
		}
		// TwoSum
		bb := r - a
		e := (a - (r - bb)) + (b - bb)
		return r, sign(e)
	case fMul:
		r = a * b
		if math.IsInf(r, 0) || r == 0 && a != 0 && b != 0 {
			return r, sign(a) * sign(b) // underflow to zero: error has the product's sign
		}
		if r != 0 && math.Abs(r) < 0x1p-1022 {
			// denormal result: the FMA residual may itself underflow,
			// so redo the product scaled by 2^600 (smaller operand)
			if math.Abs(a) > math.Abs(b) {
				a, b = b, a
			}
			as := a * 0x1p600
			rs := as * b
			if d := rs - r*0x1p600; d != 0 {
				return r, sign(d)
			}
			return r, sign(math.FMA(as, b, -rs))
		}
		return r, sign(math.FMA(a, b, -r))
	case fDiv:
		r = a / b
		if math.IsInf(r, 0) || r == 0 && a != 0 {
			if r == 0 {
				return r, sign(a) * sign(b)
			}
			return r, 0
		}
		if math.Abs(r) < 0x1p-1022 || math.Abs(a) < 0x1p-900 {
			// denormal quotient or tiny dividend (the residual would
			// underflow): compare with the quotient scaled by 2^600
			as := a * 0x1p600
			qs := as / b
			if d := qs - r*0x1p600; d != 0 {
				return r, sign(d)
			}
			return r, sign(math.FMA(-qs, b, as)) * sign(b)
		}
		// a/b - r = (a - r b) / b
		return r, sign(math.FMA(-r, b, a)) * sign(b)
	default: // sqrt of b
		r = math.Sqrt(b)
		if r != r || r == 0 || math.IsInf(r, 0) {
			return r, 0
		}
		if b < 0x1p-900 {
			// tiny operand: the residual r*r - b would underflow
			bs := b * 0x1p600
			rs := math.Sqrt(bs)
			if d := rs - r*0x1p300; d != 0 {
				return r, sign(d)
			}
			return r, sign(-math.FMA(rs, rs, -bs))
		}
		return r, sign(-math.FMA(r, r, -b))
	}
}

// arith64 performs one float64 SSE arithmetic operation with MXCSR
// semantics (kind fAdd..fSqrt; for sqrt only b is used).
func (c *CPU) arith64(kind uint8, a, b float64) float64 {
	if kind == fSqrt {
		a = 1
	}
	// NaN operands: the first NaN (destination first), quieted
	if a != a || b != b {
		if isSNaN64(a) || isSNaN64(b) {
			c.MXCSR |= mxIE
		}
		if kind == fMin || kind == fMax {
			c.MXCSR |= mxIE
			return c.dazQuiet64(b) // min/max return the second operand
		}
		if a != a {
			return quiet64(a)
		}
		return quiet64(b)
	}
	oa, ob := a, b
	a, b = c.dazQuiet64(a), c.dazQuiet64(b)
	if kind == fSqrt {
		oa = 1
	}
	switch kind {
	case fMin, fMax:
		if (isDenorm64(oa) || isDenorm64(ob)) && c.MXCSR&mxDAZ == 0 {
			c.MXCSR |= mxDE
		}
		if kind == fMin && a < b || kind == fMax && a > b {
			return a
		}
		return b
	}
	// invalid operations
	switch {
	case (kind == fAdd || kind == fSub) && math.IsInf(a, 0) && math.IsInf(b, 0) &&
		(kind == fAdd) != (math.Signbit(a) == math.Signbit(b)),
		kind == fMul && (math.IsInf(a, 0) && b == 0 || a == 0 && math.IsInf(b, 0)),
		kind == fDiv && (a == 0 && b == 0 || math.IsInf(a, 0) && math.IsInf(b, 0)),
		kind == fSqrt && b < 0:
		c.MXCSR |= mxIE
		return math.Float64frombits(0xfff8000000000000) // default QNaN
	case kind == fDiv && b == 0:
		c.MXCSR |= mxZE
		return a / b
	}
	if (isDenorm64(oa) || isDenorm64(ob)) && c.MXCSR&mxDAZ == 0 {
		c.MXCSR |= mxDE
	}
	rc := (c.MXCSR >> 13) & 3
	r, es := exact64(kind, a, b)
	if math.IsInf(r, 0) && !math.IsInf(a, 0) && !(kind != fSqrt && math.IsInf(b, 0)) {
		c.MXCSR |= mxOE | mxPE
		if rc == 3 || rc == 1 && r > 0 || rc == 2 && r < 0 {
			return math.Copysign(math.MaxFloat64, r)
		}
		return r
	}
	if es != 0 {
		c.MXCSR |= mxPE
		r = roundDir(r, es, rc)
		if math.Abs(r) < 0x1p-1022 {
			c.MXCSR |= mxUE
			if c.MXCSR&mxFTZ != 0 {
				r = math.Copysign(0, r)
			}
		}
	} else if isDenorm64(r) && c.MXCSR&mxFTZ != 0 {
		// exact denormal result: FTZ flushes it, which is inexact
		c.MXCSR |= mxUE | mxPE
		r = math.Copysign(0, r)
	} else if r == 0 && (kind == fAdd || kind == fSub) && rc == 1 {
		// an exact zero sum is -0 when rounding down, unless both
		// addends are +0
		bb := b
		if kind == fSub {
			bb = -b
		}
		if !(a == 0 && bb == 0 && !math.Signbit(a) && !math.Signbit(bb)) {
			r = math.Copysign(0, -1)
		}
	}
	return r
}

// round32 rounds a float64 (computed from float32 inputs, with error sign
// es relative to the exact value) to float32 per rc, setting flags.
func (c *CPU) round32(d float64, es int) float32 {
	rc := (c.MXCSR >> 13) & 3
	if d != d {
		return float32(d)
	}
	f := float32(d)
	if math.IsInf(float64(f), 0) && !math.IsInf(d, 0) {
		c.MXCSR |= mxOE | mxPE
		if rc == 3 || rc == 1 && f > 0 || rc == 2 && f < 0 {
			return float32(math.Copysign(math.MaxFloat32, d))
		}
		return f
	}
	back := float64(f)
	e := es
	if back != d {
		e = sign(d - back)
	}
	if e != 0 {
		c.MXCSR |= mxPE
		switch rc {
		case 1:
			if e < 0 {
				f = math.Nextafter32(f, float32(math.Inf(-1)))
			}
		case 2:
			if e > 0 {
				f = math.Nextafter32(f, float32(math.Inf(1)))
			}
		case 3:
			if e < 0 && f > 0 || e > 0 && f < 0 {
				f = math.Nextafter32(f, 0)
			}
		}
		if f == 0 {
			f = float32(math.Copysign(0, float64(e)))
		}
		if math.Abs(float64(f)) < 0x1p-126 {
			c.MXCSR |= mxUE
			if c.MXCSR&mxFTZ != 0 {
				f = float32(math.Copysign(0, float64(f)))
			}
		}
	} else if f != 0 && math.Abs(float64(f)) < 0x1p-126 && c.MXCSR&mxFTZ != 0 {
		c.MXCSR |= mxUE | mxPE
		f = float32(math.Copysign(0, float64(f)))
	}
	return f
}

func (c *CPU) daz32(v float32) float32 {
	if v != 0 && math.Abs(float64(v)) < 0x1p-126 {
		if c.MXCSR&mxDAZ != 0 {
			return float32(math.Copysign(0, float64(v)))
		}
		c.MXCSR |= mxDE
	}
	return v
}

// arith32 is arith64 for float32 operands.
func (c *CPU) arith32(kind uint8, a, b float32) float32 {
	if kind == fSqrt {
		a = 1
	}
	if a != a || b != b {
		if isSNaN32(a) || isSNaN32(b) {
			c.MXCSR |= mxIE
		}
		if kind == fMin || kind == fMax {
			c.MXCSR |= mxIE
			return c.dazQuiet32(b)
		}
		if a != a {
			return math.Float32frombits(math.Float32bits(a) | f32QNaNBit)
		}
		return math.Float32frombits(math.Float32bits(b) | f32QNaNBit)
	}
	oa, ob := a, b
	if kind == fSqrt {
		oa = 1
	}
	a, b = c.dazQuiet32(a), c.dazQuiet32(b)
	switch kind {
	case fMin, fMax:
		if (isDenorm32(oa) || isDenorm32(ob)) && c.MXCSR&mxDAZ == 0 {
			c.MXCSR |= mxDE
		}
		if kind == fMin && a < b || kind == fMax && a > b {
			return a
		}
		return b
	}
	x, y := float64(a), float64(b)
	switch {
	case (kind == fAdd || kind == fSub) && math.IsInf(x, 0) && math.IsInf(y, 0) &&
		(kind == fAdd) != (math.Signbit(x) == math.Signbit(y)),
		kind == fMul && (math.IsInf(x, 0) && y == 0 || x == 0 && math.IsInf(y, 0)),
		kind == fDiv && (x == 0 && y == 0 || math.IsInf(x, 0) && math.IsInf(y, 0)),
		kind == fSqrt && y < 0:
		c.MXCSR |= mxIE
		return math.Float32frombits(0xffc00000)
	case kind == fDiv && y == 0:
		c.MXCSR |= mxZE
		return float32(x / y)
	}
	if (isDenorm32(oa) || isDenorm32(ob)) && c.MXCSR&mxDAZ == 0 {
		c.MXCSR |= mxDE
	}
	d, es := exact64(kind, x, y)
	if d == 0 && es == 0 && (kind == fAdd || kind == fSub) && (c.MXCSR>>13)&3 == 1 {
		yy := y
		if kind == fSub {
			yy = -y
		}
		if !(x == 0 && yy == 0 && !math.Signbit(x) && !math.Signbit(yy)) {
			return float32(math.Copysign(0, -1))
		}
	}
	return c.round32(d, es)
}

// cvtF64ToF32 is cvtsd2ss with MXCSR semantics.
func (c *CPU) cvtF64ToF32(v float64) float32 {
	if v != v {
		if isSNaN64(v) {
			c.MXCSR |= mxIE
		}
		return float32(quiet64(v))
	}
	v = c.daz64(v)
	return c.round32(v, 0)
}

// cvtF32ToF64 is cvtss2sd with MXCSR semantics (exact).
func (c *CPU) cvtF32ToF64(v float32) float64 {
	if v != v {
		if isSNaN32(v) {
			c.MXCSR |= mxIE
		}
		return float64(math.Float32frombits(math.Float32bits(v) | f32QNaNBit))
	}
	return float64(c.daz32(v))
}

// cvtIntToF64 converts a signed integer with MXCSR rounding (inexact only
// for 64-bit values beyond 2^53).
func (c *CPU) cvtIntToF64(i int64) float64 {
	r := float64(i)
	if math.Abs(r) >= 0x1p63 || int64(r) != i {
		var es int
		if math.Abs(r) >= 0x1p63 { // r = ±2^63
			if i != math.MinInt64 {
				es = -1 // i < 2^63 = r
			}
		} else if i > int64(r) {
			es = 1
		} else {
			es = -1
		}
		if es != 0 {
			c.MXCSR |= mxPE
			r = roundDir(r, es, (c.MXCSR>>13)&3)
		}
	}
	return r
}

// cvtIntToF32 converts a signed integer to float32 with MXCSR rounding.
func (c *CPU) cvtIntToF32(i int64) float32 {
	d := float64(i)
	es := 0
	if math.Abs(d) >= 0x1p63 {
		if i != math.MinInt64 {
			es = -1
		}
	} else if int64(d) != i {
		es = sign(float64(i - int64(d)))
	}
	return c.round32(d, es)
}
