package tests

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	n := normalizer{paths: []pathSubst{{"/tmp/redox-gdbstub-e2e-123", "$WORK"}, {"/src/repo", "$REPO"}}}
	tests := []struct {
		name, in, want string
	}{
		{"exited normally", "[Inferior 1 (process 12345) exited normally]\n", "[Inferior 1 (process PID) exited normally]\n"},
		{"exit code kept", "[Inferior 1 (process 7) exited with code 03]", "[Inferior 1 (process PID) exited with code 03]"},
		{"thread id", "[Switching to Thread 4200000.4200000]", "[Switching to Thread PID.TID]"},
		{"lwp", "Thread 0x1 (LWP 991) main", "Thread 0x1 (LWP TID) main"},
		{"stack hex keeps alignment", "rsp            0x7fffffffe758      0x7fffffffe758",
			"rsp            <stack+8(mod16)>      <stack+8(mod16)>"},
		{"stack hex padded", "#1  0x00007ffc12345670 in ?? ()", "#1  <stack+0(mod16)> in ?? ()"},
		{"stack decimal", "rdi            0x7ffd3b0e0ec8      140725599260360",
			"rdi            <stack+8(mod16)>      <stack+8(mod16)>"},
		{"stack below the initial sp", "initial sp: 0x7fffffffe7a0\nrsp 0x7fffffffe758 140737488349016\nargv=0x7fffffffe7a8",
			"initial sp: <sp0-0x0>\nrsp <sp0-0x48> <sp0-0x48>\nargv=<stack+8(mod16)>"},
		{"decimal outside the stack kept", "rax 0x3b9aca00 1000000000 and 149999999999999",
			"rax 0x3b9aca00 1000000000 and 149999999999999"},
		{"code address kept", "#1  0x00000000004011ac in loop_sum (limit=4) at guests/basic.c:36",
			"#1  0x00000000004011ac in loop_sum (limit=4) at guests/basic.c:36"},
		{"heap-like address kept", "$1 = (char *) 0x7fe000001000", "$1 = (char *) 0x7fe000001000"},
		{"too long to be an address kept", "0x7fffffffe7580", "0x7fffffffe7580"},
		{"file transfer lines dropped",
			"Reading /tmp/x/basic from remote target...\nwarning: File transfers from remote targets can be slow. Use \"set sysroot\" to access files locally instead.\nReading symbols from target:/tmp/x/basic...\n",
			"Reading symbols from target:/tmp/x/basic...\n"},
		{"other warnings kept", "warning: remote target does not support file transfer, attempting to access files from local filesystem.\n",
			"warning: remote target does not support file transfer, attempting to access files from local filesystem.\n"},
		{"paths", "Reading symbols from target:/tmp/redox-gdbstub-e2e-123/basic...\n/src/repo/cmd/x.c",
			"Reading symbols from target:$WORK/basic...\n$REPO/cmd/x.c"},
		{"line numbers and values kept", "21\t\tint sum = x + y;\n$1 = 12345", "21\t\tint sum = x + y;\n$1 = 12345"},
		{"signal kept", "Program received signal SIGSEGV, Segmentation fault.", "Program received signal SIGSEGV, Segmentation fault."},
		{"crlf and trailing blanks", "a  \r\nb\t\n", "a\nb\n"},
		{"register names kept", "rip            0x401143            0x401143 <add+10>", "rip            0x401143            0x401143 <add+10>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := n.normalize(tt.in); got != tt.want {
				t.Errorf("normalize(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeKeepsRealDifferences(t *testing.T) {
	// Transcripts that differ in a value, a line number, a register or a
	// signal must still differ after normalisation.
	n := normalizer{}
	pairs := [][2]string{
		{"$1 = 7", "$1 = 8"},
		{"at guests/basic.c:21", "at guests/basic.c:22"},
		{"rip 0x401143 0x401143 <add+10>", "rip 0x401146 0x401146 <add+13>"},
		{"signal SIGSEGV", "signal SIGILL"},
		{"exited with code 03", "exited normally"},
		{"rsp 0x7fffffffe758", "rsp 0x7fffffffe750"},                                                         // alignment differs
		{"initial sp: 0x7fffffffe7a0\nrsp 0x7fffffffe758", "initial sp: 0x7fffffffe7a0\nrsp 0x7fffffffe748"}, // distance differs
		{"eflags 0x297 [ CF PF AF SF IF ]", "eflags 0x293 [ CF AF SF IF ]"},
	}
	for _, p := range pairs {
		if n.normalize(p[0]) == n.normalize(p[1]) {
			t.Errorf("normalize hides the difference between %q and %q", p[0], p[1])
		}
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add("[Inferior 1 (process 12345) exited normally]\nrsp 0x7fffffffe758 140737488349016\n")
	f.Add("Reading /x from remote target...\n")
	f.Add("Thread 1.1 LWP 2 0x00007ffc12345670")
	n := normalizer{paths: []pathSubst{{"/tmp/w", "$WORK"}}}
	f.Fuzz(func(t *testing.T, s string) {
		once := n.normalize(s)
		if twice := n.normalize(once); twice != once {
			t.Errorf("not idempotent:\n in  %q\n 1st %q\n 2nd %q", s, once, twice)
		}
		if strings.Contains(once, "\r\n") {
			t.Errorf("CRLF left in %q", once)
		}
	})
}

func TestUnifiedDiff(t *testing.T) {
	if d := unifiedDiff("a", "b", "x\ny\n", "x\ny\n"); d != "" {
		t.Errorf("equal inputs gave a diff:\n%s", d)
	}
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"
	b := "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n"
	want := "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
	if d := unifiedDiff("a", "b", a, b); d != want {
		t.Errorf("diff:\n%s\nwant:\n%s", d, want)
	}
	// Everything removed: one hunk, all '-'.
	if d := unifiedDiff("a", "b", "x\ny\n", ""); d != "--- a\n+++ b\n@@ -1,2 +1,0 @@\n-x\n-y\n" {
		t.Errorf("diff to empty:\n%s", d)
	}
}

func TestPIERebase(t *testing.T) {
	img := &pieImage{entry: 0x102b, span: 0x8000}
	n := normalizer{pie: img}
	native := "0x00007ffff7ff802b in _start ()\nBreakpoint 1 at 0x7ffff7ff823d: file b.c\n$1 = 0x7ffff8000000 0x400000"
	emulated := "0x000055555555502b in _start ()\nBreakpoint 1 at 0x55555555523d: file b.c\n$1 = 0x55555555d000 0x400000"
	want := "<pie>+0x102b in _start ()\nBreakpoint 1 at <pie>+0x123d: file b.c\n$1 = "
	a, b := n.normalize(native), n.normalize(emulated)
	if !strings.HasPrefix(a, want) || !strings.HasPrefix(b, want) {
		t.Errorf("rebase:\n%s\n%s\nwant prefix:\n%s", a, b, want)
	}
	// Past the image: left alone (then the stack rule applies natively).
	if !strings.HasSuffix(a, "<stack+0(mod16)> 0x400000") || !strings.HasSuffix(b, "0x55555555d000 0x400000") {
		t.Errorf("addresses outside the image changed:\n%s\n%s", a, b)
	}
	// A different offset must still differ.
	if n.normalize("0x000055555555502b in _start ()\nat 0x55555555523e") == n.normalize("0x000055555555502b in _start ()\nat 0x55555555523d") {
		t.Error("different offsets normalised to the same text")
	}
}
