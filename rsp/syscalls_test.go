package rsp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

const tid0 = 0x401640

func sysStop(cause ptrace.Flags, nr uint64) fakeStop {
	return fakeStop{ev: ptrace.Event{Cause: cause}, info: ptrace.StopInfo{Tid: tid0, Syscall: nr}}
}

func sigStop(sig int) fakeStop {
	return fakeStop{ev: ptrace.Event{Cause: ptrace.StopSignal, A: uint64(sig)}, info: ptrace.StopInfo{Tid: tid0, Signo: sig}}
}

var (
	pre  = ptrace.StopPreSyscall
	post = ptrace.StopPostSyscall
	cont = ptrace.StopBreakpoint | ptrace.StopSignal | ptrace.StopExit
	exit = fakeStop{ev: ptrace.Event{Cause: ptrace.StopExit}}
)

// regHex reads register n with p and decodes it as a little-endian value.
func regValue(t *testing.T, h *harness, n int) uint64 {
	t.Helper()
	got := h.call(fmt.Sprintf("p%x", n))
	b, err := decodeHexBytes(got)
	if err != nil || len(b) < 8 {
		t.Fatalf("p%x = %q", n, got)
	}
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func TestCatchSyscalls(t *testing.T) {
	f := newFakeTracer()
	// write(1) entry/return, getpid(39) entry/return, write again, exit.
	f.script = []fakeStop{sysStop(pre, 1), sysStop(post, 1), sysStop(pre, 39), sysStop(post, 39),
		sysStop(pre, 1), sysStop(post, 1), exit}
	h := startSession(t, f)
	h.call(gdbQSupported)
	if got := h.call("QCatchSyscalls:1;1"); got != "OK" {
		t.Fatalf("QCatchSyscalls: %q", got)
	}
	want := []string{"T05syscall_entry:1;", "T05syscall_return:1;", "T05syscall_entry:1;", "T05syscall_return:1;"}
	for i, w := range want {
		got := h.call("vCont;c:p401640.-1")
		if !strings.HasPrefix(got, w) || !strings.Contains(got, "thread:p401640.401640;") {
			t.Fatalf("stop %d: %q, want %s...", i, got, w)
		}
		if f.lastFlags() != cont|pre|post {
			t.Errorf("stop %d: flags %v", i, f.lastFlags())
		}
		if got := regValue(t, h, regOrigRAX); got != 1 {
			t.Errorf("stop %d: orig_rax %#x, want 1", i, got)
		}
		if i == 0 {
			// Entry: rax is -ENOSYS as on Linux, and getpid's stops
			// were resumed inside the stub (no reply for them).
			if got := regValue(t, h, 0); got != enosys {
				t.Errorf("rax at entry %#x", got)
			}
		}
	}
	if n := len(f.flagsCopy()); n != 6 {
		t.Errorf("%d Next calls, want 6 (getpid's two stops resumed silently)", n)
	}
	if got := h.call("QCatchSyscalls:0"); got != "OK" {
		t.Fatal(got)
	}
	if got := h.call("c"); !strings.HasPrefix(got, "W00") {
		t.Errorf("exit: %q", got)
	}
	if f.lastFlags() != cont {
		t.Errorf("flags after QCatchSyscalls:0: %v", f.lastFlags())
	}
}

func TestCatchSyscallsOrigRAXOutsideSyscalls(t *testing.T) {
	f := newFakeTracer()
	f.script = []fakeStop{{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, info: ptrace.StopInfo{Tid: tid0}}}
	h := startSession(t, f)
	h.call(gdbQSupported)
	if got := regValue(t, h, regOrigRAX); got != ^uint64(0) {
		t.Errorf("orig_rax at the entry point %#x", got)
	}
	h.call("QCatchSyscalls:1")
	h.call("c")
	if got := regValue(t, h, regOrigRAX); got != ^uint64(0) {
		t.Errorf("orig_rax at a breakpoint %#x", got)
	}
	// A step arms no syscall stops (PTRACE_SINGLESTEP on Linux).
	f.setScript(fakeStop{ev: ptrace.Event{Cause: ptrace.StopSingleStep}})
	h.call("s")
	if f.lastFlags() != cont|ptrace.StopSingleStep {
		t.Errorf("step flags %v", f.lastFlags())
	}
}

// TestSysemu: $orig_rax = -1 at an entry stop skips the call with
// FlagIgnore; the call returns -ENOSYS (or the rax the client set) and its
// return stop is not reported to a client catching a list.
func TestSysemu(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setRAX  string // P0 value, "" = leave
		wantRAX uint64
	}{
		{"enosys", "", enosys},
		{"client result", "2a00000000000000", 42},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeTracer()
			f.regs.RAX = 39 // Redox: RAX holds the number at the entry stop
			f.script = []fakeStop{sysStop(pre, 39), sysStop(post, 39), sysStop(pre, 39), exit}
			h := startSession(t, f)
			h.call(gdbQSupported)
			h.call("QCatchSyscalls:1;27")
			if got := h.call("c"); !strings.HasPrefix(got, "T05syscall_entry:27;") {
				t.Fatalf("%q", got)
			}
			if got := h.call(fmt.Sprintf("P%x=ffffffffffffffff", regOrigRAX)); got != "OK" {
				t.Fatal(got)
			}
			if tc.setRAX != "" {
				h.call("P0=" + tc.setRAX)
			}
			if got := regValue(t, h, regOrigRAX); got != ^uint64(0) {
				t.Errorf("orig_rax after the write %#x", got)
			}
			got := h.call("c")
			if !strings.HasPrefix(got, "T05syscall_entry:27;") {
				t.Errorf("after the skip: %q (the skipped call's return must be silent)", got)
			}
			fl := f.flagsCopy()
			if len(fl) != 3 || fl[1] != cont|pre|post|ptrace.FlagIgnore || fl[2] != cont|pre|post {
				t.Errorf("flags %v", fl)
			}
			// The tracee's RAX got the result before the skipped call.
			if f.regs.RAX != tc.wantRAX {
				t.Errorf("RAX %#x, want %#x", f.regs.RAX, tc.wantRAX)
			}
		})
	}
}

func TestCatchSyscallsChangeNumber(t *testing.T) {
	f := newFakeTracer()
	f.regs.RAX = 39
	f.script = []fakeStop{sysStop(pre, 39), exit}
	h := startSession(t, f)
	h.call(gdbQSupported)
	h.call("QCatchSyscalls:1")
	h.call("c")
	h.call(fmt.Sprintf("P%x=6600000000000000", regOrigRAX)) // gettid
	h.call("c")
	if f.regs.RAX != 0x66 {
		t.Errorf("RAX %#x: the new number must be in RAX when the call runs", f.regs.RAX)
	}
	if fl := f.lastFlags(); fl&ptrace.FlagIgnore != 0 {
		t.Errorf("flags %v", fl)
	}
}

func TestCatchAllSkippedReturn(t *testing.T) {
	f := newFakeTracer()
	f.script = []fakeStop{sysStop(pre, 39), sysStop(post, 39)}
	h := startSession(t, f)
	h.call(gdbQSupported)
	h.call("QCatchSyscalls:1")
	h.call("c")
	h.call(fmt.Sprintf("P%x=ffffffffffffffff", regOrigRAX))
	if got := h.call("c"); !strings.HasPrefix(got, "T05syscall_return:ffffffffffffffff;") {
		t.Errorf("%q", got)
	}
}

func TestCatchSyscallsMalformed(t *testing.T) {
	h := startSession(t, newFakeTracer())
	for _, p := range []string{"QCatchSyscalls:", "QCatchSyscalls:2", "QCatchSyscalls:1;zz", "QCatchSyscalls:0;1"} {
		if got := h.call(p); got != "E01" {
			t.Errorf("%q: %q", p, got)
		}
	}
	if got := h.call("?"); !strings.HasPrefix(got, "T05") {
		t.Errorf("? %q", got)
	}
}

func TestPassSignals(t *testing.T) {
	f := newFakeTracer()
	// SIGUSR1 (passed) twice, then SIGSEGV (not passed).
	f.script = []fakeStop{sigStop(10), sigStop(10), sigStop(11)}
	h := startSession(t, f)
	h.call(gdbQSupported)
	// gdb's list: SIGALRM(e) SIGURG(10) SIGCHLD(14) ... SIGUSR1(1e).
	if got := h.call("QPassSignals:e;10;14;1e;"); got != "OK" {
		t.Fatal(got)
	}
	if got := h.call("vCont;c:p401640.-1"); !strings.HasPrefix(got, "T0b") {
		t.Fatalf("%q", got)
	}
	fl := f.flagsCopy()
	if len(fl) != 3 || fl[1] != cont || fl[2] != cont {
		t.Errorf("the passed signals must be delivered (no FlagIgnore) without a reply: %v", fl)
	}
	// An empty list (gdb clears it while stepping) passes nothing.
	h.call("QPassSignals:")
	f.setScript(sigStop(10))
	if got := h.call("c"); !strings.HasPrefix(got, "T1e") {
		t.Errorf("%q", got)
	}
	if got := h.call("QPassSignals:xyz"); got != "E01" {
		t.Errorf("%q", got)
	}
}

func TestProgramSignals(t *testing.T) {
	f := newFakeTracer()
	f.script = []fakeStop{sigStop(11)}
	h := startSession(t, f)
	h.call(gdbQSupported)
	if got := h.call("QProgramSignals:0;1;3;4;6;7;8;9;a;b;c;d;e;f;10;11;12;13;14;"); got != "OK" {
		t.Fatal(got)
	}
	h.call("c")
	// Detaching at the SIGSEGV delivers it (it is a program signal), as
	// gdbserver does: no discarding step, then run free.
	h.call("D")
	h.wait(t)
	fl := f.flagsCopy()
	if len(fl) != 2 || fl[1] != 0 {
		t.Errorf("flags %v", fl)
	}
}

// hexText hex-encodes s (qRcmd, vFile paths).
func hexText(s string) string { return string(appendHexBytes(nil, []byte(s))) }

// monitorOutput runs a monitor command and returns its console text.
func monitorOutput(t *testing.T, h *harness, cmd string) string {
	t.Helper()
	h.send("qRcmd," + hexText(cmd))
	var text strings.Builder
	for {
		p := h.recv()
		if p == "OK" {
			return text.String()
		}
		b, err := decodeHexBytes(strings.TrimPrefix(p, "O"))
		if !strings.HasPrefix(p, "O") || err != nil {
			t.Fatalf("%s: %q", cmd, p)
		}
		text.Write(b)
	}
}

func TestMonitorPtraceAndStats(t *testing.T) {
	f := newFakeTracer()
	f.script = []fakeStop{sigStop(10), sigStop(11), sysStop(pre, 39)}
	h := startSession(t, f)
	h.call(gdbQSupported)
	if got := monitorOutput(t, h, "help"); !strings.Contains(got, "ptrace --") || !strings.Contains(got, "stats --") {
		t.Errorf("help %q", got)
	}
	h.call("QPassSignals:1e;")
	h.call("QCatchSyscalls:1;27")
	h.call("c") // SIGUSR1 passed silently, stops at SIGSEGV
	got := monitorOutput(t, h, "ptrace")
	for _, want := range []string{
		"armed: PTRACE_STOP_PRE_SYSCALL|PTRACE_STOP_POST_SYSCALL|PTRACE_STOP_SIGNAL|PTRACE_STOP_BREAKPOINT|PTRACE_STOP_EXIT (reached)",
		"queued events: 1\n  PTRACE_EVENT_CLONE",
		"continue arms: PTRACE_STOP_PRE_SYSCALL|PTRACE_STOP_POST_SYSCALL|PTRACE_STOP_SIGNAL|PTRACE_STOP_BREAKPOINT|PTRACE_STOP_EXIT|PTRACE_FLAG_IGNORE",
		"step arms: PTRACE_STOP_SINGLESTEP|PTRACE_STOP_SIGNAL|PTRACE_STOP_BREAKPOINT|PTRACE_STOP_EXIT|PTRACE_FLAG_IGNORE",
		"parked at: PTRACE_STOP_SIGNAL, signal 11",
		"catching syscalls: [39]",
		"passed signals (Linux numbers): [10]",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("monitor ptrace lacks %q:\n%s", want, got)
		}
	}
	h.call("c")
	h.call(fmt.Sprintf("P%x=ffffffffffffffff", regOrigRAX))
	if got := monitorOutput(t, h, "ptrace"); !strings.Contains(got, "parked at: PTRACE_STOP_PRE_SYSCALL, syscall 39 (skipped") {
		t.Errorf("monitor ptrace at a skipped syscall:\n%s", got)
	}
	got = monitorOutput(t, h, "stats")
	// 3 Next calls in the fake (1000 "instructions" each); packets so
	// far: qSupported, QPassSignals, QCatchSyscalls, c, qRcmd, c, P, qRcmd,
	// this qRcmd = 10 with help.
	for _, want := range []string{"instructions executed: 3000\n", "packets served: 10\n", "stops resumed inside the stub: 1\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("monitor stats lacks %q:\n%s", want, got)
		}
	}
}
