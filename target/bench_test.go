package target

import (
	"encoding/binary"
	"testing"
)

// syscallLoop is: for (ecx = n; ecx; ecx--) getpid(); exit_group(0).
func syscallLoop(n uint32) []byte {
	code := []byte{0xb9, 0, 0, 0, 0} // mov ecx, n
	binary.LittleEndian.PutUint32(code[1:], n)
	return append(code,
		0xb8, 39, 0, 0, 0, // loop: mov eax, 39 (getpid)
		0x51,       // push rcx (syscall clobbers rcx)
		0x0f, 0x05, // syscall
		0x59,       // pop rcx
		0xff, 0xc9, // dec ecx
		0x75, 0xf3, // jnz loop
		0xb8, 0xe7, 0, 0, 0, // mov eax, 231
		0x31, 0xff, // xor edi, edi
		0x0f, 0x05, // syscall
	)
}

// BenchmarkSyscall measures one guest syscall through Resume with nothing
// armed.
func BenchmarkSyscall(b *testing.B) {
	benchSyscalls(b, StopExit)
}

// BenchmarkSyscallStops measures a syscall with its PRE and POST stops, as
// a tracer like strace sees it (two Resume calls per syscall).
func BenchmarkSyscallStops(b *testing.B) {
	benchSyscalls(b, StopExit|StopPreSyscall|StopPostSyscall)
}

func benchSyscalls(b *testing.B, mask StopMask) {
	p, err := Load(Config{Path: "/bench", Image: prog{base: 0x400000, code: syscallLoop(uint32(b.N))}.build(), Log: discardLogger()})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for {
		ev, err := p.Resume(mask, false)
		if err != nil {
			b.Fatal(err)
		}
		if ev.Kind == StopExit {
			if ev.Status != 0 {
				b.Fatalf("exit status %#x", ev.Status)
			}
			return
		}
	}
}
