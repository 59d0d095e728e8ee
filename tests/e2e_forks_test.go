package tests

import (
	"regexp"
	"testing"
)

// inferiorsRules make "info inferiors" tables comparable: gdb sizes its
// columns to the widest entry, and process ids and the port differ in
// width between a host pid and the stub's 4200000s.
var inferiorsRules = []rule{
	{
		name: "info-inferiors-header",
		why:  "column widths follow the longest pid and connection name, which differ between servers",
		re:   regexp.MustCompile(`(?m)^  Num +Description +(Connection +)?Executable *$`),
		repl: "  Num Description ${1}Executable",
	},
	{
		name: "info-inferiors-row",
		why:  "column widths (see the header rule) and the port in the connection name differ between servers",
		re:   regexp.MustCompile(`(?m)^([* ]) +(\d+) +(process PID|<null>) +(1 \(remote [^)]*\) +)?(.*?) *$`),
		repl: "$1 $2 $3 CONN $5",
	},
	{
		name: "info-threads-header",
		why:  "the Target Id column is as wide as the longest id, whose pids differ in width between servers",
		re:   regexp.MustCompile(`(?m)^  Id +Target Id +Frame *$`),
		repl: "  Id Target Id Frame",
	},
}

// forkScenarios are gdb's fork, vfork and exec support (issue 6): the
// stub reports fork/vfork/exec events (fork-events+, vfork-events+,
// exec-events+) and follows several processes; each scenario runs real
// gdb against gdbserver and against the stub on the same binary, with
// transcripts compared after normalisation (process and thread ids are
// host pids natively and the stub's own pids under emulation) and key
// lines required on both sides.
var forkScenarios = []scenario{
	{
		// The default: follow the parent, detach the child (gdb removes
		// the inherited breakpoint from it first).
		name:  "fork-follow-parent",
		guest: "forkexec",
		file:  true,
		cmds:  []string{"break work", "continue", "bt", "info inferiors", "continue"},
		want: []string{
			`^\[Detaching after fork from child process PID\]$`,
			`^Breakpoint 1, work \(x=1\) at guests/forkexec\.c:$LINE(work-body)$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"child: 42\n", "exec'd: again\n", "parent: child exited 4, work 2\n"},
	},
	{
		// follow-fork-mode child: the parent is detached and runs on;
		// the child hits the breakpoint, then execs (exec event: gdb
		// loads the new image and inserts its breakpoints again).
		name:  "fork-follow-child-exec",
		guest: "forkexec",
		file:  true,
		rules: []rule{{
			name: "exec-stack",
			why: "after the exec the new image's stack is laid out from its own arguments and the " +
				"environment, so argv is no longer at a fixed offset from the first image's sp on " +
				"either side",
			re:   regexp.MustCompile(`argv=<[^>]*>`),
			repl: "argv=<STACK>",
		}},
		cmds: []string{"set follow-fork-mode child", "break work", "break $LINE(again)", "continue", "bt",
			"info inferiors", "continue", "bt", "continue"},
		want: []string{
			`^\[Attaching after Thread PID\.TID fork to child Thread PID\.TID\]$`,
			`^\[New inferior 2 \(process PID\)\]$`,
			`^\[Detaching after fork from parent process PID\]$`,
			`^Thread PID\.TID "forkexec(-glibc)?" hit Breakpoint 1, work \(x=21\) at guests/forkexec\.c:$LINE(work-body)$`,
			`^process PID is executing new program: .*forkexec(-glibc)?$`,
			`^Thread PID\.TID "forkexec(-glibc)?" hit Breakpoint 2, main \(argc=2, argv=.*\) at guests/forkexec\.c:$LINE(again)$`,
			`^\[Inferior 2 \(process PID\) exited with code 04\]$`,
		},
		wantOutput: []string{"child: 42\n", "exec'd: again\n", "parent: child exited 4, work 2\n"},
	},
	{
		// catch fork and catch exec stop at the events themselves.
		name:  "catch-fork-exec",
		guest: "forkexec",
		file:  true,
		cmds: []string{"catch fork", "catch exec", "continue", "info inferiors", "set follow-fork-mode child",
			"continue", "continue"},
		want: []string{
			`^Catchpoint 1 \(fork\)$`,
			`^Catchpoint 2 \(exec\)$`,
			`^Catchpoint 1 \(forked process PID\), `,
			`^Thread PID\.TID "forkexec(-glibc)?" hit Catchpoint 2 \(exec'd .*forkexec(-glibc)?\), `,
			`^\[Inferior 2 \(process PID\) exited with code 04\]$`,
		},
	},
	{
		// vfork: the event, the child detached, and vforkdone before
		// the parent goes on.
		name:  "vfork-follow-parent",
		guest: "forkexec",
		args:  []string{"vfork"},
		file:  true,
		cmds:  []string{"catch vfork", "break $LINE(parent-done)", "continue", "continue", "print st >> 8", "continue"},
		want: []string{
			`^Catchpoint 1 \(vforked process PID\), `,
			`^\[Detaching after vfork from child process PID\]$`,
			`^Breakpoint 2, main \(argc=2, argv=.*\) at guests/forkexec\.c:$LINE(parent-done)$`,
			`^\$1 = 4$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"exec'd: again\n", "parent: child exited 4, work 2\n"},
	},
	{
		// detach-on-fork off: both processes stay under gdb, and gdb
		// resumes one at a time (schedule-multiple off): the parent
		// stops before its wait, the child (held since the fork) runs to
		// its end alone, then the parent reaps it.
		name:  "detach-on-fork-off",
		guest: "forkexec",
		file:  true,
		cmds: []string{"set detach-on-fork off", "break $LINE(parent-wait)", "continue", "info inferiors",
			"inferior 2", "info threads", "continue", "info inferiors", "inferior 1", "continue"},
		want: []string{
			`^\[New inferior 2 \(process PID\)\]$`,
			`^Thread PID\.TID "forkexec(-glibc)?" hit Breakpoint 1\.1, main \(argc=1, argv=.*\) at guests/forkexec\.c:$LINE(parent-wait)$`,
			`^\[Inferior 2 \(process PID\) exited with code 04\]$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"child: 42\n", "exec'd: again\n", "parent: child exited 4, work 2\n"},
	},
}

// TestGDBForkTranscripts runs forkScenarios on musl and glibc guests.
func TestGDBForkTranscripts(t *testing.T) {
	needTools(t)
	var all []scenario
	for _, sc := range forkScenarios {
		sc.rules = append(sc.rules, inferiorsRules...)
		all = append(all, sc)
		g := sc
		g.name += "-glibc"
		g.guest += "-glibc"
		all = append(all, g)
	}
	for _, sc := range all {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			compareScenario(t, sc)
		})
	}
}
