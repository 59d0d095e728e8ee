package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestStraceQuoteString(t *testing.T) {
	for _, tt := range []struct {
		in   string
		more bool
		want string
	}{
		{"", false, `""`},
		{"abc", false, `"abc"`},
		{"abc", true, `"abc"...`},
		{"a\x00b\x01\n\t\"\\\x7f\xff12", false, `"a\0b\1\n\t\"\\\177\37712"`},
		{"\x00\x31", false, `"\0001"`}, // octal digit follows: three digits
		{"\x00\x38", false, `"\08"`},   // 8 is not octal
		{"\r\v\f", false, `"\r\v\f"`},
	} {
		if got := quoteString([]byte(tt.in), tt.more); got != tt.want {
			t.Errorf("quoteString(%q, %v) = %s, want %s", tt.in, tt.more, got, tt.want)
		}
	}
}

func TestStraceDecoders(t *testing.T) {
	stat := make([]byte, statSize)
	binary.LittleEndian.PutUint32(stat[24:], 0o100644)
	binary.LittleEndian.PutUint64(stat[48:], 57)
	chr := make([]byte, statSize)
	binary.LittleEndian.PutUint32(chr[24:], 0o20620)
	binary.LittleEndian.PutUint64(chr[40:], 0x8801) // makedev(0x88, 1)
	ts := make([]byte, 16)
	binary.LittleEndian.PutUint64(ts, 12)
	binary.LittleEndian.PutUint64(ts[8:], 345)
	sigact := make([]byte, 32)
	binary.LittleEndian.PutUint64(sigact, 0x401000)
	binary.LittleEndian.PutUint64(sigact[8:], 0x14000000)
	binary.LittleEndian.PutUint64(sigact[16:], 0x402000)
	binary.LittleEndian.PutUint64(sigact[24:], 2)
	epollEvents := make([]byte, 2*epollEventSize) // packed {u32 events; u64 data}
	binary.LittleEndian.PutUint32(epollEvents, 0x80000001)
	binary.LittleEndian.PutUint64(epollEvents[4:], 6)
	binary.LittleEndian.PutUint32(epollEvents[12:], 0x2004)
	binary.LittleEndian.PutUint64(epollEvents[16:], 1<<32|1)
	siginfo := make([]byte, 32)
	binary.LittleEndian.PutUint32(siginfo, 10)
	binary.LittleEndian.PutUint32(siginfo[8:], uint32(0xfffffffa)) // SI_TKILL (-6)
	binary.LittleEndian.PutUint32(siginfo[16:], 42)
	binary.LittleEndian.PutUint32(siginfo[20:], 1000)
	uts := make([]byte, utsSize)
	copy(uts, "Linux")
	copy(uts[65:], "box")
	for _, tt := range []struct{ got, want string }{
		{openFlags(0), "O_RDONLY"},
		{openFlags(0o2100000), "O_RDONLY|O_LARGEFILE|O_CLOEXEC"},
		{openFlags(0o1101), "O_WRONLY|O_CREAT|O_TRUNC"},
		{openFlags(2 | 0x80000000), "O_RDWR|0x80000000"},
		{bitNames(0, protNames, "PROT_NONE"), "PROT_NONE"},
		{bitNames(5, protNames, "PROT_NONE"), "PROT_READ|PROT_EXEC"},
		{mapFlags(0x22), "MAP_PRIVATE|MAP_ANONYMOUS"},
		{mapFlags(0x812), "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE"},
		{bitNames(0, accessNames, "F_OK"), "F_OK"},
		{bitNames(6, accessNames, "F_OK"), "R_OK|W_OK"},
		{bitNames(0x1000, atFlagNames, "0"), "AT_EMPTY_PATH"},
		{formatResult(2, -2), "-1 ENOENT (No such file or directory)"},
		{formatResult(16, -25), "-1 ENOTTY (Inappropriate ioctl for device)"},
		{formatResult(0, 57), "57"},
		{formatResult(9, 0x7f0000001000), "0x7f0000001000"},
		{formatResult(12, 0x405000), "0x405000"},
		{formatResult(231, 0), "?"},
		{formatResult(9, -12), "-1 ENOMEM (Cannot allocate memory)"},
		{signalName(11), "SIGSEGV"},
		{signalName(32), "SIGRTMIN"},
		{signalName(34), "SIGRT_2"},
		{formatSigset([]byte{0, 2, 0, 0, 0, 0, 0, 0}), "[USR1]"},
		{formatSigset([]byte{0, 0, 0, 0, 0, 0, 0, 0}), "[]"},
		{formatSigset([]byte{0, 0x42, 0, 0, 0, 0, 0, 0}), "[USR1 TERM]"},
		{formatSigset([]byte{0xff, 0xff, 0xff, 0x7f, 0xfc, 0xff, 0xff, 0xff}), "~[RTMIN RT_1 RT_2]"},
		{formatSigaction(sigact), "{sa_handler=0x401000, sa_mask=[INT], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x402000}"},
		{formatSigaction(make([]byte, 32)), "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}"},
		{sigCodeName(11, 1), "SEGV_MAPERR"},
		{sigCodeName(11, 2), "SEGV_ACCERR"},
		{sigCodeName(10, 0), "SI_USER"},
		{sigCodeName(10, -6), "SI_TKILL"},
		{sigCodeName(5, 0x80), "SI_KERNEL"},
		{waitStatus(3 << 8), "{WIFEXITED(s) && WEXITSTATUS(s) == 3}"},
		{waitStatus(0x8b), "{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}"},
		{formatStat(stat), "{st_mode=S_IFREG|0644, st_size=57, ...}"},
		{formatStat(chr), "{st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0x1), ...}"},
		{formatTimespec(ts), "{tv_sec=12, tv_nsec=345}"},
		{formatUname(uts), `{sysname="Linux", nodename="box", ...}`},
		{fcntlArgs(2, 1)[1], "FD_CLOEXEC"},
		{strings.Join(futexArgs(0x81, 1, 0), ", "), "FUTEX_WAKE_PRIVATE, 1"},
		{strings.Join(futexArgs(0x80, 2, 0), ", "), "FUTEX_WAIT_PRIVATE, 2, NULL"},
		{syscallName(0), "read"},
		{syscallName(231), "exit_group"},
		{syscallName(334), "rseq"},
		{syscallName(435), "clone3"},
		{syscallName(400), "syscall_0x190"},
		{bitNames(1, mremapNames, "0"), "MREMAP_MAYMOVE"},
		{bitNames(0x1c000004, saFlagNames, "0"), "SA_RESTORER|SA_ONSTACK|SA_RESTART|SA_SIGINFO"}, // strace's order
		{bitNames(0, pipeFlagNames, "0"), "0"},
		{bitNames(0x80800, pipeFlagNames, "0"), "O_NONBLOCK|O_CLOEXEC"},
		{enumName(8, madviseNames), "MADV_FREE"},
		{bitNames(0x80800, efdNames, "0"), "EFD_CLOEXEC|EFD_NONBLOCK"},
		{formatEpollEvents(epollEvents), "{events=EPOLLIN|EPOLLET, data={u32=6, u64=6}}, {events=EPOLLOUT|EPOLLRDHUP, data={u32=1, u64=4294967297}}"},
		{formatSiginfo(siginfo), "{si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=42, si_uid=1000}"},
		{padResult("close(3)", "0"), "close(3)                                = 0"},
		{padResult(strings.Repeat("x", 45), "0"), strings.Repeat("x", 45) + " = 0"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
	if n, ok := syscallNumbers["openat"]; !ok || n != 257 {
		t.Errorf("syscallNumbers[openat] = %d, %v", n, ok)
	}
}

func TestParseStraceArgs(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		wantErr string
		check   func(straceOptions) bool
	}{
		{[]string{"prog", "-f"}, "", func(o straceOptions) bool {
			return o.prog == "prog" && len(o.args) == 1 && o.args[0] == "-f" && !o.follow
		}},
		{[]string{"-f", "-k", "-o", "out", "prog"}, "", func(o straceOptions) bool {
			return o.follow && o.stack && o.out == "out" && o.trace == nil
		}},
		{[]string{"-e", "trace=open,read", "prog"}, "", func(o straceOptions) bool {
			return len(o.trace) == 2 && o.trace["open"] && o.trace["read"]
		}},
		{[]string{"-e", "write", "prog"}, "", func(o straceOptions) bool { return o.trace["write"] }},
		{[]string{"-e", "trace=all", "prog"}, "", func(o straceOptions) bool { return o.trace == nil }},
		{[]string{"-e", "inject=getpid:retval=42", "prog"}, "", func(o straceOptions) bool { return o.inject["getpid"] == 42 }},
		{[]string{"-e", "inject=open,openat:error=ENOENT", "prog"}, "", func(o straceOptions) bool {
			return o.inject["open"] == -2 && o.inject["openat"] == -2
		}},
		{[]string{"-e", "trace=nosuchcall", "prog"}, "invalid system call", nil},
		{[]string{"-e", "signal=none", "prog"}, "only trace= and inject=", nil},
		{[]string{"-e", "inject=getpid", "prog"}, "missing :retval", nil},
		{[]string{"-e", "inject=getpid:error=EWHAT", "prog"}, "unknown error", nil},
		{[]string{"-f"}, "missing PROG", nil},
		{[]string{"-x", "prog"}, "not defined", nil},
	} {
		var stderr bytes.Buffer
		o, err := parseStraceArgs(tt.args, &stderr)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err = %v, want %q", tt.args, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("%q: %v", tt.args, err)
		case !tt.check(o):
			t.Errorf("%q: options %+v", tt.args, o)
		}
	}
}

// Guests of the differential corpus.
var straceGuests = map[string]string{
	"hello": `#include <stdio.h>
int main(void) { puts("hello"); return 0; }
`,
	"files": `#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
int main(int argc, char **argv) {
	char buf[4096];
	struct stat st;
	int fd = open("/nonexistent/file", O_RDONLY);
	if (fd < 0) perror("open");
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	fstat(fd, &st);
	ssize_t n = read(fd, buf, sizeof buf);
	printf("read %zd\n", n);
	fflush(stdout);
	read(fd, buf, sizeof buf);
	lseek(fd, 4, SEEK_SET);
	n = pread(fd, buf, 3, 0);
	close(fd);
	return 0;
}
`,
	"segv": `#include <stdio.h>
int main(void) { puts("before"); fflush(stdout); *(volatile int *)0 = 1; return 0; }
`,
	"misc": `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/utsname.h>
int main(void) {
	struct utsname u;
	struct timespec ts = {0, 1000};
	char cwd[256];
	int ok = getpid() > 0 && getuid() == geteuid();
	uname(&u);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	nanosleep(&(struct timespec){0, 1000}, NULL);
	getcwd(cwd, sizeof cwd);
	access("/nonexistent", F_OK);
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 1;
	munmap(p, 8192);
	printf("%d %s\n", ok, u.sysname);
	return 0;
}
`,
	"deep": `#include <unistd.h>
__attribute__((noinline)) void leaf(int n) { write(1, "x\n", 2 + 0 * n); }
__attribute__((noinline)) void mid(int n) { leaf(n); leaf(n + 1); }
int main(void) { mid(1); return 0; }
`,
	"handler": `#include <signal.h>
#include <unistd.h>
void on_usr1(int sig) { (void)sig; write(1, "usr1\n", 5); }
int main(void) {
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR1);
	raise(SIGUSR2);
	raise(SIGTERM);
	return 7;
}
`,
	"getpid": `#include <stdio.h>
#include <unistd.h>
int main(void) { printf("pid %d\n", (int)getpid()); return 0; }
`,
}

// straceBuild compiles a corpus guest with musl-gcc -static.
func straceBuild(t *testing.T, dir, name string, flags ...string) string {
	t.Helper()
	cc := testenv.Tool(t, "musl-gcc")
	src := filepath.Join(dir, name+".c")
	if err := os.WriteFile(src, []byte(straceGuests[name]), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, name)
	if len(flags) == 0 {
		flags = []string{"-O2"}
	}
	args := append(append([]string{"-static"}, flags...), "-o", bin, src)
	if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		t.Fatalf("musl-gcc %s: %v\n%s", name, err, out)
	}
	return bin
}

// ourStrace runs the strace subcommand in-process with the trace in a file.
func ourStrace(t *testing.T, flags []string, bin string, args ...string) (trace, stdout string, code int) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "trace")
	var so, se bytes.Buffer
	argv := append(append(append([]string{"strace"}, flags...), "-o", out, bin), args...)
	code = run(argv, strings.NewReader(""), &so, &se)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("%v: no trace: %v (stderr %q)", argv, err, se.String())
	}
	return string(b), so.String(), code
}

// nativeStrace runs the host's strace on the same binary; it skips when
// strace is missing or ptrace is not permitted (containers), except in CI.
func nativeStrace(t *testing.T, bin string, args ...string) string {
	t.Helper()
	st := testenv.Tool(t, "strace")
	out := filepath.Join(t.TempDir(), "native")
	cmd := exec.Command(st, append([]string{"-o", out, bin}, args...)...)
	var se bytes.Buffer
	cmd.Stderr = &se
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("strace: %v", err)
	}
	b, rerr := os.ReadFile(out)
	if rerr != nil || len(b) == 0 || strings.Contains(se.String(), "ptrace(PTRACE_TRACEME") {
		testenv.Missing(t, "a native strace that can trace", fmt.Errorf("%v %s", rerr, se.String()))
	}
	return string(b)
}

var (
	pidPrefix = regexp.MustCompile(`^\[pid +\d+\] `)
	hexAddr   = regexp.MustCompile(`0x[0-9a-f]+`)
	padding   = regexp.MustCompile(` +=( |$)`)
	pidResult = regexp.MustCompile(`^((?:set_tid_address|getpid|gettid)\(.*\) = )\d+$`)
	siPid     = regexp.MustCompile(`si_pid=\d+`)
	siUID     = regexp.MustCompile(`si_uid=\d+`)
	// The pid is the result of musl's set_tid_address at start-up.
	tidAddress = regexp.MustCompile(`(?m)set_tid_address\(.*\) += (\d+)$`)
	nodename   = regexp.MustCompile(`nodename="[^"]*"`)
	// Calls musl makes through the vDSO natively: target has no vDSO, so
	// they are real syscalls under emulation.
	vdsoCall = regexp.MustCompile(`^(clock_gettime|clock_getres|gettimeofday|time|getcpu)\(`)
)

// normaliseTrace makes a native and an emulated trace comparable (see
// docs/ptrace-rsp.md, "strace compared with Linux strace"): [pid N]
// prefixes dropped, addresses replaced by 0x?, the column padding before
// "=" collapsed, pids (set_tid_address/getpid/gettid results, si_pid)
// replaced by PID (every occurrence of the number set_tid_address
// returned, and si_pid), si_uid by UID, uname's nodename (the emulator reports its own)
// replaced by HOST, vDSO calls (clock_gettime, gettimeofday, time,
// getcpu: no syscall natively) dropped, and " (core dumped)" dropped (it depends on the host's
// core size limit).
func normaliseTrace(s string) []string {
	var out []string
	var pid *regexp.Regexp
	if m := tidAddress.FindStringSubmatch(s); m != nil {
		pid = regexp.MustCompile(`\b` + m[1] + `\b`)
	}
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		l = pidPrefix.ReplaceAllString(l, "")
		if pid != nil {
			l = pid.ReplaceAllString(l, "PID")
		}
		l = siUID.ReplaceAllString(l, "si_uid=UID")
		l = hexAddr.ReplaceAllString(l, "0x?")
		l = padding.ReplaceAllString(l, " =$1")
		l = pidResult.ReplaceAllString(l, "${1}PID")
		l = siPid.ReplaceAllString(l, "si_pid=PID")
		l = nodename.ReplaceAllString(l, `nodename="HOST"`)
		if vdsoCall.MatchString(l) {
			continue
		}
		l = strings.Replace(l, " (core dumped) +++", " +++", 1)
		out = append(out, l)
	}
	return out
}

// TestStraceMatchesNative runs each corpus program under the host's strace
// and under ours, in both modes, and compares the normalised traces line
// by line: syscall names, decoded arguments and results.
func TestStraceMatchesNative(t *testing.T) {
	dir := t.TempDir()
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data.txt")
	if err := os.WriteFile(data, []byte("abc\x00def\nline two with more than thirty-two bytes of text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		args     []string
		wantCode int
		contains []string // lines the trace must have, after normalisation
	}{
		{"hello", nil, 0, []string{
			`writev(1, [{iov_base="hello", iov_len=5}, {iov_base="\n", iov_len=1}], 2) = 6`,
			"exit_group(0) = ?", "+++ exited with 0 +++"}},
		{"files", []string{data}, 0, []string{
			`open("/nonexistent/file", O_RDONLY|O_LARGEFILE) = -1 ENOENT (No such file or directory)`,
			`open("` + data + `", O_RDONLY|O_LARGEFILE|O_CLOEXEC) = 3`,
			`fstat(3, {st_mode=S_IFREG|0644, st_size=57, ...}) = 0`,
			`read(3, "abc\0def\nline two with more than "..., 4096) = 57`,
			`read(3, "", 4096) = 0`,
			`lseek(3, 4, SEEK_SET) = 4`,
			`pread64(3, "abc", 3, 0) = 3`,
			`close(3) = 0`}},
		{"segv", nil, 128 + 11, []string{
			`--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---`,
			"+++ killed by SIGSEGV +++"}},
		{"handler", nil, 128 + 15, []string{
			"rt_sigaction(SIGUSR1, {sa_handler=0x?, sa_mask=[], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x?}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0",
			"rt_sigprocmask(SIG_BLOCK, ~[RTMIN RT_1 RT_2], [], 8) = 0",
			"tkill(PID, SIGUSR1) = 0",
			"--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=PID, si_uid=UID} ---",
			"rt_sigreturn({mask=[]}) = 0",
			"+++ killed by SIGTERM +++"}},
		{"misc", nil, 0, []string{"getpid() = PID",
			"nanosleep({tv_sec=0, tv_nsec=1000}, NULL) = 0",
			"access(\"/nonexistent\", F_OK) = -1 ENOENT (No such file or directory)",
			"mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x?",
			"munmap(0x?, 8192) = 0", `getcwd("` + cwd + `", 256) = ` + strconv.Itoa(len(cwd)+1)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bin := straceBuild(t, dir, tt.name)
			native := normaliseTrace(nativeStrace(t, bin, tt.args...))
			for _, mode := range [][]string{nil, {"-f"}} {
				trace, _, code := ourStrace(t, mode, bin, tt.args...)
				if code != tt.wantCode {
					t.Errorf("%v: exit status %d, want %d", mode, code, tt.wantCode)
				}
				if mode != nil {
					for _, l := range strings.Split(strings.TrimRight(trace, "\n"), "\n") {
						if !pidPrefix.MatchString(l) {
							t.Errorf("-f line without [pid N]: %q", l)
						}
					}
				}
				ours := normaliseTrace(trace)
				if strings.Join(ours, "\n") != strings.Join(native, "\n") {
					t.Errorf("%v: trace differs from native strace\n--- ours\n%s\n--- native\n%s",
						mode, strings.Join(ours, "\n"), strings.Join(native, "\n"))
				}
				for _, want := range tt.contains {
					found := false
					for _, l := range ours {
						found = found || l == want
					}
					if !found {
						t.Errorf("%v: no line %q in\n%s", mode, want, strings.Join(ours, "\n"))
					}
				}
			}
		})
	}
}

// TestStraceInjectSysemu: the tracer answers getpid itself through sysemu
// (FlagIgnore after the PRE_SYSCALL stop, RAX set by the tracer), and the
// program prints the chosen value.
func TestStraceInjectSysemu(t *testing.T) {
	bin := straceBuild(t, t.TempDir(), "getpid")
	for _, tt := range []struct {
		inject, wantOut, wantLine string
	}{
		{"getpid:retval=4242", "pid 4242\n", "getpid() = 4242 (INJECTED)"},
		{"getpid:error=EPERM", "pid -1\n", "getpid() = -1 EPERM (Operation not permitted) (INJECTED)"},
	} {
		for _, mode := range []string{"", "-f"} {
			flags := []string{"-e", "inject=" + tt.inject, "-e", "trace=getpid"}
			if mode != "" {
				flags = append(flags, mode)
			}
			trace, out, code := ourStrace(t, flags, bin)
			if out != tt.wantOut || code != 0 {
				t.Errorf("%s %s: output %q status %d, want %q 0", tt.inject, mode, out, code, tt.wantOut)
			}
			lines := normaliseTrace(trace)
			if want := []string{tt.wantLine, "+++ exited with 0 +++"}; strings.Join(lines, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s %s: trace %q, want %q", tt.inject, mode, lines, want)
			}
		}
	}
}

// TestStraceFilter: -e trace= keeps only the named calls (signals and the
// exit line always show).
func TestStraceFilter(t *testing.T) {
	dir := t.TempDir()
	bin := straceBuild(t, dir, "files")
	trace, _, _ := ourStrace(t, []string{"-e", "trace=open,close"}, bin, bin)
	lines := normaliseTrace(trace)
	want := []string{
		`open("/nonexistent/file", O_RDONLY|O_LARGEFILE) = -1 ENOENT (No such file or directory)`,
		`open("` + bin + `", O_RDONLY|O_LARGEFILE|O_CLOEXEC) = 3`,
		"close(3) = 0",
		"+++ exited with 0 +++",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("trace\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestStraceStack: -k prints the call stack, unwound through libc (no
// unwind tables: stack scan) into the program's functions with their
// source lines.
func TestStraceStack(t *testing.T) {
	dir := t.TempDir()
	bin := straceBuild(t, dir, "deep", "-O1", "-g")
	for _, mode := range [][]string{{"-k"}, {"-k", "-f"}} {
		trace, out, code := ourStrace(t, append(mode, "-e", "trace=write"), bin)
		if out != "x\nx\n" || code != 0 {
			t.Fatalf("%v: output %q status %d", mode, out, code)
		}
		var frames []string
		for _, l := range normaliseTrace(trace) {
			if f, ok := strings.CutPrefix(l, " > "+bin+"("); ok {
				fn, _, _ := strings.Cut(f, "+")
				src := ""
				if i := strings.LastIndex(f, " "); i >= 0 && strings.Contains(f[i:], ".c:") {
					src = filepath.Base(f[i+1:])
				}
				frames = append(frames, strings.TrimSpace(fn+" "+src))
			} else if strings.HasPrefix(l, "write(") {
				frames = append(frames, "write")
			}
		}
		got := strings.Join(frames, "|")
		// Each write: the libc frames (names only), then leaf, mid, main
		// with their lines.
		for _, want := range []string{"leaf deep.c:2|mid deep.c:3|main deep.c:4", "write|"} {
			if strings.Count(got, want) != 2 {
				t.Errorf("%v: frames %s, want %q twice", mode, got, want)
			}
		}
	}
}

func TestStraceStubErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"strace", "/nonexistent/prog"}, exitNotFound},
		{[]string{"strace", "/etc/passwd"}, exitCannotLoad},
		{[]string{"strace", "-e", "trace=bogus", "x"}, exitRunUsage},
		{[]string{"strace", "-h"}, 0},
	} {
		var so, se bytes.Buffer
		if code := run(tt.args, strings.NewReader(""), &so, &se); code != tt.code {
			t.Errorf("%q: status %d, want %d (stderr %q)", tt.args, code, tt.code, se.String())
		}
	}
}

// FuzzParseStraceArgs: no command line makes the parser panic, and an
// accepted one always names a program.
func FuzzParseStraceArgs(f *testing.F) {
	for _, seed := range []string{"-f prog", "-e trace=open,read -o x prog a b", "-e inject=getpid:retval=1 p",
		"-e inject=read:error=EIO p", "-e", "-e inject=:: p", "-k -f"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		o, err := parseStraceArgs(strings.Fields(line), &bytes.Buffer{})
		if err == nil && o.prog == "" {
			t.Errorf("%q accepted without PROG", line)
		}
	})
}

// FuzzQuoteString: the escaped form is printable ASCII between quotes.
func FuzzQuoteString(f *testing.F) {
	for _, seed := range []string{"", "abc", "a\x00\x01\n\"\\\xff9"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		q := quoteString(b, false)
		if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
			t.Fatalf("quoteString(%q) = %s", b, q)
		}
		for _, c := range []byte(q) {
			if c < 0x20 || c >= 0x7f {
				t.Fatalf("quoteString(%q) = %q has byte %#x", b, q, c)
			}
		}
		if u, err := strconv.Unquote(q); err == nil && u != string(b) && !bytes.ContainsAny(b, "\v\f") {
			// strace's escapes are C's, which Go's Unquote reads the same
			// way for these bytes (octal included).
			t.Fatalf("Unquote(%s) = %q, want %q", q, u, b)
		}
	})
}

// TestStraceThreads: with -f, a thread's calls carry its own [pid TID],
// clone is decoded, and the thread's exit is reported when it is gone.
func TestStraceThreads(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "thr.c")
	os.WriteFile(src, []byte(`#include <pthread.h>
#include <unistd.h>
void *f(void *a) { write(1, "thread\n", 7); return a; }
int main(void) { pthread_t t; pthread_create(&t, 0, f, 0); pthread_join(t, 0); write(1, "main\n", 5); return 0; }
`), 0o644)
	cc := testenv.Tool(t, "musl-gcc")
	bin := filepath.Join(dir, "thr")
	if out, err := exec.Command(cc, "-static", "-O2", "-pthread", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	trace, out, code := ourStrace(t, []string{"-f"}, bin)
	if out != "thread\nmain\n" || code != 0 {
		t.Fatalf("output %q status %d", out, code)
	}
	line := regexp.MustCompile(`^\[pid (\d+)\] (.*?)(?: +=( .*))?$`)
	tidOf := map[string]string{}
	for _, l := range strings.Split(strings.TrimRight(trace, "\n"), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %q", l)
		}
		key := m[2] + m[3]
		switch {
		case strings.HasPrefix(m[2], "clone(child_stack=0x"):
			if !strings.Contains(m[2], "flags=CLONE_VM|") || !strings.Contains(m[2], "|CLONE_THREAD|") {
				t.Errorf("clone flags not decoded: %q", l)
			}
			tidOf["clone"] = m[1]
			tidOf["clone result"] = strings.TrimSpace(m[3])
		case key == `write(1, "thread\n", 7) 7`, key == `write(1, "main\n", 5) 5`,
			key == "exit(0) ?", key == "exit_group(0) ?":
			if _, seen := tidOf[key]; seen {
				t.Errorf("%s twice", key)
			}
			tidOf[key] = m[1]
		}
	}
	main, thread := tidOf["clone"], tidOf["clone result"]
	if main == "" || thread == "" || main == thread {
		t.Fatalf("clone by %q returned %q\n%s", main, thread, trace)
	}
	for key, want := range map[string]string{
		`write(1, "thread\n", 7) 7`: thread, "exit(0) ?": thread,
		`write(1, "main\n", 5) 5`: main, "exit_group(0) ?": main,
	} {
		if tidOf[key] != want {
			t.Errorf("%s by [pid %s], want [pid %s]\n%s", key, tidOf[key], want, trace)
		}
	}
	if !strings.Contains(trace, "[pid "+thread+"] +++ exited with 0 +++\n") ||
		!strings.HasSuffix(trace, "[pid "+main+"] +++ exited with 0 +++\n") {
		t.Errorf("exit lines missing\n%s", trace)
	}
}

// followCalls reduces a trace to, per process role, the sequence of
// syscall names with their results ("name = result") and the "+++" lines.
// re captures the pid and the rest of a line. Roles: "root" (the pid of
// the first line) and "child" (any other pid); pid numbers in results are
// replaced by ROOT and CHILD. A call split by another process into
// "<unfinished ...>" and "<... NAME resumed>" is counted once, at its
// resumption. Addresses in results become 0x?. Signal lines are left
// out (see docs/ptrace-rsp.md for where SIGCHLD lands).
func followCalls(t *testing.T, trace string, re *regexp.Regexp) map[string][]string {
	t.Helper()
	call := regexp.MustCompile(`^([a-z_0-9]+)\(.*\) += (.*)$`)
	resumed := regexp.MustCompile(`^<\.\.\. ([a-z_0-9]+) resumed>.*\) += (.*)$`)
	out := map[string][]string{}
	lines := strings.Split(strings.TrimRight(trace, "\n"), "\n")
	root := ""
	var pids []string
	for _, l := range lines {
		m := re.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %q has no pid", l)
		}
		if root == "" {
			root = m[1]
		} else if m[1] != root && !slices.Contains(pids, m[1]) {
			pids = append(pids, m[1])
		}
	}
	for _, l := range lines {
		m := re.FindStringSubmatch(l)
		pid, rest := m[1], m[2]
		role := "child"
		if pid == root {
			role = "root"
		}
		var name, res string
		if c := call.FindStringSubmatch(rest); c != nil {
			name, res = c[1], c[2]
		} else if c := resumed.FindStringSubmatch(rest); c != nil {
			name, res = c[1], c[2]
		} else if strings.HasPrefix(rest, "+++") {
			out[role] = append(out[role], rest)
			continue
		} else {
			continue // a signal, or an unfinished call
		}
		res = strings.ReplaceAll(res, root, "ROOT")
		for _, p := range pids {
			res = strings.ReplaceAll(res, p, "CHILD")
		}
		if name == "set_tid_address" || name == "gettid" || name == "getpid" {
			res = "PID"
		}
		res = hexAddr.ReplaceAllString(res, "0x?") // mmap's address
		out[role] = append(out[role], name+" = "+res)
	}
	return out
}

// TestStraceFollowFork: with -f, the child that EVENT_CLONE reports is
// attached to (its own session, lines prefixed with its pid): its
// syscalls and its exit are traced, and the parent's and the child's
// syscalls and results each match native strace -f one for one. The
// parent's SIGCHLD line is compared whole (pids normalised).
func TestStraceFollowFork(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "forkpipe.c")
	os.WriteFile(src, []byte(`#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
	int fds[2]; pipe(fds);
	pid_t pid = fork();
	if (pid == 0) { close(fds[0]); write(fds[1], "hi", 2); _exit(3); }
	close(fds[1]);
	char buf[8]; ssize_t n = read(fds[0], buf, sizeof buf);
	int st; waitpid(pid, &st, 0);
	printf("read %d, child code %d\n", (int)n, WEXITSTATUS(st));
	return 0;
}
`), 0o644)
	cc := testenv.Tool(t, "musl-gcc")
	bin := filepath.Join(dir, "forkpipe")
	if out, err := exec.Command(cc, "-static", "-O2", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	trace, out, code := ourStrace(t, []string{"-f"}, bin)
	if out != "read 2, child code 3\n" || code != 0 {
		t.Fatalf("output %q status %d\n%s", out, code, trace)
	}
	ours := followCalls(t, trace, regexp.MustCompile(`^\[pid (\d+)\] (.*)$`))
	if want := []string{"gettid = PID", "rt_sigprocmask = 0", "rt_sigprocmask = 0", "close = 0", "write = 2", "exit_group = ?", "+++ exited with 3 +++"}; !slices.Equal(ours["child"], want) {
		t.Errorf("child part %q, want %q\n%s", ours["child"], want, trace)
	}
	if len(ours["root"]) == 0 || !slices.Contains(ours["root"], "fork = CHILD") ||
		!slices.Contains(ours["root"], "wait4 = CHILD") {
		t.Errorf("root part %q: want fork and wait4 returning the child's pid\n%s", ours["root"], trace)
	}

	st := testenv.Tool(t, "strace")
	nf := filepath.Join(t.TempDir(), "native")
	cmd := exec.Command(st, "-f", "-o", nf, bin)
	if err := cmd.Run(); err != nil {
		testenv.Missing(t, "a native strace that can trace", err)
	}
	b, err := os.ReadFile(nf)
	if err != nil || len(b) == 0 {
		testenv.Missing(t, "a native strace that can trace", err)
	}
	native := followCalls(t, string(b), regexp.MustCompile(`^(\d+) +(.*)$`))
	if !slices.Equal(ours["root"], native["root"]) {
		t.Errorf("parent's calls differ from native strace -f\n--- ours\n%s\n--- native\n%s",
			strings.Join(ours["root"], "\n"), strings.Join(native["root"], "\n"))
	}
	if !slices.Equal(ours["child"], native["child"]) {
		t.Errorf("child's calls differ from native strace -f\n--- ours\n%s\n--- native\n%s",
			strings.Join(ours["child"], "\n"), strings.Join(native["child"], "\n"))
	}
	// Natively the fork may be split into "<unfinished ...>" and "resumed".
	forkRet := regexp.MustCompile(`fork(?:\(\)| resumed>\)) += (\d+)`)
	sigchld := regexp.MustCompile(`--- SIGCHLD \{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=(\d+), si_uid=\d+, si_status=3, si_utime=0, si_stime=0\} ---`)
	for side, text := range map[string]string{"ours": trace, "native": string(b)} {
		m, f := sigchld.FindStringSubmatch(text), forkRet.FindStringSubmatch(text)
		if m == nil || f == nil || m[1] != f[1] {
			t.Errorf("%s: no SIGCHLD line with the forked child's si_pid and si_status=3\n%s", side, text)
		}
	}
}

// TestStraceFollowThreadNative: with -f, the calls of the main thread and
// of the pthread (its tid in [pid N]) match native strace -f per thread,
// futex calls left out: natively how often a thread waits on a futex
// depends on timing (docs/ptrace-rsp.md).
func TestStraceFollowThreadNative(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "thr.c")
	os.WriteFile(src, []byte(`#include <pthread.h>
#include <unistd.h>
void *f(void *a) { write(1, "thread\n", 7); return a; }
int main(void) { pthread_t t; pthread_create(&t, 0, f, 0); pthread_join(t, 0); write(1, "main\n", 5); return 0; }
`), 0o644)
	cc := testenv.Tool(t, "musl-gcc")
	bin := filepath.Join(dir, "thr")
	if out, err := exec.Command(cc, "-static", "-O2", "-pthread", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	noFutex := func(calls []string) []string {
		return slices.DeleteFunc(slices.Clone(calls), func(c string) bool { return strings.HasPrefix(c, "futex = ") })
	}
	trace, out, code := ourStrace(t, []string{"-f"}, bin)
	if out != "thread\nmain\n" || code != 0 {
		t.Fatalf("output %q status %d", out, code)
	}
	ours := followCalls(t, trace, regexp.MustCompile(`^\[pid (\d+)\] (.*)$`))
	st := testenv.Tool(t, "strace")
	nf := filepath.Join(t.TempDir(), "native")
	if err := exec.Command(st, "-f", "-o", nf, bin).Run(); err != nil {
		testenv.Missing(t, "a native strace that can trace", err)
	}
	b, err := os.ReadFile(nf)
	if err != nil || len(b) == 0 {
		testenv.Missing(t, "a native strace that can trace", err)
	}
	native := followCalls(t, string(b), regexp.MustCompile(`^(\d+) +(.*)$`))
	for _, role := range []string{"root", "child"} {
		o, n := noFutex(ours[role]), noFutex(native[role])
		if len(o) < 3 || !slices.Equal(o, n) {
			t.Errorf("%s thread's calls differ from native strace -f\n--- ours\n%s\n--- native\n%s",
				role, strings.Join(o, "\n"), strings.Join(n, "\n"))
		}
	}
	if !slices.Contains(ours["root"], "clone = CHILD") {
		t.Errorf("root's calls %q: want clone returning the thread's tid", ours["root"])
	}
}
