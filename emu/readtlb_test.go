package emu

import (
	"testing"
)

// TestReadTLB checks that loads served from the CPU's read TLB (page
// contents cached by the first load) see every later change to the page:
// stores by the guest and the debugger, a page materialised after a load
// of zeros, and, between runs, permission changes, unmapping, remapping
// and read watchpoints.
func TestReadTLB(t *testing.T) {
	const val = 0x1122334455667788
	tests := []struct {
		name string
		// between runs the first "mov rax, [rdi]" and the second
		change func(t *testing.T, c *CPU)
		stop   StopReason
		rax    uint64 // after the second load, if stop == StopBudget
		fault  Fault  // if stop == StopFault
	}{
		{"unchanged", func(t *testing.T, c *CPU) {}, StopBudget, val, Fault{}},
		{"guest store", func(t *testing.T, c *CPU) {
			// mov [rdi+8], rbx then mov rax, [rdi+4]: crosses into the stored bytes
			c.R[RBX] = 0xaabbccdd
			runCode(t, c, []byte{0x48, 0x89, 0x5f, 0x08})
		}, StopBudget, val>>32 | 0xaabbccdd<<32, Fault{}},
		{"debugger write", func(t *testing.T, c *CPU) {
			must(t, c.Mem.WriteGuest(tData, []byte{0x99}))
		}, StopBudget, val&^0xff | 0x99, Fault{}},
		{"protect none", func(t *testing.T, c *CPU) {
			must(t, c.Mem.Protect(tData, PageSize, 0))
		}, StopFault, 0, Fault{SIGSEGV, SEGV_ACCERR, tData}},
		{"protect write-only", func(t *testing.T, c *CPU) {
			must(t, c.Mem.Protect(tData, PageSize, PermWrite))
		}, StopFault, 0, Fault{SIGSEGV, SEGV_ACCERR, tData}},
		{"unmap", func(t *testing.T, c *CPU) {
			must(t, c.Mem.Unmap(tData, PageSize))
		}, StopFault, 0, Fault{SIGSEGV, SEGV_MAPERR, tData}},
		{"remap", func(t *testing.T, c *CPU) {
			must(t, c.Mem.Map(tData, PageSize, PermRead|PermWrite))
		}, StopBudget, 0, Fault{}},
		{"read watchpoint", func(t *testing.T, c *CPU) {
			must(t, c.Mem.SetWatch(tData+4, 4, WatchRead))
		}, StopBreakpoint, val, Fault{}},
		{"watchpoint cleared", func(t *testing.T, c *CPU) {
			must(t, c.Mem.SetWatch(tData+4, 4, WatchRead))
			c.Mem.ClearWatch(tData+4, 4, WatchRead)
		}, StopBudget, val, Fault{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCPU(t, []byte{0x48, 0x8b, 0x07}) // mov rax, [rdi]
			must(t, c.Mem.WriteGuest(tData, le64bytes(val)))
			c.R[RDI] = tData
			if r, _ := c.Run(1, nil); r != StopBudget || c.R[RAX] != val {
				t.Fatalf("first load: stop %d rax %#x", r, c.R[RAX])
			}
			tt.change(t, c)
			c.RIP, c.R[RAX], c.R[RDI] = tCode, 0, tData
			if tt.name == "guest store" {
				c.R[RDI] = tData + 4
			}
			r, _ := c.Run(1, nil)
			if r != tt.stop {
				t.Fatalf("second load: stop %d, want %d (%v)", r, tt.stop, &c.Fault)
			}
			switch r {
			case StopFault:
				if c.Fault != tt.fault {
					t.Errorf("fault %v, want %v", &c.Fault, &tt.fault)
				}
			case StopBreakpoint:
				if w, ok := c.Watch(); !ok || w.Access != WatchRead {
					t.Errorf("watch %+v %v, want a read hit", w, ok)
				}
			default:
				if c.R[RAX] != tt.rax {
					t.Errorf("rax %#x, want %#x", c.R[RAX], tt.rax)
				}
			}
		})
	}

	t.Run("zero page then store", func(t *testing.T) {
		// mov rax, [rdi]; mov [rdi], rbx; mov rcx, [rdi]: the first load
		// reads a page never written, the store materialises it
		c := newTestCPU(t, []byte{0x48, 0x8b, 0x07, 0x48, 0x89, 0x1f, 0x48, 0x8b, 0x0f, 0xcc})
		c.R[RDI], c.R[RBX] = tData+16, val
		if r, _ := c.Run(100, nil); r != StopInt3 || c.R[RAX] != 0 || c.R[RCX] != val {
			t.Fatalf("stop %d rax %#x rcx %#x, want int3, 0, %#x", r, c.R[RAX], c.R[RCX], val)
		}
	})
}

// runCode runs code (followed by int3) at a scratch page on c's memory and
// restores RIP.
func runCode(t *testing.T, c *CPU, code []byte) {
	t.Helper()
	const at = tCode + PageSize
	must(t, c.Mem.WriteForce(at, append(append([]byte{}, code...), 0xcc)))
	rip := c.RIP
	c.RIP = at
	if r, _ := c.Run(100, nil); r != StopInt3 {
		t.Fatalf("scratch code: stop %d (%v)", r, &c.Fault)
	}
	c.RIP = rip
}
