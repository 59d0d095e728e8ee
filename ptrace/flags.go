package ptrace

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// Flags is Redox's PtraceFlags: a u64 bitmask of stops, events and flags,
// written to the trace file as 8 little-endian bytes.
type Flags uint64

// The values are exactly those of the redox_syscall crate (spec §2.1).
const (
	StopPreSyscall  Flags = 0x0001 // PTRACE_STOP_PRE_SYSCALL
	StopPostSyscall Flags = 0x0002 // PTRACE_STOP_POST_SYSCALL
	StopSingleStep  Flags = 0x0004 // PTRACE_STOP_SINGLESTEP
	StopSignal      Flags = 0x0008 // PTRACE_STOP_SIGNAL
	StopBreakpoint  Flags = 0x0010 // PTRACE_STOP_BREAKPOINT
	StopExit        Flags = 0x0020 // PTRACE_STOP_EXIT
	StopMask        Flags = 0x00FF // PTRACE_STOP_MASK
	EventClone      Flags = 0x0100 // PTRACE_EVENT_CLONE
	EventMask       Flags = 0x0F00 // PTRACE_EVENT_MASK
	FlagIgnore      Flags = 0x1000 // PTRACE_FLAG_IGNORE
	FlagSysemu      Flags = 0x1000 // PTRACE_FLAG_SYSEMU (old name of FlagIgnore)
	FlagWait        Flags = 0x2000 // PTRACE_FLAG_WAIT (2019 design)
	FlagMask        Flags = 0xF000 // PTRACE_FLAG_MASK
)

// FlagsSize is the size of an operation written to the trace file.
const FlagsSize = 8

// KnownMask is every bit the kernel accepts: the three MASK constants are
// members of the bitflags set, so any bit in 0..15 is "known" (spec §2.1).
const KnownMask = StopMask | EventMask | FlagMask

// flagNames names the declared single bits, in bit order. FlagSysemu is
// printed under its current name, PTRACE_FLAG_IGNORE.
var flagNames = [...]struct {
	bit  Flags
	name string
}{
	{StopPreSyscall, "PTRACE_STOP_PRE_SYSCALL"},
	{StopPostSyscall, "PTRACE_STOP_POST_SYSCALL"},
	{StopSingleStep, "PTRACE_STOP_SINGLESTEP"},
	{StopSignal, "PTRACE_STOP_SIGNAL"},
	{StopBreakpoint, "PTRACE_STOP_BREAKPOINT"},
	{StopExit, "PTRACE_STOP_EXIT"},
	{EventClone, "PTRACE_EVENT_CLONE"},
	{FlagIgnore, "PTRACE_FLAG_IGNORE"},
	{FlagWait, "PTRACE_FLAG_WAIT"},
}

// String names the set bits with Redox's names joined by '|' in bit order,
// e.g. "PTRACE_STOP_SIGNAL|PTRACE_STOP_BREAKPOINT". Bits without a declared
// name are appended as one hexadecimal term ("PTRACE_STOP_SIGNAL|0x40");
// zero is "0". The exact values of the three masks print as
// PTRACE_STOP_MASK, PTRACE_EVENT_MASK and PTRACE_FLAG_MASK.
func (f Flags) String() string {
	switch f {
	case 0:
		return "0"
	case StopMask:
		return "PTRACE_STOP_MASK"
	case EventMask:
		return "PTRACE_EVENT_MASK"
	case FlagMask:
		return "PTRACE_FLAG_MASK"
	}
	var b strings.Builder
	rest := f
	for _, n := range flagNames {
		if f&n.bit == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString(n.name)
		rest &^= n.bit
	}
	if rest != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString("0x")
		b.WriteString(strconv.FormatUint(uint64(rest), 16))
	}
	return b.String()
}

// Stops returns only the stop bits of f.
func (f Flags) Stops() Flags { return f & StopMask }

// Events returns only the event bits of f.
func (f Flags) Events() Flags { return f & EventMask }

// IsStop reports whether f (an event cause) contains a stop bit.
func (f Flags) IsStop() bool { return f&StopMask != 0 }

// Validate accepts any combination of bits 0..15 and rejects bits 16..63
// with EINVAL, as the kernel's bitflags from_bits does (spec §2.1, §11.10).
// Bits without a meaning here (0x40, 0x80, 0x200, ...) are accepted and
// never fire.
func (f Flags) Validate() error {
	if f&^KnownMask != 0 {
		return fmt.Errorf("ptrace flags %#x: reserved bits %#x set: %w",
			uint64(f), uint64(f&^KnownMask), syscall.EINVAL)
	}
	return nil
}

// MarshalBinary encodes f as the 8 little-endian bytes written to the trace file.
func (f Flags) MarshalBinary() ([]byte, error) {
	return binary.LittleEndian.AppendUint64(make([]byte, 0, FlagsSize), uint64(f)), nil
}

// ParseFlags decodes and validates an operation written to the trace file:
// the first 8 bytes of b, little-endian. Fewer than 8 bytes give
// io.ErrShortBuffer-free behaviour of the kernel is the caller's business
// (Session.Write returns 0); here they give EINVAL.
func ParseFlags(b []byte) (Flags, error) {
	if len(b) < FlagsSize {
		return 0, fmt.Errorf("ptrace flags: %d bytes, need %d: %w", len(b), FlagsSize, syscall.EINVAL)
	}
	f := Flags(binary.LittleEndian.Uint64(b))
	if err := f.Validate(); err != nil {
		return 0, err
	}
	return f, nil
}
