package target

import (
	"errors"
	"io"
	"syscall"
)

// Linux errno values returned (negated) by the emulated syscalls.
const (
	ePERM        = 1
	eNOENT       = 2
	eSRCH        = 3
	eINTR        = 4
	eIO          = 5
	e2BIG        = 7
	eNOEXEC      = 8
	eBADF        = 9
	eCHILD       = 10
	eAGAIN       = 11
	eNOMEM       = 12
	eACCES       = 13
	eFAULT       = 14
	eEXIST       = 17
	eNODEV       = 19
	eNOTDIR      = 20
	eISDIR       = 21
	eINVAL       = 22
	eMFILE       = 24
	eNOTTY       = 25
	eSPIPE       = 29
	ePIPE        = 32
	eRANGE       = 34
	eNAMETOOLONG = 36
	eNOSYS       = 38
	eTIMEDOUT    = 110
	eNOTSUP      = 95
)

// errnoOf turns a host error into a Linux errno (positive).
func errnoOf(err error) int64 {
	var e syscall.Errno
	if errors.As(err, &e) && e != 0 {
		return int64(e)
	}
	var ee errnoError
	if errors.As(err, &ee) {
		return int64(ee)
	}
	if errors.Is(err, io.ErrShortWrite) {
		return eIO
	}
	return eIO
}

// fail returns the syscall result for errno e.
func fail(e int64) uint64 { return uint64(-e) }
