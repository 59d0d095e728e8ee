package rsp

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

type fakeWatch struct {
	Addr, Len uint64
	Kind      ptrace.WatchKind
}

// watchTracer is the fake tracer with data watchpoints.
type watchTracer struct {
	*fakeTracer
	wmu     sync.Mutex
	watches map[fakeWatch]bool
}

func (w *watchTracer) SetWatchpoint(addr, n uint64, kind ptrace.WatchKind) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	w.watches[fakeWatch{addr, n, kind}] = true
	return nil
}

func (w *watchTracer) ClearWatchpoint(addr, n uint64, kind ptrace.WatchKind) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	delete(w.watches, fakeWatch{addr, n, kind})
	return nil
}

func (w *watchTracer) armed() []string {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	var out []string
	for k := range w.watches {
		out = append(out, fmt.Sprintf("%v %#x+%d", k.Kind, k.Addr, k.Len))
	}
	return out
}

var _ Watchpointer = (*watchTracer)(nil)

// startWatchSession is startSession for a watchTracer.
func startWatchSession(t *testing.T) (*harness, *watchTracer) {
	t.Helper()
	w := &watchTracer{fakeTracer: newFakeTracer(), watches: map[fakeWatch]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := NewSession(w, Config{KillTimeout: time.Second})
	h := &harness{f: w.fakeTracer, s: s, outcome: make(chan Outcome, 1)}
	dc := make(chan net.Conn, 1)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			c = nil
		}
		dc <- c
	}()
	sconn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	conn := <-dc
	if conn == nil {
		t.Fatal("dial failed")
	}
	go func() {
		o, _ := s.Serve(sconn)
		h.outcome <- o
	}()
	h.client = &client{t: t, conn: conn, r: bufio.NewReader(conn)}
	t.Cleanup(func() { conn.Close() })
	h.call(gdbQSupported)
	return h, w
}

func TestWatchpointPackets(t *testing.T) {
	h, w := startWatchSession(t)
	for _, tc := range []struct{ pkt, want string }{
		{"Z2,404000,4", "OK"},
		{"Z2,404000,4", "OK"}, // duplicate
		{"Z3,404001,1", "OK"},
		{"Z4,404ff8,1000", "OK"}, // 4 KiB, unaligned, crosses a page
		{"Z2,404000", "E01"},
		{"Z2,zz,4", "E01"},
		{"Z2,404000,0", "E01"},
		{"Z2,404000,q", "E01"},
		{"Z5,404000,4", ""},
		{"z3,404001,1", "OK"},
		{"z3,404001,1", "OK"}, // absent
		{"z2,500000,8", "OK"}, // never set
	} {
		if got := h.call(tc.pkt); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.pkt, got, tc.want)
		}
	}
	got := strings.Join(w.armed(), ",")
	want1 := "write 0x404000+4,access 0x404ff8+4096"
	want2 := "access 0x404ff8+4096,write 0x404000+4"
	if got != want1 && got != want2 {
		t.Errorf("armed %q, want %q", got, want1)
	}
}

func TestWatchpointStopReplies(t *testing.T) {
	stop := func(cause ptrace.Flags, kind ptrace.WatchKind) fakeStop {
		return fakeStop{ev: ptrace.Event{Cause: cause}, rip: 0x401007,
			info: ptrace.StopInfo{Tid: 0x401640, WatchAddr: 0x404010, WatchKind: kind}}
	}
	for _, tc := range []struct {
		name   string
		pkt    string
		script []fakeStop
		want   string
		nexts  int
	}{
		{"write", "c", []fakeStop{stop(ptrace.StopBreakpoint, ptrace.WatchWrite)}, "T05watch:404010;06:", 1},
		{"read", "c", []fakeStop{stop(ptrace.StopBreakpoint, ptrace.WatchRead)}, "T05rwatch:404010;06:", 1},
		{"access", "vCont;c", []fakeStop{stop(ptrace.StopBreakpoint, ptrace.WatchAccess)}, "T05awatch:404010;06:", 1},
		{"single step", "s", []fakeStop{stop(ptrace.StopSingleStep, ptrace.WatchWrite)}, "T05watch:404010;06:", 1},
		// A range step stops at a watchpoint hit inside the range.
		{"range step", "vCont;r401000,401010:p401640.401640;c:p401640.-1", []fakeStop{
			{ev: ptrace.Event{Cause: ptrace.StopSingleStep}, rip: 0x401003},
			stop(ptrace.StopSingleStep, ptrace.WatchWrite)}, "T05watch:404010;06:", 2},
		{"breakpoint without watch", "c", []fakeStop{{ev: ptrace.Event{Cause: ptrace.StopBreakpoint}, rip: 0x401007,
			info: ptrace.StopInfo{Tid: 0x401640}}}, "T05swbreak:;06:", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, w := startWatchSession(t)
			h.call("Z0,401007,1")
			w.setScript(tc.script...)
			got := h.call(tc.pkt)
			if !strings.HasPrefix(got, tc.want) || !strings.Contains(got, "10:"+hexLE(0x401007)+";") ||
				strings.Count(got, "watch:")+strings.Count(got, "swbreak:") != 1 {
				t.Errorf("reply %q, want %s... with one stop reason and PC 0x401007", got, tc.want)
			}
			if n := len(w.flagsCopy()); n != tc.nexts {
				t.Errorf("%d Next calls, want %d", n, tc.nexts)
			}
			if got2 := h.call("?"); got2 != got {
				t.Errorf("? = %q, want the same stop %q", got2, got)
			}
		})
	}
}

// FuzzWatchpointPacket feeds Z/z watchpoint packets (seeded from gdb 13.1's
// traffic: watch/rwatch/awatch on 4- and 8-byte variables) to a session
// whose tracer has watchpoints: every packet gets OK, E01 or the empty
// reply, and the armed set matches what was inserted and not removed.
func FuzzWatchpointPacket(f *testing.F) {
	for _, s := range []string{"Z2,4c6f10,8", "z2,4c6f10,8", "Z3,4c6f00,4", "Z4,7ffffffde2b0,4",
		"z4,7ffffffde2b0,4", "Z2,0,ffffffffffffffff", "Z2,1,", "Z3,,4", "Z4,10,10;X2,2201"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, pkt []byte) {
		w := &watchTracer{fakeTracer: newFakeTracer(), watches: map[fakeWatch]bool{}}
		s := NewSession(w, Config{})
		for i := 0; i < 2; i++ {
			r := s.handle(pkt)
			switch got := string(r.reply); {
			case r.resume != nil || r.noReply:
			case got == "OK", got == "", len(got) == 3 && got[0] == 'E':
			default:
				if len(pkt) > 1 && (pkt[0] == 'Z' || pkt[0] == 'z') && pkt[1] >= '2' && pkt[1] <= '4' {
					t.Fatalf("%q: reply %q", pkt, got)
				}
			}
		}
		if len(pkt) > 1 && pkt[0] == 'z' {
			if n := len(w.armed()); n != 0 {
				t.Fatalf("%q left %d watchpoints", pkt, n)
			}
		}
	})
}

// TestDetachClearsWatchpoints: a detaching client's watchpoints must not
// survive it (a later debugger would get watch stops it never asked for).
func TestDetachClearsWatchpoints(t *testing.T) {
	h, w := startWatchSession(t)
	for _, p := range []string{"Z2,404000,4", "Z4,405000,8"} {
		if got := h.call(p); got != "OK" {
			t.Fatalf("%s: %q", p, got)
		}
	}
	if got := h.call("D"); got != "OK" {
		t.Fatalf("D: %q", got)
	}
	if o := h.wait(t); o != OutcomeDetached {
		t.Errorf("outcome %v", o)
	}
	if armed := w.armed(); len(armed) != 0 {
		t.Errorf("watchpoints left armed after detach: %v", armed)
	}
}
