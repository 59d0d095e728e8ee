package target

import "github.com/redox-gdbstub/redox-gdbstub/emu"

// Copying to and from guest memory on behalf of syscalls. Accesses honour
// page permissions, like the kernel's copy_from_user/copy_to_user; a
// failure is the syscall result -EFAULT (returned as the second value, 0
// meaning success).

// maxIO caps a single read or write, like Linux's MAX_RW_COUNT.
const maxIO = 0x7ffff000

// getBytes reads n bytes at addr.
func (p *Process) getBytes(addr, n uint64) ([]byte, uint64) {
	if n == 0 {
		return nil, 0
	}
	if addr+n < addr || addr+n > taskSize {
		return nil, fail(eFAULT)
	}
	b := make([]byte, n)
	if p.Mem.ReadGuest(addr, b) != nil && (!p.growStackFor(addr, n) || p.Mem.ReadGuest(addr, b) != nil) {
		return nil, fail(eFAULT)
	}
	return b, 0
}

// putBytes writes b at addr; it returns 0 or -EFAULT.
func (p *Process) putBytes(addr uint64, b []byte) uint64 {
	if len(b) == 0 {
		return 0
	}
	if addr+uint64(len(b)) < addr || addr+uint64(len(b)) > taskSize {
		return fail(eFAULT)
	}
	if p.Mem.WriteGuest(addr, b) != nil && (!p.growStackFor(addr, uint64(len(b))) || p.Mem.WriteGuest(addr, b) != nil) {
		return fail(eFAULT)
	}
	return 0
}

// growStackFor grows the stack when a syscall touches the part of
// [addr, addr+n) that lies in its growth area (the kernel does the same).
func (p *Process) growStackFor(addr, n uint64) bool {
	return addr < p.stackLow && addr+n > stackTop-stackSize && p.growStack(max(addr, stackTop-stackSize))
}

func (p *Process) getU64(addr uint64) (uint64, uint64) {
	b, r := p.getBytes(addr, 8)
	if r != 0 {
		return 0, r
	}
	return le.Uint64(b), 0
}

func (p *Process) putU64(addr, v uint64) uint64 {
	return p.putBytes(addr, le.AppendUint64(nil, v))
}

// getPath reads a NUL-terminated path (at most PATH_MAX bytes).
func (p *Process) getPath(addr uint64) (string, uint64) {
	const pathMax = 4096
	var out []byte
	var chunk [256]byte
	for len(out) < pathMax {
		a := addr + uint64(len(out))
		// Read up to the end of the page, so a string ending just
		// before an unmapped page is fine.
		n := min(uint64(len(chunk)), emu.PageSize-a&pageMask)
		if a+n < a || p.Mem.ReadGuest(a, chunk[:n]) != nil {
			return "", fail(eFAULT)
		}
		for i := uint64(0); i < n; i++ {
			if chunk[i] == 0 {
				return string(append(out, chunk[:i]...)), 0
			}
		}
		out = append(out, chunk[:n]...)
	}
	return "", fail(eNAMETOOLONG)
}
