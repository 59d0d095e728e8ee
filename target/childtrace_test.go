package target

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// childStop is one answer to a ResumeChild request.
type childStop struct {
	ev  Event
	err error
}

// childTracer drives the first child process of a tree through ResumeChild
// from its own goroutine, as a ptrace session does.
type childTracer struct {
	t     *testing.T
	child chan *Process
	stops chan childStop
}

func newChildTracer(t *testing.T, p *Process) *childTracer {
	ct := &childTracer{t: t, child: make(chan *Process, 1), stops: make(chan childStop, 1)}
	first := true
	p.SetCloneHook(func(e CloneEvent) bool {
		if e.Proc == nil || !first {
			return false
		}
		first = false
		ct.child <- e.Proc
		return true // frozen until the tracer's first ResumeChild
	})
	return ct
}

// resume arms mask on c and waits for the stop.
func (ct *childTracer) resume(c *Process, mask StopMask, ignore bool) (Event, error) {
	ct.t.Helper()
	if err := c.ResumeChild(mask, ignore, func(ev Event, err error) { ct.stops <- childStop{ev, err} }); err != nil {
		return Event{}, err
	}
	select {
	case s := <-ct.stops:
		return s.ev, s.err
	case <-time.After(30 * time.Second):
		ct.t.Fatalf("child %d: no stop for %v in 30 s", c.Pid, mask)
		return Event{}, nil
	}
}

// runRoot runs the root to its exit in the background.
func runRoot(p *Process) chan error {
	done := make(chan error, 1)
	go func() {
		ev, err := p.Resume(StopExit, false)
		if err == nil && ev.Kind != StopExit {
			err = errors.New("root stopped with " + ev.Kind.String())
		}
		if err == nil {
			_, err = p.Resume(StopExit, false)
			if errors.Is(err, ErrExited) {
				err = nil
			}
		}
		done <- err
	}()
	return done
}

// TestResumeChildSyscalls: a child's own tracer sees its syscalls in
// PRE/POST pairs and its exit while the root runs; skipping getppid with
// ignore (sysemu) leaves the tracer's RAX, which the child then prints.
func TestResumeChildSyscalls(t *testing.T) {
	bin := buildGuest(t, "forkpipe", "-O0")
	p, out := loadGuest(t, bin, []string{bin}, "")
	ct := newChildTracer(t, p)
	root := runRoot(p)
	c := <-ct.child

	var seq []string
	skipped := false
	mask := StopPreSyscall | StopPostSyscall | StopExit
	ignore := false
	for {
		ev, err := ct.resume(c, mask, ignore)
		ignore = false
		if errors.Is(err, ErrExited) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch ev.Kind {
		case StopPreSyscall:
			seq = append(seq, "pre "+syscallName(ev.Syscall))
			if ev.Syscall == sysGetppid && !skipped {
				c.cur.CPU.R[emu.RAX] = 12345 // not the parent: "parent ok 0"
				ignore, skipped = true, true
			}
		case StopPostSyscall:
			seq = append(seq, "post "+syscallName(ev.Syscall))
		case StopExit:
			seq = append(seq, "exit")
			if ev.Status != 7<<8 {
				t.Errorf("child exit status %#x, want 0x700", ev.Status)
			}
		default:
			t.Fatalf("unexpected child stop %+v", ev)
		}
	}
	if err := <-root; err != nil {
		t.Fatalf("root: %v", err)
	}
	got := strings.Join(seq, ", ")
	for _, want := range []string{"pre close, post close, pre getppid, post getppid, pre write, post write, pre exit_group, exit"} {
		if !strings.Contains(got, want) {
			t.Errorf("child stops %q, want them to contain %q", got, want)
		}
	}
	if !strings.Contains(out.String(), `read "hello from the child, parent ok 0"`) {
		t.Errorf("output %q: the skipped getppid's RAX should make the child print 0", out)
	}
	if _, err := ct.resume(c, mask, false); !errors.Is(err, ErrExited) {
		t.Errorf("ResumeChild after the exit: %v, want ErrExited", err)
	}
}

// TestResumeChildStepAndDetach: single steps of a child execute exactly
// one instruction each; a nil done detaches, and the program then ends
// with the output of an untraced run.
func TestResumeChildStepAndDetach(t *testing.T) {
	bin := buildGuest(t, "forkpipe", "-O0")
	ref, refOut := loadGuest(t, bin, []string{bin}, "")
	if st := runToExit(t, ref); st != 0 {
		t.Fatalf("reference run: status %#x", st)
	}

	p, out := loadGuest(t, bin, []string{bin}, "")
	ct := newChildTracer(t, p)
	root := runRoot(p)
	c := <-ct.child
	for i := 0; i < 20; i++ {
		before := c.cur.CPU.InstructionsExecuted()
		ev, err := ct.resume(c, StopSingleStep, false)
		if err != nil || ev.Kind != StopSingleStep || ev.Tid != c.Pid {
			t.Fatalf("step %d: %+v, %v; want a single-step stop of thread %d", i, ev, err, c.Pid)
		}
		if n := c.cur.CPU.InstructionsExecuted() - before; n != 1 {
			t.Fatalf("step %d executed %d instructions, want 1", i, n)
		}
	}
	if err := c.ResumeChild(StopSingleStep, false, nil); err != nil {
		t.Fatalf("detach: %v", err)
	}
	if err := <-root; err != nil {
		t.Fatalf("root: %v", err)
	}
	if out.String() != refOut.String() {
		t.Errorf("output after a traced and detached child:\n%s\nwant:\n%s", out, refOut)
	}
}

// drive is a ResumeChild whose caller drives the child itself (the root
// is parked), as a ptrace session's runner does.
func drive(t *testing.T, c *Process, mask StopMask) (Event, error) {
	t.Helper()
	var got childStop
	answered := make(chan struct{})
	if err := c.ResumeChild(mask, false, func(ev Event, err error) {
		got = childStop{ev, err}
		close(answered)
	}); err != nil {
		return Event{}, err
	}
	finished := make(chan struct{})
	go func() { c.Drive(answered); close(finished) }()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		t.Fatalf("child %d: Drive did not end in 30 s", c.Pid)
	}
	<-answered
	return got.ev, got.err
}

// TestDriveChildWhileRootParked: with the root parked at its fork's
// post-syscall stop, the child's tracer runs the child alone to its exit
// stop (Drive); then the root runs on and the program's output is that of
// an untraced run.
func TestDriveChildWhileRootParked(t *testing.T) {
	bin := buildGuest(t, "forkpipe", "-O0")
	ref, refOut := loadGuest(t, bin, []string{bin}, "")
	if st := runToExit(t, ref); st != 0 {
		t.Fatalf("reference run: status %#x", st)
	}

	p, out := loadGuest(t, bin, []string{bin}, "")
	var child *Process
	p.SetCloneHook(func(e CloneEvent) bool {
		if e.Proc != nil && child == nil {
			child = e.Proc
			return true
		}
		return false
	})
	p.SetSyscallFilter([]uint64{sysFork})
	ev, err := p.Resume(StopPostSyscall|StopExit, false)
	if err != nil || ev.Kind != StopPostSyscall || child == nil {
		t.Fatalf("root: %+v, %v, child %v; want fork's post-syscall stop", ev, err, child)
	}
	before := p.main.CPU.InstructionsExecuted()
	ev, err = drive(t, child, StopExit)
	if err != nil || ev.Kind != StopExit || ev.Status != 7<<8 {
		t.Fatalf("child: %+v, %v; want its exit stop with status 0x700", ev, err)
	}
	if n := p.main.CPU.InstructionsExecuted() - before; n != 0 {
		t.Errorf("the parked root ran %d instructions while the child was driven", n)
	}
	if _, err := drive(t, child, StopExit); !errors.Is(err, ErrExited) {
		t.Fatalf("child past its exit stop: %v, want ErrExited", err)
	}
	p.SetSyscallFilter(nil)
	if st := runToExit(t, p); st != 0 {
		t.Fatalf("root status %#x", st)
	}
	if out.String() != refOut.String() {
		t.Errorf("output:\n%s\nwant:\n%s", out, refOut)
	}
}

// TestRunOrphans: a child that outlives its parent runs on to its end
// with RunOrphans, after the root's exit.
func TestRunOrphans(t *testing.T) {
	bin := buildGuest(t, "orphan", "-O0")
	p, out := loadGuest(t, bin, []string{bin}, "")
	p.RunOrphans() // the root is alive: nothing to do
	if st := runToExit(t, p); st != 0 {
		t.Fatalf("status %#x", st)
	}
	if strings.Contains(out.String(), "orphan done") {
		t.Fatalf("the orphan finished before its parent: output %q (the test needs it to outlive it)", out)
	}
	done := make(chan struct{})
	go func() { p.RunOrphans(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("RunOrphans did not return")
	}
	if want := "parent exits\norphan done\n"; out.String() != want {
		t.Errorf("output %q, want %q", out, want)
	}
}
