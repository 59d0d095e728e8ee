package main

import (
	"bytes"
	"debug/elf"
	"errors"
	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runGuests are small C programs run both natively and under `run`.
var runGuests = map[string]string{
	"hello": `#include <stdio.h>
int main(int argc, char **argv) {
	for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
	fprintf(stderr, "to stderr\n");
	return 0;
}
`,
	"exit3": `#include <stdio.h>
#include <stdlib.h>
int main(void) { puts("exiting with 3"); exit(3); }
`,
	"cat": `#include <unistd.h>
int main(void) {
	char buf[4096];
	long n, total = 0;
	while ((n = read(0, buf, sizeof buf)) > 0) {
		if (write(1, buf, n) != n) return 1;
		total += n;
	}
	return n < 0 ? 2 : (int)(total & 0x7f);
}
`,
	"segv": `#include <stdio.h>
int main(void) {
	puts("before the fault");
	fflush(stdout);
	*(volatile int *)0 = 1;
	return 0;
}
`,
}

// needMusl returns musl-gcc's path, skipping the test when it is missing
// except under CI, where a missing compiler is a failure.
func needMusl(t testing.TB) string {
	t.Helper()
	return testenv.Tool(t, "musl-gcc")
}

// buildGuest compiles src with musl-gcc -static into dir/name.
func buildGuest(t testing.TB, cc, dir, name, src string, flags ...string) string {
	t.Helper()
	c := filepath.Join(dir, name+".c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, name)
	args := append([]string{"-static", "-O2", "-o", bin, c}, flags...)
	if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", cc, args, err, out)
	}
	return bin
}

// nativeRun runs bin on the host and returns stdout, stderr and the status
// a shell would report (128+N for signal N).
func nativeRun(t testing.TB, bin string, args []string, stdin []byte) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &ee):
		code := ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = exitSignalShift + int(ws.Signal())
		}
		return out.String(), errb.String(), code
	default:
		t.Fatalf("run %s: %v", bin, err)
	}
	return "", "", 0
}

func TestRunMatchesNative(t *testing.T) {
	cc := needMusl(t)
	dir := t.TempDir()
	bins := map[string]string{}
	for name, src := range runGuests {
		bins[name] = buildGuest(t, cc, dir, name, src)
	}
	bigInput := strings.Repeat("0123456789abcdef", 20000) + "tail" // several reads
	tests := []struct {
		name   string
		guest  string
		args   []string
		stdin  string
		status int // expected, also checked against the native run
	}{
		{"hello no args", "hello", nil, "", 0},
		{"hello with args", "hello", []string{"one", "two words", "", "--log-level"}, "", 0},
		{"exit code 3", "exit3", nil, "", 3},
		{"cat small", "cat", nil, "hello\nworld\n", 12},
		{"cat empty", "cat", nil, "", 0},
		{"cat big", "cat", nil, bigInput, len(bigInput) & 0x7f},
		{"segfault", "segv", nil, "", 139},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin := bins[tc.guest]
			wantOut, wantErr, wantStatus := nativeRun(t, bin, tc.args, []byte(tc.stdin))
			if wantStatus != tc.status {
				t.Fatalf("native status %d, test expects %d", wantStatus, tc.status)
			}
			var out, errb bytes.Buffer
			args := append([]string{"run", "--log-level", "error", bin}, tc.args...)
			status := run(args, strings.NewReader(tc.stdin), &out, &errb)
			if status != wantStatus {
				t.Errorf("status %d, native %d (stderr %q)", status, wantStatus, errb.String())
			}
			// argv[0] is the path as given, in both runs.
			if out.String() != wantOut {
				t.Errorf("stdout differs:\n got %.200q\nwant %.200q", out.String(), wantOut)
			}
			if errb.String() != wantErr {
				t.Errorf("stderr %q, native %q", errb.String(), wantErr)
			}
		})
	}
}

func TestRunStubErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "text")
	if err := os.WriteFile(text, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	type stubCase struct {
		name   string
		args   []string
		status int
		errSub string
	}
	tests := []stubCase{
		{"missing prog", []string{"run"}, exitRunUsage, "missing PROG"},
		{"bad flag", []string{"run", "--bogus", "x"}, exitRunUsage, "bogus"},
		{"bad log level", []string{"run", "--log-level", "loud", text}, exitRunUsage, "--log-level"},
		{"not found", []string{"run", filepath.Join(dir, "nope")}, exitNotFound, "no such file"},
		{"not ELF", []string{"run", text}, exitCannotLoad, "not an ELF"},
		{"help", []string{"run", "-h"}, 0, "Usage"},
	}
	if dyn := dynamicExecutable(); dyn != "" {
		tests = append(tests, stubCase{"dynamic", []string{"run", dyn}, exitCannotLoad, "dynamically linked"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			status := run(tc.args, strings.NewReader(""), &out, &errb)
			if status != tc.status || !strings.Contains(errb.String(), tc.errSub) || out.Len() != 0 {
				t.Errorf("status %d stdout %q stderr %q; want status %d and %q on stderr",
					status, out.String(), errb.String(), tc.status, tc.errSub)
			}
		})
	}
}

// dynamicExecutable returns a dynamically linked x86_64 host program, or "".
func dynamicExecutable() string {
	for _, name := range []string{"true", "sh", "ls"} {
		path, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		f, err := elf.Open(path)
		if err != nil {
			continue
		}
		dyn := f.Machine == elf.EM_X86_64 && slices.ContainsFunc(f.Progs, func(p *elf.Prog) bool { return p.Type == elf.PT_INTERP })
		f.Close()
		if dyn {
			return path
		}
	}
	return ""
}

func TestGuestResultExitCode(t *testing.T) {
	tests := []struct{ status, want int }{
		{0, 0}, {3 << 8, 3}, {255 << 8, 255}, {11, 139}, {9, 137}, {2, 130},
	}
	for _, tc := range tests {
		if got := (guestResult{waitStatus: tc.status}).exitCode(); got != tc.want {
			t.Errorf("exitCode(%#x) = %d, want %d", tc.status, got, tc.want)
		}
	}
}

// TestRunLogLevel checks that the stub adds nothing to the guest's
// output at the default level and reports the exit at info level.
func TestRunLogLevel(t *testing.T) {
	cc := needMusl(t)
	bin := buildGuest(t, cc, t.TempDir(), "exit3", runGuests["exit3"])
	var out, errb bytes.Buffer
	if st := run([]string{"run", bin}, strings.NewReader(""), &out, &errb); st != 3 || errb.Len() != 0 {
		t.Errorf("default level: status %d stderr %q", st, errb.String())
	}
	errb.Reset()
	if st := run([]string{"run", "--log-level", "info", bin}, strings.NewReader(""), io.Discard, &errb); st != 3 ||
		!strings.Contains(errb.String(), "program exited") || !strings.Contains(errb.String(), "instructions=") {
		t.Errorf("info level: status %d stderr %q", st, errb.String())
	}
}

// TestRunForwardsSignals builds the stub and checks that SIGTERM and SIGINT
// sent to `redox-gdbstub run` reach the guest, whose default action kills
// it: the stub then exits with 128+N.
func TestRunForwardsSignals(t *testing.T) {
	cc := needMusl(t)
	dir := t.TempDir()
	loop := buildGuest(t, cc, dir, "spin", "int main(void) { for (volatile unsigned long i = 0; ; i++) ; }\n")
	stub := filepath.Join(dir, "redox-gdbstub")
	if out, err := exec.Command("go", "build", "-o", stub, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		cmd := exec.Command(stub, "run", loop)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // let it reach the guest's loop
		cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Fatalf("%v: stub still running 10 s after the signal", sig)
		}
		if got, want := cmd.ProcessState.ExitCode(), exitSignalShift+int(sig); got != want {
			t.Errorf("%v: exit status %d, want %d (stderr %q)", sig, got, want, errb.String())
		}
	}
}

// TestRunCountsInstructions checks the instruction count `run` reports
// (and the benchmarks divide by): the integer loop executes 13
// instructions per iteration plus a startup and printf of a few thousand.
func TestRunCountsInstructions(t *testing.T) {
	cc := needMusl(t)
	bin := buildGuest(t, cc, t.TempDir(), "intloop", mustRead(t, filepath.Join("..", "..", "bench", "workloads", "intloop.c")))
	var counts []uint64
	for _, iters := range []uint64{1000, 101000} {
		var out bytes.Buffer
		res, err := runGuest(guestSpec{path: bin, argv: []string{bin, strconv.FormatUint(iters, 10)},
			stdin: strings.NewReader(""), stdout: &out, stderr: io.Discard})
		if err != nil || res.exitCode() != 0 {
			t.Fatalf("%d iterations: %v, status %#x", iters, err, res.waitStatus)
		}
		counts = append(counts, res.instructions)
	}
	// printf formats a longer number for the second run: allow for it.
	if d := counts[1] - counts[0]; d < 13*100000 || d > 13*100000+500 {
		t.Errorf("100000 more iterations ran %d more instructions, want %d (+ <500 for printf; counts %v)", d, 13*100000, counts)
	}
	if counts[0] < 13*1000 || counts[0] > 13*1000+50000 {
		t.Errorf("1000 iterations: %d instructions, want 13000 plus a few thousand", counts[0])
	}
}
