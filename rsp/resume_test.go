package rsp

import "testing"

// TestVContThreadActions: per-thread vCont actions choose the thread a
// resume is for and whether the others run (scheduler locking).
func TestVContThreadActions(t *testing.T) {
	f := newFakeTracer()
	f.tids = []int{0x401640, 0x401641, 0x401642}
	s := NewSession(f, Config{})
	s.multiprocess = true
	for _, tt := range []struct {
		args       string
		step       bool
		tid        int
		only       bool
		gdbSig     int
		wantErrRep bool
	}{
		{args: "c", tid: 0},
		{args: "s", step: true},
		{args: "s:p401640.401641;c:p401640.-1", step: true, tid: 0x401641},
		{args: "s:p401640.401641", step: true, tid: 0x401641, only: true},
		{args: "c:p401640.401642", tid: 0x401642, only: true},
		{args: "r401000,401010:p401640.401642;c", step: true, tid: 0x401642},
		{args: "c:p401640.401641;c", tid: 0},                       // everyone continues
		{args: "C0b:p401640.401641;c", tid: 0x401641, gdbSig: 0xb}, // a signal for one thread, the others run
		{args: "c:p401640.401641;c:p401640.401642", tid: 0x401641}, // several threads: all run
		{args: "s:2a", wantErrRep: true},                           // no such thread, no default
		{args: "c:p401640.zz", wantErrRep: true},
	} {
		r := s.vCont(tt.args)
		if tt.wantErrRep {
			if r.resume != nil || string(r.reply) != "E01" {
				t.Errorf("vCont;%s: %+v, want E01", tt.args, r)
			}
			continue
		}
		if r.resume == nil {
			t.Errorf("vCont;%s: no resume (reply %q)", tt.args, r.reply)
			continue
		}
		got := *r.resume
		if got.step != tt.step || got.tid != tt.tid || got.only != tt.only || got.gdbSig != tt.gdbSig {
			t.Errorf("vCont;%s: step %v tid %#x only %v sig %d; want step %v tid %#x only %v sig %d",
				tt.args, got.step, got.tid, got.only, got.gdbSig, tt.step, tt.tid, tt.only, tt.gdbSig)
		}
	}
}
