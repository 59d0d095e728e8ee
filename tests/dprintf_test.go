package tests

import (
	"regexp"
	"strings"
	"testing"
)

// dprintfScenario names the agent-dprintf scenario of the table.
const dprintfScenario = "dprintf-agent"

// dprintfCmds set the agent dprintfs of that scenario: every conversion
// the stub's printf bytecode supports that gdb compiles for the agent.
var dprintfCmds = []string{
	`dprintf add,"dprintf: add(%d, %u) %#x %c %s %ld %5d|%-3i|%%\n",x,y,y,message[1],&message[0],global_total,x,y`,
	`dprintf factorial,"dprintf: factorial(%d) %lx\n",n,global_total`,
}

var dprintfLine = regexp.MustCompile(`(?m)^dprintf: .*$`)

// dprintfLines is how many lines each agent-dprintf scenario prints: add
// runs 4 times (loop_sum(4)), factorial 5 times (factorial(5)).
var dprintfLines = map[string]int{dprintfScenario: 9, dprintfScenario + "-stepping": 4}

// TestDprintfAgentOutput runs the agent-dprintf scenarios on both servers
// and compares the printed lines: gdbserver prints them on its own stdout
// (where the program's output goes), the stub on gdb's console.
func TestDprintfAgentOutput(t *testing.T) {
	needTools(t)
	for name, count := range dprintfLines {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var sc scenario
			for _, s := range scenarios {
				if s.name == name {
					sc = s
				}
			}
			if sc.name == "" {
				t.Fatalf("no scenario %s in the table", name)
			}
			compareDprintf(t, sc, count)
		})
	}
}

func compareDprintf(t *testing.T, sc scenario, count int) {
	if err := suite.guestErr[sc.guest]; err != nil {
		t.Fatalf("building guest %s: %v", sc.guest, err)
	}
	if suite.stubErr != nil {
		t.Fatalf("the stub could not be built: %v", suite.stubErr)
	}
	ref := make(chan *session, 1)
	go func() { ref <- runScenario(t, sc, "gdbserver") }()
	got := runScenario(t, sc, "stub")
	want := <-ref
	if want.err != nil {
		t.Fatalf("gdbserver: %v\n%s", want.err, want.describe())
	}
	if got.err != nil {
		t.Fatalf("stub: %v\n%s", got.err, got.describe())
	}
	wantLines := dprintfLine.FindAllString(want.program, -1)
	gotLines := dprintfLine.FindAllString(got.gdb, -1)
	if len(wantLines) != count {
		t.Fatalf("gdbserver printed %d dprintf lines, want %d:\n%s", len(wantLines), count, want.describe())
	}
	if d := unifiedDiff("gdbserver stdout", "gdb console with redox-gdbstub",
		strings.Join(wantLines, "\n")+"\n", strings.Join(gotLines, "\n")+"\n"); d != "" {
		t.Errorf("dprintf output differs:\n%s\nstub session:\n%s", d, got.describe())
	}
	if n := len(dprintfLine.FindAllString(got.program, -1)); n != 0 {
		t.Errorf("the stub printed %d dprintf lines on its stdout, want them on gdb's console only", n)
	}
}
