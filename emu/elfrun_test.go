package emu

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// This file holds a tiny Linux personality used only by the tests: it loads
// a static ELF's PT_LOAD segments, builds an initial stack and services the
// handful of syscalls musl's startup and stdio make, so whole guest
// programs can run on the CPU without the target package.

// needTool returns the path of a host tool (see testenv.Tool).
func needTool(t testing.TB, name string) string {
	t.Helper()
	return testenv.Tool(t, name)
}

type miniOS struct {
	mem    *Memory
	cpu    *CPU
	out    bytes.Buffer
	brk    uint64
	exited bool
	status int
}

const stackTop = 0x7ffffffff000

func loadELF(t testing.TB, path string, args []string) *miniOS {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem := NewMemory()
	var phdr, end uint64
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		var perm Perm
		if p.Flags&elf.PF_R != 0 {
			perm |= PermRead
		}
		if p.Flags&elf.PF_W != 0 {
			perm |= PermWrite
		}
		if p.Flags&elf.PF_X != 0 {
			perm |= PermExec
		}
		start := p.Vaddr &^ (PageSize - 1)
		stop := (p.Vaddr + p.Memsz + PageSize - 1) &^ (PageSize - 1)
		if err := mem.Map(start, stop-start, perm); err != nil {
			t.Fatal(err)
		}
		data := make([]byte, p.Filesz)
		if _, err := p.ReadAt(data, 0); err != nil {
			t.Fatal(err)
		}
		if err := mem.WriteForce(p.Vaddr, data); err != nil {
			t.Fatal(err)
		}
		if p.Off == 0 {
			phdr = p.Vaddr + 64 // e_phoff of ld-produced executables
		}
		if stop > end {
			end = stop
		}
	}
	const stackSize = 1 << 20
	if err := mem.Map(stackTop-stackSize, stackSize, PermRead|PermWrite); err != nil {
		t.Fatal(err)
	}
	// strings at the top, then the vectors
	sp := uint64(stackTop - 256)
	random := sp
	mem.WriteForce(random, []byte("0123456789abcdef"))
	strAt := random + 16
	var argv []uint64
	for _, a := range args {
		mem.WriteForce(strAt, append([]byte(a), 0))
		argv = append(argv, strAt)
		strAt += uint64(len(a) + 1)
	}
	words := []uint64{uint64(len(args))}
	words = append(words, argv...)
	words = append(words, 0, 0) // argv NULL, envp NULL
	words = append(words,
		3, phdr, 4, 56, 5, uint64(len(f.Progs)), 6, PageSize, 9, f.Entry, 25, random, 0, 0)
	sp = (sp - uint64(8*len(words)) - 64) &^ 15
	buf := make([]byte, 8*len(words))
	for i, w := range words {
		binary.LittleEndian.PutUint64(buf[8*i:], w)
	}
	mem.WriteForce(sp, buf)
	cpu := NewCPU(mem)
	cpu.RIP = f.Entry
	cpu.R[RSP] = sp
	return &miniOS{mem: mem, cpu: cpu, brk: end}
}

// run executes until exit, a fault, or the instruction budget runs out.
func (o *miniOS) run(t testing.TB, budget uint64) {
	t.Helper()
	c := o.cpu
	for !o.exited {
		reason, n := c.Run(budget, nil)
		if n > budget {
			t.Fatalf("Run reported %d instructions, more than the budget", n)
		}
		budget -= n
		switch reason {
		case StopSyscall:
			o.syscall(t)
		case StopBudget:
			t.Fatalf("instruction budget exhausted at rip %#x", c.RIP)
		default:
			t.Fatalf("stop %d at rip %#x: %v (output so far %q)", reason, c.RIP, c.Fault.Error(), o.out.String())
		}
	}
}

func (o *miniOS) syscall(t testing.TB) {
	c := o.cpu
	nr := c.R[RAX]
	a := [6]uint64{c.R[RDI], c.R[RSI], c.R[RDX], c.R[R10], c.R[R8], c.R[R9]}
	ret := uint64(0)
	neg := func(e int) uint64 { return uint64(-int64(e)) }
	switch nr {
	case 1: // write
		b := make([]byte, a[2])
		if err := o.mem.ReadGuest(a[1], b); err != nil {
			ret = neg(14)
			break
		}
		o.out.Write(b)
		ret = a[2]
	case 20: // writev
		total := uint64(0)
		for i := uint64(0); i < a[2]; i++ {
			var iov [16]byte
			if err := o.mem.ReadGuest(a[1]+16*i, iov[:]); err != nil {
				ret = neg(14)
				break
			}
			base, n := binary.LittleEndian.Uint64(iov[:]), binary.LittleEndian.Uint64(iov[8:])
			b := make([]byte, n)
			if err := o.mem.ReadGuest(base, b); err != nil {
				ret = neg(14)
				break
			}
			o.out.Write(b)
			total += n
		}
		if ret == 0 {
			ret = total
		}
	case 16: // ioctl
		ret = neg(25)
	case 158: // arch_prctl
		if a[0] == 0x1002 {
			c.FSBase = a[1]
		} else {
			ret = neg(22)
		}
	case 218: // set_tid_address
		ret = 1
	case 12: // brk
		if a[0] > o.brk && a[0] < o.brk+(64<<20) {
			newEnd := (a[0] + PageSize - 1) &^ (PageSize - 1)
			if newEnd > o.brk {
				o.mem.Map(o.brk, newEnd-o.brk, PermRead|PermWrite)
				o.brk = newEnd
			}
			ret = a[0]
		} else {
			ret = o.brk
		}
	case 9: // mmap (anonymous only)
		size := (a[1] + PageSize - 1) &^ (PageSize - 1)
		addr, ok := o.mem.FindFree(size, 0x7f0000000000)
		if !ok || a[4] != ^uint64(0) {
			ret = neg(12)
			break
		}
		o.mem.Map(addr, size, PermRead|PermWrite)
		ret = addr
	case 11: // munmap
		o.mem.Unmap(a[0], a[1])
	case 10, 13, 14: // mprotect, rt_sigaction, rt_sigprocmask
	case 39: // getpid
		ret = 42
	case 60, 231: // exit, exit_group
		o.exited = true
		o.status = int(a[0] & 0xff)
	default:
		ret = neg(38)
	}
	c.R[RAX] = ret
}

// buildGuest compiles testdata/name.c with musl-gcc -static and the given
// optimisation flag, returning the binary path.
func buildGuest(t testing.TB, name, opt string) string {
	t.Helper()
	cc := needTool(t, "musl-gcc")
	out := filepath.Join(t.TempDir(), name+opt)
	cmd := exec.Command(cc, "-static", opt, "-o", out, filepath.Join("testdata", name+".c"))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("musl-gcc %s: %v\n%s", name, err, b)
	}
	return out
}

// TestGuestPrograms runs whole musl programs on the CPU and compares their
// output and exit status with native execution.
func TestGuestPrograms(t *testing.T) {
	progs, err := filepath.Glob("testdata/*.c")
	if err != nil || len(progs) == 0 {
		t.Fatalf("no guest programs: %v", err)
	}
	for _, src := range progs {
		name := strings.TrimSuffix(filepath.Base(src), ".c")
		for _, opt := range []string{"-O0", "-O2", "-O3"} {
			t.Run(name+opt, func(t *testing.T) {
				bin := buildGuest(t, name, opt)
				native := exec.Command(bin, "arg1")
				want, err := native.Output()
				wantStatus := 0
				if ee, ok := err.(*exec.ExitError); ok {
					wantStatus = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				o := loadELF(t, bin, []string{bin, "arg1"})
				o.run(t, 2_000_000_000)
				if got := o.out.String(); got != string(want) {
					t.Errorf("output differs\n got: %q\nwant: %q", got, want)
				}
				if o.status != wantStatus {
					t.Errorf("exit status %d, want %d", o.status, wantStatus)
				}
				t.Logf("%d instructions", o.cpu.InstructionsExecuted())
			})
		}
	}
}
