// Package tests holds the end-to-end tests of redox-gdbstub. They build the
// guest C programs in guests/ with musl-gcc, drive the real gdb in batch mode
// against the stub and against gdbserver running the same native binary, and
// compare the two transcripts after normalising what legitimately differs
// (process ids, stack addresses, file-transfer chatter).
//
// This package knows nothing of the stub's internals (emu, target, ptrace,
// rsp): it only runs the built redox-gdbstub command, like a user would.
package tests
