package emu

// Internal operation codes of a translated instruction (inst.op). Kept
// dense so the executor's switch compiles to a jump table.
const (
	oInvalid uint16 = iota
	oNop
	// integer ALU
	oAdd
	oOr
	oAdc
	oSbb
	oAnd
	oSub
	oXor
	oCmp
	oTest
	oInc
	oDec
	oNeg
	oNot
	// moves
	oMov
	oMovzx
	oMovsx
	oLea
	oXchg
	oCmpxchg
	oXadd
	oCmpxchg8b
	oCmpxchg16b
	// stack and control flow
	oPush
	oPop
	oCallRel
	oCallInd
	oRet
	oJmpRel
	oJmpInd
	oJcc
	oJrcxz
	oLoop
	oLoope
	oLoopne
	oCmov
	oSetcc
	oLeave
	oEnter
	// multiply / divide
	oMul1
	oImul1
	oImul3
	oDiv
	oIdiv
	// shifts / rotates
	oShl
	oShr
	oSar
	oRol
	oRor
	oRcl
	oRcr
	oShld
	oShrd
	// bits
	oBt
	oBts
	oBtr
	oBtc
	oBsf
	oBsr
	oPopcnt
	oBswap
	oCbw
	oCwd
	// strings
	oMovs
	oStos
	oLods
	oCmps
	oScas
	// system / misc
	oCpuid
	oRdtsc
	oSyscall
	oInt
	oUd2
	oHlt
	oClc
	oStc
	oCmc
	oCld
	oStd
	oLahf
	oSahf
	oPushf
	oPopf
	oXlat
	// x87 / MXCSR control
	oFnstcw
	oFldcw
	oFninit
	oFnstsw
	oStmxcsr
	oLdmxcsr
	// specialised hot forms (see specialize in fast.go)
	oMovRR   // mov reg, reg (any size except high bytes)
	oMovRI   // mov reg, imm (imm pre-masked in in.imm)
	oAluRR   // add/or/and/sub/xor/cmp/test reg, reg: kind in cond
	oAluRI   // same with an immediate (pre-masked in in.imm)
	oShiftRI // shl/shr/sar/rol/ror reg, imm (count pre-masked, non-zero; rotates: modulo the width): kind in cond
	oIncR
	oDecR
	oLoadR  // mov reg, [mem] (any size, not a high-byte register)
	oStoreR // mov [mem], reg (any size, not a high-byte register)
	oStoreI // mov [mem], imm (imm pre-masked in in.imm)
	oLoadX  // movzx/movsx reg, [mem]: source size in size2, cond 1 for movsx
	oExtR   // movzx/movsx reg, reg (not a high byte): the same
	oAluRM  // add/or/and/sub/xor/cmp/test reg, [mem]: kind in cond
	oAluMX  // the same with a memory destination and a register or immediate (in.imm) source
	// SSE (see sse.go)
	oSSEFirst
)
