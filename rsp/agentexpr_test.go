package rsp

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// mapEnv is an axEnv over fixed registers and memory.
type mapEnv struct {
	regs  map[int]uint64
	bytes map[uint64]byte
}

func (e mapEnv) reg(n int) (uint64, error) {
	v, ok := e.regs[n]
	if !ok {
		return 0, errors.New("no such register")
	}
	return v, nil
}

func (e mapEnv) mem(addr uint64, b []byte) error {
	for i := range b {
		v, ok := e.bytes[addr+uint64(i)]
		if !ok {
			return errFault
		}
		b[i] = v
	}
	return nil
}

func TestEvalAgentExpr(t *testing.T) {
	env := mapEnv{regs: map[int]uint64{0: 7, 5: 0xfffffffffffffffe},
		bytes: map[uint64]byte{0x1000: 0x39, 0x1001: 0, 0x1002: 0, 0x1003: 0x80, 0x1004: 1, 0x1005: 2, 0x1006: 3, 0x1007: 4}}
	tests := []struct {
		name string
		code string // hex
		want int64
		err  bool
	}{
		{"const8 end", "222a27", 42, false},
		{"const16", "23123427", 0x1234, false},
		{"const32", "241234567827", 0x12345678, false},
		{"const64", "25ffffffffffffffff27", -1, false},
		{"add", "22022203 0227", 5, false},
		{"sub", "2205220303 27", 2, false},
		{"mul", "2206220704 27", 42, false},
		{"div_signed", "25fffffffffffffff9 220205 27", -3, false},
		{"div_unsigned", "22072202 06 27", 3, false},
		{"rem_signed", "25fffffffffffffff9 220207 27", -1, false},
		{"rem_unsigned", "22072202 08 27", 1, false},
		{"div by zero", "22072200 05 27", 0, true},
		{"MinInt64 / -1", "258000000000000000 25ffffffffffffffff 05 27", -9223372036854775808, false},
		{"lsh", "22012204 09 27", 16, false},
		{"rsh_signed", "25fffffffffffffff0 2202 0a 27", -4, false},
		{"rsh_unsigned", "25fffffffffffffff0 223c 0b 27", 15, false},
		{"log_not 0", "2200 0e 27", 1, false},
		{"log_not 5", "2205 0e 27", 0, false},
		{"bit_and/or/xor", "220c220a0f 2201 10 2203 11 27", 0x8 | 1 ^ 3, false},
		{"bit_not", "2200 12 27", -1, false},
		{"equal", "22052205 13 27", 1, false},
		{"less_signed", "25ffffffffffffffff 2201 14 27", 1, false},
		{"less_unsigned", "25ffffffffffffffff 2201 15 27", 0, false},
		{"ext 8", "22ff 1608 27", -1, false},
		{"zero_ext 8", "25ffffffffffffffff 2a08 27", 0xff, false},
		{"ref8", "231000 17 27", 0x39, false},
		{"ref16", "231000 18 27", 0x39, false},
		{"ref32", "231000 19 27", int64(0x80000039), false},
		{"ref64", "231000 1a 27", 0x0403020180000039, false},
		{"ref unmapped", "232000 17 27", 0, true},
		{"reg", "260000 27", 7, false},
		{"reg ext 32", "260005 1620 27", -2, false},
		{"bad reg", "260009 27", 0, true},
		{"dup", "2203 28 02 27", 6, false},
		{"pop", "2203 2204 29 27", 3, false},
		{"swap", "2203 2205 2b 03 27", 2, false},
		{"pick", "2201 2202 2203 3202 27", 1, false},
		{"rot", "2201 2202 2203 33 27", 2, false}, // 1 2 3 => 3 1 2: top 2
		{"if_goto taken", "2201 200008 222a 27 2263 27", 99, false},
		{"if_goto not taken", "2200 200008 222a 27 2263 27", 42, false},
		{"goto", "210006 2201 27 2202 27", 2, false},
		{"loop bound", "210000", 0, true},
		{"trace", "2201 2202 0c 2207 27", 7, false},
		{"trace_quick", "2201 0d04 27", 1, false},
		{"underflow", "02 27", 0, true},
		{"empty end", "27", 0, true},
		{"no end", "2201", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, err := hex.DecodeString(strings.ReplaceAll(tc.code, " ", ""))
			if err != nil {
				t.Fatal(err)
			}
			got, err := evalAgentExpr(code, env)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error %v", err, tc.err)
			}
			if err == nil && got != tc.want {
				t.Errorf("got %d (%#x), want %d", got, got, tc.want)
			}
		})
	}
}

func TestParseCondList(t *testing.T) {
	tests := []struct {
		in    string
		count int
		err   bool
	}{
		{"X3,220127", 1, false},
		{"X3,220127X2,2227", 2, false}, // "22 27": const8 0x27, complete (no end: an evaluation error)
		{"X3,220127X3,220027", 2, false},
		{"X0,", 0, true},
		{"X3,2201", 0, true},       // short
		{"X2,2201", 1, false},      // complete instructions (no end: an evaluation error)
		{"X1,22", 0, true},         // truncated operand
		{"X1,01", 0, true},         // float: unsupported
		{"X4,21000527", 0, true},   // goto past the end
		{"X5,2100012227", 0, true}, // goto into an operand
		{"Y3,220127", 0, true},
		{"X3220127", 0, true},
		{"Xzz,00", 0, true},
	}
	for _, tc := range tests {
		got, err := parseCondList(tc.in)
		if (err != nil) != tc.err || (err == nil && len(got) != tc.count) {
			t.Errorf("%q: %d conditions, error %v", tc.in, len(got), err)
		}
	}
}

// gdb's bytecode for "a == 57 && g > 100" in cond.c's add(), captured from
// gdb 13.1: a at the frame base (CFA = rbp+16) - 20, g at 0x407128.
const gdbCondBytecode = "X31,26000622100222ec16080219162022391320001721002e24004071281a164022642b1420002921002e2201210030220027"

func TestConditionalBreakpoint(t *testing.T) {
	f := newFakeTracer()
	f.mapPage(0x407000)
	f.mapPage(0x7fffffffe000)
	f.regs.RBP = 0x7fffffffe100
	setA := func(a uint32) { f.access(0x7fffffffe100-4, []byte{byte(a), byte(a >> 8), 0, 0}, true) }
	setG := func(g uint64) {
		b := make([]byte, 8)
		for i := range b {
			b[i] = byte(g >> (8 * i))
		}
		f.access(0x407128, b, true)
	}
	bp := fakeStop{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, rip: 0x401143, info: ptrace.StopInfo{Tid: tid0}}
	h := startSession(t, f)
	h.call(gdbQSupported)
	if got := h.call("Z0,401143,1;" + gdbCondBytecode); got != "OK" {
		t.Fatal(got)
	}
	setA(57)
	setG(5)
	f.setScript(bp, bp, bp, exit) // the exit only if the condition is never true
	// The scripted stops see the same memory; make the condition true at
	// the third one by changing g from the "program" side.
	calls := 0
	f.onNext = func() {
		calls++
		if calls == 3 {
			setG(1596)
		}
	}
	got := h.call("vCont;c:p401640.-1")
	if !strings.HasPrefix(got, "T05swbreak:;") {
		t.Fatalf("%q", got)
	}
	if n := len(f.flagsCopy()); n != 3 {
		t.Errorf("%d resumes, want 3 (two false conditions resumed in the stub)", n)
	}
	// Re-inserting without a condition makes it unconditional.
	h.call("Z0,401143,1")
	setG(0)
	f.onNext = nil
	f.setScript(bp)
	if got := h.call("c"); !strings.HasPrefix(got, "T05swbreak:;") {
		t.Errorf("%q", got)
	}
	// An evaluation error (unmapped memory) reports the stop.
	h.call("Z0,401143,1;X4,2300011727") // ref8 at 0x1: unmapped
	f.setScript(bp)
	if got := h.call("c"); !strings.HasPrefix(got, "T05") {
		t.Errorf("%q", got)
	}
	if got := h.call("qRcmd," + hexText("stats")); got == "" {
		t.Error("no stats reply")
	}
}

func TestHardwareBreakpoint(t *testing.T) {
	f := newFakeTracer()
	bp := fakeStop{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, rip: 0x401150, info: ptrace.StopInfo{Tid: tid0}}
	f.script = []fakeStop{bp, bp}
	h := startSession(t, f)
	h.call(gdbQSupported)
	for _, p := range []string{"Z1,401150,1", "Z0,401150,1", "z0,401150,1"} {
		if got := h.call(p); got != "OK" {
			t.Fatalf("%s: %q", p, got)
		}
	}
	if !f.bpsCopy()[0x401150] {
		t.Fatal("z0 removed the Z1 breakpoint at the same address")
	}
	if got := h.call("c"); !strings.HasPrefix(got, "T05hwbreak:;") {
		t.Errorf("%q", got)
	}
	h.call("z1,401150,1")
	if f.bpsCopy()[0x401150] {
		t.Error("z1 left the breakpoint")
	}
	_ = fmt.Sprint()
}

func FuzzAgentExpr(f *testing.F) {
	f.Add(gdbCondBytecode)
	f.Add("X3,220127")
	f.Add("X5,2100012227")
	f.Add("X8,2201200007222a27")
	f.Fuzz(func(t *testing.T, cond string) {
		codes, err := parseCondList(cond)
		if err != nil {
			return
		}
		env := mapEnv{regs: map[int]uint64{0: 1, 6: 0x7fffffffe100, 16: 0x401000},
			bytes: map[uint64]byte{0x407128: 5, 0x7fffffffe0fc: 57}}
		for _, c := range codes {
			evalAgentExpr(c, env) // must terminate without panicking
		}
	})
}
