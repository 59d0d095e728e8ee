package main

import (
	"bufio"
	"bytes"
	"fmt"
	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseComm(t *testing.T) {
	tests := []struct {
		in    string
		addr  string
		stdio bool
		bad   bool
	}{
		{":1234", "127.0.0.1:1234", false, false},
		{":0", "127.0.0.1:0", false, false},
		{"localhost:2345", "localhost:2345", false, false},
		{"0.0.0.0:2345", "0.0.0.0:2345", false, false},
		{"[::1]:2345", "[::1]:2345", false, false},
		{"-", "", true, false},
		{"1234", "", false, true},
		{":http", "", false, true},
		{":70000", "", false, true},
		{"", "", false, true},
	}
	for _, tc := range tests {
		addr, stdio, err := parseComm(tc.in)
		if (err != nil) != tc.bad || addr != tc.addr || stdio != tc.stdio {
			t.Errorf("parseComm(%q) = %q, %v, %v", tc.in, addr, stdio, err)
		}
	}
}

func TestParseArgs(t *testing.T) {
	o, err := parseArgs([]string{"--once", "--remote-debug", "--log-level", "debug", ":1", "prog", "--once", "-x"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !o.once || !o.remoteDebug || o.logLevel != "debug" || o.comm != ":1" || o.prog != "prog" ||
		strings.Join(o.args, " ") != "--once -x" {
		t.Errorf("got %+v", o)
	}
	o, err = parseArgs([]string{"-"}, io.Discard)
	if err != nil || o.comm != "-" || o.prog != "" {
		t.Errorf("stdio: %+v %v", o, err)
	}
	if _, err := parseArgs(nil, io.Discard); err == nil {
		t.Error("missing COMM accepted")
	}
}

// oneLineError runs the command expecting exit status 1 and a single
// "redox-gdbstub: ..." line.
func oneLineError(t *testing.T, args []string, want string) {
	t.Helper()
	var stderr bytes.Buffer
	if code := run(args, strings.NewReader(""), io.Discard, &stderr); code != 1 {
		t.Errorf("%v: exit %d, want 1", args, code)
	}
	out := stderr.String()
	if strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "redox-gdbstub: ") || !strings.Contains(out, want) {
		t.Errorf("%v: stderr %q, want one line with %q", args, out, want)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notelf")
	os.WriteFile(text, []byte("#!/bin/sh\necho hi\n"), 0o755)
	oneLineError(t, []string{":0", filepath.Join(dir, "missing")}, "no such file or directory")
	oneLineError(t, []string{":0", "redox-gdbstub-no-such-program"}, "no such file or directory")
	oneLineError(t, []string{":0", text}, "not an ELF executable")
	oneLineError(t, []string{":0", dir}, "not a regular file")
	oneLineError(t, []string{"nonsense"}, "bad COMM")
	oneLineError(t, []string{"--log-level", "loud", ":0"}, "--log-level")
	if code := run([]string{"--no-such-flag", ":0"}, strings.NewReader(""), io.Discard, io.Discard); code != 1 {
		t.Errorf("bad flag: exit %d", code)
	}
}

// syncBuffer collects stderr while the command runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// rspClient is a tiny remote protocol client (acks on).
type rspClient struct {
	t *testing.T
	r *bufio.Reader
	w io.Writer
}

func (c *rspClient) call(p string) string {
	c.t.Helper()
	var sum byte
	for i := 0; i < len(p); i++ {
		sum += p[i]
	}
	fmt.Fprintf(c.w, "$%s#%02x", p, sum)
	for {
		b, err := c.r.ReadByte()
		if err != nil {
			c.t.Fatalf("%s: %v", p, err)
		}
		if b == '$' {
			break
		}
	}
	s, err := c.r.ReadString('#')
	if err != nil {
		c.t.Fatal(err)
	}
	c.r.ReadByte()
	c.r.ReadByte()
	io.WriteString(c.w, "+")
	return strings.TrimSuffix(s, "#")
}

func demoSymbol(t *testing.T, name string) uint64 {
	t.Helper()
	return testenv.Symbol(t, bytes.NewReader(demoImage), name)
}

func leHex(v uint64) string {
	var b [8]byte
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	return fmt.Sprintf("%x", b[:])
}

// TestServeDemoTCP runs the command on :0 with the bundled demo, breaks at
// main through the protocol and kills the program.
func TestServeDemoTCP(t *testing.T) {
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run([]string{":0"}, strings.NewReader(""), io.Discard, &stderr) }()
	var port string
	re := regexp.MustCompile(`Listening on port (\d+)\n`)
	for deadline := time.Now().Add(10 * time.Second); port == ""; {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			port = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no Listening line: %q", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	out := stderr.String()
	m := regexp.MustCompile(`Process (\S+) created; pid = (\d+)\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no Process line: %q", out)
	}
	exe := m[1]
	if st, err := os.Stat(exe); err != nil || st.Mode().Perm() != 0o700 || filepath.Base(exe) != "demo" {
		t.Errorf("demo file %s: %v %v", exe, st, err)
	}
	if st, err := os.Stat(filepath.Dir(exe)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("demo directory of %s: %v %v", exe, st, err)
	}
	conn, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := &rspClient{t: t, r: bufio.NewReader(conn), w: conn}
	c.call("qSupported:multiprocess+;swbreak+")
	if got := c.call("qXfer:exec-file:read::0,1000"); got != "l"+exe {
		t.Errorf("exec-file %q, want l%s", got, exe)
	}
	mainAddr := demoSymbol(t, "main")
	if got := c.call(fmt.Sprintf("Z0,%x,1", mainAddr)); got != "OK" {
		t.Fatalf("Z0: %q", got)
	}
	got := c.call("vCont;c")
	if !strings.HasPrefix(got, "T05swbreak:;") || !strings.Contains(got, "10:"+leHex(mainAddr)+";") {
		t.Errorf("stop at main: %q", got)
	}
	if got := c.call("k"); !strings.HasPrefix(got, "X09") {
		t.Errorf("k: %q", got)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("command did not exit after k")
	}
	if _, err := os.Stat(filepath.Dir(exe)); !os.IsNotExist(err) {
		t.Errorf("demo directory of %s not removed: %v", exe, err)
	}
}

// TestServeStdio runs the protocol over stdin/stdout.
func TestServeStdio(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"-"}, inR, outW, &stderr) }()
	c := &rspClient{t: t, r: bufio.NewReader(outR), w: inW}
	if got := c.call("?"); !strings.HasPrefix(got, "T05") {
		t.Errorf("? = %q", got)
	}
	if got := c.call("k"); got != "X09" {
		t.Errorf("k: %q", got)
	}
	go io.Copy(io.Discard, outR)
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("command did not exit after k")
	}
	if !strings.Contains(stderr.String(), "Remote debugging using stdio") {
		t.Errorf("stderr %q", stderr.String())
	}
}
