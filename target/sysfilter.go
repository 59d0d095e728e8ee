package target

// The syscall filter: which syscalls make StopPreSyscall and
// StopPostSyscall stops. A debugger that needs a few syscalls (gdb's
// "catch syscall write", or fork and execve to follow a process) arms the
// syscall stops with a filter, and the others run without a stop and
// without a round trip to the tracer: Linux offers the same with a seccomp
// filter returning SECCOMP_RET_TRACE.

// maxSyscallNr bounds the syscall numbers a filter can name; larger
// numbers (and numbers no filter names) never stop while a filter is set.
const maxSyscallNr = 1024

// syscallSet is a set of syscall numbers below maxSyscallNr.
type syscallSet [maxSyscallNr / 64]uint64

// SetSyscallFilter makes only the syscalls in nrs stop at StopPreSyscall
// and StopPostSyscall (nil: every syscall stops, the default; an empty
// non-nil list: none). Numbers of maxSyscallNr and above are ignored. It
// applies from the next Resume; call it only while p is stopped. The
// filter is not inherited by children.
func (p *Process) SetSyscallFilter(nrs []uint64) {
	if nrs == nil {
		p.sysFilter = nil
		return
	}
	set := new(syscallSet)
	for _, nr := range nrs {
		if nr < maxSyscallNr {
			set[nr/64] |= 1 << (nr % 64)
		}
	}
	p.sysFilter = set
}

// syscallTraced reports whether syscall nr makes syscall stops.
func (p *Process) syscallTraced(nr uint64) bool {
	f := p.sysFilter
	return f == nil || nr < maxSyscallNr && f[nr/64]&(1<<(nr%64)) != 0
}
