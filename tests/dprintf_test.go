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

// dprintfFloatCmd prints doubles with every floating-point conversion
// gdb's printf accepts (%f %e %E %g %G; it refuses %lf, %a and %F). gdb
// cannot compile a double variable into agent bytecode ("gen_fetch:
// Unsupported type code `double'"), so the bits go as a long, which gdb's
// own printf reads as a double too (an integer of a float type's size is
// reinterpreted). Arithmetic on the bits gives other doubles: the next
// one up, the negation, and an infinity.
const dprintfFloatCmd = `dprintf poly,"dpf: %f %e %E %g %G|%.17g|%10.3f|%-+12.4e|%#.0f|%g|%5.1f\n",` +
	`*(long *)&x,*(long *)&x,*(long *)&x,*(long *)&x,*(long *)&x,*(long *)&x + 1,*(long *)&x,` +
	`*(long *)&x,*(long *)&x,*(long *)&x ^ (1L << 63),0x7ff0000000000000`

// TestDprintfAgentFloat compares agent dprintf's floating-point output
// (formatted by the stub) with gdb's own dprintf (set dprintf-style gdb),
// both against the stub, on musl and glibc builds. gdbserver is no
// reference here: its agent printf refuses %f ("Format directive in '%f'
// not supported in agent printf") and drops the connection.
func TestDprintfAgentFloat(t *testing.T) {
	needTools(t)
	for _, guest := range []string{"compute", "compute-glibc"} {
		t.Run(guest, func(t *testing.T) {
			t.Parallel()
			if err := suite.guestErr[guest]; err != nil {
				t.Fatalf("building guest %s: %v", guest, err)
			}
			if suite.stubErr != nil {
				t.Fatalf("the stub could not be built: %v", suite.stubErr)
			}
			lines := map[string][]string{}
			for _, style := range []string{"gdb", "agent"} {
				sc := scenario{name: "dprintf-float-" + style, guest: guest, file: true,
					cmds: []string{"set dprintf-style " + style, dprintfFloatCmd, "continue"}}
				s := runScenario(t, sc, "stub")
				if s.err != nil {
					t.Fatalf("%s style: %v\n%s", style, s.err, s.describe())
				}
				lines[style] = regexp.MustCompile(`(?m)^dpf: .*$`).FindAllString(s.gdb, -1)
				// poly runs once.
				if len(lines[style]) != 1 {
					t.Fatalf("%s style printed %d dpf lines, want 1:\n%s", style, len(lines[style]), s.describe())
				}
			}
			t.Logf("agent: %s", lines["agent"][0])
			if lines["gdb"][0] != lines["agent"][0] {
				t.Errorf("agent dprintf printed\n%s\ngdb's dprintf printed\n%s", lines["agent"][0], lines["gdb"][0])
			}
			// Why the bits go as a long: gdb will not compile the double
			// itself. (A dprintf of x then goes to the server as a plain
			// Z0 without commands: nothing is printed.)
			sc := scenario{name: "dprintf-float-compile", guest: guest, file: true,
				cmds: []string{"break poly", "continue", `maint agent-printf "%f\n", x`,
					`maint agent-printf "%f\n", *(long *)&x`, "continue"}}
			s := runScenario(t, sc, "stub")
			for _, w := range []string{"(?m)^gen_fetch: Unsupported type code `double'\\.$",
				`(?m)^ +\d+ +ref64$`, `(?m)^ +\d+ +printf "%f\\n", 1 args$`} {
				if !regexp.MustCompile(w).MatchString(s.gdb) {
					t.Errorf("gdb's agent compilation: no line matching %s:\n%s", w, s.describe())
				}
			}
		})
	}
}
