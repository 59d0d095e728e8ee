package emu

import (
	"math"

	"golang.org/x/arch/x86/x86asm"
)

// SSE/SSE2: moves, logic, integer lanes, shuffles, packed compares,
// conversions and scalar/packed float arithmetic. Float arithmetic and
// conversions follow MXCSR (rounding control, DAZ, FTZ) and set its
// exception flags (ssefp.go); exceptions always take the masked response.
// MMX-register forms are in mmx.go.

const (
	oMovAligned   = oSSEFirst + iota // movdqa/movaps/movapd
	oMovUnaligned                    // movdqu/movups/movupd
	oMovd                            // movd/movq between xmm, gpr and memory (size = 4 or 8)
	oMovqXmm                         // movq xmm, xmm/m64 (zero upper)
	oMovScalar                       // movss/movsd (size 4/8)
	oMovHigh                         // movhps/movhpd
	oMovLow                          // movlps/movlpd
	oMovhlps
	oMovlhps
	oPLogic // lane op in in.cond (logic kinds)
	oPLane  // packed integer lane op: kind in cond, lane bytes in imm
	oPunpckl
	oPunpckh
	oPshufd
	oPshuflw
	oPshufhw
	oShufps
	oShufpd
	oPmovmskb
	oMovmskpd
	oMovmskps
	oPShiftImm // psll/psrl/psra by immediate: kind in cond, lane in imm>>8, count imm&255
	oPShiftReg // by xmm/m128
	oPslldq
	oPsrldq
	oCvtsi2sd
	oCvtsi2ss
	oCvttsd2si
	oCvtsd2si
	oCvttss2si
	oCvtss2si
	oCvtsd2ss
	oCvtss2sd
	oScalarD // addsd etc: kind in cond
	oScalarS
	oPackedD // addpd etc
	oPackedS
	oUcomisd
	oUcomiss
	oUnpcklpd
	oUnpckhpd
	oCvtdq2pd
	oCvttpd2dq
	oCvtdq2ps
	oCvttps2dq
	oPmaddwd
	oPack // cond: 0 packuswb, 1 packsswb, 2 packssdw
	oPextrw
	oPinsrw
	oCvtps2pd
	oCvtpd2ps
	oCvtps2dq
	oCvtpd2dq
	oCmpScalarD // imm: predicate
	oCmpScalarS
	oCmpPackedD
	oCmpPackedS
	oPsadbw
	oMaskmovdqu // stores the bytes of a selected by b's sign bits at [RDI]
	oRcp        // rcp/rsqrt (cond 1) ps/ss: imm lanes
)

// fcmp evaluates SSE compare predicate p (0..7) on a, b.
func fcmp(p uint64, a, b float64) bool {
	un := a != a || b != b
	switch p & 7 {
	case 0:
		return a == b
	case 1:
		return a < b
	case 2:
		return a <= b
	case 3:
		return un
	case 4:
		return !(a == b)
	case 5:
		return !(a < b)
	case 6:
		return !(a <= b)
	default:
		return !un
	}
}

func sat16(v int64) int64 { return max(-32768, min(32767, v)) }

// satN saturates v to a signed n-byte lane (n = 1 or 2).
func satN(v int64, n int) int64 {
	if n == 1 {
		return max(-128, min(127, v))
	}
	return sat16(v)
}

// logic kinds
const (
	lgXor = iota
	lgOr
	lgAnd
	lgAndn
)

// lane op kinds
const (
	lnAdd = iota
	lnSub
	lnCmpeq
	lnCmpgt
	lnMinu
	lnMaxu
	lnMins
	lnMaxs
	lnAddusb
	lnSubusb
	lnAvg
	lnMullo
	lnMuludq
	lnMulhw
	lnMulhuw
	lnAddsw
	lnSubsw
	lnAddusw
	lnSubusw
)

// float kinds
const (
	fAdd = iota
	fSub
	fMul
	fDiv
	fMin
	fMax
	fSqrt
)

// shift kinds
const (
	shLL = iota
	shRL
	shRA
)

func translateSSE(x *x86asm.Inst, out *inst) bool {
	if out.a.kind == kMM || out.b.kind == kMM || out.c.kind == kMM || mmxOnly(x.Op) {
		return translateMMX(x, out)
	}
	return translateSSEOp(x, out) && validateSSE(out)
}

// validateSSE checks operand kinds so the executor can trust them.
func validateSSE(in *inst) bool {
	xm := func(o *operand) bool { return o.kind == kXMM || o.kind == kMem }
	switch in.op {
	case oMovAligned, oMovUnaligned:
		return xm(&in.a) && xm(&in.b) && (in.a.kind == kXMM || in.b.kind == kXMM)
	case oMovd:
		ok := in.a.kind == kXMM && (in.b.kind == kReg || in.b.kind == kMem) ||
			in.b.kind == kXMM && (in.a.kind == kReg || in.a.kind == kMem)
		return ok
	case oMovScalar, oMovHigh, oMovLow:
		return in.a.kind == kXMM && xm(&in.b) || in.a.kind == kMem && in.b.kind == kXMM
	case oMovhlps, oMovlhps:
		return in.a.kind == kXMM && in.b.kind == kXMM
	case oMaskmovdqu:
		return in.a.kind == kXMM && in.b.kind == kXMM
	case oPmovmskb, oMovmskpd, oMovmskps, oPextrw:
		return in.a.kind == kReg && in.b.kind == kXMM
	case oPinsrw:
		return in.a.kind == kXMM && (in.b.kind == kReg || in.b.kind == kMem)
	case oCvtps2pd:
		return in.a.kind == kXMM && xm(&in.b)
	case oCvttsd2si, oCvtsd2si, oCvttss2si, oCvtss2si:
		return in.a.kind == kReg && (in.size == 4 || in.size == 8) && xm(&in.b)
	case oCvtsi2sd, oCvtsi2ss:
		return in.a.kind == kXMM && (in.b.kind == kReg || in.b.kind == kMem) && (in.size2 == 4 || in.size2 == 8)
	case oPShiftImm, oPslldq, oPsrldq:
		return in.a.kind == kXMM && in.b.kind == kImm
	case oPLane, oPunpckl, oPunpckh:
		return in.a.kind == kXMM && xm(&in.b) && in.imm != 0
	}
	return in.a.kind == kXMM && xm(&in.b)
}

func translateSSEOp(x *x86asm.Inst, out *inst) bool {
	set := func(op uint16, cond uint8, imm uint64) bool {
		out.op, out.cond, out.imm = op, cond, imm
		return true
	}
	// third operand immediate (pshufd etc.)
	imm3 := uint64(0)
	if out.c.kind == kImm {
		imm3 = uint64(out.c.disp) & 0xff
	}
	switch x.Op {
	case x86asm.MOVDQA, x86asm.MOVAPS, x86asm.MOVAPD, x86asm.MOVNTDQ, x86asm.MOVNTPS, x86asm.MOVNTPD:
		return set(oMovAligned, 0, 0)
	case x86asm.MOVDQU, x86asm.MOVUPS, x86asm.MOVUPD:
		return set(oMovUnaligned, 0, 0)
	case x86asm.MOVD:
		out.size = 4
		return set(oMovd, 0, 0)
	case x86asm.MOVQ:
		if out.a.kind == kXMM && (out.b.kind == kXMM || out.b.kind == kMem) {
			return set(oMovqXmm, 0, 0)
		}
		out.size = 8
		return set(oMovd, 0, 0)
	case x86asm.MOVSS:
		out.size = 4
		return set(oMovScalar, 0, 0)
	case x86asm.MOVSD_XMM:
		out.size = 8
		return set(oMovScalar, 0, 0)
	case x86asm.MOVHPS, x86asm.MOVHPD:
		return set(oMovHigh, 0, 0)
	case x86asm.MOVLPS, x86asm.MOVLPD:
		return set(oMovLow, 0, 0)
	case x86asm.MOVHLPS:
		return set(oMovhlps, 0, 0)
	case x86asm.MOVLHPS:
		return set(oMovlhps, 0, 0)
	case x86asm.PXOR, x86asm.XORPS, x86asm.XORPD:
		return set(oPLogic, lgXor, 0)
	case x86asm.POR, x86asm.ORPS, x86asm.ORPD:
		return set(oPLogic, lgOr, 0)
	case x86asm.PAND, x86asm.ANDPS, x86asm.ANDPD:
		return set(oPLogic, lgAnd, 0)
	case x86asm.PANDN, x86asm.ANDNPS, x86asm.ANDNPD:
		return set(oPLogic, lgAndn, 0)
	case x86asm.PADDB:
		return set(oPLane, lnAdd, 1)
	case x86asm.PADDW:
		return set(oPLane, lnAdd, 2)
	case x86asm.PADDD:
		return set(oPLane, lnAdd, 4)
	case x86asm.PADDQ:
		return set(oPLane, lnAdd, 8)
	case x86asm.PSUBB:
		return set(oPLane, lnSub, 1)
	case x86asm.PSUBW:
		return set(oPLane, lnSub, 2)
	case x86asm.PSUBD:
		return set(oPLane, lnSub, 4)
	case x86asm.PSUBQ:
		return set(oPLane, lnSub, 8)
	case x86asm.PCMPEQB:
		return set(oPLane, lnCmpeq, 1)
	case x86asm.PCMPEQW:
		return set(oPLane, lnCmpeq, 2)
	case x86asm.PCMPEQD:
		return set(oPLane, lnCmpeq, 4)
	case x86asm.PCMPGTB:
		return set(oPLane, lnCmpgt, 1)
	case x86asm.PCMPGTW:
		return set(oPLane, lnCmpgt, 2)
	case x86asm.PCMPGTD:
		return set(oPLane, lnCmpgt, 4)
	case x86asm.PMINUB:
		return set(oPLane, lnMinu, 1)
	case x86asm.PMAXUB:
		return set(oPLane, lnMaxu, 1)
	case x86asm.PMINSW:
		return set(oPLane, lnMins, 2)
	case x86asm.PMAXSW:
		return set(oPLane, lnMaxs, 2)
	case x86asm.PADDUSB:
		return set(oPLane, lnAddusb, 1)
	case x86asm.PSUBUSB:
		return set(oPLane, lnSubusb, 1)
	case x86asm.PAVGB:
		return set(oPLane, lnAvg, 1)
	case x86asm.PMULLW:
		return set(oPLane, lnMullo, 2)
	case x86asm.PMULUDQ:
		return set(oPLane, lnMuludq, 8)
	case x86asm.PMULHW:
		return set(oPLane, lnMulhw, 2)
	case x86asm.PMULHUW:
		return set(oPLane, lnMulhuw, 2)
	case x86asm.PADDSW:
		return set(oPLane, lnAddsw, 2)
	case x86asm.PADDSB:
		return set(oPLane, lnAddsw, 1)
	case x86asm.PSUBSB:
		return set(oPLane, lnSubsw, 1)
	case x86asm.PAVGW:
		return set(oPLane, lnAvg, 2)
	case x86asm.PSADBW:
		return set(oPsadbw, 0, 0)
	case x86asm.MASKMOVDQU:
		return set(oMaskmovdqu, 0, 0)
	case x86asm.RCPPS:
		return set(oRcp, 0, 4)
	case x86asm.RCPSS:
		return set(oRcp, 0, 1)
	case x86asm.RSQRTPS:
		return set(oRcp, 1, 4)
	case x86asm.RSQRTSS:
		return set(oRcp, 1, 1)
	case x86asm.PSUBSW:
		return set(oPLane, lnSubsw, 2)
	case x86asm.PADDUSW:
		return set(oPLane, lnAddusw, 2)
	case x86asm.PSUBUSW:
		return set(oPLane, lnSubusw, 2)
	case x86asm.PMADDWD:
		return set(oPmaddwd, 0, 0)
	case x86asm.PACKUSWB:
		return set(oPack, 0, 0)
	case x86asm.PACKSSWB:
		return set(oPack, 1, 0)
	case x86asm.PACKSSDW:
		return set(oPack, 2, 0)
	case x86asm.PUNPCKLBW:
		return set(oPunpckl, 0, 1)
	case x86asm.PUNPCKLWD:
		return set(oPunpckl, 0, 2)
	case x86asm.PUNPCKLDQ, x86asm.UNPCKLPS:
		return set(oPunpckl, 0, 4)
	case x86asm.PUNPCKLQDQ, x86asm.UNPCKLPD:
		return set(oPunpckl, 0, 8)
	case x86asm.PUNPCKHBW:
		return set(oPunpckh, 0, 1)
	case x86asm.PUNPCKHWD:
		return set(oPunpckh, 0, 2)
	case x86asm.PUNPCKHDQ, x86asm.UNPCKHPS:
		return set(oPunpckh, 0, 4)
	case x86asm.PUNPCKHQDQ, x86asm.UNPCKHPD:
		return set(oPunpckh, 0, 8)
	case x86asm.PSHUFD:
		return set(oPshufd, 0, imm3)
	case x86asm.PSHUFLW:
		return set(oPshuflw, 0, imm3)
	case x86asm.PSHUFHW:
		return set(oPshufhw, 0, imm3)
	case x86asm.SHUFPS:
		return set(oShufps, 0, imm3)
	case x86asm.SHUFPD:
		return set(oShufpd, 0, imm3)
	case x86asm.PMOVMSKB:
		return set(oPmovmskb, 0, 0)
	case x86asm.MOVMSKPD:
		return set(oMovmskpd, 0, 0)
	case x86asm.MOVMSKPS:
		return set(oMovmskps, 0, 0)
	case x86asm.PSLLW, x86asm.PSLLD, x86asm.PSLLQ, x86asm.PSRLW, x86asm.PSRLD,
		x86asm.PSRLQ, x86asm.PSRAW, x86asm.PSRAD:
		var kind uint8
		var lane uint64
		switch x.Op {
		case x86asm.PSLLW:
			kind, lane = shLL, 2
		case x86asm.PSLLD:
			kind, lane = shLL, 4
		case x86asm.PSLLQ:
			kind, lane = shLL, 8
		case x86asm.PSRLW:
			kind, lane = shRL, 2
		case x86asm.PSRLD:
			kind, lane = shRL, 4
		case x86asm.PSRLQ:
			kind, lane = shRL, 8
		case x86asm.PSRAW:
			kind, lane = shRA, 2
		default:
			kind, lane = shRA, 4
		}
		if out.b.kind == kImm {
			return set(oPShiftImm, kind, lane<<8|uint64(out.b.disp)&0xff)
		}
		return set(oPShiftReg, kind, lane<<8)
	case x86asm.PSLLDQ:
		return set(oPslldq, 0, uint64(out.b.disp)&0xff)
	case x86asm.PSRLDQ:
		return set(oPsrldq, 0, uint64(out.b.disp)&0xff)
	case x86asm.CVTSI2SD:
		out.size2 = srcIntSize(x, out)
		return set(oCvtsi2sd, 0, 0)
	case x86asm.CVTSI2SS:
		out.size2 = srcIntSize(x, out)
		return set(oCvtsi2ss, 0, 0)
	case x86asm.CVTTSD2SI:
		return set(oCvttsd2si, 0, 0)
	case x86asm.CVTSD2SI:
		return set(oCvtsd2si, 0, 0)
	case x86asm.CVTTSS2SI:
		return set(oCvttss2si, 0, 0)
	case x86asm.CVTSS2SI:
		return set(oCvtss2si, 0, 0)
	case x86asm.CVTSD2SS:
		return set(oCvtsd2ss, 0, 0)
	case x86asm.CVTSS2SD:
		return set(oCvtss2sd, 0, 0)
	case x86asm.CVTDQ2PD:
		return set(oCvtdq2pd, 0, 0)
	case x86asm.CVTTPD2DQ:
		return set(oCvttpd2dq, 0, 0)
	case x86asm.CVTDQ2PS:
		return set(oCvtdq2ps, 0, 0)
	case x86asm.CVTTPS2DQ:
		return set(oCvttps2dq, 0, 0)
	case x86asm.ADDSD:
		return set(oScalarD, fAdd, 0)
	case x86asm.SUBSD:
		return set(oScalarD, fSub, 0)
	case x86asm.MULSD:
		return set(oScalarD, fMul, 0)
	case x86asm.DIVSD:
		return set(oScalarD, fDiv, 0)
	case x86asm.MINSD:
		return set(oScalarD, fMin, 0)
	case x86asm.MAXSD:
		return set(oScalarD, fMax, 0)
	case x86asm.SQRTSD:
		return set(oScalarD, fSqrt, 0)
	case x86asm.ADDSS:
		return set(oScalarS, fAdd, 0)
	case x86asm.SUBSS:
		return set(oScalarS, fSub, 0)
	case x86asm.MULSS:
		return set(oScalarS, fMul, 0)
	case x86asm.DIVSS:
		return set(oScalarS, fDiv, 0)
	case x86asm.MINSS:
		return set(oScalarS, fMin, 0)
	case x86asm.MAXSS:
		return set(oScalarS, fMax, 0)
	case x86asm.SQRTSS:
		return set(oScalarS, fSqrt, 0)
	case x86asm.ADDPD:
		return set(oPackedD, fAdd, 0)
	case x86asm.SUBPD:
		return set(oPackedD, fSub, 0)
	case x86asm.MULPD:
		return set(oPackedD, fMul, 0)
	case x86asm.DIVPD:
		return set(oPackedD, fDiv, 0)
	case x86asm.ADDPS:
		return set(oPackedS, fAdd, 0)
	case x86asm.SUBPS:
		return set(oPackedS, fSub, 0)
	case x86asm.MULPS:
		return set(oPackedS, fMul, 0)
	case x86asm.DIVPS:
		return set(oPackedS, fDiv, 0)
	case x86asm.PEXTRW:
		return out.b.kind == kXMM && set(oPextrw, 0, imm3)
	case x86asm.PINSRW:
		out.size2 = 2
		return (out.b.kind == kReg || out.b.kind == kMem) && set(oPinsrw, 0, imm3)
	case x86asm.CVTPS2PD:
		return set(oCvtps2pd, 0, 0)
	case x86asm.CVTPD2PS:
		return set(oCvtpd2ps, 0, 0)
	case x86asm.CVTPS2DQ:
		return set(oCvtps2dq, 0, 0)
	case x86asm.CVTPD2DQ:
		return set(oCvtpd2dq, 0, 0)
	case x86asm.CMPSD_XMM:
		return out.c.kind == kImm && set(oCmpScalarD, 0, imm3)
	case x86asm.CMPSS:
		return out.c.kind == kImm && set(oCmpScalarS, 0, imm3)
	case x86asm.CMPPD:
		return out.c.kind == kImm && set(oCmpPackedD, 0, imm3)
	case x86asm.CMPPS:
		return out.c.kind == kImm && set(oCmpPackedS, 0, imm3)
	case x86asm.MINPD:
		return set(oPackedD, fMin, 0)
	case x86asm.MAXPD:
		return set(oPackedD, fMax, 0)
	case x86asm.SQRTPD:
		return set(oPackedD, fSqrt, 0)
	case x86asm.MINPS:
		return set(oPackedS, fMin, 0)
	case x86asm.MAXPS:
		return set(oPackedS, fMax, 0)
	case x86asm.SQRTPS:
		return set(oPackedS, fSqrt, 0)
	case x86asm.UCOMISD:
		return set(oUcomisd, 0, 0)
	case x86asm.COMISD:
		return set(oUcomisd, 1, 0)
	case x86asm.UCOMISS:
		return set(oUcomiss, 0, 0)
	case x86asm.COMISS:
		return set(oUcomiss, 1, 0)
	}
	return false
}

// srcIntSize is the integer source size of cvtsi2sd/ss.
func srcIntSize(x *x86asm.Inst, out *inst) uint8 {
	if out.b.kind == kMem {
		return uint8(x.MemBytes)
	}
	if x.DataSize == 64 {
		return 8
	}
	return 4
}

// readX reads a 16-byte xmm/m128 operand. aligned requires 16-byte
// alignment of memory operands (legacy SSE semantics).
func (c *CPU) readX(o *operand, aligned bool) (lo, hi uint64, ok bool) {
	switch o.kind {
	case kXMM:
		return c.XMM[o.reg][0], c.XMM[o.reg][1], true
	case kMem:
		addr := c.ea(o)
		if aligned && addr%16 != 0 {
			c.gpFault()
			return 0, 0, false
		}
		if addr%PageSize <= PageSize-16 {
			if p := c.pageOf(addr / PageSize); p != nil && p.fast&PermRead != 0 {
				off := addr % PageSize
				if p.data == nil {
					return 0, 0, true
				}
				return le64(p.data[off:]), le64(p.data[off+8:]), true
			}
		}
		var b [16]byte
		if !c.loadBytes(addr, b[:]) {
			return 0, 0, false
		}
		return le64(b[:8]), le64(b[8:]), true
	}
	return 0, 0, false
}

// readLow reads the low size bytes (4 or 8) of an xmm or memory operand.
func (c *CPU) readLow(o *operand, size uint8) (uint64, bool) {
	switch o.kind {
	case kXMM:
		return c.XMM[o.reg][0] & sizeMask[size], true
	case kMem:
		return c.load(c.ea(o), size)
	case kReg:
		return c.R[o.reg] & sizeMask[size], true
	}
	return 0, false
}

// writeX writes a 16-byte operand.
func (c *CPU) writeX(o *operand, lo, hi uint64, aligned bool) bool {
	switch o.kind {
	case kXMM:
		c.XMM[o.reg] = [2]uint64{lo, hi}
		return true
	case kMem:
		addr := c.ea(o)
		if aligned && addr%16 != 0 {
			c.gpFault()
			return false
		}
		var b [16]byte
		putLE64(b[:8], lo)
		putLE64(b[8:], hi)
		return c.storeBytes(addr, b[:])
	}
	return false
}

func toBytes(lo, hi uint64) (b [16]byte) {
	putLE64(b[:8], lo)
	putLE64(b[8:], hi)
	return
}

func fromBytes(b *[16]byte) (uint64, uint64) { return le64(b[:8]), le64(b[8:]) }

func lane(b *[16]byte, i, n int) uint64 {
	var v uint64
	for k := n - 1; k >= 0; k-- {
		v = v<<8 | uint64(b[i*n+k])
	}
	return v
}

func setLane(b *[16]byte, i, n int, v uint64) {
	for k := 0; k < n; k++ {
		b[i*n+k] = byte(v >> (8 * k))
	}
}

// cvtToInt converts f to a size-byte signed integer with the given
// rounding (true = truncate, else MXCSR rounding), returning the x86
// "integer indefinite" value when out of range.
func (c *CPU) cvtToInt(f float64, size uint8, trunc bool) uint64 {
	if f != f {
		c.MXCSR |= mxIE
		return signBit[size]
	}
	if isDenorm64(f) && c.MXCSR&mxDAZ != 0 {
		return 0 // DAZ: exactly zero, no flags
	}
	in := f
	defer func() {
		if f != in && c.MXCSR&mxIE == 0 {
			c.MXCSR |= mxPE
		}
	}()
	if !trunc {
		switch (c.MXCSR >> 13) & 3 {
		case 0:
			f = math.RoundToEven(f)
		case 1:
			f = math.Floor(f)
		case 2:
			f = math.Ceil(f)
		default:
			f = math.Trunc(f)
		}
	} else {
		f = math.Trunc(f)
	}
	if size == 8 {
		if math.IsNaN(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
			c.MXCSR |= mxIE
			return 1 << 63
		}
		return uint64(int64(f))
	}
	if math.IsNaN(f) || f >= 2147483648.0 || f < -2147483648.0 {
		c.MXCSR |= mxIE
		return 0x80000000
	}
	return uint64(uint32(int32(f)))
}

func floatOp(kind uint8, a, b float64) float64 {
	switch kind {
	case fAdd:
		return a + b
	case fSub:
		return a - b
	case fMul:
		return a * b
	case fDiv:
		return a / b
	case fMin:
		// x86: if either is NaN or both zero, the second operand
		if a < b {
			return a
		}
		return b
	case fMax:
		if a > b {
			return a
		}
		return b
	default:
		return math.Sqrt(b)
	}
}

// ucomi sets ZF PF CF from an unordered compare (OF SF AF cleared).
func (c *CPU) ucomi(a, b float64) {
	var f uint64
	switch {
	case a != a || b != b:
		f = FlagZF | FlagPF | FlagCF
	case a < b:
		f = FlagCF
	case a == b:
		f = FlagZF
	}
	c.setEager(f)
}

func (c *CPU) execSSE(in *inst) int {
	if in.rep == repMMX {
		return c.execMMX(in)
	}
	switch in.op {
	case oMovAligned, oMovUnaligned:
		lo, hi, ok := c.readX(&in.b, in.op == oMovAligned)
		if !ok || !c.writeX(&in.a, lo, hi, in.op == oMovAligned) {
			return stFault
		}
		return stNext

	case oMovd:
		sz := in.size
		if in.a.kind == kXMM {
			v, ok := c.readLow(&in.b, sz)
			if !ok {
				return stFault
			}
			c.XMM[in.a.reg] = [2]uint64{v, 0}
			return stNext
		}
		v := c.XMM[in.b.reg][0] & sizeMask[sz]
		if in.a.kind == kMem {
			if !c.store(c.ea(&in.a), sz, v) {
				return stFault
			}
			return stNext
		}
		c.setReg(&in.a, sz, v)
		return stNext

	case oMovqXmm:
		v, ok := c.readLow(&in.b, 8)
		if !ok {
			return stFault
		}
		c.XMM[in.a.reg] = [2]uint64{v, 0}
		return stNext

	case oMovScalar:
		sz := in.size
		if in.a.kind == kMem {
			if !c.store(c.ea(&in.a), sz, c.XMM[in.b.reg][0]&sizeMask[sz]) {
				return stFault
			}
			return stNext
		}
		if in.b.kind == kMem {
			v, ok := c.load(c.ea(&in.b), sz)
			if !ok {
				return stFault
			}
			c.XMM[in.a.reg] = [2]uint64{v, 0}
			return stNext
		}
		m := sizeMask[sz]
		d := &c.XMM[in.a.reg]
		d[0] = d[0]&^m | c.XMM[in.b.reg][0]&m
		return stNext

	case oMovHigh, oMovLow:
		q := 0
		if in.op == oMovHigh {
			q = 1
		}
		if in.a.kind == kMem {
			if !c.store(c.ea(&in.a), 8, c.XMM[in.b.reg][q]) {
				return stFault
			}
			return stNext
		}
		v, ok := c.readLow(&in.b, 8)
		if !ok {
			return stFault
		}
		c.XMM[in.a.reg][q] = v
		return stNext

	case oMovhlps:
		c.XMM[in.a.reg][0] = c.XMM[in.b.reg][1]
		return stNext

	case oMovlhps:
		c.XMM[in.a.reg][1] = c.XMM[in.b.reg][0]
		return stNext

	case oPLogic:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		d := &c.XMM[in.a.reg]
		switch in.cond {
		case lgXor:
			d[0] ^= lo
			d[1] ^= hi
		case lgOr:
			d[0] |= lo
			d[1] |= hi
		case lgAnd:
			d[0] &= lo
			d[1] &= hi
		default:
			d[0] = ^d[0] & lo
			d[1] = ^d[1] & hi
		}
		return stNext

	case oPLane:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		if in.imm == 1 {
			// byte lanes of the string functions, on whole quadwords
			d := &c.XMM[in.a.reg]
			switch in.cond {
			case lnCmpeq:
				d[0], d[1] = bytesEq(d[0], lo), bytesEq(d[1], hi)
				return stNext
			case lnMinu:
				d[0], d[1] = bytesMinu(d[0], lo), bytesMinu(d[1], hi)
				return stNext
			case lnAdd:
				d[0], d[1] = bytesAdd(d[0], lo), bytesAdd(d[1], hi)
				return stNext
			case lnSub:
				d[0], d[1] = bytesSub(d[0], lo), bytesSub(d[1], hi)
				return stNext
			}
		}
		s := toBytes(lo, hi)
		d := toBytes(c.XMM[in.a.reg][0], c.XMM[in.a.reg][1])
		n := int(in.imm)
		m := sizeMask[n]
		for i := 0; i < 16/n; i++ {
			x, y := lane(&d, i, n), lane(&s, i, n)
			var r uint64
			switch in.cond {
			case lnAdd:
				r = x + y
			case lnSub:
				r = x - y
			case lnCmpeq:
				if x == y {
					r = m
				}
			case lnCmpgt:
				if sx(x, uint8(n)) > sx(y, uint8(n)) {
					r = m
				}
			case lnMinu:
				r = min(x, y)
			case lnMaxu:
				r = max(x, y)
			case lnMins:
				r = uint64(min(sx(x, uint8(n)), sx(y, uint8(n))))
			case lnMaxs:
				r = uint64(max(sx(x, uint8(n)), sx(y, uint8(n))))
			case lnAddusb:
				r = min(x+y, m)
			case lnSubusb:
				if x > y {
					r = x - y
				}
			case lnAvg:
				r = (x + y + 1) >> 1
			case lnMullo:
				r = x * y
			case lnMuludq:
				r = (x & 0xffffffff) * (y & 0xffffffff)
			case lnMulhw:
				r = uint64(sx(x, 2)*sx(y, 2)) >> 16
			case lnMulhuw:
				r = x * y >> 16
			case lnAddsw:
				r = uint64(satN(sx(x, uint8(n))+sx(y, uint8(n)), n))
			case lnSubsw:
				r = uint64(satN(sx(x, uint8(n))-sx(y, uint8(n)), n))
			case lnAddusw:
				r = min(x+y, m)
			case lnSubusw:
				if x > y {
					r = x - y
				}
			}
			setLane(&d, i, n, r&m)
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&d)
		return stNext

	case oPsadbw:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		d := &c.XMM[in.a.reg]
		sad := func(x, y uint64) uint64 {
			var t uint64
			for i := 0; i < 8; i++ {
				a, b := (x>>(8*i))&0xff, (y>>(8*i))&0xff
				if a > b {
					t += a - b
				} else {
					t += b - a
				}
			}
			return t
		}
		d[0], d[1] = sad(d[0], lo), sad(d[1], hi)
		return stNext

	case oMaskmovdqu:
		// a byte-masked non-temporal store; all checks before any write
		src := toBytes(c.XMM[in.a.reg][0], c.XMM[in.a.reg][1])
		mask := toBytes(c.XMM[in.b.reg][0], c.XMM[in.b.reg][1])
		addr := c.R[RDI]
		for i := 0; i < 16; i++ {
			if mask[i]&0x80 != 0 && !c.canWrite(addr+uint64(i), 1) {
				return stFault
			}
		}
		for i := 0; i < 16; i++ {
			if mask[i]&0x80 != 0 {
				c.store(addr+uint64(i), 1, uint64(src[i]))
			}
		}
		return stNext

	case oRcp:
		// The hardware's approximations (relative error <= 1.5*2^-12)
		// are implementation specific; this returns the correctly
		// rounded 1/x or 1/sqrt(x), which is within that bound.
		lo, hi, ok := c.readX(&in.b, in.imm == 4)
		if !ok {
			return stFault
		}
		s := toBytes(lo, hi)
		d := toBytes(c.XMM[in.a.reg][0], c.XMM[in.a.reg][1])
		for i := 0; i < int(in.imm); i++ {
			x := float64(math.Float32frombits(uint32(lane(&s, i, 4))))
			var r float64
			if in.cond == 1 {
				r = 1 / math.Sqrt(x)
			} else {
				r = 1 / x
			}
			setLane(&d, i, 4, uint64(math.Float32bits(float32(r))))
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&d)
		return stNext

	case oPmaddwd:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		s := toBytes(lo, hi)
		d := toBytes(c.XMM[in.a.reg][0], c.XMM[in.a.reg][1])
		var r [16]byte
		for i := 0; i < 4; i++ {
			v := sx(lane(&d, 2*i, 2), 2)*sx(lane(&s, 2*i, 2), 2) + sx(lane(&d, 2*i+1, 2), 2)*sx(lane(&s, 2*i+1, 2), 2)
			setLane(&r, i, 4, uint64(v)&0xffffffff)
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&r)
		return stNext

	case oPack:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		s := toBytes(lo, hi)
		d := toBytes(c.XMM[in.a.reg][0], c.XMM[in.a.reg][1])
		var r [16]byte
		if in.cond == 2 {
			for i := 0; i < 8; i++ {
				src := &d
				if i >= 4 {
					src = &s
				}
				setLane(&r, i, 2, uint64(sat16(sx(lane(src, i%4, 4), 4))))
			}
		} else {
			for i := 0; i < 16; i++ {
				src := &d
				if i >= 8 {
					src = &s
				}
				v := sx(lane(src, i%8, 2), 2)
				if in.cond == 0 {
					v = max(0, min(255, v))
				} else {
					v = max(-128, min(127, v))
				}
				r[i] = byte(v)
			}
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&r)
		return stNext

	case oPunpckl, oPunpckh:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		s := toBytes(lo, hi)
		d := toBytes(c.XMM[in.a.reg][0], c.XMM[in.a.reg][1])
		n := int(in.imm)
		var r [16]byte
		base := 0
		if in.op == oPunpckh {
			base = 8 / n
		}
		for i := 0; i < 8/n; i++ {
			setLane(&r, 2*i, n, lane(&d, base+i, n))
			setLane(&r, 2*i+1, n, lane(&s, base+i, n))
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&r)
		return stNext

	case oPshufd, oShufps:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		s := toBytes(lo, hi)
		d := toBytes(c.XMM[in.a.reg][0], c.XMM[in.a.reg][1])
		var r [16]byte
		for i := 0; i < 4; i++ {
			sel := int(in.imm>>(2*i)) & 3
			src := &s
			if in.op == oShufps && i < 2 {
				src = &d
			}
			setLane(&r, i, 4, lane(src, sel, 4))
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&r)
		return stNext

	case oShufpd:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		d := c.XMM[in.a.reg]
		s := [2]uint64{lo, hi}
		c.XMM[in.a.reg] = [2]uint64{d[in.imm&1], s[(in.imm>>1)&1]}
		return stNext

	case oPshuflw, oPshufhw:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		s := toBytes(lo, hi)
		r := s
		base := 0
		if in.op == oPshufhw {
			base = 4
		}
		for i := 0; i < 4; i++ {
			sel := int(in.imm>>(2*i)) & 3
			setLane(&r, base+i, 2, lane(&s, base+sel, 2))
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&r)
		return stNext

	case oPmovmskb:
		x := c.XMM[in.b.reg]
		c.setReg(&in.a, 8, byteSigns(x[0])|byteSigns(x[1])<<8)
		return stNext

	case oMovmskpd:
		x := c.XMM[in.b.reg]
		c.setReg(&in.a, 8, x[0]>>63|(x[1]>>63)<<1)
		return stNext

	case oMovmskps:
		x := c.XMM[in.b.reg]
		m := x[0]>>31&1 | (x[0]>>63)<<1 | (x[1]>>31&1)<<2 | (x[1]>>63)<<3
		c.setReg(&in.a, 8, m)
		return stNext

	case oPShiftImm, oPShiftReg:
		var cnt uint64
		if in.op == oPShiftImm {
			cnt = in.imm & 0xff
		} else {
			lo, _, ok := c.readX(&in.b, true)
			if !ok {
				return stFault
			}
			cnt = lo
		}
		n := int(in.imm >> 8)
		nb := uint64(8 * n)
		d := toBytes(c.XMM[in.a.reg][0], c.XMM[in.a.reg][1])
		m := sizeMask[n]
		for i := 0; i < 16/n; i++ {
			x := lane(&d, i, n)
			var r uint64
			switch in.cond {
			case shLL:
				if cnt < nb {
					r = x << cnt
				}
			case shRL:
				if cnt < nb {
					r = x >> cnt
				}
			default:
				k := cnt
				if k > nb-1 {
					k = nb - 1
				}
				r = uint64(sx(x, uint8(n)) >> k)
			}
			setLane(&d, i, n, r&m)
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&d)
		return stNext

	case oPslldq, oPsrldq:
		n := in.imm
		if n > 16 {
			n = 16
		}
		d := toBytes(c.XMM[in.a.reg][0], c.XMM[in.a.reg][1])
		var r [16]byte
		if in.op == oPslldq {
			copy(r[n:], d[:16-n])
		} else {
			copy(r[:16-n], d[n:])
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&r)
		return stNext

	case oCvtsi2sd, oCvtsi2ss:
		v, ok := c.read(&in.b, in.size2)
		if !ok {
			return stFault
		}
		iv := sx(v, in.size2)
		if in.op == oCvtsi2sd {
			c.XMM[in.a.reg][0] = math.Float64bits(c.cvtIntToF64(iv))
		} else {
			c.XMM[in.a.reg][0] = c.XMM[in.a.reg][0]&^0xffffffff | uint64(math.Float32bits(c.cvtIntToF32(iv)))
		}
		return stNext

	case oCvttsd2si, oCvtsd2si, oCvttss2si, oCvtss2si:
		var f float64
		if in.op == oCvttsd2si || in.op == oCvtsd2si {
			v, ok := c.readLow(&in.b, 8)
			if !ok {
				return stFault
			}
			f = math.Float64frombits(v)
		} else {
			v, ok := c.readLow(&in.b, 4)
			if !ok {
				return stFault
			}
			f = float64(c.dazQuiet32(math.Float32frombits(uint32(v))))
		}
		c.setReg(&in.a, in.size, c.cvtToInt(f, in.size, in.op == oCvttsd2si || in.op == oCvttss2si))
		return stNext

	case oCvtsd2ss:
		v, ok := c.readLow(&in.b, 8)
		if !ok {
			return stFault
		}
		r := math.Float32bits(c.cvtF64ToF32(math.Float64frombits(v)))
		c.XMM[in.a.reg][0] = c.XMM[in.a.reg][0]&^0xffffffff | uint64(r)
		return stNext

	case oCvtss2sd:
		v, ok := c.readLow(&in.b, 4)
		if !ok {
			return stFault
		}
		c.XMM[in.a.reg][0] = math.Float64bits(c.cvtF32ToF64(math.Float32frombits(uint32(v))))
		return stNext

	case oCvtdq2pd:
		v, ok := c.readLow(&in.b, 8)
		if !ok {
			return stFault
		}
		c.XMM[in.a.reg] = [2]uint64{
			math.Float64bits(float64(int32(v))),
			math.Float64bits(float64(int32(v >> 32))),
		}
		return stNext

	case oCvttpd2dq:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		a := c.cvtToInt(math.Float64frombits(lo), 4, true)
		b := c.cvtToInt(math.Float64frombits(hi), 4, true)
		c.XMM[in.a.reg] = [2]uint64{a | b<<32, 0}
		return stNext

	case oCvtdq2ps, oCvttps2dq:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		s := toBytes(lo, hi)
		for i := 0; i < 4; i++ {
			v := lane(&s, i, 4)
			if in.op == oCvtdq2ps {
				v = uint64(math.Float32bits(c.cvtIntToF32(int64(int32(v)))))
			} else {
				v = c.cvtToInt(float64(math.Float32frombits(uint32(v))), 4, true)
			}
			setLane(&s, i, 4, v)
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&s)
		return stNext

	case oScalarD:
		v, ok := c.readLow(&in.b, 8)
		if !ok {
			return stFault
		}
		a := math.Float64frombits(c.XMM[in.a.reg][0])
		c.XMM[in.a.reg][0] = math.Float64bits(c.arith64(in.cond, a, math.Float64frombits(v)))
		return stNext

	case oScalarS:
		v, ok := c.readLow(&in.b, 4)
		if !ok {
			return stFault
		}
		a := math.Float32frombits(uint32(c.XMM[in.a.reg][0]))
		r := c.arith32(in.cond, a, math.Float32frombits(uint32(v)))
		c.XMM[in.a.reg][0] = c.XMM[in.a.reg][0]&^0xffffffff | uint64(math.Float32bits(r))
		return stNext

	case oPackedD:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		d := &c.XMM[in.a.reg]
		d[0] = math.Float64bits(c.arith64(in.cond, math.Float64frombits(d[0]), math.Float64frombits(lo)))
		d[1] = math.Float64bits(c.arith64(in.cond, math.Float64frombits(d[1]), math.Float64frombits(hi)))
		return stNext

	case oPackedS:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		s := toBytes(lo, hi)
		d := toBytes(c.XMM[in.a.reg][0], c.XMM[in.a.reg][1])
		for i := 0; i < 4; i++ {
			x := math.Float32frombits(uint32(lane(&d, i, 4)))
			y := math.Float32frombits(uint32(lane(&s, i, 4)))
			r := c.arith32(in.cond, x, y)
			setLane(&d, i, 4, uint64(math.Float32bits(r)))
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&d)
		return stNext

	case oPextrw:
		x := toBytes(c.XMM[in.b.reg][0], c.XMM[in.b.reg][1])
		c.setReg(&in.a, 8, lane(&x, int(in.imm&7), 2))
		return stNext

	case oPinsrw:
		v, ok := c.read(&in.b, 2)
		if !ok {
			return stFault
		}
		x := toBytes(c.XMM[in.a.reg][0], c.XMM[in.a.reg][1])
		setLane(&x, int(in.imm&7), 2, v)
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&x)
		return stNext

	case oCvtps2pd:
		v, ok := c.readLow(&in.b, 8)
		if !ok {
			return stFault
		}
		c.XMM[in.a.reg] = [2]uint64{
			math.Float64bits(c.cvtF32ToF64(math.Float32frombits(uint32(v)))),
			math.Float64bits(c.cvtF32ToF64(math.Float32frombits(uint32(v >> 32)))),
		}
		return stNext

	case oCvtpd2ps, oCvtpd2dq:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		a, b := math.Float64frombits(lo), math.Float64frombits(hi)
		var r uint64
		if in.op == oCvtpd2ps {
			r = uint64(math.Float32bits(c.cvtF64ToF32(a))) | uint64(math.Float32bits(c.cvtF64ToF32(b)))<<32
		} else {
			r = c.cvtToInt(a, 4, false) | c.cvtToInt(b, 4, false)<<32
		}
		c.XMM[in.a.reg] = [2]uint64{r, 0}
		return stNext

	case oCvtps2dq:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		s := toBytes(lo, hi)
		for i := 0; i < 4; i++ {
			setLane(&s, i, 4, c.cvtToInt(float64(math.Float32frombits(uint32(lane(&s, i, 4)))), 4, false))
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&s)
		return stNext

	case oCmpScalarD:
		v, ok := c.readLow(&in.b, 8)
		if !ok {
			return stFault
		}
		var r uint64
		if fcmp(in.imm, math.Float64frombits(c.XMM[in.a.reg][0]), math.Float64frombits(v)) {
			r = ^uint64(0)
		}
		c.XMM[in.a.reg][0] = r
		return stNext

	case oCmpScalarS:
		v, ok := c.readLow(&in.b, 4)
		if !ok {
			return stFault
		}
		var r uint64
		a := math.Float32frombits(uint32(c.XMM[in.a.reg][0]))
		if fcmp(in.imm, float64(a), float64(math.Float32frombits(uint32(v)))) {
			r = 0xffffffff
		}
		c.XMM[in.a.reg][0] = c.XMM[in.a.reg][0]&^0xffffffff | r
		return stNext

	case oCmpPackedD:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		d := &c.XMM[in.a.reg]
		for i, s := range [2]uint64{lo, hi} {
			var r uint64
			if fcmp(in.imm, math.Float64frombits(d[i]), math.Float64frombits(s)) {
				r = ^uint64(0)
			}
			d[i] = r
		}
		return stNext

	case oCmpPackedS:
		lo, hi, ok := c.readX(&in.b, true)
		if !ok {
			return stFault
		}
		s := toBytes(lo, hi)
		d := toBytes(c.XMM[in.a.reg][0], c.XMM[in.a.reg][1])
		for i := 0; i < 4; i++ {
			x := math.Float32frombits(uint32(lane(&d, i, 4)))
			y := math.Float32frombits(uint32(lane(&s, i, 4)))
			var r uint64
			if fcmp(in.imm, float64(x), float64(y)) {
				r = 0xffffffff
			}
			setLane(&d, i, 4, r)
		}
		c.XMM[in.a.reg][0], c.XMM[in.a.reg][1] = fromBytes(&d)
		return stNext

	case oUcomisd:
		v, ok := c.readLow(&in.b, 8)
		if !ok {
			return stFault
		}
		a, b := math.Float64frombits(c.XMM[in.a.reg][0]), math.Float64frombits(v)
		if isSNaN64(a) || isSNaN64(b) || in.cond == 1 && (a != a || b != b) {
			c.MXCSR |= mxIE
		}
		if a == a && b == b {
			a, b = c.daz64(a), c.daz64(b)
		}
		c.ucomi(a, b)
		return stNext

	case oUcomiss:
		v, ok := c.readLow(&in.b, 4)
		if !ok {
			return stFault
		}
		a, b := math.Float32frombits(uint32(c.XMM[in.a.reg][0])), math.Float32frombits(uint32(v))
		if isSNaN32(a) || isSNaN32(b) || in.cond == 1 && (a != a || b != b) {
			c.MXCSR |= mxIE
		}
		if a == a && b == b {
			a, b = c.daz32(a), c.daz32(b)
		}
		c.ucomi(float64(a), float64(b))
		return stNext
	}
	c.sigill()
	return stFault
}

// SWAR helpers: eight byte lanes in a uint64.
const (
	lowBits7 = 0x7f7f7f7f7f7f7f7f
	highBits = 0x8080808080808080
)

// byteSigns gathers the top bit of each byte (pmovmskb of a quadword).
func byteSigns(x uint64) uint64 {
	return ((x >> 7) & 0x0101010101010101) * 0x0102040810204080 >> 56
}

// bytesEq is 0xff in each byte where a and b are equal.
func bytesEq(a, b uint64) uint64 {
	x := a ^ b
	nz := ((x & lowBits7) + lowBits7 | x) & highBits // top bit set where byte != 0
	return ((nz ^ highBits) >> 7) * 0xff
}

func bytesAdd(a, b uint64) uint64 {
	return ((a & lowBits7) + (b & lowBits7)) ^ ((a ^ b) & highBits)
}

func bytesSub(a, b uint64) uint64 {
	return ((a | highBits) - (b & lowBits7)) ^ ((a ^ ^b) & highBits)
}

// bytesMinu is the unsigned minimum of each byte.
func bytesMinu(a, b uint64) uint64 {
	var r uint64
	for i := uint(0); i < 64; i += 8 {
		r |= min((a>>i)&0xff, (b>>i)&0xff) << i
	}
	return r
}
