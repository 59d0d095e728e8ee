package tests

import (
	"fmt"
	"strings"
	"testing"
)

// nonStopScenario is gdb's non-stop mode: one worker stops at a
// breakpoint while the others keep running ("(running)" in info threads),
// memory is read while they run, and "continue -a" resumes everything to
// the end. Which worker stops first and where the others are depend on
// the host scheduler natively, so the transcripts are not compared line
// by line: the key lines are required from gdbserver and the stub alike.
var nonStopScenario = scenario{
	name: "non-stop",
	file: true,
	pre:  []string{"set non-stop on"},
	cmds: []string{"break hit", "continue", "info threads", "print counter >= 0", "delete", "continue -a"},
	want: []string{
		`^Thread \d+ "worker-\d" hit Breakpoint 1, hit \(id=\d\) at guests/nonstop\.c:\d+$`,
		// The stopped worker is listed with its frame, another thread
		// as running.
		`^\*? +\d+ +Thread PID\.TID "worker-\d" +hit \(id=\d\) at guests/nonstop\.c:\d+$`,
		`^\*? +\d+ +Thread PID\.TID "[^"]+" +\(running\)$`,
		`^\$1 = 1$`,
		`^\[Inferior 1 \(process PID\) exited normally\]$`,
	},
	wantOutput: []string{"counter 30\n"},
}

// TestGDBNonStop runs nonStopScenario against both servers, on musl and
// glibc guests.
func TestGDBNonStop(t *testing.T) {
	needTools(t)
	for _, guest := range []string{"nonstop", "nonstop-glibc"} {
		if err := suite.guestErr[guest]; err != nil {
			t.Fatalf("building guest %s: %v", guest, err)
		}
		sc := nonStopScenario
		sc.guest = guest
		t.Run(guest, func(t *testing.T) { checkKeyLines(t, sc, suite.guests[guest], false) })
	}
}

// checkKeyLines runs sc on bin against gdbserver and the stub and
// requires its key lines (want, wantOutput) from both, without comparing
// the transcripts: for scenarios whose details depend on the host
// scheduler. stderrIsOutput counts the server's stderr as program output
// (the stub and gdbserver both pass the program's stderr through).
func checkKeyLines(t *testing.T, sc scenario, bin string, stderrIsOutput bool) {
	norm := newNormalizer()
	norm.extra = sc.rules
	for _, server := range []string{"gdbserver", "stub"} {
		t.Run(server, func(t *testing.T) {
			argv := []string{"gdbserver", "--once", "127.0.0.1:0", bin}
			if server == "stub" {
				needStub(t)
				argv = []string{suite.stub, "--once", "127.0.0.1:0", bin}
			}
			s := runSession(server, argv, func(port int) []string {
				return gdbArgsFor(t, sc, server, bin, fmt.Sprintf("target remote 127.0.0.1:%d", port))
			}, nil)
			if s.err != nil {
				t.Fatalf("%v\n%s", s.err, s.describe())
			}
			if stderrIsOutput {
				s.program += s.serverLog
			}
			checkWant(t, sc, s, norm.normalize(s.gdb))
			if server == "stub" && (strings.Contains(s.serverLog, "panic:") || strings.Contains(s.serverLog, "level=error")) {
				t.Errorf("stub errors:\n%s", tail(s.serverLog, 4096))
			}
			if t.Failed() {
				t.Logf("session:\n%s", s.describe())
			}
		})
	}
}
