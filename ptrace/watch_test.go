package ptrace

import (
	"encoding/binary"
	"syscall"
	"testing"
)

// TestWatchpointGuest watches the loop's counter: every write stops after
// the store with the new value in memory and the watchpoint in LastStop.
func TestWatchpointGuest(t *testing.T) {
	g := loadGuest(t, "loop")
	counter := symbol(t, g.path, "counter")
	s := open(t, nil, g, Options{})
	tid := mainTid(t, s)
	read := func() uint64 {
		var b [8]byte
		if err := s.ReadMem(counter, b[:]); err != nil {
			t.Fatal(err)
		}
		return binary.LittleEndian.Uint64(b[:])
	}
	if err := s.SetWatchpoint(counter, 8, WatchWrite); err != nil {
		t.Fatal(err)
	}
	if err := s.SetWatchpoint(counter, 8, WatchWrite); err != nil { // idempotent
		t.Fatal(err)
	}
	for i := uint64(1); i <= 3; i++ {
		mustNext(t, s, exitStop, StopBreakpoint)
		info, ok := s.LastStop()
		if !ok || info.Tid != tid || info.WatchAddr != counter || info.WatchKind != WatchWrite {
			t.Fatalf("hit %d: LastStop = %+v %v", i, info, ok)
		}
		if v := read(); v != i {
			t.Fatalf("hit %d: counter = %d (the store must have completed)", i, v)
		}
	}
	// A single step that performs the store reports the watchpoint too.
	found := false
	for i := 0; i < 20 && !found; i++ {
		mustNext(t, s, exitStop|StopSingleStep, StopSingleStep)
		info, _ := s.LastStop()
		found = info.WatchKind == WatchWrite && info.WatchAddr == counter
	}
	if !found {
		t.Fatal("no watch hit in 20 single steps of the loop")
	}
	if err := s.ClearWatchpoint(counter, 8, WatchWrite); err != nil {
		t.Fatal(err)
	}
	// Read watchpoint: counter++ loads the counter.
	if err := s.SetWatchpoint(counter+4, 1, WatchRead); err != nil {
		t.Fatal(err)
	}
	mustNext(t, s, exitStop, StopBreakpoint)
	if info, _ := s.LastStop(); info.WatchAddr != counter+4 || info.WatchKind != WatchRead {
		t.Fatalf("read watch: %+v", info)
	}
	if err := s.ClearWatchpoint(counter+4, 1, WatchRead); err != nil {
		t.Fatal(err)
	}
	// Nothing armed: a plain step reports no watchpoint.
	mustNext(t, s, exitStop|StopSingleStep, StopSingleStep)
	if info, _ := s.LastStop(); info.WatchKind != 0 {
		t.Fatalf("stale watch info: %+v", info)
	}
	wantErrno(t, "zero length", s.SetWatchpoint(counter, 0, WatchWrite), syscall.EINVAL)
	wantErrno(t, "bad kind", s.SetWatchpoint(counter, 1, 7), syscall.EINVAL)
}
