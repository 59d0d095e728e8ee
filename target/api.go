package target

import (
	"errors"
	"io"

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

	// MaxMemory limits the accessible memory of each emulated address
	// space, in bytes (see DefaultMaxMemory, used when 0). Beyond it,
	// mmap, brk, mremap, mprotect and stack growth fail for the guest.
	MaxMemory uint64

	// Host is the one place through which the guest reaches the host
	// (files, clocks, terminals, ids). Nil means the real host (NewOSHost).
	Host Host
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

// String names the set bits, e.g. "breakpoint|signal".
func (m StopMask) String() string {
	names := []string{"pre-syscall", "post-syscall", "single-step", "signal", "breakpoint", "exit"}
	s := ""
	for i, n := range names {
		if m&(1<<i) != 0 {
			if s != "" {
				s += "|"
			}
			s += n
		}
	}
	if s == "" {
		return "none"
	}
	return s
}

// Event is one stop, reported by Resume.
type Event struct {
	Kind    StopMask // exactly one bit
	Tid     int
	Signo   int    // StopSignal: the pending signal (Linux numbering)
	Handler uint64 // StopSignal: the sigaction handler: 0 SIG_DFL, 1 SIG_IGN, else an address
	SigCode int    // StopSignal: si_code
	SigAddr uint64 // StopSignal: si_addr for faults
	// StopSignal: the sender of kill/tkill/sigqueue and SIGCHLD's child
	// (si_pid, si_uid), and SIGCHLD's exit code or signal (si_status).
	SigPid, SigUid, SigStatus int
	Status                    int    // StopExit: wait status (code<<8, or the terminating signal number)
	Syscall                   uint64 // StopPreSyscall/StopPostSyscall: the syscall number
}

// ErrExited is returned by Resume once the process has exited.
var ErrExited = errors.New("process has exited")

// Errors returned by Load (wrapped with context; test with errors.Is).
var (
	ErrNotELF      = errors.New("not an ELF file")
	ErrUnsupported = errors.New("unsupported executable")
	ErrDynamic     = errors.New("dynamically linked executables are not supported (has PT_INTERP); link with -static")
	ErrBadELF      = errors.New("malformed ELF executable")
)
