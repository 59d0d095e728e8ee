package target

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// scratch is a RW page mapped in every syscall-test process.
const scratch = 0x10000000

// newSysProc loads the synthetic program and maps a scratch page.
func newSysProc(t *testing.T) (*Process, *bytes.Buffer) {
	t.Helper()
	p, out := loadImage(t, prog{base: 0x400000, data: []byte{1}, bss: 10}.build(), []string{"prog"}, nil)
	if err := p.Mem.Map(scratch, 2*emu.PageSize, emu.PermRead|emu.PermWrite); err != nil {
		t.Fatal(err)
	}
	return p, out
}

// sc runs syscall nr with args on p's main thread.
func sc(p *Process, nr uint64, args ...uint64) uint64 {
	regs := []int{emu.RDI, emu.RSI, emu.RDX, emu.R10, emu.R8, emu.R9}
	cpu := p.main.CPU
	for i, r := range regs {
		cpu.R[r] = 0
		if i < len(args) {
			cpu.R[r] = args[i]
		}
	}
	cpu.R[emu.RAX] = nr
	return p.syscall(p.main, nr)
}

// str puts a NUL-terminated string at scratch+off and returns its address.
func str(t *testing.T, p *Process, off uint64, s string) uint64 {
	t.Helper()
	if err := p.Mem.WriteForce(scratch+off, append([]byte(s), 0)); err != nil {
		t.Fatal(err)
	}
	return scratch + off
}

func errno(e int64) uint64 { return fail(e) }

const (
	neg1  = ^uint64(0)              // -1 as a register value
	cwdFD = uint64(1<<32 + atFDCWD) // AT_FDCWD as the int argument register
)

func TestMmapSyscalls(t *testing.T) {
	const (
		anon = mapPrivate | mapAnonymous
		rw   = protRead | protWrite
	)
	p, _ := newSysProc(t)
	tests := []struct {
		name string
		nr   uint64
		args []uint64
		want uint64
	}{
		{"mmap length 0", sysMmap, []uint64{0, 0, rw, anon, neg1, 0}, errno(eINVAL)},
		{"mmap unaligned offset", sysMmap, []uint64{0, 4096, rw, anon, neg1, 1}, errno(eINVAL)},
		{"mmap no sharing type", sysMmap, []uint64{0, 4096, rw, mapAnonymous, neg1, 0}, errno(eINVAL)},
		{"mmap bad prot", sysMmap, []uint64{0, 4096, 0x10, anon, neg1, 0}, errno(eINVAL)},
		{"mmap file bad fd", sysMmap, []uint64{0, 4096, protRead, mapPrivate, 55, 0}, errno(eBADF)},
		{"mmap stdout", sysMmap, []uint64{0, 4096, protRead, mapPrivate, 1, 0}, errno(eNODEV)},
		{"mmap fixed unaligned", sysMmap, []uint64{scratch + 1, 4096, rw, anon | mapFixed, neg1, 0}, errno(eINVAL)},
		{"mmap fixed noreplace taken", sysMmap, []uint64{scratch, 4096, rw, anon | mapFixedNoreplace, neg1, 0}, errno(eEXIST)},
		{"mmap fixed beyond user space", sysMmap, []uint64{taskSize, 4096, rw, anon | mapFixed, neg1, 0}, errno(eNOMEM)},
		{"mmap too long", sysMmap, []uint64{0, 1 << 63, rw, anon, neg1, 0}, errno(eNOMEM)},
		{"mmap hint taken", sysMmap, []uint64{0x20000000, 8192, rw, anon, neg1, 0}, 0x20000000},
		{"mmap fixed noreplace free", sysMmap, []uint64{0x30000000, 4096, rw, anon | mapFixedNoreplace, neg1, 0}, 0x30000000},
		{"mmap fixed replaces", sysMmap, []uint64{scratch + 4096, 4096, protRead, anon | mapFixed, neg1, 0}, scratch + 4096},
		{"munmap unaligned", sysMunmap, []uint64{scratch + 1, 4096}, errno(eINVAL)},
		{"munmap length 0", sysMunmap, []uint64{scratch, 0}, errno(eINVAL)},
		{"munmap unmapped", sysMunmap, []uint64{0x50000000, 4096}, 0},
		{"munmap part", sysMunmap, []uint64{0x20000000, 4096}, 0},
		{"mprotect unaligned", sysMprotect, []uint64{scratch + 8, 4096, protRead}, errno(eINVAL)},
		{"mprotect unmapped", sysMprotect, []uint64{0x20000000, 8192, protRead}, errno(eNOMEM)},
		{"mprotect ok", sysMprotect, []uint64{0x20001000, 1, protRead}, 0},
		{"mprotect none", sysMprotect, []uint64{0x30000000, 4096, 0}, 0},
		{"madvise dontneed", sysMadvise, []uint64{scratch, 4096, madvDontneed}, 0},
		{"madvise unmapped", sysMadvise, []uint64{0x50000000, 4096, madvDontneed}, errno(eNOMEM)},
	}
	for _, tc := range tests {
		if got := sc(p, tc.nr, tc.args...); got != tc.want {
			t.Errorf("%s: got %#x (%d), want %#x (%d)", tc.name, got, int64(got), tc.want, int64(tc.want))
		}
	}
	perm := func(addr uint64) emu.Perm {
		for _, r := range p.Mem.Regions() {
			if addr >= r.Start && addr < r.End {
				return r.Perm
			}
		}
		return 255
	}
	if perm(0x20000000) != 255 || perm(0x20001000) != emu.PermRead || perm(0x30000000) != 0 || perm(scratch+4096) != emu.PermRead {
		t.Errorf("permissions after the table: %v %v %v %v", perm(0x20000000), perm(0x20001000), perm(0x30000000), perm(scratch+4096))
	}

	// Anonymous mappings without a hint come from below mmapBase, fresh and zeroed.
	a := sc(p, sysMmap, 0, 3*4096, rw, anon, neg1, 0)
	if a&pageMask != 0 || a >= mmapBase || a+3*4096 > mmapBase || a < 0x100000000 {
		t.Fatalf("mmap returned %#x", a)
	}
	b := sc(p, sysMmap, 0, 4096, rw, anon, neg1, 0)
	if b+4096 > a && b < a+3*4096 {
		t.Errorf("second mapping %#x overlaps the first %#x", b, a)
	}

	// MADV_DONTNEED zeroes.
	p.Mem.WriteForce(a, []byte{9})
	sc(p, sysMadvise, a, 4096, madvDontneed)
	var one [1]byte
	p.Mem.ReadForce(a, one[:])
	if one[0] != 0 {
		t.Errorf("MADV_DONTNEED left %d", one[0])
	}
}

func TestFileMmap(t *testing.T) {
	p, _ := newSysProc(t)
	content := strings.Repeat("0123456789abcdef", 300) // 4800 bytes
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte(content), 0o644)
	fd := sc(p, sysOpenat, cwdFD, str(t, p, 0, path), oRDONLY)
	if int64(fd) < 3 {
		t.Fatalf("openat: %d", int64(fd))
	}
	if got := sc(p, sysMmap, 0, 8192, protRead|protWrite, mapShared, fd, 0); got != errno(eACCES) {
		t.Errorf("shared writable map of a read-only fd: %d", int64(got))
	}
	addr := sc(p, sysMmap, 0, 8192, protRead, mapPrivate, fd, 4096)
	if int64(addr) < 0 {
		t.Fatalf("mmap: %d", int64(addr))
	}
	buf := make([]byte, 8192)
	p.Mem.ReadForce(addr, buf)
	want := append([]byte(content[4096:]), make([]byte, 8192-(len(content)-4096))...)
	if !bytes.Equal(buf, want) {
		t.Errorf("mapped contents differ")
	}
	if err := p.Mem.WriteGuest(addr, []byte{1}); err == nil {
		t.Errorf("PROT_READ mapping is writable")
	}
	if got := sc(p, sysClose, fd); got != 0 {
		t.Errorf("close: %d", int64(got))
	}
	if got := sc(p, sysClose, fd); got != errno(eBADF) {
		t.Errorf("second close: %d", int64(got))
	}
}

func TestBrk(t *testing.T) {
	p, _ := newSysProc(t)
	start := sc(p, sysBrk, 0)
	if start != p.brkStart || start&pageMask != 0 {
		t.Fatalf("brk(0) = %#x, heap starts at %#x", start, p.brkStart)
	}
	if got := sc(p, sysBrk, start+10000); got != start+10000 {
		t.Fatalf("grow: %#x", got)
	}
	if err := p.Mem.WriteGuest(start+10000-1, []byte{1}); err != nil {
		t.Errorf("heap not writable: %v", err)
	}
	if got := sc(p, sysBrk, start-4096); got != start+10000 {
		t.Errorf("brk below the start: %#x", got)
	}
	if got := sc(p, sysBrk, start+100); got != start+100 {
		t.Errorf("shrink: %#x", got)
	}
	if p.Mem.IsMapped(start+4096, 1) || !p.Mem.IsMapped(start, 1) {
		t.Errorf("shrinking left the wrong pages mapped")
	}
	// Something mapped in the way stops the heap.
	sc(p, sysMmap, start+8192, 4096, protRead, mapPrivate|mapAnonymous|mapFixed, neg1, 0)
	if got := sc(p, sysBrk, start+3*4096); got != start+100 {
		t.Errorf("brk over a mapping: %#x", got)
	}
}

func TestMiscSyscalls(t *testing.T) {
	p, out := newSysProc(t)
	cpu := p.main.CPU

	// uname
	if got := sc(p, sysUname, scratch); got != 0 {
		t.Fatalf("uname: %d", int64(got))
	}
	u := make([]byte, 6*65)
	p.Mem.ReadForce(scratch, u)
	field := func(i int) string { return string(bytes.TrimRight(u[i*65:(i+1)*65], "\x00")) }
	if field(0) != "Linux" || field(4) != "x86_64" || !strings.HasPrefix(field(2), "6.") {
		t.Errorf("uname %q %q %q", field(0), field(2), field(4))
	}

	// arch_prctl
	if got := sc(p, sysArchPrctl, archSetFS, 0x12345000); got != 0 || cpu.FSBase != 0x12345000 {
		t.Errorf("ARCH_SET_FS: %d, fs %#x", int64(got), cpu.FSBase)
	}
	if got := sc(p, sysArchPrctl, archGetFS, scratch); got != 0 {
		t.Errorf("ARCH_GET_FS: %d", int64(got))
	}
	if v, _ := p.getU64(scratch); v != 0x12345000 {
		t.Errorf("ARCH_GET_FS wrote %#x", v)
	}
	if got := sc(p, sysArchPrctl, 0x3001, scratch); got != errno(eINVAL) {
		t.Errorf("ARCH_CET_STATUS: %d", int64(got))
	}
	if got := sc(p, sysArchPrctl, archSetFS, 1<<63); got != errno(ePERM) {
		t.Errorf("ARCH_SET_FS kernel address: %d", int64(got))
	}

	// getrandom: deterministic per process, advancing.
	sc(p, sysGetrandom, scratch, 16, 0)
	r1 := make([]byte, 16)
	p.Mem.ReadForce(scratch, r1)
	sc(p, sysGetrandom, scratch, 16, grndNonblock)
	r2 := make([]byte, 16)
	p.Mem.ReadForce(scratch, r2)
	q, _ := newSysProc(t)
	sc(q, sysGetrandom, scratch, 16, 0)
	r3 := make([]byte, 16)
	q.Mem.ReadForce(scratch, r3)
	if bytes.Equal(r1, r2) || !bytes.Equal(r1, r3) {
		t.Errorf("getrandom %x %x %x: want the 1st and 3rd equal, the 2nd different", r1, r2, r3)
	}
	if got := sc(p, sysGetrandom, scratch, 16, 0x40); got != errno(eINVAL) {
		t.Errorf("getrandom bad flags: %d", int64(got))
	}
	if got := sc(p, sysGetrandom, 0x50000000, 16, 0); got != errno(eFAULT) {
		t.Errorf("getrandom to unmapped memory: %d", int64(got))
	}

	// clock_gettime (real host time for now)
	if got := sc(p, sysClockGettime, 0, scratch); got != 0 {
		t.Fatalf("clock_gettime: %d", int64(got))
	}
	sec, _ := p.getU64(scratch)
	if d := time.Since(time.Unix(int64(sec), 0)); d < -2*time.Second || d > 2*time.Second {
		t.Errorf("CLOCK_REALTIME off by %v", d)
	}
	if got := sc(p, sysClockGettime, 999, scratch); got != errno(eINVAL) {
		t.Errorf("bad clock: %d", int64(got))
	}

	// ids and trivia
	if got := sc(p, sysGetpid); got != FirstPid {
		t.Errorf("getpid %d", got)
	}
	if got := sc(p, sysGettid); got != FirstPid {
		t.Errorf("gettid %d", got)
	}
	if got := sc(p, sysSetTidAddress, scratch); got != FirstPid {
		t.Errorf("set_tid_address %d", got)
	}
	if got := sc(p, sysGetuid); got != uint64(os.Getuid()) {
		t.Errorf("getuid %d", got)
	}
	if got := sc(p, sysRseq, scratch, 32, 0, 0x53053053); got != errno(eNOSYS) {
		t.Errorf("rseq %d", int64(got))
	}
	if got := sc(p, 999); got != errno(eNOSYS) {
		t.Errorf("syscall 999: %d", int64(got))
	}
	if got := sc(p, sysSetRobustList, scratch, 24); got != 0 {
		t.Errorf("set_robust_list %d", int64(got))
	}
	if got := sc(p, sysPrlimit64, 0, 3, 0, scratch); got != 0 {
		t.Errorf("prlimit64 %d", int64(got))
	}
	if v, _ := p.getU64(scratch); v != stackSize {
		t.Errorf("RLIMIT_STACK cur %#x", v)
	}

	// signals: dispositions recorded
	act := le.AppendUint64(nil, 0x401234)
	act = le.AppendUint64(act, 0x04000000)
	act = le.AppendUint64(act, 0x401000)
	act = le.AppendUint64(act, 0)
	p.Mem.WriteForce(scratch, act)
	if got := sc(p, sysRtSigaction, sigINT, scratch, 0, 8); got != 0 {
		t.Errorf("rt_sigaction: %d", int64(got))
	}
	if got := sc(p, sysRtSigaction, sigINT, 0, scratch+64, 8); got != 0 {
		t.Errorf("rt_sigaction old: %d", int64(got))
	}
	if h, _ := p.getU64(scratch + 64); h != 0x401234 || p.sig.handler(sigINT) != 0x401234 {
		t.Errorf("handler read back %#x", h)
	}
	if got := sc(p, sysRtSigaction, sigKILL, scratch, 0, 8); got != errno(eINVAL) {
		t.Errorf("rt_sigaction SIGKILL: %d", int64(got))
	}
	if got := sc(p, sysRtSigaction, sigINT, scratch, 0, 4); got != errno(eINVAL) {
		t.Errorf("rt_sigaction bad size: %d", int64(got))
	}
	p.Mem.WriteForce(scratch, le.AppendUint64(nil, ^uint64(0)))
	if got := sc(p, sysRtSigprocmask, 0, scratch, 0, 8); got != 0 || p.main.blocked != ^uint64(unblockable) {
		t.Errorf("rt_sigprocmask: %d, blocked %#x", int64(got), p.main.blocked)
	}

	// files: readlink, fstat, ioctl, writev, dup
	exe := str(t, p, 0, "/proc/self/exe")
	if got := sc(p, sysReadlink, exe, scratch+100, 100); got != uint64(len("/test/prog")) {
		t.Errorf("readlink: %d", int64(got))
	}
	if got := sc(p, sysReadlink, exe, scratch+100, 0); got != errno(eINVAL) {
		t.Errorf("readlink size 0: %d", int64(got))
	}
	if got := sc(p, sysFstat, 1, scratch+256); got != 0 {
		t.Errorf("fstat(1): %d", int64(got))
	}
	mode := make([]byte, 4)
	p.Mem.ReadForce(scratch+256+24, mode)
	if le.Uint32(mode)&sIFMT != sIFIFO {
		t.Errorf("fstat(1) mode %o, want a FIFO", le.Uint32(mode))
	}
	if got := sc(p, sysIoctl, 1, tiocgwinsz, scratch); got != errno(eNOTTY) {
		t.Errorf("TIOCGWINSZ on a buffer: %d", int64(got))
	}
	if got := sc(p, sysIoctl, 77, tcgets, scratch); got != errno(eBADF) {
		t.Errorf("TCGETS on a bad fd: %d", int64(got))
	}
	iov := le.AppendUint64(nil, str(t, p, 512, "ab"))
	iov = le.AppendUint64(iov, 2)
	iov = le.AppendUint64(iov, str(t, p, 520, "cde"))
	iov = le.AppendUint64(iov, 3)
	p.Mem.WriteForce(scratch+1024, iov)
	if got := sc(p, sysWritev, 1, scratch+1024, 2); got != 5 {
		t.Errorf("writev: %d", int64(got))
	}
	if got := sc(p, sysDup2, 1, 9); got != 9 {
		t.Errorf("dup2: %d", int64(got))
	}
	if got := sc(p, sysWrite, 9, scratch+512, 2); got != 2 {
		t.Errorf("write to dup: %d", int64(got))
	}
	if got := sc(p, sysWrite, 1, 0x50000000, 2); got != errno(eFAULT) {
		t.Errorf("write from unmapped memory: %d", int64(got))
	}
	if got := sc(p, sysWrite, 0, scratch, 2); got != errno(eBADF) {
		t.Errorf("write to stdin: %d", int64(got))
	}
	if got := sc(p, sysLseek, 1, 0, 0); got != errno(eSPIPE) {
		t.Errorf("lseek on a stream: %d", int64(got))
	}
	if out.String() != "abcdeab" {
		t.Errorf("output %q", out)
	}
	if got := sc(p, sysOpenat, cwdFD, str(t, p, 0, "/nonexistent/x"), oRDONLY); got != errno(eNOENT) {
		t.Errorf("open missing: %d", int64(got))
	}
	if got := sc(p, sysExitGroup, 300); got != 0 || p.exitReq == nil || *p.exitReq != 300&0xff<<8 {
		t.Errorf("exit_group(300) request %v", p.exitReq)
	}
}

// brokenPipe fails every write like a pipe without readers.
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// TestSigpipe: writing to a broken pipe fails with EPIPE and raises
// SIGPIPE, which kills the process (status 13, no core).
func TestSigpipe(t *testing.T) {
	p, err := Load(Config{Path: "/t", Image: prog{base: 0x400000}.build(), Stdout: brokenPipe{}, Log: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := p.Resume(StopPostSyscall|StopSignal|StopExit, false)
	if err != nil || ev.Kind != StopPostSyscall || p.main.CPU.R[emu.RAX] != errno(ePIPE) {
		t.Fatalf("%+v %v RAX %d, want write = -EPIPE", ev, err, int64(p.main.CPU.R[emu.RAX]))
	}
	if ev, err = p.Resume(StopPostSyscall|StopSignal|StopExit, false); err != nil || ev.Kind != StopSignal || ev.Signo != sigPIPE {
		t.Fatalf("%+v %v, want SIGPIPE", ev, err)
	}
	if ev, err = p.Resume(StopPostSyscall|StopSignal|StopExit, false); err != nil || ev.Kind != StopExit || ev.Status != sigPIPE {
		t.Fatalf("%+v %v, want exit by SIGPIPE", ev, err)
	}
}
