package ptrace

import "testing"

func TestMemoryRegionsAndInstructions(t *testing.T) {
	g := loadGuest(t, "hello")
	s := open(t, nil, g, Options{})
	rs, err := s.MemoryRegions()
	if err != nil {
		t.Fatal(err)
	}
	regs, err := s.IntRegs(s.Threads()[0])
	if err != nil {
		t.Fatal(err)
	}
	var code, stack bool
	for i, r := range rs {
		if r.Start >= r.End || r.Start%4096 != 0 || (i > 0 && r.Start < rs[i-1].End) {
			t.Errorf("region %d: %+v", i, r)
		}
		if regs.RIP >= r.Start && regs.RIP < r.End && r.Execute && r.Read && !r.Write {
			code = true
		}
		if regs.RSP >= r.Start && regs.RSP < r.End && r.Write && !r.Execute {
			stack = true
		}
	}
	if !code || !stack {
		t.Errorf("regions %+v: code at %#x %v, stack at %#x %v", rs, regs.RIP, code, regs.RSP, stack)
	}
	if n, err := s.InstructionsExecuted(); err != nil || n != 0 {
		t.Errorf("before running: %d, %v", n, err)
	}
	if _, err := next(t, s, StopSingleStep); err != nil {
		t.Fatal(err)
	}
	if n, err := s.InstructionsExecuted(); err != nil || n != 1 {
		t.Errorf("after one step: %d, %v", n, err)
	}
	if armed, reached := s.ArmedFlags(); armed != StopSingleStep || !reached {
		t.Errorf("armed %v reached %v", armed, reached)
	}
}
