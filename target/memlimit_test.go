package target

import (
	"bytes"
	"strings"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
	"github.com/sirupsen/logrus"
)

// TestMemoryLimit runs a guest into a 32 MiB Config.MaxMemory through
// mmap, mprotect, brk and (with an argument) stack growth.
func TestMemoryLimit(t *testing.T) {
	bin := buildGuest(t, "memlimit", "-O1")
	for _, tc := range []struct {
		name   string
		args   []string
		status int // wait status, without the core-dump bit
	}{
		{"heap", []string{"memlimit"}, 0},
		{"stack", []string{"memlimit", "deep"}, 11}, // SIGSEGV
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, logs bytes.Buffer
			log := logrus.New()
			log.SetOutput(&logs)
			p, err := Load(Config{Path: bin, Args: tc.args, Env: testEnv, Stdin: strings.NewReader(""),
				Stdout: &out, Stderr: &out, Log: log, MaxMemory: 32 << 20})
			if err != nil {
				t.Fatal(err)
			}
			status := runToExit(t, p) &^ 0x80
			if status != tc.status {
				t.Errorf("status %#x, want %#x\n%s", status, tc.status, out.String())
			}
			for _, want := range []string{"ENOMEM 1\n", "PROT_NONE reservation 1\n", "mprotect to rw -1 ENOMEM 1\n",
				"sbrk fails 1 ENOMEM 1\n", "brk unchanged 1\n", "mmap still fails 1\n"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
			if !strings.Contains(out.String(), "mmap stopped after 3") && !strings.Contains(out.String(), "mmap stopped after 2") {
				t.Errorf("mmap did not stop just below 32 MiB:\n%s", out.String())
			}
			if n := strings.Count(logs.String(), "level=warning msg=\"guest memory limit reached (--max-memory 32 MiB)"); n != 1 {
				t.Errorf("%d warnings about the limit, want 1:\n%s", n, logs.String())
			}
		})
	}
}

// newTestMem maps 8 RW pages at 0x10000 and 8 PROT_NONE pages at 0x20000.
func newTestMem(t *testing.T) *emu.Memory {
	m := emu.NewMemory()
	if m.Map(0x10000, 8<<12, emu.PermRead|emu.PermWrite) != nil || m.Map(0x20000, 8<<12, 0) != nil {
		t.Fatal("map failed")
	}
	return m
}

// TestMemoryAllows checks the accounting: PROT_NONE is free, remapping
// replaces what was there, and the limit is inclusive.
func TestMemoryAllows(t *testing.T) {
	p := &Process{Mem: newTestMem(t), maxMemory: 16 << 12, log: logrus.New(), warned: map[uint64]bool{}}
	p.log.(*logrus.Logger).SetOutput(&bytes.Buffer{})
	// 8 pages mapped RW at 0x10000, 8 PROT_NONE at 0x20000.
	for _, tc := range []struct {
		addr, size uint64
		perm       int
		want       bool
	}{
		{0x30000, 8 << 12, protRead, true},              // 8 + 8 = 16: at the limit
		{0x30000, 9 << 12, protRead, false},             // 17
		{0x20000, 8 << 12, protRead | protWrite, true},  // the PROT_NONE pages
		{0x10000, 16 << 12, protRead, true},             // replaces the 8 mapped
		{0x10000, 17 << 12, protRead, false},            // one more
		{0x40000, 1 << 40, 0, true},                     // PROT_NONE: free
		{0x40000, ^uint64(0) &^ 0xfff, protRead, false}, // no overflow
	} {
		if got := p.memoryAllows("test", tc.addr, tc.size, permOf(tc.perm)); got != tc.want {
			t.Errorf("memoryAllows(%#x, %#x, %d) = %v, want %v", tc.addr, tc.size, tc.perm, got, tc.want)
		}
	}
}
