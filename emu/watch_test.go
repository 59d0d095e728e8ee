package emu

import (
	"testing"
)

// watchCPU maps three rw pages at tData (so accesses can cross pages) and
// a read-only page after them, and loads code followed by int3.
func watchCPU(t testing.TB, code []byte) *CPU {
	t.Helper()
	mem := NewMemory()
	must(t, mem.Map(tCode, PageSize, PermRead|PermExec))
	must(t, mem.Map(tData, 3*PageSize, PermRead|PermWrite))
	must(t, mem.Map(tData+3*PageSize, PageSize, PermRead))
	must(t, mem.Map(tStack-PageSize, PageSize, PermRead|PermWrite))
	must(t, mem.WriteForce(tCode, append(append([]byte{}, code...), 0xcc)))
	c := NewCPU(mem)
	c.RIP = tCode
	c.R[RSP] = tStack - 16
	return c
}

var (
	insLoad8   = []byte{0x48, 0x8b, 0x07}       // mov rax, [rdi]
	insStore8  = []byte{0x48, 0x89, 0x07}       // mov [rdi], rax
	insStore1  = []byte{0x88, 0x07}             // mov [rdi], al
	insLoad16  = []byte{0x0f, 0x10, 0x07}       // movups xmm0, [rdi]
	insStore16 = []byte{0x0f, 0x11, 0x07}       // movups [rdi], xmm0
	insAddMem  = []byte{0x48, 0x01, 0x07}       // add [rdi], rax
	insPush    = []byte{0x50}                   // push rax
	insLea     = []byte{0x48, 0x8d, 0x07}       // lea rax, [rdi]
	insRepStos = []byte{0xf3, 0xaa}             // rep stosb
	insCmpMem  = []byte{0x48, 0x39, 0x07}       // cmp [rdi], rax
	insMovImm  = []byte{0xc7, 0x07, 1, 0, 0, 0} // mov dword [rdi], 1
)

func TestWatchHits(t *testing.T) {
	tests := []struct {
		name     string
		code     []byte
		rdi      uint64
		watch    Watchpoint
		hit      bool
		access   WatchKind
		dataAddr uint64
	}{
		{"write hits write", insStore8, tData + 8, Watchpoint{tData + 8, 8, WatchWrite}, true, WatchWrite, tData + 8},
		{"read misses write", insLoad8, tData + 8, Watchpoint{tData + 8, 8, WatchWrite}, false, 0, 0},
		{"read hits read", insLoad8, tData + 8, Watchpoint{tData + 8, 4, WatchRead}, true, WatchRead, tData + 8},
		{"write misses read", insStore8, tData + 8, Watchpoint{tData + 8, 4, WatchRead}, false, 0, 0},
		{"read hits access", insLoad8, tData + 8, Watchpoint{tData + 15, 1, WatchAccess}, true, WatchRead, tData + 8},
		{"write hits access", insStore1, tData + 15, Watchpoint{tData + 15, 1, WatchAccess}, true, WatchWrite, tData + 15},
		{"adjacent below misses", insStore8, tData + 8, Watchpoint{tData, 8, WatchWrite}, false, 0, 0},
		{"adjacent above misses", insStore8, tData + 8, Watchpoint{tData + 16, 8, WatchWrite}, false, 0, 0},
		{"rmw hits write", insAddMem, tData + 8, Watchpoint{tData + 12, 2, WatchWrite}, true, WatchWrite, tData + 8},
		{"rmw hits read", insAddMem, tData + 8, Watchpoint{tData + 12, 2, WatchRead}, true, WatchRead, tData + 8},
		{"cmp mem reads", insCmpMem, tData + 8, Watchpoint{tData + 8, 1, WatchRead}, true, WatchRead, tData + 8},
		{"lea does not access", insLea, tData + 8, Watchpoint{tData + 8, 8, WatchAccess}, false, 0, 0},
		{"imm store", insMovImm, tData + 100, Watchpoint{tData + 103, 1, WatchWrite}, true, WatchWrite, tData + 100},
		{"16-byte load", insLoad16, tData + 1, Watchpoint{tData + 16, 1, WatchRead}, true, WatchRead, tData + 1},
		{"16-byte store", insStore16, tData + 1, Watchpoint{tData + 16, 1, WatchWrite}, true, WatchWrite, tData + 1},
		{"store crossing pages hits 2nd page", insStore8, tData + PageSize - 3, Watchpoint{tData + PageSize + 4, 1, WatchWrite}, true, WatchWrite, tData + PageSize - 3},
		{"store crossing pages hits 1st page", insStore8, tData + PageSize - 3, Watchpoint{tData + PageSize - 1, 1, WatchWrite}, true, WatchWrite, tData + PageSize - 3},
		{"watch crossing pages", insStore1, tData + PageSize + 2, Watchpoint{tData + PageSize - 2, 8, WatchWrite}, true, WatchWrite, tData + PageSize + 2},
		{"4 KiB range unaligned", insStore1, tData + 2*PageSize + 99, Watchpoint{tData + PageSize + 100, PageSize, WatchWrite}, true, WatchWrite, tData + 2*PageSize + 99},
		{"4 KiB range end misses", insStore1, tData + 2*PageSize + 100, Watchpoint{tData + PageSize + 100, PageSize, WatchWrite}, false, 0, 0},
		{"push hits stack", insPush, 0, Watchpoint{tStack - 24, 8, WatchWrite}, true, WatchWrite, tStack - 24},
		{"other page unaffected", insStore8, tData + 8, Watchpoint{tData + 2*PageSize, 8, WatchAccess}, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := watchCPU(t, tt.code)
			c.R[RDI] = tt.rdi
			must(t, c.Mem.SetWatch(tt.watch.Addr, tt.watch.Len, tt.watch.Kind))
			reason, n := c.Run(100, nil)
			h, ok := c.Watch()
			if !tt.hit {
				if reason != StopInt3 || ok {
					t.Fatalf("got %v after %d (hit %v %+v), want no hit", reason, n, ok, h)
				}
				return
			}
			if reason != StopBreakpoint || n != 1 || !ok {
				t.Fatalf("got %v after %d (hit %v), want a watch stop after 1", reason, n, ok)
			}
			if c.RIP != tCode+uint64(len(tt.code)) {
				t.Errorf("RIP %#x, want past the instruction %#x", c.RIP, tCode+uint64(len(tt.code)))
			}
			if h.Watchpoint != tt.watch || h.Access != tt.access || h.DataAddr != tt.dataAddr {
				t.Errorf("hit %+v, want %+v access %v at %#x", h, tt.watch, tt.access, tt.dataAddr)
			}
			// Resuming runs on to the int3 (the hit is not reported twice).
			if reason, _ := c.Run(100, nil); reason != StopInt3 {
				t.Errorf("resume: %v, want int3", reason)
			}
			if _, ok := c.Watch(); ok {
				t.Error("hit still reported after the next Run")
			}
		})
	}
}

// TestWatchLengths checks every length 1..16 at every offset around an
// 8-byte store against the overlap rule.
func TestWatchLengths(t *testing.T) {
	const store = tData + PageSize - 4 // the store crosses into the 2nd page
	for l := uint64(1); l <= 16; l++ {
		for a := uint64(store - 20); a < store+12; a++ {
			c := watchCPU(t, insStore8)
			c.R[RDI] = store
			must(t, c.Mem.SetWatch(a, l, WatchWrite))
			reason, _ := c.Run(100, nil)
			want := a < store+8 && store < a+l
			if got := reason == StopBreakpoint; got != want {
				t.Fatalf("len %d at %#x: hit %v, want %v", l, a, got, want)
			}
		}
	}
}

func TestWatchRepString(t *testing.T) {
	c := watchCPU(t, insRepStos)
	c.R[RDI], c.R[RCX], c.R[RAX] = tData, 10, 0x41
	must(t, c.Mem.SetWatch(tData+5, 1, WatchWrite))
	reason, _ := c.Run(1000, nil)
	if reason != StopBreakpoint || c.RIP != tCode || c.R[RCX] != 4 || c.R[RDI] != tData+6 {
		t.Fatalf("got %v rip %#x rcx %d rdi %#x; want a stop at the rep with 4 left", reason, c.RIP, c.R[RCX], c.R[RDI])
	}
	if reason, _ := c.Run(1000, nil); reason != StopInt3 || c.R[RCX] != 0 {
		t.Fatalf("resume: %v rcx %d", reason, c.R[RCX])
	}
	// The last iteration hitting leaves RIP past the instruction.
	c.RIP, c.R[RDI], c.R[RCX] = tCode, tData, 6
	if reason, _ := c.Run(1000, nil); reason != StopBreakpoint || c.RIP != tCode+2 || c.R[RCX] != 0 {
		t.Fatalf("last iteration: %v rip %#x rcx %d", reason, c.RIP, c.R[RCX])
	}
}

func TestWatchNoTrigger(t *testing.T) {
	c := watchCPU(t, insAddMem)
	m := c.Mem
	must(t, m.SetWatch(tData, 3*PageSize, WatchAccess))
	must(t, m.SetWatch(tData+3*PageSize, 8, WatchRead))
	buf := make([]byte, 16)
	must(t, m.WriteForce(tData, buf))
	must(t, m.ReadForce(tData, buf))
	must(t, m.WriteGuest(tData, buf))
	must(t, m.ReadGuest(tData, buf))
	// A read that hits and then faults on the store: nothing happened.
	c.R[RDI] = tData + 3*PageSize
	reason, _ := c.Run(100, nil)
	if _, ok := c.Watch(); reason != StopFault || ok {
		t.Fatalf("faulting rmw: %v hit %v", reason, ok)
	}
	// Cleared watchpoints stop nothing and restore the fast path.
	m.ClearWatch(tData, 3*PageSize, WatchAccess)
	m.ClearWatch(tData+3*PageSize, 8, WatchRead)
	m.ClearWatch(tData, 1, WatchRead) // not set: no-op
	c.RIP, c.R[RDI] = tCode, tData
	if reason, _ := c.Run(100, nil); reason != StopInt3 {
		t.Fatalf("after clear: %v", reason)
	}
	if p := m.pages[tData/PageSize]; p.fast != p.perm {
		t.Errorf("fast perm %v, want %v", p.fast, p.perm)
	}
	if len(m.Watches()) != 0 || len(m.wpages) != 0 {
		t.Errorf("left over: %v %v", m.Watches(), m.wpages)
	}
}

func TestWatchManyAndIdempotent(t *testing.T) {
	c := watchCPU(t, insLoad8)
	m := c.Mem
	// 10,000 one-byte watchpoints, every third byte over ~7 pages of
	// address space (some unmapped).
	const count = 10000
	for i := uint64(0); i < count; i++ {
		must(t, m.SetWatch(tData+3*i, 1, WatchRead))
		must(t, m.SetWatch(tData+3*i, 1, WatchRead)) // duplicate: no-op
	}
	if len(m.Watches()) != count {
		t.Fatalf("%d watchpoints, want %d", len(m.Watches()), count)
	}
	next := func(a uint64) uint64 { return tData + (a-tData+2)/3*3 } // first watched byte >= a
	for _, addr := range []uint64{tData + 1, tData + 2*PageSize + 1, tData + 3*PageSize - 2, tData + 3*PageSize + 4} {
		c.RIP, c.R[RDI] = tCode, addr
		reason, _ := c.Run(100, nil)
		h, ok := c.Watch()
		if reason != StopBreakpoint || !ok || h.Addr != next(addr) {
			t.Fatalf("load at %#x: %v %+v, want hit at %#x", addr, reason, h, next(addr))
		}
	}
	// Clear the three watchpoints in [a, a+8): the load no longer hits.
	a := next(tData + 2*PageSize + 50)
	for i := uint64(0); i < 3; i++ {
		m.ClearWatch(a+3*i, 1, WatchRead)
	}
	c.RIP, c.R[RDI] = tCode, a
	if reason, _ := c.Run(100, nil); reason != StopInt3 {
		t.Fatalf("after clearing: %v", reason)
	}
	c.RIP, c.R[RDI] = tCode, a+2 // reaches a+9, still watched
	if reason, _ := c.Run(100, nil); reason != StopBreakpoint {
		t.Fatalf("neighbour after clearing: %v", reason)
	}
	if err := m.SetWatch(tData, 0, WatchRead); err == nil {
		t.Error("zero length accepted")
	}
	if err := m.SetWatch(^uint64(0), 2, WatchRead); err == nil {
		t.Error("wrapping range accepted")
	}
	if err := m.SetWatch(tData, 1, 0); err == nil {
		t.Error("kind 0 accepted")
	}
}

// A watchpoint set before the page is first touched (materialised) still
// takes effect, and so does one set across a later mprotect.
func TestWatchLazyPages(t *testing.T) {
	c := watchCPU(t, insStore8)
	must(t, c.Mem.SetWatch(tData+2*PageSize+8, 8, WatchWrite)) // page not yet materialised
	must(t, c.Mem.Protect(tData+2*PageSize, PageSize, PermRead|PermWrite))
	c.R[RDI] = tData + 2*PageSize + 8
	if reason, _ := c.Run(100, nil); reason != StopBreakpoint {
		t.Fatalf("got %v", reason)
	}
}

// BenchmarkIntegerLoopWatched is BenchmarkIntegerLoop with 10,000
// watchpoints armed on data pages the loop never touches.
func BenchmarkIntegerLoopWatched(b *testing.B) {
	c := newTestCPU(b, xorshiftLoop)
	for i := uint64(0); i < 10000; i++ {
		must(b, c.Mem.SetWatch(tData+i%PageSize, 1+i%8, WatchAccess))
	}
	const iters = 1 << 20
	b.ResetTimer()
	var total uint64
	for i := 0; i < b.N; i++ {
		c.RIP = tCode
		c.R[RAX], c.R[RCX] = 88172645463325252, iters
		reason, n := c.Run(1<<40, nil)
		if reason != StopInt3 {
			b.Fatalf("reason %d", reason)
		}
		total += n
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "instructions/s")
}

// memLoop increments [rdi] rcx times (a load and a store per iteration).
var memLoop = []byte{
	0x48, 0x8b, 0x07, // mov rax, [rdi]
	0x48, 0x83, 0xc0, 0x01, // add rax, 1
	0x48, 0x89, 0x07, // mov [rdi], rax
	0x48, 0xff, 0xc9, // dec rcx
	0x75, 0xf1, // jnz loop
	0xcc,
}

// BenchmarkWatchedPage measures the slow path: a load/store loop on a page
// without watchpoints, and on one with an access watchpoint on another
// word of the same page (every access then checks the page's ranges).
func BenchmarkWatchedPage(b *testing.B) {
	for _, watched := range []bool{false, true} {
		name := "unwatched"
		if watched {
			name = "watched"
		}
		b.Run(name, func(b *testing.B) {
			c := newTestCPU(b, memLoop)
			if watched {
				must(b, c.Mem.SetWatch(tData+0x800, 8, WatchAccess))
			}
			const iters = 1 << 18
			for i := 0; i < b.N; i++ {
				c.RIP, c.R[RDI], c.R[RCX] = tCode, tData, iters
				if reason, _ := c.Run(1<<40, nil); reason != StopInt3 {
					b.Fatalf("reason %d", reason)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*iters*5), "ns/instruction")
		})
	}
}
