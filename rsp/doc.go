// Package rsp is the GDB Remote Serial Protocol server: packet framing
// (acknowledgements, checksums, escaping, no-ack mode, Ctrl-C), the packet
// handlers grouped by family (base, registers, memory, breakpoints, resume,
// threads, qXfer, host I/O, queries, monitor) and the amd64 GNU/Linux
// target description.
//
// rsp drives the debugged program only through the Tracer interface (which
// *ptrace.Session satisfies): it never runs the CPU, loads programs or knows
// how the emulator works. A stop event coming back from Tracer.Next becomes
// the stop reply sent to the debugger, unless the stub resumes it by
// itself: syscalls the client does not catch (QCatchSyscalls), signals it
// passes (QPassSignals), breakpoints whose agent-expression conditions are
// false (ConditionalBreakpoints+), breakpoints with agent commands (agent
// dprintf, BreakpointCommands+: their printf output goes to the console)
// and steps inside a vCont;r range are all handled without a round trip. Optional capabilities (Breakpointer,
// ExecFiler, AuxvReader, StopInfoer, RegionLister, InstructionCounter,
// PtraceStater) are discovered by type assertion and drive the qSupported
// reply and what the stub can answer.
//
// Files: framing.go (packets, acks, escaping, RLE), session.go (the
// connection, negotiated state, dispatch), one file per packet family
// (resume.go, syscalls.go, breakpoints.go with agentexpr.go and
// printf.go, watchpoints.go, registers.go, memory.go, memsearch.go, qxfer.go, siginfo.go, hostio.go with procfs.go,
// query.go, monitor.go, threads.go, forks.go for fork/vfork/exec events
// and the session's several processes, nonstop.go for non-stop mode,
// lldb.go for lldb's packets), targetxml.go.
//
// Known limitations:
//   - All-stop by default: a vCont action for one thread makes it the
//     thread that runs first and steps (ptrace Focus); an action for one
//     thread without a default runs only that thread (LockScheduler).
//     Non-stop mode (nonstop.go) holds stopped threads while the others
//     run; a signal a held thread stopped with is dropped when the others
//     resume. Only the current process of the session is resumed (gdb's
//     schedule-multiple off).
//   - Signals: "C sig"/"S sig" deliver the signal the process stopped with
//     (a plain resume after a signal stop discards it, FlagIgnore); another
//     signal is injected with Kill and delivered at the stop it causes.
//     qXfer:siginfo:write changes what later reads show, not the signal.
//   - orig_rax is the syscall number at syscall stops and -1 elsewhere;
//     segment selectors read cs=0x33 ss=0x2b, others 0, writes ignored.
//   - Watchpoints (Z2-Z4, watchpoints.go) are exact and unlimited, but
//     not triggered by syscalls writing guest memory. No AVX registers;
//     extended remote (extended.go) has no vAttach.
//   - Agent printf (dprintf): %d %i %u %x %X %o %c %s %p %% with flags,
//     width, precision and h/l/ll/z/j/t modifiers, and %f %e %E %g %G,
//     which read the 64-bit argument as a double's bits (gdb cannot put a
//     double into agent bytecode; *(long *)&dblvar works, see printf.go).
//     The "persist" flag of breakpoint commands is ignored (the program
//     ends when gdb disconnects).
//   - vFile reads, writes, creates and unlinks host files by absolute
//     path (gdb's remote get/put/delete), and serves the emulated
//     process's /proc/PID/{maps,cmdline,exe} read-only; other /proc, /sys
//     and /dev paths are not served (ENOENT). See hostio.go for why.
package rsp
