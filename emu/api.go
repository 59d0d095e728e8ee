package emu

// This file fixes the public API of the emu package, which the other
// packages (target, ptrace, rsp) program against. The EMU implementer owns
// every file in emu/ and may move these declarations into the files where
// they belong (memory.go, cpu.go, ...), but must keep names and signatures.

// PageSize is the guest page size.
const PageSize = 4096

// Perm is a set of page permissions.
type Perm uint8

const (
	PermRead Perm = 1 << iota
	PermWrite
	PermExec
)

// Region is a maximal run of mapped pages with the same permissions.
type Region struct {
	Start, End uint64 // [Start, End), page aligned
	Perm       Perm
}

// Signal numbers (Linux numbering) used in Fault.Signo.
const (
	SIGILL  = 4
	SIGTRAP = 5
	SIGFPE  = 8
	SIGSEGV = 11
	SIGBUS  = 7
)

// si_code values used in Fault.Code.
const (
	SEGV_MAPERR = 1
	SEGV_ACCERR = 2
	ILL_ILLOPC  = 1
	ILL_ILLOPN  = 2
	FPE_INTDIV  = 1
	FPE_INTOVF  = 2
	// SI_KERNEL is the si_code Linux uses for SIGSEGV raised by a general
	// protection fault (hlt in user mode, misaligned movdqa, ...); Addr is 0.
	SI_KERNEL = 0x80
)

// Fault describes a CPU exception turned into a signal.
type Fault struct {
	Signo int    // SIGSEGV, SIGILL, SIGFPE, SIGBUS
	Code  int    // si_code
	Addr  uint64 // faulting data address (SIGSEGV) or instruction address (SIGILL, SIGFPE)
}

func (f *Fault) Error() string {
	name := "signal " + itoa(f.Signo)
	switch f.Signo {
	case SIGSEGV:
		name = "SIGSEGV"
	case SIGILL:
		name = "SIGILL"
	case SIGFPE:
		name = "SIGFPE"
	case SIGBUS:
		name = "SIGBUS"
	case SIGTRAP:
		name = "SIGTRAP"
	}
	return name + " code " + itoa(f.Code) + " at 0x" + hex64(f.Addr)
}

func itoa(v int) string {
	if v < 0 {
		return "-" + itoa(-v)
	}
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}

func hex64(v uint64) string {
	const digits = "0123456789abcdef"
	if v < 16 {
		return digits[v : v+1]
	}
	return hex64(v>>4) + digits[v&15:v&15+1]
}

// StopReason says why CPU.Run returned.
type StopReason int

const (
	StopBudget     StopReason = iota // executed the requested number of instructions
	StopSyscall                      // executed a `syscall` instruction: RIP is past it, RCX/R11 set as hardware does
	StopBreakpoint                   // about to execute an instruction at a debugger breakpoint (Memory.SetBreakpoint); nothing executed for it. Or, when CPU.Watch reports a hit, a data watchpoint (Memory.SetWatch) trapped after the instruction completed (RIP past it)
	StopInt3                         // executed a guest int3 (0xCC): RIP is past the int3 byte
	StopFault                        // CPU.Fault is set; RIP is at the faulting instruction and no architectural state of it changed
	StopInterrupt                    // the interrupt flag passed to Run was set
)

// Register indices into CPU.R, in x86 encoding order.
const (
	RAX = iota
	RCX
	RDX
	RBX
	RSP
	RBP
	RSI
	RDI
	R8
	R9
	R10
	R11
	R12
	R13
	R14
	R15
)

// RFLAGS bits.
const (
	FlagCF = 1 << 0
	FlagPF = 1 << 2
	FlagAF = 1 << 4
	FlagZF = 1 << 6
	FlagSF = 1 << 7
	FlagTF = 1 << 8
	FlagIF = 1 << 9
	FlagDF = 1 << 10
	FlagOF = 1 << 11
)

// X87 is the x87 FPU state as FXSAVE presents it.
type X87 struct {
	FCW, FSW uint16
	FTW      uint8 // abridged tag word (1 bit per register, 1 = valid)
	FOP      uint16
	FIP, FDP uint64
	ST       [8][10]byte // 80-bit values, ST(i) relative to the top of stack, as FXSAVE stores them
}
