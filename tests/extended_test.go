package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestExtendedRemoteMatchesGDBServer drives gdb's "target extended-remote"
// against "redox-gdbstub --multi" and "gdbserver --multi" with one script:
// set remote exec-file, set environment, set cwd, run to a breakpoint,
// bt, kill, run again, continue to the exit code, run a third time, then
// "monitor exit". The normalised gdb transcripts must be equal, and both
// programs must print the environment variable and working directory gdb
// set (they print on the server's stdout).
func TestExtendedRemoteMatchesGDBServer(t *testing.T) {
	needTools(t)
	if suite.stubErr != nil {
		t.Fatalf("stub: %v", suite.stubErr)
	}
	// The guest is built here: the shared guest list is the harness's.
	prog := filepath.Join(suite.work, "envcwd")
	if out, err := exec.Command("musl-gcc", "-static", "-g", "-O0", "-o", prog,
		filepath.Join(suite.testDir, "guests", "envcwd.c")).CombinedOutput(); err != nil {
		t.Fatalf("build envcwd: %v\n%s", err, out)
	}
	wd := filepath.Join(suite.work, "extended-cwd")
	if err := os.MkdirAll(wd, 0o755); err != nil {
		t.Fatal(err)
	}
	gdbArgs := func(port int) []string {
		cmds := []string{"file " + prog, "target extended-remote 127.0.0.1:" + itoa(port),
			"set remote exec-file " + prog, "set environment FOO=bar", "set cwd " + wd,
			"break report", "run", "bt", "kill", "run", "continue", "info breakpoints",
			"run", "print foo", "info registers rip", "monitor exit"}
		a := []string{"-nx", "-batch"}
		for _, c := range cmds {
			a = append(a, "-ex", c)
		}
		return a
	}
	stub := runSession("stub", []string{suite.stub, "--multi", "127.0.0.1:0"}, gdbArgs, nil)
	if stub.err != nil {
		t.Fatalf("stub session: %v\n%s", stub.err, stub.describe())
	}
	native := runSession("gdbserver", []string{"gdbserver", "--multi", "127.0.0.1:0"}, gdbArgs, nil)
	if native.err != nil {
		t.Fatalf("gdbserver session: %v\n%s", native.err, native.describe())
	}
	n := normalizer{paths: []pathSubst{{wd, "<cwd>"}, {prog, "<prog>"}}, extra: []rule{
		{
			name: "stack-address",
			why: "the environment strings sit at the top of the initial stack after the loader's " +
				"own strings (AT_PLATFORM, AT_RANDOM bytes, AT_EXECFN), which Linux and the stub lay " +
				"out differently, so even their alignment differs; rewriteStack keeps it.",
			re:   regexp.MustCompile(`<stack[^>]*>`),
			repl: "<stack>",
		},
		{
			name: "monitor-exit",
			why: "after 'monitor exit' gdbserver resets the connection and the stub closes it; " +
				"gdb words the two differently.",
			re:   regexp.MustCompile(`(?m)^(Remote connection closed|Remote communication error\.  Target disconnected\.: Connection reset by peer\.)\n?`),
			drop: true,
		},
	}}
	got, want := n.normalize(stub.gdb), n.normalize(native.gdb)
	t.Logf("stub transcript (normalised):\n%s", got)
	if got != want {
		t.Errorf("extended-remote transcripts differ:\n%s\n--- stub\n%s\n--- gdbserver\n%s",
			unifiedDiff("gdbserver", "stub", want, got), stub.describe(), native.describe())
	}
	for _, want := range []string{"[Inferior 1 (process PID) killed]", "exited with code 07]"} {
		if !strings.Contains(got, want) {
			t.Errorf("stub transcript lacks %q:\n%s", want, got)
		}
	}
	if args := regexp.MustCompile(`foo=<stack> "bar", dir=<stack> "<cwd>"`); len(args.FindAllString(got, -1)) != 4 {
		t.Errorf("want FOO and the cwd set by gdb seen at the 3 breakpoint stops and in bt:\n%s", got)
	}
	// Runs 2 and 3 print (run 1 is killed at the breakpoint, before output;
	// run 3 ends with monitor exit, before output).
	wantOut := "FOO=bar\ncwd=" + wd + "\n"
	if stub.program != wantOut || native.program != wantOut {
		t.Errorf("program output: stub %q, gdbserver %q, want %q", stub.program, native.program, wantOut)
	}
	if stub.serverKilled {
		t.Errorf("the stub did not exit after monitor exit:\n%s", stub.serverLog)
	}
}

// TestExtendedRemoteStrace checks "monitor strace on|off": the calls are
// streamed to gdb's console during a continue, in strace's format, and
// stop after "off".
func TestExtendedRemoteStrace(t *testing.T) {
	needTools(t)
	if suite.stubErr != nil {
		t.Fatalf("stub: %v", suite.stubErr)
	}
	prog := suite.guests["exitcode"]
	if err := suite.guestErr["exitcode"]; err != nil {
		t.Fatalf("guest exitcode: %v", err)
	}
	s := runSession("stub", []string{suite.stub, "--multi", "127.0.0.1:0"}, func(port int) []string {
		a := []string{"-nx", "-batch"}
		for _, c := range []string{"file " + prog, "target extended-remote 127.0.0.1:" + itoa(port),
			"set remote exec-file " + prog, "break status", "monitor strace on", "run", "continue",
			"continue", "monitor strace off", "run", "continue", "continue", "monitor exit"} {
			a = append(a, "-ex", c)
		}
		return a
	}, nil)
	if s.err != nil {
		t.Fatalf("stub session: %v\n%s", s.err, s.describe())
	}
	traced := regexp.MustCompile(`(?m)^writev\(1, \[\{iov_base="exiting with 3", iov_len=14\}.*\) = 15$`)
	if n := len(traced.FindAllString(s.gdb, -1)); n != 1 {
		t.Errorf("want the guest's writev traced once (strace on, not after off), got %d:\n%s", n, s.gdb)
	}
	for _, want := range []string{"strace on.", "strace off.", "exit_group(3)", "+++ exited with 3 +++"} {
		if strings.Count(s.gdb, want) != 1 {
			t.Errorf("want %q once:\n%s", want, s.gdb)
		}
	}
	if strings.Count(s.gdb, "exited with code 03]") != 2 {
		t.Errorf("want two runs to exit with code 3:\n%s", s.gdb)
	}
}
