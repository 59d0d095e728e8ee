package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Timeouts. Every external process runs under one of them and is killed
// (with its whole process group) on expiry, so a hung stub fails the test
// instead of hanging CI.
const (
	sessionTimeout = 60 * time.Second // one gdb session, server included
	listenTimeout  = 15 * time.Second // until the server prints its port
	exitGrace      = 5 * time.Second  // server shutdown after gdb quits
)

// requiredTools are the programs the end-to-end tests run.
var requiredTools = []string{"gdb", "gdbserver", "musl-gcc", "gcc"}

// suiteState is what TestMain prepares once per run: tool discovery, the
// stub binary and the guest programs. It is written only by TestMain,
// before any test runs, and read-only afterwards.
type suiteState struct {
	repo    string // repository root (absolute)
	testDir string // this directory (absolute)
	work    string // temporary directory for binaries

	missingTools []string
	requireTools bool // CI or REDOX_GDBSTUB_REQUIRE_TOOLS: missing tools fail

	stub    string // path of the built redox-gdbstub
	stubErr error  // why the stub could not be built

	guests   map[string]string // guest name -> binary path
	guestErr map[string]error  // guest name -> why it could not be built
	sources  map[string]string // guest name -> source path relative to repo
}

var suite suiteState

// guestBuild describes one guest binary built at test time. Sources are
// compiled from the tests/ directory with a relative path so that the
// DWARF file name is always guests/NAME.c and gdb prints the same file
// name whoever runs the tests; the absolute DW_AT_comp_dir lets gdb find
// the source from any working directory.
type guestBuild struct {
	name   string
	source string // relative to tests/
	flags  []string
	pie    bool   // static PIE (see staticPIEArgs)
	cc     string // the compiler: musl-gcc when empty; gcc builds against glibc
}

var guestBuilds = []guestBuild{
	{"basic", "guests/basic.c", []string{"-O0"}, false, ""},
	{"basic-O2", "guests/basic.c", []string{"-O2"}, false, ""},
	{"crash", "guests/crash.c", []string{"-O0"}, false, ""},
	{"exitcode", "guests/exitcode.c", []string{"-O0"}, false, ""},
	{"spin", "guests/spin.c", []string{"-O0"}, false, ""},
	{"sleeper", "guests/sleeper.c", []string{"-O0"}, false, ""},
	{"sys", "guests/sys.c", []string{"-O0"}, false, ""},
	{"sys-O2", "guests/sys.c", []string{"-O2"}, false, ""},
	{"faults", "guests/faults.c", []string{"-O0"}, false, ""},
	{"signals", "guests/signals.c", []string{"-O0"}, false, ""},
	{"compute", "guests/compute.c", []string{"-O0"}, false, ""},
	{"compute-O2", "guests/compute.c", []string{"-O2"}, false, ""},
	{"basic-pie", "guests/basic.c", []string{"-O0"}, true, ""},
	// glibc builds (gcc -static) for the glibc variants of some scenarios
	// (glibcScenarios in e2e_test.go).
	{"basic-glibc", "guests/basic.c", []string{"-O0"}, false, "gcc"},
	{"basic-glibc-O2", "guests/basic.c", []string{"-O2"}, false, "gcc"},
	{"crash-glibc", "guests/crash.c", []string{"-O0"}, false, "gcc"},
	{"exitcode-glibc", "guests/exitcode.c", []string{"-O0"}, false, "gcc"},
	{"signals-glibc", "guests/signals.c", []string{"-O0"}, false, "gcc"},
	{"compute-glibc", "guests/compute.c", []string{"-O0"}, false, "gcc"},
	// Thread and signal-handler guests (e2e_threads_test.go,
	// threads_stress_test.go), musl and glibc.
	{"pthreads", "guests/pthreads.c", []string{"-O0", "-pthread"}, false, ""},
	{"pthreads-glibc", "guests/pthreads.c", []string{"-O0", "-pthread"}, false, "gcc"},
	{"sighandler", "guests/sighandler.c", []string{"-O0"}, false, ""},
	{"sighandler-glibc", "guests/sighandler.c", []string{"-O0"}, false, "gcc"},
	// non-stop mode (e2e_nonstop_test.go).
	{"nonstop", "guests/nonstop.c", []string{"-O0", "-pthread"}, false, ""},
	{"nonstop-glibc", "guests/nonstop.c", []string{"-O0", "-pthread"}, false, "gcc"},
	// fork, vfork and exec (e2e_forks_test.go).
	{"forkexec", "guests/forkexec.c", []string{"-O0"}, false, ""},
	{"forkexec-glibc", "guests/forkexec.c", []string{"-O0"}, false, "gcc"},
}

// staticPIEArgs returns the extra musl-gcc arguments that link a static
// PIE. Debian's musl-gcc specs replace gcc's link spec, so -static-pie
// alone yields a dynamically linked PIE; this spells out what gcc's
// -static-pie does, with musl's rcrt1.o (self-relocating start code) from
// the directory of musl-gcc's specs file.
func staticPIEArgs(source string) ([]string, error) {
	libdir := "/usr/lib/x86_64-linux-musl"
	if path, err := exec.LookPath("musl-gcc"); err == nil {
		if b, err := os.ReadFile(path); err == nil {
			if m := regexp.MustCompile(`-specs "?([^" ]+)"?`).FindSubmatch(b); m != nil {
				libdir = filepath.Dir(string(m[1]))
			}
		}
	}
	rcrt1 := filepath.Join(libdir, "rcrt1.o")
	if _, err := os.Stat(rcrt1); err != nil {
		return nil, fmt.Errorf("static PIE needs musl's rcrt1.o: %w", err)
	}
	return []string{"-fPIE", "-nostartfiles", "-Wl,-static,-pie,--no-dynamic-linker,-z,text",
		rcrt1, filepath.Join(libdir, "crti.o"), source, filepath.Join(libdir, "crtn.o")}, nil
}

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	testDir, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tests: getwd:", err)
		return 2
	}
	work, err := os.MkdirTemp("", "redox-gdbstub-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "tests: temp dir:", err)
		return 2
	}
	defer os.RemoveAll(work)

	suite = suiteState{
		repo:         filepath.Dir(testDir),
		testDir:      testDir,
		work:         work,
		requireTools: testenv.RequireTools(),
		guests:       map[string]string{},
		guestErr:     map[string]error{},
		sources:      map[string]string{},
	}
	for _, tool := range requiredTools {
		if _, err := exec.LookPath(tool); err != nil {
			suite.missingTools = append(suite.missingTools, tool)
		}
	}

	// Build the stub once. A failure is recorded, not fatal: the gdbserver
	// half of every scenario still runs, and each stub half reports it.
	suite.stub = filepath.Join(work, "redox-gdbstub")
	if out, err := run(suite.repo, "go", "build", "-o", suite.stub, "./cmd/redox-gdbstub"); err != nil {
		suite.stubErr = fmt.Errorf("go build ./cmd/redox-gdbstub: %w\n%s", err, out)
	}

	// The bundled demo is prebuilt in the repository (the stub embeds it).
	suite.guests["demo"] = filepath.Join(suite.repo, "cmd", "redox-gdbstub", "demo", "demo")
	suite.sources["demo"] = "cmd/redox-gdbstub/demo/demo.c"
	for _, g := range guestBuilds {
		suite.sources[g.name] = filepath.Join("tests", g.source)
		cc := g.cc
		if cc == "" {
			cc = "musl-gcc"
		}
		if _, err := exec.LookPath(cc); err != nil {
			suite.guestErr[g.name] = errors.New(cc + " not found")
			continue
		}
		bin := filepath.Join(work, g.name)
		args := append([]string{"-g"}, g.flags...)
		if g.pie {
			pieArgs, err := staticPIEArgs(g.source)
			if err != nil {
				suite.guestErr[g.name] = err
				continue
			}
			args = append(append(args, "-o", bin), pieArgs...)
		} else {
			args = append(args, "-static", "-o", bin, g.source, "-lm")
		}
		if out, err := run(testDir, cc, args...); err != nil {
			suite.guestErr[g.name] = fmt.Errorf("%s %s: %w\n%s", cc, strings.Join(args, " "), err, out)
			continue
		}
		suite.guests[g.name] = bin
	}
	return m.Run()
}

// run runs a short build command in dir and returns its combined output.
func run(dir, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}

// needTools skips the test when a required tool is missing, or fails it
// when tools are required (in CI): a missing tool must never make CI pass
// by skipping.
func needTools(t *testing.T) {
	t.Helper()
	if len(suite.missingTools) == 0 {
		return
	}
	msg := fmt.Sprintf("missing tools: %s (install with: apt-get install gdb gdbserver musl-tools, or run ./tests/run)",
		strings.Join(suite.missingTools, ", "))
	if suite.requireTools {
		t.Fatal(msg + "; failing because CI=true or REDOX_GDBSTUB_REQUIRE_TOOLS=1")
	}
	t.Skip(msg)
}

// syncBuffer is a bytes.Buffer safe for concurrent use that can report
// the port announced by a server ("Listening on port N").
type syncBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	port chan int // receives the port once, if non-nil
	sent bool
}

var listeningRE = regexp.MustCompile(`Listening on port (\d+)`)

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if b.port != nil && !b.sent {
		if m := listeningRE.FindSubmatch(b.buf.Bytes()); m != nil {
			if port, err := strconv.Atoi(string(m[1])); err == nil {
				b.port <- port
				b.sent = true
			}
		}
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A session is the record of one gdb session against one server.
type session struct {
	server    string // "gdbserver" or "stub"
	gdbArgs   []string
	serverCmd []string
	gdb       string // gdb's stdout and stderr, interleaved as written
	program   string // the debugged program's output, as printed by the server
	serverLog string // the server's stderr
	// serverKilled: the server had not exited by itself exitGrace after
	// gdb quit, and was killed.
	serverKilled bool
	err          error // the session could not run to completion
}

// Describe returns everything recorded, for failure messages.
func (s *session) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "server command: %s\n", shellQuote(s.serverCmd))
	fmt.Fprintf(&b, "gdb command:    %s\n", shellQuote(append([]string{"gdb"}, s.gdbArgs...)))
	if s.err != nil {
		fmt.Fprintf(&b, "error: %v\n", s.err)
	}
	fmt.Fprintf(&b, "---- gdb transcript ----\n%s\n---- program output ----\n%s\n---- server stderr (last 4 KiB) ----\n%s\n",
		s.gdb, s.program, tail(s.serverLog, 4096))
	return b.String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '=' ||
				r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		}) < 0 {
			q[i] = a
		} else {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}

// killGroup kills the process group led by cmd's process.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// newCmd makes a command in its own process group that is killed, group
// and all, when ctx expires.
func newCmd(ctx context.Context, dir string, argv []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { killGroup(cmd); return nil }
	cmd.WaitDelay = exitGrace
	return cmd
}

// guestMarkerEnv is put in the servers' environment; guests/sys.c prints
// it to check that the environment reaches the program.
const guestMarkerEnv = "REDOX_GDBSTUB_E2E=yes"

// gdbEnv is the environment for gdb: HOME points at an empty directory so
// no user ~/.gdbinit or history can change the transcript.
// The stdio scenarios start the server from gdb, so it carries the guest
// marker too.
func gdbEnv(home string) []string {
	env := []string{"HOME=" + home, "LC_ALL=C", "TERM=dumb", guestMarkerEnv}
	if p := os.Getenv("PATH"); p != "" {
		env = append(env, "PATH="+p)
	}
	return env
}

// A serverProc is a running server (gdbserver or the stub).
type serverProc struct {
	cmd     *exec.Cmd
	port    int
	stdout  *syncBuffer // the program's output
	stderr  *syncBuffer // the server's diagnostics
	done    chan error  // receives Wait's result once
	waitErr error
	exited  bool
	killed  bool // stop had to kill it
}

// startServer starts argv, which must print "Listening on port N" to
// stderr, and waits for the port. The server is killed when ctx expires.
func startServer(ctx context.Context, argv []string) (*serverProc, error) {
	p := &serverProc{
		stdout: &syncBuffer{},
		stderr: &syncBuffer{port: make(chan int, 1)},
		done:   make(chan error, 1),
	}
	p.cmd = newCmd(ctx, suite.repo, argv)
	p.cmd.Env = append(os.Environ(), guestMarkerEnv)
	p.cmd.Stdout = p.stdout
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	select {
	case p.port = <-p.stderr.port:
		return p, nil
	case err := <-p.done:
		p.exited, p.waitErr = true, err
		return p, fmt.Errorf("%s exited before listening: %v", filepath.Base(argv[0]), err)
	case <-time.After(listenTimeout):
		p.stop(0)
		return p, fmt.Errorf("%s did not print 'Listening on port N' within %v", filepath.Base(argv[0]), listenTimeout)
	}
}

// stop waits up to grace for the server to exit by itself (after --once,
// or when no process is left), then kills its process group.
func (p *serverProc) stop(grace time.Duration) {
	if p.exited {
		return
	}
	select {
	case p.waitErr = <-p.done:
	case <-time.After(grace):
		killGroup(p.cmd)
		p.waitErr = <-p.done
		p.killed = true
	}
	p.exited = true
}

// runSession starts serverArgv, then runs gdb with gdbArgs(port) from the
// repository root, and records everything. during, when not nil, runs
// while gdb runs (e.g. to interrupt it).
func runSession(name string, serverArgv []string, gdbArgs func(port int) []string,
	during func(gdb *exec.Cmd, out *syncBuffer)) *session {
	return runSessionFor(sessionTimeout, name, serverArgv, gdbArgs, during)
}

// runSessionFor is runSession with another time limit.
func runSessionFor(timeout time.Duration, name string, serverArgv []string, gdbArgs func(port int) []string,
	during func(gdb *exec.Cmd, out *syncBuffer)) *session {
	s := &session{server: name, serverCmd: serverArgv}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	srv, err := startServer(ctx, serverArgv)
	if srv != nil {
		defer func() {
			srv.stop(exitGrace)
			s.serverKilled = srv.killed
			s.program = srv.stdout.String()
			s.serverLog = srv.stderr.String()
		}()
	}
	if err != nil {
		s.err = err
		return s
	}

	s.gdbArgs = gdbArgs(srv.port)
	s.gdb, s.err = runGDB(ctx, s.gdbArgs, during)
	return s
}

// runGDB runs gdb from the repository root and returns its output (stdout
// and stderr through one pipe, so interleaved as gdb wrote them).
func runGDB(ctx context.Context, args []string, during func(gdb *exec.Cmd, out *syncBuffer)) (string, error) {
	home := filepath.Join(suite.work, "home")
	_ = os.MkdirAll(home, 0o755)
	var out syncBuffer
	gdb := newCmd(ctx, suite.repo, append([]string{"gdb"}, args...))
	gdb.Env = gdbEnv(home)
	gdb.Stdout = &out
	gdb.Stderr = &out
	if err := gdb.Start(); err != nil {
		return "", fmt.Errorf("start gdb: %w", err)
	}
	if during != nil {
		during(gdb, &out)
	}
	err := gdb.Wait()
	switch {
	case ctx.Err() != nil:
		return out.String(), fmt.Errorf("timed out after %v (gdb and server killed)", sessionTimeout)
	case err != nil:
		var exitErr *exec.ExitError
		// gdb -batch exits with status 1 when the last command failed;
		// that shows in the transcript and is compared there.
		if !errors.As(err, &exitErr) {
			return out.String(), fmt.Errorf("gdb: %w", err)
		}
	}
	return out.String(), nil
}

// runStdioSession runs gdb with 'target remote | SERVER - PROG': the server
// talks RSP over its stdin/stdout and the program's output goes to the
// server's stderr, which gdb shares, so it lands in the transcript.
func runStdioSession(name string, gdbArgs []string) *session {
	s := &session{server: name, gdbArgs: gdbArgs}
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	defer cancel()
	s.gdb, s.err = runGDB(ctx, gdbArgs, nil)
	return s
}
