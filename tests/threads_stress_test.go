package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// stressTimeout bounds one stress session (5000 stops), server included.
const stressTimeout = 5 * time.Minute

// stressScript makes gdb count the stops at shared_fn without a Python
// loop: a breakpoint command list that prints which call stopped, counts
// it in a convenience variable and continues. After the program exits,
// the total is printed.
const stressScript = `set $hits = 0
break shared_fn
commands
silent
set $hits = $hits + 1
printf "hit %d %d\n", thread, call
continue
end
continue
printf "total hits: %d\n", $hits
`

var (
	stressHitRE   = regexp.MustCompile(`(?m)^hit (\d+) (\d+)$`)
	stressTotalRE = regexp.MustCompile(`(?m)^total hits: (\d+)$`)
)

// TestThreadsStress runs guests/pthreads.c's stress mode (50 threads that
// each call shared_fn 100 times, all at once and interleaved), musl and
// glibc builds, with a breakpoint on
// shared_fn: gdb must see exactly 5000 stops, each (thread, call) pair
// exactly once (no stop lost, none reported twice), and the program must
// exit normally with its own count of 5000. gdbserver on the native binary
// runs the same script as the reference (it must give 5000 too), and the
// times of both are logged.
func TestThreadsStress(t *testing.T) {
	needTools(t)
	for _, guest := range []string{"pthreads", "pthreads-glibc"} {
		t.Run(guest, func(t *testing.T) { stress(t, guest) })
	}
}

// stress runs the stress script on one build of the guest, against
// gdbserver and then the stub.
func stress(t *testing.T, guest string) {
	const threads, calls = 50, 100
	prog := suite.guests[guest]
	if prog == "" {
		t.Fatalf("building guest %s: %v", guest, suite.guestErr[guest])
	}
	script := filepath.Join(t.TempDir(), "stress.gdb")
	if err := os.WriteFile(script, []byte(stressScript), 0o644); err != nil {
		t.Fatal(err)
	}
	times := map[string]time.Duration{}
	// The servers run one after the other, not at once, so that the
	// times compare the servers rather than their share of the CPUs.
	for _, server := range []string{"gdbserver", "stub"} {
		ok := t.Run(server, func(t *testing.T) {
			argv := []string{"gdbserver", "--once", "127.0.0.1:0", prog, "stress"}
			if server == "stub" {
				needStub(t)
				argv = []string{suite.stub, "--once", "127.0.0.1:0", prog, "stress"}
			}
			s, elapsed := runStressSession(server, argv, prog, script)
			if s.err != nil {
				t.Fatalf("%v\n%s", s.err, tailSession(s))
			}
			times[server] = elapsed
			t.Logf("%s: %d stops in %v", server, threads*calls, elapsed.Round(time.Millisecond))

			seen := map[[2]int]int{}
			switches, last := 0, -1
			for _, m := range stressHitRE.FindAllStringSubmatch(s.gdb, -1) {
				th, _ := strconv.Atoi(m[1])
				c, _ := strconv.Atoi(m[2])
				seen[[2]int{th, c}]++
				if th != last {
					switches++
					last = th
				}
			}
			// The point is stops of many threads in turn (gdb switching
			// threads and stepping one over the breakpoint while the
			// others wait); the guest yields after each call to get that.
			t.Logf("%d of the stops are in another thread than the stop before", switches)
			if switches < calls {
				t.Errorf("only %d thread switches between stops: the threads' calls did not interleave", switches)
			}
			var missing, dup []string
			for th := 0; th < threads; th++ {
				for c := 0; c < calls; c++ {
					switch n := seen[[2]int{th, c}]; {
					case n == 0:
						missing = append(missing, fmt.Sprintf("%d/%d", th, c))
					case n > 1:
						dup = append(dup, fmt.Sprintf("%d/%d x%d", th, c, n))
					}
					delete(seen, [2]int{th, c})
				}
			}
			if len(missing) > 0 {
				t.Errorf("%d stops lost (thread/call): %s", len(missing), firstN(missing, 20))
			}
			if len(dup) > 0 {
				t.Errorf("%d stops reported more than once (thread/call): %s", len(dup), firstN(dup, 20))
			}
			if len(seen) > 0 {
				t.Errorf("%d stops with arguments no call has", len(seen))
			}
			if m := stressTotalRE.FindStringSubmatch(s.gdb); m == nil || m[1] != strconv.Itoa(threads*calls) {
				t.Errorf("gdb's count of stops is not %d: %q", threads*calls, m)
			}
			if !strings.Contains(s.gdb, "exited normally]") {
				t.Errorf("the program did not exit normally")
			}
			if want := fmt.Sprintf("stress: %d calls\n", threads*calls); !strings.Contains(s.program, want) {
				t.Errorf("program output lacks %q", want)
			}
			if strings.Contains(s.serverLog, "panic:") || strings.Contains(s.serverLog, "fatal error:") {
				t.Errorf("the server crashed:\n%s", tail(s.serverLog, 4096))
			}
			if t.Failed() {
				t.Logf("session:\n%s", tailSession(s))
			}
		})
		if !ok && server == "gdbserver" {
			t.Log("the reference run failed: the scenario itself is wrong")
		}
	}
	if g, s := times["gdbserver"], times["stub"]; g > 0 && s > 0 {
		t.Logf("%s: %d breakpoint stops: gdbserver %v, stub %v, stub/gdbserver %.2f", guest, threads*calls,
			g.Round(time.Millisecond), s.Round(time.Millisecond), float64(s)/float64(g))
	}
}

// runStressSession is runSession with stressTimeout instead of
// sessionTimeout, and it also returns how long the session took from
// gdb's start.
func runStressSession(name string, serverArgv []string, prog, script string) (*session, time.Duration) {
	var start time.Time
	s := runSessionFor(stressTimeout, name, serverArgv, func(port int) []string {
		return []string{"-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off", "-ex", "file " + prog,
			"-ex", fmt.Sprintf("target remote 127.0.0.1:%d", port), "-x", script}
	}, func(*exec.Cmd, *syncBuffer) { start = time.Now() })
	// Until the server has exited too: the same small extra on both sides.
	return s, time.Since(start)
}

// tailSession is describe() with the transcript cut to its end: a stress
// transcript has thousands of lines.
func tailSession(s *session) string {
	c := *s
	c.gdb = tail(c.gdb, 8192)
	return c.describe()
}

func firstN(s []string, n int) string {
	if len(s) > n {
		return strings.Join(s[:n], ", ") + ", ..."
	}
	return strings.Join(s, ", ")
}
