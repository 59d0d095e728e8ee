// Package ptrace is Redox OS's ptrace model (the "ptrace overhaul") over an
// emulated target.Process: operation flags, 56-byte event records, trace
// sessions that arm stops and resume the tracee, register structs in
// Redox's IntRegisters/FloatRegisters layouts, and tracee memory.
//
// ptrace knows nothing about the GDB remote protocol, and it never runs the
// CPU itself: it asks target to resume and to stop.
//
// # Sessions
//
// A Session is Redox's proc:<pid>/trace file (spec: redox-ptrace.md §4).
// Registry.Open allows one session per process (EBUSY for a second one);
// the package-level Open uses a fresh Registry per call and so checks
// nothing across calls. A target.Process only runs inside Resume, so every
// tracee is stopped until the first resuming write, whether or not
// StopOnOpen is set.
//
// Exactly one goroutine per session, the runner, calls target's Resume.
// A resuming write starts it with the armed stop bits; when Resume returns
// a stop, the runner queues its event (STOP_SIGNAL a = signal, b = handler;
// STOP_EXIT a = wait status; other stops all zero), marks the armed stop
// reached and ends: the tracee is then parked at that stop. When Resume
// returns target.ErrExited the tracee is gone: queued events can still be
// read, then every operation gives ESRCH (never a hang).
//
// Errors are syscall.Errno values wrapped with context: test them with
// errors.Is(err, syscall.EBUSY) and so on.
//
// # Write (Mode2019, the default: kernel cf0a7620, spec §4.2)
//
//  1. Fewer than 8 bytes: returns 0, nil and does nothing. Bits 16..63:
//     EINVAL. Closed session: EBADF. Exited tracee: ESRCH.
//  2. The write resumes the tracee unless it carries FlagWait and no stop
//     bit. A resuming write while the tracee still runs (its previous
//     resume has not reached a stop) fails with EBUSY and changes nothing:
//     target cannot change the stops of a running Resume.
//  3. A resuming write replaces the breakpoint: it arms the write's stop
//     bits if it has any, else nothing ("event-only writes arm nothing",
//     §11.6; in Mode2020 an EVENT_CLONE-only write does arm). EVENT_CLONE
//     in the breakpoint reports new threads and child processes: see
//     clone.go for the event, the frozen child and the thawing rules.
//     With nothing armed the tracee runs unobserved until it exits (or is
//     killed): write(0) is "run to completion".
//  4. FlagIgnore applies to the stop the tracee is parked at, decided now:
//     after STOP_PRE_SYSCALL it skips the syscall (RAX stays as the tracer
//     set it), after STOP_SIGNAL it drops the signal (never SIGKILL). As in
//     Redox it only counts when the write also arms a stop bit (§4.3).
//  5. A blocking session, or any write carrying FlagWait, then waits until
//     the tracee is no longer running or an event is queued. Unread events
//     make it return at once (the tracee was still resumed). If it woke
//     because the tracee exited with nothing queued: ESRCH. A FlagWait-only
//     write on a parked tracee returns at once. Otherwise it returns 8.
//
// # Read (Mode2019)
//
// Never blocks. Returns as many whole 56-byte records as fit in b, oldest
// first (FIFO). With nothing queued: ESRCH once the tracee has exited,
// else 0, nil. A buffer shorter than 56 bytes reads 0 records.
//
// # Mode2020 (kernel f0760390, spec §4.3, §4.4)
//
// A write arms on any stop or event bit (else clears), always resumes (EBUSY
// while the tracee runs) and never waits, FlagWait included. A blocking read
// waits while the tracee runs and nothing is queued; queued events are
// drained before ESRCH is reported (kinder than the 2020 kernel, §11.8);
// with nothing to read and the armed stop not reached it gives EAGAIN (on a
// blocking session this only happens when nothing is running, instead of
// hanging).
//
// # Next (the typed helper the rsp layer uses; both modes)
//
// Next(flags) validates flags (EINVAL), moves any events still queued to
// Pending (they are stale: the tracee is about to move), performs the
// arming and resuming part of Write (same rules and errors as above, EBUSY
// if the tracee is still running), and then always waits, whatever the
// blocking mode, until a stop event arrives. It returns that event with
// the tracee parked at it, so registers and memory can be accessed at once;
// LastStop gives target's details (thread id, si_code, si_addr). Non-stop
// events met on the way go to Pending. If the tracee exits without a stop
// (STOP_EXIT not armed, or a run with nothing armed), Next returns
// Event{} and an error wrapping ESRCH; the caller then uses ExitStatus.
// After a STOP_EXIT event the next Next returns ESRCH the same way. If
// nothing was resumed and nothing is running (Next(FlagWait) on a parked
// tracee) it returns EAGAIN instead of waiting forever. Close from another
// goroutine makes it return EBADF.
//
// Next is interrupted with Kill from another goroutine: the signal reaches
// the running tracee within milliseconds; with STOP_SIGNAL armed Next
// returns STOP_SIGNAL with a = the signal; without it the signal takes its
// default action (for SIGINT: death, so STOP_EXIT if armed, else ESRCH).
// A following Next with FlagIgnore|StopSignal|... drops the signal,
// without FlagIgnore it is delivered.
//
// Idioms: continue = Next(StopBreakpoint|StopSignal|StopExit), adding
// FlagIgnore to drop the signal of a STOP_SIGNAL the tracee is parked at;
// step = the same plus StopSingleStep; detach dropping a pending signal =
// Next(FlagIgnore|StopExit) (FlagIgnore alone is ignored, as in Redox) and
// then Close; kill = Kill(9) then Next(StopExit) until ESRCH (SIGKILL never
// produces STOP_SIGNAL), then Close.
//
// # Readiness (Redox's event: scheme, spec §4.5)
//
// Options.Ready is called (from the runner goroutine, no lock held) when
// the event queue goes from empty to non-empty and when the tracee exits;
// Readable reports the same condition, so one goroutine can serve many
// non-blocking sessions.
//
// # Registers and memory
//
// Register, memory and breakpoint operations need a parked tracee: EBUSY
// while it runs, ESRCH after exit or for an unknown thread id, EBADF after
// Close. Memory access ignores page protections and fails as a whole with
// EFAULT if any page is unmapped. Register writes deviate from Redox
// 2019/2020 (§11.12) by also loading RSP and the user RFLAGS bits (0xDD5),
// as later kernels do; CS, SS and FS are ignored. Segment values read back
// are Linux's (CS 0x33, SS 0x2b, FS 0) since the emulated OS is Linux.
//
// # Close
//
// Close detaches: stops are disarmed. With KillOnClose the tracee gets
// SIGKILL and Close waits until it has exited. Without it the tracee runs
// on in the background with nothing armed until it exits; Close does not
// wait (Done is closed when the tracee exits), and the Registry refuses a
// new session on that process (EBUSY) until then.
package ptrace
