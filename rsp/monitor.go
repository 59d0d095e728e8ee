package rsp

import (
	"fmt"
	"sort"
	"strings"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// monitor commands (qRcmd,<hex>): gdb's "monitor CMD". gdb's testsuite ends
// every gdbserver session with "monitor exit".

const monitorHelp = "The following monitor commands are supported:\n" +
	"  help -- show this text\n" +
	"  exit -- kill the program and end the session\n" +
	"  ptrace -- show the trace session: armed flags and queued events (Redox names)\n" +
	"  strace on|off -- print the program's system calls here while it runs\n" +
	"  stats -- show instructions executed, packets served and stops handled in the stub\n"

// InstructionCounter is a Tracer that counts the instructions the tracee
// has executed ("monitor stats"). *ptrace.Session provides it.
type InstructionCounter interface {
	InstructionsExecuted() (uint64, error)
}

// PtraceStater is a Tracer that shows its trace-file state ("monitor
// ptrace"). *ptrace.Session provides it.
type PtraceStater interface {
	ArmedFlags() (armed ptrace.Flags, reached bool)
	Queued() (queue, pending []ptrace.Event)
}

// monitor handles the hex-encoded command of qRcmd.
func (s *Session) monitor(hexCmd string) response {
	b, err := decodeHexBytes(hexCmd)
	if err != nil {
		return errReply
	}
	out := func(text string) response { return response{output: []string{text}, reply: []byte("OK")} }
	switch strings.TrimSpace(string(b)) {
	case "exit":
		return response{reply: []byte("OK"), after: afterKill}
	case "help":
		return out(monitorHelp)
	case "ptrace":
		return out(s.ptraceReport())
	case "stats":
		return out(s.statsReport())
	case "strace on":
		return out(s.setStrace(true))
	case "strace off":
		return out(s.setStrace(false))
	}
	return out("Unknown monitor command.\n\n")
}

// ptraceReport describes the trace session in Redox's names.
func (s *Session) ptraceReport() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pid %d, threads %v\n", s.t.Pid(), s.t.Threads())
	if ps, has := s.t.(PtraceStater); has {
		armed, reached := ps.ArmedFlags()
		state := "pending"
		if reached {
			state = "reached"
		}
		fmt.Fprintf(&b, "armed: %v (%s)\n", armed, state)
		queue, pending := ps.Queued()
		fmt.Fprintf(&b, "queued events: %d\n", len(queue))
		for _, e := range queue {
			fmt.Fprintf(&b, "  %v\n", e)
		}
		fmt.Fprintf(&b, "pending events (set aside by Next): %d\n", len(pending))
		for _, e := range pending {
			fmt.Fprintf(&b, "  %v\n", e)
		}
	}
	if s.exited {
		b.WriteString("the process has exited\n")
		return b.String()
	}
	fmt.Fprintf(&b, "continue arms: %v\n", s.resumeFlags(resumeReq{}))
	fmt.Fprintf(&b, "step arms: %v\n", s.resumeFlags(resumeReq{step: true}))
	if s.pendingSig != 0 {
		fmt.Fprintf(&b, "parked at: PTRACE_STOP_SIGNAL, signal %d (a plain continue adds PTRACE_FLAG_IGNORE)\n", s.pendingSig)
	}
	switch {
	case s.sys.entry:
		fmt.Fprintf(&b, "parked at: PTRACE_STOP_PRE_SYSCALL, syscall %d", s.sys.nr)
		if s.sys.skip {
			b.WriteString(" (skipped: the next resume adds PTRACE_FLAG_IGNORE)")
		}
		b.WriteString("\n")
	case s.sys.ret:
		fmt.Fprintf(&b, "parked at: PTRACE_STOP_POST_SYSCALL, syscall %d\n", int64(s.sys.nr))
	}
	if s.catchSyscalls {
		if s.catchList == nil {
			b.WriteString("catching: every syscall\n")
		} else {
			fmt.Fprintf(&b, "catching syscalls: %v\n", sortedKeys(s.catchList))
		}
	}
	if len(s.passSignals) > 0 {
		fmt.Fprintf(&b, "passed signals (Linux numbers): %v\n", sortedKeys(s.passSignals))
	}
	return b.String()
}

// statsReport gives the counters of "monitor stats".
func (s *Session) statsReport() string {
	var b strings.Builder
	if ic, has := s.t.(InstructionCounter); has {
		if n, err := ic.InstructionsExecuted(); err == nil {
			fmt.Fprintf(&b, "instructions executed: %d\n", n)
		} else {
			fmt.Fprintf(&b, "instructions executed: unknown (%v)\n", err)
		}
	}
	fmt.Fprintf(&b, "packets served: %d\n", s.packets)
	fmt.Fprintf(&b, "stops resumed inside the stub: %d\n", s.silentStops)
	fmt.Fprintf(&b, "breakpoint conditions evaluated: %d\n", s.condEvals)
	return b.String()
}

func sortedKeys[K int | uint64, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// consoleOutput is an "O<hex text>" packet.
func consoleOutput(text string) []byte {
	return appendHexBytes([]byte{'O'}, []byte(text))
}
