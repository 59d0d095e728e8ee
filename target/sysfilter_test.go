package target

import "testing"

// TestSyscallFilter: with a filter only the listed syscalls stop, in
// PRE/POST pairs; an empty filter stops none; nil restores every stop.
func TestSyscallFilter(t *testing.T) {
	bin := buildGuest(t, "twospin", "-O0")
	p, out := loadGuest(t, bin, []string{bin}, "")
	p.SetSyscallFilter([]uint64{sysGetppid, 5000})
	var kinds []StopMask
	for i := 0; i < 20; i++ {
		ev, err := p.Resume(StopPreSyscall|StopPostSyscall, false)
		if err != nil {
			t.Fatalf("stop %d: %v, output %q", i, err, out)
		}
		if ev.Syscall != sysGetppid {
			t.Fatalf("stop %d at syscall %d, want only getppid (%d)", i, ev.Syscall, sysGetppid)
		}
		kinds = append(kinds, ev.Kind)
	}
	for i, k := range kinds {
		if want := []StopMask{StopPreSyscall, StopPostSyscall}[i%2]; k != want {
			t.Fatalf("stops %v: want PRE/POST pairs", kinds)
		}
	}
	p.SetSyscallFilter([]uint64{})
	ev, err := p.Resume(StopPreSyscall|StopPostSyscall|StopExit, false)
	if err != nil || ev.Kind != StopExit {
		t.Fatalf("with an empty filter: %+v, %v; want the exit stop only", ev, err)
	}
	p.SetSyscallFilter(nil)
	if !p.syscallTraced(1) || !p.syscallTraced(100000) {
		t.Error("nil filter: every syscall must stop")
	}
}
