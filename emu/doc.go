// Package emu is the x86_64 user-mode CPU: instruction decoding (through
// golang.org/x/arch/x86/x86asm, cached by address), execution, and guest
// memory with page permissions. Faults come back as values (Fault), never
// as Go panics.
//
// emu knows nothing about an operating system: it does not know what a
// syscall means, what a signal handler is, or who is debugging it. It stops
// and reports (StopReason) and the caller decides.
package emu
