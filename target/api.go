package target

// SKELETON: fixes the public API of package target that ptrace programs
// against. The TARGET implementer owns target/ and replaces the bodies,
// keeping names and signatures (more may be added).

import (
	"errors"
	"io"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
	"github.com/sirupsen/logrus"
)

// Config says what to load and how the process talks to the host.
type Config struct {
	Path   string   // host path of the executable (AT_EXECFN, /proc/self/exe); read from disk when Image is nil
	Image  []byte   // optional executable contents (the embedded demo)
	Args   []string // argv, argv[0] included
	Env    []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Log    logrus.FieldLogger
	Pid    int // emulated process id; 0 picks FirstPid
}

// FirstPid is the default emulated pid: above Linux's pid_max, so it can
// never name a host process (lldb would otherwise read /proc/PID/exe).
const FirstPid = 4200000

// StopMask is a set of places where the process stops for its tracer.
type StopMask uint32

const (
	StopPreSyscall  StopMask = 1 << iota // before a syscall runs; RAX is the number
	StopPostSyscall                      // after a syscall; RAX is the result
	StopSingleStep                       // after one instruction
	StopSignal                           // before a signal is acted upon
	StopBreakpoint                       // at a debugger breakpoint (RIP = its address) or a guest int3 (RIP = the int3 byte)
	StopExit                             // just before the process exits for good
)

// Event is one stop, reported by Resume.
type Event struct {
	Kind    StopMask // exactly one bit
	Tid     int
	Signo   int    // StopSignal: the pending signal (Linux numbering)
	Handler uint64 // StopSignal: the sigaction handler: 0 SIG_DFL, 1 SIG_IGN, else an address
	SigCode int    // StopSignal: si_code
	SigAddr uint64 // StopSignal: si_addr for faults
	Status  int    // StopExit: wait status (code<<8, or the terminating signal number)
	Syscall uint64 // StopPreSyscall/StopPostSyscall: the syscall number
}

// ErrExited is returned by Resume once the process has exited.
var ErrExited = errors.New("process has exited")

// Thread is one guest thread.
type Thread struct {
	Tid int
	CPU *emu.CPU
}

// Process is one emulated process.
type Process struct {
	Pid int
	Mem *emu.Memory
	Exe string // absolute host path of the executable
}

// Load loads a static ELF64 executable (ET_EXEC or static-PIE) and builds
// its initial stack. The process is stopped at its entry point.
func Load(cfg Config) (*Process, error) { panic("TODO") }

// Threads lists the live threads, the first being the main thread.
func (p *Process) Threads() []*Thread { panic("TODO") }

// Auxv returns the auxiliary vector as placed on the initial stack.
func (p *Process) Auxv() []byte { panic("TODO") }

// Resume continues the process from where it last stopped and runs until
// one of the stops in mask is reached, which it returns. ignore applies to
// the stop the process is parked at: after a StopPreSyscall it skips the
// syscall and leaves RAX as the tracer set it; after a StopSignal it
// discards the signal (never SIGKILL). Resume returns ErrExited when the
// process has exited (after its StopExit, or without one if it was not
// armed); ExitStatus then tells how. Resume must not be called concurrently.
func (p *Process) Resume(mask StopMask, ignore bool) (Event, error) { panic("TODO") }

// Kill queues signal sig for the process, as kill(2) would, and makes a
// running Resume notice it promptly (within milliseconds). Safe to call
// from any goroutine, concurrently with Resume. SIGKILL terminates.
func (p *Process) Kill(sig int) { panic("TODO") }

// ExitStatus reports the wait status once the process has exited.
func (p *Process) ExitStatus() (status int, exited bool) { panic("TODO") }
