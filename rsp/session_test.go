package rsp

import (
	"bufio"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

const gdbQSupported = "qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;exec-events+;vContSupported+;QThreadEvents+;no-resumed+;memory-tagging+;xmlRegisters=i386"

func TestAckAndResend(t *testing.T) {
	h := startSession(t, newFakeTracer())
	h.writeRaw("$qC#b4")
	if b := h.readByte(); b != '+' {
		t.Fatalf("want ack, got %q", b)
	}
	first := h.recv()
	// Ask for a resend: the same packet comes again.
	h.writeRaw("-")
	if again := h.recv(); again != first {
		t.Errorf("resend %q != %q", again, first)
	}
	// Bad checksum: '-' and no reply.
	h.writeRaw("$qC#00")
	if b := h.readByte(); b != '-' {
		t.Fatalf("want nack, got %q", b)
	}
	if got := h.call("qC"); got != first {
		t.Errorf("after nack: %q", got)
	}
}

func TestNoAckMode(t *testing.T) {
	h := startSession(t, newFakeTracer())
	if got := h.call("QStartNoAckMode"); got != "OK" {
		t.Fatalf("QStartNoAckMode: %q", got)
	}
	h.noAck = true
	h.writeRaw("+") // gdb's final ack, which must be tolerated
	if got := h.call("qAttached"); got != "0" {
		t.Errorf("qAttached: %q", got)
	}
	// The next byte after the reply must be a '$' (no '+'): recv
	// tolerates '+', so check the raw stream.
	h.writeRaw("$qC#b4")
	if b := h.readByte(); b != '$' {
		t.Errorf("no-ack mode sent %q", b)
	}
	h.r.ReadString('#')
	h.readByte()
	h.readByte()
	// A wrong checksum cannot be nacked: the packet is taken as it is.
	h.writeRaw("$qAttached#00")
	if got := h.recv(); got != "0" {
		t.Errorf("bad checksum in no-ack mode: %q", got)
	}
	// An undecodable packet gets an error reply rather than silence.
	h.writeRaw("$a}#" + checksum("a}"))
	if got := h.recv(); got != "E01" {
		t.Errorf("bad escape in no-ack mode: %q", got)
	}
}

func TestQSupported(t *testing.T) {
	h := startSession(t, newFakeTracer())
	got := h.call(gdbQSupported)
	for _, f := range []string{"PacketSize=20000", "QStartNoAckMode+", "qXfer:features:read+",
		"qXfer:exec-file:read+", "swbreak+", "vContSupported+", "multiprocess+"} {
		if !strings.Contains(";"+got+";", ";"+f+";") {
			t.Errorf("qSupported reply %q lacks %s", got, f)
		}
	}
	for _, f := range []string{"hwbreak+", "ConditionalBreakpoints+", "QCatchSyscalls+", "QPassSignals+", "QProgramSignals+"} {
		if !strings.Contains(";"+got+";", ";"+f+";") {
			t.Errorf("qSupported reply %q lacks %s", got, f)
		}
	}
}

// minimal tracer without the optional capabilities.
type coreOnly struct{ Tracer }

func TestQSupportedFromCapabilities(t *testing.T) {
	s := NewSession(coreOnly{newFakeTracer()}, Config{})
	got := string(s.handle([]byte("qSupported")).reply)
	for _, f := range []string{"swbreak+", "exec-file", "auxv"} {
		if strings.Contains(got, f) {
			t.Errorf("%q offered by a tracer without it: %s", f, got)
		}
	}
	if r := s.handle([]byte("Z0,401000,1")); string(r.reply) != "" {
		t.Errorf("Z0 without breakpoints: %q", r.reply)
	}
}

func TestTargetXML(t *testing.T) {
	h := startSession(t, newFakeTracer())
	var doc strings.Builder
	for off := 0; ; off += 0x100 {
		p := decoded(t, h.call(fmt.Sprintf("qXfer:features:read:target.xml:%x,100", off)))
		if p == "" || (p[0] != 'm' && p[0] != 'l') {
			t.Fatalf("bad chunk %q", p)
		}
		doc.WriteString(p[1:])
		if p[0] == 'l' {
			break
		}
	}
	if doc.String() != string(targetXML) {
		t.Fatal("reassembled target.xml differs")
	}
	var tgt struct {
		Arch     string `xml:"architecture"`
		OSABI    string `xml:"osabi"`
		Features []struct {
			Name string `xml:"name,attr"`
			Regs []struct {
				Name    string `xml:"name,attr"`
				Bitsize int    `xml:"bitsize,attr"`
				Regnum  int    `xml:"regnum,attr"`
			} `xml:"reg"`
		} `xml:"feature"`
	}
	if err := xml.Unmarshal(targetXML, &tgt); err != nil {
		t.Fatal(err)
	}
	if tgt.Arch != "i386:x86-64" || tgt.OSABI != "GNU/Linux" {
		t.Errorf("arch %q osabi %q", tgt.Arch, tgt.OSABI)
	}
	want := map[string]int{"rip": 16, "eflags": 17, "st0": 24, "ftag": 34, "xmm0": 40, "mxcsr": 56,
		"orig_rax": 57, "fs_base": 58, "gs_base": 59}
	bits, n := 0, 0
	var feats []string
	for _, f := range tgt.Features {
		feats = append(feats, f.Name)
		for _, r := range f.Regs {
			if r.Regnum != n {
				t.Errorf("%s regnum %d, want %d", r.Name, r.Regnum, n)
			}
			if w, found := want[r.Name]; found && w != r.Regnum {
				t.Errorf("%s regnum %d, want %d", r.Name, r.Regnum, w)
			}
			bits += r.Bitsize
			n++
		}
	}
	if bits != gSize*8 || n != 60 {
		t.Errorf("%d registers, %d bits; want 60, %d", n, bits, gSize*8)
	}
	if got := strings.Join(feats, ","); got != "org.gnu.gdb.i386.core,org.gnu.gdb.i386.sse,org.gnu.gdb.i386.linux,org.gnu.gdb.i386.segments" {
		t.Errorf("features %s", got)
	}
	if got := h.call("qXfer:features:read:other.xml:0,100"); got != "E00" {
		t.Errorf("unknown annex: %q", got)
	}
}

func TestRegisters(t *testing.T) {
	f := newFakeTracer()
	f.regs = ptrace.IntRegisters{RAX: 0x1111, RBX: 2, RBP: 0x7ffe0, RSP: 0x7ffd0, R15: 0xf15, RIP: 0x401234, RFlags: 0x246}
	f.fregs.FCW = 0x37f
	f.fregs.MXCSR = 0x1f80
	f.fregs.XMMSpace[15][0] = 0xab
	f.env = ptrace.EnvRegisters{FSBase: 0x4c1000, GSBase: 0}
	h := startSession(t, f)
	g := h.call("g")
	if len(g) != 1120 {
		t.Fatalf("g is %d hex chars, want 1120", len(g))
	}
	field := func(off, size int) string { return g[2*off : 2*(off+size)] }
	checks := []struct {
		name      string
		off, size int
		want      string
	}{
		{"rax", 0, 8, hexLE(0x1111)},
		{"rbp", 48, 8, hexLE(0x7ffe0)},
		{"r15", 120, 8, hexLE(0xf15)},
		{"rip", 128, 8, hexLE(0x401234)},
		{"eflags", 136, 4, "46020000"},
		{"cs", 140, 4, "33000000"},
		{"ss", 144, 4, "2b000000"},
		{"fctrl", 244, 4, "7f030000"},
		{"ftag", 252, 4, "ffff0000"}, // all empty
		{"xmm15", 516, 1, "ab"},
		{"mxcsr", 532, 4, "801f0000"},
		{"orig_rax", 536, 8, "ffffffffffffffff"},
		{"fs_base", 544, 8, hexLE(0x4c1000)},
	}
	for _, c := range checks {
		if got := field(c.off, c.size); got != c.want {
			t.Errorf("%s = %s, want %s", c.name, got, c.want)
		}
	}
	// p for every register matches its slice of g.
	for n, ri := range regTable {
		if got := h.call(fmt.Sprintf("p%x", n)); got != field(ri.offset, ri.size) {
			t.Errorf("p%x (%s) = %s, want %s", n, ri.name, got, field(ri.offset, ri.size))
		}
	}
	for _, bad := range []string{"p3c", "pzz", "p", "P3c=00", "P10=12", "P10", "Pzz=00"} {
		if got := h.call(bad); got != "E01" {
			t.Errorf("%s: %q, want E01", bad, got)
		}
	}
	// P writes.
	if got := h.call("P10=" + hexLE(0x402000)); got != "OK" {
		t.Fatalf("P rip: %q", got)
	}
	regs := func() ptrace.IntRegisters { r, _ := f.IntRegs(0); return r }
	env := func() ptrace.EnvRegisters { r, _ := f.EnvRegs(0); return r }
	if regs().RIP != 0x402000 {
		t.Errorf("rip = %#x", regs().RIP)
	}
	if got := h.call("P11=47020000"); got != "OK" || regs().RFlags != 0x247 {
		t.Errorf("P eflags: %q %#x", got, regs().RFlags)
	}
	if got := h.call("P3a=" + hexLE(0x5000)); got != "OK" || env().FSBase != 0x5000 {
		t.Errorf("P fs_base: %q %#x", got, env().FSBase)
	}
	if got := h.call("P39=" + hexLE(7)); got != "OK" {
		t.Errorf("P orig_rax (ignored): %q", got)
	}
	// G round trip: write back a modified block.
	g = h.call("g")
	mod := []byte(g)
	copy(mod[2*8:], hexLE(0xdeadbeef)) // rbx
	if got := h.call("G" + string(mod)); got != "OK" {
		t.Fatalf("G: %q", got)
	}
	if r := regs(); r.RBX != 0xdeadbeef || r.RIP != 0x402000 {
		t.Errorf("after G rbx=%#x rip=%#x", r.RBX, r.RIP)
	}
	if got := h.call("g"); got != string(mod) {
		t.Error("g after G differs")
	}
	if got := h.call("G0"); got != "E01" {
		t.Errorf("G odd: %q", got)
	}
}

func TestTagWord(t *testing.T) {
	var f ptrace.FloatRegisters
	if got := fullTagWord(&f); got != 0xffff {
		t.Errorf("all empty: %#x", got)
	}
	// One valid value (1.0) pushed: TOP=7, physical register 7 valid.
	f.FSW = 7 << 11
	f.FTW = 0x80
	binary.LittleEndian.PutUint64(f.STSpace[0][0:], 1<<63)
	binary.LittleEndian.PutUint16(f.STSpace[0][8:], 0x3fff)
	if got := fullTagWord(&f); got != 0x3fff {
		t.Errorf("one valid: %#x, want 0x3fff", got)
	}
	// A zero in physical register 6 (ST1).
	f.FSW = 6 << 11
	f.FTW = 0xc0
	f.STSpace[1] = f.STSpace[0]
	f.STSpace[0] = [16]byte{}
	if got := fullTagWord(&f); got != 0x1fff {
		t.Errorf("zero+valid: %#x, want 0x1fff", got)
	}
	for _, tw := range []uint16{0xffff, 0x3fff, 0x1fff, 0} {
		back := abridgedTagWord(tw)
		want := uint8(0)
		for i := 0; i < 8; i++ {
			if (tw>>(2*i))&3 != 3 {
				want |= 1 << i
			}
		}
		if back != want {
			t.Errorf("abridged(%#x) = %#x, want %#x", tw, back, want)
		}
	}
}

func TestMemory(t *testing.T) {
	f := newFakeTracer()
	copy(f.pages[0x401000][0xff0:], []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	h := startSession(t, f)
	tests := []struct{ pkt, want string }{
		{"m401ff0,4", "01020304"},
		{"m401ffc,10", "0d0e0f10"}, // short read at the unmapped boundary
		{"m500000,4", "E01"},       // unmapped
		{"m401000,0", ""},
		{"m40100", "E01"},
		{"mzz,1", "E01"},
		{"M401000,2:abcd", "OK"},
		{"m401000,2", "abcd"},
		{"M401000,2:abc", "E01"},
		{"M401000,3:abcd", "E01"},
		{"M500000,1:00", "E01"},
		{"X401000,0:", "OK"},
		{"X401000,4:}]}\x03}\x04}\n", "OK"}, // } # $ * escaped
		{"m401000,4", "7d23242a"},
		{"X401000,5:ab", "E01"},
	}
	for _, tc := range tests {
		if got := h.call(tc.pkt); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.pkt, got, tc.want)
		}
	}
}

func TestBreakpoints(t *testing.T) {
	f := newFakeTracer()
	h := startSession(t, f)
	tests := []struct{ pkt, want string }{
		{"Z0,401010,1", "OK"},
		{"Z0,401010,1", "OK"}, // idempotent
		{"z0,401010,1", "OK"},
		{"z0,401010,1", "OK"}, // absent
		{"Z1,401030,1", "OK"}, // hardware: the same address breakpoints
		{"Z2,404000,4", ""},
		{"Z0,zz,1", "E01"},
		{"Z0,401010", "E01"},
		{"Z0", "E01"},
		{"Z0,401020,1;X3,220127", "OK"},
		{"Z0,401040,1;X3,220101", "E01"}, // opcode 0x01 (float) is not supported
		{"Z0,401040,1;X2,22", "E01"},     // truncated
	}
	for _, tc := range tests {
		if got := h.call(tc.pkt); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.pkt, got, tc.want)
		}
	}
	if bps := f.bpsCopy(); bps[0x401010] || !bps[0x401020] || !bps[0x401030] || bps[0x401040] {
		t.Errorf("breakpoints %v", bps)
	}
}

func TestResumeAndStopReplies(t *testing.T) {
	pid := 0x401640
	thr := fmt.Sprintf("thread:p%x.%x;core:0;", pid, pid)
	regs := "06:" + hexLE(0) + ";07:" + hexLE(0x7ffffffde000) + ";"
	tests := []struct {
		name      string
		qsup      string
		setup     []string
		pkt       string
		stop      fakeStop
		want      string
		wantFlags ptrace.Flags
	}{
		{"breakpoint swbreak", gdbQSupported, []string{"Z0,401100,1"}, "vCont;c:p401640.-1",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, rip: 0x401100},
			"T05swbreak:;" + regs + "10:" + hexLE(0x401100) + ";" + thr,
			ptrace.StopBreakpoint | ptrace.StopSignal | ptrace.StopExit},
		{"breakpoint without swbreak+", "qSupported:multiprocess+", []string{"Z0,401100,1"}, "c",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, rip: 0x401100},
			"T05" + regs + "10:" + hexLE(0x401100) + ";" + thr,
			ptrace.StopBreakpoint | ptrace.StopSignal | ptrace.StopExit},
		{"guest int3 is no swbreak", gdbQSupported, nil, "c",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, rip: 0x401200},
			"T05" + regs + "10:" + hexLE(0x401200) + ";" + thr,
			ptrace.StopBreakpoint | ptrace.StopSignal | ptrace.StopExit},
		{"step plain tid", "qSupported", nil, "vCont;s:401640",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopSingleStep}, rip: 0x401003},
			"T05" + regs + "10:" + hexLE(0x401003) + ";thread:401640;core:0;",
			ptrace.StopBreakpoint | ptrace.StopSignal | ptrace.StopExit | ptrace.StopSingleStep},
		{"s packet", gdbQSupported, nil, "s",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopSingleStep}, rip: 0x401003},
			"T05" + regs + "10:" + hexLE(0x401003) + ";" + thr,
			ptrace.StopBreakpoint | ptrace.StopSignal | ptrace.StopExit | ptrace.StopSingleStep},
		{"step then continue others", gdbQSupported, nil, "vCont;s:p401640.401640;c:p401640.-1",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopSingleStep}, rip: 0x401003},
			"T05" + regs + "10:" + hexLE(0x401003) + ";" + thr,
			ptrace.StopBreakpoint | ptrace.StopSignal | ptrace.StopExit | ptrace.StopSingleStep},
		{"SIGSEGV", gdbQSupported, nil, "vCont;c",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopSignal, A: 11}, rip: 0x401050},
			"T0b" + regs + "10:" + hexLE(0x401050) + ";" + thr,
			ptrace.StopBreakpoint | ptrace.StopSignal | ptrace.StopExit},
		{"SIGUSR1", gdbQSupported, nil, "c",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopSignal, A: 10}},
			"T1e", 0},
		{"SIGBUS", gdbQSupported, nil, "c",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopSignal, A: 7}},
			"T0a", 0},
		{"exit 0 multiprocess", gdbQSupported, nil, "c",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopExit, A: 0}},
			"W00;process:401640", 0},
		{"exit 3 plain", "qSupported", nil, "c",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopExit, A: 3 << 8}},
			"W03", 0},
		{"killed by SIGSEGV", gdbQSupported, nil, "c",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopExit, A: 11}},
			"X0b;process:401640", 0},
		{"resume address", gdbQSupported, nil, "c401500",
			fakeStop{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}},
			"T05" + regs + "10:" + hexLE(0x401500) + ";" + thr, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeTracer()
			f.script = []fakeStop{tc.stop}
			h := startSession(t, f)
			h.call(tc.qsup)
			for _, p := range tc.setup {
				if got := h.call(p); got != "OK" {
					t.Fatalf("%s: %q", p, got)
				}
			}
			got := h.call(tc.pkt)
			if !strings.HasPrefix(got, tc.want) || (len(tc.want) > 4 && got != tc.want) {
				t.Errorf("stop reply %q, want %q", got, tc.want)
			}
			if tc.wantFlags != 0 && f.lastFlags() != tc.wantFlags {
				t.Errorf("flags %v, want %v", f.lastFlags(), tc.wantFlags)
			}
			if got2 := h.call("?"); got2 != got {
				t.Errorf("? after stop = %q, want %q", got2, got)
			}
		})
	}
}

func TestSignalIgnoreAndDeliver(t *testing.T) {
	f := newFakeTracer()
	segv := fakeStop{ev: ptrace.Event{Cause: ptrace.StopSignal, A: 11}}
	f.script = []fakeStop{segv, segv, segv}
	h := startSession(t, f)
	h.call(gdbQSupported)
	base := ptrace.StopBreakpoint | ptrace.StopSignal | ptrace.StopExit
	h.call("vCont;c:p401640.-1")
	if f.lastFlags() != base {
		t.Errorf("first resume %v", f.lastFlags())
	}
	h.call("vCont;C0b:p401640.401640") // pass the SIGSEGV on
	if f.lastFlags() != base {
		t.Errorf("C with the pending signal must deliver: %v", f.lastFlags())
	}
	h.call("c") // discard it
	if f.lastFlags() != base|ptrace.FlagIgnore {
		t.Errorf("plain c after a signal must ignore: %v", f.lastFlags())
	}
}

func TestInitialStopAndThreads(t *testing.T) {
	f := newFakeTracer()
	f.regs.RIP = 0x401020
	h := startSession(t, f)
	if got := h.call("?"); got != "T0506:"+hexLE(0)+";07:"+hexLE(0x7ffffffde000)+";10:"+hexLE(0x401020)+";thread:401640;core:0;" {
		t.Errorf("? = %q", got)
	}
	h.call(gdbQSupported)
	tests := []struct{ pkt, want string }{
		{"Hgp0.0", "OK"},
		{"Hgp401640.401640", "OK"},
		{"Hg401640", "OK"},
		{"Hc-1", "OK"},
		{"Hg5", "E01"},
		{"Hgp5.5", "E01"},
		{"Hx0", "E01"},
		{"qC", "QCp401640.401640"},
		{"qfThreadInfo", "mp401640.401640"},
		{"qsThreadInfo", "l"},
		{"Tp401640.401640", "OK"},
		{"T401640", "OK"},
		{"T7", "E01"},
		{"qAttached:401640", "0"},
		{"qAttached", "0"},
		{"qSymbol::", "OK"},
		{"qTStatus", ""},
		{"qOffsets", "Text=0;Data=0;Bss=0"}, // no AT_ENTRY in the fake auxv: base 0
		{"vMustReplyEmpty", ""},
		{"vCont?", "vCont;c;C;s;S;t;r"},
		{"vCont;rzz,401010:p401640.401640", "E01"},
		{"vCont;c:p401640.zz", "E01"},
		{"vCont;c:5", "E01"},
		{"vCont;", "E01"},
		{"qXfer:threads:read::0,1000", "l<?xml version=\"1.0\"?>\n<threads>\n<thread id=\"p401640.401640\" core=\"0\" name=\"true\"/>\n</threads>\n"},
		{"qXfer:exec-file:read:401640:0,1000", "l/bin/true"},
		{"qXfer:exec-file:read:401640:3,2", "mn/"},
		{"qXfer:exec-file:read:1:0,1000", "E00"},
		{"qXfer:exec-file:read:401640:100,1000", "l"},
		{"qXfer:unknown:read::0,10", ""},
		{"qXfer:features:read:target.xml:zz", "E01"},
		{"qUnknownQuery", ""},
		{"!", ""},
		{"bc", ""},
		{"D;zz", "E01"},
		{"vKill;5", "E01"},
	}
	for _, tc := range tests {
		if got := h.call(tc.pkt); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.pkt, got, tc.want)
		}
	}
}

func TestHostIO(t *testing.T) {
	f := newFakeTracer()
	h := startSession(t, f)
	h.call(gdbQSupported)
	hexs := func(s string) string { return string(appendHexBytes(nil, []byte(s))) }
	if got := h.call("vFile:setfs:401640"); got != "F0" {
		t.Errorf("setfs %q", got)
	}
	fd := h.call("vFile:open:" + hexs("/proc/4200000/exe") + ",0,1c0")
	if fd != "F3" {
		t.Fatalf("open exe: %q", fd)
	}
	got := decoded(t, h.call("vFile:pread:3,4,0"))
	if got != "F4;\x7fELF" {
		t.Errorf("pread: %q", got)
	}
	st := decoded(t, h.call("vFile:fstat:3"))
	if !strings.HasPrefix(st, "F40;") || len(st) != 4+64 {
		t.Fatalf("fstat: %q", st)
	}
	mode := binary.BigEndian.Uint32([]byte(st[4+8:]))
	if mode&0o170000 != 0o100000 {
		t.Errorf("mode %o", mode)
	}
	tests := []struct{ pkt, want string }{
		{"vFile:pread:3,4,100000000", "F0;"},
		{"vFile:close:3", "F0"},
		{"vFile:close:3", "F-1,9"},
		{"vFile:pread:3,4,0", "F-1,9"},
		{"vFile:open:" + hexs("just probing") + ",0,1c0", "F-1,2"},
		{"vFile:open:" + hexs("/proc/4200000/maps") + ",1,1c0", "F-1,d"},
		{"vFile:open:" + hexs("relative/x") + ",201,1c0", "F-1,2"},
		{"vFile:open:" + hexs("/proc/1/environ") + ",0,0", "F-1,2"},
		{"vFile:open:" + hexs("/") + ",1,0", "F-1,15"},
		{"vFile:open:zz,0,0", "E01"},
		{"vFile:open:" + hexs("/bin/true"), "E01"},
		{"vFile:unlink:" + hexs("/proc/4200000/exe"), "F-1,1"},
		{"vFile:pwrite:3,0,abc", "F-1,9"},
		{"vFile:readlink:" + hexs("/proc/4200000/exe"), "F9;/bin/true"},
		{"vFile:readlink:" + hexs("/etc"), "F-1,2"},
		{"vFile:unknown:1", ""},
	}
	for _, tc := range tests {
		if got := h.call(tc.pkt); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.pkt, got, tc.want)
		}
	}
}

func TestCtrlC(t *testing.T) {
	f := newFakeTracer() // no script: Next runs until a signal
	h := startSession(t, f)
	h.call(gdbQSupported)
	h.send("vCont;c:p401640.-1")
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	h.writeRaw("\x03")
	got := h.recv()
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("interrupt took %v", d)
	}
	if !strings.HasPrefix(got, "T02") || !strings.Contains(got, "thread:p401640.401640;") {
		t.Errorf("stop reply %q", got)
	}
	// The SIGINT is discarded by the next plain continue.
	f.setScript(fakeStop{ev: ptrace.Event{Cause: ptrace.StopExit}})
	if got := h.call("c"); got != "W00;process:401640" {
		t.Errorf("exit %q", got)
	}
	if f.lastFlags()&ptrace.FlagIgnore == 0 {
		t.Error("SIGINT not ignored on resume")
	}
	h.conn.Close()
	if o := h.wait(t); o != OutcomeDisconnected {
		t.Errorf("outcome %v", o)
	}
}

func TestDisconnectWhileRunning(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		f := newFakeTracer()
		h := startSession(t, f)
		h.send("c")
		time.Sleep(10 * time.Millisecond)
		h.conn.Close()
		if o := h.wait(t); o != OutcomeDisconnected {
			t.Errorf("outcome %v", o)
		}
		if st, exited := f.ExitStatus(); !exited || st != sigKILL || !f.isClosed() {
			t.Errorf("tracee not killed/closed: %v %v %v", st, exited, f.isClosed())
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func TestKillDetach(t *testing.T) {
	t.Run("k", func(t *testing.T) {
		f := newFakeTracer()
		h := startSession(t, f)
		if got := h.call("k"); got != "X09" {
			t.Errorf("k reply %q", got)
		}
		if o := h.wait(t); o != OutcomeKilled {
			t.Errorf("outcome %v", o)
		}
		if _, exited := f.ExitStatus(); !exited || !f.isClosed() {
			t.Error("k did not kill")
		}
	})
	t.Run("vKill", func(t *testing.T) {
		f := newFakeTracer()
		h := startSession(t, f)
		if got := h.call("vKill;401640"); got != "OK" {
			t.Errorf("vKill %q", got)
		}
		if o := h.wait(t); o != OutcomeKilled {
			t.Errorf("outcome %v", o)
		}
	})
	t.Run("D", func(t *testing.T) {
		f := newFakeTracer()
		h := startSession(t, f)
		h.call("Z0,401010,1")
		if got := h.call("D;401640"); got != "OK" {
			t.Errorf("D %q", got)
		}
		if o := h.wait(t); o != OutcomeDetached {
			t.Errorf("outcome %v", o)
		}
		if len(f.bpsCopy()) != 0 || !f.isClosed() || f.lastFlags()&ptrace.StopMask != 0 {
			t.Errorf("detach: bps %v closed %v flags %v", f.bpsCopy(), f.isClosed(), f.lastFlags())
		}
	})
	t.Run("D at a signal stop", func(t *testing.T) {
		// gdb did not pass the SIGINT: detaching discards it. Redox's
		// FlagIgnore only counts with a stop bit armed, so the discard
		// must be a step with FlagIgnore, then a free run.
		f := newFakeTracer()
		f.script = []fakeStop{
			{ev: ptrace.Event{Cause: ptrace.StopSignal, A: 2}},
			{ev: ptrace.Event{Cause: ptrace.StopSingleStep}},
		}
		h := startSession(t, f)
		if got := h.call("c"); !strings.HasPrefix(got, "T02") {
			t.Fatalf("stop %q", got)
		}
		if got := h.call("D"); got != "OK" {
			t.Errorf("D %q", got)
		}
		if o := h.wait(t); o != OutcomeDetached {
			t.Errorf("outcome %v", o)
		}
		flags := f.flagsCopy()
		n := len(flags)
		if n < 3 || flags[n-2] != ptrace.FlagIgnore|ptrace.StopSingleStep || flags[n-1]&ptrace.StopMask != 0 {
			t.Errorf("detach operations %v, want ...,FlagIgnore|StopSingleStep, then a free run", flags)
		}
	})
	t.Run("disconnect after exit", func(t *testing.T) {
		f := newFakeTracer()
		f.script = []fakeStop{{ev: ptrace.Event{Cause: ptrace.StopExit, A: 0}}}
		h := startSession(t, f)
		if got := h.call("c"); got != "W00" {
			t.Errorf("exit %q", got)
		}
		for _, p := range []string{"g", "m401000,1", "qC", "Tp1.1"} {
			if got := h.call(p); got != "E01" {
				t.Errorf("%s after exit: %q", p, got)
			}
		}
		if got := h.call("c"); got != "W00" {
			t.Errorf("resume after exit %q", got)
		}
		h.conn.Close()
		if o := h.wait(t); o != OutcomeDisconnected {
			t.Errorf("outcome %v", o)
		}
	})
}

func TestSignalTable(t *testing.T) {
	tests := []struct{ linux, gdb int }{
		{2, 2}, {5, 5}, {7, 10}, {10, 30}, {11, 11}, {12, 31}, {17, 20}, {18, 19}, {19, 17},
		{20, 18}, {23, 16}, {29, 23}, {30, 32}, {31, 12}, {32, 77}, {33, 45}, {63, 75}, {16, 143}, {99, 143},
	}
	for _, tc := range tests {
		if got := linuxToGDBSignal(tc.linux); got != tc.gdb {
			t.Errorf("linux %d -> %d, want %d", tc.linux, got, tc.gdb)
		}
		if tc.gdb != 143 {
			if back := gdbToLinuxSignal(tc.gdb); back != tc.linux {
				t.Errorf("gdb %d -> %d, want %d", tc.gdb, back, tc.linux)
			}
		}
	}
}

func TestParseThreadID(t *testing.T) {
	tests := []struct {
		in       string
		pid, tid int64
		bad      bool
	}{
		{"p11b3.-1", 0x11b3, -1, false},
		{"p11b3.11b3", 0x11b3, 0x11b3, false},
		{"p0.0", 0, 0, false},
		{"p11b3", 0x11b3, -1, false},
		{"-1", 0, -1, false},
		{"140e", 0, 0x140e, false},
		{"0", 0, 0, false},
		{"p-1.5", 0, 0, true},
		{"p-1", -1, -1, false},
		{"", 0, 0, true},
		{"pzz.1", 0, 0, true},
		{"-2", 0, 0, true},
		{"p1.", 0, 0, true},
	}
	for _, tc := range tests {
		id, err := parseThreadID(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("%q: err %v", tc.in, err)
			continue
		}
		if !tc.bad && (id.pid != tc.pid || id.tid != tc.tid) {
			t.Errorf("%q: got %+v", tc.in, id)
		}
	}
}

func TestMonitor(t *testing.T) {
	f := newFakeTracer()
	h := startSession(t, f)
	hexs := func(s string) string { return string(appendHexBytes(nil, []byte(s))) }
	h.send("qRcmd," + hexs("help"))
	if got := h.recv(); got != string(consoleOutput(monitorHelp)) {
		t.Errorf("help output %q", got)
	}
	if got := h.recv(); got != "OK" {
		t.Errorf("help reply %q", got)
	}
	h.send("qRcmd," + hexs("frobnicate"))
	if got := h.recv(); !strings.HasPrefix(got, "O") {
		t.Errorf("unknown command output %q", got)
	}
	h.recv()
	if got := h.call("qRcmd,zz"); got != "E01" {
		t.Errorf("bad hex %q", got)
	}
	if got := h.call("qRcmd," + hexs("exit")); got != "OK" {
		t.Errorf("exit %q", got)
	}
	if o := h.wait(t); o != OutcomeKilled {
		t.Errorf("outcome %v", o)
	}
	if !f.isClosed() {
		t.Error("session not closed")
	}
}

func TestSiginfo(t *testing.T) {
	f := newFakeTracer()
	f.tids = []int{0x401640, 0x401641}
	f.script = []fakeStop{
		{ev: ptrace.Event{Cause: ptrace.StopSignal, A: 11}, rip: 0x401050,
			info: ptrace.StopInfo{Tid: 0x401641, Signo: 11, SigCode: 1, SigAddr: 0xdead}},
		{ev: ptrace.Event{Cause: ptrace.StopSingleStep}, rip: 0x401052,
			info: ptrace.StopInfo{Tid: 0x401640}},
	}
	h := startSession(t, f)
	if got := h.call(gdbQSupported); !strings.Contains(got, "qXfer:siginfo:read+") {
		t.Errorf("siginfo not offered: %q", got)
	}
	got := h.call("c")
	if !strings.Contains(got, "thread:p401640.401641;") {
		t.Errorf("stop not on the faulting thread: %q", got)
	}
	si := decoded(t, h.call("qXfer:siginfo:read::0,80"))
	if len(si) != 1+siginfoSize || si[0] != 'l' {
		t.Fatalf("siginfo %q", si)
	}
	b := []byte(si[1:])
	if binary.LittleEndian.Uint32(b) != 11 || binary.LittleEndian.Uint32(b[8:]) != 1 || binary.LittleEndian.Uint64(b[16:]) != 0xdead {
		t.Errorf("siginfo fields % x", b[:24])
	}
	h.call("s")
	b = []byte(decoded(t, h.call("qXfer:siginfo:read::0,80"))[1:])
	if binary.LittleEndian.Uint32(b) != 5 || binary.LittleEndian.Uint32(b[8:]) != trapTrace || binary.LittleEndian.Uint64(b[16:]) != 0x401052 {
		t.Errorf("step siginfo fields % x", b[:24])
	}
	if got := h.call("qXfer:siginfo:read:x:0,80"); got != "E01" {
		t.Errorf("annex: %q", got)
	}
}

// TestStopSelectsThread: after a stop reply gdb reads registers with g
// without sending Hg first; like gdbserver, the stub must answer for the
// thread that stopped, not for the thread an earlier Hg selected.
func TestStopSelectsThread(t *testing.T) {
	f := newFakeTracer()
	f.tids = []int{0x401640, 0x401641}
	f.script = []fakeStop{
		{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, rip: 0x401050,
			info: ptrace.StopInfo{Tid: 0x401641}},
	}
	h := startSession(t, f)
	h.call(gdbQSupported)
	if got := h.call("Hgp401640.401640"); got != "OK" {
		t.Fatalf("Hg: %q", got)
	}
	h.call("g")
	if got := f.lastRegsTid(); got != 0x401640 {
		t.Fatalf("g after Hg read thread %#x", got)
	}
	if got := h.call("c"); !strings.Contains(got, "thread:p401640.401641;") {
		t.Fatalf("stop reply %q", got)
	}
	h.call("g")
	if got := f.lastRegsTid(); got != 0x401641 {
		t.Errorf("g after the stop read thread %#x, want the stopped thread 0x401641", got)
	}
}

func TestKillWithoutMultiprocess(t *testing.T) {
	f := newFakeTracer()
	h := startSession(t, f)
	h.call("qSupported:swbreak+")
	if got := h.call("vKill;a410"); got != "OK" { // gdb's magic pid 42000
		t.Errorf("vKill %q", got)
	}
	if o := h.wait(t); o != OutcomeKilled {
		t.Errorf("outcome %v", o)
	}
}

func TestRangeStep(t *testing.T) {
	step := func(rip uint64) fakeStop {
		return fakeStop{ev: ptrace.Event{Cause: ptrace.StopSingleStep}, rip: rip}
	}
	tests := []struct {
		name   string
		script []fakeStop
		want   string // prefix and rip of the reply
		rip    uint64
		nexts  int
	}{
		{"leaves the range", []fakeStop{step(0x401003), step(0x401006), step(0x401010)}, "T0506:", 0x401010, 3},
		{"jumps backwards out", []fakeStop{step(0x400ff0)}, "T0506:", 0x400ff0, 1},
		{"breakpoint inside", []fakeStop{step(0x401003), {ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, rip: 0x401006}}, "T05swbreak:;", 0x401006, 2},
		{"signal inside", []fakeStop{step(0x401003), {ev: ptrace.Event{Cause: ptrace.StopSignal, A: 2}}}, "T02", 0x401003, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeTracer()
			f.script = tc.script
			h := startSession(t, f)
			h.call(gdbQSupported)
			h.call("Z0,401006,1")
			got := h.call("vCont;r401000,401010:p401640.401640;c:p401640.-1")
			if !strings.HasPrefix(got, tc.want) || !strings.Contains(got, "10:"+hexLE(tc.rip)+";") {
				t.Errorf("reply %q, want %s... rip %#x", got, tc.want, tc.rip)
			}
			flags := f.flagsCopy()
			if len(flags) != tc.nexts {
				t.Errorf("%d Next calls, want %d", len(flags), tc.nexts)
			}
			for _, fl := range flags {
				if fl&ptrace.StopSingleStep == 0 {
					t.Errorf("range step without StopSingleStep: %v", fl)
				}
			}
		})
	}
}

func TestKeepOnDisconnect(t *testing.T) {
	f := newFakeTracer()
	s := NewSession(f, Config{KeepOnDisconnect: true})
	c1, c2 := net.Pipe()
	done := make(chan Outcome, 1)
	go func() { o, _ := s.Serve(c1); done <- o }()
	cl := &client{t: t, conn: c2, r: bufio.NewReader(c2)}
	if got := cl.call("Z0,401010,1"); got != "OK" {
		t.Fatal(got)
	}
	c2.Close()
	if o := <-done; o != OutcomeDisconnected {
		t.Errorf("outcome %v", o)
	}
	if f.isClosed() || len(f.bpsCopy()) != 0 {
		t.Errorf("closed %v breakpoints %v", f.isClosed(), f.bpsCopy())
	}
	if _, exited := f.ExitStatus(); exited {
		t.Error("process killed")
	}
	// A second session takes over the stopped process.
	h := startSession(t, f)
	if got := h.call("?"); !strings.HasPrefix(got, "T05") {
		t.Errorf("? in second session: %q", got)
	}
}

func TestSignalInjection(t *testing.T) {
	base := ptrace.StopBreakpoint | ptrace.StopSignal | ptrace.StopExit
	t.Run("from a breakpoint", func(t *testing.T) {
		f := newFakeTracer()
		f.script = []fakeStop{{ev: ptrace.Event{Cause: ptrace.StopExit, A: 10}}} // killed by SIGUSR1
		h := startSession(t, f)
		h.call(gdbQSupported)
		if got := h.call("vCont;C1e:p401640.401640"); got != "X1e;process:401640" {
			t.Errorf("reply %q", got)
		}
		flags := f.flagsCopy()
		if len(flags) != 2 || flags[0] != base || flags[1] != base {
			t.Errorf("Next calls %v, want the injected stop resumed without ignore", flags)
		}
	})
	t.Run("replacing a pending signal", func(t *testing.T) {
		f := newFakeTracer()
		f.script = []fakeStop{{ev: ptrace.Event{Cause: ptrace.StopSignal, A: 11}}, {ev: ptrace.Event{Cause: ptrace.StopExit, A: 10}}}
		h := startSession(t, f)
		h.call(gdbQSupported)
		h.call("c")
		if got := h.call("C1e"); got != "X1e;process:401640" {
			t.Errorf("reply %q", got)
		}
		flags := f.flagsCopy()
		if len(flags) != 3 || flags[1] != base|ptrace.FlagIgnore || flags[2] != base {
			t.Errorf("Next calls %v: SIGSEGV discarded, SIGUSR1 delivered", flags)
		}
	})
}
