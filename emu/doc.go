// Package emu is the x86_64 user-mode CPU: instruction decoding (through
// golang.org/x/arch/x86/x86asm, cached by address), execution, and guest
// memory with page permissions. Faults come back as values (Fault), never
// as Go panics.
//
// emu knows nothing about an operating system: it does not know what a
// syscall means, what a signal handler is, or who is debugging it. It stops
// and reports (StopReason) and the caller decides.
//
// # Design
//
//   - Memory (memory.go) is a map from page number to *page. A page holds
//     its bytes (allocated on first write), permissions, a breakpoint
//     count and its decoded-instruction cache. Each CPU keeps a small
//     direct-mapped TLB of pages, flushed when the mapping generation
//     changes (Map, Unmap, Protect).
//   - Decoding (decode.go, sse.go, x87.go) runs x86asm once per
//     instruction address and translates the result into a compact inst
//     (an op code plus operand descriptors) kept in the page's codePage.
//     VEX/EVEX lead bytes are rejected before x86asm sees them, ENDBR64 is
//     a NOP, anything unknown is SIGILL. Any write to a page (guest store,
//     WriteGuest, WriteForce, remapping) drops its cache; an instruction
//     that straddles two pages is cached in the first and invalidated by
//     writes to either.
//   - Execution (cpu.go, fast.go, exec.go) is a loop over cached insts
//     with a dense switch on the op code; the commonest register forms are
//     specialised at decode time (fast.go). Every handler performs all
//     checks that can fault before it changes state, so faults are
//     precise.
//   - Arithmetic flags are lazy (flags.go): ALU instructions record the
//     operation, operands and result; flags are computed when read, and
//     conditional branches after cmp/sub/test/logic ops are answered
//     straight from the operands.
//   - CPUID describes a fixed SSE2-only baseline CPU (cpuid.go).
//   - Floating point: SSE arithmetic uses host float64 operations plus
//     error-free transformations to honour MXCSR rounding, DAZ/FTZ and
//     exception flags (ssefp.go). x87 keeps 80-bit values; common
//     operations are allocation-free integer code (x87fast.go), the rest
//     (and the transcendentals, x87trans.go) is exact math/big rounded once
//     per the control word.
//   - Data watchpoints (watch.go): a page holding a watched range drops
//     the watched access kinds from its fast-path permissions, so only
//     loads/stores to such pages take the slow path, which checks the
//     page's ranges. A hit completes the instruction, then Run returns
//     StopBreakpoint with CPU.Watch set (RIP past the instruction).
package emu
