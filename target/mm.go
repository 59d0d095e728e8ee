package target

import (
	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// Memory-management syscalls: brk, mmap, munmap, mprotect, madvise.

const (
	protRead  = 1
	protWrite = 2
	protExec  = 4

	mapShared         = 0x01
	mapPrivate        = 0x02
	mapSharedValidate = 0x03
	mapType           = 0x0f
	mapFixed          = 0x10
	mapAnonymous      = 0x20
	mapFixedNoreplace = 0x100000

	madvDontneed = 4

	mmapMinAddr = 0x10000 // vm.mmap_min_addr
)

// permOf converts PROT_* bits.
func permOf(prot int) emu.Perm {
	var p emu.Perm
	if prot&protRead != 0 {
		p |= emu.PermRead
	}
	if prot&protWrite != 0 {
		p |= emu.PermWrite
	}
	if prot&protExec != 0 {
		p |= emu.PermExec
	}
	return p
}

// anyMapped reports whether any page of [addr, addr+size) is mapped.
func (p *Process) anyMapped(addr, size uint64) bool {
	if size/emu.PageSize > 1<<16 {
		for _, r := range p.Mem.Regions() {
			if r.Start < addr+size && r.End > addr {
				return true
			}
		}
		return false
	}
	for a := addr &^ pageMask; a < addr+size; a += emu.PageSize {
		if p.Mem.IsMapped(a, 1) {
			return true
		}
	}
	return false
}

// regionsIn returns the mapped regions intersecting [addr, addr+size),
// clipped to it.
func (p *Process) regionsIn(addr, size uint64) []emu.Region {
	var out []emu.Region
	end := addr + size
	for _, r := range p.Mem.Regions() {
		if r.End <= addr || r.Start >= end {
			continue
		}
		out = append(out, emu.Region{Start: max(r.Start, addr), End: min(r.End, end), Perm: r.Perm})
	}
	return out
}

func (p *Process) sysBrk(addr uint64) uint64 {
	if addr < p.brkStart || addr >= mmapBase-stackSize {
		return p.brk
	}
	old, nw := pageUp(p.brk), pageUp(addr)
	switch {
	case nw > old:
		if p.anyMapped(old, nw-old) || !p.memoryAllows("brk", old, nw-old, emu.PermRead|emu.PermWrite) {
			return p.brk
		}
		if err := p.Mem.Map(old, nw-old, emu.PermRead|emu.PermWrite); err != nil {
			p.log.WithError(err).Warn("brk: mapping the heap failed")
			return p.brk
		}
	case nw < old:
		if err := p.Mem.Unmap(nw, old-nw); err != nil {
			return p.brk
		}
	}
	p.brk = addr
	return addr
}

func (p *Process) sysMmap(addr, length uint64, prot, flags int, fd int32, off uint64) uint64 {
	if length == 0 || off&pageMask != 0 || prot&^(protRead|protWrite|protExec) != 0 {
		return fail(eINVAL)
	}
	size := pageUp(length)
	if size < length || size > taskSize {
		return fail(eNOMEM)
	}
	switch flags & mapType {
	case mapShared, mapPrivate, mapSharedValidate:
	default:
		return fail(eINVAL)
	}

	var data []byte
	if flags&mapAnonymous == 0 {
		f := p.files.get(fd)
		if f == nil {
			return fail(eBADF)
		}
		if f.file == nil {
			return fail(eNODEV) // streams cannot be mapped
		}
		if !f.readable() {
			return fail(eACCES)
		}
		if flags&mapType != mapPrivate && prot&protWrite != 0 {
			if !f.writable() {
				return fail(eACCES)
			}
			p.log.Warn("mmap: MAP_SHARED writable file mapping is a private copy; writes will not reach the file")
		}
		if off > 1<<62 {
			return fail(eINVAL)
		}
		data = make([]byte, size)
		n, err := f.file.ReadAt(data, int64(off))
		if n == 0 && err != nil && errnoOf(err) != eIO {
			return fail(errnoOf(err))
		}
		data = data[:n]
	}

	var at uint64
	switch {
	case flags&(mapFixed|mapFixedNoreplace) != 0:
		if addr&pageMask != 0 {
			return fail(eINVAL)
		}
		if addr+size < addr || addr+size > taskSize {
			return fail(eNOMEM)
		}
		if addr < mmapMinAddr {
			return fail(ePERM)
		}
		if flags&mapFixed == 0 && p.anyMapped(addr, size) {
			return fail(eEXIST)
		}
		if !p.memoryAllows("mmap", addr, size, permOf(prot)) {
			return fail(eNOMEM)
		}
		if err := p.Mem.Unmap(addr, size); err != nil {
			return fail(eNOMEM)
		}
		at = addr
	default:
		hint := pageUp(addr)
		if hint >= mmapMinAddr && hint+size > hint && hint+size <= taskSize && !p.anyMapped(hint, size) {
			at = hint
		} else {
			a, ok := p.Mem.FindFree(size, mmapBase)
			if !ok {
				return fail(eNOMEM)
			}
			at = a
		}
		if !p.memoryAllows("mmap", at, size, permOf(prot)) {
			return fail(eNOMEM)
		}
	}
	if err := p.Mem.Map(at, size, permOf(prot)); err != nil {
		p.log.WithError(err).Warn("mmap: mapping failed")
		return fail(eNOMEM)
	}
	if len(data) > 0 {
		if err := p.Mem.WriteForce(at, data); err != nil {
			return fail(eNOMEM)
		}
	}
	return at
}

func (p *Process) sysMunmap(addr, length uint64) uint64 {
	if addr&pageMask != 0 || length == 0 {
		return fail(eINVAL)
	}
	size := pageUp(length)
	if size < length || addr+size < addr || addr+size > taskSize {
		return fail(eINVAL)
	}
	if err := p.Mem.Unmap(addr, size); err != nil {
		return fail(eNOMEM)
	}
	return 0
}

func (p *Process) sysMprotect(addr, length uint64, prot int) uint64 {
	const growsBits = 0x03000000 // PROT_GROWSDOWN, PROT_GROWSUP: accepted, no effect
	if addr&pageMask != 0 || prot&^(protRead|protWrite|protExec|growsBits) != 0 {
		return fail(eINVAL)
	}
	size := pageUp(length)
	if size < length || addr+size < addr {
		return fail(eNOMEM)
	}
	if size == 0 {
		return 0
	}
	if !p.Mem.IsMapped(addr, size) {
		return fail(eNOMEM)
	}
	if !p.memoryAllows("mprotect", addr, size, permOf(prot)) {
		return fail(eNOMEM)
	}
	if err := p.Mem.Protect(addr, size, permOf(prot)); err != nil {
		return fail(eNOMEM)
	}
	return 0
}

// sysMadvise honours MADV_DONTNEED (the pages read back as zero, as for
// private anonymous memory) and accepts every other advice.
func (p *Process) sysMadvise(addr, length uint64, advice int) uint64 {
	if addr&pageMask != 0 {
		return fail(eINVAL)
	}
	size := pageUp(length)
	if size < length || addr+size < addr {
		return fail(eINVAL)
	}
	if size == 0 {
		return 0
	}
	if !p.Mem.IsMapped(addr, size) {
		return fail(eNOMEM)
	}
	if advice == madvDontneed {
		for _, r := range p.regionsIn(addr, size) {
			if p.Mem.Unmap(r.Start, r.End-r.Start) != nil || p.Mem.Map(r.Start, r.End-r.Start, r.Perm) != nil {
				return fail(eNOMEM)
			}
		}
	}
	return 0
}
