package tests

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestCatchSyscallMatchesNativeGDB compares "catch syscall" through the
// stub with native gdb (ptrace on Linux), not with gdbserver: gdb 13.1's
// gdbserver reports the first syscall stop as a return instead of an
// entry. The stub maps QCatchSyscalls to Redox's PTRACE_STOP_PRE_SYSCALL /
// POST_SYSCALL (rsp/syscalls.go). The transcript covers entry/return
// alternation, the filter, orig_rax and rax at the stops, signals passed
// with QPassSignals, and skipping a call with $orig_rax = -1 (sysemu).
func TestCatchSyscallMatchesNativeGDB(t *testing.T) {
	needTools(t)
	if suite.stubErr != nil {
		t.Fatalf("stub: %v", suite.stubErr)
	}
	const guest = "signals"
	if err := suite.guestErr[guest]; err != nil {
		t.Fatalf("guest %s: %v", guest, err)
	}
	prog := suite.guests[guest]
	cmds := []string{"handle SIGUSR1 nostop noprint pass", "handle SIGSEGV nostop noprint pass",
		"catch syscall write writev tkill rt_sigaction", "CONT",
		"print $orig_rax", "print $rax", "continue", "print $orig_rax", "print $rax",
		"continue", "continue", "continue", "print $orig_rax",
		// Skip this call (an entry stop): its return is not reported.
		"set var $orig_rax = -1", "continue", "print $rax",
		"continue", "continue", "continue", "continue", "continue", "continue", "continue", "continue"}
	args := func(first []string, cont string) []string {
		a := append([]string{"-nx", "-batch"}, first...)
		for _, c := range cmds {
			if c == "CONT" {
				c = cont
			}
			a = append(a, "-ex", c)
		}
		return a
	}
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	defer cancel()
	native, err := runGDB(ctx, args([]string{"-ex", "set startup-with-shell off", prog}, "run"), nil)
	if err != nil {
		t.Fatalf("native gdb: %v\n%s", err, native)
	}
	s := runSession("stub", []string{suite.stub, "--once", "127.0.0.1:0", prog}, func(port int) []string {
		return args([]string{"-ex", "file " + prog, "-ex", "target remote 127.0.0.1:" + itoa(port)}, "continue")
	}, nil)
	if s.err != nil {
		t.Fatalf("stub session: %v\n%s", s.err, s.describe())
	}
	keep := regexp.MustCompile(`^(Catchpoint \d+ \(.*|\$\d+ = .*|\[Inferior 1 \(process \d+\) exited .*)$`)
	pid := regexp.MustCompile(`process \d+`)
	filter := func(transcript string) []string {
		var out []string
		for _, l := range strings.Split(transcript, "\n") {
			if keep.MatchString(l) {
				out = append(out, pid.ReplaceAllString(l, "process PID"))
			}
		}
		return out
	}
	want, got := filter(native), filter(s.gdb)
	t.Logf("stops through the stub:\n%s", strings.Join(got, "\n"))
	if len(want) < 12 {
		t.Fatalf("native transcript too short:\n%s", native)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("catch syscall differs from native gdb:\n--- native\n%s\n--- stub\n%s\n--- full stub transcript\n%s",
			strings.Join(want, "\n"), strings.Join(got, "\n"), s.gdb)
	}
	for _, stop := range []string{"(call to syscall writev)", "(returned from syscall writev)", "(call to syscall tkill)"} {
		if !strings.Contains(strings.Join(got, "\n"), stop) {
			t.Errorf("no %s stop:\n%s", stop, strings.Join(got, "\n"))
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
