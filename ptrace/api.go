package ptrace

// SKELETON: fixes the public API of package ptrace that rsp programs
// against. The PTRACE implementer owns ptrace/ and replaces the bodies,
// keeping names and signatures (more may be added).

import "github.com/redox-gdbstub/redox-gdbstub/target"

// Flags is Redox's PtraceFlags: a u64 bitmask of stops, events and flags.
type Flags uint64

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

// String names the set bits with Redox's names, e.g.
// "PTRACE_STOP_BREAKPOINT|PTRACE_STOP_SIGNAL".
func (f Flags) String() string { panic("TODO") }

// EventSize is the size of an event record.
const EventSize = 56

// Event is Redox's PtraceEvent: cause (one bit) and six payload words.
type Event struct {
	Cause            Flags
	A, B, C, D, E, F uint64
}

// IntRegisters is Redox's x86_64 IntRegisters (2019/2020 layout, 168 bytes).
type IntRegisters struct {
	R15, R14, R13, R12, RBP, RBX, R11, R10, R9, R8        uint64
	RAX, RCX, RDX, RSI, RDI, RIP, CS, RFlags, RSP, SS, FS uint64
}

// FloatRegisters is Redox's x86_64 FloatRegisters (416 bytes, the FXSAVE prefix).
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

// EnvRegisters is Redox's later EnvRegisters (fs and gs base).
type EnvRegisters struct {
	FSBase, GSBase uint64
}

// Options are the open-time modes of a trace session.
type Options struct {
	StopOnOpen  bool // O_TRUNC: the tracee is stopped when the session opens
	KillOnClose bool // O_EXCL: closing the session kills the tracee
	NonBlocking bool // O_NONBLOCK
}

// Session is an open proc:<pid>/trace file.
type Session struct{}

// Open attaches a tracer to p. A second session on the same process gets EBUSY.
func Open(p *target.Process, opts Options) (*Session, error) { panic("TODO") }

// Write takes an 8-byte little-endian Flags value: arms the stops and resumes the tracee.
func (s *Session) Write(b []byte) (int, error) { panic("TODO") }

// Read fills b with whole 56-byte event records.
func (s *Session) Read(b []byte) (int, error) { panic("TODO") }

// Close detaches (killing the tracee with KillOnClose).
func (s *Session) Close() error { panic("TODO") }

// Next writes flags and then reads events until a stop arrives, which it
// returns. Events that are not stops are returned by Pending afterwards.
func (s *Session) Next(flags Flags) (Event, error) { panic("TODO") }

// Kill sends signal sig to the tracee as kill(2) would; safe to call while
// another goroutine is inside Next or Write (this is how Ctrl-C works).
func (s *Session) Kill(sig int) error { panic("TODO") }

// Pid is the tracee's process id.
func (s *Session) Pid() int { panic("TODO") }

// Threads lists the tracee's thread ids.
func (s *Session) Threads() []int { panic("TODO") }

// Exe is the tracee's executable path (proc:<pid>/exe).
func (s *Session) Exe() string { panic("TODO") }

// Auxv is the tracee's auxiliary vector.
func (s *Session) Auxv() []byte { panic("TODO") }

// ExitStatus is the tracee's wait status once it has exited.
func (s *Session) ExitStatus() (status int, exited bool) { panic("TODO") }

// IntRegs reads thread tid's integer registers (regs/int).
func (s *Session) IntRegs(tid int) (IntRegisters, error) { panic("TODO") }

// SetIntRegs writes thread tid's integer registers.
func (s *Session) SetIntRegs(tid int, r IntRegisters) error { panic("TODO") }

// FloatRegs reads thread tid's FPU/SSE registers (regs/float).
func (s *Session) FloatRegs(tid int) (FloatRegisters, error) { panic("TODO") }

// SetFloatRegs writes thread tid's FPU/SSE registers.
func (s *Session) SetFloatRegs(tid int, r FloatRegisters) error { panic("TODO") }

// EnvRegs reads thread tid's fs/gs base (regs/env).
func (s *Session) EnvRegs(tid int) (EnvRegisters, error) { panic("TODO") }

// SetEnvRegs writes thread tid's fs/gs base.
func (s *Session) SetEnvRegs(tid int, r EnvRegisters) error { panic("TODO") }

// ReadMem reads tracee memory (proc:<pid>/mem); fails as a whole with
// EFAULT if any page is unmapped.
func (s *Session) ReadMem(addr uint64, b []byte) error { panic("TODO") }

// WriteMem writes tracee memory ignoring page protections (this is how a
// debugger patches code); fails as a whole with EFAULT.
func (s *Session) WriteMem(addr uint64, b []byte) error { panic("TODO") }

// SetBreakpoint arms an address breakpoint (no code patching): reaching it
// is a StopBreakpoint with RIP at addr.
func (s *Session) SetBreakpoint(addr uint64) error { panic("TODO") }

// ClearBreakpoint removes an address breakpoint.
func (s *Session) ClearBreakpoint(addr uint64) error { panic("TODO") }
