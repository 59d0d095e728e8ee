package rsp

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// procFake is a fake tracer stopped at the entry point of the test binary
// itself (a fixed-address ELF), with argv "prog" "arg1" on its stack.
func procFake(t *testing.T) (*fakeTracer, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	entry := ef.Entry
	ef.Close()
	f := newFakeTracer()
	f.exe = exe
	f.auxv = binary.LittleEndian.AppendUint64(nil, atEntry)
	f.auxv = binary.LittleEndian.AppendUint64(f.auxv, entry)
	f.auxv = append(f.auxv, make([]byte, 16)...)
	const stack = 0x7ffffffde000
	f.mapPage(stack)
	sp := uint64(stack + 0x100)
	strs := uint64(stack + 0x800)
	f.access(strs, []byte("prog\x00arg1\x00junk"), true)
	words := []uint64{2, strs, strs + 5, 0, 0}
	for i, w := range words {
		f.access(sp+8*uint64(i), binary.LittleEndian.AppendUint64(nil, w), true)
	}
	f.regs.RSP, f.regs.RIP = sp, entry
	return f, exe
}

// readHostFile opens name with vFile and reads it whole.
func readHostFile(t *testing.T, h *harness, name string) (string, string) {
	t.Helper()
	fd := h.call("vFile:open:" + hexText(name) + ",0,0")
	if !strings.HasPrefix(fd, "F") || strings.HasPrefix(fd, "F-") {
		return "", fd
	}
	var out []byte
	for {
		r := decoded(t, h.call(fmt.Sprintf("vFile:pread:%s,1000,%x", fd[1:], len(out))))
		n, data, _ := strings.Cut(r, ";")
		if n == "F0" {
			break
		}
		if strings.HasPrefix(n, "F-") {
			t.Fatalf("pread %s: %q", name, r)
		}
		out = append(out, data...)
	}
	if got := h.call("vFile:close:" + fd[1:]); got != "F0" {
		t.Errorf("close: %q", got)
	}
	return string(out), fd
}

func TestProcFiles(t *testing.T) {
	f, exe := procFake(t)
	h := startSession(t, f)
	h.call(gdbQSupported)
	h.call("vFile:setfs:0")
	maps, fd := readHostFile(t, h, "/proc/4200000/maps")
	if fd == "" || maps == "" {
		t.Fatalf("maps: %q %q", fd, maps)
	}
	lines := strings.Split(strings.TrimSuffix(maps, "\n"), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^00400000-00401000 rw-p 00000000 [0-9a-f]{2}:[0-9a-f]{2} [1-9]\d* +` + regexp.QuoteMeta(exe) + `$`),
		regexp.MustCompile(`^00401000-00402000 r-xp 00001000 [0-9a-f]{2}:[0-9a-f]{2} [1-9]\d* +` + regexp.QuoteMeta(exe) + `$`),
		regexp.MustCompile(`^7ffffffde000-7ffffffdf000 rw-p 00000000 00:00 0 +\[stack\]$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("maps:\n%s", maps)
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %q does not match %s", lines[i], re)
		}
		if i < 2 && strings.Index(lines[i], "/") != 73 {
			t.Errorf("name of %q not at column 73", lines[i])
		}
	}
	if cmd, _ := readHostFile(t, h, "/proc/4200000/cmdline"); cmd != "prog\x00arg1\x00" {
		t.Errorf("cmdline %q", cmd)
	}
	// The program rewrote its argv: cmdline shows the live memory.
	f.access(0x7ffffffde800, []byte("PROG"), true)
	if cmd, _ := readHostFile(t, h, "/proc/4200000/cmdline"); cmd != "PROG\x00arg1\x00" {
		t.Errorf("cmdline after a write %q", cmd)
	}
	// /proc/self only in the process's view.
	if _, fd := readHostFile(t, h, "/proc/self/maps"); fd != "F-1,2" {
		t.Errorf("/proc/self/maps with setfs 0: %q", fd)
	}
	h.call("vFile:setfs:401640")
	if m, _ := readHostFile(t, h, "/proc/self/maps"); m != maps {
		t.Errorf("/proc/self/maps %q", m)
	}
	for _, name := range []string{"/proc/4200000/environ", "/proc/1/maps", "/proc/4200000/maps/x"} {
		if _, fd := readHostFile(t, h, name); fd != "F-1,2" {
			t.Errorf("%s: %q", name, fd)
		}
	}
	if exeData, _ := readHostFile(t, h, "/proc/4200000/exe"); !strings.HasPrefix(exeData, "\x7fELF") {
		t.Errorf("exe does not read the executable")
	}
	if got := decoded(t, h.call("vFile:readlink:"+hexText("/proc/4200000/exe"))); got != fmt.Sprintf("F%x;%s", len(exe), exe) {
		t.Errorf("readlink %q", got)
	}
	if got := h.call("qOffsets"); got != "Text=0;Data=0;Bss=0" {
		t.Errorf("qOffsets %q", got)
	}
	// Writable opens are refused for synthesised files too.
	if got := h.call("vFile:open:" + hexText("/proc/4200000/maps") + ",1,0"); got != "F-1,d" {
		t.Errorf("write open: %q", got)
	}
}

func TestQOffsetsPIE(t *testing.T) {
	f, _ := procFake(t)
	// Pretend the executable was loaded 0x10000 higher: AT_ENTRY moves.
	entry := binary.LittleEndian.Uint64(f.auxv[8:])
	binary.LittleEndian.PutUint64(f.auxv[8:], entry+0x10000)
	s := NewSession(f, Config{})
	if got := string(s.handle([]byte("qOffsets")).reply); got != "Text=10000;Data=10000;Bss=10000" {
		t.Errorf("qOffsets %q", got)
	}
}

func TestSiginfoWrite(t *testing.T) {
	f := newFakeTracer()
	f.script = []fakeStop{{ev: ptrace.Event{Cause: ptrace.StopSignal, A: 11},
		info: ptrace.StopInfo{Tid: tid0, Signo: 11, SigCode: 1, SigAddr: 0x10}}}
	h := startSession(t, f)
	h.call(gdbQSupported)
	if got := h.call("qXfer:siginfo:write::0:" + string(escapeString("\x07\x00\x00\x00"))); got != "E01" {
		t.Errorf("write before any stop: %q", got)
	}
	h.call("c")
	if got := h.call("qXfer:siginfo:write::10:" + string(escapeString("\x20\x00\x00\x00\x00\x00\x00\x00"))); got != "8" {
		t.Fatalf("write: %q", got)
	}
	got := decoded(t, h.call("qXfer:siginfo:read::0,80"))
	if len(got) != 1+siginfoSize || got[0] != 'l' {
		t.Fatalf("read %q", got)
	}
	si := []byte(got[1:])
	if si[0] != 11 || si[8] != 1 || binary.LittleEndian.Uint64(si[16:]) != 0x20 {
		t.Errorf("siginfo after write % x", si[:24])
	}
	for _, p := range []string{"qXfer:siginfo:write::7f:ab", "qXfer:siginfo:write::zz:a", "qXfer:siginfo:write:x:0:a"} {
		if got := h.call(p); got != "E01" {
			t.Errorf("%q: %q", p, got)
		}
	}
	// A new stop forgets the write.
	f.setScript(sigStop(10))
	h.call("c")
	if got := decoded(t, h.call("qXfer:siginfo:read::0,80")); got[1] != 10 || got[1+16] != 0 {
		t.Errorf("after a new stop: % x", got[:24])
	}
}

func escapeString(s string) []byte { return appendEscaped(nil, []byte(s)) }

func TestQCRC(t *testing.T) {
	// CRC-32/MPEG-2 (gdb's xcrc32 with init 0xffffffff) of "123456789"
	// is 0x0376e6e7.
	if got := crc32gdb(0xffffffff, []byte("123456789")); got != 0x0376e6e7 {
		t.Fatalf("crc %#x", got)
	}
	f := newFakeTracer()
	f.access(0x400ffb, []byte("123456789"), true) // across the page boundary
	h := startSession(t, f)
	tests := []struct{ pkt, want string }{
		{"qCRC:400ffb,9", "C376e6e7"},
		{"qCRC:400000,0", "Cffffffff"},
		{"qCRC:402000,1", "E01"},
		{"qCRC:401fff,2", "E01"},
		{"qCRC:zz", "E01"},
	}
	for _, tc := range tests {
		if got := h.call(tc.pkt); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.pkt, got, tc.want)
		}
	}
	// A large range is read in chunks.
	big := make([]byte, 0x2000)
	f.access(0x400000, big, false)
	if got, want := h.call("qCRC:400000,2000"), fmt.Sprintf("C%x", crc32gdb(0xffffffff, big)); got != want {
		t.Errorf("2 pages: %q, want %q", got, want)
	}
}

func TestQSearchMemory(t *testing.T) {
	f := newFakeTracer()
	f.access(0x400ffe, []byte("ne}dle"), true) // across the page boundary
	h := startSession(t, f)
	pat := string(escapeString("ne}dle"))
	tests := []struct{ pkt, want string }{
		{"qSearch:memory:400000;2000;" + pat, "1,400ffe"},
		{"qSearch:memory:400fff;1000;" + pat, "0"},
		{"qSearch:memory:400000;1003;" + pat, "0"}, // ends inside the match
		{"qSearch:memory:400000;1004;" + pat, "1,400ffe"},
		{"qSearch:memory:400000;3000;" + pat, "1,400ffe"}, // found before the unmapped page
		{"qSearch:memory:401ff0;100;zz", "E01"},
		{"qSearch:memory:400000;2000;", "0"},
		{"qSearch:memory:zz;1;a", "E01"},
		{"qSearch:memory:400000", "E01"},
	}
	for _, tc := range tests {
		if got := h.call(tc.pkt); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.pkt, got, tc.want)
		}
	}
}

func TestBinaryRead(t *testing.T) {
	f := newFakeTracer()
	f.access(0x401000, []byte{'}', '#', 1, 2}, true)
	h := startSession(t, f)
	tests := []struct{ pkt, want string }{
		{"x0,0", "OK"},
		{"x401000,4", "}#\x01\x02"},
		{"x401ffe,4", "\x00\x00"},
		{"x500000,4", "E01"},
		{"xzz", "E01"},
	}
	for _, tc := range tests {
		if got := decoded(t, h.call(tc.pkt)); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.pkt, got, tc.want)
		}
	}
}

func TestRLE(t *testing.T) {
	for _, in := range []string{"abc", "0000", "00000000", "000000000", strings.Repeat("f", 200),
		"}]]]]]", "T05" + strings.Repeat("0", 16) + ";", strings.Repeat("0", 15), strings.Repeat("0", 17)} {
		enc := encodeRLE([]byte(in))
		for i := 0; i+1 < len(enc); i++ {
			if enc[i] == '*' {
				if n := enc[i+1]; n == '#' || n == '$' || n == '+' || n == '-' || n < 32 || n > 126 {
					t.Errorf("%q: bad count %q in %q", in, n, enc)
				}
			}
		}
		dec, err := decodeRLE(enc)
		if err != nil || string(dec) != in {
			t.Errorf("%q -> %q -> %q, %v", in, enc, dec, err)
		}
		if len(in) > 8 && strings.Count(in, "0") == len(in) && len(enc) >= len(in) {
			t.Errorf("%q not compressed: %q", in, enc)
		}
	}
	if got := string(encodeRLE([]byte("0000"))); got != "0* " {
		t.Errorf("0000 -> %q", got)
	}
	// 8 zeros: 7 repeats would be '$' (36), 6 '#' (35): 5 repeats + 2 literal.
	if got := string(encodeRLE([]byte("00000000"))); got != "0*\"00" {
		t.Errorf("00000000 -> %q", got)
	}
	if got := string(encodeRLE([]byte("}]]]]]"))); got != "}]]* " {
		t.Errorf("escape pair -> %q", got)
	}
}

func FuzzRLE(f *testing.F) {
	f.Add([]byte("T0506:0000000000000000;07:30e8ffffff7f0000;"))
	f.Add([]byte("}]]]]]]]]"))
	f.Fuzz(func(t *testing.T, in []byte) {
		esc := appendEscaped(nil, in)
		enc := encodeRLE(esc)
		if bytes.ContainsAny(enc, "#$") {
			t.Fatalf("%q encodes to %q", esc, enc)
		}
		dec, err := decodeRLE(enc)
		if err != nil || !bytes.Equal(dec, esc) {
			t.Fatalf("%q -> %q -> %q, %v", esc, enc, dec, err)
		}
	})
}
