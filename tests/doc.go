// Package tests holds the end-to-end tests of redox-gdbstub. They build the
// guest C programs in guests/ with musl-gcc (and some with gcc, for glibc),
// drive the real gdb in batch mode against the stub and against gdbserver
// running the same native binary, and compare the two transcripts after
// normalising what legitimately differs (process ids, stack addresses,
// file-transfer chatter).
//
// The differential tests (differential_test.go, busybox_test.go) run
// programs without a debugger, natively and under `redox-gdbstub run`, and
// require the same stdout, stderr and exit status: the C programs in
// corpus/ built by gcc and musl-gcc at -O0 and -O2, a static Go program
// (corpus/goprog), and BusyBox applets. memlimit_test.go checks
// --max-memory.
//
// This package knows nothing of the stub's internals (emu, target, ptrace,
// rsp): it only runs the built redox-gdbstub command, like a user would.
package tests
