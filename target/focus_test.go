package target

import "testing"

// twoSpinners loads twospin and runs it until both workers exist.
func twoSpinners(t *testing.T) (p *Process, a, b *Thread) {
	t.Helper()
	bin := buildGuest(t, "twospin", "-O0")
	p, out := loadGuest(t, bin, []string{bin}, "")
	for len(p.Threads()) < 3 {
		if _, err := p.Resume(StopPreSyscall, false); err != nil {
			t.Fatalf("waiting for the workers: %v, output %q", err, out)
		}
	}
	ths := p.Threads()
	return p, ths[1], ths[2]
}

// TestLockToAndFocus: with the scheduler locked to one worker, every stop
// is that worker's and the other runs no instruction; Focus makes a
// single step move the named thread only; after the lock is lifted the
// program completes.
func TestLockToAndFocus(t *testing.T) {
	p, a, b := twoSpinners(t)
	if p.LockTo(12345) || p.Focus(12345) {
		t.Error("LockTo/Focus accepted a tid that is no thread")
	}
	if !p.LockTo(a.Tid) {
		t.Fatal("LockTo(a) refused")
	}
	bBefore := b.CPU.InstructionsExecuted()
	for i := 0; i < 10; i++ {
		ev, err := p.Resume(StopPreSyscall, false)
		if err != nil || ev.Tid != a.Tid {
			t.Fatalf("locked stop %d: %+v, %v; want a stop of thread %d", i, ev, err, a.Tid)
		}
	}
	if n := b.CPU.InstructionsExecuted() - bBefore; n != 0 {
		t.Errorf("thread b ran %d instructions while the scheduler was locked to a", n)
	}
	for _, x := range []*Thread{a, b, a} {
		if !p.Focus(x.Tid) {
			t.Fatalf("Focus(%d) refused", x.Tid)
		}
		aBefore, bBefore := a.CPU.InstructionsExecuted(), b.CPU.InstructionsExecuted()
		if !p.LockTo(x.Tid) {
			t.Fatalf("LockTo(%d) refused", x.Tid)
		}
		ev, err := p.Resume(StopSingleStep, false)
		if err != nil || ev.Kind != StopSingleStep || ev.Tid != x.Tid {
			t.Fatalf("focused step: %+v, %v; want a single step of %d", ev, err, x.Tid)
		}
		da, db := a.CPU.InstructionsExecuted()-aBefore, b.CPU.InstructionsExecuted()-bBefore
		if x == a && (da != 1 || db != 0) || x == b && (da != 0 || db != 1) {
			t.Errorf("step of %d: a ran %d, b ran %d instructions", x.Tid, da, db)
		}
	}
	p.LockTo(0)
	if st := runToExit(t, p); st != 0 {
		t.Fatalf("status %#x", st)
	}
}

// TestHoldAndInterrupt: a held thread runs no instruction while the
// others do; Interrupt stops a running Resume with a signal-less
// StopSignal, from which the program goes on normally.
func TestHoldAndInterrupt(t *testing.T) {
	p, a, _ := twoSpinners(t)
	if p.Hold(12345, true) {
		t.Error("Hold accepted a tid that is no thread")
	}
	if !p.Hold(a.Tid, true) {
		t.Fatal("Hold(a) refused")
	}
	aBefore := a.CPU.InstructionsExecuted()
	for i := 0; i < 10; i++ {
		ev, err := p.Resume(StopPreSyscall, false)
		if err != nil || ev.Tid == a.Tid {
			t.Fatalf("stop %d with a held: %+v, %v", i, ev, err)
		}
	}
	if n := a.CPU.InstructionsExecuted() - aBefore; n != 0 {
		t.Errorf("the held thread ran %d instructions", n)
	}
	p.Hold(a.Tid, false)

	p.Interrupt() // before the Resume: it stops at its start (deterministic)
	ev, err := p.Resume(StopSignal|StopExit, false)
	if err != nil || ev.Kind != StopSignal || ev.Signo != 0 {
		t.Fatalf("interrupted Resume: %+v, %v; want a StopSignal of signal 0", ev, err)
	}
	if st := runToExit(t, p); st != 0 {
		t.Fatalf("status %#x after the interrupt", st)
	}
}
