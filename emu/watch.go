package emu

import "fmt"

// Data watchpoints. A watched range makes the pages it covers leave the
// load/store fast path for the watched access kinds only (page.fast lacks
// PermRead and/or PermWrite), so accesses to unwatched pages cost nothing
// extra and memory without watchpoints runs exactly as before. The slow
// path (loadBytes/storeBytes) checks the page's ranges; a hit lets the
// instruction complete and then Run stops.
//
// A hit is reported as StopBreakpoint with CPU.Watch() set and RIP past
// the instruction (x86 debug-register semantics: a trap after the
// access). A rep string instruction stops after the iteration that hit,
// with RIP still at the instruction if iterations remain (as hardware
// does). Debugger accesses (ReadForce/WriteForce) and the OS copying
// to/from guest memory (ReadGuest/WriteGuest, i.e. syscalls) never
// trigger, like Linux hardware watchpoints and kernel accesses.

// WatchKind is the access kind a watchpoint catches.
type WatchKind uint8

const (
	WatchWrite  WatchKind                = 1 << iota // Z2: guest stores
	WatchRead                                        // Z3: guest loads
	WatchAccess = WatchWrite | WatchRead             // Z4: either
)

func (k WatchKind) String() string {
	switch k {
	case WatchWrite:
		return "write"
	case WatchRead:
		return "read"
	case WatchAccess:
		return "access"
	}
	return fmt.Sprintf("WatchKind(%d)", uint8(k))
}

// MaxWatchLen bounds one watched range (the check keeps a list per page).
const MaxWatchLen = 256 << 20

// Watchpoint is one watched range [Addr, Addr+Len).
type Watchpoint struct {
	Addr, Len uint64
	Kind      WatchKind
}

// WatchHit describes the watchpoint a CPU stopped at.
type WatchHit struct {
	Watchpoint           // the watched range that was hit
	Access     WatchKind // WatchRead or WatchWrite: what the instruction did
	DataAddr   uint64    // first byte of the access
}

// SetWatch arms a data watchpoint on [addr, addr+n) for kind. Any length
// up to MaxWatchLen and any alignment; the number of watchpoints is not
// limited. Arming the same range and kind twice is a no-op. The range need
// not be mapped.
func (m *Memory) SetWatch(addr, n uint64, kind WatchKind) error {
	if kind == 0 || kind&^WatchAccess != 0 {
		return fmt.Errorf("set watchpoint at %#x: bad kind %d", addr, kind)
	}
	first, last, ok := pageRange(addr, n)
	if !ok || n > MaxWatchLen {
		return &MemError{"watch", addr, "bad length"}
	}
	w := Watchpoint{addr, n, kind}
	if m.watches == nil {
		m.watches = make(map[Watchpoint]struct{})
		m.wpages = make(map[uint64][]Watchpoint)
	}
	if _, dup := m.watches[w]; dup {
		return nil
	}
	m.watches[w] = struct{}{}
	for pn := first; ; pn++ {
		m.wpages[pn] = append(m.wpages[pn], w)
		m.refast(pn)
		if pn == last {
			break
		}
	}
	return nil
}

// ClearWatch removes the watchpoint set with the same arguments, if any.
func (m *Memory) ClearWatch(addr, n uint64, kind WatchKind) {
	w := Watchpoint{addr, n, kind}
	if _, ok := m.watches[w]; !ok {
		return
	}
	delete(m.watches, w)
	first, last, _ := pageRange(addr, n)
	for pn := first; ; pn++ {
		ws := m.wpages[pn]
		for i, x := range ws {
			if x == w {
				ws = append(ws[:i:i], ws[i+1:]...)
				break
			}
		}
		if len(ws) == 0 {
			delete(m.wpages, pn)
		} else {
			m.wpages[pn] = ws
		}
		m.refast(pn)
		if pn == last {
			break
		}
	}
}

// Watches lists the armed watchpoints (in no particular order).
func (m *Memory) Watches() []Watchpoint {
	out := make([]Watchpoint, 0, len(m.watches))
	for w := range m.watches {
		out = append(out, w)
	}
	return out
}

// watchMask is the union of the kinds watched in page pn.
func (m *Memory) watchMask(pn uint64) WatchKind {
	if len(m.wpages) == 0 {
		return 0
	}
	var k WatchKind
	for _, w := range m.wpages[pn] {
		k |= w.Kind
	}
	return k
}

// fastPerm is perm minus the access kinds that must take the slow path.
func (m *Memory) fastPerm(pn uint64, perm Perm) Perm {
	k := m.watchMask(pn)
	if k&WatchRead != 0 {
		perm &^= PermRead
	}
	if k&WatchWrite != 0 {
		perm &^= PermWrite
	}
	return perm
}

// refast recomputes the fast-path permissions of page pn if materialised.
func (m *Memory) refast(pn uint64) {
	if p := m.pages[pn]; p != nil {
		p.fast = m.fastPerm(pn, p.perm)
		// CPUs cache which pages loads may read directly (CPU.rtlb)
		m.gen++
	}
}

// watchCheck looks for a watchpoint of kind acc (WatchRead or WatchWrite)
// overlapping the guest access [addr, addr+n) and records the first hit
// of the current instruction in the CPU.
func (c *CPU) watchCheck(addr uint64, n int, acc WatchKind) {
	m := c.Mem
	if n == 0 || c.watchHit {
		return
	}
	end := addr + uint64(n) // access never wraps (checked before)
	first, last := addr/PageSize, (end-1)/PageSize
	var best Watchpoint
	found := false
	for pn := first; ; pn++ {
		for _, w := range m.wpages[pn] {
			if w.Kind&acc == 0 || w.Addr >= end || addr >= w.Addr+w.Len {
				continue
			}
			// Prefer a watchpoint of exactly this kind over an access one.
			if !found || (best.Kind != acc && w.Kind == acc) {
				best, found = w, true
			}
		}
		if pn == last {
			break
		}
	}
	if found {
		c.codeP = nil // Run's fetch slow path notices the hit (cpu.go)
		c.watchHit = true
		c.watch = WatchHit{Watchpoint: best, Access: acc, DataAddr: addr}
	}
}

// Watch reports the watchpoint the last Run stopped at (that Run returned
// StopBreakpoint with RIP past the accessing instruction). It stays valid
// until the next Run.
func (c *CPU) Watch() (WatchHit, bool) {
	return c.watch, c.watchHit
}
