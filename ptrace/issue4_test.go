package ptrace

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Rules of issue 4 not covered elsewhere: signal payloads and discarding,
// switching blocking mode after open, no hang once the tracee is gone
// (every operation, both modes), and one goroutine serving many sessions
// through the readiness notification.

// TestSessionSignalPayloads checks STOP_SIGNAL's a (signal) and b (handler:
// the function, SIG_IGN = 1, SIG_DFL = 0), and that FlagIgnore with a stop
// bit on the next write discards the signal while a write without it
// delivers it.
func TestSessionSignalPayloads(t *testing.T) {
	for _, tt := range []struct {
		name       string
		ignore     bool
		wantOut    string
		wantStatus uint64
	}{
		{"deliver", false, "usr1\n", 15},   // handler runs, SIGTERM kills
		{"discard", true, "end\n", 7 << 8}, // nothing runs, exit(7)
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := loadGuest(t, "handler")
			s := open(t, nil, g, Options{})
			handler := symbol(t, g.path, "on_usr1")
			resume := StopSignal | StopExit
			if tt.ignore {
				resume |= FlagIgnore
			}
			e := mustNext(t, s, StopSignal|StopExit, StopSignal)
			if e.A != 10 || e.B != handler {
				t.Errorf("SIGUSR1 stop %v, want a=10 b=%#x (on_usr1)", e, handler)
			}
			if info, ok := s.LastStop(); !ok || info.Signo != 10 {
				t.Errorf("LastStop = %+v, %v", info, ok)
			}
			e = mustNext(t, s, resume, StopSignal)
			if e.A != 12 || e.B != 1 {
				t.Errorf("SIGUSR2 stop %v, want a=12 b=1 (SIG_IGN)", e)
			}
			e = mustNext(t, s, resume, StopSignal)
			if e.A != 15 || e.B != 0 {
				t.Errorf("SIGTERM stop %v, want a=15 b=0 (SIG_DFL)", e)
			}
			e = mustNext(t, s, resume, StopExit)
			if e.A != tt.wantStatus {
				t.Errorf("exit %v, want a=%#x", e, tt.wantStatus)
			}
			if out := g.out.String(); out != tt.wantOut {
				t.Errorf("output %q, want %q", out, tt.wantOut)
			}
		})
	}
}

// TestSessionIgnoreNeverDropsSIGKILL: SIGKILL queued while the tracee is
// parked at a STOP_SIGNAL it is told to ignore still kills.
func TestSessionIgnoreNeverDropsSIGKILL(t *testing.T) {
	g := loadGuest(t, "handler")
	s := open(t, nil, g, Options{})
	mustNext(t, s, StopSignal|StopExit, StopSignal)
	if err := s.Kill(9); err != nil {
		t.Fatal(err)
	}
	if e := mustNext(t, s, FlagIgnore|StopSignal|StopExit, StopExit); e.A != 9 {
		t.Errorf("exit %v, want killed by SIGKILL (a=9)", e)
	}
}

// TestSessionSetNonBlockingAfterOpen switches a blocking 2019 session to
// non-blocking (the write returns while the tracee runs) and back (the
// write waits for the stop).
func TestSessionSetNonBlockingAfterOpen(t *testing.T) {
	g := loadGuest(t, "loop")
	s := open(t, nil, g, Options{})
	s.SetNonBlocking(true)
	op, _ := (StopSignal | StopExit).MarshalBinary()
	done := make(chan error, 1)
	go func() { _, err := s.Write(op); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		s.Kill(9)
		t.Fatal("non-blocking Write waited for the endless loop")
	}
	if s.Readable() {
		t.Fatal("event queued while the loop runs")
	}
	// Back to blocking: FlagWait is not needed for the write to wait.
	s.SetNonBlocking(false)
	s.Kill(10)
	wait, _ := FlagWait.MarshalBinary() // waits, does not resume
	if n, err := s.Write(wait); n != 8 || err != nil {
		t.Fatalf("Write(FLAG_WAIT) = %d, %v", n, err)
	}
	buf := make([]byte, EventSize)
	if n, err := s.Read(buf); n != EventSize || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		s.Kill(12)
	}()
	// Blocking write: returns only once the SIGUSR2 stop is queued.
	ign, _ := (FlagIgnore | StopSignal | StopExit).MarshalBinary()
	if n, err := s.Write(ign); n != 8 || err != nil {
		t.Fatalf("blocking Write = %d, %v", n, err)
	}
	if n, err := s.Read(buf); n != EventSize || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	var e Event
	e.UnmarshalBinary(buf)
	if e.Cause != StopSignal || e.A != 12 {
		t.Errorf("event %v, want STOP_SIGNAL a=12", e)
	}
}

// TestSessionNoHangAfterExit: once the tracee is gone every operation, in
// both modes and both blocking modes, gives ESRCH at once.
func TestSessionNoHangAfterExit(t *testing.T) {
	stopExit, _ := StopExit.MarshalBinary()
	wait, _ := FlagWait.MarshalBinary()
	ops := []struct {
		name string
		do   func(*Session) error
	}{
		{"Write(STOP_EXIT)", func(s *Session) error { _, err := s.Write(stopExit); return err }},
		{"Write(FLAG_WAIT)", func(s *Session) error { _, err := s.Write(wait); return err }},
		{"Read", func(s *Session) error { _, err := s.Read(make([]byte, EventSize)); return err }},
		{"Next", func(s *Session) error { _, err := s.Next(StopExit); return err }},
		{"Next(FLAG_WAIT)", func(s *Session) error { _, err := s.Next(FlagWait); return err }},
		{"IntRegs", func(s *Session) error { _, err := s.IntRegs(g0tid); return err }},
		{"ReadMem", func(s *Session) error { return s.ReadMem(0x400000, make([]byte, 1)) }},
		{"WriteMem", func(s *Session) error { return s.WriteMem(0x400000, []byte{0xcc}) }},
		{"Kill", func(s *Session) error { return s.Kill(10) }},
	}
	for _, mode := range []Mode{Mode2019, Mode2020} {
		for _, nb := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/nonblock=%v", mode, nb), func(t *testing.T) {
				g := loadGuest(t, "hello")
				s := open(t, nil, g, Options{Mode: mode, NonBlocking: nb})
				// Run to the end unobserved; in 2020 the write never
				// blocks, so the exit may happen after it returns: the
				// exit race of spec §4.4.
				zero, _ := Flags(0).MarshalBinary()
				s.Write(zero)
				select {
				case <-s.Done():
				case <-time.After(30 * time.Second):
					t.Fatal("tracee did not exit")
				}
				for _, op := range ops {
					res := make(chan error, 1)
					go func() { res <- op.do(s) }()
					select {
					case err := <-res:
						wantErrno(t, op.name, err, syscall.ESRCH)
					case <-time.After(5 * time.Second):
						t.Fatalf("%s hangs after the tracee exited", op.name)
					}
				}
			})
		}
	}
}

// g0tid is any thread id: after exit the pid check comes first.
const g0tid = 1

// TestSessionReadyServesManySessions: one goroutine drives several
// non-blocking sessions through the Ready callback alone (no goroutine
// blocked per session), tracing every syscall of each to its exit.
func TestSessionReadyServesManySessions(t *testing.T) {
	const n = 4
	ready := make(chan *Session, 64)
	var guests []*guest
	var sessions []*Session
	reg := NewRegistry()
	for i := 0; i < n; i++ {
		g := loadGuest(t, "hello")
		guests = append(guests, g)
		sessions = append(sessions, open(t, reg, g, Options{
			NonBlocking: true,
			Ready:       func(s *Session) { ready <- s },
		}))
	}
	trace := StopPreSyscall | StopPostSyscall | StopExit
	op, _ := trace.MarshalBinary()
	for _, s := range sessions {
		if _, err := s.Write(op); err != nil {
			t.Fatal(err)
		}
	}
	type tally struct{ pre, post, exit int }
	got := map[*Session]*tally{}
	for _, s := range sessions {
		got[s] = &tally{}
	}
	var mu sync.Mutex // the server goroutine and the test share got
	done := make(chan error, 1)
	go func() { // the one server goroutine
		live := n
		buf := make([]byte, 4*EventSize)
		for live > 0 {
			var s *Session
			select {
			case s = <-ready:
			case <-time.After(30 * time.Second):
				done <- errors.New("no readiness notification in 30s")
				return
			}
			for {
				k, err := s.Read(buf)
				if errors.Is(err, syscall.ESRCH) {
					live--
					break
				}
				if err != nil {
					done <- err
					return
				}
				if k == 0 {
					break // spurious or already drained
				}
				evs, _ := DecodeEvents(buf[:k])
				mu.Lock()
				for _, e := range evs {
					switch e.Cause {
					case StopPreSyscall:
						got[s].pre++
					case StopPostSyscall:
						got[s].post++
					case StopExit:
						got[s].exit++
					}
				}
				mu.Unlock()
				if _, err := s.Write(op); err != nil { // resume; never blocks
					done <- err
					return
				}
			}
		}
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i, s := range sessions {
		c := got[s]
		// write, write, exit_group: at least 3 pre stops; every
		// returning syscall has its post stop; exit_group has none.
		if c.pre < 3 || c.post != c.pre-1 || c.exit != 1 {
			t.Errorf("session %d: %d pre, %d post, %d exit stops", i, c.pre, c.post, c.exit)
		}
		if out := guests[i].out.String(); out != "first\nsecond\n" {
			t.Errorf("session %d output %q", i, out)
		}
		if st, ok := s.ExitStatus(); !ok || st != 3<<8 {
			t.Errorf("session %d status %#x, %v", i, st, ok)
		}
	}
}

// TestSessionReservedBitsEINVAL: bits 16..63 are rejected by every entry
// point, in both modes, and the rejected operation does not resume the
// tracee; bits 0..15 without a meaning are accepted.
func TestSessionReservedBitsEINVAL(t *testing.T) {
	for _, mode := range []Mode{Mode2019, Mode2020} {
		g := loadGuest(t, "hello")
		s := open(t, nil, g, Options{Mode: mode, NonBlocking: true})
		for _, bit := range []uint{16, 17, 31, 32, 48, 63} {
			op, _ := (StopExit | Flags(1)<<bit).MarshalBinary()
			n, err := s.Write(op)
			if n != 0 {
				t.Errorf("%v: Write(bit %d) = %d", mode, bit, n)
			}
			wantErrno(t, fmt.Sprintf("%v Write(bit %d)", mode, bit), err, syscall.EINVAL)
			_, err = s.Next(StopExit | Flags(1)<<bit)
			wantErrno(t, fmt.Sprintf("%v Next(bit %d)", mode, bit), err, syscall.EINVAL)
		}
		if g.out.String() != "" || s.Readable() {
			t.Errorf("%v: a rejected operation resumed the tracee (output %q)", mode, g.out.String())
		}
		// 0x40 (the removed STOP_EXEC) and 0x200 are accepted and never fire.
		if e := mustNext(t, s, StopExit|0x40|0x200, StopExit); e.A != 3<<8 {
			t.Errorf("%v: exit %v", mode, e)
		}
	}
}
