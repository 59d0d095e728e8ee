package rsp

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// lldbQSupported is what lldb 14 sends (captured with "log enable
// gdb-remote packets").
const lldbQSupported = "qSupported:xmlRegisters=i386,arm,mips,arc;multiprocess+;fork-events+;vfork-events+"

// lldbConnect does what lldb 14 does first on "gdb-remote".
func lldbConnect(t *testing.T, h *harness) {
	t.Helper()
	for _, p := range []string{lldbQSupported, "QThreadSuffixSupported", "QListThreadsInStopReply"} {
		if got := h.call(p); p != lldbQSupported && got != "OK" {
			t.Fatalf("%s: %q", p, got)
		}
	}
}

func TestLLDBSupported(t *testing.T) {
	lldbOnly := []string{"native-signals+", "QThreadSuffixSupported+", "QListThreadsInStopReply+",
		"qXfer:libraries-svr4:read+"}
	for _, tc := range []struct {
		pkt  string
		lldb bool
	}{
		{lldbQSupported, true},
		{gdbQSupported, false},
		{"qSupported", false},
	} {
		s := NewSession(newFakeTracer(), Config{})
		got := string(s.handle([]byte(tc.pkt)).reply)
		for _, f := range lldbOnly {
			if strings.Contains(got, f) != tc.lldb {
				t.Errorf("%s: reply %q: %s offered = %v, want %v", tc.pkt, got, f, !tc.lldb, tc.lldb)
			}
		}
	}
}

func TestLLDBPackets(t *testing.T) {
	f := newFakeTracer()
	f.mapPage(0x7ffffffde000) // the stack page (RSP), named [stack]
	h := startSession(t, f)
	lldbConnect(t, h)
	regs := h.call("g")
	ripHex := hexLE(0x401000)
	tests := []struct {
		pkt, want string
	}{
		{"qHostInfo", "triple:" + lldbHex("x86_64-pc-linux-gnu") + ";ptrsize:8;endian:little;ostype:linux;vendor:pc;watchpoint_exceptions_received:after;"},
		{"qProcessInfo", "pid:401640;parent-pid:1;real-uid:3e8;real-gid:64;effective-uid:3e8;effective-gid:64;triple:" +
			lldbHex("x86_64-pc-linux-gnu") + ";ostype:linux;endian:little;ptrsize:8;"},
		{"qGetWorkingDir", lldbHex("/work")},
		// The initial stop is lldb-server's SIGSTOP, in Linux numbering
		// (native-signals).
		{"?", "T1306:" + hexLE(0) + ";07:" + hexLE(0x7ffffffde000) + ";10:" + ripHex +
			";thread:p401640.401640;core:0;hexname:" + lldbHex("true") + ";threads:401640;thread-pcs:401000;reason:signal;"},
		{"qThreadStopInfo401640", "T1306:" + hexLE(0) + ";07:" + hexLE(0x7ffffffde000) + ";10:" + ripHex +
			";thread:p401640.401640;core:0;hexname:" + lldbHex("true") + ";threads:401640;thread-pcs:401000;reason:signal;"},
		{"qThreadStopInfo99", "E01"},
		{"qThreadStopInfozz", "E01"},
		// Regions: mapped (permissions, name), holes without permissions.
		{"qMemoryRegionInfo", "OK"},
		{"qMemoryRegionInfo:0", "start:0;size:400000;"},
		{"qMemoryRegionInfo:400fff", "start:400000;size:1000;permissions:rw;flags:;"},
		{"qMemoryRegionInfo:401abc", "start:401000;size:1000;permissions:rx;flags:;"},
		{"qMemoryRegionInfo:402000", "start:402000;size:7fffffbdc000;"},
		{"qMemoryRegionInfo:7ffffffde008", "start:7ffffffde000;size:1000;permissions:rw;flags:;name:" + lldbHex("[stack]") + ";"},
		{"qMemoryRegionInfo:7ffffffdf000", "start:7ffffffdf000;size:ffff800000021000;"},
		{"qMemoryRegionInfo:xyz", "E01"},
		// Register descriptions (when lldb does not use target.xml).
		{"qRegisterInfo0", "name:rax;bitsize:64;offset:0;encoding:uint;format:hex;set:General Purpose Registers;ehframe:0;dwarf:0;"},
		{"qRegisterInfo5", "name:rdi;bitsize:64;offset:40;encoding:uint;format:hex;set:General Purpose Registers;ehframe:5;dwarf:5;generic:arg1;"},
		{"qRegisterInfo10", "name:rip;bitsize:64;offset:128;encoding:uint;format:hex;set:General Purpose Registers;ehframe:16;dwarf:16;generic:pc;"},
		{"qRegisterInfo11", "name:eflags;bitsize:32;offset:136;encoding:uint;format:hex;set:General Purpose Registers;ehframe:49;dwarf:49;generic:flags;"},
		{"qRegisterInfo18", "name:st0;bitsize:80;offset:164;encoding:vector;format:vector-uint8;set:Floating Point Registers;ehframe:33;dwarf:33;"},
		{"qRegisterInfo20", "name:fctrl;bitsize:32;offset:244;encoding:uint;format:hex;set:Floating Point Registers;ehframe:65;dwarf:65;"},
		{"qRegisterInfo22", "name:ftag;bitsize:32;offset:252;encoding:uint;format:hex;set:Floating Point Registers;"},
		{"qRegisterInfo28", "name:xmm0;bitsize:128;offset:276;encoding:vector;format:vector-uint8;set:SSE Registers;ehframe:17;dwarf:17;"},
		{"qRegisterInfo3b", "name:gs_base;bitsize:64;offset:552;encoding:uint;format:hex;set:General Purpose Registers;ehframe:59;dwarf:59;"},
		{"qRegisterInfo3c", "E45"},
		{"qRegisterInfoq", "E01"},
		// The thread suffix selects the thread of register packets.
		{"p10;thread:401640;", ripHex},
		{"p10;thread:p401640.401640;", ripHex},
		{"p10;thread:99;", "E01"},
		{"p10;thread:zz;", "E01"},
		{"g;thread:401640;", regs},
		{"P10=" + hexLE(0x401004) + ";thread:401640;", "OK"},
		{"p10;thread:401640;", hexLE(0x401004)},
		{"P10=" + ripHex + ";thread:401640;", "OK"},
		// No watchpoints in this fake.
		{"qWatchpointSupportInfo:", ""},
		{"jThreadExtendedInfo:", ""},
		{"qXfer:libraries-svr4:read::0,fff", `l<library-list-svr4 version="1.0"><library name="/bin/true" lm="0x0" l_addr="0x0" l_ld="0x0"/></library-list-svr4>`},
		{"qXfer:libraries-svr4:read:x:0,fff", "E00"},
		{"k", "X09;process:401640"},
	}
	for _, tc := range tests {
		if got := h.call(tc.pkt); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.pkt, got, tc.want)
		}
	}
}

func TestLLDBAllocate(t *testing.T) {
	f := newFakeTracer()
	h := startSession(t, f)
	lldbConnect(t, h)
	a1 := h.call("_M1000,rwx")
	a2 := h.call("_M10,rx")
	if a1 != "7ffff7ffe000" || a2 != "7ffff7ffd000" {
		t.Fatalf("allocations at %q and %q", a1, a2)
	}
	for _, tc := range []struct{ pkt, want string }{
		{"M7ffff7ffd000,2:c3c3", "OK"},
		{"m7ffff7ffd000,2", "c3c3"},
		{"_m" + a2, "OK"},
		{"m7ffff7ffd000,2", "E01"}, // unmapped again
		{"_m" + a2, "E01"},         // not allocated any more
		{"_m401000", "E01"},        // never allocated
		{"_mzz", "E01"},
		{"_M0,rw", "E01"},
		{"_M10,rq", "E01"},
		{"_M10", "E01"},
		{"_m" + a1, "OK"},
	} {
		if got := h.call(tc.pkt); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.pkt, got, tc.want)
		}
	}
}

func TestLLDBSaveRestoreRegisters(t *testing.T) {
	f := newFakeTracer()
	f.fregs.XMMSpace[0][0] = 0x11
	h := startSession(t, f)
	lldbConnect(t, h)
	id := h.call("QSaveRegisterState;thread:401640;")
	if id != "1" {
		t.Fatalf("save id %q", id)
	}
	// An expression call changes registers...
	for _, p := range []string{"P10=" + hexLE(0x7ffff7ffe000) + ";thread:401640;", "P5=" + hexLE(2) + ";thread:401640;",
		"P28=ffeeddccbbaa99887766554433221100;thread:401640;"} {
		if got := h.call(p); got != "OK" {
			t.Fatalf("%s: %q", p, got)
		}
	}
	// ...and the restore brings them all back, once.
	for _, tc := range []struct{ pkt, want string }{
		{"QRestoreRegisterState:1;thread:401640;", "OK"},
		{"p10", hexLE(0x401000)},
		{"p5", hexLE(0)},
		{"p28", "11000000000000000000000000000000"},
		{"QRestoreRegisterState:1;thread:401640;", "E01"},
		{"QRestoreRegisterState:x", "E01"},
		{"QSaveRegisterState", "2"},
		{"QSaveRegisterState;thread:77;", "E01"},
	} {
		if got := h.call(tc.pkt); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.pkt, got, tc.want)
		}
	}
}

func TestLLDBStopReplies(t *testing.T) {
	tests := []struct {
		name  string
		tids  []int
		stop  fakeStop
		bp    bool   // set a Z0 at the stop address first
		want  string // the reply must contain it
		check func(t *testing.T, reply string)
	}{
		{name: "breakpoint", stop: fakeStop{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, rip: 0x401010,
			info: ptrace.StopInfo{Tid: 0x401640}}, bp: true, want: ";reason:breakpoint;"},
		{name: "step", stop: fakeStop{ev: ptrace.Event{Cause: ptrace.StopSingleStep}, rip: 0x401002,
			info: ptrace.StopInfo{Tid: 0x401640}}, want: "thread-pcs:401002;reason:trace;"},
		// SIGSEGV is 11 in both numberings; SIGUSR1 (Linux 10) shows that
		// signals are Linux numbers for lldb (GDB's would be 1e).
		{name: "signal", stop: fakeStop{ev: ptrace.Event{Cause: ptrace.StopSignal, A: 10},
			info: ptrace.StopInfo{Tid: 0x401640, Signo: 10}}, want: "T0a06:"},
		{name: "exit", stop: fakeStop{ev: ptrace.Event{Cause: ptrace.StopExit, A: 3 << 8}}, want: "W03;process:401640"},
		{name: "killed", stop: fakeStop{ev: ptrace.Event{Cause: ptrace.StopExit, A: 10}}, want: "X0a;process:401640"},
		{name: "threads", tids: []int{0x401640, 0x401641}, stop: fakeStop{ev: ptrace.Event{Cause: ptrace.StopBreakpoint},
			rip: 0x401010, info: ptrace.StopInfo{Tid: 0x401641}}, bp: true,
			want: "thread:p401640.401641;core:0;hexname:" + lldbHex("true") + ";threads:401640,401641;thread-pcs:401010,401010;jstopinfo:",
			check: func(t *testing.T, reply string) {
				_, js, _ := strings.Cut(reply, "jstopinfo:")
				js, _, _ = strings.Cut(js, ";")
				raw, err := decodeHexBytes(js)
				if err != nil {
					t.Fatalf("jstopinfo %q: %v", js, err)
				}
				var infos []threadInfo
				if err := json.Unmarshal(raw, &infos); err != nil {
					t.Fatalf("jstopinfo %s: %v", raw, err)
				}
				want := []threadInfo{{Tid: 0x401640, Name: "true"}, {Tid: 0x401641, Name: "true", Reason: "breakpoint", Signal: 5}}
				if fmt.Sprint(infos) != fmt.Sprint(want) {
					t.Errorf("jstopinfo %+v, want %+v", infos, want)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeTracer()
			if tc.tids != nil {
				f.tids = tc.tids
			}
			h := startSession(t, f)
			lldbConnect(t, h)
			h.call("?")
			if tc.bp {
				h.call(fmt.Sprintf("Z0,%x,1", tc.stop.rip))
			}
			f.setScript(tc.stop)
			got := h.call("c")
			if !strings.Contains(got, tc.want) {
				t.Errorf("stop reply %q lacks %q", got, tc.want)
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

func TestLLDBThreadsInfo(t *testing.T) {
	f := newFakeTracer()
	f.tids = []int{0x401640, 0x401641}
	h := startSession(t, f)
	lldbConnect(t, h)
	h.call("?")
	raw := decoded(t, h.call("jThreadsInfo"))
	var infos []threadInfo
	if err := json.Unmarshal([]byte(raw), &infos); err != nil {
		t.Fatalf("jThreadsInfo %q: %v", raw, err)
	}
	regs := map[string]string{"6": hexLE(0), "7": hexLE(0x7ffffffde000), "16": hexLE(0x401000)}
	want := []threadInfo{{Tid: 0x401640, Name: "true", Reason: "signal", Signal: 19, Registers: regs},
		{Tid: 0x401641, Name: "true", Registers: regs}}
	if fmt.Sprint(infos) != fmt.Sprint(want) {
		t.Errorf("jThreadsInfo %+v, want %+v", infos, want)
	}
}

// The initial stop is a SIGSTOP for lldb, which passes it back when it
// resumes: that must not deliver a signal. gdb keeps its SIGTRAP.
func TestLLDBInitialStop(t *testing.T) {
	for _, tc := range []struct {
		name    string
		connect func(t *testing.T, h *harness)
		stop    string
		resume  string
	}{
		{"lldb", lldbConnect, "T13", "vCont;S13:401640"},
		{"gdb", func(t *testing.T, h *harness) { h.call(gdbQSupported) }, "T05", "vCont;s:p401640.401640"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeTracer()
			h := startSession(t, f)
			tc.connect(t, h)
			if got := h.call("?"); !strings.HasPrefix(got, tc.stop) {
				t.Fatalf("initial stop %q, want %s", got, tc.stop)
			}
			f.setScript(fakeStop{ev: ptrace.Event{Cause: ptrace.StopSingleStep}, rip: 0x401002, info: ptrace.StopInfo{Tid: 0x401640}})
			if got := h.call(tc.resume); !strings.HasPrefix(got, "T05") {
				t.Errorf("step: %q", got)
			}
			select {
			case sig := <-f.kills:
				t.Errorf("signal %d injected on resume", sig)
			default:
			}
		})
	}
}

// Ctrl-C stops the process with SIGSTOP for lldb (as lldb-server does).
func TestLLDBInterrupt(t *testing.T) {
	f := newFakeTracer() // no script: Next runs until a signal
	h := startSession(t, f)
	lldbConnect(t, h)
	h.call("?")
	h.send("c")
	h.writeRaw("\x03")
	if got := h.recv(); !strings.HasPrefix(got, "T13") || !strings.Contains(got, "reason:signal;") {
		t.Errorf("stop reply %q", got)
	}
	// lldb resumes without the signal: it is not delivered.
	f.setScript(fakeStop{ev: ptrace.Event{Cause: ptrace.StopExit}})
	if got := h.call("c"); got != "W00;process:401640" {
		t.Errorf("exit %q", got)
	}
	if f.lastFlags()&ptrace.FlagIgnore == 0 {
		t.Error("SIGSTOP not discarded on resume")
	}
}

func TestLLDBWatchpointSupport(t *testing.T) {
	w := &watchTracer{fakeTracer: newFakeTracer(), watches: map[fakeWatch]bool{}}
	s := NewSession(w, Config{})
	s.handle([]byte(lldbQSupported))
	if got := string(s.handle([]byte("qWatchpointSupportInfo:")).reply); got != "num:4;" {
		t.Errorf("qWatchpointSupportInfo: %q", got)
	}
}

// lldbTraffic are packets lldb 14 sent to the stub (log enable gdb-remote
// packets), the seeds of FuzzLLDBPacket.
var lldbTraffic = []string{
	lldbQSupported, "QThreadSuffixSupported", "QListThreadsInStopReply", "qHostInfo", "vCont?",
	"qVAttachOrWaitSupported", "QEnableErrorStrings", "qProcessInfo", "?", "qXfer:features:read:target.xml:0,1ffff",
	"p0;thread:401640;", "qStructuredDataPlugins", "qXfer:auxv:read::0,1ffff", "qXfer:libraries-svr4:read::0,1ffff",
	"qSymbol::", "qMemoryRegionInfo:0", "qMemoryRegionInfo:7ffff7ffd030", "Z0,40102b,1", "z0,40102b,1",
	"vCont;S13:401640", "x0,0", "x7fffffffe800,200", "jThreadsInfo", "jThreadExtendedInfo:", "qShlibInfoAddr",
	"_M1000,rwx", "_M81000,rw", "_m7ffff7ffe000", "QSaveRegisterState;thread:401640;",
	"P5=20d0fff7ff7f0000;thread:401640;", "QRestoreRegisterState:1;thread:401640;", "p10;thread:401640;",
	"M7ffff7ffd030,8:1070400000000000", "qWatchpointSupportInfo:", "Z2,407148,8", "qThreadStopInfo401640",
	"qRegisterInfo0", "qRegisterInfo3c", "g;thread:401640;", "G" + strings.Repeat("00", gSize) + ";thread:401640;",
	"qGetWorkingDir", "vCont;s:401640", "c", "k",
}

func FuzzLLDBPacket(f *testing.F) {
	for _, p := range lldbTraffic {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, pkt []byte) {
		ft := newFakeTracer()
		ft.fuzz = true
		s := NewSession(ft, Config{})
		for _, p := range []string{lldbQSupported, "QThreadSuffixSupported", "QListThreadsInStopReply", "?"} {
			s.handle([]byte(p))
		}
		for i := 0; i < 2; i++ { // twice: the first may change state
			r := s.handle(pkt)
			if r.resume != nil {
				r.reply = s.stopReply(ft.Next(s.resumeFlags(*r.resume)))
			}
			if r.resume == nil && r.reply == nil && !r.noReply {
				t.Fatalf("%q: no reply", pkt)
			}
			fr := DecodePacket(encodePacket(r.reply))
			if len(fr) != 1 || fr[0].kind != framePacket {
				t.Fatalf("%q: reply %q does not frame", pkt, r.reply)
			}
			if s.lldb.suffixTid != 0 && !strings.Contains(string(pkt), ";thread:") {
				t.Fatalf("%q: a thread suffix was taken from a packet without one", pkt)
			}
		}
		s.files.closeAll()
	})
}

// lldb gets target.xml with its register sets and numbers; gdb the plain
// description.
func TestLLDBTargetXML(t *testing.T) {
	for _, tc := range []struct {
		qSupported string
		lldb       bool
	}{{lldbQSupported, true}, {gdbQSupported, false}} {
		s := NewSession(newFakeTracer(), Config{})
		s.handle([]byte(tc.qSupported))
		doc := string(s.handle([]byte("qXfer:features:read:target.xml:0,ffff")).reply)
		if !strings.HasPrefix(doc, "l<?xml") {
			t.Fatalf("target.xml: %.40q", doc)
		}
		for _, attr := range []string{
			`<reg name="rip" bitsize="64" type="code_ptr" regnum="16" group="General Purpose Registers" ehframe_regnum="16" dwarf_regnum="16" generic="pc"/>`,
			`<reg name="eflags" bitsize="32" type="i386_eflags" regnum="17" group="General Purpose Registers" ehframe_regnum="49" dwarf_regnum="49" generic="flags" altname="rflags"/>`,
			`<reg name="xmm15" bitsize="128" type="vec128" regnum="55" group="Floating Point Registers" ehframe_regnum="32" dwarf_regnum="32"/>`,
		} {
			if strings.Contains(doc, attr) != tc.lldb {
				t.Errorf("%s: target.xml has %s: %v", tc.qSupported, attr, !tc.lldb)
			}
		}
		if got := strings.Count(doc, "<reg "); got != len(regTable) {
			t.Errorf("%d registers, want %d", got, len(regTable))
		}
	}
}

// The ";thread:TID;" suffix picks the thread for that packet only.
func TestLLDBThreadSuffix(t *testing.T) {
	f := newFakeTracer()
	f.tids = []int{0x401640, 0x401641}
	h := startSession(t, f)
	lldbConnect(t, h)
	h.call("?")
	for _, tc := range []struct {
		pkt string
		tid int
	}{
		{"p10;thread:401641;", 0x401641},
		{"p10", 0x401640}, // no suffix: the stopped thread again
		{"g;thread:p401640.401641;", 0x401641},
		{"QSaveRegisterState;thread:401641;", 0x401641},
		{"p7;thread:401640;", 0x401640},
	} {
		if got := h.call(tc.pkt); strings.HasPrefix(got, "E") {
			t.Errorf("%q: %q", tc.pkt, got)
		}
		if got := f.lastRegsTid(); got != tc.tid {
			t.Errorf("%q read thread %#x, want %#x", tc.pkt, got, tc.tid)
		}
	}
	// Without QThreadSuffixSupported the suffix is not taken.
	s := NewSession(newFakeTracer(), Config{})
	s.handle([]byte(gdbQSupported))
	if got := string(s.handle([]byte("p10;thread:401640;")).reply); got != "E01" {
		t.Errorf("suffix without negotiation: %q", got)
	}
}

// A tracer without the optional capabilities gets empty replies (lldb then
// does without: no regions, no _M, so expressions use the IR interpreter).
func TestLLDBWithoutCapabilities(t *testing.T) {
	s := NewSession(struct{ Tracer }{newFakeTracer()}, Config{})
	s.handle([]byte(lldbQSupported))
	for _, tc := range []struct{ pkt, want string }{
		{"qMemoryRegionInfo:401000", ""},
		{"_M1000,rwx", ""},
		{"_m1000", ""},
		{"qGetWorkingDir", ""},
		{"qWatchpointSupportInfo:", ""},
		{"qProcessInfo", "pid:401640;triple:" + lldbHex("x86_64-pc-linux-gnu") + ";ostype:linux;endian:little;ptrsize:8;"},
		{"qXfer:libraries-svr4:read::0,fff", ""},
	} {
		if got := string(s.handle([]byte(tc.pkt)).reply); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.pkt, got, tc.want)
		}
	}
	if got := string(s.handle([]byte(lldbQSupported)).reply); strings.Contains(got, "libraries-svr4") {
		t.Errorf("libraries-svr4 offered without an executable: %q", got)
	}
}
