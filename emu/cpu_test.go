package emu

import (
	"math/rand"
	"sync/atomic"
	"testing"
	"time"
)

const (
	tCode  = 0x401000
	tData  = 0x600000
	tStack = 0x7ff000
)

// newTestCPU maps code (r-x) at tCode, a data page (rw-) at tData, a
// read-only page at tData+PageSize and a stack page below tStack.
func newTestCPU(t testing.TB, code []byte) *CPU {
	t.Helper()
	mem := NewMemory()
	must(t, mem.Map(tCode, 2*PageSize, PermRead|PermExec))
	must(t, mem.Map(tData, PageSize, PermRead|PermWrite))
	must(t, mem.Map(tData+PageSize, PageSize, PermRead))
	must(t, mem.Map(tStack-PageSize, PageSize, PermRead|PermWrite))
	must(t, mem.WriteForce(tCode, code))
	c := NewCPU(mem)
	c.RIP = tCode
	c.R[RSP] = tStack - 16
	return c
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		code  []byte
		setup func(c *CPU)
		want  Fault
	}{
		{"read unmapped", []byte{0x48, 0x8b, 0x07}, // mov rax, [rdi]
			func(c *CPU) { c.R[RDI] = 0x10000 }, Fault{SIGSEGV, SEGV_MAPERR, 0x10000}},
		{"write unmapped", []byte{0x48, 0x89, 0x07}, // mov [rdi], rax
			func(c *CPU) { c.R[RDI] = 0xdead0000 }, Fault{SIGSEGV, SEGV_MAPERR, 0xdead0000}},
		{"write read-only", []byte{0x48, 0x89, 0x07},
			func(c *CPU) { c.R[RDI] = tData + PageSize + 8 }, Fault{SIGSEGV, SEGV_ACCERR, tData + PageSize + 8}},
		{"write code page", []byte{0x88, 0x07}, // mov [rdi], al
			func(c *CPU) { c.R[RDI] = tCode }, Fault{SIGSEGV, SEGV_ACCERR, tCode}},
		{"store crossing into read-only", []byte{0x48, 0x89, 0x07},
			func(c *CPU) { c.R[RDI] = tData + PageSize - 4 }, Fault{SIGSEGV, SEGV_ACCERR, tData + PageSize}},
		{"rmw read-only", []byte{0x48, 0x01, 0x07}, // add [rdi], rax
			func(c *CPU) { c.R[RDI] = tData + PageSize }, Fault{SIGSEGV, SEGV_ACCERR, tData + PageSize}},
		{"push below stack", []byte{0x50}, // push rax
			func(c *CPU) { c.R[RSP] = tStack - PageSize }, Fault{SIGSEGV, SEGV_MAPERR, tStack - PageSize - 8}},
		{"fetch from data", nil, // e.g. after jmp rdi
			func(c *CPU) { c.RIP = tData }, Fault{SIGSEGV, SEGV_ACCERR, tData}},
		{"fetch from unmapped", nil,
			func(c *CPU) { c.RIP = 0x1000 }, Fault{SIGSEGV, SEGV_MAPERR, 0x1000}},
		{"ud2", []byte{0x0f, 0x0b}, nil, Fault{SIGILL, ILL_ILLOPN, tCode}},
		{"vex vpmovmskb", []byte{0xc5, 0xfd, 0xd7, 0xc1}, nil, Fault{SIGILL, ILL_ILLOPN, tCode}},
		{"vex3 sarx", []byte{0xc4, 0xe2, 0x7a, 0xf7, 0xc1}, nil, Fault{SIGILL, ILL_ILLOPN, tCode}},
		{"evex", []byte{0x62, 0xf1, 0x7c, 0x48, 0x10, 0x07}, nil, Fault{SIGILL, ILL_ILLOPN, tCode}},
		{"prefixed vex", []byte{0x66, 0xc5, 0xfd, 0xd7, 0xc1}, nil, Fault{SIGILL, ILL_ILLOPN, tCode}},
		{"bad opcode", []byte{0x0f, 0xff}, nil, Fault{SIGILL, ILL_ILLOPN, tCode}},
		{"lock mov", []byte{0xf0, 0x48, 0x89, 0xc0}, nil, Fault{SIGILL, ILL_ILLOPN, tCode}},
		{"lock add to register", []byte{0xf0, 0x48, 0x01, 0xc0}, nil, Fault{SIGILL, ILL_ILLOPN, tCode}},
		{"xgetbv without osxsave", []byte{0x0f, 0x01, 0xd0}, nil, Fault{SIGILL, ILL_ILLOPN, tCode}},
		{"int 0x80", []byte{0xcd, 0x80}, nil, Fault{SIGSEGV, SI_KERNEL, 0}},
		{"div by zero", []byte{0x48, 0xf7, 0xf1}, // div rcx
			nil, Fault{SIGFPE, FPE_INTDIV, tCode}},
		{"div overflow", []byte{0xf7, 0xf1}, // div ecx
			func(c *CPU) { c.R[RDX] = 5; c.R[RCX] = 5 }, Fault{SIGFPE, FPE_INTDIV, tCode}},
		{"idiv overflow", []byte{0x48, 0xf7, 0xf9}, // idiv rcx
			func(c *CPU) { c.R[RAX] = 1 << 63; c.R[RDX] = ^uint64(0); c.R[RCX] = ^uint64(0) }, Fault{SIGFPE, FPE_INTDIV, tCode}},
		{"hlt", []byte{0xf4}, nil, Fault{SIGSEGV, SI_KERNEL, 0}},
		{"movdqa misaligned", []byte{0x66, 0x0f, 0x6f, 0x07}, // movdqa xmm0, [rdi]
			func(c *CPU) { c.R[RDI] = tData + 8 }, Fault{SIGSEGV, SI_KERNEL, 0}},
		{"pxor misaligned", []byte{0x66, 0x0f, 0xef, 0x07}, // pxor xmm0, [rdi]
			func(c *CPU) { c.R[RDI] = tData + 4 }, Fault{SIGSEGV, SI_KERNEL, 0}},
		{"instruction crossing into unmapped", nil, func(c *CPU) {
			// mov rax, imm64 starting 3 bytes before the end of the mapping
			c.Mem.WriteForce(tCode+2*PageSize-3, []byte{0x48, 0xb8, 0x01})
			c.RIP = tCode + 2*PageSize - 3
		}, Fault{SIGSEGV, SEGV_MAPERR, tCode + 2*PageSize}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCPU(t, tc.code)
			if tc.setup != nil {
				tc.setup(c)
			}
			before := *c
			rip := c.RIP
			reason, n := c.Run(10, nil)
			if reason != StopFault || n != 0 {
				t.Fatalf("Run = %d, %d; want StopFault, 0", reason, n)
			}
			if c.Fault != tc.want {
				t.Errorf("fault %+v, want %+v", c.Fault, tc.want)
			}
			if c.RIP != rip || c.R != before.R || c.Flags() != before.Flags() || c.XMM != before.XMM {
				t.Errorf("architectural state changed by faulting instruction")
			}
		})
	}
}

func TestPreciseMemoryOnFault(t *testing.T) {
	// push qword [rdi] with RSP pointing at unmapped memory: the read
	// succeeds, the push faults, nothing changes.
	c := newTestCPU(t, []byte{0xff, 0x37})
	c.R[RDI] = tData
	c.R[RSP] = 0x5000
	if r, _ := c.Run(1, nil); r != StopFault || c.R[RSP] != 0x5000 {
		t.Fatalf("reason %d rsp %#x", r, c.R[RSP])
	}
	// rep movsb from data into a read-only page: iterations before the
	// fault complete (RCX, RSI, RDI advance), then the fault is precise.
	c = newTestCPU(t, []byte{0xf3, 0xa4})
	c.R[RSI] = tData
	c.R[RDI] = tData + PageSize - 3
	c.R[RCX] = 10
	// make tData+PageSize-3.. writable bytes: they are in the rw page
	reason, _ := c.Run(100, nil)
	if reason != StopFault || c.Fault.Addr != tData+PageSize || c.R[RCX] != 7 || c.RIP != tCode {
		t.Fatalf("reason %d fault %+v rcx %d rip %#x", reason, c.Fault, c.R[RCX], c.RIP)
	}
}

func TestSyscallAndInt3(t *testing.T) {
	c := newTestCPU(t, []byte{0x0f, 0x05, 0xcc, 0x90})
	c.SetFlags(0x203)
	reason, n := c.Run(100, nil)
	if reason != StopSyscall || n != 1 || c.RIP != tCode+2 || c.R[RCX] != tCode+2 || c.R[R11] != 0x203 {
		t.Fatalf("syscall: reason %d n %d rip %#x rcx %#x r11 %#x", reason, n, c.RIP, c.R[RCX], c.R[R11])
	}
	reason, n = c.Run(100, nil)
	if reason != StopInt3 || n != 1 || c.RIP != tCode+3 {
		t.Fatalf("int3: reason %d n %d rip %#x", reason, n, c.RIP)
	}
	if c.InstructionsExecuted() != 2 {
		t.Fatalf("InstructionsExecuted = %d", c.InstructionsExecuted())
	}
}

func TestEndbrAndNops(t *testing.T) {
	code := []byte{
		0xf3, 0x0f, 0x1e, 0xfa, // endbr64
		0xf3, 0x0f, 0x1e, 0xfb, // endbr32
		0x0f, 0x1f, 0x44, 0x00, 0x00, // nopl 0(rax,rax)
		0xf3, 0x90, // pause
		0x0f, 0xae, 0xe8, // lfence
		0x66, 0x90, // xchg ax,ax
		0x90,
	}
	c := newTestCPU(t, code)
	reason, n := c.Run(7, nil)
	if reason != StopBudget || n != 7 || c.RIP != tCode+uint64(len(code)) {
		t.Fatalf("reason %d n %d rip %#x", reason, n, c.RIP)
	}
}

func TestBudgetAndRepSingleStep(t *testing.T) {
	// mov ecx, 5; rep stosb; nop
	code := []byte{0xb9, 5, 0, 0, 0, 0xf3, 0xaa, 0x90}
	c := newTestCPU(t, code)
	c.R[RDI] = tData
	c.R[RAX] = 0x41
	if r, n := c.Run(1, nil); r != StopBudget || n != 1 || c.RIP != tCode+5 {
		t.Fatalf("step 1: %d %d %#x", r, n, c.RIP)
	}
	for i := 0; i < 4; i++ {
		if r, n := c.Run(1, nil); r != StopBudget || n != 1 || c.RIP != tCode+5 || c.R[RCX] != uint64(4-i) {
			t.Fatalf("rep iteration %d: %d %d %#x rcx %d", i, r, n, c.RIP, c.R[RCX])
		}
	}
	if r, _ := c.Run(1, nil); r != StopBudget || c.RIP != tCode+7 || c.R[RCX] != 0 {
		t.Fatalf("last iteration: %d rip %#x rcx %d", r, c.RIP, c.R[RCX])
	}
	var b [6]byte
	c.Mem.ReadForce(tData, b[:])
	if string(b[:]) != "AAAAA\x00" {
		t.Fatalf("memory %q", b)
	}
}

func TestTzcntIsBsf(t *testing.T) {
	// Without BMI1 in CPUID, F3 0F BC executes as BSF: a zero source
	// leaves the destination unchanged and sets ZF.
	c := newTestCPU(t, []byte{0xf3, 0x0f, 0xbc, 0xc3, 0xf3, 0x0f, 0xbc, 0xc1}) // tzcnt eax,ebx; tzcnt eax,ecx
	c.R[RAX] = 77
	c.R[RCX] = 0x50
	c.Run(1, nil)
	if c.R[RAX] != 77 || c.Flags()&FlagZF == 0 {
		t.Fatalf("bsf of zero: rax %d flags %#x", c.R[RAX], c.Flags())
	}
	c.Run(1, nil)
	if c.R[RAX] != 4 || c.Flags()&FlagZF != 0 {
		t.Fatalf("bsf of 0x50: rax %d flags %#x", c.R[RAX], c.Flags())
	}
}

func TestFSSegment(t *testing.T) {
	// mov rax, fs:[0x28]; mov gs:[8], rax
	c := newTestCPU(t, []byte{0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0, 0x65, 0x48, 0x89, 0x04, 0x25, 8, 0, 0, 0})
	c.FSBase = tData
	c.GSBase = tData + 0x100
	c.Mem.WriteForce(tData+0x28, le64bytes(0x1122334455667788))
	if r, n := c.Run(2, nil); r != StopBudget || n != 2 {
		t.Fatalf("%d %d %v", r, n, &c.Fault)
	}
	var b [8]byte
	c.Mem.ReadForce(tData+0x108, b[:])
	if c.R[RAX] != 0x1122334455667788 || le64(b[:]) != 0x1122334455667788 {
		t.Fatalf("rax %#x mem %#x", c.R[RAX], le64(b[:]))
	}
}

func TestCPUID(t *testing.T) {
	c := newTestCPU(t, []byte{0x0f, 0xa2, 0x0f, 0xa2})
	c.Run(1, nil)
	vendor := string(le64bytes(c.R[RBX])[:4]) + string(le64bytes(c.R[RDX])[:4]) + string(le64bytes(c.R[RCX])[:4])
	if vendor != "RedoxGdbStub" || c.R[RAX] != cpuidMaxBasic {
		t.Fatalf("leaf 0: %q max %d", vendor, c.R[RAX])
	}
	c.R[RAX] = 1
	c.Run(1, nil)
	if c.R[RDX]&(1<<26) == 0 || c.R[RCX] != 1<<23 { // SSE2; POPCNT only
		t.Fatalf("leaf 1: edx %#x ecx %#x", c.R[RDX], c.R[RCX])
	}
}

func TestDecodeCacheInvalidation(t *testing.T) {
	// mov eax, 1; jmp back to start
	code := []byte{0xb8, 1, 0, 0, 0, 0xeb, 0xf9}
	c := newTestCPU(t, code)
	c.Run(1, nil)
	if c.R[RAX] != 1 {
		t.Fatal("first run")
	}
	c.Run(1, nil) // jmp back
	// debugger patch: mov eax, 2
	must(t, c.Mem.WriteForce(tCode+1, []byte{2}))
	c.Run(1, nil)
	if c.R[RAX] != 2 {
		t.Fatalf("after WriteForce patch rax = %d", c.R[RAX])
	}
	c.Run(1, nil)
	// guest store to a writable+executable code page
	must(t, c.Mem.Protect(tCode, PageSize, PermRead|PermWrite|PermExec))
	// mov byte [rip-?]... simpler: WriteGuest as a syscall would
	must(t, c.Mem.WriteGuest(tCode+1, []byte{3}))
	c.Run(1, nil)
	if c.R[RAX] != 3 {
		t.Fatalf("after WriteGuest patch rax = %d", c.R[RAX])
	}

	// self-modifying code: the guest patches the immediate of an
	// instruction it already executed, then runs it again.
	//   0: mov eax, 7          b8 07 00 00 00
	//   5: mov byte [rip-10], 9 c6 05 f5 ff ff ff 09   (patches offset 1)
	//  12: cmp eax, 9           83 f8 09
	//  15: jne 0                75 ef
	smc := []byte{0xb8, 7, 0, 0, 0, 0xc6, 0x05, 0xf5, 0xff, 0xff, 0xff, 9, 0x83, 0xf8, 9, 0x75, 0xef, 0x90}
	c = newTestCPU(t, smc)
	must(t, c.Mem.Protect(tCode, PageSize, PermRead|PermWrite|PermExec))
	reason, n := c.Run(8, nil)
	if reason != StopBudget || c.R[RAX] != 9 || c.RIP != tCode+17 {
		t.Fatalf("self-modifying code: reason %d n %d rax %d rip %#x fault %v", reason, n, c.R[RAX], c.RIP, &c.Fault)
	}
}

func TestBreakpoints(t *testing.T) {
	// 0: nop; 1: nop; 2: inc eax; 4: jmp 0
	code := []byte{0x90, 0x90, 0xff, 0xc0, 0xeb, 0xfa}
	c := newTestCPU(t, code)
	c.Mem.SetBreakpoint(tCode + 2)
	if !c.Mem.HasBreakpoint(tCode+2) || c.Mem.HasBreakpoint(tCode+1) {
		t.Fatal("HasBreakpoint")
	}
	reason, n := c.Run(100, nil)
	if reason != StopBreakpoint || n != 2 || c.RIP != tCode+2 || c.R[RAX] != 0 {
		t.Fatalf("first stop: %d n=%d rip %#x rax %d", reason, n, c.RIP, c.R[RAX])
	}
	// resuming at the breakpoint executes it (RF semantics) and stops on
	// the next arrival
	reason, n = c.Run(100, nil)
	if reason != StopBreakpoint || n != 4 || c.RIP != tCode+2 || c.R[RAX] != 1 {
		t.Fatalf("second stop: %d n=%d rip %#x rax %d", reason, n, c.RIP, c.R[RAX])
	}
	// single step off the breakpoint
	if reason, n = c.Run(1, nil); reason != StopBudget || n != 1 || c.R[RAX] != 2 {
		t.Fatalf("step: %d %d", reason, n)
	}
	c.Mem.ClearBreakpoint(tCode + 2)
	if reason, n = c.Run(50, nil); reason != StopBudget || n != 50 {
		t.Fatalf("after clear: %d %d", reason, n)
	}
	// a breakpoint is reported at the start of a Run that follows any
	// other kind of stop, so chunked runs never miss one
	c.RIP = tCode
	if reason, n = c.Run(2, nil); reason != StopBudget || n != 2 {
		t.Fatalf("chunk: %d %d", reason, n)
	}
	c.Mem.SetBreakpoint(tCode + 2)
	if reason, n = c.Run(100, nil); reason != StopBreakpoint || n != 0 || c.RIP != tCode+2 {
		t.Fatalf("bp at chunk boundary: %d %d %#x", reason, n, c.RIP)
	}
	// ... and resuming from that report steps off it
	if reason, n = c.Run(1, nil); reason != StopBudget || n != 1 || c.RIP != tCode+4 {
		t.Fatalf("step off: %d %d %#x", reason, n, c.RIP)
	}
	c.Mem.ClearBreakpoint(tCode + 2)
	// a breakpoint set before its page is mapped still fires
	mem := NewMemory()
	mem.SetBreakpoint(tCode + 1)
	must(t, mem.Map(tCode, PageSize, PermRead|PermExec))
	must(t, mem.WriteForce(tCode, code))
	c = NewCPU(mem)
	c.RIP = tCode
	if reason, n = c.Run(10, nil); reason != StopBreakpoint || n != 1 {
		t.Fatalf("bp before map: %d %d", reason, n)
	}
}

func TestInterrupt(t *testing.T) {
	c := newTestCPU(t, []byte{0xeb, 0xfe}) // jmp .
	var flag atomic.Bool
	flag.Store(true)
	if reason, n := c.Run(1<<40, &flag); reason != StopInterrupt || n > 1 {
		t.Fatalf("%d %d", reason, n)
	}
	flag.Store(false)
	if reason, n := c.Run(100000, &flag); reason != StopBudget || n != 100000 {
		t.Fatalf("%d %d", reason, n)
	}
}

func TestMemoryAPI(t *testing.T) {
	m := NewMemory()
	must(t, m.Map(0x10000, 3*PageSize, PermRead|PermWrite))
	must(t, m.Map(0x13000, PageSize, PermRead))
	must(t, m.Map(0x20000, PageSize, PermRead|PermExec))
	regs := m.Regions()
	want := []Region{{0x10000, 0x13000, PermRead | PermWrite}, {0x13000, 0x14000, PermRead}, {0x20000, 0x21000, PermRead | PermExec}}
	if len(regs) != len(want) {
		t.Fatalf("regions %+v", regs)
	}
	for i := range want {
		if regs[i] != want[i] {
			t.Fatalf("region %d = %+v want %+v", i, regs[i], want[i])
		}
	}
	if !m.IsMapped(0x10000, 0x4000) || m.IsMapped(0x10000, 0x4001) {
		t.Fatal("IsMapped")
	}
	// whole-or-nothing force writes
	if err := m.WriteForce(0x13ff0, make([]byte, 0x20)); err == nil {
		t.Fatal("WriteForce across unmapped page succeeded")
	} else if f, ok := err.(*Fault); !ok || f.Addr != 0x14000 || f.Code != SEGV_MAPERR {
		t.Fatalf("WriteForce error %v", err)
	}
	if b := make([]byte, 1); m.ReadForce(0x13fff, b) != nil || b[0] != 0 {
		t.Fatal("ReadForce of untouched mapped byte")
	}
	if err := m.WriteForce(0x13ff0, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := m.WriteGuest(0x13ff0, []byte{1}); err == nil {
		t.Fatal("WriteGuest to read-only page succeeded")
	} else if f, ok := err.(*Fault); !ok || f.Code != SEGV_ACCERR {
		t.Fatalf("WriteGuest error %v", err)
	}
	b := make([]byte, 3)
	must(t, m.ReadGuest(0x13ff0, b))
	if b[2] != 3 {
		t.Fatal("read back")
	}
	must(t, m.Protect(0x11000, PageSize, PermRead))
	if err := m.Protect(0x13000, 2*PageSize, PermRead); err == nil {
		t.Fatal("Protect of unmapped range succeeded")
	}
	must(t, m.Unmap(0x10000, PageSize))
	if m.IsMapped(0x10000, 1) {
		t.Fatal("Unmap")
	}
	addr, ok := m.FindFree(2*PageSize, 0x20000)
	if !ok || addr != 0x1e000 {
		t.Fatalf("FindFree = %#x %v", addr, ok)
	}
	addr, ok = m.FindFree(0x6000, 0x20000)
	if !ok || addr+0x6000 > 0x11000 && addr < 0x14000 {
		t.Fatalf("FindFree overlapping: %#x", addr)
	}
}

// FuzzRun maps arbitrary bytes as code and runs them with a budget: the
// CPU must never panic, whatever it executes.
func FuzzRun(f *testing.F) {
	f.Add([]byte{0x90, 0x48, 0x01, 0xd8, 0xc3})
	f.Add([]byte{0xf3, 0xa4, 0xeb, 0xfc})
	f.Add([]byte{0xc5, 0xfd, 0xd7, 0xc1})
	f.Add([]byte{0x66, 0x0f, 0x6f, 0x07, 0x0f, 0x0b})
	f.Add([]byte{0x48, 0xf7, 0xf1, 0xf4})
	f.Add([]byte{0xdd, 0x07, 0xdb, 0x2e, 0xd9, 0xf8, 0xde, 0xf9, 0xd9, 0xfd, 0xdf, 0x3f})       // x87
	f.Add([]byte{0x66, 0x0f, 0xef, 0xc0, 0xf2, 0x48, 0x0f, 0x2a, 0xc7, 0xf2, 0x0f, 0x5e, 0xc1}) // sse
	f.Add([]byte{0x48, 0x0f, 0x6e, 0xc0, 0x0f, 0xfc, 0xc1, 0x0f, 0x63, 0x07, 0x0f, 0x77})       // mmx
	f.Add([]byte{0xd9, 0xe8, 0xd9, 0xf3, 0xd9, 0xf0, 0xd9, 0xf1, 0xd9, 0xfe, 0x0f, 0xae, 0x07}) // x87 transcendentals, fxsave
	f.Fuzz(func(t *testing.T, code []byte) {
		if len(code) > 4096 {
			code = code[:4096]
		}
		mem := NewMemory()
		mem.Map(tCode, PageSize, PermRead|PermWrite|PermExec)
		mem.Map(tData, PageSize, PermRead|PermWrite)
		mem.Map(tStack-PageSize, PageSize, PermRead|PermWrite)
		mem.WriteForce(tCode, code)
		c := NewCPU(mem)
		c.RIP = tCode
		c.R[RSP] = tStack - 64
		c.R[RDI], c.R[RSI], c.R[RBX] = tData, tData+64, tData+128
		c.R[RCX] = 3
		c.panicOnBug = true
		if len(code) > 0 && code[0]&1 != 0 {
			mem.SetBreakpoint(tCode + uint64(code[0]))
		}
		for i := 0; i < 20; i++ {
			max := uint64(1 + i*37%200)
			reason, n := c.Run(max, nil)
			if n > max {
				t.Fatalf("Run(%d) reported %d instructions", max, n)
			}
			if reason == StopFault {
				if c.Fault.Signo == 0 {
					t.Fatalf("StopFault without a fault")
				}
				return
			}
		}
	})
}

func TestRandomCodeNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		code := make([]byte, 64)
		rng.Read(code)
		mem := NewMemory()
		mem.Map(tCode, PageSize, PermRead|PermWrite|PermExec)
		mem.Map(tData, PageSize, PermRead|PermWrite)
		mem.WriteForce(tCode, code)
		c := NewCPU(mem)
		c.RIP = tCode
		c.R[RDI] = tData
		c.panicOnBug = true
		c.Run(100, nil)
	}
}

func TestCrossPageInstructionCache(t *testing.T) {
	// mov eax, imm32 starting 2 bytes before the page boundary, then a
	// jmp back to it.
	c := newTestCPU(t, nil)
	start := uint64(tCode + PageSize - 2)
	must(t, c.Mem.WriteForce(start, []byte{0xb8, 1, 0, 0, 0, 0xeb, 0xf9}))
	run := func(want uint64) {
		t.Helper()
		c.RIP = start
		if r, n := c.Run(2, nil); r != StopBudget || n != 2 || c.R[RAX] != want || c.RIP != start {
			t.Fatalf("reason %d n %d rax %d rip %#x, want rax %d", r, n, c.R[RAX], c.RIP, want)
		}
	}
	run(1)
	run(1)
	must(t, c.Mem.WriteForce(tCode+PageSize+1, []byte{7})) // byte 2 of the imm, in the second page
	run(7<<16 | 1)
	must(t, c.Mem.Protect(tCode, 2*PageSize, PermRead|PermWrite|PermExec))
	must(t, c.Mem.WriteGuest(tCode+PageSize, []byte{9}))
	run(7<<16 | 9<<8 | 1)
	// a guest store into the second page
	c.R[RDI] = tCode + PageSize + 2
	c.Mem.WriteForce(tCode, []byte{0xc6, 0x07, 0x05}) // mov byte [rdi], 5
	c.RIP = tCode
	c.Run(1, nil)
	run(5<<24 | 7<<16 | 9<<8 | 1)
}

func TestBreakpointOnRepAndFaultRetry(t *testing.T) {
	// mov ecx, 3; rep stosb; nop
	c := newTestCPU(t, []byte{0xb9, 3, 0, 0, 0, 0xf3, 0xaa, 0x90})
	c.R[RDI] = tData
	c.Mem.SetBreakpoint(tCode + 5)
	if r, n := c.Run(10, nil); r != StopBreakpoint || n != 1 {
		t.Fatalf("%d %d", r, n)
	}
	// single-stepping the rep instruction iteration by iteration never
	// re-reports its breakpoint
	for i := 0; i < 3; i++ {
		if r, n := c.Run(1, nil); r != StopBudget || n != 1 {
			t.Fatalf("iteration %d: %d %d rcx %d", i, r, n, c.R[RCX])
		}
	}
	if c.RIP != tCode+7 || c.R[RCX] != 0 {
		t.Fatalf("rip %#x rcx %d", c.RIP, c.R[RCX])
	}
	// a faulting instruction at a breakpoint: report, fault, and the
	// retry (after the caller fixes memory) does not report it again
	c = newTestCPU(t, []byte{0x48, 0x8b, 0x07, 0x90}) // mov rax, [rdi]
	c.R[RDI] = 0x900000
	c.Mem.SetBreakpoint(tCode)
	if r, n := c.Run(10, nil); r != StopBreakpoint || n != 0 {
		t.Fatalf("initial: %d %d", r, n)
	}
	if r, _ := c.Run(10, nil); r != StopFault {
		t.Fatalf("expected fault, got %d", r)
	}
	must(t, c.Mem.Map(0x900000, PageSize, PermRead))
	if r, n := c.Run(2, nil); r != StopBudget || n != 2 {
		t.Fatalf("retry: %d %d", r, n)
	}
}

// TestRegionsMatchModel checks the run list, IsMapped and page
// permissions against a simple page model after random
// Map/Unmap/Protect sequences.
func TestRegionsMatchModel(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	m := NewMemory()
	model := map[uint64]Perm{}
	for i := 0; i < 3000; i++ {
		first := uint64(rng.Intn(64))
		n := uint64(1 + rng.Intn(8))
		perm := Perm(1 + rng.Intn(7))
		switch rng.Intn(4) {
		case 0:
			must(t, m.Map(first*PageSize, n*PageSize, perm))
			for pn := first; pn < first+n; pn++ {
				model[pn] = perm
			}
		case 1:
			must(t, m.Unmap(first*PageSize, n*PageSize))
			for pn := first; pn < first+n; pn++ {
				delete(model, pn)
			}
		case 2:
			all := true
			for pn := first; pn < first+n; pn++ {
				if _, ok := model[pn]; !ok {
					all = false
				}
			}
			err := m.Protect(first*PageSize, n*PageSize, perm)
			if all != (err == nil) {
				t.Fatalf("step %d: Protect error %v, model says mapped=%v", i, err, all)
			}
			if all {
				for pn := first; pn < first+n; pn++ {
					model[pn] = perm
				}
			}
		default:
			// touch a page so some are materialised
			m.WriteForce(first*PageSize+5, []byte{1})
		}
		var want []Region
		for pn := uint64(0); pn < 80; pn++ {
			perm, ok := model[pn]
			if !ok {
				continue
			}
			if n := len(want); n > 0 && want[n-1].End == pn*PageSize && want[n-1].Perm == perm {
				want[n-1].End += PageSize
				continue
			}
			want = append(want, Region{pn * PageSize, pn*PageSize + PageSize, perm})
		}
		got := m.Regions()
		if len(got) != len(want) {
			t.Fatalf("step %d: regions %v want %v", i, got, want)
		}
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("step %d: regions %v want %v", i, got, want)
			}
		}
		pn := uint64(rng.Intn(72))
		_, mapped := model[pn]
		if m.IsMapped(pn*PageSize, PageSize) != mapped {
			t.Fatalf("step %d: IsMapped(page %d) wrong", i, pn)
		}
		if p := m.lookup(pn); (p != nil) != mapped || mapped && p.perm != model[pn] {
			t.Fatalf("step %d: lookup(page %d) wrong", i, pn)
		}
	}
}

func TestHugeMapping(t *testing.T) {
	// a terabyte PROT_NONE-style reservation must be cheap
	m := NewMemory()
	must(t, m.Map(1<<40, 1<<40, PermRead|PermWrite))
	must(t, m.WriteGuest(1<<40+1<<39, []byte("x")))
	if !m.IsMapped(1<<40, 1<<40) || len(m.pages) != 1 {
		t.Fatalf("pages materialised: %d", len(m.pages))
	}
	must(t, m.Protect(1<<40, 1<<40, PermRead))
	if err := m.WriteGuest(1<<40+1<<39, []byte("y")); err == nil {
		t.Fatal("write after Protect succeeded")
	}
	must(t, m.Unmap(1<<40, 1<<40))
	if len(m.pages) != 0 || len(m.Regions()) != 0 {
		t.Fatal("Unmap left pages")
	}
}

func TestInterruptLongRep(t *testing.T) {
	// rep stosb over 200 MiB of lazily mapped memory: Run must notice
	// the interrupt flag between chunks, long before the copy ends.
	c := newTestCPU(t, []byte{0xf3, 0xaa, 0x90})
	must(t, c.Mem.Map(0x10000000, 200<<20, PermRead|PermWrite))
	c.R[RDI], c.R[RCX] = 0x10000000, 200<<20
	var flag atomic.Bool
	go func() {
		time.Sleep(20 * time.Millisecond)
		flag.Store(true)
	}()
	start := time.Now()
	reason, _ := c.Run(1<<40, &flag)
	if reason != StopInterrupt || c.RIP != tCode || c.R[RCX] == 0 {
		t.Fatalf("reason %d rip %#x rcx %d", reason, c.RIP, c.R[RCX])
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("interrupt took %v", d)
	}
}
