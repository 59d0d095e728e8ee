package emu

// The CPU model reported by CPUID: a fixed, deliberately plain baseline so
// libc picks its generic SSE2 code paths.
//
//   - Vendor "RedoxGdbStub": neither GenuineIntel nor AuthenticAMD, so
//     glibc's init_cpu_features takes the "other" path and does not read
//     cache-descriptor leaves (2, 4, 0x8000001D) to size memcpy thresholds.
//   - Family 6, model 6, stepping 3 (like QEMU's qemu64).
//   - Leaf 1 EDX: FPU TSC CX8 CMOV CLFSH MMX FXSR SSE SSE2. ECX: POPCNT
//     only (no SSE3, SSSE3, SSE4, OSXSAVE, AVX, hypervisor). MMX is
//     implemented except the MMX<->float conversions (cvtpi2ps & co.).
//   - Leaf 7: no extended features (no BMI, ERMS, AVX2, CET...).
//   - Extended leaves up to 0x80000008: LAHF/SAHF in 64-bit mode,
//     SYSCALL, NX, long mode; a brand string; 48-bit virtual and physical
//     addresses. Cache leaves 0x80000005/6 are zero.
//   - Leaves above the maximum return zeros.
const (
	cpuidMaxBasic = 7
	cpuidMaxExt   = 0x80000008
)

func cpuidRegs(leaf, sub uint32) (a, b, c, d uint32) {
	switch leaf {
	case 0:
		// "Redo" "xGdb" "Stub" in EBX, EDX, ECX order
		return cpuidMaxBasic, le4("Redo"), le4("Stub"), le4("xGdb")
	case 1:
		const (
			fpu   = 1 << 0
			tsc   = 1 << 4
			cx8   = 1 << 8
			cmov  = 1 << 15
			clfsh = 1 << 19
			mmx   = 1 << 23
			fxsr  = 1 << 24
			sse   = 1 << 25
			sse2  = 1 << 26
		)
		const popcnt = 1 << 23 // ECX
		// EBX: CLFLUSH line size 8*8 = 64 bytes, 1 logical processor, APIC id 0
		return 0x00000663, 0x00010800, popcnt, fpu | tsc | cx8 | cmov | clfsh | mmx | fxsr | sse | sse2
	case 0x80000000:
		return cpuidMaxExt, 0, 0, 0
	case 0x80000001:
		const (
			lahf    = 1 << 0
			syscall = 1 << 11
			nx      = 1 << 20
			lm      = 1 << 29
		)
		return 0x00000663, 0, lahf, syscall | nx | lm
	case 0x80000002, 0x80000003, 0x80000004:
		const brand = "Redox gdbstub x86-64 emulator\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		s := brand[(leaf-0x80000002)*16:]
		return le4(s[0:4]), le4(s[4:8]), le4(s[8:12]), le4(s[12:16])
	case 0x80000008:
		return 0x00003030, 0, 0, 0
	}
	return 0, 0, 0, 0
}

func le4(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func (c *CPU) cpuid() {
	a, b, cc, d := cpuidRegs(uint32(c.R[RAX]), uint32(c.R[RCX]))
	c.R[RAX], c.R[RBX], c.R[RCX], c.R[RDX] = uint64(a), uint64(b), uint64(cc), uint64(d)
}
