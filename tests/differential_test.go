package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
)

// Differential tests: a program must behave the same natively and under
// `redox-gdbstub run`: the same stdout, the same stderr and the same exit
// status (128+N for death by signal N, as a shell reports it). The stub's
// own log lines go to the same stderr, so a warning from the emulator (an
// unimplemented system call, say) is a difference too.

// runTimeout bounds one run of a program, native or emulated.
const runTimeout = 60 * time.Second

// runResult is how one run of a program ended.
type runResult struct {
	stdout, stderr string
	status         int   // exit code, or 128+N when killed by signal N
	err            error // the program could not be run or timed out
}

// runProgram runs argv in dir with stdin and env.
func runProgram(dir string, argv []string, stdin string, env []string) runResult {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := newCmd(ctx, dir, argv)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := runResult{stdout: out.String(), stderr: errOut.String()}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.err = fmt.Errorf("timed out after %v", runTimeout)
	case errors.As(err, &exitErr):
		ws := exitErr.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			r.status = 128 + int(ws.Signal())
		} else {
			r.status = ws.ExitStatus()
		}
	case err != nil:
		r.err = err
	}
	return r
}

func (r runResult) String() string {
	return fmt.Sprintf("status %d\n---- stdout ----\n%s\n---- stderr ----\n%s", r.status, tail(r.stdout, 4096), tail(r.stderr, 4096))
}

// A diffCase is one program run natively and under the stub.
type diffCase struct {
	argv  []string // "$DIR" in an argument is replaced by the run's directory
	stdin string
	env   []string // added to the environment
	// setup populates the run's directory (each run gets its own, made
	// the same way) before the program runs.
	setup func(dir string) error
	// wantNative are substrings the native stdout+stderr must contain and
	// wantStatus is its exit status: the case itself is checked, so it
	// cannot pass by both runs failing the same way.
	wantNative []string
	wantStatus int
}

// tester is the part of testing.T that differential uses (a fake one
// checks the comparison itself, in TestDifferentialHarness).
type tester interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	TempDir() string
}

// differential runs c natively and under `redox-gdbstub run` (at the same
// time, in two directories) and reports every difference.
func differential(t tester, c diffCase) {
	t.Helper()
	if suite.stubErr != nil {
		t.Fatalf("the stub could not be built: %v", suite.stubErr)
	}
	env := append(append(os.Environ(), "LC_ALL=C", "TZ=UTC"), c.env...)
	prepare := func(kind string) (string, []string) {
		dir := filepath.Join(t.TempDir(), kind)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatalf("%v", err)
		}
		if c.setup != nil {
			if err := c.setup(dir); err != nil {
				t.Fatalf("setting up %s: %v", dir, err)
			}
		}
		argv := make([]string, len(c.argv))
		for i, a := range c.argv {
			argv[i] = strings.ReplaceAll(a, "$DIR", dir)
		}
		return dir, argv
	}
	nDir, nArgv := prepare("native")
	eDir, eArgv := prepare("emulated")
	var native, emulated runResult
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		native = runProgram(nDir, nArgv, c.stdin, env)
	}()
	emulated = runProgram(eDir, append([]string{suite.stub, "run"}, eArgv...), c.stdin, env)
	wg.Wait()
	// The directories differ in name only.
	for _, r := range []*runResult{&native, &emulated} {
		for _, d := range []string{nDir, eDir} {
			r.stdout = strings.ReplaceAll(r.stdout, d, "$DIR")
			r.stderr = strings.ReplaceAll(r.stderr, d, "$DIR")
		}
	}

	if native.err != nil {
		t.Fatalf("native run of %s: %v\n%s", shellQuote(nArgv), native.err, native)
	}
	for _, w := range c.wantNative {
		if !strings.Contains(native.stdout+native.stderr, w) {
			t.Errorf("the case is wrong: native output lacks %q\n%s", w, native)
		}
	}
	if native.status != c.wantStatus {
		t.Errorf("the case is wrong: native status %d, want %d\n%s", native.status, c.wantStatus, native)
	}
	if emulated.err != nil {
		t.Fatalf("emulated run: %v\n%s", emulated.err, emulated)
	}
	if strings.Contains(emulated.stderr, "panic:") || strings.Contains(emulated.stderr, "fatal error:") {
		t.Errorf("the stub crashed:\n%s", tail(emulated.stderr, 8192))
	}
	if d := unifiedDiff("native stdout", "emulated stdout", native.stdout, emulated.stdout); d != "" {
		t.Errorf("stdout differs:\n%s", tail(d, 8192))
	}
	if d := unifiedDiff("native stderr", "emulated stderr", native.stderr, emulated.stderr); d != "" {
		t.Errorf("stderr differs:\n%s", tail(d, 8192))
	}
	if native.status != emulated.status {
		t.Errorf("exit status: native %d, emulated %d", native.status, emulated.status)
	}
}

// corpusProgram is a C program in corpus/, built by both compilers at -O0
// and -O2 and run with its own temporary directory as argv[1].
type corpusProgram struct {
	name   string
	status int      // its exit status
	want   []string // substrings of its output (checked natively)
	stdin  string
}

var corpusPrograms = []corpusProgram{
	{"strings", 0, []string{"memmove checksum ", "strings done\n"}, ""},
	{"floats", 0, []string{"25! 15511210043330985984000000 ", "floats done 0.667\n"}, ""},
	{"heap", 0, []string{"list 20000 ", "huge "}, ""},
	{"sort", 0, []string{"bsearch 1 1\n", "bsearch miss 1\n"}, ""},
	{"jumps", 0, []string{"setjmp returned 21\n", "longjmp(0) gives 1\n", "siglongjmp rounds 3\n"}, ""},
	// Dies of SIGTERM after catching SIGUSR1/2, SIGSEGV and SIGFPE.
	{"signals", 128 + 15, []string{"raise: usr1=1 usr2=1 code=-6 nested=1\n", "round 2 caught 8 code 1\n", "dying by SIGTERM\n"}, ""},
	{"threads", 0, []string{"round 4 thread 3\n", "counter 100000 joined 100\n", "consumed 20100 (want 20100)\n", "tls 15 25 main 5\n"}, ""},
	{"procs", 0, []string{"parent got PING THROUGH A PIPE\n", "kid: killed by 9\n", "exec'd child read: hello exec\n", "exec child: exited 9\n"}, ""},
	{"files", 7, []string{"lines 1000 buzz 334 ", "entry moved.bin\n", "rmdir 0\n", "files: exit 7\n"}, ""},
	{"stdio", 3, []string{"env marker corpus\n", "scanf: 42 word 5.000\n", "letters sum 6, next char !\n", "err: third\n", "flushed then raw write\n"},
		"first\n6 7 word 2.5\nabc#\nsecond\nthird\n"},
	{"libm", 0, []string{"0.644217687237691054 ", "0.7648421872844885 0.64421768723769102\n"}, ""},
	{"misc", 0, []string{"interval timer fired 1 times\n", "poll ready 1 revents 0x1\n", "barrier sums 56\n", "sigwait got 10\n",
		"mmap file: mapped\n", "redirected 14 bytes\n", "atexit 2 (first)\natexit 1 (last)\n"}, ""},
	{"clocks", 0, []string{"nanosleep 0\n", "monotonic advanced >= 50ms 1, < 5s 1\n", "gmtime 2009-02-13 23:31:30 Friday 044\n", "busy wait ended 1\n"}, ""},
}

// corpusCompilers are the C compilers each program is built with.
var corpusCompilers = []string{"gcc", "musl-gcc"}

// buildCorpus compiles corpus/NAME.c with cc and flag into the suite's
// work directory, once per (name, cc, flag) even when tests share it.
func buildCorpus(t *testing.T, name, cc, flag string) string {
	t.Helper()
	bin := filepath.Join(suite.work, "corpus", fmt.Sprintf("%s.%s%s", name, cc, flag))
	v, _ := corpusBuilds.LoadOrStore(bin, &corpusBuild{})
	b := v.(*corpusBuild)
	b.once.Do(func() {
		if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
			b.err = err
			return
		}
		args := []string{"-static", flag, "-g", "-Wall", "-o", bin, filepath.Join("corpus", name+".c"), "-lm", "-lpthread"}
		if out, err := run(suite.testDir, cc, args...); err != nil {
			b.err = fmt.Errorf("%s %s: %w\n%s", cc, strings.Join(args, " "), err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return bin
}

type corpusBuild struct {
	once sync.Once
	err  error
}

var corpusBuilds sync.Map // binary path -> *corpusBuild

// TestDifferentialCorpus runs every corpus program, built by gcc and
// musl-gcc at -O0 and -O2, natively and in the emulator.
func TestDifferentialCorpus(t *testing.T) {
	for _, cc := range corpusCompilers {
		testenv.Tool(t, cc)
	}
	for _, p := range corpusPrograms {
		for _, cc := range corpusCompilers {
			for _, opt := range []string{"-O0", "-O2"} {
				t.Run(fmt.Sprintf("%s/%s%s", p.name, cc, opt), func(t *testing.T) {
					t.Parallel()
					bin := buildCorpus(t, p.name, cc, opt)
					differential(t, diffCase{argv: []string{bin, "$DIR"}, stdin: p.stdin, env: []string{"CORPUS_MARKER=corpus"},
						wantNative: p.want, wantStatus: p.status})
				})
			}
		}
	}
}

// TestDifferentialGo runs a static Go program (CGO_ENABLED=0, GOAMD64=v1:
// the baseline CPU the emulator reports) with goroutines, channels, a
// mutex and time.Sleep.
func TestDifferentialGo(t *testing.T) {
	for _, tc := range []struct {
		name   string
		want   []string
		status int
	}{
		{"goprog", []string{"results 400, per-worker sum 400, total steps 20141\n", "longest chain below 401: 327 (143 steps)\n",
			"BROWN DOG FOX JUMPS LAZY OVER QUICK THE THE\n", "timer fired, slept long enough: true\n", "goprog: exit 3\n"}, 3},
		{"gostress", []string{"goroutines done true\n", "300! digits 615 30605751221644063603\n",
			"f0.json=0 f1.json=1 f2.json=2 f3.json=3 f4.json=4\n", "ticks 5 NumCPU true\n", "recovered 42\n", "gc ran true\n"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bin := filepath.Join(suite.work, tc.name)
			cmd := exec.Command("go", "build", "-o", bin, "./corpus/"+tc.name)
			cmd.Dir = suite.testDir
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOAMD64=v1", "GOOS=linux", "GOARCH=amd64")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build ./corpus/%s: %v\n%s", tc.name, err, out)
			}
			differential(t, diffCase{argv: []string{bin, "$DIR"}, wantNative: tc.want, wantStatus: tc.status})
		})
	}
}

// TestDifferentialHarness checks that differential sees differences: a
// program whose output depends on whether it runs under the emulator
// (its pid: the emulated one is above Linux's pid_max) must fail it.
func TestDifferentialHarness(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "musl-gcc")
	src := filepath.Join(t.TempDir(), "pid.c")
	bin := strings.TrimSuffix(src, ".c")
	if err := os.WriteFile(src, []byte("#include <stdio.h>\n#include <unistd.h>\n"+
		"int main(void) { printf(\"%d\\n\", getpid() > 4194304); return getpid() > 4194304 ? 4 : 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(suite.testDir, "musl-gcc", "-static", "-o", bin, src); err != nil {
		t.Fatalf("musl-gcc: %v\n%s", err, out)
	}
	ft := &fakeT{dir: t.TempDir()}
	done := make(chan struct{})
	go func() { // differential may call Fatal, which ends the goroutine
		defer close(done)
		differential(ft, diffCase{argv: []string{bin}, wantNative: []string{"0\n"}})
	}()
	<-done
	got := strings.Join(ft.errs, "\n")
	if !strings.Contains(got, "stdout differs") || !strings.Contains(got, "exit status: native 0, emulated 4") {
		t.Errorf("differential did not report the differences; it reported:\n%s", got)
	}
}

// fakeT records what differential reports.
type fakeT struct {
	dir  string
	n    int
	errs []string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}
func (f *fakeT) TempDir() string {
	f.n++
	d := filepath.Join(f.dir, fmt.Sprint(f.n))
	_ = os.Mkdir(d, 0o755)
	return d
}
