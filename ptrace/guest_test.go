package ptrace

import (
	"bytes"
	"errors"
	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/target"
	"golang.org/x/arch/x86/x86asm"
)

// buildGuest compiles testdata/name.c with musl-gcc -static -O0 -g. A
// missing musl-gcc skips the test locally and fails it in CI.
func buildGuest(t *testing.T, name string) string {
	t.Helper()
	cc := testenv.Tool(t, "musl-gcc")
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command(cc, "-static", "-O0", "-g", "-o", out, filepath.Join("testdata", name+".c"))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, b)
	}
	return out
}

// symbol looks up a defined symbol's address in the guest's symbol table.
func symbol(t *testing.T, path, name string) uint64 {
	t.Helper()
	return testenv.FileSymbol(t, path, name)
}

// syncBuffer collects the guest's output, written from the runner goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type guest struct {
	path string
	p    *target.Process
	out  *syncBuffer
}

// loadGuest builds and loads testdata/name.c.
func loadGuest(t *testing.T, name string) *guest {
	t.Helper()
	path := buildGuest(t, name)
	out := &syncBuffer{}
	p, err := target.Load(target.Config{Path: path, Args: []string{path}, Stdout: out, Stderr: out})
	if err != nil {
		t.Fatalf("target.Load(%s): %v", path, err)
	}
	return &guest{path: path, p: p, out: out}
}

// open opens a session through reg (a fresh one if nil) and kills the
// tracee when the test ends, so no runner goroutine outlives it.
func open(t *testing.T, reg *Registry, g *guest, opts Options) *Session {
	t.Helper()
	if reg == nil {
		reg = NewRegistry()
	}
	opts.KillOnClose = true
	s, err := reg.Open(g.p, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// next runs s.Next with a timeout (killing the tracee if it expires).
func next(t *testing.T, s *Session, flags Flags) (Event, error) {
	t.Helper()
	type result struct {
		e   Event
		err error
	}
	ch := make(chan result, 1)
	go func() {
		e, err := s.Next(flags)
		ch <- result{e, err}
	}()
	select {
	case r := <-ch:
		return r.e, r.err
	case <-time.After(30 * time.Second):
		s.Kill(9)
		t.Fatalf("Next(%v) did not return in 30s", flags)
		return Event{}, nil
	}
}

func mustNext(t *testing.T, s *Session, flags Flags, want Flags) Event {
	t.Helper()
	e, err := next(t, s, flags)
	if err != nil {
		t.Fatalf("Next(%v): %v", flags, err)
	}
	if e.Cause != want {
		t.Fatalf("Next(%v) = %v, want cause %v", flags, e, want)
	}
	return e
}

func mainTid(t *testing.T, s *Session) int {
	t.Helper()
	tids := s.Threads()
	if len(tids) == 0 {
		t.Fatal("no threads")
	}
	return tids[0]
}

func intRegs(t *testing.T, s *Session) IntRegisters {
	t.Helper()
	r, err := s.IntRegs(mainTid(t, s))
	if err != nil {
		t.Fatalf("IntRegs: %v", err)
	}
	return r
}

// decodeAt decodes the instruction at addr in the tracee.
func decodeAt(t *testing.T, s *Session, addr uint64) x86asm.Inst {
	t.Helper()
	code := make([]byte, 15)
	if err := s.ReadMem(addr, code); err != nil {
		t.Fatalf("ReadMem(%#x): %v", addr, err)
	}
	inst, err := x86asm.Decode(code, 64)
	if err != nil {
		t.Fatalf("decode at %#x: %v", addr, err)
	}
	return inst
}

func isControlTransfer(inst x86asm.Inst) bool {
	op := inst.Op.String()
	return strings.HasPrefix(op, "J") || strings.HasPrefix(op, "LOOP") ||
		op == "CALL" || op == "RET" || op == "SYSCALL"
}

func hasRep(inst x86asm.Inst) bool {
	for _, p := range inst.Prefix {
		if p == 0 {
			break
		}
		if b := p & 0xff; b == 0xf3 || b == 0xf2 {
			return true
		}
	}
	return false
}

func wantErrno(t *testing.T, what string, err error, want syscall.Errno) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: err = %v, want %v", what, err, want)
	}
}

const (
	linuxSysWrite = 1
	exitStop      = StopBreakpoint | StopSignal | StopExit
)
