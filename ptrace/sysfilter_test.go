package ptrace

import (
	"errors"
	"syscall"
	"testing"
)

// TestSyscallFilterSession: with a filter of write only, the syscall
// stops are write's PRE/POST pairs; the filter is refused while running.
func TestSyscallFilterSession(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	const sysWrite, sysWritev = 1, 20
	if err := s.SetSyscallFilter([]uint64{sysWrite, sysWritev}); err != nil {
		t.Fatal(err)
	}
	var seen []uint64
	for {
		ev, err := s.Next(StopPreSyscall | StopPostSyscall | StopExit)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Cause == StopExit {
			break
		}
		info, _ := s.LastStop()
		seen = append(seen, info.Syscall)
	}
	if len(seen) == 0 || len(seen)%2 != 0 {
		t.Fatalf("syscall stops %v: want PRE/POST pairs of write", seen)
	}
	for _, nr := range seen {
		if nr != sysWrite && nr != sysWritev {
			t.Fatalf("syscall stops %v: want only write/writev", seen)
		}
	}
	if _, err := s.Next(StopExit); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("past the exit: %v", err)
	}
	if err := s.SetSyscallFilter(nil); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("filter after the exit: %v, want ESRCH", err)
	}
}
