package target

import (
	"bytes"
	"cmp"
	"debug/elf"
	"fmt"
	"slices"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// Address-space layout (x86_64 Linux without ASLR).
const (
	pieBase    = 0x555555554000 // load base of static-PIE executables (ELF_ET_DYN_BASE)
	taskSize   = 0x7ffffffff000 // end of user space (TASK_SIZE)
	stackTop   = taskSize       // the initial stack ends here
	stackSize  = 8 << 20        // mapped up front, like RLIMIT_STACK
	mmapBase   = 0x7ffff7fff000 // mmap searches downwards from here
	maxLoadMem = 1 << 30        // refuse executables asking for more than this
	pageMask   = emu.PageSize - 1
)

// segment is one PT_LOAD, relocated.
type segment struct {
	vaddr, memsz uint64
	data         []byte // file contents (filesz bytes)
	perm         emu.Perm
}

// image is a parsed executable, ready to map.
type image struct {
	entry     uint64 // relocated
	bias      uint64 // added to every vaddr (0 for ET_EXEC)
	phdr      uint64 // address of the program headers in memory (0 if not mapped)
	phent     uint64
	phnum     uint64
	segs      []segment
	brk       uint64 // page-aligned end of the highest segment
	execStack bool
	pie       bool
}

// parseELF checks that data is a static x86_64 ELF64 executable and
// computes where everything goes. It never touches guest memory.
func parseELF(data []byte) (*image, error) {
	if len(data) < 4 || !bytes.Equal(data[:4], []byte(elf.ELFMAG)) {
		return nil, ErrNotELF
	}
	// Class, byte order and machine first, from the raw identification,
	// so a 32-bit or foreign file gets a clear message.
	if len(data) < 20 {
		return nil, fmt.Errorf("%w: truncated ELF header", ErrBadELF)
	}
	if c := elf.Class(data[elf.EI_CLASS]); c != elf.ELFCLASS64 {
		return nil, fmt.Errorf("%w: %v, need a 64-bit (ELFCLASS64) x86_64 executable", ErrUnsupported, c)
	}
	if d := elf.Data(data[elf.EI_DATA]); d != elf.ELFDATA2LSB {
		return nil, fmt.Errorf("%w: %v, need little-endian", ErrUnsupported, d)
	}
	if m := elf.Machine(le.Uint16(data[18:])); m != elf.EM_X86_64 {
		return nil, fmt.Errorf("%w: machine %v, need EM_X86_64", ErrUnsupported, m)
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadELF, err)
	}
	img := &image{phent: 56, phnum: uint64(len(f.Progs))}
	switch f.Type {
	case elf.ET_EXEC:
	case elf.ET_DYN:
		img.pie = true
	default:
		return nil, fmt.Errorf("%w: type %v is not an executable", ErrUnsupported, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return nil, ErrDynamic
		}
	}

	// The lowest PT_LOAD page goes at pieBase for static PIE.
	lowest := ^uint64(0)
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Vaddr < lowest {
			lowest = p.Vaddr
		}
	}
	if lowest == ^uint64(0) {
		return nil, fmt.Errorf("%w: no PT_LOAD segment", ErrBadELF)
	}
	if img.pie {
		img.bias = pieBase - lowest&^pageMask
	}

	phoff := phOffset(data)
	var total uint64
	for i, p := range f.Progs {
		switch p.Type {
		case elf.PT_GNU_STACK:
			img.execStack = p.Flags&elf.PF_X != 0
		case elf.PT_PHDR:
			img.phdr = p.Vaddr + img.bias
		case elf.PT_LOAD:
			if p.Memsz == 0 {
				continue
			}
			if p.Filesz > p.Memsz {
				return nil, fmt.Errorf("%w: segment %d: filesz %#x > memsz %#x", ErrBadELF, i, p.Filesz, p.Memsz)
			}
			if p.Off > uint64(len(data)) || p.Filesz > uint64(len(data))-p.Off {
				return nil, fmt.Errorf("%w: segment %d extends past the end of the file", ErrBadELF, i)
			}
			if (p.Vaddr-p.Off)&pageMask != 0 {
				return nil, fmt.Errorf("%w: segment %d: vaddr %#x and offset %#x not congruent modulo the page size", ErrBadELF, i, p.Vaddr, p.Off)
			}
			start := p.Vaddr + img.bias
			end := start + p.Memsz
			if start < p.Vaddr || end < start || end > taskSize || start < emu.PageSize {
				return nil, fmt.Errorf("%w: segment %d at %#x+%#x is outside user space", ErrBadELF, i, start, p.Memsz)
			}
			total += p.Memsz
			if total > maxLoadMem {
				return nil, fmt.Errorf("%w: segments need more than %d bytes", ErrUnsupported, maxLoadMem)
			}
			var perm emu.Perm
			if p.Flags&elf.PF_R != 0 {
				perm |= emu.PermRead
			}
			if p.Flags&elf.PF_W != 0 {
				perm |= emu.PermWrite
			}
			if p.Flags&elf.PF_X != 0 {
				perm |= emu.PermExec
			}
			img.segs = append(img.segs, segment{vaddr: start, memsz: p.Memsz, data: data[p.Off : p.Off+p.Filesz], perm: perm})
			if e := pageUp(end); e > img.brk {
				img.brk = e
			}
			// Like Linux without PT_PHDR: the headers are wherever the
			// segment holding file offset e_phoff put them.
			if img.phdr == 0 && phoff >= p.Off && phoff-p.Off < p.Filesz {
				img.phdr = start + (phoff - p.Off)
			}
		}
	}
	if len(img.segs) == 0 {
		return nil, fmt.Errorf("%w: no PT_LOAD segment", ErrBadELF)
	}
	img.entry = f.Entry + img.bias
	return img, nil
}

// phOffset reads e_phoff of an ELF64 header (0 if too short).
func phOffset(data []byte) uint64 {
	if len(data) < 0x40 {
		return 0
	}
	return le.Uint64(data[0x20:])
}

// pageUp rounds v up to a page boundary.
func pageUp(v uint64) uint64 { return (v + pageMask) &^ pageMask }

// mapImage maps the segments of img into mem with their permissions.
// A page shared by two segments gets the union of their permissions.
func mapImage(mem *emu.Memory, img *image) error {
	segs := slices.Clone(img.segs)
	slices.SortFunc(segs, func(a, b segment) int { return cmp.Compare(a.vaddr, b.vaddr) })
	var mappedEnd uint64 // end of the pages mapped so far
	var lastPerm emu.Perm
	for _, s := range segs {
		ps, pe := s.vaddr&^pageMask, pageUp(s.vaddr+s.memsz)
		if ps < mappedEnd {
			// Overlap with earlier segments (only their last pages, as
			// the segments are sorted and their ranges checked).
			if err := mem.Protect(ps, min(pe, mappedEnd)-ps, lastPerm|s.perm); err != nil {
				return fmt.Errorf("segment at %#x overlaps another: %w", s.vaddr, err)
			}
			ps = mappedEnd
		}
		if pe > ps {
			if err := mem.Map(ps, pe-ps, s.perm); err != nil {
				return fmt.Errorf("mapping segment at %#x: %w", ps, err)
			}
		}
		if pe > mappedEnd {
			mappedEnd = pe
			lastPerm = s.perm
		}
	}
	for _, s := range segs {
		if err := mem.WriteForce(s.vaddr, s.data); err != nil {
			return fmt.Errorf("writing segment at %#x: %w", s.vaddr, err)
		}
		// Zero the rest of the last file page (fresh pages are zero already).
		zs := s.vaddr + uint64(len(s.data))
		ze := min(pageUp(zs), s.vaddr+s.memsz)
		if ze > zs {
			if err := mem.WriteForce(zs, make([]byte, ze-zs)); err != nil {
				return fmt.Errorf("zeroing bss at %#x: %w", zs, err)
			}
		}
	}
	return nil
}
