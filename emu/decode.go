package emu

import (
	"golang.org/x/arch/x86/x86asm"
)

// Decoding: x86asm.Inst is translated once into the compact inst below and
// cached per page (codePage), so executing an instruction is a dense
// switch on inst.op with no allocation and no re-decoding.

// operand kinds
const (
	kNone  uint8 = iota
	kReg         // general register R[reg], low `size` bytes
	kRegHi       // AH, CH, DH, BH: bits 8..15 of R[reg]
	kImm         // immediate in disp (already sign-extended)
	kMem         // memory: seg + base + index<<scale + disp
	kXMM         // XMM[reg]
)

const noReg = 0xff

// segment overrides that matter in 64-bit mode
const (
	segNone uint8 = iota
	segFS
	segGS
)

type operand struct {
	kind   uint8
	reg    uint8 // register number (kReg, kRegHi, kXMM)
	base   uint8 // kMem: base register or noReg
	index  uint8 // kMem: index register or noReg
	scale  uint8 // kMem: shift count 0..3
	seg    uint8 // kMem: segFS/segGS
	addr32 bool  // kMem: 32-bit address size
	disp   int64 // kMem displacement (absolute for RIP-relative); kImm value
}

// inst is a pre-translated instruction.
type inst struct {
	op    uint16
	size  uint8 // operand size in bytes (1, 2, 4, 8, 16)
	size2 uint8 // source size for movzx/movsx/cvt..., count size, etc.
	len   uint8
	rep   uint8 // repNone, repE (F3), repNE (F2) on string instructions
	cond  uint8 // condition code 0..15 for jcc/setcc/cmovcc
	a, b  operand
	c     operand
	imm   uint64 // extra immediate (ret imm16, enter, shuffle control, ...)
	targ  uint64 // absolute branch target for relative branches
}

const (
	repNone uint8 = iota
	repE
	repNE
)

// condition codes in x86 encoding order
const (
	condO = iota
	condNO
	condB
	condAE
	condE
	condNE
	condBE
	condA
	condS
	condNS
	condP
	condNP
	condL
	condGE
	condLE
	condG
)

// codePage holds the decoded instructions starting in one guest page.
type codePage struct {
	idx   [PageSize]uint16 // 1 + index into insts; 0 = not decoded yet
	insts []inst
	// prevDep: an instruction cached for the previous page continues
	// into this one, so dropping this cache drops that page's too.
	prevDep bool
}

// regInfo maps an x86asm register to (kind, number, size).
func regInfo(r x86asm.Reg) (kind, num, size uint8, ok bool) {
	switch {
	case r >= x86asm.AL && r <= x86asm.BL:
		return kReg, uint8(r - x86asm.AL), 1, true
	case r >= x86asm.AH && r <= x86asm.BH:
		return kRegHi, uint8(r - x86asm.AH), 1, true
	case r >= x86asm.SPB && r <= x86asm.R15B:
		return kReg, uint8(r-x86asm.SPB) + 4, 1, true
	case r >= x86asm.AX && r <= x86asm.R15W:
		return kReg, uint8(r - x86asm.AX), 2, true
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return kReg, uint8(r - x86asm.EAX), 4, true
	case r >= x86asm.RAX && r <= x86asm.R15:
		return kReg, uint8(r - x86asm.RAX), 8, true
	case r >= x86asm.X0 && r <= x86asm.X15:
		return kXMM, uint8(r - x86asm.X0), 16, true
	case r >= x86asm.M0 && r <= x86asm.M7:
		return kMM, uint8(r - x86asm.M0), 8, true
	}
	return 0, 0, 0, false
}

// gpr64 maps an address register (any size) to its number.
func addrReg(r x86asm.Reg) (uint8, bool) {
	switch {
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return uint8(r - x86asm.EAX), true
	case r >= x86asm.RAX && r <= x86asm.R15:
		return uint8(r - x86asm.RAX), true
	}
	return 0, false
}

// convArg converts one argument. next is the address of the following
// instruction (for RIP-relative memory).
func convArg(x *x86asm.Inst, a x86asm.Arg, next uint64) (operand, uint8, bool) {
	switch a := a.(type) {
	case nil:
		return operand{}, 0, true
	case x86asm.Reg:
		k, n, s, ok := regInfo(a)
		return operand{kind: k, reg: n}, s, ok
	case x86asm.Imm:
		return operand{kind: kImm, disp: int64(a)}, 0, true
	case x86asm.Mem:
		o := operand{kind: kMem, base: noReg, index: noReg, disp: a.Disp}
		switch a.Segment {
		case 0, x86asm.ES, x86asm.CS, x86asm.SS, x86asm.DS:
		case x86asm.FS:
			o.seg = segFS
		case x86asm.GS:
			o.seg = segGS
		default:
			return o, 0, false
		}
		if x.AddrSize == 32 {
			o.addr32 = true
		} else if x.AddrSize != 64 {
			return o, 0, false
		}
		switch a.Base {
		case 0:
		case x86asm.RIP, x86asm.EIP:
			o.disp = int64(next) + a.Disp
		default:
			n, ok := addrReg(a.Base)
			if !ok {
				return o, 0, false
			}
			o.base = n
		}
		if a.Index != 0 {
			n, ok := addrReg(a.Index)
			if !ok {
				return o, 0, false
			}
			o.index = n
			switch a.Scale {
			case 1:
				o.scale = 0
			case 2:
				o.scale = 1
			case 4:
				o.scale = 2
			case 8:
				o.scale = 3
			default:
				return o, 0, false
			}
		}
		return o, uint8(x.MemBytes), true
	}
	return operand{}, 0, false
}

// hasPrefix reports whether an explicit (not implied, not ignored) prefix
// byte p was given.
func hasPrefix(x *x86asm.Inst, p x86asm.Prefix) bool {
	for _, q := range x.Prefix {
		if q == 0 {
			break
		}
		if q&0xff == p&0xff && q&(x86asm.PrefixImplicit|x86asm.PrefixIgnored) == 0 {
			return true
		}
	}
	return false
}

// decodeBytes decodes the instruction at the start of b (which holds the
// bytes at address addr) into out. It reports false for anything this CPU
// treats as undefined (raise SIGILL). The returned length is valid even
// for ok == false when the bytes form a known-length instruction.
func decodeBytes(b []byte, addr uint64, out *inst) bool {
	*out = inst{}
	if len(b) == 0 {
		return false
	}
	// Skip legacy prefixes to find the real lead byte: VEX/EVEX (C4, C5,
	// 62) are undefined here (x86asm misdecodes C5 silently), and
	// F3 0F 1E FA/FB (ENDBR64/ENDBR32) are NOPs.
	i := 0
	for i < len(b) && i < 14 {
		switch b[i] {
		case 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65:
			i++
			continue
		}
		break
	}
	if i < len(b) && (b[i] == 0xc4 || b[i] == 0xc5 || b[i] == 0x62) {
		out.len = 1
		return false
	}
	if len(b) >= 4 && b[0] == 0xf3 && b[1] == 0x0f && b[2] == 0x1e && (b[3] == 0xfa || b[3] == 0xfb) {
		out.op = oNop
		out.len = 4
		return true
	}
	x, err := x86asm.Decode(b, 64)
	if err != nil || x.Op == 0 || x.Len == 0 {
		out.len = 1
		return false
	}
	out.len = uint8(x.Len)
	if !translate(&x, addr, out) {
		return false
	}
	if hasPrefix(&x, x86asm.PrefixLOCK) && !lockable(out) {
		return false // #UD
	}
	specialize(out)
	return true
}

func condOf(op x86asm.Op) (uint8, bool) {
	switch op {
	case x86asm.JO, x86asm.CMOVO, x86asm.SETO:
		return condO, true
	case x86asm.JNO, x86asm.CMOVNO, x86asm.SETNO:
		return condNO, true
	case x86asm.JB, x86asm.CMOVB, x86asm.SETB:
		return condB, true
	case x86asm.JAE, x86asm.CMOVAE, x86asm.SETAE:
		return condAE, true
	case x86asm.JE, x86asm.CMOVE, x86asm.SETE:
		return condE, true
	case x86asm.JNE, x86asm.CMOVNE, x86asm.SETNE:
		return condNE, true
	case x86asm.JBE, x86asm.CMOVBE, x86asm.SETBE:
		return condBE, true
	case x86asm.JA, x86asm.CMOVA, x86asm.SETA:
		return condA, true
	case x86asm.JS, x86asm.CMOVS, x86asm.SETS:
		return condS, true
	case x86asm.JNS, x86asm.CMOVNS, x86asm.SETNS:
		return condNS, true
	case x86asm.JP, x86asm.CMOVP, x86asm.SETP:
		return condP, true
	case x86asm.JNP, x86asm.CMOVNP, x86asm.SETNP:
		return condNP, true
	case x86asm.JL, x86asm.CMOVL, x86asm.SETL:
		return condL, true
	case x86asm.JGE, x86asm.CMOVGE, x86asm.SETGE:
		return condGE, true
	case x86asm.JLE, x86asm.CMOVLE, x86asm.SETLE:
		return condLE, true
	case x86asm.JG, x86asm.CMOVG, x86asm.SETG:
		return condG, true
	}
	return 0, false
}

// simple maps x86asm ops that translate one-to-one with their operands.
var simple = map[x86asm.Op]uint16{
	x86asm.ADD: oAdd, x86asm.OR: oOr, x86asm.ADC: oAdc, x86asm.SBB: oSbb,
	x86asm.AND: oAnd, x86asm.SUB: oSub, x86asm.XOR: oXor, x86asm.CMP: oCmp,
	x86asm.TEST: oTest, x86asm.INC: oInc, x86asm.DEC: oDec, x86asm.NEG: oNeg,
	x86asm.NOT: oNot, x86asm.MOV: oMov, x86asm.MOVZX: oMovzx, x86asm.MOVSX: oMovsx,
	x86asm.MOVSXD: oMovsx, x86asm.LEA: oLea, x86asm.XCHG: oXchg,
	x86asm.CMPXCHG: oCmpxchg, x86asm.XADD: oXadd, x86asm.MUL: oMul1, x86asm.DIV: oDiv,
	x86asm.IDIV: oIdiv, x86asm.SHL: oShl, x86asm.SHR: oShr, x86asm.SAR: oSar,
	x86asm.ROL: oRol, x86asm.ROR: oRor, x86asm.RCL: oRcl, x86asm.RCR: oRcr,
	x86asm.SHLD: oShld, x86asm.SHRD: oShrd, x86asm.BT: oBt, x86asm.BTS: oBts,
	x86asm.BTR: oBtr, x86asm.BTC: oBtc, x86asm.BSF: oBsf, x86asm.BSR: oBsr,
	x86asm.TZCNT: oBsf, x86asm.LZCNT: oBsr, x86asm.POPCNT: oPopcnt,
	x86asm.BSWAP: oBswap, x86asm.CPUID: oCpuid, x86asm.RDTSC: oRdtsc,
	x86asm.NOP: oNop, x86asm.PAUSE: oNop, x86asm.LFENCE: oNop, x86asm.MFENCE: oNop,
	x86asm.SFENCE: oNop, x86asm.PREFETCHT0: oNop, x86asm.PREFETCHT1: oNop,
	x86asm.PREFETCHT2: oNop, x86asm.PREFETCHNTA: oNop, x86asm.PREFETCHW: oNop,
	x86asm.CLFLUSH: oNop, x86asm.MOVNTI: oMov,
	x86asm.SYSCALL: oSyscall, x86asm.UD2: oUd2, x86asm.HLT: oHlt,
	x86asm.LEAVE: oLeave, x86asm.ENTER: oEnter, x86asm.CLC: oClc, x86asm.STC: oStc,
	x86asm.CMC: oCmc, x86asm.CLD: oCld, x86asm.STD: oStd, x86asm.LAHF: oLahf,
	x86asm.SAHF: oSahf, x86asm.PUSHFQ: oPushf, x86asm.POPFQ: oPopf,
	x86asm.PUSHF: oPushf, x86asm.POPF: oPopf,
	x86asm.XLATB: oXlat, x86asm.FNSTCW: oFnstcw, x86asm.FLDCW: oFldcw,
	x86asm.FNINIT: oFninit, x86asm.FWAIT: oNop, x86asm.FNSTSW: oFnstsw,
	x86asm.STMXCSR: oStmxcsr, x86asm.LDMXCSR: oLdmxcsr,
	x86asm.CMPXCHG8B: oCmpxchg8b, x86asm.CMPXCHG16B: oCmpxchg16b,
	x86asm.PUSH: oPush, x86asm.POP: oPop, x86asm.RET: oRet,
	x86asm.JRCXZ: oJrcxz, x86asm.JECXZ: oJrcxz, x86asm.LOOP: oLoop,
	x86asm.LOOPE: oLoope, x86asm.LOOPNE: oLoopne, x86asm.INT: oInt,
	x86asm.CBW: oCbw, x86asm.CWDE: oCbw, x86asm.CDQE: oCbw,
	x86asm.CWD: oCwd, x86asm.CDQ: oCwd, x86asm.CQO: oCwd,
}

// stringOps maps string instructions to (op, element size).
var stringOps = map[x86asm.Op][2]uint16{
	x86asm.MOVSB: {oMovs, 1}, x86asm.MOVSW: {oMovs, 2}, x86asm.MOVSD: {oMovs, 4}, x86asm.MOVSQ: {oMovs, 8},
	x86asm.STOSB: {oStos, 1}, x86asm.STOSW: {oStos, 2}, x86asm.STOSD: {oStos, 4}, x86asm.STOSQ: {oStos, 8},
	x86asm.LODSB: {oLods, 1}, x86asm.LODSW: {oLods, 2}, x86asm.LODSD: {oLods, 4}, x86asm.LODSQ: {oLods, 8},
	x86asm.CMPSB: {oCmps, 1}, x86asm.CMPSW: {oCmps, 2}, x86asm.CMPSD: {oCmps, 4}, x86asm.CMPSQ: {oCmps, 8},
	x86asm.SCASB: {oScas, 1}, x86asm.SCASW: {oScas, 2}, x86asm.SCASD: {oScas, 4}, x86asm.SCASQ: {oScas, 8},
}

// translate fills out from x (out.len already set).
func translate(x *x86asm.Inst, addr uint64, out *inst) bool {
	next := addr + uint64(x.Len)
	if _, ok := simple[x.Op]; !ok && x.Op.String()[0] == 'F' {
		return translateX87(x, next, out)
	}
	var ops [3]operand
	var sizes [3]uint8
	for i := 0; i < 3; i++ {
		if rel, ok := x.Args[i].(x86asm.Rel); ok {
			out.targ = next + uint64(int64(rel))
			continue
		}
		o, s, ok := convArg(x, x.Args[i], next)
		if !ok {
			return false
		}
		ops[i], sizes[i] = o, s
	}
	if x.Args[3] != nil {
		return false
	}
	out.a, out.b, out.c = ops[0], ops[1], ops[2]
	out.size = sizes[0]
	// An immediate or register source carries no memory size; memory
	// operands carry MemBytes.
	out.size2 = sizes[1]

	if sp, ok := stringOps[x.Op]; ok {
		if x.AddrSize != 64 {
			return false
		}
		out.op, out.size = sp[0], uint8(sp[1])
		if sp[0] == oCmps || sp[0] == oScas {
			if hasPrefix(x, x86asm.PrefixREP) {
				out.rep = repE
			} else if hasPrefix(x, x86asm.PrefixREPN) {
				out.rep = repNE
			}
		} else if hasPrefix(x, x86asm.PrefixREP) || hasPrefix(x, x86asm.PrefixREPN) {
			out.rep = repE
		}
		out.a, out.b = operand{}, operand{}
		// a segment override on the source (movs/lods/cmps) applies to RSI
		if m, ok := x.Args[1].(x86asm.Mem); ok && (m.Segment == x86asm.FS || m.Segment == x86asm.GS) {
			return false
		}
		if m, ok := x.Args[0].(x86asm.Mem); ok && sp[0] == oLods && (m.Segment == x86asm.FS || m.Segment == x86asm.GS) {
			return false
		}
		return true
	}
	if cc, ok := condOf(x.Op); ok {
		out.cond = cc
		switch {
		case x86asmIsJcc(x.Op):
			out.op = oJcc
			return x.Args[0] != nil
		case isCmov(x.Op):
			out.op = oCmov
		default:
			out.op = oSetcc
			out.size = 1
		}
		return out.a.kind != kNone && out.a.kind != kImm
	}
	switch x.Op {
	case x86asm.JMP:
		if _, ok := x.Args[0].(x86asm.Rel); ok {
			out.op = oJmpRel
		} else {
			out.op = oJmpInd
			out.size = 8
		}
		return true
	case x86asm.CALL:
		if _, ok := x.Args[0].(x86asm.Rel); ok {
			out.op = oCallRel
		} else {
			out.op = oCallInd
			out.size = 8
		}
		return true
	case x86asm.IMUL:
		switch {
		case out.c.kind != kNone:
			out.op = oImul3
		case out.b.kind != kNone:
			out.op = oImul3
			out.c = out.b
			out.b = out.a
		default:
			out.op = oImul1
		}
		return true
	case x86asm.INT:
		out.op = oInt
		out.imm = uint64(out.a.disp)
		return true
	}
	if op, ok := simple[x.Op]; ok {
		out.op = op
		switch op {
		case oPush, oPop:
			out.size = 8
			if x.DataSize == 16 {
				out.size = 2
			}
			if out.a.kind == kImm {
				out.size2 = 8
			}
			if out.a.kind == kMem && sizes[0] != out.size {
				return false
			}
			if out.a.kind == kReg && sizes[0] != out.size {
				return false
			}
		case oJrcxz, oLoop, oLoope, oLoopne:
			out.size = 8
			if x.Op == x86asm.JECXZ || x.AddrSize == 32 {
				out.size = 4
			}
		case oRet:
			if out.a.kind == kImm {
				out.imm = uint64(out.a.disp) & 0xffff
			}
		case oEnter:
			out.imm = uint64(out.a.disp) & 0xffff
			out.size2 = uint8(out.b.disp)
		case oCbw, oCwd:
			out.size = uint8(x.DataSize / 8)
		case oBswap:
			if out.size < 4 {
				return false
			}
		case oCmpxchg8b:
			out.size = 8
		case oCmpxchg16b:
			out.size = 16
		case oPushf, oPopf:
			if x.DataSize == 16 {
				return false
			}
		case oMov:
			// moves to or from segment registers are not supported
			if x.Args[0] != nil && out.a.kind == kNone || x.Args[1] != nil && out.b.kind == kNone {
				return false
			}
		case oInt:
		}
		return validate(out)
	}
	return translateSSE(x, out)
}

// validate rejects operand combinations the executor does not handle.
func validate(in *inst) bool {
	if in.a.kind == kXMM || in.b.kind == kXMM || in.a.kind == kMM || in.b.kind == kMM {
		return false
	}
	switch in.op {
	case oAdd, oOr, oAdc, oSbb, oAnd, oSub, oXor, oCmp, oTest, oMov, oXchg,
		oCmpxchg, oXadd, oInc, oDec, oNeg, oNot, oShl, oShr, oSar, oRol, oRor,
		oRcl, oRcr, oShld, oShrd, oBt, oBts, oBtr, oBtc, oBsf, oBsr, oPopcnt,
		oMovzx, oMovsx, oLea, oMul1, oImul1, oDiv, oIdiv, oBswap:
		if in.a.kind == kNone || in.a.kind == kImm {
			return false
		}
		switch in.size {
		case 1, 2, 4, 8:
		default:
			return false
		}
	}
	switch in.op {
	case oAdd, oOr, oAdc, oSbb, oAnd, oSub, oXor, oCmp, oTest, oMov, oXchg,
		oCmpxchg, oXadd, oShld, oShrd, oBt, oBts, oBtr, oBtc, oBsf, oBsr, oPopcnt,
		oMovzx, oMovsx, oLea:
		if in.b.kind == kNone {
			return false
		}
	}
	switch in.op {
	case oMovzx, oMovsx:
		switch in.size2 {
		case 1, 2, 4:
		default:
			return false
		}
	case oLea:
		if in.b.kind != kMem {
			return false
		}
	}
	return true
}

// lockable reports whether a LOCK prefix is allowed: only on the
// read-modify-write instructions with a memory destination.
func lockable(in *inst) bool {
	switch in.op {
	case oAdd, oAdc, oAnd, oBtc, oBtr, oBts, oCmpxchg, oCmpxchg8b, oCmpxchg16b,
		oDec, oInc, oNeg, oNot, oOr, oSbb, oSub, oXor, oXadd, oXchg:
		return in.a.kind == kMem
	}
	return false
}

func x86asmIsJcc(op x86asm.Op) bool {
	switch op {
	case x86asm.JA, x86asm.JAE, x86asm.JB, x86asm.JBE, x86asm.JE, x86asm.JG,
		x86asm.JGE, x86asm.JL, x86asm.JLE, x86asm.JNE, x86asm.JNO, x86asm.JNP,
		x86asm.JNS, x86asm.JO, x86asm.JP, x86asm.JS:
		return true
	}
	return false
}

func isCmov(op x86asm.Op) bool {
	switch op {
	case x86asm.CMOVA, x86asm.CMOVAE, x86asm.CMOVB, x86asm.CMOVBE, x86asm.CMOVE,
		x86asm.CMOVG, x86asm.CMOVGE, x86asm.CMOVL, x86asm.CMOVLE, x86asm.CMOVNE,
		x86asm.CMOVNO, x86asm.CMOVNP, x86asm.CMOVNS, x86asm.CMOVO, x86asm.CMOVP,
		x86asm.CMOVS:
		return true
	}
	return false
}
