package ptrace

import (
	"bytes"
	"errors"
	"syscall"
	"testing"
)

// lldb's _M/_m: memory allocated in the tracee is mapped with the asked
// permissions, readable and writable through the trace session, and gone
// after DeallocateMemory.
func TestAllocateMemory(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	for _, tc := range []struct {
		size            uint64
		read, write, ex bool
	}{
		{0x1000, true, true, true},
		{0x10, true, false, true}, // rounded up to a page
		{0x81000, true, true, false},
	} {
		addr, err := s.AllocateMemory(tc.size, tc.read, tc.write, tc.ex)
		if err != nil {
			t.Fatalf("allocate %#x: %v", tc.size, err)
		}
		if addr%4096 != 0 {
			t.Errorf("allocation at %#x is not page aligned", addr)
		}
		rs, err := s.MemoryRegions()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rs {
			if addr >= r.Start && addr < r.End {
				found = true
				if r.Read != tc.read || r.Write != tc.write || r.Execute != tc.ex || r.End-addr < tc.size {
					t.Errorf("allocation %#x+%#x: region %+v", addr, tc.size, r)
				}
			}
		}
		if !found {
			t.Fatalf("allocation at %#x is not mapped: %+v", addr, rs)
		}
		// The debugger writes code and data there (ptrace ignores the
		// protections), fresh memory reads as zeros.
		buf := make([]byte, 8)
		if err := s.ReadMem(addr, buf); err != nil || !bytes.Equal(buf, make([]byte, 8)) {
			t.Errorf("read fresh memory: %x, %v", buf, err)
		}
		if err := s.WriteMem(addr, []byte("lldb jit")); err != nil {
			t.Errorf("write: %v", err)
		}
		if err := s.DeallocateMemory(addr, tc.size); err != nil {
			t.Fatalf("deallocate: %v", err)
		}
		if err := s.ReadMem(addr, buf); !errors.Is(err, syscall.EFAULT) {
			t.Errorf("read after deallocate: %v, want EFAULT", err)
		}
	}
	if _, err := s.AllocateMemory(0, true, true, false); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("allocate 0 bytes: %v, want EINVAL", err)
	}
	if err := s.DeallocateMemory(0x401001, 1); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("deallocate unaligned: %v, want EINVAL", err)
	}
}

func TestProcInfo(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	pi, err := s.ProcInfo()
	if err != nil {
		t.Fatal(err)
	}
	// The process Load made has no emulated parent: getppid says 1.
	if pi.ParentPid != 1 {
		t.Errorf("parent pid %d, want 1", pi.ParentPid)
	}
	if pi.UID != syscall.Getuid() || pi.EGID != syscall.Getegid() {
		t.Errorf("ids %+v, want the stub's (%d, %d)", pi, syscall.Getuid(), syscall.Getegid())
	}
	if pi.WorkingDir == "" || pi.WorkingDir[0] != '/' {
		t.Errorf("working directory %q", pi.WorkingDir)
	}
	s.Close()
	if _, err := s.ProcInfo(); err == nil {
		t.Error("ProcInfo after Close succeeded")
	}
	if _, err := s.AllocateMemory(4096, true, true, false); err == nil {
		t.Error("AllocateMemory after Close succeeded")
	}
}
