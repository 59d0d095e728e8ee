package ptrace

import (
	"errors"
	"syscall"
	"testing"
	"time"
)

// TestFocusAndLock: the per-thread controls check their thread and the
// tracee's state, and a focused single step with the scheduler locked
// reports the chosen thread.
func TestFocusAndLock(t *testing.T) {
	g := loadGuest(t, "thread")
	s := open(t, nil, g, Options{})
	// Run to a syscall of the new thread (the one that is not the pid).
	tid := 0
	for tid == 0 {
		ev, err := s.Next(StopPreSyscall)
		if err != nil {
			t.Fatalf("Next: %v (%v)", err, ev)
		}
		if info, _ := s.LastStop(); info.Tid != g.p.Pid {
			tid = info.Tid
		}
	}
	if err := s.Focus(99999); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("Focus(no such thread) = %v, want ESRCH", err)
	}
	if err := s.LockScheduler(99999); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("LockScheduler(no such thread) = %v, want ESRCH", err)
	}
	// The main thread is blocked in pthread_join: locked to it, the
	// tracee would wait (as Linux does); the thread can be stepped.
	for _, want := range []int{tid, tid, tid} {
		if err := s.Focus(want); err != nil {
			t.Fatal(err)
		}
		if err := s.LockScheduler(want); err != nil {
			t.Fatal(err)
		}
		if ev, err := s.Next(StopSingleStep); err != nil || ev.Cause != StopSingleStep {
			t.Fatalf("step: %v, %v", ev, err)
		}
		if info, _ := s.LastStop(); info.Tid != want {
			t.Errorf("focused step stopped thread %d, want %d", info.Tid, want)
		}
	}
	if err := s.LockScheduler(0); err != nil {
		t.Fatal(err)
	}
	if ev, err := s.Next(StopExit); err != nil || ev.Cause != StopExit {
		t.Fatalf("to the exit: %v, %v", ev, err)
	}
	if _, err := s.Next(StopExit); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("past the exit: %v, want ESRCH", err)
	}
	if err := s.Focus(g.p.Pid); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("Focus after the exit = %v, want ESRCH", err)
	}
}

// TestInterruptRunning: Interrupt stops a tracee that runs a busy loop
// with STOP_SIGNAL a=0; resuming goes on to the exit.
func TestInterruptRunning(t *testing.T) {
	g := loadGuest(t, "loop")
	s := open(t, nil, g, Options{})
	done := make(chan struct{})
	var ev Event
	var err error
	go func() {
		ev, err = s.Next(StopSignal | StopExit)
		close(done)
	}()
	for {
		if e := s.Interrupt(); e != nil {
			t.Fatal(e)
		}
		select {
		case <-done:
		case <-time.After(10 * time.Millisecond):
			continue // not running yet: the request waits for the resume
		}
		break
	}
	if err != nil || ev.Cause != StopSignal || ev.A != 0 {
		t.Fatalf("interrupted: %v, %v; want STOP_SIGNAL a=0", ev, err)
	}
	if err := s.Hold(99999, true); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("Hold(no such thread) = %v, want ESRCH", err)
	}
}
