package target

import (
	"fmt"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
	"github.com/sirupsen/logrus"
)

// The memory limit (Config.MaxMemory, the command line's --max-memory).
//
// What is limited is each address space's commitment: the bytes of its
// accessible mappings (any of read, write, execute), which are what the
// guest can make the stub allocate by touching them. PROT_NONE
// reservations are free, as they are under Linux's overcommit accounting,
// because Go's runtime and glibc's thread arenas reserve large address
// ranges they never touch. mmap, mremap, brk, mprotect and stack growth
// check it: a request that would exceed it fails with ENOMEM (brk returns
// the old break, a stack fault becomes SIGSEGV), and the user gets a log
// line. Each address space is limited on its own (threads share one; a
// forked child has its own, with the same limit).

// DefaultMaxMemory is the limit when Config.MaxMemory is 0.
const DefaultMaxMemory uint64 = 4 << 30

// accessible returns the bytes of accessible mappings in [addr, addr+size).
func (p *Process) accessible(addr, size uint64) uint64 {
	var n uint64
	for _, r := range p.regionsIn(addr, size) {
		if r.Perm != 0 {
			n += r.End - r.Start
		}
	}
	return n
}

// committed returns the bytes of all accessible mappings.
func (p *Process) committed() uint64 {
	var n uint64
	for _, r := range p.Mem.Regions() {
		if r.Perm != 0 {
			n += r.End - r.Start
		}
	}
	return n
}

// memoryAllows reports whether making [addr, addr+size) accessible with
// perm (replacing what is there) keeps the commitment within the limit.
// When it does not, it logs why: at warning level the first time, at debug
// level afterwards (a guest probing for the limit retries many times).
func (p *Process) memoryAllows(what string, addr, size uint64, perm emu.Perm) bool {
	if perm == 0 || p.maxMemory == 0 {
		return true
	}
	old := p.accessible(addr, size)
	cur := p.committed()
	need := cur - old + size
	if need >= cur-old && need <= p.maxMemory { // (first test: no overflow)
		return true
	}
	entry := p.log.WithFields(logrus.Fields{
		"syscall":   what,
		"requested": size,
		"committed": cur,
		"limit":     p.maxMemory,
	})
	msg := fmt.Sprintf("guest memory limit reached (--max-memory %d MiB): %s fails with ENOMEM", p.maxMemory>>20, what)
	if p.memWarned {
		entry.Debug(msg)
	} else {
		p.memWarned = true
		entry.Warn(msg)
	}
	return false
}
