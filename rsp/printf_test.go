package rsp

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// gdb 13.1's Z0 command list for `dprintf add,"add x=%d y=%u\n",x,y` with
// "set dprintf-style agent", captured with "set debug remote 1" against
// tests/guests/basic.c: the arguments pushed last first (y at CFA-40, x at
// CFA-36; CFA = rbp+16), then channel 0, function 0, printf with 2 arguments and a 16-byte format.
const gdbDprintfCmds = "cmds:1,X35,26000622100222d816080219162026000622100222dc160802191620220022003402001061646420783d256420793d25755c6e0027"

// axPrintfCode assembles "push args (last first), chan, fn, printf, end".
func axPrintfCode(format string, args ...byte) []byte {
	var c []byte
	for i := len(args) - 1; i >= 0; i-- {
		c = append(c, axConst8, args[i])
	}
	c = append(c, axConst8, 0, axConst8, 0, axPrintf, byte(len(args)))
	n := len(format) + 1
	c = append(c, byte(n>>8), byte(n))
	c = append(c, format...)
	return append(c, 0, axEnd)
}

func TestParseCmdList(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		fail bool
	}{
		{gdbDprintfCmds[len("cmds:"):], 1, false},
		{"0,X3,220127", 1, false},
		{"1,X3,220127X3,220227", 2, false},
		{"0,", 0, true},
		{"2,X3,220127", 0, true},
		{"1X3,220127", 0, true},
		{"1,X3,2201", 0, true},
		{"1,X5,3401000127", 0, true},       // format string too short
		{"1,X6,340100024127", 0, true},     // format not NUL-terminated
		{"1,X7,34010002410027", 1, false},  // printf "A", end
		{"1,X4,340100", 0, true},           // truncated header
		{"1,X8,3401ffff41002727", 0, true}, // length past the end
	}
	for _, tc := range tests {
		got, err := parseCmdList(tc.in)
		if (err != nil) != tc.fail || len(got) != tc.n {
			t.Errorf("%q: %d commands, error %v", tc.in, len(got), err)
		}
	}
}

func TestAxPrintf(t *testing.T) {
	mem := map[uint64]byte{}
	for i, c := range []byte("hi there\x00") {
		mem[0x50+uint64(i)] = c
	}
	mem[0x70] = 'x' // unterminated: runs into unmapped memory
	env := mapEnv{bytes: mem}
	tests := []struct {
		name   string
		format string
		args   []byte
		want   string
		err    bool
	}{
		{"plain and escapes", `a\tb\n\\ 100%%`, nil, "a\tb\n\\ 100%", false},
		{"d negative int", "%d", []byte{0xff}, "255", false}, // const8 is unsigned
		{"width flags", "[%5d|%-4u|%05x|%#x|%X|%o]", []byte{42, 7, 0xab, 0xab, 0xcd, 8}, "[   42|7   |000ab|0xab|CD|10]", false},
		{"ld i lx lu", "%ld %i %lx %lu", []byte{1, 2, 3, 4}, "1 2 3 4", false},
		{"c", "<%c>", []byte{'Z'}, "<Z>", false},
		{"h hh", "%hd %hhd %hhu %hx", []byte{0xff, 0xff, 0xff, 0xff}, "255 -1 255 ff", false},
		{"p", "%p %p", []byte{0, 0x10}, "(nil) 0x10", false},
		{"s", "msg=%s.", []byte{0x50}, "msg=hi there.", false},
		{"s precision", "%.2s|%6.2s", []byte{0x50, 0x50}, "hi|    hi", false},
		{"s null", "%s", []byte{0}, "(null)", false},
		{"s unmapped", "%s", []byte{0x70}, "", true},
		{"too few args", "%d %d", []byte{1}, "1 ", true},
		{"a unsupported", "%a", []byte{1}, "", true},
		{"dangling %", "abc%", nil, "abc", true},
		{"huge width", "%999999999d", []byte{1}, "", true},
		{"huge precision", "%.5000s", []byte{0x50}, "", true},
		{"widest field", "%4096d", []byte{1}, strings.Repeat(" ", 4095) + "1", false},
	}
	for _, tc := range tests {
		var out []byte
		_, err := evalAgentExprOut(axPrintfCode(tc.format, tc.args...), env, &out)
		if string(out) != tc.want || (err != nil) != tc.err {
			t.Errorf("%s: %q, error %v; want %q (error %v)", tc.name, out, err, tc.want, tc.err)
		}
	}
	// Without an output (a condition), printf is refused.
	if _, err := evalAgentExpr(axPrintfCode("x"), env); !errors.Is(err, errAxOpcode) {
		t.Errorf("printf in a condition: %v", err)
	}
	// 64-bit and sign handling through const64.
	code := []byte{axConst64, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, axConst8, 0, axConst8, 0, axPrintf, 1, 0, 4, '%', 'l', 'd', 0, axEnd}
	var out []byte
	if _, err := evalAgentExprOut(code, env, &out); err != nil || string(out) != "-2" {
		t.Errorf("%%ld of -2: %q %v", out, err)
	}
	out = out[:0]
	code = append(code[:15], 0, 3, '%', 'd', 0, axEnd)
	if _, err := evalAgentExprOut(code, env, &out); err != nil || string(out) != "-2" {
		t.Errorf("%%d of -2 (int truncation): %q %v", out, err)
	}
	// A stack too short for the printf's arguments.
	if _, err := evalAgentExprOut([]byte{axConst8, 0, axPrintf, 1, 0, 1, 0, axEnd}, env, &out); !errors.Is(err, errAxStack) {
		t.Errorf("short stack: %v", err)
	}
}

func TestDprintfBreakpoint(t *testing.T) {
	f := newFakeTracer()
	f.mapPage(0x7fffffffe000)
	f.regs.RBP = 0x7fffffffe100
	setXY := func(x, y uint32) {
		f.access(0x7fffffffe100+16-36, []byte{byte(x), byte(x >> 8), byte(x >> 16), byte(x >> 24)}, true)
		f.access(0x7fffffffe100+16-40, []byte{byte(y), byte(y >> 8), byte(y >> 16), byte(y >> 24)}, true)
	}
	bp := fakeStop{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, rip: 0x401143, info: ptrace.StopInfo{Tid: tid0}}
	h := startSession(t, f)
	if got := h.call(gdbQSupported); !strings.Contains(got, "BreakpointCommands+") {
		t.Fatalf("qSupported: %q", got)
	}
	if got := h.call("Z0,401143,1;" + gdbDprintfCmds); got != "OK" {
		t.Fatal(got)
	}
	setXY(0, 7)
	f.setScript(bp, bp, bp, exit)
	calls := 0
	f.onNext = func() {
		calls++
		setXY(uint32(calls), 0xfffffff9) // %u of -7
	}
	h.send("vCont;c:p401640.-1")
	var lines []string
	for {
		p := h.recv()
		if !strings.HasPrefix(p, "O") {
			if !strings.HasPrefix(p, "W00") {
				t.Errorf("final reply %q, want the exit (dprintf never stops)", p)
			}
			break
		}
		b, err := hex.DecodeString(p[1:])
		if err != nil {
			t.Fatalf("O packet %q: %v", p, err)
		}
		lines = append(lines, string(b))
	}
	want := []string{"add x=1 y=4294967289\n", "add x=2 y=4294967289\n", "add x=3 y=4294967289\n"}
	if strings.Join(lines, "") != strings.Join(want, "") {
		t.Errorf("console output %q, want %q", lines, want)
	}
	if n := len(f.flagsCopy()); n != 4 {
		t.Errorf("%d resumes, want 4 (three dprintf hits resumed in the stub)", n)
	}
}

func TestDprintfWithCondition(t *testing.T) {
	f := newFakeTracer()
	f.mapPage(0x7000)
	f.access(0x7000, []byte{5}, true)
	bp := fakeStop{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, rip: 0x401143, info: ptrace.StopInfo{Tid: tid0}}
	h := startSession(t, f)
	h.call(gdbQSupported)
	// Condition: *(char *)0x7000 == 6; command: printf "hit\n".
	cond := "X8,23700017220613 27"
	cmd := hex.EncodeToString(axPrintfCode("hit\n"))
	pkt := "Z0,401143,1;" + strings.ReplaceAll(cond, " ", "") + ";cmds:0,X" +
		strings.TrimLeft(hex.EncodeToString([]byte{byte(len(cmd) / 2)}), "0") + "," + cmd
	if got := h.call(pkt); got != "OK" {
		t.Fatalf("%s: %q", pkt, got)
	}
	calls := 0
	f.onNext = func() {
		calls++
		if calls == 2 {
			f.access(0x7000, []byte{6}, true)
		}
	}
	if got := h.call("Z0,401150,1"); got != "OK" {
		t.Fatal(got)
	}
	plain := bp
	plain.rip = 0x401150
	f.setScript(bp, bp, plain)
	h.send("c")
	if got := h.recv(); got != "O"+hex.EncodeToString([]byte("hit\n")) {
		t.Errorf("first packet %q, want the output of the second hit only", got)
	}
	if got := h.recv(); !strings.HasPrefix(got, "T05swbreak:;") || !strings.Contains(got, "10:5011400000000000;") {
		t.Errorf("%q, want the stop at the plain breakpoint", got)
	}
	// Re-inserting without commands makes it an ordinary breakpoint.
	h.call("Z0,401143,1")
	f.setScript(bp)
	if got := h.call("c"); !strings.HasPrefix(got, "T05") {
		t.Errorf("%q, want a stop without commands", got)
	}
}

func FuzzBreakpointCmds(f *testing.F) {
	f.Add(gdbDprintfCmds[len("cmds:"):])
	f.Add("0,X3,220127")
	f.Add("1,X" + hex.EncodeToString([]byte{byte(len(axPrintfCode("%s %d %p\\n", 0x50, 1, 2)))}) + "," +
		hex.EncodeToString(axPrintfCode("%s %d %p\\n", 0x50, 1, 2)))
	f.Fuzz(func(t *testing.T, cmds string) {
		codes, err := parseCmdList(cmds)
		if err != nil {
			return
		}
		env := mapEnv{regs: map[int]uint64{6: 0x7fffffffe100},
			bytes: map[uint64]byte{0x50: 'h', 0x51: 0, 0x7fffffffe0e8: 3}}
		for _, c := range codes {
			var out []byte
			evalAgentExprOut(c, env, &out) // must terminate without panicking
			if len(out) > axMaxPrintfOut+axMaxString+64 {
				t.Errorf("%d bytes of output", len(out))
			}
		}
	})
}

// TestAxPrintfFloat checks %f, %e, %E, %g and %G on the 64-bit stack value
// read as a double (gdb sends *(long *)&dblvar's bits; see axFormat). The
// expected strings were produced by glibc's snprintf (gdb's own printf
// is the host C library's) with the same format and double.
func TestAxPrintfFloat(t *testing.T) {
	tests := []struct {
		format string
		bits   uint64
		want   string
	}{
		{"%f", 0x4004000000000000, "2.500000"},
		{"%f", 0xc0934a456d5cfaad, "-1234.567800"},
		{"%e", 0xc0934a456d5cfaad, "-1.234568e+03"},
		{"%g", 0x3f202c9dedbc309d, "0.0001234"},
		{"%g", 0x40f86a0000000000, "100000"},
		{"%g", 0x4132d68700000000, "1.23457e+06"},
		{"%E", 0x3ee4f8b588e368f1, "1.000000E-05"},
		{"%G", 0x3ee4f8b588e368f1, "1E-05"},
		{"%.0f", 0x3fc0000000000000, "0"},
		{"%.0f", 0x3fe0000000000000, "0"}, // 0.5: ties to even
		{"%.f", 0x3fe0000000000000, "0"},
		{"%#.0f", 0x4008000000000000, "3."},
		{"%#.0e", 0x4008000000000000, "3.e+00"},
		{"%.3g", 0xc0934a456d5cfaad, "-1.23e+03"},
		{"%.3g", 0x4023fffff29406b3, "10"}, // 9.9999996 rounds up a digit
		{"%#g", 0x4004000000000000, "2.50000"},
		{"%#.3g", 0x0000000000000001, "4.94e-324"},
		{"%e", 0x0000000000000001, "4.940656e-324"},
		{"%10.3f", 0xc0934a456d5cfaad, " -1234.568"},
		{"%-10.3e|", 0x4004000000000000, "2.500e+00 |"},
		{"%+f", 0x4004000000000000, "+2.500000"},
		{"% f", 0x4004000000000000, " 2.500000"},
		{"%010.2f", 0xc0934a456d5cfaad, "-001234.57"},
		{"%010.2f", 0x7ff0000000000000, "       inf"},
		{"%+08.3g", 0x4004000000000000, "+00002.5"},
		{"%+08.3g", 0x8000000000000000, "-0000000"},
		{"%.10g", 0x3fc0000000000000, "0.125"},
		{"%.0g", 0x40f86a0000000000, "1e+05"},
		{"%15.8E", 0x4132d68700000000, " 1.23456700E+06"},
		{"%G", 0xfff0000000000000, "-INF"},
		{"%f", 0x7ff8000000000000, "nan"},
		{"%f", 0xfff8000000000000, "-nan"}, // x86's default NaN is negative
		{"%-+8.1f|", 0x7ff8000000000000, "+nan    |"},
		{"%Lf", 0x4004000000000000, "2.500000"},
		{"%f", 0x7e37e43c8800759c, "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.000000"},
	}
	for _, tc := range tests {
		code := []byte{axConst64}
		code = binary.BigEndian.AppendUint64(code, tc.bits)
		code = append(code, axConst8, 0, axConst8, 0, axPrintf, 1, 0, byte(len(tc.format)+1))
		code = append(append(code, tc.format...), 0, axEnd)
		var out []byte
		if _, err := evalAgentExprOut(code, mapEnv{}, &out); err != nil || string(out) != tc.want {
			t.Errorf("%s of %#x: %q, error %v; want %q", tc.format, tc.bits, out, err, tc.want)
		}
	}
}
