package tests

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A rule rewrites or drops one kind of text that legitimately differs
// between a gdb session against gdbserver (a native Linux process) and one
// against redox-gdbstub (an emulated process). Every rule says why the
// difference is legitimate; a rule must never hide a real difference such
// as a wrong value, line number, register or signal.
type rule struct {
	name string
	why  string
	re   *regexp.Regexp
	// drop removes every line the pattern matches.
	drop bool
	// repl is the replacement (regexp.Expand syntax) when drop is false
	// and replFunc is nil.
	repl string
	// replFunc, when set, computes the replacement of each match.
	replFunc func(string) string
}

// stackLow and stackHigh bound the addresses treated as stack addresses:
// the top 64 GiB of the lower canonical half, where Linux places the main
// thread's stack (0x7ff...), and where the stub places the emulated one.
const (
	stackLow  = 0x7ff000000000
	stackHigh = 0x800000000000
)

var rules = []rule{
	{
		name: "file-transfer",
		why: "gdb prints 'Reading FILE from remote target...' for every file it tries to fetch " +
			"over vFile (the executable, then build-id debug files that exist on neither side); " +
			"which optional look-ups gdb makes depends on each server's vFile replies, not on " +
			"debugging correctness. Scenarios that need the executable served assert " +
			"'Reading symbols from target:' directly.",
		re:   regexp.MustCompile(`(?m)^Reading \S+ from remote target\.\.\.\n`),
		drop: true,
	},
	{
		name: "file-transfer-warning",
		why: "printed once by gdb before its first vFile transfer; it is advice about speed, " +
			"and appears or not for the same reason as the file-transfer lines.",
		re:   regexp.MustCompile(`(?m)^warning: File transfers from remote targets can be slow\. Use "set sysroot" to access files locally instead\.\n`),
		drop: true,
	},
	{
		name: "process-id",
		why: "the emulated process has the stub's own pid, the native one a host pid; " +
			"gdb shows them in 'process N' and 'Thread N.M' / 'LWP N'.",
		re:   regexp.MustCompile(`\bprocess \d+\b`),
		repl: "process PID",
	},
	{
		name: "thread-id",
		why:  "thread ids are host or stub pids/tids (see process-id).",
		re:   regexp.MustCompile(`\bThread \d+\.\d+\b`),
		repl: "Thread PID.TID",
	},
	{
		name: "lwp-id",
		why:  "LWP numbers are host or stub tids (see process-id).",
		re:   regexp.MustCompile(`\bLWP \d+\b`),
		repl: "LWP TID",
	},
}

// initialSPRE finds the line the harness has gdb print right after
// connecting (see gdbArgsFor): the stack pointer at the program's entry.
var initialSPRE = regexp.MustCompile(`(?m)^initial sp: 0x([0-9a-f]+)$`)

var (
	stackHexRE = regexp.MustCompile(`\b0x(?:0000)?7ff[0-9a-f]{9}\b`)
	stackDecRE = regexp.MustCompile(`\b14\d{13}\b`)
)

// stackAddress rewrites one stack address v.
//
// Why legitimate: the initial stack pointer depends on the environment,
// the auxv and the kernel's (or the emulator's) stack placement. Below it,
// though, the stack holds only frames made by the same code, so an address
// there is rewritten as its exact distance from the initial stack pointer
// (sp0), which must be equal on both sides. Above sp0 lie argv, envp, auxv
// and the strings, whose layout legitimately differs; there (or when sp0
// is unknown) only the region and the low 4 bits (alignment, which the ABI
// fixes) are kept.
func stackAddress(v, sp0 uint64) string {
	if sp0 != 0 && v <= sp0 {
		return fmt.Sprintf("<sp0-0x%x>", sp0-v)
	}
	return fmt.Sprintf("<stack+%x(mod16)>", v&0xf)
}

// rewriteStack applies stackAddress to hexadecimal and to decimal stack
// addresses ('info registers' prints a register's natural value, decimal
// for most, next to the hex one).
func rewriteStack(s string) string {
	var sp0 uint64
	if m := initialSPRE.FindStringSubmatch(s); m != nil {
		sp0, _ = strconv.ParseUint(m[1], 16, 64)
	}
	s = stackHexRE.ReplaceAllStringFunc(s, func(h string) string {
		v, err := strconv.ParseUint(h[2:], 16, 64)
		if err != nil {
			return h
		}
		return stackAddress(v, sp0)
	})
	return stackDecRE.ReplaceAllStringFunc(s, func(d string) string {
		v, err := strconv.ParseUint(d, 10, 64)
		if err != nil || v < stackLow || v >= stackHigh {
			return d
		}
		return stackAddress(v, sp0)
	})
}

// A normalizer applies the path replacements and then the rules.
type normalizer struct {
	// extra rules, applied after the common ones (per scenario).
	extra []rule
	// paths maps a directory (e.g. the temporary build directory) to the
	// placeholder that stands for it. The directories are chosen by the
	// test run, identical on both sides, and vary from run to run.
	paths []pathSubst
	// pie describes a position-independent program, whose load base is
	// legitimately chosen differently by Linux and by the stub; when set,
	// addresses inside the image are rewritten relative to the base.
	pie *pieImage
}

// A pieImage is a static-PIE executable's layout.
type pieImage struct {
	entry uint64 // e_entry: offset of _start from the load base
	span  uint64 // end of the highest PT_LOAD segment, from the base
}

var (
	startStopRE = regexp.MustCompile(`(?m)^0x([0-9a-f]{16}) in _start \(\)$`)
	hexRE       = regexp.MustCompile(`\b0x[0-9a-f]+\b`)
)

// rebase rewrites the addresses of a PIE image as <pie>+0xOFFSET. The load
// base is found from the first stop, at _start, which gdb prints right
// after connecting: base = pc - e_entry. Why legitimate: Linux puts a
// static PIE at an address of its choosing (the mmap area), the stub at
// another; what matters is that every address has the same offset.
func (p *pieImage) rebase(s string) string {
	m := startStopRE.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	pc, err := strconv.ParseUint(m[1], 16, 64)
	if err != nil || pc < p.entry {
		return s
	}
	base := pc - p.entry
	return hexRE.ReplaceAllStringFunc(s, func(h string) string {
		v, err := strconv.ParseUint(h[2:], 16, 64)
		if err != nil || v < base || v >= base+p.span {
			return h
		}
		return fmt.Sprintf("<pie>+0x%x", v-base)
	})
}

type pathSubst struct{ dir, name string }

// normalize returns the transcript with every rule applied, with CRLF
// turned into LF and trailing blanks removed from each line.
func (n normalizer) normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if n.pie != nil {
		s = n.pie.rebase(s)
	}
	for _, p := range n.paths {
		if p.dir != "" {
			s = strings.ReplaceAll(s, p.dir, p.name)
		}
	}
	s = rewriteStack(s)
	for _, r := range append(rules[:len(rules):len(rules)], n.extra...) {
		switch {
		case r.drop:
			s = r.re.ReplaceAllString(s, "")
		case r.replFunc != nil:
			s = r.re.ReplaceAllStringFunc(s, r.replFunc)
		default:
			s = r.re.ReplaceAllString(s, r.repl)
		}
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}
