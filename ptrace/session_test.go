package ptrace

import (
	"encoding/binary"
	"errors"
	"syscall"
	"testing"
	"time"
)

func TestSessionSingleStep(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{StopOnOpen: true})
	checked := 0
	for i := 0; i < 20; i++ {
		before := intRegs(t, s)
		inst := decodeAt(t, s, before.RIP)
		mustNext(t, s, StopSingleStep, StopSingleStep)
		after := intRegs(t, s)
		if hasRep(inst) {
			continue // one iteration per step: RIP may stay
		}
		if after.RIP == before.RIP {
			t.Fatalf("step %d: RIP stayed at %#x (%v)", i, before.RIP, inst)
		}
		if !isControlTransfer(inst) {
			if want := before.RIP + uint64(inst.Len); after.RIP != want {
				t.Fatalf("step %d over %v at %#x: RIP = %#x, want %#x", i, inst, before.RIP, after.RIP, want)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no sequential instruction was checked")
	}
}

func TestSessionBreakpointAtMain(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	main := symbol(t, g.path, "main")
	if err := s.SetBreakpoint(main); err != nil {
		t.Fatal(err)
	}
	mustNext(t, s, exitStop, StopBreakpoint)
	if r := intRegs(t, s); r.RIP != main {
		t.Fatalf("RIP = %#x, want main %#x", r.RIP, main)
	}
	if ev, ok := s.LastStop(); !ok || ev.Tid != mainTid(t, s) {
		t.Errorf("LastStop = %+v, %v", ev, ok)
	}
	if out := g.out.String(); out != "" {
		t.Errorf("output before main: %q", out)
	}
	if err := s.ClearBreakpoint(main); err != nil {
		t.Fatal(err)
	}
	e := mustNext(t, s, exitStop, StopExit)
	if e.A != 3<<8 {
		t.Errorf("STOP_EXIT a = %#x, want %#x", e.A, 3<<8)
	}
	if out := g.out.String(); out != "first\nsecond\n" {
		t.Errorf("output = %q", out)
	}
	_, err := next(t, s, exitStop)
	wantErrno(t, "Next after exit", err, syscall.ESRCH)
	if st, ok := s.ExitStatus(); !ok || st != 3<<8 {
		t.Errorf("ExitStatus = %#x, %v", st, ok)
	}
}

func TestSessionSyscallStops(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	flags := StopPreSyscall | StopPostSyscall | StopExit
	var sawWrite, inSyscall bool
	var nr uint64
	for i := 0; i < 200; i++ {
		e, err := next(t, s, flags)
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		r := intRegs(t, s)
		switch e.Cause {
		case StopPreSyscall:
			if inSyscall {
				t.Fatalf("two pre-syscall stops in a row (nr %d then %d)", nr, r.RAX)
			}
			inSyscall, nr = true, r.RAX
			if ev, ok := s.LastStop(); !ok || ev.Syscall != r.RAX {
				t.Errorf("LastStop().Syscall = %d, RAX = %d", ev.Syscall, r.RAX)
			}
		case StopPostSyscall:
			if !inSyscall {
				t.Fatal("post-syscall stop without pre")
			}
			inSyscall = false
			if nr == linuxSysWrite && !sawWrite {
				sawWrite = true
				if r.RAX != 6 {
					t.Errorf("write returned %d, want 6", int64(r.RAX))
				}
				if out := g.out.String(); out != "first\n" {
					t.Errorf("output after first write = %q", out)
				}
			}
		case StopExit:
			if !sawWrite {
				t.Error("no write syscall seen")
			}
			if e.A != 3<<8 {
				t.Errorf("exit status %#x", e.A)
			}
			return
		default:
			t.Fatalf("unexpected %v", e)
		}
	}
	t.Fatal("no exit after 200 stops")
}

func TestSessionIgnoreSkipsWrite(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	for {
		mustNext(t, s, StopPreSyscall, StopPreSyscall)
		if r := intRegs(t, s); r.RAX == linuxSysWrite && r.RDX == 6 {
			r.RAX = 6 // the tracer answers the call itself
			if err := s.SetIntRegs(mainTid(t, s), r); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	mustNext(t, s, StopPostSyscall|FlagIgnore, StopPostSyscall)
	if r := intRegs(t, s); r.RAX != 6 {
		t.Errorf("RAX after skipped write = %d, want 6 (the tracer's value)", r.RAX)
	}
	mustNext(t, s, StopExit, StopExit)
	if out := g.out.String(); out != "second\n" {
		t.Errorf("output = %q, want only the second write", out)
	}
}

func TestSessionSegv(t *testing.T) {
	g := loadGuest(t, "segv")
	s := open(t, nil, g, Options{})
	e := mustNext(t, s, exitStop, StopSignal)
	if e.A != 11 || e.B != 0 {
		t.Errorf("signal event %v, want a=11 b=0 (SIG_DFL)", e)
	}
	if ev, ok := s.LastStop(); !ok || ev.SigAddr != 0 {
		t.Errorf("LastStop = %+v, %v; want si_addr 0", ev, ok)
	}
	e = mustNext(t, s, exitStop, StopExit)
	if e.A&0x7f != 11 {
		t.Errorf("exit status %#x, want terminated by signal 11", e.A)
	}
	_, err := next(t, s, exitStop)
	wantErrno(t, "Next after exit", err, syscall.ESRCH)
	if st, ok := s.ExitStatus(); !ok || st&0x7f != 11 {
		t.Errorf("ExitStatus = %#x, %v", st, ok)
	}
}

func TestSessionRegistryBusy(t *testing.T) {
	reg := NewRegistry()
	g := loadGuest(t, "loop")
	s1, err := reg.Open(g.p, Options{NonBlocking: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = reg.Open(g.p, Options{})
	wantErrno(t, "second Open", err, syscall.EBUSY)
	// Detach with nothing armed: the tracee runs on, so still EBUSY.
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, "second Close", s1.Close(), syscall.EBADF)
	_, err = reg.Open(g.p, Options{})
	wantErrno(t, "Open while detached tracee runs", err, syscall.EBUSY)
	g.p.Kill(9)
	select {
	case <-s1.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("detached tracee did not die of SIGKILL")
	}
	// The runner releases the registry right after Done; poll briefly.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err = reg.Open(g.p, Options{})
		if !errorsIsBusy(err) || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	wantErrno(t, "Open after exit", err, syscall.ESRCH)

	// Closing a session whose tracee is parked detaches it: it runs to
	// completion in the background, its output still arriving.
	g2 := loadGuest(t, "hello")
	s2, err := reg.Open(g2.p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Open(g2.p, Options{}); !errorsIsBusy(err) {
		t.Errorf("second Open = %v, want EBUSY", err)
	}
	s2.Close() // detached: hello runs to completion
	select {
	case <-s2.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("detached hello did not finish")
	}
	if out := g2.out.String(); out != "first\nsecond\n" {
		t.Errorf("detached output = %q", out)
	}
}

func errorsIsBusy(err error) bool { return errors.Is(err, syscall.EBUSY) }

func TestSessionESRCHAfterQueuedEvents(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	op, _ := StopExit.MarshalBinary()
	if n, err := s.Write(op); n != 8 || err != nil {
		t.Fatalf("Write(STOP_EXIT) = %d, %v", n, err)
	}
	// The exit stop is queued and unread: a blocking write returns at
	// once, but still resumes the tracee, which now exits.
	if n, err := s.Write(op); n != 8 || err != nil {
		t.Fatalf("second Write = %d, %v", n, err)
	}
	select {
	case <-s.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("tracee did not exit")
	}
	buf := make([]byte, 2*EventSize)
	n, err := s.Read(buf)
	if err != nil || n != EventSize {
		t.Fatalf("Read = %d, %v; want one event", n, err)
	}
	evs, _ := DecodeEvents(buf[:n])
	if evs[0].Cause != StopExit || evs[0].A != 3<<8 {
		t.Errorf("event = %v", evs[0])
	}
	_, err = s.Read(buf)
	wantErrno(t, "Read after drained", err, syscall.ESRCH)
	_, err = s.Write(op)
	wantErrno(t, "Write after exit", err, syscall.ESRCH)
	_, err = s.IntRegs(1)
	wantErrno(t, "IntRegs after exit", err, syscall.ESRCH)
	wantErrno(t, "ReadMem after exit", s.ReadMem(0x400000, make([]byte, 1)), syscall.ESRCH)
	wantErrno(t, "Kill after exit", s.Kill(2), syscall.ESRCH)
}

func TestSessionKillInterruptsNext(t *testing.T) {
	g := loadGuest(t, "loop")
	s := open(t, nil, g, Options{})
	type result struct {
		e   Event
		err error
	}
	ch := make(chan result, 1)
	go func() {
		e, err := s.Next(exitStop)
		ch <- result{e, err}
	}()
	time.Sleep(300 * time.Millisecond) // let it spin
	select {
	case r := <-ch:
		t.Fatalf("Next returned before Kill: %v, %v", r.e, r.err)
	default:
	}
	_, err := s.IntRegs(mainTid(t, s))
	wantErrno(t, "IntRegs while running", err, syscall.EBUSY)
	wantErrno(t, "ReadMem while running", s.ReadMem(0x400000, make([]byte, 1)), syscall.EBUSY)
	op, _ := exitStop.MarshalBinary()
	_, err = s.Write(op)
	wantErrno(t, "Write while running", err, syscall.EBUSY)

	start := time.Now()
	if err := s.Kill(2); err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("Next not interrupted by SIGINT")
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("Next returned %v after Kill, want <= 100ms", d)
	}
	if r.err != nil || r.e.Cause != StopSignal || r.e.A != 2 {
		t.Fatalf("Next = %v, %v; want STOP_SIGNAL a=2", r.e, r.err)
	}
	// Delivered without FlagIgnore: SIGINT's default action kills.
	e := mustNext(t, s, exitStop, StopExit)
	if e.A&0x7f != 2 {
		t.Errorf("exit status %#x, want killed by SIGINT", e.A)
	}
}

func TestSessionRegisterWrite(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	main, other := symbol(t, g.path, "main"), symbol(t, g.path, "other")
	if err := s.SetBreakpoint(main); err != nil {
		t.Fatal(err)
	}
	mustNext(t, s, exitStop, StopBreakpoint)
	r := intRegs(t, s)
	if r.CS != 0x33 || r.SS != 0x2b || r.RFlags&2 == 0 {
		t.Errorf("segments/flags: cs %#x ss %#x rflags %#x", r.CS, r.SS, r.RFlags)
	}
	inst := decodeAt(t, s, other)
	r.RIP, r.RAX, r.RSP = other, 0x1234, r.RSP-64
	if err := s.SetIntRegs(mainTid(t, s), r); err != nil {
		t.Fatal(err)
	}
	if back := intRegs(t, s); back.RIP != other || back.RAX != 0x1234 || back.RSP != r.RSP {
		t.Fatalf("read back %+v", back)
	}
	mustNext(t, s, StopSingleStep, StopSingleStep)
	after := intRegs(t, s)
	if want := other + uint64(inst.Len); after.RIP != want {
		t.Errorf("after step over %v: RIP %#x, want %#x", inst, after.RIP, want)
	}
	if after.RAX != 0x1234 {
		t.Errorf("RAX = %#x, want 0x1234", after.RAX)
	}
	if inst.Op.String() == "PUSH" && after.RSP != r.RSP-8 {
		t.Errorf("push used RSP %#x, want %#x", after.RSP, r.RSP-8)
	}
	_, err := s.IntRegs(999999)
	wantErrno(t, "IntRegs unknown tid", err, syscall.ESRCH)

	fr, err := s.FloatRegs(mainTid(t, s))
	if err != nil {
		t.Fatal(err)
	}
	if fr.MXCSRMask != 0xffff || fr.FCW != 0x37f {
		t.Errorf("float regs fcw %#x mxcsr_mask %#x", fr.FCW, fr.MXCSRMask)
	}
	binary.LittleEndian.PutUint64(fr.XMMSpace[2][:], 0xfeedface)
	if err := s.SetFloatRegs(mainTid(t, s), fr); err != nil {
		t.Fatal(err)
	}
	if back, _ := s.FloatRegs(mainTid(t, s)); back.XMMSpace[2] != fr.XMMSpace[2] {
		t.Errorf("xmm2 = % x", back.XMMSpace[2])
	}
	env, err := s.EnvRegs(mainTid(t, s))
	if err != nil || env.FSBase == 0 {
		t.Errorf("EnvRegs = %+v, %v; want musl's TLS in fs base", env, err)
	}
}

func TestSessionMemory(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	main := symbol(t, g.path, "main")
	code := make([]byte, 4)
	if err := s.ReadMem(main, code); err != nil {
		t.Fatal(err)
	}
	// Text is read-only for the guest but writable through ptrace.
	patch := []byte{0x90, 0x90, 0x90, 0x90}
	if err := s.WriteMem(main, patch); err != nil {
		t.Fatalf("WriteMem to text: %v", err)
	}
	got := make([]byte, 4)
	if err := s.ReadMem(main, got); err != nil || string(got) != string(patch) {
		t.Errorf("read back % x, %v", got, err)
	}
	if err := s.WriteMem(main, code); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, "ReadMem(0x10)", s.ReadMem(0x10, make([]byte, 4)), syscall.EFAULT)
	wantErrno(t, "ReadMem wrapping", s.ReadMem(^uint64(0)-1, make([]byte, 4)), syscall.EFAULT)
	// A write straddling the end of a mapping fails as a whole.
	var end uint64
	regions := g.p.Mem.Regions()
	for i, r := range regions {
		if i+1 == len(regions) || regions[i+1].Start != r.End {
			end = r.End
			break
		}
	}
	if end == 0 {
		t.Fatal("no mapping end found")
	}
	before := make([]byte, 4)
	if err := s.ReadMem(end-4, before); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, "straddling WriteMem", s.WriteMem(end-4, []byte{1, 2, 3, 4, 5, 6, 7, 8}), syscall.EFAULT)
	after := make([]byte, 4)
	if err := s.ReadMem(end-4, after); err != nil || string(after) != string(before) {
		t.Errorf("partial write happened: % x -> % x (%v)", before, after, err)
	}
	// The program still runs correctly after the restore.
	mustNext(t, s, exitStop, StopExit)
	if out := g.out.String(); out != "first\nsecond\n" {
		t.Errorf("output = %q", out)
	}
}

func TestSessionNonBlocking2019(t *testing.T) {
	g := loadGuest(t, "loop")
	s := open(t, nil, g, Options{NonBlocking: true})
	op, _ := (StopSignal | StopExit).MarshalBinary()
	start := time.Now()
	if n, err := s.Write(op); n != 8 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("non-blocking Write took %v", d)
	}
	buf := make([]byte, EventSize)
	if n, err := s.Read(buf); n != 0 || err != nil {
		t.Errorf("Read with nothing queued = %d, %v; want 0, nil (2019 reads never block)", n, err)
	}
	if err := s.Kill(10); err != nil { // SIGUSR1
		t.Fatal(err)
	}
	wait, _ := FlagWait.MarshalBinary()
	if n, err := s.Write(wait); n != 8 || err != nil { // FLAG_WAIT alone: wait, do not resume
		t.Fatalf("Write(FLAG_WAIT) = %d, %v", n, err)
	}
	if n, err := s.Read(buf); n != EventSize || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	var e Event
	e.UnmarshalBinary(buf)
	if e.Cause != StopSignal || e.A != 10 {
		t.Errorf("event %v, want STOP_SIGNAL a=10", e)
	}
	// Short writes and reserved bits.
	if n, err := s.Write([]byte{8, 0, 0}); n != 0 || err != nil {
		t.Errorf("short Write = %d, %v; want 0, nil", n, err)
	}
	_, err := s.Write([]byte{8, 0, 1, 0, 0, 0, 0, 0})
	wantErrno(t, "Write bit 16", err, syscall.EINVAL)
	if n, err := s.Read(make([]byte, 10)); n != 0 || err != nil {
		t.Errorf("short Read = %d, %v", n, err)
	}
}

func TestSessionMode2020(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{Mode: Mode2020})
	main := symbol(t, g.path, "main")
	if err := s.SetBreakpoint(main); err != nil {
		t.Fatal(err)
	}
	op, _ := (StopBreakpoint | StopExit).MarshalBinary()
	if n, err := s.Write(op); n != 8 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	buf := make([]byte, 4*EventSize)
	n, err := s.Read(buf) // blocks until the stop
	if err != nil || n != EventSize {
		t.Fatalf("Read = %d, %v", n, err)
	}
	if evs, _ := DecodeEvents(buf[:n]); evs[0].Cause != StopBreakpoint {
		t.Errorf("event %v", evs[0])
	}
	if r := intRegs(t, s); r.RIP != main {
		t.Errorf("RIP %#x, want %#x", r.RIP, main)
	}
	if n, err := s.Read(buf); n != 0 || err != nil {
		t.Errorf("Read after consuming the reached stop = %d, %v; want 0, nil", n, err)
	}
	s.SetNonBlocking(true)
	s.ClearBreakpoint(main)
	if _, err := s.Write(op); err != nil {
		t.Fatal(err)
	}
	for { // non-blocking: EAGAIN until the exit stop arrives
		n, err = s.Read(buf)
		if err == nil && n > 0 {
			break
		}
		if !errors.Is(err, syscall.EAGAIN) {
			t.Fatalf("non-blocking Read = %d, %v; want EAGAIN or an event", n, err)
		}
		time.Sleep(time.Millisecond)
	}
	if evs, _ := DecodeEvents(buf[:n]); evs[0].Cause != StopExit || evs[0].A != 3<<8 {
		t.Errorf("event %v", evs[0])
	}
}

func TestSessionKillOnClose(t *testing.T) {
	g := loadGuest(t, "loop")
	s, err := NewRegistry().Open(g.p, Options{KillOnClose: true, NonBlocking: true})
	if err != nil {
		t.Fatal(err)
	}
	zero, _ := Flags(0).MarshalBinary()
	if _, err := s.Write(zero); err != nil { // run free
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	if st, ok := g.p.ExitStatus(); !ok || st&0x7f != 9 {
		t.Errorf("ExitStatus = %#x, %v; want killed by SIGKILL", st, ok)
	}
}
