package rsp

import (
	"encoding/binary"
	"strings"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// Registers: g/G/p/P in the order of the target description (regnum =
// position in g): 60 registers, 560 bytes.

// gSize is the size of the g packet's register block.
const gSize = 560

// Default segment selectors, as gdbserver reports them for a Linux x86_64
// process (cs 0x33, ss 0x2b, the data segments 0). Writes are ignored.
const (
	selectorCS = 0x33
	selectorSS = 0x2b
)

// regInfo describes one register of the g block.
type regInfo struct {
	name   string
	size   int // bytes
	offset int // in the g block
}

// regTable lists the registers in regnum order.
var regTable = buildRegTable()

func buildRegTable() []regInfo {
	var t []regInfo
	off := 0
	add := func(name string, size int) {
		t = append(t, regInfo{name, size, off})
		off += size
	}
	for _, n := range []string{"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"} {
		add(n, 8)
	}
	for _, n := range []string{"eflags", "cs", "ss", "ds", "es", "fs", "gs"} {
		add(n, 4)
	}
	for i := 0; i < 8; i++ {
		add("st"+string(rune('0'+i)), 10)
	}
	for _, n := range []string{"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"} {
		add(n, 4)
	}
	for i := 0; i < 16; i++ {
		add("xmm"+itoa(i), 16)
	}
	add("mxcsr", 4)
	add("orig_rax", 8)
	add("fs_base", 8)
	add("gs_base", 8)
	return t
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return "1" + string(rune('0'+i-10))
}

// Register numbers used outside the table.
const (
	regRBP     = 6
	regRSP     = 7
	regRIP     = 16
	regOrigRAX = 57
)

// regSet is one thread's registers in ptrace's layouts.
type regSet struct {
	i    ptrace.IntRegisters
	f    ptrace.FloatRegisters
	e    ptrace.EnvRegisters
	orig uint64 // orig_rax: the syscall number at a syscall stop, else -1
}

func (s *Session) loadRegs(tid int) (regSet, error) {
	r := regSet{orig: ^uint64(0)}
	atSyscall := tid == s.stopTid // the syscall stop is the stopped thread's
	if atSyscall {
		r.orig = s.origRAX()
	}
	var err error
	if r.i, err = s.t.IntRegs(tid); err != nil {
		return r, err
	}
	if s.sys.entry && atSyscall {
		r.i.RAX = s.sys.rax // Linux's view at a syscall-entry stop
	}
	if r.f, err = s.t.FloatRegs(tid); err != nil {
		return r, err
	}
	if r.e, err = s.t.EnvRegs(tid); err != nil {
		// fs/gs base are optional: report zeros.
		r.e = ptrace.EnvRegisters{}
	}
	return r, nil
}

func (s *Session) storeRegs(tid int, r regSet, old regSet) error {
	atSyscall := tid == s.stopTid
	if s.sys.entry && atSyscall {
		// RAX is virtual at an entry stop (see syscallStop).
		s.sys.rax = r.i.RAX
		r.i.RAX, old.i.RAX = s.sys.realRAX, s.sys.realRAX
	}
	if r.i != old.i {
		if err := s.t.SetIntRegs(tid, r.i); err != nil {
			return err
		}
	}
	if r.f != old.f {
		if err := s.t.SetFloatRegs(tid, r.f); err != nil {
			return err
		}
	}
	if r.e != old.e {
		if err := s.t.SetEnvRegs(tid, r.e); err != nil {
			return err
		}
	}
	if r.orig != old.orig && atSyscall {
		s.setOrigRAX(r.orig)
	}
	return nil
}

// encode writes the 560-byte g block.
func (r *regSet) encode() []byte {
	b := make([]byte, gSize)
	le := binary.LittleEndian
	gprs := []uint64{r.i.RAX, r.i.RBX, r.i.RCX, r.i.RDX, r.i.RSI, r.i.RDI, r.i.RBP, r.i.RSP,
		r.i.R8, r.i.R9, r.i.R10, r.i.R11, r.i.R12, r.i.R13, r.i.R14, r.i.R15, r.i.RIP}
	for i, v := range gprs {
		le.PutUint64(b[8*i:], v)
	}
	le.PutUint32(b[136:], uint32(r.i.RFlags))
	le.PutUint32(b[140:], selectorCS)
	le.PutUint32(b[144:], selectorSS)
	// ds es fs gs stay 0 as on Linux.
	for i := 0; i < 8; i++ {
		copy(b[164+10*i:], r.f.STSpace[i][:10])
	}
	le.PutUint32(b[244:], uint32(r.f.FCW))
	le.PutUint32(b[248:], uint32(r.f.FSW))
	le.PutUint32(b[252:], uint32(fullTagWord(&r.f)))
	le.PutUint32(b[256:], uint32(r.f.FIP>>32)&0xffff)
	le.PutUint32(b[260:], uint32(r.f.FIP))
	le.PutUint32(b[264:], uint32(r.f.FDP>>32)&0xffff)
	le.PutUint32(b[268:], uint32(r.f.FDP))
	le.PutUint32(b[272:], uint32(r.f.FOP)&0x7ff)
	for i := 0; i < 16; i++ {
		copy(b[276+16*i:], r.f.XMMSpace[i][:])
	}
	le.PutUint32(b[532:], r.f.MXCSR)
	le.PutUint64(b[536:], r.orig)
	le.PutUint64(b[544:], r.e.FSBase)
	le.PutUint64(b[552:], r.e.GSBase)
	return b
}

// decodeReg stores register n from its bytes (len = its size).
func (r *regSet) decodeReg(n int, v []byte) {
	le := binary.LittleEndian
	u64 := func() uint64 { return le.Uint64(v) }
	u32 := func() uint32 { return le.Uint32(v) }
	switch {
	case n <= regRIP:
		ptrs := []*uint64{&r.i.RAX, &r.i.RBX, &r.i.RCX, &r.i.RDX, &r.i.RSI, &r.i.RDI, &r.i.RBP, &r.i.RSP,
			&r.i.R8, &r.i.R9, &r.i.R10, &r.i.R11, &r.i.R12, &r.i.R13, &r.i.R14, &r.i.R15, &r.i.RIP}
		*ptrs[n] = u64()
	case n == 17:
		r.i.RFlags = r.i.RFlags&^0xffffffff | uint64(u32())
	case n >= 18 && n <= 23:
		// Segment selectors are fixed in user mode; ignore writes.
	case n >= 24 && n <= 31:
		copy(r.f.STSpace[n-24][:10], v)
	case n == 32:
		r.f.FCW = uint16(u32())
	case n == 33:
		r.f.FSW = uint16(u32())
	case n == 34:
		r.f.FTW = abridgedTagWord(uint16(u32()))
	case n == 35:
		r.f.FIP = r.f.FIP&0xffffffff | uint64(u32()&0xffff)<<32
	case n == 36:
		r.f.FIP = r.f.FIP&^0xffffffff | uint64(u32())
	case n == 37:
		r.f.FDP = r.f.FDP&0xffffffff | uint64(u32()&0xffff)<<32
	case n == 38:
		r.f.FDP = r.f.FDP&^0xffffffff | uint64(u32())
	case n == 39:
		r.f.FOP = uint16(u32() & 0x7ff)
	case n >= 40 && n <= 55:
		copy(r.f.XMMSpace[n-40][:], v)
	case n == 56:
		r.f.MXCSR = u32()
	case n == regOrigRAX:
		r.orig = u64()
	case n == 58:
		r.e.FSBase = u64()
	case n == 59:
		r.e.GSBase = u64()
	}
}

// fullTagWord expands FXSAVE's abridged tag byte (1 = valid) into the
// 16-bit x87 tag word gdb expects: 0 valid, 1 zero, 2 special, 3 empty per
// physical register. STSpace is in stack order (ST0 first).
func fullTagWord(f *ptrace.FloatRegisters) uint16 {
	top := int(f.FSW>>11) & 7
	var tw uint16
	for phys := 0; phys < 8; phys++ {
		tag := uint16(3)
		if f.FTW&(1<<phys) != 0 {
			st := f.STSpace[(phys-top)&7]
			exp := binary.LittleEndian.Uint16(st[8:10]) & 0x7fff
			mant := binary.LittleEndian.Uint64(st[0:8])
			switch {
			case exp == 0x7fff:
				tag = 2
			case exp == 0 && mant == 0:
				tag = 1
			case exp == 0:
				tag = 2
			case mant&(1<<63) != 0:
				tag = 0
			default:
				tag = 2
			}
		}
		tw |= tag << (2 * phys)
	}
	return tw
}

// abridgedTagWord compresses a full tag word: a register is valid unless
// its tag is 3 (empty).
func abridgedTagWord(tw uint16) uint8 {
	var ftw uint8
	for phys := 0; phys < 8; phys++ {
		if (tw>>(2*phys))&3 != 3 {
			ftw |= 1 << phys
		}
	}
	return ftw
}

// readAllRegs answers "g".
func (s *Session) readAllRegs() response {
	if s.exited {
		return errReply
	}
	r, err := s.loadRegs(s.regTid())
	if err != nil {
		return errReply
	}
	return replyBytes(appendHexBytes(nil, r.encode()))
}

// writeAllRegs handles "G<hex>": the full block (a shorter block writes
// the registers it covers, as gdb allows).
func (s *Session) writeAllRegs(arg string) response {
	data, err := decodeHexBytes(arg)
	if err != nil || len(data) > gSize || s.exited {
		return errReply
	}
	tid := s.regTid()
	old, err := s.loadRegs(tid)
	if err != nil {
		return errReply
	}
	r := old
	for n, ri := range regTable {
		if ri.offset+ri.size > len(data) {
			break
		}
		r.decodeReg(n, data[ri.offset:ri.offset+ri.size])
	}
	if err := s.storeRegs(tid, r, old); err != nil {
		return errReply
	}
	return ok
}

// readReg answers "p<n>".
func (s *Session) readReg(arg string) response {
	n, err := parseHex(arg)
	if err != nil || n >= uint64(len(regTable)) || s.exited {
		return errReply
	}
	r, err := s.loadRegs(s.regTid())
	if err != nil {
		return errReply
	}
	ri := regTable[n]
	return replyBytes(appendHexBytes(nil, r.encode()[ri.offset:ri.offset+ri.size]))
}

// writeReg handles "P<n>=<hex>".
func (s *Session) writeReg(arg string) response {
	num, val, found := strings.Cut(arg, "=")
	if !found {
		return errReply
	}
	n, err := parseHex(num)
	if err != nil || n >= uint64(len(regTable)) || s.exited {
		return errReply
	}
	data, err := decodeHexBytes(val)
	if err != nil || len(data) != regTable[n].size {
		return errReply
	}
	tid := s.regTid()
	old, err := s.loadRegs(tid)
	if err != nil {
		return errReply
	}
	r := old
	r.decodeReg(int(n), data)
	if err := s.storeRegs(tid, r, old); err != nil {
		return errReply
	}
	return ok
}
