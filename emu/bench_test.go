package emu

import (
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time; the benchmark reports
// instructions per CPU second as well as per wall second because the
// machines this runs on are often shared.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// xorshiftLoop: 12 instructions per iteration, RCX iterations.
var xorshiftLoop = []byte{
	0x48, 0x89, 0xc2, // mov rdx, rax
	0x48, 0xc1, 0xe2, 0x0d, // shl rdx, 13
	0x48, 0x31, 0xd0, // xor rax, rdx
	0x48, 0x89, 0xc2, // mov rdx, rax
	0x48, 0xc1, 0xea, 0x07, // shr rdx, 7
	0x48, 0x31, 0xd0, // xor rax, rdx
	0x48, 0x89, 0xc2, // mov rdx, rax
	0x48, 0xc1, 0xe2, 0x11, // shl rdx, 17
	0x48, 0x31, 0xd0, // xor rax, rdx
	0x48, 0x01, 0xc3, // add rbx, rax
	0x48, 0xff, 0xc9, // dec rcx
	0x75, 0xda, // jnz loop
	0xcc, // int3
}

func TestXorshiftLoop(t *testing.T) {
	c := newTestCPU(t, xorshiftLoop)
	c.R[RAX], c.R[RCX] = 88172645463325252, 1000
	reason, n := c.Run(1<<30, nil)
	if reason != StopInt3 || n != 12*1000+1 {
		t.Fatalf("reason %d n %d", reason, n)
	}
	x, sum := uint64(88172645463325252), uint64(0)
	for i := 0; i < 1000; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		sum += x
	}
	if c.R[RAX] != x || c.R[RBX] != sum {
		t.Fatalf("rax %#x rbx %#x, want %#x %#x", c.R[RAX], c.R[RBX], x, sum)
	}
}

func BenchmarkIntegerLoop(b *testing.B) {
	c := newTestCPU(b, xorshiftLoop)
	const iters = 1 << 20
	b.ResetTimer()
	start, cstart := time.Now(), cpuTime()
	var total uint64
	for i := 0; i < b.N; i++ {
		c.RIP = tCode
		c.R[RAX], c.R[RCX] = 88172645463325252, iters
		reason, n := c.Run(1<<40, nil)
		if reason != StopInt3 {
			b.Fatalf("reason %d", reason)
		}
		total += n
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "instructions/s")
	b.ReportMetric(float64(total)/(cpuTime()-cstart).Seconds(), "instructions/cpu-s")
}

// BenchmarkGuestProgram runs a whole musl-static C program (testdata/bench)
// and reports guest instructions per second.
func BenchmarkGuestProgram(b *testing.B) {
	cc := needTool(b, "musl-gcc")
	bin := filepath.Join(b.TempDir(), "work")
	if out, err := exec.Command(cc, "-static", "-O2", "-o", bin, "testdata/bench/work.c").CombinedOutput(); err != nil {
		b.Fatalf("musl-gcc: %v\n%s", err, out)
	}
	b.ResetTimer()
	start, cstart := time.Now(), cpuTime()
	var total uint64
	for i := 0; i < b.N; i++ {
		o := loadELF(b, bin, []string{bin})
		o.run(b, 1<<40)
		total += o.cpu.InstructionsExecuted()
	}
	b.ReportMetric(float64(total)/float64(b.N), "instructions/op")
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "instructions/s")
	b.ReportMetric(float64(total)/(cpuTime()-cstart).Seconds(), "instructions/cpu-s")
}

// TestNoAllocHotPaths: running cached integer, SSE and x87 code allocates
// nothing per instruction.
func TestNoAllocHotPaths(t *testing.T) {
	sse := []byte{
		0xf3, 0x0f, 0x6f, 0x07, // movdqu xmm0, [rdi]
		0x66, 0x0f, 0xef, 0xc9, // pxor xmm1, xmm1
		0x66, 0x0f, 0x74, 0xc8, // pcmpeqb xmm1, xmm0
		0x66, 0x0f, 0xd7, 0xc1, // pmovmskb eax, xmm1
		0xf2, 0x0f, 0x10, 0x57, 0x10, // movsd xmm2, [rdi+16]
		0xf2, 0x0f, 0x59, 0xd2, // mulsd xmm2, xmm2
		0xf2, 0x0f, 0x5e, 0xd2, // divsd xmm2, xmm2
		0xf2, 0x48, 0x0f, 0x2d, 0xca, // cvtsd2si rcx, xmm2
		0xcc,
	}
	// the specialised memory-operand forms, rotates and lazy shift flags
	mem := []byte{
		0x48, 0x8b, 0x07, // mov rax, [rdi]
		0x0f, 0xb6, 0x57, 0x01, // movzx edx, byte [rdi+1]
		0x48, 0x0f, 0xbf, 0x5f, 0x02, // movsx rbx, word [rdi+2]
		0x48, 0x03, 0x47, 0x08, // add rax, [rdi+8]
		0x48, 0x31, 0x47, 0x08, // xor [rdi+8], rax
		0x80, 0x3f, 0x05, // cmp byte [rdi], 5
		0xc7, 0x47, 0x10, 0x07, 0x00, 0x00, 0x00, // mov dword [rdi+16], 7
		0x88, 0x57, 0x18, // mov [rdi+24], dl
		0x48, 0xc1, 0xc8, 0x07, // ror rax, 7
		0xc1, 0xc3, 0x03, // rol ebx, 3
		0x48, 0xd3, 0xe2, // shl rdx, cl
		0x48, 0x11, 0xd0, // adc rax, rdx
		0xcc,
	}
	for _, tc := range []struct {
		name string
		code []byte
		rcx  uint64
	}{{"integer", xorshiftLoop, 1000}, {"sse", sse, 0}, {"memory", mem, 5}} {
		c := newTestCPU(t, tc.code)
		c.R[RDI] = tData
		c.Mem.WriteForce(tData+16, le64bytes(0x3ff8000000000000))
		run := func() {
			c.RIP = tCode
			c.R[RCX] = tc.rcx
			if reason, _ := c.Run(1<<20, nil); reason != StopInt3 {
				t.Fatalf("%s: stop %d %v", tc.name, reason, &c.Fault)
			}
		}
		run()
		if a := testing.AllocsPerRun(20, run); a != 0 {
			t.Errorf("%s: %v allocations per run", tc.name, a)
		}
	}
}
