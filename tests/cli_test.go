package tests

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// needStub fails the test when the stub could not be built.
func needStub(t *testing.T) {
	t.Helper()
	if suite.stubErr != nil {
		t.Fatalf("the stub could not be built: %v", suite.stubErr)
	}
}

// TestInterrupt checks that Ctrl-C in gdb (SIGINT to gdb, which sends 0x03
// to the server) stops a program, on both servers: one that loops forever,
// and one blocked in nanosleep. The interrupted pc is wherever the program
// happened to be, so transcripts are not diffed; the key lines are checked
// and the latency is measured.
func TestInterrupt(t *testing.T) {
	needTools(t)
	cases := []struct {
		guest string
		cmds  []string // after the interrupt
		want  []string
	}{
		{"spin", []string{"bt", "print spins > 0"}, []string{
			`^#0  (0x[0-9a-f]+ in )?main \(\) at guests/spin\.c:$LINE(spin)$`,
			`^\$1 = 1$`,
		}},
		{"sleeper", []string{"bt"}, []string{
			`^#\d  0x[0-9a-f]+ in (clock_)?nanosleep \(\)$`,
		}},
	}
	for _, c := range cases {
		for _, server := range []string{"gdbserver", "stub"} {
			t.Run(c.guest+"/"+server, func(t *testing.T) {
				t.Parallel()
				if err := suite.guestErr[c.guest]; err != nil {
					t.Fatalf("building guest %s: %v", c.guest, err)
				}
				prog := suite.guests[c.guest]
				argv := []string{"gdbserver", "--once", "127.0.0.1:0", prog}
				if server == "stub" {
					needStub(t)
					argv = []string{suite.stub, "--once", "127.0.0.1:0", prog}
				}
				var latency time.Duration
				interrupt := func(gdb *exec.Cmd, out *syncBuffer) {
					// Wait for 'continue' to be issued, let the program
					// run a little, then press Ctrl-C.
					deadline := time.Now().Add(20 * time.Second)
					for !strings.Contains(out.String(), "(gdb) continue\n") && time.Now().Before(deadline) {
						time.Sleep(10 * time.Millisecond)
					}
					time.Sleep(500 * time.Millisecond)
					sent := time.Now()
					_ = gdb.Process.Signal(syscall.SIGINT)
					for !strings.Contains(out.String(), "Program received signal SIGINT") && time.Since(sent) < 20*time.Second {
						time.Sleep(2 * time.Millisecond)
					}
					latency = time.Since(sent)
				}
				s := runSession(server, argv, func(port int) []string {
					args := []string{"-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
						"-ex", "file " + prog, "-ex", fmt.Sprintf("target remote 127.0.0.1:%d", port),
						"-ex", `echo (gdb) continue\n`, "-ex", "continue"}
					for _, cmd := range append(c.cmds, "kill") {
						args = append(args, "-ex", "echo (gdb) "+cmd+`\n`, "-ex", cmd)
					}
					return args
				}, interrupt)
				if s.err != nil {
					t.Fatalf("%v\n%s", s.err, s.describe())
				}
				got := newNormalizer().normalize(s.gdb)
				want := append([]string{`^Program received signal SIGINT, Interrupt\.$`}, c.want...)
				want = append(want, `^\[Inferior 1 \(process PID\) killed\]$`)
				for _, w := range want {
					re := regexp.MustCompile("(?m)" + expandMarks(t, c.guest, w))
					if !re.MatchString(got) {
						t.Errorf("%s transcript lacks a line matching %s", server, re)
					}
				}
				t.Logf("%s: SIGINT to 'Program received signal SIGINT' took %v", server, latency)
				// The stub must stop the guest within 100 ms; gdb's own
				// work adds to that, so allow a margin against CI noise.
				if latency > time.Second {
					t.Errorf("%s took %v to report the interrupt (want well under 1s)", server, latency)
				}
				if t.Failed() {
					t.Log(s.describe())
				}
			})
		}
	}
}

// TestCommandLine checks the stub's gdbserver-style command line errors:
// a missing or non-ELF program is a one-line error and exit status 1.
func TestCommandLine(t *testing.T) {
	needStub(t)
	notELF := filepath.Join(suite.work, "not-elf")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
	}{
		{"missing program", []string{"--once", "127.0.0.1:0", filepath.Join(suite.work, "does-not-exist")}},
		{"not an ELF file", []string{"--once", "127.0.0.1:0", notELF}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := newCmd(ctx, suite.repo, append([]string{suite.stub}, tt.args...))
			var stdout, stderr syncBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := -1
			if cmd.ProcessState != nil {
				code = cmd.ProcessState.ExitCode()
			}
			msg := strings.TrimRight(stderr.String(), "\n")
			if code != 1 {
				t.Errorf("exit status %d (err %v), want 1; stderr:\n%s", code, err, msg)
			}
			if msg == "" || strings.Contains(msg, "\n") || strings.Contains(msg, "goroutine ") {
				t.Errorf("want a one-line error on stderr, got:\n%s", msg)
			}
		})
	}
}

// TestListenLoopbackOnly checks that COMM ':PORT' binds 127.0.0.1, not all
// interfaces, by looking the listening socket up in /proc/net/tcp{,6}.
func TestListenLoopbackOnly(t *testing.T) {
	needStub(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv, err := startServer(ctx, []string{suite.stub, ":0"})
	if srv != nil {
		defer srv.stop(0)
	}
	if err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, srv.stderr.String())
	}
	port := fmt.Sprintf(":%04X ", srv.port)
	var found []string
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			fields := strings.Fields(l)
			// sl local_address rem_address st ...; st 0A is LISTEN.
			if len(fields) > 3 && fields[3] == "0A" && strings.Contains(fields[1]+" ", port) {
				found = append(found, fields[1])
			}
		}
	}
	if len(found) != 1 || found[0] != fmt.Sprintf("0100007F:%04X", srv.port) {
		t.Errorf("listening sockets on port %d: %v, want exactly 0100007F:%04X (127.0.0.1)", srv.port, found, srv.port)
	}
}

// TestRemoteDebugLog checks that --remote-debug logs the packets of a
// session, both ways, on stderr.
func TestRemoteDebugLog(t *testing.T) {
	needTools(t)
	needStub(t)
	prog := suite.guests["exitcode"]
	if prog == "" {
		t.Fatalf("building guest exitcode: %v", suite.guestErr["exitcode"])
	}
	s := runSession("stub", []string{suite.stub, "--remote-debug", "--once", "127.0.0.1:0", prog},
		func(port int) []string {
			return []string{"-nx", "-batch", "-ex", fmt.Sprintf("target remote 127.0.0.1:%d", port), "-ex", "continue"}
		}, nil)
	if s.err != nil {
		t.Fatalf("%v\n%s", s.err, s.describe())
	}
	for _, w := range []string{"qSupported", "vCont", "W03"} {
		if !strings.Contains(s.serverLog, w) {
			t.Errorf("--remote-debug log lacks %q", w)
		}
	}
	if !strings.Contains(s.gdb, "exited with code 03") {
		t.Errorf("session did not run to the exit:\n%s", s.describe())
	}
	if t.Failed() {
		t.Logf("stderr:\n%s", tail(s.serverLog, 4096))
	}
}

// TestReconnect checks that, without --once, a program stopped when gdb
// disconnects waits for the next gdb, which finds it where it was. The
// second session's transcripts must match between the servers.
func TestReconnect(t *testing.T) {
	needTools(t)
	prog := suite.guests["basic"]
	if prog == "" {
		t.Fatalf("building guest basic: %v", suite.guestErr["basic"])
	}
	run := func(server string) (first, second string, err error) {
		argv := []string{"gdbserver", "127.0.0.1:0", prog}
		if server == "stub" {
			argv = []string{suite.stub, "127.0.0.1:0", prog}
		}
		ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
		defer cancel()
		srv, err := startServer(ctx, argv)
		if srv != nil {
			defer srv.stop(exitGrace)
		}
		if err != nil {
			return "", "", err
		}
		target := fmt.Sprintf("target remote 127.0.0.1:%d", srv.port)
		gdb := func(cmds ...string) (string, error) {
			args := []string{"-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off", "-ex", "file " + prog, "-ex", target}
			for _, c := range cmds {
				args = append(args, "-ex", "echo (gdb) "+c+`\n`, "-ex", c)
			}
			return runGDB(ctx, args, nil)
		}
		if first, err = gdb("break add", "continue", "disconnect"); err != nil {
			return first, "", err
		}
		second, err = gdb("bt", "info registers rip", "break add", "continue", "delete", "continue")
		return first, second, err
	}
	n := newNormalizer()
	_, want, err := run("gdbserver")
	if err != nil {
		t.Fatalf("gdbserver: %v\n%s", err, want)
	}
	want = n.normalize(want)
	for _, w := range []string{
		`^#0  add \(x=0, y=7\) at guests/basic\.c:\d+$`,
		`^Breakpoint 1, add \(x=1, y=7\) at guests/basic\.c:\d+$`,
		`^\[Inferior 1 \(process PID\) exited normally\]$`,
	} {
		if !regexp.MustCompile("(?m)" + w).MatchString(want) {
			t.Fatalf("gdbserver's second session lacks a line matching %s:\n%s", w, want)
		}
	}
	needStub(t)
	first, got, err := run("stub")
	if err != nil {
		t.Fatalf("stub: %v\nfirst session:\n%s\nsecond session:\n%s", err, first, got)
	}
	if d := unifiedDiff("gdbserver, second session", "redox-gdbstub, second session", want, n.normalize(got)); d != "" {
		t.Errorf("second sessions differ:\n%s\nstub's first session:\n%s", d, first)
	}
}
