// Package rsp is the GDB Remote Serial Protocol server: packet framing
// (acknowledgements, checksums, escaping, no-ack mode, Ctrl-C), the packet
// handlers grouped by family (base, registers, memory, breakpoints, resume,
// threads, qXfer, host I/O, queries, monitor) and the amd64 GNU/Linux
// target description.
//
// rsp drives the debugged program only through the Tracer interface (which
// *ptrace.Session satisfies): it never runs the CPU, loads programs or knows
// how the emulator works. A stop event coming back from Tracer.Next becomes
// the stop reply sent to the debugger. Optional capabilities (Breakpointer,
// ExecFiler, AuxvReader, StopInfoer) are discovered by type assertion and
// drive the qSupported reply.
//
// Files: framing.go (packets, acks, escaping), session.go (the connection,
// negotiated state, dispatch), one file per packet family, targetxml.go.
//
// Known limitations (first cut):
//   - All-stop only, and one thread is resumed as a whole process: vCont
//     applies the first action that names the stopped thread or all threads.
//   - Signals: "C sig"/"S sig" deliver the signal the process stopped with
//     (a plain resume after a signal stop discards it, FlagIgnore); another
//     signal is injected with Kill and delivered at the stop it causes.
//   - orig_rax always reads -1 and writes to it are ignored; segment
//     selectors read cs=0x33 ss=0x2b, others 0, writes ignored.
//   - No hardware breakpoints or watchpoints (Z1-Z4 get the empty reply),
//     no AVX registers, no non-stop mode, no extended-remote.
//   - vFile serves read-only regular files by absolute path; /proc/PID/exe
//     is the tracee's executable; other /proc, /sys and /dev paths are not
//     served (ENOENT), so "info proc mappings" does not work yet.
package rsp
