package target

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestCloneHookThreads: each new thread is reported with its tid and no
// process; asking to freeze a thread does nothing (threads are never
// frozen), so the program completes.
func TestCloneHookThreads(t *testing.T) {
	bin := buildGuest(t, "threads", "-O0")
	p, out := loadGuest(t, bin, []string{bin}, "")
	var evs []CloneEvent
	p.SetCloneHook(func(e CloneEvent) bool { evs = append(evs, e); return true })
	if st := runToExit(t, p); st != 0 {
		t.Fatalf("status %#x, output %q", st, out)
	}
	if len(evs) < 4 {
		t.Fatalf("%d clone events, want at least 4: %+v", len(evs), evs)
	}
	seen := map[int]bool{p.Pid: true}
	for _, e := range evs {
		if e.Proc != nil || e.Tid != p.Pid || seen[e.Child] {
			t.Errorf("event %+v: want a new tid created by the main thread %d", e, p.Pid)
		}
		seen[e.Child] = true
	}
}

// TestCloneHookFreezesChild: each fork/vfork is reported with the child
// Process; a frozen child runs no instruction until Thaw (the parent,
// waiting for it, idles), and after the thaw the program's output is that
// of an unhooked run. A vfork child is reported (Vfork) but never frozen.
func TestCloneHookFreezesChild(t *testing.T) {
	bin := buildGuest(t, "forkpipe", "-O0")
	ref, refOut := loadGuest(t, bin, []string{bin}, "")
	if st := runToExit(t, ref); st != 0 {
		t.Fatalf("reference run: status %#x", st)
	}

	p, out := loadGuest(t, bin, []string{bin}, "")
	var mu sync.Mutex
	var evs []CloneEvent
	ranWhileFrozen := 0
	var wg sync.WaitGroup
	p.SetCloneHook(func(e CloneEvent) bool {
		mu.Lock()
		evs = append(evs, e)
		mu.Unlock()
		if e.Proc == nil {
			return false
		}
		if e.Vfork {
			// Never frozen: its parent waits for it.
			if e.Proc.Frozen() {
				mu.Lock()
				ranWhileFrozen = -100 // reported below
				mu.Unlock()
			}
			return true
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(20 * time.Millisecond)
			if !e.Proc.Frozen() || e.Proc.main.CPU.InstructionsExecuted() != 0 {
				mu.Lock()
				ranWhileFrozen++
				mu.Unlock()
			}
			e.Proc.Thaw()
		}()
		return true
	})
	if st := runToExit(t, p); st != 0 {
		t.Fatalf("status %#x, output %q", st, out)
	}
	wg.Wait()
	if out.String() != refOut.String() {
		t.Errorf("output with frozen children:\n%s\nwant:\n%s", out, refOut)
	}
	if ranWhileFrozen < 0 {
		t.Errorf("a vfork child was frozen")
	} else if ranWhileFrozen != 0 {
		t.Errorf("%d children ran while frozen", ranWhileFrozen)
	}
	if len(evs) != 5 {
		t.Fatalf("%d clone events, want 5 (fork, fork, vfork, fork, fork): %+v", len(evs), evs)
	}
	for _, e := range evs {
		if e.Proc == nil || e.Proc.Pid != e.Child || e.Tid != p.Pid || !e.Proc.IsChild() || e.Vfork != (e == evs[2]) {
			t.Errorf("event %+v: want a child process of %d", e, p.Pid)
		}
	}
	if p.IsChild() {
		t.Error("the loaded process says it is a child")
	}
}

// TestThreadNames: prctl(PR_SET_NAME) names a thread, a thread it creates
// inherits the name, and an unnamed thread has the executable's base name
// (as Linux's comm).
func TestThreadNames(t *testing.T) {
	bin := buildGuest(t, "names", "-O0")
	p, out := loadGuest(t, bin, []string{bin}, "")
	for {
		ev, err := p.Resume(StopPreSyscall|StopExit, false)
		if err != nil || ev.Kind == StopExit {
			t.Fatalf("no getppid stop: %+v, %v, output %q", ev, err, out)
		}
		if ev.Syscall == sysGetppid {
			break
		}
	}
	var names []string
	for _, th := range p.Threads() {
		n, ok := p.ThreadName(th.Tid)
		if !ok {
			t.Fatalf("ThreadName(%d) not found", th.Tid)
		}
		names = append(names, n)
	}
	exe := filepath.Base(bin)
	if len(exe) > 15 {
		exe = exe[:15] // comm holds 15 bytes
	}
	if want := []string{exe, "worker-named", "worker-named"}; !slices.Equal(names, want) {
		t.Errorf("thread names %q, want %q", names, want)
	}
	if _, ok := p.ThreadName(1); ok {
		t.Error("ThreadName(1) found a thread that does not exist")
	}
	if st := runToExit(t, p); st != 0 {
		t.Fatalf("status %#x", st)
	}
}
