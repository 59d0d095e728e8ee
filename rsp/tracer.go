package rsp

import "github.com/redox-gdbstub/redox-gdbstub/ptrace"

// Tracer is what the packet layer needs from the trace session that owns the
// debugged process. *ptrace.Session satisfies it (and all the optional
// capability interfaces below). Tests use a fake.
type Tracer interface {
	// Next arms the stops in flags, resumes the tracee and returns the
	// stop it reaches.
	Next(flags ptrace.Flags) (ptrace.Event, error)
	// Kill sends a signal (Linux numbering); safe while Next runs.
	Kill(sig int) error
	Pid() int
	Threads() []int
	// ExitStatus is the wait status once the tracee has exited.
	ExitStatus() (status int, exited bool)
	IntRegs(tid int) (ptrace.IntRegisters, error)
	SetIntRegs(tid int, r ptrace.IntRegisters) error
	FloatRegs(tid int) (ptrace.FloatRegisters, error)
	SetFloatRegs(tid int, r ptrace.FloatRegisters) error
	EnvRegs(tid int) (ptrace.EnvRegisters, error)
	SetEnvRegs(tid int, r ptrace.EnvRegisters) error
	// ReadMem and WriteMem fail as a whole if any page is unmapped.
	ReadMem(addr uint64, b []byte) error
	WriteMem(addr uint64, b []byte) error
	Close() error
}

// Breakpointer is a Tracer with address breakpoints (Z0/z0, swbreak+).
type Breakpointer interface {
	SetBreakpoint(addr uint64) error
	ClearBreakpoint(addr uint64) error
}

// ExecFiler is a Tracer that knows the tracee's executable path
// (qXfer:exec-file:read, vFile access to the executable).
type ExecFiler interface {
	Exe() string
}

// ThreadNamer is a Tracer that knows its threads' names (Linux's comm),
// shown by gdb's "info threads" through qXfer:threads:read.
type ThreadNamer interface {
	ThreadName(tid int) (string, error)
}

// ThreadController is a Tracer that can say which thread a resume moves
// (ptrace.Session's Focus and LockScheduler): the thread that steps, and
// scheduler locking (tid 0 lifts it).
type ThreadController interface {
	Focus(tid int) error
	LockScheduler(tid int) error
}

// AuxvReader is a Tracer that exposes the auxiliary vector (qXfer:auxv:read).
type AuxvReader interface {
	Auxv() []byte
}

// FullTracer is everything *ptrace.Session offers.
type FullTracer interface {
	Tracer
	Breakpointer
	ExecFiler
	AuxvReader
}

// MemoryAllocator is a Tracer that maps memory in the tracee for the
// debugger (lldb's _M/_m, used for JIT-compiled expressions).
// *ptrace.Session provides it.
type MemoryAllocator interface {
	AllocateMemory(size uint64, read, write, exec bool) (uint64, error)
	DeallocateMemory(addr, size uint64) error
}

// ProcInfoer is a Tracer that describes the tracee process (qProcessInfo's
// parent pid and ids, qGetWorkingDir). *ptrace.Session provides it.
type ProcInfoer interface {
	ProcInfo() (ptrace.ProcInfo, error)
}
