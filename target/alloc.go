package target

import (
	"fmt"
	"syscall"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// Memory a debugger allocates in the tracee (lldb's _M/_m packets, used to
// place the code and data of JIT-compiled expressions), and the process
// facts lldb's qProcessInfo and qGetWorkingDir report. Like the rest of
// the tracee's state these must only be used while it is stopped.

// AllocMemory maps size bytes (rounded up to pages) of zeroed anonymous
// memory with perm where an mmap without a hint would put them, as if
// the program had called mmap itself (so it counts against the memory
// limit), and returns its address.
func (p *Process) AllocMemory(size uint64, perm emu.Perm) (uint64, error) {
	n := pageUp(size)
	if size == 0 || n < size || n > taskSize {
		return 0, fmt.Errorf("allocate %d bytes: %w", size, syscall.EINVAL)
	}
	at, ok := p.Mem.FindFree(n, mmapBase)
	if !ok || !p.memoryAllows("debugger allocation", at, n, perm) {
		return 0, fmt.Errorf("allocate %d bytes: %w", size, syscall.ENOMEM)
	}
	if err := p.Mem.Map(at, n, perm); err != nil {
		return 0, fmt.Errorf("allocate %d bytes at %#x: %v: %w", size, at, err, syscall.ENOMEM)
	}
	return at, nil
}

// FreeMemory unmaps what AllocMemory returned (size as passed to it).
func (p *Process) FreeMemory(addr, size uint64) error {
	n := pageUp(size)
	if addr&pageMask != 0 || size == 0 || n < size || addr+n < addr || addr+n > taskSize {
		return fmt.Errorf("free %#x+%d: %w", addr, size, syscall.EINVAL)
	}
	if err := p.Mem.Unmap(addr, n); err != nil {
		return fmt.Errorf("free %#x+%d: %v: %w", addr, size, err, syscall.EINVAL)
	}
	return nil
}

// WorkingDir is the process's current directory, as getcwd(2) returns it.
func (p *Process) WorkingDir() (string, error) {
	if p.cwd != "" {
		return p.cwd, nil
	}
	wd, err := p.host.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	return wd, nil
}

// ParentPid is what getppid(2) returns in the process.
func (p *Process) ParentPid() int {
	if p.parent != nil {
		return p.parent.Pid
	}
	return 1
}

// IDs are the real and effective user and group ids the process sees.
func (p *Process) IDs() (uid, euid, gid, egid int) { return p.host.IDs() }
