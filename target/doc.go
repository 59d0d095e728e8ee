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
// Signals follow Linux: dispositions are shared by the threads, masks,
// pending sets and alternate stacks are per thread; a StopSignal stop
// comes before the action; handlers run on the kernel's x86_64
// rt_sigframe (sigframe.go), so gdb's amd64-linux unwinder walks through
// them, and rt_sigreturn restores the frame.
//
// Threads (CLONE_THREAD clones) run under a deterministic round-robin
// scheduler with a fixed instruction quantum (threads.go): futex waits,
// sleeps and sigsuspend block only their thread, and an untimed run
// executes the same instructions every time. When every thread is blocked
// with no deadline, Resume waits for Kill.
//
// fork, vfork and clone without CLONE_THREAD make child processes inside
// the same stub (fork.go): each has its own copy of memory (CLONE_VM
// shares it), descriptors and signal state, and is run, untraced, one
// quantum at a time by its parent's scheduler; execve loads another static
// executable; wait4 and SIGCHLD report exits. Pipes, eventfds and epoll
// (pipes.go, epoll.go) block only the waiting thread. Children still
// running when the traced process exits stop with it.
package target
