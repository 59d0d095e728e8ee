package emu

import "sync/atomic"

// CPU is one x86_64 hardware thread. SKELETON: the EMU implementer replaces this file.
type CPU struct {
	Mem            *Memory
	R              [16]uint64 // general registers, index RAX..R15
	RIP            uint64
	FSBase, GSBase uint64
	XMM            [16][2]uint64 // low, high quadword
	MXCSR          uint32
	X87            X87
	Fault          Fault // valid after StopFault
}

// NewCPU returns a CPU with RFLAGS = 0x202, MXCSR = 0x1f80, FCW = 0x37f.
func NewCPU(mem *Memory) *CPU { panic("TODO") }

// Flags materialises RFLAGS.
func (c *CPU) Flags() uint64 { panic("TODO") }

// SetFlags sets RFLAGS.
func (c *CPU) SetFlags(v uint64) { panic("TODO") }

// Run executes up to max instructions (max >= 1) and returns why it stopped
// and how many instructions completed. A debugger breakpoint at the RIP where
// Run starts is not reported (like x86's RF flag), so a resume steps off a
// breakpoint. With max == 1 a rep-prefixed string instruction performs one
// iteration (as under the TF flag). intr is polled at least every few
// thousand instructions; it may be nil.
func (c *CPU) Run(max uint64, intr *atomic.Bool) (StopReason, uint64) { panic("TODO") }

// Clone returns a copy of the registers sharing Mem (for new threads).
func (c *CPU) Clone() *CPU { panic("TODO") }

// InstructionsExecuted is the total number of instructions this CPU completed.
func (c *CPU) InstructionsExecuted() uint64 { panic("TODO") }
