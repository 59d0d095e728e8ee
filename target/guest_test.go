package target

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// guestCache holds the guest programs built from testdata/*.c, shared by
// the tests of one run; each is built once, concurrently with others.
var guestCache struct {
	sync.Mutex
	dir  string
	bins map[string]*guestBuild
}

type guestBuild struct {
	once sync.Once
	bin  string
	err  error
}

// TestMain removes the built guests afterwards.
func TestMain(m *testing.M) {
	code := m.Run()
	if guestCache.dir != "" {
		os.RemoveAll(guestCache.dir)
	}
	os.Exit(code)
}

// buildGuest compiles testdata/<name>.c with musl-gcc -static -g and the
// given flags (an optimisation level, or "-static-pie ...") and returns the executable's path. Without
// musl-gcc the test is skipped, except under CI where it fails.
func buildGuest(t testing.TB, name, opt string) string {
	t.Helper()
	return buildWith(t, "musl-gcc", name, opt)
}

// buildWith is buildGuest with compiler cc (gcc gives static glibc).
func buildWith(t testing.TB, compiler, name, opt string) string {
	t.Helper()
	cc := testenv.Tool(t, compiler)
	key := compiler + "-" + name + opt
	guestCache.Lock()
	if guestCache.dir == "" {
		dir, err := os.MkdirTemp("", "target-guests-")
		if err != nil {
			guestCache.Unlock()
			t.Fatal(err)
		}
		guestCache.dir = dir
		guestCache.bins = map[string]*guestBuild{}
	}
	b := guestCache.bins[key]
	if b == nil {
		b = &guestBuild{}
		guestCache.bins[key] = b
	}
	dir := guestCache.dir
	guestCache.Unlock()
	b.once.Do(func() {
		bin := filepath.Join(dir, strings.ReplaceAll(key, " ", ""))
		src := filepath.Join("testdata", name+".c")
		flags := strings.Fields(opt)
		if !strings.Contains(opt, "-static-pie") {
			flags = append(flags, "-static")
		}
		flags = append(flags, "-g", "-o", bin, src, "-lm")
		out, err := exec.Command(cc, flags...).CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("building %s: %v\n%s", src, err, out)
			return
		}
		b.bin = bin
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.bin
}

// opts are the optimisation levels every real-program test runs at.
var opts = []string{"-O0", "-O2"}

// testEnv is the environment given to guests, natively and emulated.
var testEnv = []string{"HOME=/nonexistent", "LANG=C", "GREETING=hi there"}

// runNative runs bin on the host and returns its stdout, stderr and wait
// status.
func runNative(t *testing.T, bin string, args []string, stdin string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args[1:]...)
	cmd.Args = args
	cmd.Env = testEnv
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("running %s natively: %v", bin, err)
	}
	return out.String(), errOut.String(), int(cmd.ProcessState.Sys().(syscall.WaitStatus))
}

// testLogger logs to the test's output.
func testLogger(t testing.TB) logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(testWriter{t})
	l.SetLevel(logrus.WarnLevel)
	return l
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// loadGuest loads bin with args and testEnv; stdout and stderr are
// captured in out.
func loadGuest(t *testing.T, bin string, args []string, stdin string) (*Process, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	return loadWith(t, bin, args, stdin, &out, &out), &out
}

// loadGuest2 is loadGuest with stdout and stderr apart.
func loadGuest2(t *testing.T, bin string, args []string, stdin string) (*Process, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errOut bytes.Buffer
	return loadWith(t, bin, args, stdin, &out, &errOut), &out, &errOut
}

func loadWith(t *testing.T, bin string, args []string, stdin string, stdout, stderr *bytes.Buffer) *Process {
	t.Helper()
	p, err := Load(Config{
		Path:   bin,
		Args:   args,
		Env:    testEnv,
		Stdin:  strings.NewReader(stdin),
		Stdout: stdout,
		Stderr: stderr,
		Log:    testLogger(t),
	})
	if err != nil {
		t.Fatalf("Load(%s): %v", bin, err)
	}
	return p
}

// runToExit resumes p with StopExit armed until it exits and returns the
// exit stop's status.
func runToExit(t *testing.T, p *Process) int {
	t.Helper()
	ev, err := p.Resume(StopExit, false)
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if ev.Kind != StopExit {
		t.Fatalf("Resume(StopExit) stopped with %v, want exit", ev.Kind)
	}
	if _, err := p.Resume(StopExit, false); !errors.Is(err, ErrExited) {
		t.Fatalf("Resume after the exit stop: %v, want ErrExited", err)
	}
	st, exited := p.ExitStatus()
	if !exited || st != ev.Status {
		t.Fatalf("ExitStatus() = %d, %v; want %d, true", st, exited, ev.Status)
	}
	return ev.Status
}

// symbol returns the address of a function symbol in bin.
func symbol(t *testing.T, bin, name string) uint64 {
	t.Helper()
	return testenv.FileSymbol(t, bin, name)
}

// denyHost is a Host that refuses all file access and has a frozen clock,
// for fuzzing guests that may do anything.
type denyHost struct{}

func (denyHost) Open(string, int, uint32) (HostFile, error) { return nil, syscall.EACCES }
func (denyHost) Stat(string, bool) (Stat, error)            { return Stat{}, syscall.EACCES }
func (denyHost) Readlink(string) (string, error)            { return "", syscall.EACCES }
func (denyHost) Access(string, uint32) error                { return syscall.EACCES }
func (denyHost) Getwd() (string, error)                     { return "/", nil }
func (denyHost) Clock(id int) (int64, int64, error) {
	if id < 0 || id > 11 {
		return 0, 0, syscall.EINVAL
	}
	return 1700000000, 0, nil
}
func (denyHost) Sleep(time.Duration, <-chan struct{}) bool { return true }
func (denyHost) Terminal(any, uint32, []byte) error        { return syscall.ENOTTY }
func (denyHost) StatStream(any) (Stat, error)              { return Stat{}, syscall.ENOTSUP }
func (denyHost) IDs() (int, int, int, int)                 { return 1000, 1000, 1000, 1000 }

// discardLogger drops everything.
func discardLogger() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}
