package rsp

import (
	"encoding/binary"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// Stop details beyond Redox's event record: the stopped thread and the
// siginfo_t gdb shows as $_siginfo (qXfer:siginfo:read).

// StopInfoer is a Tracer that describes the stop the tracee is parked at
// (thread id, si_code, si_addr). *ptrace.Session provides it.
type StopInfoer interface {
	LastStop() (info ptrace.StopInfo, ok bool)
}

func hasStopInfo(s *Session) bool { _, ok := s.t.(StopInfoer); return ok }

// Linux si_code values used for traps.
const (
	siKernel  = 0x80 // SI_KERNEL: int3
	trapTrace = 2    // TRAP_TRACE: single step
	sigTRAP   = 5
)

// siginfoSize is sizeof(siginfo_t) on x86_64.
const siginfoSize = 128

// stopSiginfo is the Linux-layout siginfo of the last stop, if known.
type stopSiginfo struct {
	valid bool
	signo int
	code  int
	addr  uint64
}

// recordStop learns the stopped thread and the siginfo of a stop from the
// tracer's LastStop; it returns the stopped thread (fallback: main).
func (s *Session) recordStop(cause stopCause, rip uint64) int {
	s.siginfo = stopSiginfo{}
	s.siginfoWritten = nil
	// A stop selects the thread that stopped for g/G/p/P/m/M, as gdbserver
	// does: gdb reads registers after a stop reply without sending Hg.
	s.gTid = 0
	tid := s.mainTid()
	si, has := s.t.(StopInfoer)
	if !has {
		return tid
	}
	ev, ok := si.LastStop()
	if !ok {
		return tid
	}
	if ev.Tid > 0 {
		tid = ev.Tid
	}
	switch cause {
	case causeBreakpoint:
		s.siginfo = stopSiginfo{true, sigTRAP, siKernel, 0}
	case causeStep:
		s.siginfo = stopSiginfo{true, sigTRAP, trapTrace, rip}
	case causeSyscall:
		// What Linux shows for a syscall stop with PTRACE_O_TRACESYSGOOD.
		s.siginfo = stopSiginfo{true, sigTRAP, sigTRAP | 0x80, 0}
	case causeSignal:
		s.siginfo = stopSiginfo{true, ev.Signo, ev.SigCode, ev.SigAddr}
	}
	return tid
}

// siginfoBytes encodes the x86_64 siginfo_t: si_signo, si_errno, si_code,
// then the union, where si_addr (faults) sits at offset 16.
func (si stopSiginfo) bytes() []byte {
	b := make([]byte, siginfoSize)
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(si.signo))
	le.PutUint32(b[8:], uint32(int32(si.code)))
	le.PutUint64(b[16:], si.addr)
	return b
}

// siginfoBytes is the siginfo of the last stop as the client last wrote it
// (qXfer:siginfo:write) or as the stop made it.
func (s *Session) siginfoBytes() []byte {
	if s.siginfoWritten != nil {
		return s.siginfoWritten
	}
	return s.siginfo.bytes()
}

// siginfoWrite handles "qXfer:siginfo:write::<offset>:<data>" (gdb's
// "set $_siginfo..."). The bytes are kept for later reads of this stop.
// Redox's ptrace has no way to change a parked signal's siginfo, so a
// changed si_signo does not change the signal that is delivered: the
// client chooses that with C/S.
func (s *Session) siginfoWrite(annex, span string) response {
	if !hasStopInfo(s) {
		return empty
	}
	offPart, data, found := cut(span, ':')
	if !found || annex != "" {
		return errReply
	}
	off, err := parseHex(offPart)
	if err != nil {
		return errReply
	}
	if s.exited || !s.siginfo.valid {
		return reply("E01")
	}
	if off > siginfoSize || uint64(len(data)) > siginfoSize-off {
		return reply("E01")
	}
	if s.siginfoWritten == nil {
		s.siginfoWritten = s.siginfo.bytes()
	}
	copy(s.siginfoWritten[off:], data)
	return reply(hexString(uint64(len(data))))
}
