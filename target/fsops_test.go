package target

import (
	"strings"
	"testing"
)

// TestFSOps runs the file-system-changing syscalls, chdir, sendfile,
// sysinfo and mremap in a fresh directory, natively and emulated, built by
// musl-gcc and gcc; the outputs (results and errnos) must match.
func TestFSOps(t *testing.T) {
	for _, cc := range []string{"musl-gcc", "gcc"} {
		t.Run(cc, func(t *testing.T) {
			t.Parallel()
			bin := buildWith(t, cc, "fsops", "-O1")
			wantOut, wantErr, wantStatus := runNative(t, bin, []string{bin, t.TempDir()}, "")
			if !strings.Contains(wantOut, "mremap shrink 1 kept\n") {
				t.Fatalf("the native run is not as expected:\n%s", wantOut)
			}
			p, out, errOut := loadGuest2(t, bin, []string{bin, t.TempDir()}, "")
			status := runToExit(t, p)
			if out.String() != wantOut || errOut.String() != wantErr || status != wantStatus {
				t.Errorf("emulated: status %#x\n%s%s\nnative: status %#x\n%s%s", status, out, errOut, wantStatus, wantOut, wantErr)
			}
		})
	}
}

// TestWaits runs interval timers, alarm, poll/ppoll and rt_sigtimedwait,
// natively and emulated.
func TestWaits(t *testing.T) {
	for _, cc := range []string{"musl-gcc", "gcc"} {
		t.Run(cc, func(t *testing.T) {
			t.Parallel()
			bin := buildWith(t, cc, "waits", "-O1")
			wantOut, wantErr, wantStatus := runNative(t, bin, []string{bin}, "")
			if !strings.Contains(wantOut, "sigwait 10\n") {
				t.Fatalf("the native run is not as expected:\n%s", wantOut)
			}
			p, out, errOut := loadGuest2(t, bin, []string{bin}, "")
			status := runToExit(t, p)
			if out.String() != wantOut || errOut.String() != wantErr || status != wantStatus {
				t.Errorf("emulated: status %#x\n%s%s\nnative: status %#x\n%s%s", status, out, errOut, wantStatus, wantOut, wantErr)
			}
		})
	}
}

// TestOrphanKillsRoot: a process whose parent exited (an orphan) must
// still find the root process by pid, and kill it.
func TestOrphanKillsRoot(t *testing.T) {
	bin := buildGuest(t, "orphankill", "-O1")
	wantOut, _, wantStatus := runNative(t, bin, []string{bin}, "")
	p, out, _ := loadGuest2(t, bin, []string{bin}, "")
	status := runToExit(t, p)
	if wantStatus != 15 || wantOut != "parent var set 1\n" {
		t.Fatalf("the native run is not as expected: status %#x\n%s", wantStatus, wantOut)
	}
	if status != wantStatus || out.String() != wantOut {
		t.Errorf("emulated: status %#x, stdout %q; want %#x, %q", status, out, wantStatus, wantOut)
	}
}
