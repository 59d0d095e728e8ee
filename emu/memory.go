package emu

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// page is one guest page. code, when non-nil, holds the decoded
// instructions that start in this page; it is dropped whenever the page is
// written (by the guest or the debugger) so patched code is re-decoded.
type page struct {
	data *[PageSize]byte // nil until first written: reads as zeros
	perm Perm
	nbp  int32     // number of debugger breakpoints in this page
	code *codePage // decoded-instruction cache, nil if none
}

// Memory is a paged guest address space (4 KiB pages, 48-bit addresses
// in practice, though any 64-bit page number is accepted). It is not safe
// for concurrent use; the caller runs one CPU at a time.
type Memory struct {
	pages map[uint64]*page // page number -> page
	bps   map[uint64]struct{}
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
// mmap(MAP_FIXED) does.
func (m *Memory) Map(addr, size uint64, perm Perm) error {
	first, last, ok := pageRange(addr, size)
	if !ok {
		return &MemError{"map", addr, "bad size"}
	}
	for pn := first; ; pn++ {
		if old := m.pages[pn]; old != nil {
			m.dropCode(pn, old)
		}
		p := &page{perm: perm}
		m.recountBP(pn, p)
		m.pages[pn] = p
		if pn == last {
			break
		}
	}
	m.gen++
	return nil
}

// Unmap removes the pages overlapping [addr, addr+size). Unmapped pages in
// the range are ignored, as munmap does.
func (m *Memory) Unmap(addr, size uint64) error {
	first, last, ok := pageRange(addr, size)
	if !ok {
		return &MemError{"unmap", addr, "bad size"}
	}
	if last-first > uint64(len(m.pages)) {
		for pn, p := range m.pages {
			if pn >= first && pn <= last {
				m.dropCode(pn, p)
				delete(m.pages, pn)
			}
		}
	} else {
		for pn := first; ; pn++ {
			if p := m.pages[pn]; p != nil {
				m.dropCode(pn, p)
				delete(m.pages, pn)
			}
			if pn == last {
				break
			}
		}
	}
	m.gen++
	return nil
}

// Protect changes the permissions of the pages overlapping [addr,
// addr+size). Every page in the range must be mapped (else ENOMEM-like
// error and nothing changes).
func (m *Memory) Protect(addr, size uint64, perm Perm) error {
	first, last, ok := pageRange(addr, size)
	if !ok {
		return &MemError{"protect", addr, "bad size"}
	}
	for pn := first; ; pn++ {
		if m.pages[pn] == nil {
			return &MemError{"protect", pn * PageSize, "not mapped"}
		}
		if pn == last {
			break
		}
	}
	for pn := first; ; pn++ {
		p := m.pages[pn]
		p.perm = perm
		m.dropCode(pn, p)
		if pn == last {
			break
		}
	}
	m.gen++
	return nil
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
	for pn := first; ; pn++ {
		if m.pages[pn] == nil {
			return false
		}
		if pn == last {
			return true
		}
	}
}

// Regions lists the mapped memory as maximal runs of pages with equal
// permissions, sorted by address.
func (m *Memory) Regions() []Region {
	pns := make([]uint64, 0, len(m.pages))
	for pn := range m.pages {
		pns = append(pns, pn)
	}
	sort.Slice(pns, func(i, j int) bool { return pns[i] < pns[j] })
	var out []Region
	for _, pn := range pns {
		perm := m.pages[pn].perm
		if n := len(out); n > 0 && out[n-1].End == pn*PageSize && out[n-1].Perm == perm {
			out[n-1].End += PageSize
			continue
		}
		out = append(out, Region{Start: pn * PageSize, End: pn*PageSize + PageSize, Perm: perm})
	}
	return out
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
		p := m.pages[pn]
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
	if !m.IsMapped(addr, uint64(len(buf))) && len(buf) > 0 {
		f, _ := m.check(addr, len(buf), -1)
		f.Code = SEGV_MAPERR
		return &f
	}
	m.copyOut(addr, buf)
	return nil
}

// WriteForce writes mapped memory ignoring permissions (debugger access,
// e.g. patching code). It writes nothing, and returns a *Fault, if any page
// is unmapped. Decoded instructions of the written pages are discarded.
func (m *Memory) WriteForce(addr uint64, buf []byte) error {
	if !m.IsMapped(addr, uint64(len(buf))) && len(buf) > 0 {
		f, _ := m.check(addr, len(buf), -1)
		f.Code = SEGV_MAPERR
		return &f
	}
	m.copyIn(addr, buf)
	return nil
}

func (m *Memory) copyOut(addr uint64, buf []byte) {
	for len(buf) > 0 {
		p := m.pages[addr/PageSize]
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
		p := m.pages[addr/PageSize]
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
