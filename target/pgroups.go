package target

// Process groups and sessions: setpgid, getpgid, getpgrp, setsid, getsid,
// and kill(-pgid) reaching every process of a group. There is no
// controlling terminal to go with them.

const (
	sysSetpgid = 109
	sysGetpgrp = 111
	sysSetsid  = 112
	sysGetpgid = 121
	sysGetsid  = 124
)

// pgroupSyscall runs the syscalls of this file; ok is false for others.
func (p *Process) pgroupSyscall(nr, a0, a1 uint64) (uint64, bool) {
	switch nr {
	case sysSetpgid:
		return p.sysSetpgid(int(int32(a0)), int(int32(a1))), true
	case sysGetpgrp:
		return uint64(p.pgid), true
	case sysGetpgid, sysGetsid:
		q := p
		if pid := int(int32(a0)); pid != 0 && pid != p.Pid {
			if pid < 0 {
				return fail(eSRCH), true
			}
			if q = p.findProcess(pid); q == nil {
				return fail(eSRCH), true
			}
		}
		if nr == sysGetsid {
			return uint64(q.sid), true
		}
		return uint64(q.pgid), true
	case sysSetsid:
		if p.pgid == p.Pid || len(p.groupMembers(p.Pid)) > 0 {
			return fail(ePERM), true // already a group leader
		}
		p.sid, p.pgid = p.Pid, p.Pid
		return uint64(p.Pid), true
	}
	return 0, false
}

func (p *Process) sysSetpgid(pid, pgid int) uint64 {
	if pgid < 0 {
		return fail(eINVAL)
	}
	q := p
	if pid != 0 && pid != p.Pid {
		if pid < 0 {
			return fail(eSRCH)
		}
		if q = p.findProcess(pid); q == nil || q.parent != p {
			return fail(eSRCH) // only the caller or its children
		}
	}
	if pgid == 0 {
		pgid = q.Pid
	}
	if q.sid == q.Pid {
		return fail(ePERM) // a session leader cannot move
	}
	if pgid != q.Pid && len(p.groupMembers(pgid)) == 0 {
		return fail(ePERM) // no such group in the session
	}
	q.pgid = pgid
	return 0
}

// groupMembers lists the live processes of the tree in process group pgid.
func (p *Process) groupMembers(pgid int) []*Process {
	root := p.kern.root
	if root == nil {
		for root = p; root.parent != nil; root = root.parent {
		}
	}
	var out []*Process
	var walk func(q *Process)
	walk = func(q *Process) {
		if q.pgid == pgid && !q.gone() {
			out = append(out, q)
		}
		for _, c := range q.children {
			walk(c)
		}
	}
	walk(root)
	for _, o := range p.kern.orphans {
		walk(o)
	}
	return out
}
