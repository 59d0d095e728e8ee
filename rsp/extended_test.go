package rsp

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// serveSession serves s on a loopback connection and returns the client.
func serveSession(t *testing.T, s *Session) (*client, chan Outcome) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dc := make(chan net.Conn, 1)
	go func() {
		c, _ := net.Dial("tcp", ln.Addr().String())
		dc <- c
	}()
	sconn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	conn := <-dc
	if conn == nil {
		t.Fatal("dial failed")
	}
	out := make(chan Outcome, 1)
	go func() {
		o, _ := s.Serve(sconn)
		out <- o
	}()
	t.Cleanup(func() { conn.Close() })
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}, out
}

// recordingLauncher launches fake tracers and records the requests.
type recordingLauncher struct {
	reqs    []LaunchRequest
	tracers []*fakeTracer
	fail    bool
}

func (l *recordingLauncher) launch(req LaunchRequest) (Tracer, error) {
	if l.fail {
		return nil, errors.New("no such program")
	}
	l.reqs = append(l.reqs, req)
	f := newFakeTracer()
	f.pid = 0x1000 + len(l.tracers)
	f.tids = []int{f.pid}
	l.tracers = append(l.tracers, f)
	return f, nil
}

func hexOf(s string) string { return string(appendHexBytes(nil, []byte(s))) }

func TestExtendedRunKillRun(t *testing.T) {
	l := &recordingLauncher{}
	s := NewIdleSession(Config{KillTimeout: time.Second, Launcher: l.launch, Env: []string{"A=1", "B=2"}})
	c, out := serveSession(t, s)

	sup := c.call("qSupported:multiprocess+;swbreak+")
	mustContain(t, sup, "QEnvironmentHexEncoded+", "QSetWorkingDir+", "QStartupWithShell+", "QDisableRandomization+", "swbreak+")
	if got := c.call("!"); got != "OK" {
		t.Fatalf("! = %q", got)
	}
	if got := c.call("?"); got != "W00" {
		t.Fatalf("? with no process = %q, want W00", got)
	}
	for _, p := range []string{"QEnvironmentHexEncoded:" + hexOf("FOO=bar"), "QEnvironmentUnset:" + hexOf("A"),
		"QSetWorkingDir:" + hexOf("/tmp"), "QStartupWithShell:0", "QDisableRandomization:1"} {
		if got := c.call(p); got != "OK" {
			t.Fatalf("%s = %q", p, got)
		}
	}
	if got := c.call("QEnvironmentHexEncoded:zz"); got != "E01" {
		t.Errorf("bad hex = %q", got)
	}
	stop := c.call("vRun;" + hexOf("/bin/prog") + ";" + hexOf("arg 1"))
	mustContain(t, stop, "T05", "thread:p1000.1000;")
	if len(l.reqs) != 1 {
		t.Fatalf("launches: %d", len(l.reqs))
	}
	r := l.reqs[0]
	if r.Path != "/bin/prog" || strings.Join(r.Args, "|") != "arg 1" || r.Dir != "/tmp" ||
		strings.Join(r.Env, " ") != "B=2 FOO=bar" {
		t.Errorf("launch request %+v", r)
	}
	if got := c.call("qAttached"); got != "0" {
		t.Errorf("qAttached = %q", got)
	}
	if got := c.call("vKill;1000"); got != "OK" {
		t.Fatalf("vKill = %q", got)
	}
	if !l.tracers[0].isClosed() {
		t.Error("killed process's tracer not closed")
	}
	if got := c.call("?"); got != "W00" {
		t.Errorf("? after kill = %q", got)
	}
	// Empty file: the last program again; the environment is kept.
	c.send("QEnvironmentReset")
	if got := c.recv(); got != "OK" {
		t.Fatal(got)
	}
	stop = c.call("vRun;")
	mustContain(t, stop, "T05", "thread:p1001.1001;")
	if r := l.reqs[1]; r.Path != "/bin/prog" || strings.Join(r.Env, " ") != "A=1 B=2" || len(r.Args) != 0 {
		t.Errorf("second launch %+v", r)
	}
	// R restarts without a reply; the next packet is answered normally.
	c.send("R00")
	if got := c.call("qC"); got != "QCp1002.1002" {
		t.Errorf("qC after R = %q", got)
	}
	if !l.tracers[1].isClosed() {
		t.Error("restart left the old process")
	}
	// monitor exit ends the session.
	if got := c.call("qRcmd," + hexOf("exit")); got != "OK" {
		t.Errorf("monitor exit = %q", got)
	}
	select {
	case o := <-out:
		if o != OutcomeKilled {
			t.Errorf("outcome %v", o)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("session did not end")
	}
}

func TestExtendedWithoutLauncher(t *testing.T) {
	h := startSession(t, newFakeTracer())
	for _, p := range []string{"!", "vRun;" + hexOf("/bin/true"), "QEnvironmentReset", "QSetWorkingDir:"} {
		if got := h.call(p); got != "" {
			t.Errorf("%s = %q, want empty (no launcher)", p, got)
		}
	}
	if sup := h.call("qSupported"); strings.Contains(sup, "QEnvironment") {
		t.Errorf("launch features offered without a launcher: %s", sup)
	}
}

func TestVRunFailure(t *testing.T) {
	l := &recordingLauncher{fail: true}
	c, _ := serveSession(t, NewIdleSession(Config{KillTimeout: time.Second, Launcher: l.launch}))
	c.call("!")
	if got := c.call("vRun;" + hexOf("/nope")); !strings.HasPrefix(got, "E") {
		t.Errorf("failed vRun = %q", got)
	}
	if got := c.call("vRun;zz"); got != "E01" {
		t.Errorf("bad vRun = %q", got)
	}
	if got := c.call("?"); got != "W00" {
		t.Errorf("? = %q", got)
	}
}

func TestParseVRun(t *testing.T) {
	tests := []struct {
		in   string
		path string
		args []string
		err  bool
	}{
		{"", "", nil, false},
		{hexOf("/a"), "/a", nil, false},
		{hexOf("/a") + ";" + hexOf("x") + ";", "/a", []string{"x", ""}, false},
		{"4", "", nil, true},
	}
	for _, tt := range tests {
		p, a, err := parseVRun(tt.in)
		if (err != nil) != tt.err || p != tt.path || strings.Join(a, "|") != strings.Join(tt.args, "|") {
			t.Errorf("parseVRun(%q) = %q %q %v", tt.in, p, a, err)
		}
	}
}

func TestStraceStreamsSyscalls(t *testing.T) {
	f := newFakeTracer()
	f.setScript(
		fakeStop{ev: ptrace.Event{Cause: ptrace.StopPreSyscall}},
		fakeStop{ev: ptrace.Event{Cause: ptrace.StopPostSyscall}},
		fakeStop{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, rip: 0x401010},
	)
	format := func(_ Tracer, ev ptrace.Event) string {
		switch {
		case ev.Cause&ptrace.StopPreSyscall != 0:
			return ""
		case ev.Cause&ptrace.StopPostSyscall != 0:
			return "getpid() = 1\n"
		}
		return ""
	}
	s := NewSession(watchFake{f}, Config{KillTimeout: time.Second, SyscallFormatter: format})
	c, _ := serveSession(t, s)
	if got := consoleText(t, c.call("qRcmd,"+hexOf("strace on"))); got != "strace on.\n" {
		t.Fatalf("strace on: %q", got)
	}
	c.recv() // OK
	c.send("c")
	if got := consoleText(t, c.recv()); got != "getpid() = 1\n" {
		t.Errorf("console = %q", got)
	}
	mustContain(t, c.recv(), "T05")
	fl := f.flagsCopy()
	if len(fl) != 3 || fl[0]&syscallStops != syscallStops {
		t.Errorf("resume flags %v: syscall stops not armed", fl)
	}
	if got := consoleText(t, c.call("qRcmd,"+hexOf("strace off"))); got != "strace off.\n" {
		t.Errorf("strace off: %q", got)
	}
}

// watchFake gives the fake tracer the watchpoint capability the strace
// wrapper passes through.
type watchFake struct{ *fakeTracer }

func (watchFake) SetWatchpoint(uint64, uint64, ptrace.WatchKind) error   { return nil }
func (watchFake) ClearWatchpoint(uint64, uint64, ptrace.WatchKind) error { return nil }

// consoleText decodes an O packet.
func consoleText(t *testing.T, p string) string {
	t.Helper()
	if !strings.HasPrefix(p, "O") {
		t.Fatalf("not console output: %q", p)
	}
	b, err := decodeHexBytes(p[1:])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzExtendedPackets feeds arbitrary launch packets to an idle extended
// session: they never panic, and "?" still answers.
func FuzzExtendedPackets(f *testing.F) {
	for _, seed := range []string{"vRun;2f61;78", "vRun;", "vRun;zz", "R00", "QEnvironmentHexEncoded:464f4f3d626172",
		"QEnvironmentUnset:41", "QSetWorkingDir:", "QStartupWithShell:1", "QDisableRandomization:2", "vKill;1", "k"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, pkt string) {
		l := &recordingLauncher{}
		s := NewIdleSession(Config{KillTimeout: time.Second, Launcher: l.launch})
		s.handle([]byte("!"))
		s.handle([]byte(pkt))
		if len(s.handle([]byte("?")).reply) == 0 {
			t.Fatal("? has no reply")
		}
	})
}

func TestStraceWrapperQuietOnDrain(t *testing.T) {
	f := newFakeTracer()
	f.setScript(fakeStop{ev: ptrace.Event{Cause: ptrace.StopExit}})
	var printed []string
	w := (&straceTracer{format: func(Tracer, ptrace.Event) string { return "x" },
		emit: func(s string) { printed = append(printed, s) }}).wrap(watchFake{f})
	if _, err := w.Next(ptrace.StopExit | ptrace.FlagIgnore); err != nil {
		t.Fatal(err)
	}
	if fl := f.flagsCopy(); len(printed) != 0 || fl[0]&syscallStops != 0 {
		t.Errorf("drain traced: printed %q, flags %v", printed, fl)
	}
}
