package emu

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
)

// page is one guest page. code, when non-nil, holds the decoded
// instructions that start in this page; it is dropped whenever the page is
// written (by the guest or the debugger) so patched code is re-decoded.
type page struct {
	data *[PageSize]byte // nil until first written: reads as zeros
	perm Perm
	fast Perm      // perm minus the kinds watched in this page (load/store fast paths)
	nbp  int32     // number of debugger breakpoints in this page
	code *codePage // decoded-instruction cache, nil if none
}

// Memory is a paged guest address space (4 KiB pages, 48-bit addresses
// in practice, though any 64-bit page number is accepted). It is not safe
// for concurrent use; the caller runs one CPU at a time.
type Memory struct {
	pages map[uint64]*page // page number -> page
	runs  []run            // the same mapping as sorted runs, for Regions/FindFree
	bps   map[uint64]struct{}
	// data watchpoints (watch.go): the set, and each per page it covers
	watches map[Watchpoint]struct{}
	wpages  map[uint64][]Watchpoint
	// gen changes whenever the mapping or permissions change, so CPUs know
	// to drop their translation caches.
	gen uint64
}

// NewMemory returns an empty address space.
func NewMemory() *Memory {
	return &Memory{pages: make(map[uint64]*page), bps: make(map[uint64]struct{}), gen: 1}
}

// MemError is returned by the Memory methods for bad ranges.
type MemError struct {
	Op   string
	Addr uint64 // first offending address
	Err  string
}

func (e *MemError) Error() string {
	return fmt.Sprintf("memory %s at %#x: %s", e.Op, e.Addr, e.Err)
}

func pageRange(addr, size uint64) (first, last uint64, ok bool) {
	if size == 0 {
		return 0, 0, false
	}
	end := addr + size - 1
	if end < addr {
		return 0, 0, false
	}
	return addr / PageSize, end / PageSize, true
}

// Map maps [addr, addr+size) rounded out to whole pages with perm. Pages
// already mapped in the range are replaced by fresh zeroed pages, as
// mmap(MAP_FIXED) does. The cost does not depend on the size: pages are
// materialised when first touched.
func (m *Memory) Map(addr, size uint64, perm Perm) error {
	first, last, ok := pageRange(addr, size)
	if !ok {
		return &MemError{"map", addr, "bad size"}
	}
	m.forPages(first, last, func(pn uint64, p *page) {
		m.dropCode(pn, p)
		delete(m.pages, pn)
	})
	m.put(first, last+1, perm)
	m.gen++
	return nil
}

// forPages calls f for every materialised page in [first, last] (f may
// delete it).
func (m *Memory) forPages(first, last uint64, f func(pn uint64, p *page)) {
	if last-first >= uint64(len(m.pages)) {
		for pn, p := range m.pages {
			if pn >= first && pn <= last {
				f(pn, p)
			}
		}
		return
	}
	for pn := first; ; pn++ {
		if p := m.pages[pn]; p != nil {
			f(pn, p)
		}
		if pn == last {
			return
		}
	}
}

// Unmap removes the pages overlapping [addr, addr+size). Unmapped pages in
// the range are ignored, as munmap does.
func (m *Memory) Unmap(addr, size uint64) error {
	first, last, ok := pageRange(addr, size)
	if !ok {
		return &MemError{"unmap", addr, "bad size"}
	}
	m.forPages(first, last, func(pn uint64, p *page) {
		m.dropCode(pn, p)
		delete(m.pages, pn)
	})
	m.cut(first, last+1)
	m.gen++
	return nil
}

// Protect changes the permissions of the pages overlapping [addr,
// addr+size). Every page in the range must be mapped (else an error and
// nothing changes).
func (m *Memory) Protect(addr, size uint64, perm Perm) error {
	first, last, ok := pageRange(addr, size)
	if !ok {
		return &MemError{"protect", addr, "bad size"}
	}
	if hole, ok := m.firstHole(first, last); !ok {
		return &MemError{"protect", hole * PageSize, "not mapped"}
	}
	m.forPages(first, last, func(pn uint64, p *page) {
		p.perm = perm
		p.fast = m.fastPerm(pn, perm)
		m.dropCode(pn, p)
	})
	m.put(first, last+1, perm)
	m.gen++
	return nil
}

// firstHole reports the first unmapped page in [first, last], or ok.
func (m *Memory) firstHole(first, last uint64) (uint64, bool) {
	pn := first
	i := sort.Search(len(m.runs), func(i int) bool { return m.runs[i].hi > pn })
	for ; i < len(m.runs); i++ {
		r := m.runs[i]
		if r.lo > pn {
			return pn, false
		}
		if r.hi > last {
			return 0, true
		}
		pn = r.hi
	}
	return pn, false
}

// lookup returns the page pn, materialising it if it is mapped but has
// not been touched yet; nil if unmapped.
func (m *Memory) lookup(pn uint64) *page {
	if p := m.pages[pn]; p != nil {
		return p
	}
	i := sort.Search(len(m.runs), func(i int) bool { return m.runs[i].hi > pn })
	if i == len(m.runs) || m.runs[i].lo > pn {
		return nil
	}
	p := &page{perm: m.runs[i].perm}
	p.fast = m.fastPerm(pn, p.perm)
	m.recountBP(pn, p)
	m.pages[pn] = p
	return p
}

// IsMapped reports whether every page overlapping [addr, addr+size) is
// mapped (with any permissions). size 0 checks the page holding addr.
func (m *Memory) IsMapped(addr, size uint64) bool {
	if size == 0 {
		size = 1
	}
	first, last, ok := pageRange(addr, size)
	if !ok {
		return false
	}
	_, ok = m.firstHole(first, last)
	return ok
}

// Regions lists the mapped memory as maximal runs of pages with equal
// permissions, sorted by address.
func (m *Memory) Regions() []Region {
	out := make([]Region, len(m.runs))
	for i, r := range m.runs {
		out[i] = Region{Start: r.lo * PageSize, End: r.hi * PageSize, Perm: r.perm}
	}
	return out
}

// run is a maximal range of mapped pages [lo, hi) with equal permissions.
type run struct {
	lo, hi uint64
	perm   Perm
}

// cut removes pages [lo, hi) from the run list.
func (m *Memory) cut(lo, hi uint64) {
	out := make([]run, 0, len(m.runs)+1)
	for _, r := range m.runs {
		if r.hi <= lo || r.lo >= hi {
			out = append(out, r)
			continue
		}
		if r.lo < lo {
			out = append(out, run{r.lo, lo, r.perm})
		}
		if r.hi > hi {
			out = append(out, run{hi, r.hi, r.perm})
		}
	}
	m.runs = out
}

// put records pages [lo, hi) as mapped with perm, merging neighbours.
func (m *Memory) put(lo, hi uint64, perm Perm) {
	m.cut(lo, hi)
	i := sort.Search(len(m.runs), func(i int) bool { return m.runs[i].lo >= hi })
	m.runs = slices.Insert(m.runs, i, run{lo, hi, perm})
	if i+1 < len(m.runs) && m.runs[i+1].lo == hi && m.runs[i+1].perm == perm {
		m.runs[i].hi = m.runs[i+1].hi
		m.runs = slices.Delete(m.runs, i+1, i+2)
	}
	if i > 0 && m.runs[i-1].hi == lo && m.runs[i-1].perm == perm {
		m.runs[i-1].hi = m.runs[i].hi
		m.runs = slices.Delete(m.runs, i, i+1)
	}
}

// FindFree finds the highest page-aligned free range of size bytes that
// ends at or below below (like mmap's top-down allocator). It reports
// false if there is none above the first page.
func (m *Memory) FindFree(size uint64, below uint64) (uint64, bool) {
	if size == 0 {
		return 0, false
	}
	size = (size + PageSize - 1) &^ (PageSize - 1)
	below &^= PageSize - 1
	regs := m.Regions()
	end := below
	for i := len(regs) - 1; i >= -1; i-- {
		var lo uint64 = PageSize // never hand out page 0
		if i >= 0 {
			if regs[i].Start >= end {
				continue
			}
			if regs[i].End > lo {
				lo = regs[i].End
			}
		}
		if end >= size && end-size >= lo {
			return end - size, true
		}
		if i >= 0 {
			end = regs[i].Start
		}
	}
	return 0, false
}

// access kinds for checks
const (
	accRead = iota
	accWrite
	accExec
)

// check verifies the whole range for a guest access, returning the fault a
// CPU would take at the first offending byte.
func (m *Memory) check(addr uint64, n int, kind int) (Fault, bool) {
	if n == 0 {
		return Fault{}, true
	}
	first, last, ok := pageRange(addr, uint64(n))
	if !ok {
		return Fault{Signo: SIGSEGV, Code: SEGV_MAPERR, Addr: addr}, false
	}
	for pn := first; ; pn++ {
		p := m.lookup(pn)
		a := pn * PageSize
		if a < addr {
			a = addr
		}
		if p == nil {
			return Fault{Signo: SIGSEGV, Code: SEGV_MAPERR, Addr: a}, false
		}
		var need Perm
		switch kind {
		case accRead:
			need = PermRead
		case accWrite:
			need = PermWrite
		default:
			need = PermExec
		}
		if p.perm&need == 0 {
			return Fault{Signo: SIGSEGV, Code: SEGV_ACCERR, Addr: a}, false
		}
		if pn == last {
			return Fault{}, true
		}
	}
}

// ReadGuest reads memory honouring page permissions (PermRead), as a
// guest load or a syscall copying from user memory would. On failure the
// error is a *Fault and buf may be partially filled.
func (m *Memory) ReadGuest(addr uint64, buf []byte) error {
	if f, ok := m.check(addr, len(buf), accRead); !ok {
		return &f
	}
	m.copyOut(addr, buf)
	return nil
}

// WriteGuest writes memory honouring page permissions (PermWrite). It
// writes nothing if any page is not writable; the error is a *Fault.
func (m *Memory) WriteGuest(addr uint64, buf []byte) error {
	if f, ok := m.check(addr, len(buf), accWrite); !ok {
		return &f
	}
	m.copyIn(addr, buf)
	return nil
}

// ReadForce reads mapped memory ignoring permissions (debugger access). It
// fails as a whole, with a *Fault, if any page is unmapped.
func (m *Memory) ReadForce(addr uint64, buf []byte) error {
	if f, ok := m.holeFault(addr, len(buf)); !ok {
		return f
	}
	m.copyOut(addr, buf)
	return nil
}

// WriteForce writes mapped memory ignoring permissions (debugger access,
// e.g. patching code). It writes nothing, and returns a *Fault, if any page
// is unmapped. Decoded instructions of the written pages are discarded.
func (m *Memory) WriteForce(addr uint64, buf []byte) error {
	if f, ok := m.holeFault(addr, len(buf)); !ok {
		return f
	}
	m.copyIn(addr, buf)
	return nil
}

// holeFault checks that [addr, addr+n) is entirely mapped, returning a
// SEGV_MAPERR fault at the first unmapped byte otherwise.
func (m *Memory) holeFault(addr uint64, n int) (*Fault, bool) {
	if n == 0 {
		return nil, true
	}
	first, last, ok := pageRange(addr, uint64(n))
	if !ok {
		return &Fault{Signo: SIGSEGV, Code: SEGV_MAPERR, Addr: addr}, false
	}
	hole, ok := m.firstHole(first, last)
	if ok {
		return nil, true
	}
	return &Fault{Signo: SIGSEGV, Code: SEGV_MAPERR, Addr: max(addr, hole*PageSize)}, false
}

func (m *Memory) copyOut(addr uint64, buf []byte) {
	for len(buf) > 0 {
		p := m.lookup(addr / PageSize)
		off := addr % PageSize
		var n int
		if p.data == nil {
			n = min(len(buf), int(PageSize-off))
			clear(buf[:n])
		} else {
			n = copy(buf, p.data[off:])
		}
		buf = buf[n:]
		addr += uint64(n)
	}
}

func (m *Memory) copyIn(addr uint64, buf []byte) {
	for len(buf) > 0 {
		p := m.lookup(addr / PageSize)
		if p.code != nil {
			m.dropCode(addr/PageSize, p)
		}
		off := addr % PageSize
		n := copy(p.bytes()[off:], buf)
		buf = buf[n:]
		addr += uint64(n)
	}
}

// bytes returns the page contents for writing, allocating them on first use.
func (p *page) bytes() *[PageSize]byte {
	if p.data == nil {
		p.data = new([PageSize]byte)
	}
	return p.data
}

// dropCode discards the decoded instructions of page pn (p), and those of
// the previous page if one of its cached instructions continues into pn.
func (m *Memory) dropCode(pn uint64, p *page) {
	cp := p.code
	if cp == nil {
		return
	}
	p.code = nil
	if cp.prevDep {
		if q := m.pages[pn-1]; q != nil {
			q.code = nil
		}
	}
}

// SetBreakpoint arms a debugger execution breakpoint at addr: CPU.Run
// stops with StopBreakpoint before executing an instruction there. Guest
// memory is not modified. The address need not be mapped yet.
func (m *Memory) SetBreakpoint(addr uint64) {
	if _, ok := m.bps[addr]; ok {
		return
	}
	m.bps[addr] = struct{}{}
	if p := m.pages[addr/PageSize]; p != nil {
		p.nbp++
	}
}

// Breakpoints lists the addresses of the execution breakpoints, in
// increasing order.
func (m *Memory) Breakpoints() []uint64 {
	out := make([]uint64, 0, len(m.bps))
	for a := range m.bps {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// ClearBreakpoint removes the breakpoint at addr, if any.
func (m *Memory) ClearBreakpoint(addr uint64) {
	if _, ok := m.bps[addr]; !ok {
		return
	}
	delete(m.bps, addr)
	if p := m.pages[addr/PageSize]; p != nil && p.nbp > 0 {
		p.nbp--
	}
}

// HasBreakpoint reports whether a breakpoint is armed at addr.
func (m *Memory) HasBreakpoint(addr uint64) bool {
	_, ok := m.bps[addr]
	return ok
}

// pageHasBP recounts breakpoints for a freshly mapped page.
func (m *Memory) recountBP(pn uint64, p *page) {
	p.nbp = 0
	if len(m.bps) == 0 {
		return
	}
	for a := range m.bps {
		if a/PageSize == pn {
			p.nbp++
		}
	}
}

// le helpers
func le16(b []byte) uint64 { return uint64(binary.LittleEndian.Uint16(b)) }
func le32(b []byte) uint64 { return uint64(binary.LittleEndian.Uint32(b)) }
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }
