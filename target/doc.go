// Package target is the emulated operating system: ELF loading, the process
// and its threads, the scheduler, signals, files and the syscall table
// (Linux x86_64 today; Redox later). It drives emu.CPU and turns CPU stops
// into OS-level stops (Event) at the points a tracer may arm (StopMask).
//
// target knows nothing about ptrace sessions or the remote protocol: it only
// stops where it is told to and reports why.
package target
