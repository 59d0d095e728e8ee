package tests

import (
	"testing"
)

// gdbCmdScenarios are the gdb commands of issue 5 that e2e_test.go's
// scenarios do not exercise yet (jump, tbreak, rbreak, display, info
// frame in a caller's frame, until/advance to a location, return from a
// void function, x/5i), run like those: real gdb against gdbserver and
// against the stub on the same binary, transcripts compared after
// normalisation, and key lines required on both sides.
var gdbCmdScenarios = []scenario{
	{
		// jump back to the loop body (i still 0): gdb reports the
		// breakpoint there at once, and the line runs again, so total is
		// 14 when i is 1. Then a jump from main to its return skips the
		// printf (no program output).
		name:  "jump",
		guest: "basic",
		file:  true,
		cmds: []string{"break $LINE(loop-body)", "continue", "print i", "next", "print total",
			"jump $LINE(loop-body)", "print i", "print total", "continue", "print i", "print total", "delete",
			"break factorial", "continue", "delete", "finish", "jump $LINE(main-return)", "info registers rip"},
		want: []string{
			`^Breakpoint 1, loop_sum \(limit=4\) at guests/basic\.c:$LINE(loop-body)$`,
			`^\$2 = 7$`,
			`^\(gdb\) jump $LINE(loop-body)\n\nBreakpoint 1, loop_sum \(limit=4\) at guests/basic\.c:$LINE(loop-body)$`,
			`^\$3 = 0$`,
			`^\$5 = 1$`,
			`^\$6 = 14$`,
			`^\(gdb\) finish\n0x[0-9a-f]+ in main \(\) at guests/basic\.c:\d+$`,
			`^Value returned is \$7 = 120$`,
			`^\(gdb\) jump $LINE(main-return)\n\[Inferior 1 \(process PID\) exited normally\]$`,
		},
	},
	{
		// A temporary breakpoint stops once and is gone after the hit.
		name:  "tbreak",
		guest: "basic",
		file:  true,
		cmds: []string{"tbreak add", "info breakpoints", "continue", "info breakpoints", "tbreak factorial",
			"break $LINE(factorial-base)", "info breakpoints", "continue", "info breakpoints", "continue",
			"bt", "continue"},
		want: []string{
			`^Temporary breakpoint 1 at 0x[0-9a-f]+: file guests/basic\.c, line $LINE(add-body)\.$`,
			`^1 +breakpoint +del +y +0x[0-9a-f]+ in add at guests/basic\.c:$LINE(add-body)$`,
			`^Temporary breakpoint 1, add \(x=0, y=7\) at guests/basic\.c:$LINE(add-body)$`,
			`^No breakpoints or watchpoints\.$`,
			`^Temporary breakpoint 2, factorial \(n=5\) at guests/basic\.c:\d+$`,
			`^2 +breakpoint +del +y +0x[0-9a-f]+ in factorial at guests/basic\.c:\d+$`,
			// After the hit, only breakpoint 3 is left.
			`^Num +Type +Disp Enb Address +What\n3 +breakpoint +keep +y +0x[0-9a-f]+ in factorial at guests/basic\.c:$LINE(factorial-base)\n\(gdb\) continue$`,
			`^Breakpoint 3, factorial \(n=1\) at guests/basic\.c:$LINE(factorial-base)$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"counter=7 total=34 fact=120"},
	},
	{
		// rbreak sets a breakpoint on every function whose name matches
		// (a GNU basic regular expression, optionally in one file); the
		// hits come in call order: fill, loop_sum, add, factorial.
		name:  "rbreak",
		guest: "basic",
		file:  true,
		cmds: []string{`rbreak ^\(add\|fill\|factorial\)$`, "rbreak basic.c:^loop_", "info breakpoints",
			"continue", "continue", "continue", "bt", "delete 1", "continue", "bt 1", "delete", "continue"},
		want: []string{
			`^Breakpoint \d at 0x[0-9a-f]+: file guests/basic\.c, line $LINE(add-body)\.$`,
			`^static int add\(int, int\);$`,
			`^static void fill\(struct pair \*, int\);$`,
			`^static int factorial\(int\);$`,
			`^Breakpoint \d, fill \(p=<sp0-0x[0-9a-f]+>, a=42\) at guests/basic\.c:\d+$`,
			`^static long loop_sum\(int\);$`,
			`^4 +breakpoint +keep +y +0x[0-9a-f]+ in loop_sum at guests/basic\.c:\d+$`,
			`^Breakpoint 4, loop_sum \(limit=4\) at guests/basic\.c:\d+$`,
			`^Breakpoint 1, add \(x=0, y=7\) at guests/basic\.c:$LINE(add-body)$`,
			`^Breakpoint 2, factorial \(n=5\) at guests/basic\.c:\d+$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"counter=7 total=34 fact=120"},
	},
	{
		// Auto-display: expressions shown at each stop while in scope,
		// listed by info display, removed by undisplay.
		name:  "display",
		guest: "basic",
		file:  true,
		cmds: []string{"break loop_sum", "continue", "display total", "display/x limit", "display global_counter * 2",
			"info display", "next", "next", "step", "display sum", "next", "finish", "next", "undisplay 1",
			"next", "info display", "undisplay", "info display", "next", "delete", "continue"},
		want: []string{
			`^1: total = 0$`,
			`^2: /x limit = 0x4$`,
			`^3: global_counter \* 2 = 14$`,
			`^Auto-display expressions now in effect:$`,
			`^1: +y +total$`,
			`^4: sum = 7$`,
			`^1: total = 7$`,
			`^There are no auto-display expressions now\.$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"counter=7 total=34 fact=120"},
	},
	{
		// info frame in callers (frame 1, frame 3), where the saved
		// registers are found by unwinding.
		name:  "info-frame",
		guest: "basic",
		file:  true,
		cmds: []string{"break $LINE(factorial-base)", "continue", "info frame", "frame 1", "info frame", "frame 3",
			"info frame", "frame function main", "info frame", "delete", "continue"},
		want: []string{
			`^Stack level 0, frame at <sp0-0x[0-9a-f]+>:$`,
			`^Stack level 1, frame at <sp0-0x[0-9a-f]+>:$`,
			`^ rip = 0x[0-9a-f]+ in factorial \(guests/basic\.c:\d+\); saved rip = 0x[0-9a-f]+$`,
			`^ caller of frame at <sp0-0x[0-9a-f]+>$`,
			`^ Arglist at <sp0-0x[0-9a-f]+>, args: n=2$`,
			`^ Saved registers:$`,
			`^  rbp at <sp0-0x[0-9a-f]+>, rip at <sp0-0x[0-9a-f]+>$`,
			`^Stack level 3, frame at <sp0-0x[0-9a-f]+>:$`,
			`^ Arglist at <sp0-0x[0-9a-f]+>, args: n=4$`,
			`^ rip = 0x[0-9a-f]+ in main \(guests/basic\.c:\d+\); saved rip = 0x[0-9a-f]+$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
	},
	{
		// until and advance with a location: both stop at the location or
		// when the current frame returns, whichever comes first (so the
		// first "advance factorial", from loop_sum, ends in main).
		name:  "until-advance-location",
		guest: "basic",
		file:  true,
		cmds: []string{"break loop_sum", "continue", "advance add", "bt 2", "until $LINE(main-return)", "bt 1",
			"print total", "until $LINE(loop-body)", "print i", "advance factorial", "advance factorial", "info args",
			"until $LINE(main-return)", "until $LINE(main-return)", "info locals", "continue"},
		want: []string{
			`^add \(x=0, y=7\) at guests/basic\.c:$LINE(add-body)$`,
			`^#1  0x[0-9a-f]+ in loop_sum \(limit=4\) at guests/basic\.c:$LINE(loop-body)$`,
			`^0x[0-9a-f]+ in loop_sum \(limit=4\) at guests/basic\.c:$LINE(loop-body)$`,
			`^\$2 = 1$`,
			`^\(gdb\) advance factorial\nmain \(\) at guests/basic\.c:\d+$`,
			`^\(gdb\) advance factorial\nfactorial \(n=5\) at guests/basic\.c:\d+$`,
			`^\(gdb\) until $LINE(main-return)\n0x[0-9a-f]+ in main \(\) at guests/basic\.c:\d+$`,
			`^main \(\) at guests/basic\.c:$LINE(main-return)$`,
			`^f = 120$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"counter=7 total=34 fact=120"},
	},
	{
		// return from a void function (fill) before it runs, finish from
		// a caller's frame (up, finish), and x/5i disassembly. (gdb prints
		// "Run till exit from ..." only for commands typed at a terminal,
		// not in batch mode, so the stop after finish is checked instead.)
		name:  "return-finish-x5i",
		guest: "basic",
		file:  true,
		cmds: []string{"break fill", "break add", "continue", "x/5i $pc", "return", "bt 1", "print local_pair",
			"continue", "delete 2", "up", "finish", "x/5i $pc", "info registers rip", "delete", "continue"},
		want: []string{
			`^=> 0x[0-9a-f]+ <fill\+\d+>:\t`,
			`^\(gdb\) bt 1\n#0  main \(\) at guests/basic\.c:\d+$`,
			`^\$1 = \{a = 0, b = 0, tag = "\\000\\000\\000\\000\\000\\000\\000"\}$`,
			`^\(gdb\) up\n#1  0x[0-9a-f]+ in loop_sum \(limit=4\) at guests/basic\.c:$LINE(loop-body)$`,
			`^\(gdb\) finish\nmain \(\) at guests/basic\.c:\d+$`,
			`^Value returned is \$2 = 34$`,
			`^=> 0x[0-9a-f]+ <main\+\d+>:\t`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		// fill never ran: the pair stays empty.
		wantOutput: []string{"counter=7 total=34 fact=120 pair=0/0/\n"},
	},
}

// gdbCmdGlibcScenarios are gdbCmdScenarios on the glibc build of the
// same guest, named NAME-glibc.
func gdbCmdGlibcScenarios() []scenario {
	var out []scenario
	for _, sc := range gdbCmdScenarios {
		sc.name += "-glibc"
		sc.guest = glibcGuests[sc.guest]
		out = append(out, sc)
	}
	return out
}

func TestGDBCommandTranscripts(t *testing.T) {
	needTools(t)
	for _, sc := range append(gdbCmdScenarios[:len(gdbCmdScenarios):len(gdbCmdScenarios)], gdbCmdGlibcScenarios()...) {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			compareScenario(t, sc)
		})
	}
}
