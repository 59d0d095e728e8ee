package emu

// Specialised forms of the most frequent instructions (register and
// immediate operands), executed inline in Run's loop without the generic
// operand accessors.

// specialize rewrites a translated instruction into a faster equivalent
// form when its operands allow.
func specialize(in *inst) {
	regA := in.a.kind == kReg
	switch in.op {
	case oMov:
		switch {
		case regA && in.b.kind == kReg:
			in.op = oMovRR
		case regA && in.b.kind == kImm:
			in.op = oMovRI
			in.imm = uint64(in.b.disp) & sizeMask[in.size]
		case regA && in.b.kind == kMem:
			in.op = oLoadR
		case in.a.kind == kMem && in.b.kind == kReg:
			in.op = oStoreR
		case in.a.kind == kMem && in.b.kind == kImm:
			in.op = oStoreI
			in.imm = uint64(in.b.disp) & sizeMask[in.size]
		}
	case oMovzx, oMovsx:
		if !regA {
			return
		}
		in.cond = 0
		if in.op == oMovsx {
			in.cond = 1
		}
		switch in.b.kind {
		case kMem:
			in.op = oLoadX
		case kReg:
			in.op = oExtR
		}
	case oAdd, oOr, oAnd, oSub, oXor, oCmp, oTest:
		switch {
		case regA && in.b.kind == kReg:
			in.cond = uint8(in.op)
			in.op = oAluRR
		case regA && in.b.kind == kImm:
			in.cond = uint8(in.op)
			in.op = oAluRI
			in.imm = uint64(in.b.disp) & sizeMask[in.size]
		case regA && in.b.kind == kMem:
			in.cond = uint8(in.op)
			in.op = oAluRM
		case in.a.kind == kMem && (in.b.kind == kReg || in.b.kind == kImm):
			in.cond = uint8(in.op)
			in.op = oAluMX
			in.imm = uint64(in.b.disp) & sizeMask[in.size]
		}
	case oShl, oShr, oSar, oRol, oRor:
		if !regA || in.b.kind != kImm {
			return
		}
		cnt := uint64(in.b.disp)
		if in.size == 8 {
			cnt &= 63
		} else {
			cnt &= 31
		}
		nb := uint64(8 * in.size)
		if cnt == 0 {
			return
		}
		if in.op == oRol || in.op == oRor {
			// a count that is a multiple of the width leaves the value
			// but still sets CF and OF: rotating by 0 does that
			cnt %= nb
		} else if cnt >= nb {
			return
		}
		in.cond = uint8(in.op)
		in.op = oShiftRI
		in.imm = cnt
	case oInc:
		if regA {
			in.op = oIncR
		}
	case oDec:
		if regA {
			in.op = oDecR
		}
	}
}

// aluOp computes add/or/and/sub/xor/cmp/test (op, in an inst's cond) of a
// and b: the result, its lazy-flags op, and whether it is written back.
func aluOp(op uint8, a, b uint64) (r uint64, cc uint8, write bool) {
	switch uint16(op) {
	case oAdd:
		return a + b, ccAdd, true
	case oSub:
		return a - b, ccSub, true
	case oCmp:
		return a - b, ccSub, false
	case oXor:
		return a ^ b, ccLogic, true
	case oAnd:
		return a & b, ccLogic, true
	case oOr:
		return a | b, ccLogic, true
	default: // test
		return a & b, ccLogic, false
	}
}

// setRegN writes a general register (not a high byte) with size semantics.
func (c *CPU) setRegN(r uint8, size uint8, v uint64) {
	p := &c.R[r&15]
	switch size {
	case 8:
		*p = v
	case 4:
		*p = v & 0xffffffff
	case 2:
		*p = *p&^0xffff | v&0xffff
	default:
		*p = *p&^0xff | v&0xff
	}
}

// execFast executes the specialised forms; it returns false if in.op is
// not one of them.
func (c *CPU) execFast(in *inst) int {
	sz := in.size
	switch in.op {
	case oMovRR:
		c.setRegN(in.a.reg, sz, c.R[in.b.reg&15])
		return stNext
	case oMovRI:
		c.setRegN(in.a.reg, sz, in.imm)
		return stNext
	case oLoadR:
		v, ok := c.load(c.ea(&in.b), sz)
		if !ok {
			return stFault
		}
		c.setRegN(in.a.reg, sz, v)
		return stNext
	case oStoreR:
		if !c.store(c.ea(&in.a), sz, c.R[in.b.reg&15]) {
			return stFault
		}
		return stNext
	case oStoreI:
		if !c.store(c.ea(&in.a), sz, in.imm) {
			return stFault
		}
		return stNext
	case oLoadX, oExtR:
		var v uint64
		if in.op == oLoadX {
			var ok bool
			if v, ok = c.load(c.ea(&in.b), in.size2); !ok {
				return stFault
			}
		} else {
			v = c.R[in.b.reg&15] & sizeMask[in.size2]
		}
		if in.cond != 0 {
			v = uint64(sx(v, in.size2))
		}
		c.setRegN(in.a.reg, sz, v)
		return stNext
	case oAluRR, oAluRI, oAluRM:
		m := sizeMask[sz]
		a := c.R[in.a.reg&15] & m
		var b uint64
		switch in.op {
		case oAluRR:
			b = c.R[in.b.reg&15] & m
		case oAluRI:
			b = in.imm
		default:
			var ok bool
			if b, ok = c.load(c.ea(&in.b), sz); !ok {
				return stFault
			}
		}
		r, cc, wr := aluOp(in.cond, a, b)
		if wr {
			c.setRegN(in.a.reg, sz, r)
		}
		c.ccOp, c.ccSize, c.ccA, c.ccB, c.ccR = cc, sz, a, b, r
		return stNext
	case oAluMX:
		addr := c.ea(&in.a)
		a, ok := c.load(addr, sz)
		if !ok {
			return stFault
		}
		b := in.imm
		if in.b.kind == kReg {
			b = c.R[in.b.reg&15] & sizeMask[sz]
		}
		r, cc, wr := aluOp(in.cond, a, b)
		if wr && !c.store(addr, sz, r) {
			return stFault
		}
		c.ccOp, c.ccSize, c.ccA, c.ccB, c.ccR = cc, sz, a, b, r
		return stNext
	case oShiftRI:
		m, nb := sizeMask[sz], uint64(8*uint(sz))
		a := c.R[in.a.reg&15] & m
		cnt := in.imm
		var r uint64
		switch uint16(in.cond) {
		case oShl:
			r = (a << cnt) & m
			c.ccOp = ccShl
		case oShr:
			r = a >> cnt
			c.ccOp = ccShr
		case oSar:
			r = uint64(sx(a, sz)>>cnt) & m
			c.ccOp = ccSar
		case oRol:
			r = (a<<cnt | a>>(nb-cnt)) & m
			c.setRegN(in.a.reg, sz, r)
			c.setRot(rotCFOF(true, r, signBit[sz]))
			return stNext
		default: // ror
			r = (a>>cnt | a<<(nb-cnt)) & m
			c.setRegN(in.a.reg, sz, r)
			c.setRot(rotCFOF(false, r, signBit[sz]))
			return stNext
		}
		c.setRegN(in.a.reg, sz, r)
		c.ccSize, c.ccA, c.ccB, c.ccR = sz, a, cnt, r
		return stNext
	case oIncR, oDecR:
		cf := c.cf()
		a := c.R[in.a.reg&15] & sizeMask[sz]
		var r uint64
		op := ccInc
		if in.op == oIncR {
			r = a + 1
		} else {
			r = a - 1
			op = ccDec
		}
		c.setRegN(in.a.reg, sz, r)
		c.ccOp, c.ccSize, c.ccA, c.ccB, c.ccR, c.ccC = op, sz, a, 1, r, cf
		return stNext
	}
	return -1
}
