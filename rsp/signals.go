package rsp

// Signal numbers: the protocol uses GDB's own enumeration
// (include/gdb/signals.def), which differs from Linux for several signals.

const (
	sigINT  = 2
	sigKILL = 9
)

// gdbSignalUnknown is GDB_SIGNAL_UNKNOWN.
const gdbSignalUnknown = 143

// linuxToGDB maps Linux x86_64 signals 1..31 to GDB numbers.
var linuxToGDB = [32]int{
	0:  0,
	1:  1,                // HUP
	2:  2,                // INT
	3:  3,                // QUIT
	4:  4,                // ILL
	5:  5,                // TRAP
	6:  6,                // ABRT
	7:  10,               // BUS
	8:  8,                // FPE
	9:  9,                // KILL
	10: 30,               // USR1
	11: 11,               // SEGV
	12: 31,               // USR2
	13: 13,               // PIPE
	14: 14,               // ALRM
	15: 15,               // TERM
	16: gdbSignalUnknown, // STKFLT has no GDB number
	17: 20,               // CHLD
	18: 19,               // CONT
	19: 17,               // STOP
	20: 18,               // TSTP
	21: 21,               // TTIN
	22: 22,               // TTOU
	23: 16,               // URG
	24: 24,               // XCPU
	25: 25,               // XFSZ
	26: 26,               // VTALRM
	27: 27,               // PROF
	28: 28,               // WINCH
	29: 23,               // IO (POLL)
	30: 32,               // PWR
	31: 12,               // SYS
}

// linuxToGDBSignal converts a Linux signal number to GDB's numbering.
// Real-time signals: Linux 32 is GDB 77, Linux 33..63 are GDB 45..75.
func linuxToGDBSignal(sig int) int {
	switch {
	case sig >= 0 && sig < 32:
		return linuxToGDB[sig]
	case sig == 32:
		return 77
	case sig >= 33 && sig <= 63:
		return sig - 33 + 45
	}
	return gdbSignalUnknown
}

// gdbToLinuxSignal is the inverse; 0 when there is no Linux equivalent.
func gdbToLinuxSignal(g int) int {
	for l := 1; l < 64; l++ {
		if linuxToGDBSignal(l) == g && g != gdbSignalUnknown {
			return l
		}
	}
	return 0
}
