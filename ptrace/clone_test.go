package ptrace

import (
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeFlags writes one operation, failing the test on error.
func writeFlags(t *testing.T, s *Session, f Flags) {
	t.Helper()
	b, _ := f.MarshalBinary()
	if _, err := s.Write(b); err != nil {
		t.Fatalf("Write(%v): %v", f, err)
	}
}

// readEvents reads every queued event.
func readEvents(t *testing.T, s *Session) []Event {
	t.Helper()
	buf := make([]byte, 8*EventSize)
	n, err := s.Read(buf)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	evs, err := DecodeEvents(buf[:n])
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// inBackground runs f in a goroutine; the returned channel gets its error.
func inBackground(f func() error) chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

func waitErr(t *testing.T, ch chan error, what string) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not return in 30s", what)
		return nil
	}
}

// cloneStart opens a blocking 2019 session on the fork guest and writes
// STOP_EXIT|EVENT_CLONE: the write returns once the clone event is queued.
func cloneStart(t *testing.T) (*guest, *Session) {
	t.Helper()
	g := loadGuest(t, "fork")
	s := open(t, nil, g, Options{})
	writeFlags(t, s, StopExit|EventClone)
	return g, s
}

// TestCloneEventPayload: the event is EVENT_CLONE with a = the child's
// pid, non-stopping (the parent was not stopped for it), and the child
// process it names is frozen: it has printed nothing.
func TestCloneEventPayload(t *testing.T) {
	g, s := cloneStart(t)
	evs := readEvents(t, s)
	if len(evs) != 1 || evs[0].Cause != EventClone || evs[0].A == 0 || evs[0].A == uint64(g.p.Pid) {
		t.Fatalf("events %v, want one EVENT_CLONE with the child pid", evs)
	}
	if evs[0].Cause.IsStop() || evs[0].B|evs[0].C|evs[0].D|evs[0].E|evs[0].F != 0 {
		t.Errorf("event %v: want a non-stop event with only a set", evs[0])
	}
	c, err := s.Child(int(evs[0].A))
	if err != nil || c.Pid != int(evs[0].A) {
		t.Fatalf("Child(%d) = %v, %v", evs[0].A, c, err)
	}
	time.Sleep(50 * time.Millisecond)
	if !c.Frozen() || strings.Contains(g.out.String(), "child") {
		t.Errorf("child frozen %v, output %q: want frozen and silent", c.Frozen(), g.out)
	}
	if _, err := s.Child(g.p.Pid); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("Child(parent pid) error %v, want ESRCH", err)
	}
}

// TestIgnoredCloneThawedAtNextWrite: once read, a child nobody opened is
// un-frozen by the session's next write (here FLAG_WAIT, which resumes
// nothing), and the program completes.
func TestIgnoredCloneThawedAtNextWrite(t *testing.T) {
	g, s := cloneStart(t)
	readEvents(t, s)
	done := inBackground(func() error {
		b, _ := FlagWait.MarshalBinary()
		_, err := s.Write(b)
		return err
	})
	if err := waitErr(t, done, "Write(FLAG_WAIT)"); err != nil {
		t.Fatal(err)
	}
	evs := readEvents(t, s)
	if len(evs) != 1 || evs[0].Cause != StopExit || evs[0].A != 0 {
		t.Fatalf("events %v, want STOP_EXIT status 0", evs)
	}
	if want := "child\nparent: child code 3\n"; g.out.String() != want {
		t.Errorf("output %q, want %q", g.out, want)
	}
}

// TestUnreadCloneStaysFrozen: a write while the clone event is unread
// returns at once (2019) and does not thaw the child.
func TestUnreadCloneStaysFrozen(t *testing.T) {
	g, s := cloneStart(t)
	done := inBackground(func() error {
		b, _ := FlagWait.MarshalBinary()
		_, err := s.Write(b)
		return err
	})
	if err := waitErr(t, done, "Write(FLAG_WAIT)"); err != nil {
		t.Fatal(err)
	}
	evs := readEvents(t, s)
	if len(evs) != 1 || evs[0].Cause != EventClone {
		t.Fatalf("events %v, want the EVENT_CLONE still queued", evs)
	}
	c, _ := s.Child(int(evs[0].A))
	time.Sleep(50 * time.Millisecond)
	if !c.Frozen() || strings.Contains(g.out.String(), "child") {
		t.Errorf("child frozen %v, output %q: an unread clone must stay frozen", c.Frozen(), g.out)
	}
}

// TestTracedCloneFrozenUntilItsWrite: a child with a session of its own
// is not thawed by the parent's write; its own first write thaws it, and
// its session reports its exit.
func TestTracedCloneFrozenUntilItsWrite(t *testing.T) {
	g, s := cloneStart(t)
	evs := readEvents(t, s)
	pid := int(evs[0].A)
	ready := make(chan *Session, 4)
	cs, err := s.OpenChild(pid, Options{NonBlocking: true, Ready: func(x *Session) { ready <- x }})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if _, err := s.OpenChild(pid, Options{}); !errors.Is(err, syscall.EBUSY) {
		t.Errorf("second OpenChild error %v, want EBUSY", err)
	}
	if regs, err := cs.IntRegs(pid); err != nil || regs.RAX != 0 {
		t.Errorf("frozen child's regs: rax %#x, %v; want fork's 0 in the child", regs.RAX, err)
	}
	parent := inBackground(func() error {
		b, _ := FlagWait.MarshalBinary()
		_, err := s.Write(b)
		return err
	})
	time.Sleep(50 * time.Millisecond)
	c, _ := s.Child(pid)
	if !c.Frozen() || strings.Contains(g.out.String(), "child") {
		t.Fatalf("child frozen %v, output %q: the parent's write must leave a traced child frozen", c.Frozen(), g.out)
	}
	// The child's own session sees its syscalls and its exit, in order,
	// while the parent (blocked in wait4) waits for it.
	var syscalls []uint64
	exitStatus := -1
	for exitStatus < 0 {
		writeFlags(t, cs, StopPreSyscall|StopExit)
		select {
		case x := <-ready:
			if x != cs {
				t.Fatalf("Ready(%p), want the child session %p", x, cs)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no Ready from the child after syscalls %v", syscalls)
		}
		for _, e := range readEvents(t, cs) {
			switch e.Cause {
			case StopPreSyscall:
				info, _ := cs.LastStop()
				syscalls = append(syscalls, info.Syscall)
			case StopExit:
				exitStatus = int(e.A)
			default:
				t.Fatalf("child event %v, want syscall or exit stops", e)
			}
		}
	}
	if exitStatus != 3<<8 || len(syscalls) == 0 || syscalls[len(syscalls)-1] != 231 {
		t.Errorf("child exit %#x after syscalls %v; want 0x300 after ..., exit_group (231)", exitStatus, syscalls)
	}
	writeFlags(t, cs, StopPreSyscall|StopExit) // past STOP_EXIT: the child is gone
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("no Ready for the child's end")
	}
	if st, ok := cs.ExitStatus(); !ok || st != 3<<8 {
		t.Errorf("child exit status %#x, %v; want 0x300", st, ok)
	}
	if _, err := cs.Read(make([]byte, EventSize)); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("child Read after exit: %v, want ESRCH", err)
	}
	if err := waitErr(t, parent, "parent Write(FLAG_WAIT)"); err != nil {
		t.Fatal(err)
	}
	if evs := readEvents(t, s); len(evs) != 1 || evs[0].Cause != StopExit {
		t.Fatalf("parent events %v, want STOP_EXIT", evs)
	}
	if want := "child\nparent: child code 3\n"; g.out.String() != want {
		t.Errorf("output %q, want %q", g.out, want)
	}
}

// TestCloneNotArmed: without EVENT_CLONE in the breakpoint there is no
// event and the child runs at once.
func TestCloneNotArmed(t *testing.T) {
	g := loadGuest(t, "fork")
	s := open(t, nil, g, Options{})
	writeFlags(t, s, StopExit)
	if evs := readEvents(t, s); len(evs) != 1 || evs[0].Cause != StopExit {
		t.Fatalf("events %v, want only STOP_EXIT", evs)
	}
	if want := "child\nparent: child code 3\n"; g.out.String() != want {
		t.Errorf("output %q, want %q", g.out, want)
	}
}

// TestCloneThread: a new thread is reported with its tid, is not frozen
// (threads share the process's session), and appears in Threads.
func TestCloneThread(t *testing.T) {
	g := loadGuest(t, "thread")
	s := open(t, nil, g, Options{})
	var tid uint64
	for tid == 0 {
		mustNext(t, s, StopPostSyscall|StopExit|EventClone, StopPostSyscall)
		for _, p := range s.Pending() {
			if p.Cause == EventClone {
				tid = p.A
			}
		}
	}
	if _, err := s.Child(int(tid)); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("Child(thread %d) error %v, want ESRCH (threads are not child processes)", tid, err)
	}
	found := false
	for _, x := range s.Threads() {
		found = found || uint64(x) == tid
	}
	if !found {
		t.Errorf("tid %d not in Threads %v", tid, s.Threads())
	}
	writeFlags(t, s, StopExit)
	if evs := readEvents(t, s); len(evs) == 0 || evs[len(evs)-1].Cause != StopExit {
		t.Fatalf("events %v, want STOP_EXIT", evs)
	}
	if want := "thread\njoined\n"; g.out.String() != want {
		t.Errorf("output %q, want %q", g.out, want)
	}
}
