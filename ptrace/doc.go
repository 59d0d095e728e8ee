// Package ptrace is Redox OS's ptrace model (the "ptrace overhaul") over an
// emulated target.Process: operation flags, 56-byte event records, trace
// sessions that arm stops and resume the tracee, register structs in
// Redox's IntRegisters/FloatRegisters layouts, and tracee memory.
//
// ptrace knows nothing about the GDB remote protocol, and it never runs the
// CPU itself: it asks target to resume and to stop.
package ptrace
