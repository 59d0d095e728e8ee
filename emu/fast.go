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
		case regA && in.b.kind == kMem && (in.size == 4 || in.size == 8):
			in.op = oLoadR
		case in.a.kind == kMem && in.b.kind == kReg && (in.size == 4 || in.size == 8):
			in.op = oStoreR
		}
	case oAdd, oOr, oAnd, oSub, oXor, oCmp, oTest:
		if !regA {
			return
		}
		switch in.b.kind {
		case kReg:
			in.cond = uint8(in.op)
			in.op = oAluRR
		case kImm:
			in.cond = uint8(in.op)
			in.op = oAluRI
			in.imm = uint64(in.b.disp) & sizeMask[in.size]
		}
	case oShl, oShr, oSar:
		if !regA || in.b.kind != kImm {
			return
		}
		cnt := uint64(in.b.disp)
		if in.size == 8 {
			cnt &= 63
		} else {
			cnt &= 31
		}
		if cnt == 0 || cnt >= uint64(8*in.size) {
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
	case oAluRR, oAluRI:
		m := sizeMask[sz]
		a := c.R[in.a.reg&15] & m
		var b uint64
		if in.op == oAluRR {
			b = c.R[in.b.reg&15] & m
		} else {
			b = in.imm
		}
		var r uint64
		cc := ccLogic
		switch uint16(in.cond) {
		case oAdd:
			r, cc = a+b, ccAdd
			c.setRegN(in.a.reg, sz, r)
		case oSub:
			r, cc = a-b, ccSub
			c.setRegN(in.a.reg, sz, r)
		case oCmp:
			r, cc = a-b, ccSub
		case oXor:
			r = a ^ b
			c.setRegN(in.a.reg, sz, r)
		case oAnd:
			r = a & b
			c.setRegN(in.a.reg, sz, r)
		case oOr:
			r = a | b
			c.setRegN(in.a.reg, sz, r)
		default: // test
			r = a & b
		}
		c.ccOp, c.ccSize, c.ccA, c.ccB, c.ccR = cc, sz, a, b, r
		return stNext
	case oShiftRI:
		m, nb := sizeMask[sz], uint64(8*uint(sz))
		a := c.R[in.a.reg&15] & m
		cnt := in.imm
		var r, cf, of uint64
		switch uint16(in.cond) {
		case oShl:
			r = (a << cnt) & m
			cf = (a >> (nb - cnt)) & 1
			of = (r>>(nb-1))&1 ^ cf
		case oShr:
			r = a >> cnt
			cf = (a >> (cnt - 1)) & 1
			if cnt == 1 {
				of = a >> (nb - 1)
			}
		default:
			s := sx(a, sz)
			r = uint64(s>>cnt) & m
			cf = uint64(s>>(cnt-1)) & 1
		}
		c.setRegN(in.a.reg, sz, r)
		c.ccOp, c.ccSize, c.ccR, c.ccC = ccShift, sz, r, cf|(of&1)<<11
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
