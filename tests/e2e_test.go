package tests

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A scenario is one gdb script run against both servers. The transcripts
// (and the program's output) must be equal once normalised, and the key
// lines in want must be present on both sides, so a scenario cannot pass by
// both sides failing the same way.
type scenario struct {
	name  string
	guest string   // key of suite.guests
	args  []string // the program's arguments
	// file loads the executable with 'file' before connecting. Without it
	// gdb must fetch the executable from the server (qXfer:exec-file and
	// vFile).
	file bool
	// pre are gdb commands run before 'target remote'.
	pre []string
	// stubPre are run before 'target remote' on the stub side only, to
	// make gdb use other packets than with gdbserver; the transcripts
	// must still match.
	stubPre []string
	// cmds are gdb commands run after 'target remote'; $LINE(mark) becomes
	// the line number of the "MARK: mark" comment in the guest's source.
	cmds []string
	// readme runs the README's walking-skeleton command line verbatim
	// (only the port differs); cmds and file are ignored.
	readme bool
	// stdio connects with 'target remote | SERVER - PROG'.
	stdio bool
	// want are regular expressions (multi-line mode) that must match the
	// normalised gdb transcript of both servers; $LINE(mark) is expanded.
	want []string
	// wantOutput are substrings of the program's output.
	wantOutput []string
	// rules are extra normalisation rules for this scenario only.
	rules []rule
	// pie: the guest is a static PIE; addresses are compared relative to
	// the load base (see pieImage.rebase).
	pie bool
	// only, when set, restricts the comparison to the lines it matches
	// (for output whose other lines legitimately differ, e.g. auxv).
	only *regexp.Regexp
}

// readmeGDB is the gdb half of the README's "run the demo" command, after
// 'gdb'; PORT is replaced by the port the server listens on.
var readmeGDB = []string{"-batch", "-ex", "target remote :PORT", "-ex", "break main", "-ex", "continue",
	"-ex", "bt", "-ex", "next", "-ex", "info registers rip", "-ex", "continue"}

var scenarios = []scenario{
	{
		name:  "exec-file-over-protocol",
		guest: "basic",
		file:  false,
		cmds: []string{"break add", "continue", "bt", "info args", "next", "info locals", "step",
			"finish", "delete", "continue"},
		want: []string{
			`^Reading symbols from target:`,
			`^Breakpoint 1, add \(x=0, y=7\) at guests/basic\.c:$LINE(add-body)$`,
			`^#2  0x[0-9a-f]+ in main \(\) at guests/basic\.c:\d+$`,
			`^Value returned is \$1 = 7$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"hello, debugger: counter=7 total=34 fact=120 pair=42/42000/filled\n"},
	},
	{
		name:  "break-next-step-finish",
		guest: "basic",
		file:  true,
		cmds: []string{"break loop_sum", "continue", "bt", "next", "next", "step", "bt",
			"finish", "next", "info locals", "until", "until", "info locals", "finish", "advance $LINE(main-return)",
			"info locals", "continue"},
		want: []string{
			`^Breakpoint 1, loop_sum \(limit=4\) at guests/basic\.c:\d+$`,
			`^add \(x=0, y=7\) at guests/basic\.c:$LINE(add-body)$`,
			`^Value returned is \$1 = 7$`,
			`^Value returned is \$2 = 34$`,
			`^main \(\) at guests/basic\.c:$LINE(main-return)$`,
			`^f = 120$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"counter=7 total=34 fact=120"},
	},
	{
		name:  "print-and-set-var",
		guest: "basic",
		file:  true,
		cmds: []string{"break fill", "continue", "print *p", "print a", "finish", "print local_pair",
			"print local_int", "print str", "x/s str", "x/s message", "print message", "print global_pair",
			"print global_pair.tag", "print/x global_counter", "print global_total", "ptype struct pair",
			"print sizeof(struct pair)", "print &global_counter", "x/4xb &global_counter",
			"set var global_counter = 100", "print global_counter", "set var local_int = -5", "print local_int",
			"set var global_pair.b = 77", "print global_pair", "print local_pair.tag[0]", "print $_streq(str, \"hello, debugger\")",
			"delete", "continue"},
		want: []string{
			`^Breakpoint 1, fill \(p=<sp0-0x[0-9a-f]+>, a=42\) at guests/basic\.c:\d+$`,
			`^\$\d+ = \{a = 42, b = 42000, tag = "filled\\000"\}$`,
			`^0x[0-9a-f]+ <message>:\s+"hello, debugger"$`,
			`^\$\d+ = 100$`,
			`^\$\d+ = -5$`,
			`^\$\d+ = \{a = 1, b = 77, tag = "pair\\000\\000\\000"\}$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		// set var global_counter = 100 must change what the program computes.
		wantOutput: []string{"hello, debugger: counter=100 total=406 fact=120 pair=42/42000/filled\n"},
	},
	{
		name:  "registers-stepi",
		guest: "basic",
		file:  true,
		cmds: []string{"break add", "continue", "info registers rip", "info registers rdi rsi", "info registers eflags",
			"p $pc", "p/x (long)$sp & 0xf", "p $edi", "p $sil", "x/i $pc", "stepi", "x/i $pc", "info registers rip",
			"stepi", "stepi", "x/2i $pc", "nexti", "info registers rip rax", "p $eax", "stepi", "stepi", "bt 1",
			"info registers rip", "stepi", "x/i $pc", "delete", "continue"},
		want: []string{
			`^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <add\+\d+>$`,
			`^rdi +0x0 +0$`,
			`^rsi +0x7 +7$`,
			`^eflags +0x[0-9a-f]+ +\[ .*IF.* \]$`,
			`^=> 0x[0-9a-f]+ <add\+\d+>:`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
	},
	{
		name:  "segment-registers",
		guest: "basic",
		file:  true,
		cmds:  []string{"break add", "continue", "info registers cs ss ds es fs gs", "p $fs_base != 0", "delete", "continue"},
		want: []string{
			`^cs +0x33 +51$`,
			`^ss +0x2b +43$`,
		},
	},
	{
		name:  "recursion-frames",
		guest: "basic",
		file:  true,
		cmds: []string{"break $LINE(factorial-base)", "continue", "bt", "up", "print n", "up 2", "print n",
			"frame", "down", "info frame", "frame 0", "finish", "finish", "delete", "continue"},
		want: []string{
			`^#4  0x[0-9a-f]+ in factorial \(n=5\) at guests/basic\.c:\d+$`,
			`^#5  0x[0-9a-f]+ in main \(\) at guests/basic\.c:\d+$`,
			`^Value returned is \$\d+ = 1$`,
			`^Value returned is \$\d+ = 2$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
	},
	{
		name:  "exit-code",
		guest: "exitcode",
		file:  true,
		cmds:  []string{"break status", "continue", "bt", "finish", "delete", "continue", "print $_exitcode"},
		want: []string{
			`^Value returned is \$1 = 3$`,
			`^\[Inferior 1 \(process PID\) exited with code 03\]$`,
			`^\$2 = 3$`,
		},
		wantOutput: []string{"exiting with 3\n"},
	},
	{
		name:  "crash-sigsegv",
		guest: "crash",
		file:  true,
		cmds:  []string{"continue", "bt", "print n", "print v", "x/i $pc", "info registers rip", "continue", "info registers rip"},
		want: []string{
			`^Program received signal SIGSEGV, Segmentation fault\.$`,
			`^0x[0-9a-f]+ in poke \(n=0x0, v=99\) at guests/crash\.c:$LINE(crash)$|^poke \(n=0x0, v=99\) at guests/crash\.c:$LINE(crash)$`,
			`^$LINE(crash)\t\tn->value = v; /\* MARK: crash \*/$`,
			`^#1  0x[0-9a-f]+ in main \(\) at guests/crash\.c:\d+$`,
			`^Program terminated with signal SIGSEGV, Segmentation fault\.$`,
			`^The program has no registers now\.$`,
		},
		wantOutput: []string{"about to crash\n"},
	},
	{
		name:  "optimised-O2",
		guest: "basic-O2",
		file:  true,
		cmds: []string{"break add", "continue", "bt", "info args", "finish", "next", "next", "step", "bt",
			"info registers rip", "stepi", "x/i $pc", "delete", "continue"},
		want: []string{
			`^Breakpoint 1, add \(x=x@entry=0, y=7\) at guests/basic\.c:\d+$`,
			`^#2  main \(\) at guests/basic\.c:\d+$`,
			`^Breakpoint 1, add \(x=x@entry=1, y=7\) at guests/basic\.c:\d+$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"counter=7 total=34 fact=120"},
	},
	{
		name:  "syscalls",
		guest: "sys",
		args:  []string{"one", "two words"},
		file:  true,
		cmds:  []string{"break report", "continue", "bt", "info args", "delete", "continue"},
		want: []string{
			`^Breakpoint 1, report \(what=0x[0-9a-f]+ "argc", value=3\) at guests/sys\.c:$LINE(report)$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"argv[2] = two words\n", "env REDOX_GDBSTUB_E2E = yes\n", "magic: 7f ELF\n",
			"big checksum: 4060610560\n", "sysname=Linux machine=x86_64\n", "getrandom: 16\n", "done\n"},
	},
	faultScenario("divzero", "SIGFPE, Arithmetic exception", `^divide \(a=7, b=0\) at guests/faults\.c:$LINE(divzero)$|^0x[0-9a-f]+ in divide \(a=7, b=0\) at guests/faults\.c:$LINE(divzero)$`),
	faultScenario("trap", "SIGILL, Illegal instruction", `^trap \(\) at guests/faults\.c:$LINE(trap)$|^0x[0-9a-f]+ in trap \(\) at guests/faults\.c:$LINE(trap)$`),
	faultScenario("rodata", "SIGSEGV, Segmentation fault", `^0x[0-9a-f]+ in write_rodata \(\) at guests/faults\.c:$LINE(rodata)$`),
	faultScenario("nx", "SIGSEGV, Segmentation fault", `^0x[0-9a-f]+ in data_code \(\)$`),
	faultScenario("wild", "SIGSEGV, Segmentation fault", `^0x0000000010000bad in \?\? \(\)$`),
	{
		// abort() raises SIGABRT through rt_sigprocmask and tkill; the stop
		// is inside musl's assembly, which gdb cannot unwind past raise.
		// (si_addr is not printed: for a tkill signal that union member
		// holds the sender's pid.)
		name:  "fault-abort",
		guest: "faults",
		args:  []string{"abort"},
		file:  true,
		cmds: []string{"continue", "bt", "x/i $pc", "p $_siginfo.si_signo", "p $_siginfo.si_code",
			"continue"},
		want: []string{
			`^Program received signal SIGABRT, Aborted\.$`,
			`^#1  0x[0-9a-f]+ in raise \(\)$`,
			`^\$2 = -6$`,
			`^Program terminated with signal SIGABRT, Aborted\.$`,
		},
		wantOutput: []string{"fault: abort\n"},
	},
	{
		name:  "detach",
		guest: "basic",
		file:  true,
		cmds:  []string{"break add", "continue", "detach", "info registers rip"},
		want: []string{
			`^\[Inferior 1 \(process PID\) detached\]$`,
			`^The program has no registers now\.$`,
		},
		// After detaching, the breakpoint is gone and the program runs to
		// the end by itself.
		wantOutput: []string{"hello, debugger: counter=7 total=34 fact=120 pair=42/42000/filled\n"},
	},
	{
		name:  "threads",
		guest: "basic",
		file:  true,
		cmds:  []string{"info threads", "break add", "continue", "info threads", "thread", "thread 1", "delete", "continue"},
		want: []string{
			`^\* 1 +Thread PID\.TID .*add \(x=0, y=7\) at guests/basic\.c:$LINE(add-body)$`,
			`^\[Current thread is 1 \(Thread PID\.TID\)\]$`,
		},
		rules: threadTableRules,
	},
	{
		name:  "breakpoint-conditions",
		guest: "basic",
		file:  true,
		cmds: []string{"break add if x == 2", "tbreak factorial", "break $LINE(loop-body)", "ignore 3 2", "info breakpoints",
			"continue", "print i", "continue", "info args", "continue", "print i", "info breakpoints", "delete 1", "delete 3",
			"continue", "bt", "continue"},
		want: []string{
			`^Breakpoint 1, add \(x=2, y=7\) at guests/basic\.c:$LINE(add-body)$`,
			`^Breakpoint 3, loop_sum \(limit=4\) at guests/basic\.c:$LINE(loop-body)$`,
			`^\$1 = 2$`,
			`^\$2 = 3$`,
			`^Temporary breakpoint 2, factorial \(n=5\) at guests/basic\.c:\d+$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		rules: []rule{{
			name: "condition-evaluator",
			why: "'info breakpoints' says whether gdb or the server evaluates a breakpoint condition; " +
				"gdbserver offers target-side conditions (ConditionalBreakpoints+), the stub need not. " +
				"Where the stops happen (checked above) is what matters.",
			re:   regexp.MustCompile(` \((host|target) evals\)`),
			repl: "",
		}},
	},
	{
		name:  "inferior-calls",
		guest: "basic",
		file:  true,
		cmds: []string{"break loop_sum", "continue", "print add(2, 3)", "print factorial(4)", "call fill(&global_pair, 9)",
			"print global_pair", "bt", "info registers rip", "finish", "delete", "continue"},
		want: []string{
			`^\$1 = 5$`,
			`^\$2 = 24$`,
			`^\$3 = \{a = 9, b = 9000, tag = "filled\\000"\}$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
	},
	{
		name:  "initial-registers",
		guest: "basic",
		file:  true,
		cmds: []string{"info registers rax rbx rcx rdx rsi rdi rbp r8 r9 r10 r11 r12 r13 r14 r15",
			"info registers rip eflags cs ss ds es fs gs fs_base gs_base",
			"info registers mxcsr fctrl fstat ftag fop", "p $xmm0.uint128", "p/x (long)$sp & 0xf",
			"p *(long *)$sp", `printf "%s\n", *(char **)($sp + 8)`, "p ((char **)($sp + 8))[1]",
			"stepi", "stepi", "info registers rbp rdi rip"},
		want: []string{
			`^rax +0x0 +0$`,
			`^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <_start>$`,
			`^eflags +0x202 +\[ IF \]$`,
			`^mxcsr +0x1f80 +\[ IM DM ZM OM UM PM \]$`,
			`^fctrl +0x37f +895$`,
			`^\$WORK/basic$`,
		},
	},
	{
		name:  "syscalls-O2",
		guest: "sys-O2",
		args:  []string{"one", "two words"},
		file:  true,
		cmds:  []string{"continue"},
		want:  []string{`^\[Inferior 1 \(process PID\) exited normally\]$`},
		// -O2 vectorises the loops with SSE2.
		wantOutput: []string{"argv[2] = two words\n", "small checksum: 1643353280\n", "big checksum: 4060610560\n", "done\n"},
	},
	{
		name:  "software-watchpoint",
		guest: "basic",
		file:  true,
		cmds: []string{"set can-use-hw-watchpoints 0", "break main", "continue", "watch global_total", "continue",
			"bt", "delete", "continue"},
		want: []string{
			`^Watchpoint 2: global_total$`,
			`^Old value = 0$`,
			`^New value = 34$`,
			`^main \(\) at guests/basic\.c:\d+$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
	},
	{
		name:  "auxv",
		guest: "basic",
		file:  true,
		cmds:  []string{"info auxv"},
		want: []string{
			`^3 +AT_PHDR +Program headers for program +0x400040$`,
			`^5 +AT_PHNUM `, `^6 +AT_PAGESZ +System page size +4096$`, `^9 +AT_ENTRY +Entry point of program +0x[0-9a-f]+$`,
			`^25 +AT_RANDOM `, `^31 +AT_EXECFN +File name of executable +<stack\+\w\(mod16\)> "\$WORK/basic"$`, `^16 +AT_HWCAP `,
			`^0 +AT_NULL `,
		},
		// Only the entries that describe the program are compared: the
		// others describe the machine (AT_HWCAP*, AT_SYSINFO_EHDR for the
		// vDSO, AT_MINSIGSTKSZ, ...) or are stack addresses.
		only: regexp.MustCompile(`^\d+ +AT_(PHDR|PHENT|PHNUM|PAGESZ|BASE|FLAGS|ENTRY|UID|EUID|GID|EGID|SECURE|NULL) `),
	},
	{
		name:  "monitor-exit",
		guest: "basic",
		file:  true,
		// The server must exit (checked for every session) without
		// waiting for gdb to go away.
		cmds: []string{"break add", "continue", "monitor exit"},
		want: []string{`^Breakpoint 1, add \(x=0, y=7\) at guests/basic\.c:\d+$`,
			`^Remote connection closed$`},
		rules: []rule{{
			name: "connection-reset",
			why: "both messages mean the server closed the connection; whether gdb sees a reset or " +
				"an orderly close depends on whether the server exited with unread bytes from gdb " +
				"in its socket (transport timing, it varies from run to run), not on debugging behaviour.",
			re:   regexp.MustCompile(`(?m)^Remote communication error\.  Target disconnected\.: Connection reset by peer\.$`),
			repl: "Remote connection closed",
		}},
	},
	{
		// gdb's fallbacks when newer packets are switched off: M for X, G
		// for P, qfThreadInfo/qsThreadInfo and qC for qXfer:threads. (The
		// legacy c/s fallback for vCont is not compared: gdbserver 13 here
		// runs to the end on a plain 's' after a breakpoint stop.)
		name:  "fallback-packets",
		guest: "basic",
		file:  true,
		pre: []string{"set remote binary-download-packet off", "set remote set-register-packet off",
			"set remote threads-packet off"},
		cmds: []string{"break add", "continue", "info threads", "stepi", "next", "set var global_counter = 100",
			"set var $rbx = 0x1234", "p/x $rbx", "finish", "delete", "print add(20, 22)", "continue"},
		want: []string{
			`^\* 1 +Thread PID\.TID add \(x=0, y=7\) at guests/basic\.c:\d+$`,
			`^\$1 = 0x1234$`,
			`^\$3 = 42$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"counter=100 total=313"},
		rules:      threadTableRules,
	},
	{
		name:  "compute",
		guest: "compute",
		file:  true,
		cmds: []string{"break poly", "continue", "info args", "finish", "p $xmm0.v2_double[0]", "p $_isvoid($xmm1)",
			"info registers mxcsr", "next", "next", "p f", "p d * 2", "delete", "continue"},
		want: []string{
			`^Breakpoint 1, poly \(x=2\.5\) at guests/compute\.c:$LINE(poly)$`,
			`^Value returned is \$1 = 7\.375$`,
			`^\$2 = 7\.375$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"mul128 hi 0121fa00ad77d742 lo 2236d88fe5618cf0\n", "double 7.375 float 0.333333343\n",
			"fmt 3.141590 1.234568e+04 0.0001234 0x1p+0\n", "basel 1.643934566681561 cmp 1 1\n", "done\n"},
	},
	{
		name:       "compute-O2",
		guest:      "compute-O2",
		file:       true,
		cmds:       []string{"continue"},
		want:       []string{`^\[Inferior 1 \(process PID\) exited normally\]$`},
		wantOutput: []string{"mul128 hi 0121fa00ad77d742 lo 2236d88fe5618cf0\n", "strtod 6.0221407599999999e+23\n", "done\n"},
	},
	{
		name:  "deliver-signal",
		guest: "basic",
		file:  true,
		cmds:  []string{"break add", "continue", "signal SIGUSR1", "info registers rip"},
		want: []string{
			`^Program terminated with signal SIGUSR1, User defined signal 1\.$`,
			`^The program has no registers now\.$`,
		},
	},
	{
		// A static PIE (ET_DYN, no interpreter): the stub must relocate
		// it; gdb must find the load base from the auxv.
		name:  "static-pie",
		guest: "basic-pie",
		pie:   true,
		cmds: []string{"break add", "continue", "bt", "info registers rip", "p $pc", "x/i $pc", "finish",
			"p &global_counter", "p message", "delete", "continue"},
		want: []string{
			`^<pie>\+0x[0-9a-f]+ in _start \(\)$`,
			`^Breakpoint 1, add \(x=0, y=7\) at guests/basic\.c:$LINE(add-body)$`,
			`^#2  <pie>\+0x[0-9a-f]+ in main \(\) at guests/basic\.c:\d+$`,
			`^\$\d+ = \(int \*\) <pie>\+0x[0-9a-f]+ <global_counter>$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"hello, debugger: counter=7 total=34 fact=120 pair=42/42000/filled\n"},
	},
	{
		// The legacy resume packets c, s, C and S (gdb's fallback without
		// vCont), on the stub only: gdbserver 13 here runs to the end on a
		// plain 's' after a breakpoint stop, so gdbserver keeps vCont and
		// the transcripts must still match.
		name:    "legacy-resume",
		guest:   "basic",
		file:    true,
		stubPre: []string{"set remote verbose-resume-packet off"},
		cmds: []string{"break add", "continue", "stepi", "next", "finish", "next", "continue", "bt 1",
			"signal SIGUSR1"},
		want: []string{
			`^Breakpoint 1, add \(x=1, y=7\) at guests/basic\.c:$LINE(add-body)$`,
			`^Value returned is \$1 = 7$`,
			`^Program terminated with signal SIGUSR1, User defined signal 1\.$`,
		},
	},
	{
		// 'return' pops frames by writing registers; 'find' searches
		// memory (qSearch:memory, or m reads when it is not offered).
		name:  "frame-edits-and-find",
		guest: "basic",
		file:  true,
		cmds: []string{"break $LINE(factorial-base)", "continue", "return 10", "bt", "find /b message, +sizeof(message), 'd'",
			"find &global_counter, +64, (int)7", "info sharedlibrary", "delete", "continue"},
		want: []string{
			`^#0  (0x[0-9a-f]+ in )?factorial \(n=2\) at guests/basic\.c:\d+$`,
			`^0x[0-9a-f]+ <message\+7>$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		// factorial(1) made to return 10: 5*4*3*2*10.
		wantOutput: []string{"fact=1200 "},
	},
	{
		// Signal handlers: gdb stops at the signal, then at a breakpoint
		// in the handler, unwinds through the signal frame, and the
		// handlers run (SA_SIGINFO, and siglongjmp out of SIGSEGV). The
		// handler's pointer arguments point into the signal frame, whose
		// size follows the CPU's XSAVE area (AVX-512 natively, none in
		// the emulator), so frame arguments are not printed; their
		// fields are.
		name:  "signal-handlers",
		guest: "signals",
		file:  true,
		pre:   []string{"set print frame-arguments none"},
		cmds: []string{"break on_usr1", "break on_segv", "continue", "continue", "bt", "p sig", "p si->si_signo",
			"p si->si_code", "finish", "continue", "continue", "bt", "p sig", "continue"},
		want: []string{
			`^Program received signal SIGUSR1, User defined signal 1\.$`,
			`^Breakpoint 1, on_usr1 \(sig=\.\.\., si=\.\.\., uc=\.\.\.\) at guests/signals\.c:$LINE(handler)$`,
			`^#1  <signal handler called>$`,
			`^\$3 = -6$`,
			`^Program received signal SIGSEGV, Segmentation fault\.$`,
			`^Breakpoint 2, on_segv \(sig=\.\.\.\) at guests/signals\.c:$LINE(segv-handler)$`,
			`^#2  main \(\) at guests/signals\.c:$LINE(fault)$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"handler saw 1006\nrecovered from SIGSEGV\n"},
	},
	{
		name:  "stdio-connection",
		guest: "exitcode",
		file:  true,
		stdio: true,
		cmds:  []string{"break main", "continue", "next", "continue"},
		// The program's output shares the server's stderr with the
		// server's own diagnostics, so it is checked, not diffed.
		wantOutput: []string{"exiting with 3\n"},
		want: []string{
			`^Breakpoint 1, main \(\) at guests/exitcode\.c:\d+$`,
			`^\[Inferior 1 \(process PID\) exited with code 03\]$`,
		},
	},
	{
		name:   "readme-demo",
		guest:  "demo",
		readme: true,
		want: []string{
			`^Breakpoint 1, main \(argc=1, argv=<stack\+8\(mod16\)>\) at cmd/redox-gdbstub/demo/demo\.c:\d+$`,
			`^#0  main \(argc=1, argv=<stack\+8\(mod16\)>\) at cmd/redox-gdbstub/demo/demo\.c:\d+$`,
			`^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <main\+\d+>$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"hello from the emulated demo (argc=1, 28 chars)\n", "sum of squares 1..5 = 55, point = (4,6)\n"},
		rules: []rule{{
			name: "demo-exe-path",
			why: "without PROG the stub serves its embedded copy of the demo from wherever it unpacked it, " +
				"while gdbserver runs cmd/redox-gdbstub/demo/demo; the bytes are the same, which the " +
				"symbols, addresses and source lines that follow check.",
			re:   regexp.MustCompile(`(?m)^Reading symbols from target:\S+\.\.\.$`),
			repl: "Reading symbols from target:<demo>...",
		}},
	},
	// Scenarios of issue 5's RSP items (rsp/syscalls.go, breakpoints.go,
	// memsearch.go). "catch syscall" is checked against native gdb in
	// rsp's unit tests instead: gdb 13.1's gdbserver labels its first
	// syscall stop a return.
	{
		// The condition is evaluated in the server (ConditionalBreakpoints+
		// with both servers): "(target evals)"; Z1 reports hwbreak.
		name:  "conditional-and-hardware-breakpoints",
		guest: "basic",
		file:  true,
		cmds: []string{"break add if x == 2", "continue", "bt", "info breakpoints", "delete",
			"hbreak factorial", "continue", "bt", "delete", "continue"},
		want: []string{
			`^Breakpoint 1, add \(x=2, y=7\) at guests/basic\.c:$LINE(add-body)$`,
			`^\tstop only if x == 2 \(target evals\)$`,
			`^Hardware assisted breakpoint 2 at 0x[0-9a-f]+: file guests/basic\.c, line \d+\.$`,
			`^Breakpoint 2, factorial \(n=5\) at guests/basic\.c:\d+$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"counter=7 total=34 fact=120"},
	},
	{
		// QPassSignals: both signals go to the program without a stop.
		name:  "pass-signals",
		guest: "signals",
		file:  true,
		cmds:  []string{"handle SIGUSR1 nostop noprint pass", "handle SIGSEGV nostop noprint pass", "continue"},
		want: []string{
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"handler saw 1006\nrecovered from SIGSEGV\n"},
	},
	{
		// qCRC (compare-sections) and qSearch:memory (find).
		name:  "compare-sections-and-find",
		guest: "basic",
		file:  true,
		cmds: []string{"compare-sections .text", "find &message[0], +sizeof(message), 'd', 'e', 'b'",
			"find /b &message[0], +sizeof(message), 'x'", "set var message[0] = 'j'", "print message",
			"continue"},
		want: []string{
			`^Section \.text, range 0x[0-9a-f]+ -- 0x[0-9a-f]+: matched\.$`,
			`^0x[0-9a-f]+ <message\+7>$`,
			`^Pattern not found\.$`,
			`^\$1 = "jello, debugger"$`,
		},
	},
	{
		// Z2/Z3/Z4 data watchpoints: the stub checks them in the emulator
		// (exact, after the access, PC past the instruction); gdbserver
		// uses the debug registers (and gdb emulates rwatch with an access
		// watchpoint there, as x86 has no read-only watchpoints), so only
		// aligned 4/8-byte variables are watched.
		name:  "watchpoints",
		guest: "basic",
		file:  true,
		cmds: []string{"break main", "continue", "watch global_total", "rwatch global_counter",
			"awatch local_pair.a", "continue", "continue", "bt", "continue", "continue", "continue",
			"continue", "continue", "info watchpoints", "delete", "continue"},
		want: []string{
			`^Hardware watchpoint 2: global_total$`,
			`^Hardware read watchpoint 3: global_counter$`,
			`^Hardware access \(read/write\) watchpoint 4: local_pair\.a$`,
			`^Value = 7$`,
			`^New value = 42$`,
			`^#0  fill \(`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"counter=7 total=34 fact=120 pair=42/42000/filled"},
	},
	{
		// dprintf with "set dprintf-style agent" (BreakpointCommands+):
		// the server runs the printf bytecode at each hit and never stops.
		// gdbserver prints the text on its own stdout (with the program's
		// output), the stub on gdb's console (O packets), so the lines are
		// dropped here and TestDprintfAgentOutput compares them.
		name:  dprintfScenario,
		guest: "basic",
		file:  true,
		cmds: append([]string{"set dprintf-style agent"}, append(dprintfCmds,
			"info breakpoints", "continue")...),
		want: []string{
			`^Dprintf 1 at 0x[0-9a-f]+: file guests/basic\.c, line $LINE(add-body)\.$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"hello, debugger: counter=7 total=34 fact=120 pair=42/42000/filled\n"},
		rules: []rule{{name: "dprintf-lines", why: "agent dprintf output goes to gdbserver's stdout but to " +
			"gdb's console with the stub; TestDprintfAgentOutput compares it", re: regexp.MustCompile(`(?m)^dprintf: .*\n`), drop: true}},
	},
	{
		// Stepping (next, step, stepi) around an agent dprintf: the hits
		// print once each, whether reached by a continue or a range step.
		name:  dprintfScenario + "-stepping",
		guest: "basic",
		file:  true,
		cmds: []string{"set dprintf-style agent", `dprintf add,"dprintf: add(%d)\n",x`, "break loop_sum",
			"continue", "next", "next", "next", "step", "stepi", "stepi", "stepi", "stepi", "stepi", "continue"},
		want: []string{
			`^add \(x=0, y=7\) at guests/basic\.c:\d+$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		},
		wantOutput: []string{"hello, debugger: counter=7 total=34 fact=120 pair=42/42000/filled\n"},
		rules:      []rule{{name: "dprintf-lines", why: "as in dprintf-agent", re: regexp.MustCompile(`(?m)^dprintf: .*\n`), drop: true}},
	},
}

// threadTableRules normalise the spacing of 'info threads' tables.
var threadTableRules = []rule{
	{
		name: "thread-table-header",
		why: "gdb pads the 'Target Id' column to the widest thread id, so the header's spacing " +
			"follows the number of digits of the pid and tid (see process-id).",
		re:   regexp.MustCompile(`(?m)^  Id   Target Id +Frame *$`),
		repl: "  Id   Target Id  Frame",
	},
	{
		name: "thread-table-row",
		why:  "the same padding after the thread id in each row of the table.",
		re:   regexp.MustCompile(`(?m)^(\*? +\d+ +Thread PID\.TID(?: "[^"]*")?) +`),
		repl: "${1} ",
	},
}

// faultScenario runs guests/faults.c with the fault named mode: the
// program must stop with signal sig at the fault, unwind, and then die of
// the same signal when continued.
func faultScenario(mode, sig, stopLine string) scenario {
	short := strings.SplitN(sig, ",", 2)[0]
	return scenario{
		name:  "fault-" + mode,
		guest: "faults",
		args:  []string{mode},
		file:  true,
		cmds: []string{"continue", "bt", "info registers rip", "x/i $pc", "p $_siginfo.si_signo", "p $_siginfo.si_code",
			"p $_siginfo._sifields._sigfault.si_addr", "continue"},
		want: []string{
			`^Program received signal ` + regexp.QuoteMeta(sig) + `\.$`,
			stopLine,
			`^#\d  0x[0-9a-f]+ in main \(argc=2, argv=<stack\+8\(mod16\)>\) at guests/faults\.c:\d+$`,
			`^Program terminated with signal ` + regexp.QuoteMeta(short) + `, `,
		},
		wantOutput: []string{"fault: " + mode + "\n"},
	}
}

var markRE = regexp.MustCompile(`\$LINE\(([\w-]+)\)`)

// expandMarks replaces $LINE(mark) by the line number of the comment
// "MARK: mark" in the guest's source.
func expandMarks(t *testing.T, guest, s string) string {
	t.Helper()
	var src []byte
	return markRE.ReplaceAllStringFunc(s, func(m string) string {
		if src == nil {
			var err error
			src, err = os.ReadFile(filepath.Join(suite.repo, suite.sources[guest]))
			if err != nil {
				t.Errorf("reading guest source: %v", err) // Errorf: may run off the test goroutine
				return m
			}
		}
		mark := markRE.FindStringSubmatch(m)[1]
		for i, line := range strings.Split(string(src), "\n") {
			if strings.Contains(line, "MARK: "+mark+" ") {
				return strconv.Itoa(i + 1)
			}
		}
		t.Errorf("no 'MARK: %s' in %s", mark, suite.sources[guest])
		return m
	})
}

// gdbArgsFor builds the gdb command line of a scenario. Each command runs
// as its own -ex (rather than one -x script) so that a failing command does
// not cut the rest of the transcript short; each is preceded by an echo of
// the command so that diffs show which command produced which lines.
func gdbArgsFor(t *testing.T, sc scenario, server, prog, target string) []string {
	args := []string{"-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off"}
	if sc.file {
		args = append(args, "-ex", "file "+prog)
	}
	for _, c := range sc.pre {
		args = append(args, "-ex", c)
	}
	if server == "stub" {
		for _, c := range sc.stubPre {
			args = append(args, "-ex", c)
		}
	}
	// The initial stack pointer lets the normaliser compare stack
	// addresses as distances from it (see stackAddress).
	args = append(args, "-ex", target, "-ex", `printf "initial sp: %#lx\n", (unsigned long)$sp`)
	for _, c := range sc.cmds {
		c = expandMarks(t, sc.guest, c)
		args = append(args, "-ex", "echo (gdb) "+strings.ReplaceAll(c, `\`, `\\`)+`\n`, "-ex", c)
	}
	return args
}

// newNormalizer returns the normaliser for this run's directories.
func newNormalizer() normalizer {
	return normalizer{paths: []pathSubst{
		{suite.work, "$WORK"},
		{suite.repo, "$REPO"},
	}}
}

// runScenario runs one scenario against one server.
func runScenario(t *testing.T, sc scenario, server string) *session {
	prog := suite.guests[sc.guest]
	var serverArgv []string
	var gdbArgs func(port int) []string
	switch {
	case sc.stdio:
		var srv []string
		if server == "gdbserver" {
			srv = []string{"gdbserver", "-", prog}
		} else {
			srv = []string{suite.stub, "-", prog}
		}
		srv = append(srv, sc.args...)
		// The server's stderr (where the program's output goes too) is
		// redirected to a file so that server diagnostics, which differ,
		// stay out of the gdb transcript.
		errFile := filepath.Join(suite.work, sc.name+"."+server+".stderr")
		target := "target remote | exec " + shellQuote(srv) + " 2>" + shellQuote([]string{errFile})
		s := runStdioSession(server, gdbArgsFor(t, sc, server, prog, target))
		s.serverCmd = srv
		if b, err := os.ReadFile(errFile); err == nil {
			s.program = string(b)
			s.serverLog = string(b)
		}
		return s
	case sc.readme:
		if server == "gdbserver" {
			serverArgv = []string{"gdbserver", "--once", "127.0.0.1:0", prog}
		} else {
			// The README's command, with port 0 instead of 1234 so that
			// parallel runs cannot collide; no PROG: the bundled demo.
			serverArgv = []string{suite.stub, ":0"}
		}
		gdbArgs = func(port int) []string {
			a := make([]string, len(readmeGDB))
			for i, s := range readmeGDB {
				a[i] = strings.ReplaceAll(s, "PORT", strconv.Itoa(port))
			}
			return a
		}
	default:
		if server == "gdbserver" {
			serverArgv = []string{"gdbserver", "--once", "127.0.0.1:0", prog}
		} else {
			serverArgv = []string{suite.stub, "--once", "127.0.0.1:0", prog}
		}
		serverArgv = append(serverArgv, sc.args...)
		gdbArgs = func(port int) []string {
			return gdbArgsFor(t, sc, server, prog, fmt.Sprintf("target remote 127.0.0.1:%d", port))
		}
	}
	return runSession(server, serverArgv, gdbArgs, nil)
}

// checkWant reports every key line missing from a normalised transcript.
func checkWant(t *testing.T, sc scenario, s *session, transcript string) {
	t.Helper()
	for _, w := range sc.want {
		re, err := regexp.Compile("(?m)" + expandMarks(t, sc.guest, w))
		if err != nil {
			t.Fatalf("bad want %q: %v", w, err)
		}
		if !re.MatchString(transcript) {
			t.Errorf("%s transcript lacks a line matching %s", s.server, re)
		}
	}
	for _, w := range sc.wantOutput {
		if !strings.Contains(s.program, w) {
			t.Errorf("%s: program output lacks %q", s.server, w)
		}
	}
}

// glibcGuests maps the musl guests some scenarios use to their glibc
// (gcc -static) builds.
var glibcGuests = map[string]string{
	"basic": "basic-glibc", "basic-O2": "basic-glibc-O2", "crash": "crash-glibc",
	"exitcode": "exitcode-glibc", "signals": "signals-glibc", "compute": "compute-glibc",
}

// glibcScenarios are variants of scenarios on glibc-built guests, named
// NAME-glibc: the same script, key lines and output, so the stub must
// handle glibc's start-up code, its TLS and IRELATIVE set-up and its
// signal frames under gdb as well as musl's.
func glibcScenarios() []scenario {
	names := []string{"break-next-step-finish", "print-and-set-var", "registers-stepi", "recursion-frames",
		"inferior-calls", "exit-code", "crash-sigsegv", "optimised-O2", "signal-handlers", "compute"}
	var out []scenario
	for _, name := range names {
		for _, sc := range scenarios {
			if sc.name == name {
				sc.name += "-glibc"
				sc.guest = glibcGuests[sc.guest]
				out = append(out, sc)
			}
		}
	}
	return out
}

func TestGDBTranscripts(t *testing.T) {
	needTools(t)
	for _, sc := range append(scenarios[:len(scenarios):len(scenarios)], glibcScenarios()...) {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			compareScenario(t, sc)
		})
	}
}

// compareScenario runs sc against gdbserver and the stub and compares
// the normalised transcripts and the program's output (shared by
// TestGDBTranscripts and TestGDBCommandTranscripts).
func compareScenario(t *testing.T, sc scenario) {
	if err := suite.guestErr[sc.guest]; err != nil {
		t.Fatalf("building guest %s: %v", sc.guest, err)
	}
	norm := newNormalizer()
	norm.extra = sc.rules
	if sc.pie {
		img, err := readPIE(suite.guests[sc.guest])
		if err != nil {
			t.Fatal(err)
		}
		norm.pie = img
	}

	// Run both sides at once; they are independent processes on
	// distinct ports.
	ref := make(chan *session, 1)
	go func() { ref <- runScenario(t, sc, "gdbserver") }()
	var got *session
	if suite.stubErr == nil {
		got = runScenario(t, sc, "stub")
	}
	want := <-ref
	wantNorm := norm.normalize(want.gdb)
	dumpSession(t, sc, want, wantNorm)
	if got != nil {
		dumpSession(t, sc, got, norm.normalize(got.gdb))
	}

	okRef := t.Run("gdbserver", func(t *testing.T) {
		if want.err != nil {
			t.Fatalf("%v\n%s", want.err, want.describe())
		}
		if want.serverKilled {
			t.Errorf("gdbserver did not exit within %v after the gdb session", exitGrace)
		}
		checkWant(t, sc, want, wantNorm)
		if t.Failed() {
			t.Logf("the scenario itself is wrong (gdbserver does not do what it expects):\n%s", want.describe())
		}
	})
	t.Run("stub", func(t *testing.T) {
		if suite.stubErr != nil {
			t.Fatalf("the stub could not be built: %v", suite.stubErr)
		}
		if got.err != nil {
			t.Fatalf("%v\n%s", got.err, got.describe())
		}
		if strings.Contains(got.serverLog, "panic:") || strings.Contains(got.serverLog, "fatal error:") {
			t.Errorf("the stub crashed:\n%s", tail(got.serverLog, 4096))
		}
		if strings.Contains(got.serverLog, "level=warning") || strings.Contains(got.serverLog, "level=error") {
			t.Logf("stub warnings:\n%s", tail(got.serverLog, 4096))
		}
		if got.serverKilled {
			t.Errorf("the stub did not exit within %v after the gdb session (gdbserver --once does)", exitGrace)
		}
		gotNorm := norm.normalize(got.gdb)
		checkWant(t, sc, got, gotNorm)
		if !okRef {
			t.Fatal("no reference transcript: the gdbserver run failed")
		}
		if d := unifiedDiff("gdbserver (normalised)", "redox-gdbstub (normalised)",
			keepLines(sc.only, wantNorm), keepLines(sc.only, gotNorm)); d != "" {
			t.Errorf("gdb transcripts differ:\n%s", d)
		}
		if !sc.stdio { // see the stdio-connection scenario
			if d := unifiedDiff("program output under gdbserver", "program output under redox-gdbstub",
				norm.normalize(want.program), norm.normalize(got.program)); d != "" {
				t.Errorf("program output differs:\n%s", d)
			}
		}
		if t.Failed() {
			t.Logf("stub session:\n%s", got.describe())
		}
	})
}

// dumpSession writes the raw and normalised transcripts of a session to
// $REDOX_GDBSTUB_E2E_DUMP/<scenario>.<server>.txt when that variable names
// a directory, for reading or diffing by hand.
func dumpSession(t *testing.T, sc scenario, s *session, normalised string) {
	dir := os.Getenv("REDOX_GDBSTUB_E2E_DUMP")
	if dir == "" {
		return
	}
	text := s.describe() + "---- normalised gdb transcript ----\n" + normalised
	if err := os.WriteFile(filepath.Join(dir, sc.name+"."+s.server+".txt"), []byte(text), 0o644); err != nil {
		t.Logf("dump: %v", err)
	}
}

// readPIE reads the layout of a static-PIE executable.
func readPIE(path string) (*pieImage, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading PIE guest: %w", err)
	}
	defer f.Close()
	if f.Type != elf.ET_DYN {
		return nil, fmt.Errorf("%s is %v, not a PIE", path, f.Type)
	}
	img := &pieImage{entry: f.Entry}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Vaddr+p.Memsz > img.span {
			img.span = p.Vaddr + p.Memsz
		}
	}
	return img, nil
}

// keepLines returns the lines of s that re matches (all of s if re is nil).
func keepLines(re *regexp.Regexp, s string) string {
	if re == nil {
		return s
	}
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if re.MatchString(l) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// TestHarnessDetectsDifferences makes sure the comparison is not vacuous:
// the same script against gdbserver running two different builds of a
// program (-O0 and -O2) must give a non-empty diff after normalisation.
func TestHarnessDetectsDifferences(t *testing.T) {
	needTools(t)
	sc := scenario{name: "self-test", guest: "basic", file: true, cmds: []string{"break add", "continue", "bt"}}
	a := runScenario(t, sc, "gdbserver")
	sc.guest = "basic-O2"
	b := runScenario(t, sc, "gdbserver")
	if a.err != nil || b.err != nil {
		t.Fatalf("sessions failed: %v / %v", a.err, b.err)
	}
	n := newNormalizer()
	d := unifiedDiff("O0", "O2", n.normalize(a.gdb), n.normalize(b.gdb))
	if !strings.Contains(d, "-Breakpoint 1, add (x=0, y=7)") || !strings.Contains(d, "+Breakpoint 1, add (x=x@entry=0, y=7)") {
		t.Errorf("the diff of an -O0 and an -O2 session does not show the different stop:\n%s", d)
	}
}
