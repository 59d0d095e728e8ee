package ptrace

import (
	"encoding/binary"
	"fmt"
	"syscall"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// Sizes of the register structs, as read from and written to regs/*.
const (
	IntRegistersSize   = 168
	FloatRegistersSize = 416
	EnvRegistersSize   = 16
)

// Segment selectors reported in IntRegisters. The emulated OS is Linux, so
// these are Linux's user selectors (Redox 2019/2020 reported cs 0x23,
// ss 0x2b, fs 0x33); fs is 0 because Linux threads use FS base, not a
// TLS selector.
const (
	UserCS = 0x33
	UserSS = 0x2b
	UserFS = 0
)

// WritableRFlags is the set of RFLAGS bits a tracer may change: CF, PF, AF,
// ZF, SF, TF, DF and OF (0xDD5, later Redox kernels). Every other bit keeps
// its value; reserved bit 1 always reads as 1.
const WritableRFlags = emu.FlagCF | emu.FlagPF | emu.FlagAF | emu.FlagZF |
	emu.FlagSF | emu.FlagTF | emu.FlagDF | emu.FlagOF

// MXCSRMask is the mask of MXCSR bits reported in FloatRegisters and the
// bits a tracer may write.
const MXCSRMask = 0xffff

// IntRegisters is Redox's x86_64 IntRegisters (2019/2020 layout, 168 bytes,
// 21 little-endian words in field order; spec §2.3). There is no orig_rax:
// at a pre-syscall stop RAX is the syscall number.
type IntRegisters struct {
	R15, R14, R13, R12, RBP, RBX, R11, R10, R9, R8        uint64
	RAX, RCX, RDX, RSI, RDI, RIP, CS, RFlags, RSP, SS, FS uint64
}

func (r *IntRegisters) words() [21]*uint64 {
	return [21]*uint64{&r.R15, &r.R14, &r.R13, &r.R12, &r.RBP, &r.RBX, &r.R11, &r.R10, &r.R9, &r.R8,
		&r.RAX, &r.RCX, &r.RDX, &r.RSI, &r.RDI, &r.RIP, &r.CS, &r.RFlags, &r.RSP, &r.SS, &r.FS}
}

// MarshalBinary encodes r in the 168-byte regs/int layout.
func (r IntRegisters) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, IntRegistersSize)
	for _, w := range r.words() {
		b = binary.LittleEndian.AppendUint64(b, *w)
	}
	return b, nil
}

// UnmarshalBinary decodes the 168-byte regs/int layout; other lengths are EINVAL.
func (r *IntRegisters) UnmarshalBinary(b []byte) error {
	if len(b) != IntRegistersSize {
		return fmt.Errorf("ptrace int registers: %d bytes, need %d: %w", len(b), IntRegistersSize, syscall.EINVAL)
	}
	for i, w := range r.words() {
		*w = binary.LittleEndian.Uint64(b[8*i:])
	}
	return nil
}

// FloatRegisters is Redox's x86_64 FloatRegisters (416 bytes, the FXSAVE64
// prefix; spec §2.4). Each STSpace slot holds an 80-bit value in its low
// 10 bytes; XMMSpace slots hold the low quadword first.
type FloatRegisters struct {
	FCW       uint16
	FSW       uint16
	FTW       uint8
	Reserved  uint8
	FOP       uint16
	FIP       uint64
	FDP       uint64
	MXCSR     uint32
	MXCSRMask uint32
	STSpace   [8][16]byte
	XMMSpace  [16][16]byte
}

// MarshalBinary encodes r in the 416-byte regs/float layout.
func (r FloatRegisters) MarshalBinary() ([]byte, error) {
	b := make([]byte, FloatRegistersSize)
	le := binary.LittleEndian
	le.PutUint16(b[0:], r.FCW)
	le.PutUint16(b[2:], r.FSW)
	b[4] = r.FTW
	b[5] = r.Reserved
	le.PutUint16(b[6:], r.FOP)
	le.PutUint64(b[8:], r.FIP)
	le.PutUint64(b[16:], r.FDP)
	le.PutUint32(b[24:], r.MXCSR)
	le.PutUint32(b[28:], r.MXCSRMask)
	for i := range r.STSpace {
		copy(b[32+16*i:], r.STSpace[i][:])
	}
	for i := range r.XMMSpace {
		copy(b[160+16*i:], r.XMMSpace[i][:])
	}
	return b, nil
}

// UnmarshalBinary decodes the 416-byte regs/float layout; other lengths are EINVAL.
func (r *FloatRegisters) UnmarshalBinary(b []byte) error {
	if len(b) != FloatRegistersSize {
		return fmt.Errorf("ptrace float registers: %d bytes, need %d: %w", len(b), FloatRegistersSize, syscall.EINVAL)
	}
	le := binary.LittleEndian
	r.FCW = le.Uint16(b[0:])
	r.FSW = le.Uint16(b[2:])
	r.FTW = b[4]
	r.Reserved = b[5]
	r.FOP = le.Uint16(b[6:])
	r.FIP = le.Uint64(b[8:])
	r.FDP = le.Uint64(b[16:])
	r.MXCSR = le.Uint32(b[24:])
	r.MXCSRMask = le.Uint32(b[28:])
	for i := range r.STSpace {
		copy(r.STSpace[i][:], b[32+16*i:])
	}
	for i := range r.XMMSpace {
		copy(r.XMMSpace[i][:], b[160+16*i:])
	}
	return nil
}

// EnvRegisters is Redox's later EnvRegisters (fs and gs base, 16 bytes).
type EnvRegisters struct {
	FSBase, GSBase uint64
}

// MarshalBinary encodes r as two little-endian words.
func (r EnvRegisters) MarshalBinary() ([]byte, error) {
	b := binary.LittleEndian.AppendUint64(make([]byte, 0, EnvRegistersSize), r.FSBase)
	return binary.LittleEndian.AppendUint64(b, r.GSBase), nil
}

// UnmarshalBinary decodes the 16-byte regs/env layout; other lengths are EINVAL.
func (r *EnvRegisters) UnmarshalBinary(b []byte) error {
	if len(b) != EnvRegistersSize {
		return fmt.Errorf("ptrace env registers: %d bytes, need %d: %w", len(b), EnvRegistersSize, syscall.EINVAL)
	}
	r.FSBase = binary.LittleEndian.Uint64(b)
	r.GSBase = binary.LittleEndian.Uint64(b[8:])
	return nil
}

// IntRegsFromCPU reads the integer registers of c.
func IntRegsFromCPU(c *emu.CPU) IntRegisters {
	return IntRegisters{
		R15: c.R[emu.R15], R14: c.R[emu.R14], R13: c.R[emu.R13], R12: c.R[emu.R12],
		RBP: c.R[emu.RBP], RBX: c.R[emu.RBX], R11: c.R[emu.R11], R10: c.R[emu.R10],
		R9: c.R[emu.R9], R8: c.R[emu.R8], RAX: c.R[emu.RAX], RCX: c.R[emu.RCX],
		RDX: c.R[emu.RDX], RSI: c.R[emu.RSI], RDI: c.R[emu.RDI], RIP: c.RIP,
		CS: UserCS, RFlags: c.Flags(), RSP: c.R[emu.RSP], SS: UserSS, FS: UserFS,
	}
}

// ApplyIntRegs writes r into c: the general registers, RIP, RSP and the
// WritableRFlags bits of RFlags. CS, SS and FS are ignored, as Redox does.
// Deviation from Redox 2019/2020 (spec §11.12), which also ignored RSP and
// RFLAGS: a debugger must be able to move the stack pointer and flip
// flags, so this follows the later kernels that load both.
func ApplyIntRegs(c *emu.CPU, r IntRegisters) {
	c.R[emu.R15], c.R[emu.R14], c.R[emu.R13], c.R[emu.R12] = r.R15, r.R14, r.R13, r.R12
	c.R[emu.RBP], c.R[emu.RBX], c.R[emu.R11], c.R[emu.R10] = r.RBP, r.RBX, r.R11, r.R10
	c.R[emu.R9], c.R[emu.R8], c.R[emu.RAX], c.R[emu.RCX] = r.R9, r.R8, r.RAX, r.RCX
	c.R[emu.RDX], c.R[emu.RSI], c.R[emu.RDI] = r.RDX, r.RSI, r.RDI
	c.R[emu.RSP] = r.RSP
	c.RIP = r.RIP
	c.SetFlags(c.Flags()&^WritableRFlags | r.RFlags&WritableRFlags | 2)
}

// FloatRegsFromCPU reads the x87/SSE state of c. Reserved and the top six
// bytes of every STSpace slot read as zero; MXCSRMask is MXCSRMask.
func FloatRegsFromCPU(c *emu.CPU) FloatRegisters {
	r := FloatRegisters{
		FCW: c.X87.FCW, FSW: c.X87.FSW, FTW: c.X87.FTW, FOP: c.X87.FOP,
		FIP: c.X87.FIP, FDP: c.X87.FDP, MXCSR: c.MXCSR, MXCSRMask: MXCSRMask,
	}
	for i := range r.STSpace {
		copy(r.STSpace[i][:10], c.X87.ST[i][:])
	}
	for i := range r.XMMSpace {
		binary.LittleEndian.PutUint64(r.XMMSpace[i][0:], c.XMM[i][0])
		binary.LittleEndian.PutUint64(r.XMMSpace[i][8:], c.XMM[i][1])
	}
	return r
}

// ApplyFloatRegs writes r into c. Reserved, MXCSRMask and the top six bytes
// of every STSpace slot are ignored (they stay zero, spec §2.4); MXCSR
// bits outside MXCSRMask are dropped.
func ApplyFloatRegs(c *emu.CPU, r FloatRegisters) {
	c.X87.FCW, c.X87.FSW, c.X87.FTW, c.X87.FOP = r.FCW, r.FSW, r.FTW, r.FOP
	c.X87.FIP, c.X87.FDP = r.FIP, r.FDP
	c.MXCSR = r.MXCSR & MXCSRMask
	for i := range r.STSpace {
		copy(c.X87.ST[i][:], r.STSpace[i][:10])
	}
	for i := range r.XMMSpace {
		c.XMM[i][0] = binary.LittleEndian.Uint64(r.XMMSpace[i][0:])
		c.XMM[i][1] = binary.LittleEndian.Uint64(r.XMMSpace[i][8:])
	}
}

// EnvRegsFromCPU reads the fs and gs base of c.
func EnvRegsFromCPU(c *emu.CPU) EnvRegisters {
	return EnvRegisters{FSBase: c.FSBase, GSBase: c.GSBase}
}

// ApplyEnvRegs writes the fs and gs base of c.
func ApplyEnvRegs(c *emu.CPU, r EnvRegisters) {
	c.FSBase, c.GSBase = r.FSBase, r.GSBase
}
