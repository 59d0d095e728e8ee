package ptrace

import (
	"syscall"
	"testing"
	"time"
)

func TestSessionGuestInt3(t *testing.T) {
	g := loadGuest(t, "int3")
	s := open(t, nil, g, Options{})
	at := symbol(t, g.path, "int3_here")
	mustNext(t, s, exitStop, StopBreakpoint)
	if r := intRegs(t, s); r.RIP != at {
		t.Fatalf("RIP = %#x, want the int3 byte %#x", r.RIP, at)
	}
	// Resuming at the int3 executes it again.
	mustNext(t, s, exitStop, StopBreakpoint)
	r := intRegs(t, s)
	if r.RIP != at {
		t.Fatalf("second stop RIP = %#x, want %#x", r.RIP, at)
	}
	r.RIP++ // the debugger skips it
	if err := s.SetIntRegs(mainTid(t, s), r); err != nil {
		t.Fatal(err)
	}
	if e := mustNext(t, s, exitStop, StopExit); e.A != 0 {
		t.Errorf("exit status %#x", e.A)
	}
	if out := g.out.String(); out != "after\n" {
		t.Errorf("output %q", out)
	}
}

func TestSessionGuestInt3Unarmed(t *testing.T) {
	g := loadGuest(t, "int3")
	s := open(t, nil, g, Options{})
	// Without STOP_BREAKPOINT the int3 raises SIGTRAP.
	e := mustNext(t, s, StopSignal|StopExit, StopSignal)
	if e.A != 5 {
		t.Errorf("event %v, want SIGTRAP (5)", e)
	}
	e = mustNext(t, s, StopSignal|StopExit, StopExit)
	if e.A&0x7f != 5 {
		t.Errorf("exit status %#x, want killed by SIGTRAP", e.A)
	}
}

func TestSessionEventOnlyWriteArmsNothing(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	op, _ := (EventClone | FlagIgnore).MarshalBinary()
	// 2019: no stop bit, so nothing is armed: the blocking write runs the
	// tracee to completion and reports its exit as ESRCH.
	_, err := s.Write(op)
	wantErrno(t, "event-only Write", err, syscall.ESRCH)
	if out := g.out.String(); out != "first\nsecond\n" {
		t.Errorf("output %q", out)
	}
	if st, ok := s.ExitStatus(); !ok || st != 3<<8 {
		t.Errorf("ExitStatus = %#x, %v", st, ok)
	}
}

func TestSessionIgnoreAloneIsIneffective(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	for {
		mustNext(t, s, StopPreSyscall, StopPreSyscall)
		if r := intRegs(t, s); r.RAX == linuxSysWrite {
			break
		}
	}
	// FlagIgnore without a stop bit clears the breakpoint with it: the
	// write is not skipped (spec §4.3) and the tracee runs to the end.
	_, err := next(t, s, FlagIgnore)
	wantErrno(t, "Next(FlagIgnore)", err, syscall.ESRCH)
	if out := g.out.String(); out != "first\nsecond\n" {
		t.Errorf("output %q, want the write not skipped", out)
	}
}

func TestSessionNextSetsAsideStaleEvents(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{NonBlocking: true})
	main := symbol(t, g.path, "main")
	if err := s.SetBreakpoint(main); err != nil {
		t.Fatal(err)
	}
	op, _ := StopBreakpoint.MarshalBinary()
	if _, err := s.Write(op); err != nil {
		t.Fatal(err)
	}
	wait, _ := FlagWait.MarshalBinary()
	if _, err := s.Write(wait); err != nil {
		t.Fatal(err)
	}
	// The breakpoint event is queued, unread. Next treats it as stale.
	if err := s.ClearBreakpoint(main); err != nil {
		t.Fatal(err)
	}
	if e := mustNext(t, s, exitStop, StopExit); e.A != 3<<8 {
		t.Errorf("exit %v", e)
	}
	p := s.Pending()
	if len(p) != 1 || p[0].Cause != StopBreakpoint {
		t.Errorf("Pending = %v, want the stale STOP_BREAKPOINT", p)
	}
	if p := s.Pending(); len(p) != 0 {
		t.Errorf("second Pending = %v", p)
	}
	// Parked at the exit stop, the queue empty: a 2019 read gives 0, nil.
	if n, err := s.Read(make([]byte, EventSize)); n != 0 || err != nil {
		t.Errorf("Read = %d, %v; want 0, nil", n, err)
	}
}

func TestSessionNextFlagWaitOnParkedTracee(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	_, err := next(t, s, FlagWait)
	wantErrno(t, "Next(FLAG_WAIT) with nothing running", err, syscall.EAGAIN)
	_, err = next(t, s, 1<<16)
	wantErrno(t, "Next(bit 16)", err, syscall.EINVAL)
	mustNext(t, s, StopSingleStep, StopSingleStep) // still usable
}

func TestSessionReadyNotification(t *testing.T) {
	g := loadGuest(t, "hello")
	ready := make(chan *Session, 8)
	s := open(t, nil, g, Options{NonBlocking: true, Ready: func(s *Session) { ready <- s }})
	if s.Readable() {
		t.Fatal("Readable before anything happened")
	}
	op, _ := (StopPreSyscall | StopExit).MarshalBinary()
	if _, err := s.Write(op); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-ready:
		if got != s || !s.Readable() {
			t.Fatalf("Ready(%p), Readable %v", got, s.Readable())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no readiness notification for the stop")
	}
	buf := make([]byte, EventSize)
	if n, err := s.Read(buf); n != EventSize || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	if s.Readable() {
		t.Error("Readable after draining")
	}
	zero, _ := Flags(0).MarshalBinary()
	if _, err := s.Write(zero); err != nil { // run to the end, unobserved
		t.Fatal(err)
	}
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("no readiness notification for the exit")
	}
	if !s.Readable() {
		t.Error("not Readable after exit")
	}
	_, err := s.Read(buf)
	wantErrno(t, "Read after exit", err, syscall.ESRCH)
}

func TestSessionKillParked(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	if err := s.SetBreakpoint(symbol(t, g.path, "main")); err != nil {
		t.Fatal(err)
	}
	mustNext(t, s, exitStop, StopBreakpoint)
	if err := s.Kill(9); err != nil {
		t.Fatal(err)
	}
	// SIGKILL is never reported as STOP_SIGNAL, even when armed.
	if e := mustNext(t, s, exitStop, StopExit); e.A != 9 {
		t.Errorf("exit status %#x, want 9", e.A)
	}
	_, err := next(t, s, exitStop)
	wantErrno(t, "Next after kill", err, syscall.ESRCH)
	if out := g.out.String(); out != "" {
		t.Errorf("output %q", out)
	}
}
