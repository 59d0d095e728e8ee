package target

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// pipes makes a host pipe, closed at the end of the test.
func pipes(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// converse collects everything written to out until EOF; once it holds
// "reading\n" (the guest is about to read), it waits for delay and
// writes input to in.
func converse(out, in *os.File, input string, delay time.Duration) <-chan string {
	c := make(chan string, 1)
	go func() {
		var all []byte
		sent := false
		buf := make([]byte, 4096)
		for {
			n, err := out.Read(buf)
			all = append(all, buf[:n]...)
			if !sent && input != "" && bytes.Contains(all, []byte("reading\n")) {
				sent = true
				time.Sleep(delay)
				in.WriteString(input)
			}
			if err != nil {
				c <- string(all)
				return
			}
		}
	}()
	return c
}

// collect waits for converse's result.
func collect(t *testing.T, c <-chan string) string {
	t.Helper()
	select {
	case s := <-c:
		return s
	case <-time.After(20 * time.Second):
		t.Fatal("no end of output")
	}
	return ""
}

// runPiped runs bin with stdin, stdout and stderr host pipes, natively
// or emulated, sending input delay after the guest says it reads; it
// returns the output and the wait status.
func runPiped(t *testing.T, native bool, bin string, args []string, input string, delay time.Duration) (string, int) {
	t.Helper()
	inR, inW := pipes(t)
	outR, outW := pipes(t)
	c := converse(outR, inW, input, delay)
	if native {
		cmd := exec.Command(bin, args[1:]...)
		cmd.Args, cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = args, testEnv, inR, outW, outW
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		outW.Close()
		timer := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
		defer timer.Stop()
		cmd.Wait()
		out := collect(t, c)
		return out, int(cmd.ProcessState.Sys().(syscall.WaitStatus))
	}
	p, err := Load(Config{Path: bin, Args: args, Env: testEnv, Stdin: inR, Stdout: outW, Stderr: outW, Log: testLogger(t)})
	if err != nil {
		t.Fatalf("Load(%s): %v", bin, err)
	}
	// Should a read wait for ever, end it (with EOF) rather than hang.
	timer := time.AfterFunc(10*time.Second, func() { inW.Close() })
	defer timer.Stop()
	st := runToExit(t, p)
	outW.Close()
	return collect(t, c), st
}

// TestHostReadOtherThreadRuns: while one thread waits for input on a host
// pipe (in read, or in poll), the other keeps running; the output matches
// the native run.
func TestHostReadOtherThreadRuns(t *testing.T) {
	for _, c := range []struct{ opt, mode, prefix string }{
		{"-O0", "read", ""},
		{"-O2", "read", ""},
		{"-O2", "poll", "poll 1 revents 0x1\n"},
	} {
		t.Run(c.opt+"-"+c.mode, func(t *testing.T) {
			bin := buildGuest(t, "hostread", c.opt+" -pthread")
			args := []string{"hostread", c.mode}
			const input = "hello\n"
			want, st := runPiped(t, true, bin, args, input, 300*time.Millisecond)
			if st != 0 || want != "reading\n"+c.prefix+"read 6 bytes: hello\nthe other thread ran while this one read\n" {
				t.Fatalf("native: status %#x, output %q", st, want)
			}
			got, st := runPiped(t, false, bin, args, input, 300*time.Millisecond)
			if st != 0 || got != want {
				t.Errorf("emulated: status %#x, output %q; native %q", st, got, want)
			}
		})
	}
}

// TestHostReadNonblock: O_NONBLOCK stdin without data gives EAGAIN, as
// natively.
func TestHostReadNonblock(t *testing.T) {
	bin := buildGuest(t, "hostread", "-O2 -pthread")
	args := []string{"hostread", "nonblock"}
	want, st := runPiped(t, true, bin, args, "", 0)
	if st != 0 || want != "read=-1 EAGAIN\n" {
		t.Fatalf("native: status %#x, output %q", st, want)
	}
	got, st := runPiped(t, false, bin, args, "", 0)
	if st != 0 || got != want {
		t.Errorf("emulated: status %#x, output %q; want 0, %q", st, got, want)
	}
}

// TestHostReadKill: a single thread waiting for terminal or pipe input
// stops for a Kill(SIGINT) within 100 ms, and the signal then ends it.
func TestHostReadKill(t *testing.T) {
	bin := buildGuest(t, "hostread", "-O2 -pthread")
	inR, _ := pipes(t)
	var out bytes.Buffer
	p, err := Load(Config{Path: bin, Args: []string{"hostread", "single"}, Env: testEnv, Stdin: inR, Stdout: &out, Stderr: &out, Log: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		ev  Event
		err error
		at  time.Time
	}
	done := make(chan result, 1)
	go func() {
		ev, err := p.Resume(StopSignal|StopExit, false)
		done <- result{ev, err, time.Now()}
	}()
	select {
	case r := <-done:
		t.Fatalf("Resume returned %+v, %v before any input or signal; output %q", r.ev, r.err, out.String())
	case <-time.After(300 * time.Millisecond):
	}
	sent := time.Now()
	p.Kill(sigINT)
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Kill(SIGINT) did not stop the process blocked reading stdin")
	}
	if r.err != nil || r.ev.Kind != StopSignal || r.ev.Signo != sigINT {
		t.Fatalf("Resume = %+v, %v; want a SIGINT stop", r.ev, r.err)
	}
	if d := r.at.Sub(sent); d > 100*time.Millisecond {
		t.Errorf("SIGINT stop came %v after Kill, want within 100ms", d)
	}
	ev, err := p.Resume(StopExit, false)
	if err != nil || ev.Kind != StopExit || ev.Status != sigINT {
		t.Errorf("after the SIGINT stop: %+v, %v; want exit by SIGINT", ev, err)
	}
	if _, err := p.Resume(StopExit, false); !errors.Is(err, ErrExited) {
		t.Errorf("Resume after exit: %v", err)
	}
}

// syscallPairs resumes p with syscall stops armed until it exits and
// checks that each thread's pre-syscall stop is followed by that
// syscall's post stop (exits excepted) before the thread's next syscall
// stop, also for calls that blocked. It returns how many calls blocked
// (another thread stopped between their entry and exit), by number.
func syscallPairs(t *testing.T, p *Process) map[uint64]int {
	t.Helper()
	open := map[int]uint64{} // tid -> syscall entered
	since := map[int]bool{}  // tid -> another thread stopped since its entry
	blocked := map[uint64]int{}
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatal("too many stops")
		}
		ev, err := p.Resume(StopPreSyscall|StopPostSyscall|StopExit, false)
		if err != nil {
			t.Fatalf("Resume: %v", err)
		}
		switch ev.Kind {
		case StopExit:
			for tid, nr := range open {
				if nr != 60 && nr != 231 { // exit, exit_group
					t.Errorf("thread %d: syscall %d entered, never left", tid, nr)
				}
			}
			return blocked
		case StopPreSyscall:
			if nr, ok := open[ev.Tid]; ok && nr != 60 {
				t.Fatalf("thread %d: entry of syscall %d while in syscall %d", ev.Tid, ev.Syscall, nr)
			}
			open[ev.Tid], since[ev.Tid] = ev.Syscall, false
		case StopPostSyscall:
			nr, ok := open[ev.Tid]
			if !ok || nr != ev.Syscall {
				t.Fatalf("thread %d: exit of syscall %d, entered %d (%v)", ev.Tid, ev.Syscall, nr, ok)
			}
			if since[ev.Tid] {
				blocked[nr]++
			}
			delete(open, ev.Tid)
		}
		for tid := range since {
			if tid != ev.Tid {
				since[tid] = true
			}
		}
	}
}

// TestPostSyscallAfterBlocking: calls that block (read of a host pipe,
// futex waits) get their post-syscall stop when they return.
func TestPostSyscallAfterBlocking(t *testing.T) {
	bin := buildGuest(t, "hostread", "-O2 -pthread")
	inR, inW := pipes(t)
	outR, outW := pipes(t)
	c := converse(outR, inW, "x\n", 200*time.Millisecond)
	p, err := Load(Config{Path: bin, Args: []string{"hostread"}, Env: testEnv, Stdin: inR, Stdout: outW, Stderr: outW, Log: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	// The read waits and is made again when the input comes: one
	// entry, one exit.
	syscallPairs(t, p)
	outW.Close()
	if got, want := collect(t, c), "reading\nread 2 bytes: x\n"; !strings.HasPrefix(got, want) {
		t.Errorf("output %q, want it to start with %q", got, want)
	}

	bin = buildGuest(t, "threads", "-O2")
	p, out := loadGuest(t, bin, []string{"threads"}, "")
	blocked := syscallPairs(t, p)
	if blocked[202] == 0 { // futex
		t.Errorf("no futex call blocked: %v (output %q)", blocked, out)
	}
}

// countingClock is the host with a HostTime that counts its use.
type countingClock struct {
	Host
	mu          sync.Mutex
	now, timers int
}

func (c *countingClock) Now() time.Time {
	c.mu.Lock()
	c.now++
	c.mu.Unlock()
	return time.Now()
}

func (c *countingClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	c.timers++
	c.mu.Unlock()
	return time.AfterFunc(d, f).Stop
}

// TestHostTime: interval timers, alarm and timed waits take their time
// from the Host's HostTime, and the guest behaves as natively.
func TestHostTime(t *testing.T) {
	bin := buildGuest(t, "waits", "-O1")
	wantOut, _, wantStatus := runNative(t, bin, []string{bin}, "")
	clk := &countingClock{Host: NewOSHost()}
	var out bytes.Buffer
	p, err := Load(Config{Path: bin, Args: []string{bin}, Env: testEnv, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Host: clk, Log: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if st := runToExit(t, p); st != wantStatus || out.String() != wantOut {
		t.Errorf("emulated: status %#x\n%s\nnative: status %#x\n%s", st, out.String(), wantStatus, wantOut)
	}
	clk.mu.Lock()
	defer clk.mu.Unlock()
	// setitimer with 4 expiries re-arms at least 4 times; alarm once.
	if clk.timers < 5 || clk.now == 0 {
		t.Errorf("HostTime used for %d timers and %d clock reads; want >= 5 timers and some reads", clk.timers, clk.now)
	}
}
