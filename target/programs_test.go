package target

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// TestProgramsMatchNative runs real musl programs in the emulator and on
// the host and compares their output and wait status.
func TestProgramsMatchNative(t *testing.T) {
	testMatchNative(t, "musl-gcc")
}

// TestGlibcProgramsMatchNative does the same with static glibc programs,
// whose startup makes more syscalls (brk, readlink, getrandom, mprotect,
// newfstatat), built as ET_EXEC and as static PIE.
func TestGlibcProgramsMatchNative(t *testing.T) {
	testMatchNative(t, "gcc", "-O2 -static-pie -fPIE")
}

func testMatchNative(t *testing.T, compiler string, extraOpts ...string) {
	dataFile := filepath.Join(t.TempDir(), "data.txt")
	if err := os.WriteFile(dataFile, []byte("first line\nsecond line\nthird\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		stdin string
	}{
		{"hello", nil, ""},
		{"args", []string{"one", "two words", ""}, ""},
		{"fileread", []string{dataFile}, ""},
		{"heap", nil, ""},
		{"bigstack", nil, ""},
		{"exit3", nil, ""},
		{"segv", nil, ""},
		{"trap", nil, ""},
		{"blocked", nil, ""},
		{"stdin", nil, "15 apples\n225 pears\nno number\n-7 x"},
		{"float", nil, ""},
		{"mixed", nil, ""},
		{"abort", nil, ""},
		{"sigfault", nil, ""},
		{"sighandlers", nil, ""},
		{"threads", nil, ""},
		{"threads2", nil, ""},
		{"sigwait", nil, ""},
		{"pipes", nil, ""},
		{"forkpipe", nil, ""},
		{"quirks", nil, ""},
	}
	for _, tc := range tests {
		for _, opt := range append(opts, extraOpts...) {
			t.Run(tc.name+strings.ReplaceAll(opt, " ", ""), func(t *testing.T) {
				t.Parallel()
				bin := buildWith(t, compiler, tc.name, opt)
				args := append([]string{bin}, tc.args...)
				wantOut, wantErr, wantStatus := runNative(t, bin, args, tc.stdin)
				p, out, errOut := loadGuest2(t, bin, args, tc.stdin)
				status := runToExit(t, p)
				if out.String() != wantOut {
					t.Errorf("stdout differs\nemulated:\n%s\nnative:\n%s", out, wantOut)
				}
				if errOut.String() != wantErr {
					t.Errorf("stderr differs\nemulated:\n%s\nnative:\n%s", errOut, wantErr)
				}
				// The host sets the core bit only if it wrote a core
				// file (ulimit -c); compare it apart.
				if status&^coreDump != wantStatus&^coreDump {
					t.Errorf("status %#x, native %#x", status, wantStatus)
				}
				if sig := status & 0x7f; sig != 0 && dumpsCore(sig) != (status&coreDump != 0) {
					t.Errorf("status %#x: core bit wrong for signal %d", status, sig)
				}
			})
		}
	}
}

// TestCrashStatus checks the NULL dereference ends as the shell's 139.
func TestCrashStatus(t *testing.T) {
	bin := buildGuest(t, "segv", "-O0")
	p, _ := loadGuest(t, bin, []string{bin}, "")
	if st := runToExit(t, p); st != 11|0x80 {
		t.Fatalf("status %#x, want %#x", st, 11|0x80)
	}
	if _, err := p.Resume(StopExit|StopSignal, false); !errors.Is(err, ErrExited) {
		t.Fatalf("Resume after exit: %v", err)
	}
	if p.Threads() != nil {
		t.Fatalf("Threads() after exit = %v", p.Threads())
	}
}

// TestSyscallStops checks that PRE and POST syscall stops alternate with
// the right numbers and results, ending with exit_group's PRE and the exit.
func TestSyscallStops(t *testing.T) {
	for _, opt := range opts {
		t.Run(opt, func(t *testing.T) {
			bin := buildGuest(t, "hello", opt)
			p, out := loadGuest(t, bin, []string{bin}, "")
			cpu := p.Threads()[0].CPU
			mask := StopPreSyscall | StopPostSyscall | StopExit
			var seq []uint64
			pre := true
			for i := 0; ; i++ {
				if i > 100 {
					t.Fatal("too many stops")
				}
				ev, err := p.Resume(mask, false)
				if err != nil {
					t.Fatalf("Resume: %v", err)
				}
				if ev.Kind == StopExit {
					if ev.Status != 0 {
						t.Errorf("exit status %#x", ev.Status)
					}
					break
				}
				want := StopPostSyscall
				if pre {
					want = StopPreSyscall
				}
				if ev.Kind != want {
					t.Fatalf("stop %d is %v, want %v", i, ev.Kind, want)
				}
				if pre {
					if cpu.R[emu.RAX] != ev.Syscall {
						t.Errorf("pre stop: RAX %d, event says %d", cpu.R[emu.RAX], ev.Syscall)
					}
					seq = append(seq, ev.Syscall)
				} else {
					if ev.Syscall != seq[len(seq)-1] {
						t.Errorf("post stop for %d after pre for %d", ev.Syscall, seq[len(seq)-1])
					}
					if ev.Syscall == sysWritev || ev.Syscall == sysWrite {
						if got := cpu.R[emu.RAX]; got != uint64(len("hello, world\n")) {
							t.Errorf("write result %d", int64(got))
						}
					}
				}
				pre = !pre
			}
			if len(seq) == 0 || seq[len(seq)-1] != sysExitGroup {
				t.Fatalf("syscalls %v do not end with exit_group", seq)
			}
			if pre {
				t.Fatalf("exit came after a post stop, not after exit_group's pre stop")
			}
			wrote := false
			for _, nr := range seq {
				wrote = wrote || nr == sysWritev || nr == sysWrite
			}
			if !wrote {
				t.Errorf("no write among %v", seq)
			}
			if out.String() != "hello, world\n" {
				t.Errorf("output %q", out)
			}
		})
	}
}

// TestIgnoreSyscall skips the write at its PRE stop: no output, RAX as set
// by the tracer at the POST stop, and the program still exits normally.
func TestIgnoreSyscall(t *testing.T) {
	bin := buildGuest(t, "hello", "-O2")
	p, out := loadGuest(t, bin, []string{bin}, "")
	cpu := p.Threads()[0].CPU
	mask := StopPreSyscall | StopPostSyscall | StopExit
	skipped := false
	ignore := false
	for {
		ev, err := p.Resume(mask, ignore)
		ignore = false
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind == StopExit {
			if ev.Status != 0 {
				t.Errorf("status %#x", ev.Status)
			}
			break
		}
		isWrite := ev.Syscall == sysWritev || ev.Syscall == sysWrite
		if ev.Kind == StopPreSyscall && isWrite && !skipped {
			cpu.R[emu.RAX] = 13 // pretend everything was written
			ignore = true
			skipped = true
			continue
		}
		if ev.Kind == StopPostSyscall && isWrite && skipped && cpu.R[emu.RAX] != 13 {
			t.Errorf("after an ignored write RAX = %d, want 13", cpu.R[emu.RAX])
		}
	}
	if !skipped {
		t.Fatal("no write to skip")
	}
	if out.Len() != 0 {
		t.Errorf("output %q after the write was skipped", out)
	}
}

// TestSingleStep steps the first instructions from the entry point, each
// stop having executed exactly one instruction, then stepping through a
// syscall reports its stops first.
func TestSingleStep(t *testing.T) {
	bin := buildGuest(t, "hello", "-O0")
	p, _ := loadGuest(t, bin, []string{bin}, "")
	cpu := p.Threads()[0].CPU
	if cpu.RIP != p.Entry() {
		t.Fatalf("RIP %#x at load, entry %#x", cpu.RIP, p.Entry())
	}
	for i := 0; i < 50; i++ {
		before, rip := cpu.InstructionsExecuted(), cpu.RIP
		ev, err := p.Resume(StopSingleStep|StopBreakpoint|StopSignal|StopExit, false)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind != StopSingleStep {
			t.Fatalf("step %d: stop %v", i, ev.Kind)
		}
		if d := cpu.InstructionsExecuted() - before; d != 1 {
			t.Fatalf("step %d at %#x executed %d instructions", i, rip, d)
		}
	}
	// The very first instruction of musl's _start is `xor %rbp,%rbp` (3 bytes).
	p2, _ := loadGuest(t, bin, []string{bin}, "")
	if _, err := p2.Resume(StopSingleStep, false); err != nil {
		t.Fatal(err)
	}
	if got := p2.Threads()[0].CPU.RIP; got != p2.Entry()+3 {
		t.Errorf("after one step RIP = %#x, want entry+3 = %#x", got, p2.Entry()+3)
	}

	// Step until a syscall: PRE, POST, then the step's own stop.
	var kinds []StopMask
	for i := 0; i < 200000 && len(kinds) < 3; i++ {
		ev, err := p.Resume(StopSingleStep|StopPreSyscall|StopPostSyscall, false)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind != StopSingleStep || len(kinds) > 0 {
			kinds = append(kinds, ev.Kind)
		}
	}
	want := []StopMask{StopPreSyscall, StopPostSyscall, StopSingleStep}
	if len(kinds) != 3 || kinds[0] != want[0] || kinds[1] != want[1] || kinds[2] != want[2] {
		t.Errorf("stepping over a syscall gave %v, want %v", kinds, want)
	}
}

// TestBreakpoint stops at main's address, steps off it, and runs to the end.
func TestBreakpoint(t *testing.T) {
	for _, opt := range opts {
		t.Run(opt, func(t *testing.T) {
			bin := buildGuest(t, "hello", opt)
			p, out := loadGuest(t, bin, []string{bin}, "")
			cpu := p.Threads()[0].CPU
			main := symbol(t, bin, "main")
			p.Mem.SetBreakpoint(main)
			ev, err := p.Resume(StopBreakpoint|StopExit, false)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != StopBreakpoint || cpu.RIP != main {
				t.Fatalf("stop %v at %#x, want breakpoint at main %#x", ev.Kind, cpu.RIP, main)
			}
			before := cpu.InstructionsExecuted()
			if ev, err = p.Resume(StopSingleStep|StopBreakpoint, false); err != nil || ev.Kind != StopSingleStep {
				t.Fatalf("step off the breakpoint: %v %v", ev.Kind, err)
			}
			if cpu.RIP == main || cpu.InstructionsExecuted() != before+1 {
				t.Fatalf("step off main left RIP %#x after %d instructions", cpu.RIP, cpu.InstructionsExecuted()-before)
			}
			// Resuming at a breakpoint steps off it too.
			p2, _ := loadGuest(t, bin, []string{bin}, "")
			p2.Mem.SetBreakpoint(main)
			if ev, _ := p2.Resume(StopBreakpoint, false); ev.Kind != StopBreakpoint {
				t.Fatalf("second process: %v", ev.Kind)
			}
			if st := runToExit(t, p2); st != 0 {
				t.Errorf("status %#x", st)
			}
			if st := runToExit(t, p); st != 0 || out.String() != "hello, world\n" {
				t.Errorf("status %#x, output %q", st, out)
			}
		})
	}
}

// TestInt3 stops at a guest int3 with RIP at the int3 byte; a tracer
// skipping it lets the program finish.
func TestInt3(t *testing.T) {
	for _, opt := range opts {
		t.Run(opt, func(t *testing.T) {
			bin := buildGuest(t, "trap", opt)
			p, out := loadGuest(t, bin, []string{bin}, "")
			cpu := p.Threads()[0].CPU
			ev, err := p.Resume(StopBreakpoint|StopSignal|StopExit, false)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != StopBreakpoint {
				t.Fatalf("stop %v, want breakpoint", ev.Kind)
			}
			var b [1]byte
			if err := p.Mem.ReadForce(cpu.RIP, b[:]); err != nil || b[0] != 0xcc {
				t.Fatalf("RIP %#x holds %#x (%v), want the int3 byte", cpu.RIP, b[0], err)
			}
			cpu.RIP++ // what a debugger does to continue past a compiled-in int3
			if st := runToExit(t, p); st != 0 {
				t.Errorf("status %#x", st)
			}
			if out.String() != "before int3\nafter int3\n" {
				t.Errorf("output %q", out)
			}
		})
	}
	// Unarmed, int3 is a SIGTRAP with RIP after the byte.
	bin := buildGuest(t, "trap", "-O2")
	p, _ := loadGuest(t, bin, []string{bin}, "")
	ev, err := p.Resume(StopSignal, false)
	if err != nil || ev.Kind != StopSignal || ev.Signo != sigTRAP {
		t.Fatalf("got %+v, %v; want SIGTRAP stop", ev, err)
	}
	var b [1]byte
	p.Mem.ReadForce(p.Threads()[0].CPU.RIP-1, b[:])
	if b[0] != 0xcc {
		t.Errorf("RIP-1 holds %#x, want the int3 byte", b[0])
	}
	if st := runToExit(t, p); st != sigTRAP|coreDump {
		t.Errorf("status %#x, want %#x", st, sigTRAP|coreDump)
	}
}

// TestSegvStop reports the NULL dereference as a SIGSEGV stop with
// SigAddr 0; discarding it re-executes the store, which faults again; not
// discarding it terminates with 11|0x80.
func TestSegvStop(t *testing.T) {
	for _, opt := range opts {
		t.Run(opt, func(t *testing.T) {
			bin := buildGuest(t, "segv", opt)
			p, out := loadGuest(t, bin, []string{bin}, "")
			cpu := p.Threads()[0].CPU
			mask := StopSignal | StopBreakpoint | StopExit
			ev, err := p.Resume(mask, false)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != StopSignal || ev.Signo != sigSEGV || ev.SigAddr != 0 || ev.SigCode != emu.SEGV_MAPERR || ev.Handler != sigDFL {
				t.Fatalf("stop %+v, want SIGSEGV at address 0 (SEGV_MAPERR, SIG_DFL)", ev)
			}
			rip := cpu.RIP
			ev, err = p.Resume(mask, true)
			if err != nil || ev.Kind != StopSignal || ev.Signo != sigSEGV || cpu.RIP != rip {
				t.Fatalf("after discarding: %+v %v at %#x, want the same SIGSEGV at %#x", ev, err, cpu.RIP, rip)
			}
			ev, err = p.Resume(mask, false)
			if err != nil || ev.Kind != StopExit || ev.Status != sigSEGV|coreDump {
				t.Fatalf("after delivering: %+v %v, want exit status %#x", ev, err, sigSEGV|coreDump)
			}
			if _, err := p.Resume(mask, false); !errors.Is(err, ErrExited) {
				t.Fatalf("after the exit stop: %v", err)
			}
			if out.String() != "about to crash\n" {
				t.Errorf("output %q", out)
			}
		})
	}
	// SIGKILL sent while parked at the SIGSEGV stop wins over it.
	bin := buildGuest(t, "segv", "-O2")
	p, _ := loadGuest(t, bin, []string{bin}, "")
	if ev, err := p.Resume(StopSignal|StopExit, false); err != nil || ev.Signo != sigSEGV {
		t.Fatalf("%+v %v", ev, err)
	}
	p.Kill(sigKILL)
	if ev, err := p.Resume(StopSignal|StopExit, false); err != nil || ev.Kind != StopExit || ev.Status != sigKILL {
		t.Fatalf("%+v %v, want exit by SIGKILL", ev, err)
	}
}

// TestKillInterrupts: Kill(SIGINT) from another goroutine stops a
// busy-looping guest within 100 ms; the signal can be discarded, and
// delivered it terminates with status 2. SIGKILL ends it at once.
func TestKillInterrupts(t *testing.T) {
	bin := buildGuest(t, "spin", "-O2")
	p, _ := loadGuest(t, bin, []string{bin}, "")
	mask := StopSignal | StopBreakpoint | StopExit
	kill := func(sig int) chan time.Time {
		sent := make(chan time.Time, 1)
		go func() {
			time.Sleep(50 * time.Millisecond)
			sent <- time.Now()
			p.Kill(sig)
		}()
		return sent
	}
	// Every round after the first resumes with ignore, discarding the
	// SIGINT of the round before. On an overloaded host one slow round
	// is tolerated, not a systematically late stop.
	late := 0
	for round := 0; round < 6; round++ {
		sent := kill(sigINT)
		ev, err := p.Resume(mask, round > 0)
		got := time.Now()
		if err != nil || ev.Kind != StopSignal || ev.Signo != sigINT || ev.SigCode != siUser {
			t.Fatalf("round %d: %+v %v, want a SIGINT stop", round, ev, err)
		}
		d := got.Sub(<-sent)
		if d > 100*time.Millisecond {
			late++
		}
		t.Logf("round %d: stop %v after Kill", round, d)
	}
	if late > 1 {
		t.Errorf("%d of 6 stops came more than 100 ms after Kill", late)
	}
	ev, err := p.Resume(mask, false)
	if err != nil || ev.Kind != StopExit || ev.Status != sigINT {
		t.Fatalf("delivering SIGINT: %+v %v, want exit status 2", ev, err)
	}

	p, _ = loadGuest(t, bin, []string{bin}, "")
	kill(sigKILL)
	ev, err = p.Resume(mask, false)
	if err != nil || ev.Kind != StopExit || ev.Status != sigKILL {
		t.Fatalf("SIGKILL: %+v %v, want exit status 9 without a signal stop", ev, err)
	}
	if _, err := p.Resume(mask, false); !errors.Is(err, ErrExited) {
		t.Fatal(err)
	}
	if st, ok := p.ExitStatus(); !ok || st != sigKILL {
		t.Fatalf("ExitStatus %d %v", st, ok)
	}
}

// TestSignalHandlerReported: a StopSignal stop names the installed handler.
func TestSignalHandlerReported(t *testing.T) {
	bin := buildGuest(t, "handler", "-O2")
	p, _ := loadGuest(t, bin, []string{bin}, "")
	mask := StopSignal | StopExit
	go func() {
		time.Sleep(20 * time.Millisecond)
		p.Kill(sigINT)
	}()
	ev, err := p.Resume(mask, false)
	if err != nil || ev.Kind != StopSignal || ev.Signo != sigINT {
		t.Fatalf("%+v %v, want a SIGINT stop", ev, err)
	}
	if want := symbol(t, bin, "on_int"); ev.Handler != want {
		t.Errorf("handler %#x, want on_int %#x", ev.Handler, want)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		p.Kill(sigKILL)
	}()
	ev, err = p.Resume(mask, true)
	if err != nil || ev.Kind != StopExit || ev.Status != sigKILL {
		t.Fatalf("%+v %v, want exit by SIGKILL", ev, err)
	}
}

// TestExitUnarmed: without StopExit the exit is reported as ErrExited.
func TestExitUnarmed(t *testing.T) {
	bin := buildGuest(t, "exit3", "-O2")
	p, out := loadGuest(t, bin, []string{bin}, "")
	if _, err := p.Resume(StopBreakpoint|StopSignal, false); !errors.Is(err, ErrExited) {
		t.Fatalf("Resume: %v, want ErrExited", err)
	}
	if st, ok := p.ExitStatus(); !ok || st != 3<<8 {
		t.Errorf("ExitStatus %#x %v", st, ok)
	}
	if _, err := p.Resume(StopExit, false); !errors.Is(err, ErrExited) {
		t.Fatalf("second Resume: %v", err)
	}
	if out.String() != "exiting with 3\n" {
		t.Errorf("output %q", out)
	}
}

// TestKillWhileParked: a signal sent while the process is stopped is
// reported when it resumes, before it runs any further.
func TestKillWhileParked(t *testing.T) {
	bin := buildGuest(t, "hello", "-O2")
	p, out := loadGuest(t, bin, []string{bin}, "")
	main := symbol(t, bin, "main")
	p.Mem.SetBreakpoint(main)
	mask := StopBreakpoint | StopSignal | StopExit
	if ev, err := p.Resume(mask, false); err != nil || ev.Kind != StopBreakpoint {
		t.Fatalf("%+v %v", ev, err)
	}
	p.Kill(sigTERM)
	cpu := p.Threads()[0].CPU
	before := cpu.InstructionsExecuted()
	ev, err := p.Resume(mask, false)
	if err != nil || ev.Kind != StopSignal || ev.Signo != sigTERM || cpu.InstructionsExecuted() != before || cpu.RIP != main {
		t.Fatalf("%+v %v after %d instructions, want an immediate SIGTERM stop", ev, err, cpu.InstructionsExecuted()-before)
	}
	// Discarded, the program carries on normally.
	if ev, err := p.Resume(mask, true); err != nil || ev.Kind != StopExit || ev.Status != 0 {
		t.Fatalf("%+v %v", ev, err)
	}
	if out.String() != "hello, world\n" {
		t.Errorf("output %q", out)
	}
}

// TestKillInterruptsSleep: a guest blocked in nanosleep is woken by Kill;
// the discarded signal makes the sleep return early (EINTR).
func TestKillInterruptsSleep(t *testing.T) {
	for _, cc := range []string{"musl-gcc", "gcc"} {
		t.Run(cc, func(t *testing.T) {
			bin := buildWith(t, cc, "sleep", "-O2")
			p, out := loadGuest(t, bin, []string{bin}, "")
			mask := StopSignal | StopExit
			var sent time.Time
			go func() {
				time.Sleep(100 * time.Millisecond)
				sent = time.Now()
				p.Kill(sigINT)
			}()
			ev, err := p.Resume(mask, false)
			if err != nil || ev.Kind != StopSignal || ev.Signo != sigINT {
				t.Fatalf("%+v %v, want a SIGINT stop", ev, err)
			}
			if d := time.Since(sent); d > 100*time.Millisecond {
				t.Errorf("stop %v after Kill", d)
			}
			if ev, err := p.Resume(mask, true); err != nil || ev.Kind != StopExit || ev.Status != 0 {
				t.Fatalf("%+v %v", ev, err)
			}
			if out.String() != "left some\n" {
				t.Errorf("output %q", out)
			}
		})
	}
}

// termHost answers terminal ioctls like a 24x80 terminal.
type termHost struct{ denyHost }

func (termHost) Terminal(f any, req uint32, out []byte) error {
	if req == tiocgwinsz {
		copy(out, []byte{24, 0, 80, 0, 0, 0, 0, 0})
		return nil
	}
	copy(out, []byte{1, 2, 3, 4})
	return nil
}

// TestTerminalPassThrough: terminal ioctls go to the Host.
func TestTerminalPassThrough(t *testing.T) {
	var out bytes.Buffer
	p, err := Load(Config{Path: "/t", Image: prog{base: 0x400000}.build(), Stdout: &out, Host: termHost{}, Log: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	p.Mem.Map(scratch, 4096, emu.PermRead|emu.PermWrite)
	if got := sc(p, sysIoctl, 1, tiocgwinsz, scratch); got != 0 {
		t.Fatalf("TIOCGWINSZ: %d", int64(got))
	}
	ws := make([]byte, 8)
	p.Mem.ReadForce(scratch, ws)
	if le.Uint16(ws) != 24 || le.Uint16(ws[2:]) != 80 {
		t.Errorf("winsize %v", ws)
	}
	if got := sc(p, sysIoctl, 1, 0x5402 /* TCSETS */, scratch); got != errno(eNOTTY) {
		t.Errorf("TCSETS: %d", int64(got))
	}
}

// TestAbortSigCode: abort() raises SIGABRT with tkill, so the stop says
// SI_TKILL; delivered, it ends the process with 6|0x80.
func TestAbortSigCode(t *testing.T) {
	for _, cc := range []string{"musl-gcc", "gcc"} {
		t.Run(cc, func(t *testing.T) {
			bin := buildWith(t, cc, "abort", "-O2")
			p, _ := loadGuest(t, bin, []string{bin}, "")
			ev, err := p.Resume(StopSignal|StopExit, false)
			if err != nil || ev.Kind != StopSignal || ev.Signo != sigABRT || ev.SigCode != siTkill {
				t.Fatalf("%+v %v, want SIGABRT with SI_TKILL", ev, err)
			}
			if st := runToExit(t, p); st != sigABRT|coreDump {
				t.Errorf("status %#x", st)
			}
		})
	}
}

// TestSignalFrameLayout stops at the first instruction of a SA_SIGINFO
// handler and checks the rt_sigframe against the Linux x86_64 layout that
// gdb's unwinder reads: pretcode = the restorer, the ucontext after it,
// siginfo after that, the interrupted registers in the sigcontext, an
// aligned FXSAVE area, and the ABI's stack alignment.
func TestSignalFrameLayout(t *testing.T) {
	for _, cc := range []string{"musl-gcc", "gcc"} {
		t.Run(cc, func(t *testing.T) {
			bin := buildWith(t, cc, "sighandlers", "-O0")
			p, _ := loadGuest(t, bin, []string{bin}, "")
			handler := symbol(t, bin, "on_usr1")
			restorer := symbol(t, bin, "__restore_rt")
			p.Mem.SetBreakpoint(handler)
			mask := StopBreakpoint | StopSignal | StopExit
			ev, err := p.Resume(mask, false)
			if err != nil || ev.Kind != StopSignal || ev.Signo != sigUSR1 || ev.Handler != handler {
				t.Fatalf("%+v %v, want a SIGUSR1 stop naming on_usr1 %#x", ev, err, handler)
			}
			cpu := p.Threads()[0].CPU
			before := *cpuRegs(cpu)
			if ev, err = p.Resume(mask, false); err != nil || ev.Kind != StopBreakpoint || cpu.RIP != handler {
				t.Fatalf("%+v %v at %#x, want the breakpoint at the handler", ev, err, cpu.RIP)
			}
			r := &cpu.R
			sp := r[emu.RSP]
			u64 := func(a uint64) uint64 {
				var b [8]byte
				if err := p.Mem.ReadForce(a, b[:]); err != nil {
					t.Fatalf("read %#x: %v", a, err)
				}
				return le.Uint64(b[:])
			}
			if (sp+8)%16 != 0 {
				t.Errorf("rsp %#x: (rsp+8)%%16 != 0", sp)
			}
			if r[emu.RDI] != sigUSR1 || r[emu.RDX] != sp+8 || r[emu.RSI] != sp+8+304 || r[emu.RAX] != 0 {
				t.Errorf("rdi %d rsi %#x rdx %#x rax %#x; rsp %#x", r[emu.RDI], r[emu.RSI], r[emu.RDX], r[emu.RAX], sp)
			}
			if got := u64(sp); got != restorer {
				t.Errorf("pretcode %#x, want __restore_rt %#x", got, restorer)
			}
			uc := sp + 8
			sc := uc + 40
			if got := u64(sc + 128); got != before.rip {
				t.Errorf("sigcontext rip %#x, interrupted at %#x", got, before.rip)
			}
			if got := u64(sc + 15*8); got != before.r[emu.RSP] {
				t.Errorf("sigcontext rsp %#x, interrupted rsp %#x", got, before.r[emu.RSP])
			}
			if got := u64(sc + 8*8); got != before.r[emu.RDI] {
				t.Errorf("sigcontext rdi %#x, interrupted %#x", got, before.r[emu.RDI])
			}
			if got := u64(sc + 144); got&0xffff != 0x33 || got>>48 != 0x2b {
				t.Errorf("cs/gs/fs/ss word %#x", got)
			}
			if got := u64(sc + 168); got != u64(uc+296) {
				t.Errorf("oldmask %#x, uc_sigmask %#x", got, u64(uc+296))
			}
			fp := u64(sc + 184)
			if fp%64 != 0 || fp < sp+440 {
				t.Errorf("fpstate %#x (frame at %#x)", fp, sp)
			}
			if mx := uint32(u64(fp + 24)); mx != before.mxcsr {
				t.Errorf("saved MXCSR %#x, want %#x", mx, before.mxcsr)
			}
			si := sp + 8 + 304
			if got := u64(si); int32(got) != sigUSR1 {
				t.Errorf("si_signo %d", int32(got))
			}
			if code := int32(u64(si + 8)); code != siTkill {
				t.Errorf("si_code %d, want SI_TKILL", code)
			}
			if pid := int32(u64(si + 16)); int(pid) != p.Pid {
				t.Errorf("si_pid %d, want %d", pid, p.Pid)
			}
			p.Mem.ClearBreakpoint(handler)
			if st := runToExit(t, p); st != sigTERM {
				t.Errorf("status %#x", st)
			}
		})
	}
}

type regSnap struct {
	r     [16]uint64
	rip   uint64
	mxcsr uint32
}

func cpuRegs(c *emu.CPU) *regSnap { return &regSnap{c.R, c.RIP, c.MXCSR} }

// TestThreadsDeterministic: the threads program runs its threads under
// the fixed-quantum scheduler, so two runs execute exactly the same
// number of instructions; stops inside a thread name its tid, which
// Threads lists along with the main thread.
func TestThreadsDeterministic(t *testing.T) {
	for _, cc := range []string{"musl-gcc", "gcc"} {
		t.Run(cc, func(t *testing.T) {
			bin := buildWith(t, cc, "threads", "-O2")
			var counts [2]uint64
			for run := range counts {
				p, out := loadGuest(t, bin, []string{bin}, "")
				if st := runToExit(t, p); st != 0 {
					t.Fatalf("status %#x", st)
				}
				if !strings.Contains(out.String(), "counter 80000 (want 80000)") {
					t.Fatalf("output %q", out)
				}
				counts[run] = p.instructions()
			}
			if counts[0] != counts[1] || counts[0] == 0 {
				t.Errorf("instruction counts %d and %d differ", counts[0], counts[1])
			}
			t.Logf("%d instructions", counts[0])

			p, _ := loadGuest(t, bin, []string{bin}, "")
			adder := symbol(t, bin, "adder")
			p.Mem.SetBreakpoint(adder)
			seen := map[int]bool{}
			for len(seen) < 4 {
				ev, err := p.Resume(StopBreakpoint|StopExit, false)
				if err != nil || ev.Kind != StopBreakpoint {
					t.Fatalf("%+v %v, want a breakpoint in adder", ev, err)
				}
				ths := p.Threads()
				var cur *Thread
				for _, th := range ths {
					if th.Tid == ev.Tid {
						cur = th
					}
				}
				if ev.Tid <= p.Pid || cur == nil || cur.CPU.RIP != adder || len(ths) < 2 || ths[0].Tid != p.Pid {
					t.Fatalf("stop in tid %d (pid %d), threads %d, want a new thread at adder", ev.Tid, p.Pid, len(ths))
				}
				if seen[ev.Tid] {
					t.Fatalf("tid %d hit adder twice", ev.Tid)
				}
				seen[ev.Tid] = true
				// A single step stays on the stopped thread, even
				// when its quantum is used up.
				p.used = quantum
				before := cur.CPU.InstructionsExecuted()
				if ev, err := p.Resume(StopSingleStep|StopBreakpoint, false); err != nil || ev.Kind != StopSingleStep || ev.Tid != cur.Tid || cur.CPU.InstructionsExecuted() != before+1 {
					t.Fatalf("step: %+v %v, want one step of tid %d", ev, err, cur.Tid)
				}
			}
			p.Mem.ClearBreakpoint(adder)
			if st := runToExit(t, p); st != 0 {
				t.Errorf("status %#x", st)
			}
		})
	}
}

// TestFutexDeadlockWaitsForKill: a lone thread waiting on a futex that
// nobody wakes waits (as Linux would hang) until Kill; the SIGINT is
// reported, and discarded (no handler) the wait restarts instead of
// failing with EINTR; SIGKILL then ends the process.
func TestFutexDeadlockWaitsForKill(t *testing.T) {
	code := []byte{
		0x6a, 0x00, // push 0
		0x48, 0x89, 0xe7, // mov rdi, rsp
		0x31, 0xf6, // xor esi, esi (FUTEX_WAIT)
		0x31, 0xd2, // xor edx, edx (val 0)
		0x4d, 0x31, 0xd2, // xor r10, r10 (no timeout)
		0xb8, 0xca, 0, 0, 0, // mov eax, 202 (futex)
		0x0f, 0x05, // syscall
		0x89, 0xc7, // mov edi, eax
		0xb8, 0xe7, 0, 0, 0, // mov eax, 231
		0x0f, 0x05, // syscall
	}
	p, err := Load(Config{Path: "/t", Image: prog{base: 0x400000, code: code}.build(), Log: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	mask := StopSignal | StopExit
	go func() {
		time.Sleep(50 * time.Millisecond)
		p.Kill(sigINT)
	}()
	ev, err := p.Resume(mask, false)
	if err != nil || ev.Kind != StopSignal || ev.Signo != sigINT {
		t.Fatalf("%+v %v, want a SIGINT stop", ev, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		ev, err = p.Resume(mask, true)
	}()
	select {
	case <-done:
		t.Fatalf("the discarded signal ended the wait: %+v %v", ev, err)
	case <-time.After(100 * time.Millisecond):
	}
	p.Kill(sigKILL)
	<-done
	if err != nil || ev.Kind != StopExit || ev.Status != sigKILL {
		t.Fatalf("%+v %v, want exit by SIGKILL", ev, err)
	}
}
