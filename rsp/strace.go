package rsp

import (
	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// "monitor strace on|off": every system call of the tracee is printed on
// gdb's console (O packets) while it runs, in strace's format. The session's
// tracer is wrapped: the wrapper arms PRE/POST syscall stops on every
// continue, hands each stop to the formatter and resumes the stops the
// session did not ask for itself, so the rest of the session (catch
// syscall, breakpoints, signals) sees the same stops as without it.

// SyscallFormatter formats one stop of the tracee behind t (PRE/POST
// syscall, signal, exit) as strace would print it; "" prints nothing. It
// is called from the goroutine that waits for the tracee, one stop at a
// time.
type SyscallFormatter func(t Tracer, ev ptrace.Event) string

// straceable is a tracer with every capability the session may use, which
// the strace wrapper passes through.
type straceable interface {
	Tracer
	Breakpointer
	ExecFiler
	AuxvReader
	StopInfoer
	InstructionCounter
	PtraceStater
	RegionLister
	Watchpointer
}

const syscallStops = ptrace.StopPreSyscall | ptrace.StopPostSyscall

// straceTracer is a tracer whose syscalls are streamed to the console.
type straceTracer struct {
	straceable
	format SyscallFormatter
	emit   func(text string)
}

// wrap returns a wrapper like w around t (after a new run), or t itself if
// it lacks a capability.
func (w *straceTracer) wrap(t Tracer) Tracer {
	full, has := t.(straceable)
	if !has {
		return t
	}
	return &straceTracer{straceable: full, format: w.format, emit: w.emit}
}

// Next arms the syscall stops as well as flags (except when stepping: a
// step reports no syscall stops) and resumes silently the ones the caller
// did not arm, after printing them.
func (w *straceTracer) Next(flags ptrace.Flags) (ptrace.Event, error) {
	if flags&ptrace.StopBreakpoint == 0 {
		// Not a client's resume (every one arms breakpoints) but a kill
		// or a detach draining the tracee: nothing to show.
		return w.straceable.Next(flags)
	}
	wanted := flags & syscallStops
	if flags&ptrace.StopSingleStep == 0 {
		flags |= syscallStops
	}
	for {
		ev, err := w.straceable.Next(flags)
		if err != nil {
			return ev, err
		}
		if text := w.format(w.straceable, ev); text != "" {
			w.emit(text)
		}
		if ev.Cause&syscallStops != 0 && ev.Cause&wanted == 0 &&
			ev.Cause&^syscallStops&ptrace.StopMask == 0 {
			// A stop only strace asked for: on with the program.
			flags &^= ptrace.FlagIgnore
			continue
		}
		return ev, nil
	}
}

// setStrace turns the console trace on or off; it reports a message for
// the console.
func (s *Session) setStrace(on bool) string {
	if s.cfg.SyscallFormatter == nil {
		return "strace is not available in this stub.\n"
	}
	cur, wrapped := s.t.(*straceTracer)
	switch {
	case on && !wrapped:
		w := &straceTracer{format: s.cfg.SyscallFormatter, emit: s.consoleAsync}
		if s.tracerClosed {
			// No process yet: wrap the next one.
			w.straceable = noProcess{}
			s.t = w
			return "strace on.\n"
		}
		t := w.wrap(s.t)
		if _, ok := t.(*straceTracer); !ok {
			return "strace is not available for this process.\n"
		}
		s.t = t
	case !on && wrapped:
		s.t = cur.straceable
	}
	if on {
		return "strace on.\n"
	}
	return "strace off.\n"
}

// consoleAsync sends text as an O packet while the program runs (the
// client accepts console output until the stop reply).
func (s *Session) consoleAsync(text string) {
	if err := s.writeRaw(encodePacket(consoleOutput(text))); err != nil {
		s.log.WithError(err).Debug("strace output")
	}
}

// The capabilities of a session without a process: the same as a
// launched one's (qSupported is answered before the first run).
func (noProcess) SetBreakpoint(uint64) error                             { return errNoProcess }
func (noProcess) ClearBreakpoint(uint64) error                           { return errNoProcess }
func (noProcess) Exe() string                                            { return "" }
func (noProcess) Auxv() []byte                                           { return nil }
func (noProcess) LastStop() (ptrace.StopInfo, bool)                      { return ptrace.StopInfo{}, false }
func (noProcess) InstructionsExecuted() (uint64, error)                  { return 0, errNoProcess }
func (noProcess) ArmedFlags() (ptrace.Flags, bool)                       { return 0, false }
func (noProcess) Queued() (q, p []ptrace.Event)                          { return nil, nil }
func (noProcess) MemoryRegions() ([]ptrace.Region, error)                { return nil, errNoProcess }
func (noProcess) SetWatchpoint(uint64, uint64, ptrace.WatchKind) error   { return errNoProcess }
func (noProcess) ClearWatchpoint(uint64, uint64, ptrace.WatchKind) error { return errNoProcess }
