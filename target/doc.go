// Package target is the emulated operating system: ELF loading, the process
// and its threads, the scheduler, signals, files and the syscall table
// (Linux x86_64 today; Redox later). It drives emu.CPU and turns CPU stops
// into OS-level stops (Event) at the points a tracer may arm (StopMask).
//
// target knows nothing about ptrace sessions or the remote protocol: it only
// stops where it is told to and reports why.
//
// The address space follows x86_64 Linux with ASLR off: ET_EXEC segments at
// their addresses, static-PIE at 0x555555554000, the heap (brk) right after
// the highest segment, mmap top-down from 0x7ffff7fff000, and the stack
// ending at 0x7ffffffff000 (128 KiB mapped at start, growing on faults up
// to 8 MiB). The initial stack is laid out as Linux's create_elf_tables
// does, minus its random offsets.
//
// Runs are deterministic: one goroutine (the caller of Resume) runs the
// guest; AT_RANDOM and getrandom(2) come from fixed ChaCha8 seeds (so they
// are not secret); every other host input (files, clocks, terminal
// queries, user ids) goes through one Host value, so it can be recorded.
// Clocks are the real host clocks for now.
//
// Signals are recorded (rt_sigaction, rt_sigprocmask) and reported to the
// tracer, but guest handlers are not run yet: a signal that is not ignored
// takes its default action.
package target
