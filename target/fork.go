package target

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
	"github.com/sirupsen/logrus"
)

// Processes: fork-style clones (fork, vfork, clone without CLONE_THREAD),
// execve, wait4 and SIGCHLD, all inside one stub process. A child is a
// Process of its own (its own memory copy, descriptor table and signal
// state), never traced: the scheduler of its parent runs it one quantum
// at a time, between its parent's own quanta, so the whole tree stays
// deterministic. Children that outlive the process the tracer holds stop
// running with it.

// kernel is what the processes of one tree share.
type kernel struct {
	nextID  int        // the next pid or tid
	orphans []*Process // processes whose parent exited: run by the root, reaped by nobody
	root    *Process   // the process Load made (the tree's root, as orphans cannot find it)
	// token is held (a value in it) by whoever runs guest code of the
	// tree: the root's Resume, or the runner of a traced child while the
	// root is parked or gone (childtrace.go). One runner at a time keeps
	// the tree one schedule.
	token chan struct{}
}

// wait4 options and si_code values of SIGCHLD.
const (
	wNohang    = 1
	wUntraced  = 2
	wContinued = 8
	wAll       = 0x40000000
	wClone     = 0x80000000
	cldExited  = 1
	cldKilled  = 2
	cldDumped  = 3
)

// copyMemory duplicates every mapping of m (fork without copy-on-write).
func copyMemory(m *emu.Memory) (*emu.Memory, error) {
	n := emu.NewMemory()
	buf := make([]byte, 1<<20)
	for _, r := range m.Regions() {
		if err := n.Map(r.Start, r.End-r.Start, r.Perm); err != nil {
			return nil, err
		}
		for a := r.Start; a < r.End; a += uint64(len(buf)) {
			b := buf[:min(uint64(len(buf)), r.End-a)]
			if err := m.ReadForce(a, b); err != nil {
				return nil, err
			}
			if err := n.WriteForce(a, b); err != nil {
				return nil, err
			}
		}
	}
	// A debugger's breakpoints are in the child too, as int3 bytes a
	// debugger wrote would be on Linux: gdb removes them from a child it
	// detaches, and counts on them in a child it follows. (Hardware
	// watchpoints are not inherited, as debug registers are not.)
	for _, a := range m.Breakpoints() {
		n.SetBreakpoint(a)
	}
	return n, nil
}

// fork is fork(2), vfork(2) and clone(2) without CLONE_THREAD for thread
// t. With CLONE_VM the child shares the memory (posix_spawn's
// CLONE_VM|CLONE_VFORK); with CLONE_VFORK the parent waits until the
// child execs or exits.
func (p *Process) fork(t *Thread, flags, stack, ptid, ctid, tls uint64) uint64 {
	if flags&(cloneSighand|cloneFS|cloneFiles|cloneParent|cloneNewNS|clonePidfd|0x7e000000) != 0 {
		p.log.WithField("flags", fmt.Sprintf("%#x", flags)).Warn("unsupported clone flags for a new process; returning EINVAL")
		return fail(eINVAL)
	}
	mem := p.Mem
	if flags&cloneVM == 0 {
		var err error
		if mem, err = copyMemory(p.Mem); err != nil {
			p.log.WithError(err).Warn("fork: cannot copy memory")
			return fail(eNOMEM)
		}
	}
	pid := p.kern.nextID
	if flags&cloneParentSettid != 0 {
		if r := p.putU32(ptid, uint32(pid)); r != 0 {
			return r
		}
	}
	p.kern.nextID++
	c := t.CPU.Clone()
	c.Mem = mem
	c.R[emu.RAX] = 0
	if stack != 0 {
		c.R[emu.RSP] = stack
	}
	if flags&cloneSettls != 0 {
		c.FSBase = tls
	}
	main := &Thread{Tid: pid, CPU: c, blocked: t.blocked, altSP: t.altSP, altSize: t.altSize, altFlag: t.altFlag, name: t.name}
	if flags&cloneChildCleartid != 0 {
		main.clearTid = ctid
	}
	rng := *p.rng
	child := &Process{
		Pid:        pid,
		Mem:        mem,
		Exe:        p.Exe,
		baseLog:    p.baseLog,
		log:        p.baseLog.WithField("pid", pid),
		trace:      p.trace,
		host:       p.host,
		clk:        p.clk,
		main:       main,
		cur:        main,
		auxv:       p.auxv,
		execfn:     p.execfn,
		entry:      p.entry,
		brkStart:   p.brkStart,
		brk:        p.brk,
		stackLow:   p.stackLow,
		stackPerm:  p.stackPerm,
		sig:        p.sig,
		rng:        &rng,
		warned:     map[uint64]bool{},
		maxMemory:  p.maxMemory,
		cwd:        p.cwd,
		pgid:       p.pgid,
		sid:        p.sid,
		umask:      p.umask,
		wake:       p.wake,
		kern:       p.kern,
		parent:     p,
		exitSignal: int(flags & 0xff),
		threads:    []*Thread{main},
	}
	child.files = p.files.fork()
	if flags&cloneChildSettid != 0 {
		child.putU32(ctid, uint32(pid))
	}
	p.children = append(p.children, child)
	p.liveKids++
	p.log.WithFields(logrus.Fields{"tid": t.Tid, "child": pid, "flags": fmt.Sprintf("%#x", flags)}).Debug("fork")
	p.notifyClone(t, pid, child, flags&cloneVfork != 0)
	if flags&cloneVfork != 0 {
		child.vforkParent = t
		t.restartNr = 0
		p.block(t, waitVfork, 0, false)
		t.CPU.R[emu.RAX] = uint64(pid) // the result once the child releases it
	}
	return uint64(pid)
}

// releaseVfork lets a vfork parent continue (the child exec'd or exited).
func (p *Process) releaseVfork() {
	if t := p.vforkParent; t != nil {
		p.vforkParent = nil
		if t.wait == waitVfork {
			t.wait = waitNone
			t.postStop = true
		}
	}
}

// childExited records that child c is now a zombie: the parent gets its
// exit signal (normally SIGCHLD) and its waiters are woken.
func (p *Process) childExited(c *Process, status int) {
	p.liveKids--
	c.releaseVfork()
	code, st := childStatus(status)
	if c.exitSignal != 0 {
		uid, _, _, _ := p.host.IDs()
		p.queue(nil, sigInfo{signo: c.exitSignal, code: code, pid: c.Pid, uid: uid, status: st})
	}
}

// fork copies the descriptor table; the open file descriptions are
// shared with the parent.
func (t *fdTable) fork() fdTable {
	n := fdTable{fds: append([]*openFile(nil), t.fds...), cloexec: append([]bool(nil), t.cloexec...), poller: t.poller}
	for _, f := range n.fds {
		if f != nil {
			f.refs++
		}
	}
	return n
}

// childStatus describes a zombie's wait status as SIGCHLD's siginfo does.
func childStatus(status int) (code, st int) {
	code, st = cldExited, status>>8&0xff
	if sig := status & 0x7f; sig != 0 {
		code, st = cldKilled, sig
		if status&coreDump != 0 {
			code = cldDumped
		}
	}
	return code, st
}

const (
	pAll     = 0
	pPid     = 1
	pPgid    = 2
	wExited  = 4
	wStopped = 2
	wNowait  = 0x1000000
)

// sysWaitid is waitid(2) for exited children (P_ALL, P_PID, P_PGID).
func (p *Process) sysWaitid(t *Thread, idtype, id int, infop uint64, options int, rusage uint64) uint64 {
	if options&^(wNohang|wExited|wStopped|wContinued|wNowait|wAll|wClone) != 0 || options&(wExited|wStopped|wContinued) == 0 {
		return fail(eINVAL)
	}
	if idtype != pAll && idtype != pPid && idtype != pPgid {
		return fail(eINVAL)
	}
	any := false
	for i, c := range p.children {
		if idtype == pPid && c.Pid != id {
			continue
		}
		any = true
		st, done := c.ExitStatus()
		if !done || options&wExited == 0 {
			continue
		}
		if infop != 0 {
			code, s := childStatus(st)
			uid, _, _, _ := p.host.IDs()
			b := make([]byte, 128)
			(&sigInfo{signo: sigCHLD, code: code, pid: c.Pid, uid: uid, status: s}).put(b)
			if r := p.putBytes(infop, b); r != 0 {
				return r
			}
		}
		if rusage != 0 {
			if r := p.putBytes(rusage, make([]byte, 144)); r != 0 {
				return r
			}
		}
		if options&wNowait == 0 {
			p.children = append(p.children[:i], p.children[i+1:]...)
		}
		return 0
	}
	if !any {
		return fail(eCHILD)
	}
	if options&wNohang != 0 {
		if infop != 0 {
			return p.putBytes(infop, make([]byte, 128))
		}
		return 0
	}
	t.restartNr = sysWaitid
	p.block(t, waitChild, 0, false)
	return 0
}

// sysWait4 is wait4(2): it reaps a zombie child, blocks until one exits
// (the call is restarted), or fails with ECHILD.
func (p *Process) sysWait4(t *Thread, pid int, statusAddr uint64, options int, rusage uint64) uint64 {
	if options&^(wNohang|wUntraced|wContinued|wAll|wClone) != 0 {
		return fail(eINVAL)
	}
	any := false
	for i, c := range p.children {
		if pid > 0 && c.Pid != pid {
			continue
		}
		any = true
		st, done := c.ExitStatus()
		if !done {
			continue
		}
		if statusAddr != 0 {
			if r := p.putU32(statusAddr, uint32(st)); r != 0 {
				return r
			}
		}
		if rusage != 0 {
			if r := p.putBytes(rusage, make([]byte, 144)); r != 0 {
				return r
			}
		}
		p.children = append(p.children[:i], p.children[i+1:]...)
		return uint64(c.Pid)
	}
	if !any {
		return fail(eCHILD)
	}
	if options&wNohang != 0 {
		return 0
	}
	t.restartNr = sysWait4
	p.block(t, waitChild, 0, false)
	return 0
}

// zombie reports whether a child wait4 could reap has exited.
func (p *Process) zombie() bool {
	for _, c := range p.children {
		if _, done := c.ExitStatus(); done {
			return true
		}
	}
	return false
}

// poll checks the waits of p and its descendants, reporting whether any
// thread in the tree can run and the earliest deadline (zero if none).
func (p *Process) poll() (runnable bool, next time.Time) {
	next = p.checkWaits()
	for _, t := range p.threads {
		if t.wait == waitNone {
			runnable = true
		}
	}
	r, n := p.pollKids()
	return runnable || r, earliest(next, n)
}

// pollKids is poll over the processes p's scheduler runs (its children
// and, for the root, the orphans), leaving out the gone and the frozen.
func (p *Process) pollKids() (runnable bool, next time.Time) {
	for _, c := range p.kids() {
		if c.gone() || c.Frozen() {
			continue
		}
		r, n := c.poll()
		runnable = runnable || r
		next = earliest(next, n)
	}
	return runnable, next
}

// earliest is the earlier of two deadlines, the zero time meaning none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// idleFor is how long a scheduler with nothing to run sleeps: until the
// deadline next (none: zero), at most limit.
func (p *Process) idleFor(next time.Time, limit time.Duration) time.Duration {
	if next.IsZero() {
		return limit
	}
	return min(limit, max(next.Sub(p.clk.Now()), 0))
}

// gone reports whether the process has exited.
func (p *Process) gone() bool {
	_, done := p.ExitStatus()
	return done
}

// kids lists the processes p's scheduler runs: its children and, for the
// root of the tree, the orphans.
func (p *Process) kids() []*Process {
	if p.parent != nil || p.orphan || len(p.kern.orphans) == 0 {
		return p.children
	}
	live := p.kern.orphans[:0]
	for _, o := range p.kern.orphans {
		if !o.gone() {
			live = append(live, o)
		}
	}
	p.kern.orphans = live
	return append(append([]*Process(nil), p.children...), live...)
}

// orphanChildren hands p's live children to the root (p is exiting).
func (p *Process) orphanChildren() {
	for _, c := range p.children {
		if !c.gone() {
			c.parent, c.orphan = nil, true
			p.kern.orphans = append(p.kern.orphans, c)
		}
	}
	p.children, p.liveKids = nil, 0
}

// runChildren gives each live child one slice, reporting whether any ran.
func (p *Process) runChildren() bool {
	ran := false
	kids := p.kids()
	for i := 0; i < len(kids); i++ {
		c := kids[i]
		if c.gone() || c.Frozen() {
			continue
		}
		if r, _ := c.poll(); !r {
			continue
		}
		ran = true
		c.slice()
	}
	return ran
}

// sysExecve replaces the process image with another static executable.
func (p *Process) sysExecve(t *Thread, pathAddr, argvAddr, envAddr uint64) uint64 {
	name, r := p.getPath(pathAddr)
	if r != 0 {
		return r
	}
	args, r := p.getStrings(argvAddr)
	if r != 0 {
		return r
	}
	env, r := p.getStrings(envAddr)
	if r != 0 {
		return r
	}
	host, r := p.resolve(atFDCWD, name)
	if r != 0 {
		return r
	}
	if p.procExe(name) {
		host = p.Exe
	}
	if err := p.host.Access(host, 1); err != nil {
		return fail(errnoOf(err))
	}
	data, err := readHostFile(p.host, host)
	if err != nil {
		return fail(errnoOf(err))
	}
	img, err := parseELF(data)
	if err != nil {
		p.log.WithError(err).WithField("path", host).Debug("execve: not a static executable")
		return fail(eNOEXEC)
	}
	mem := emu.NewMemory()
	if err := mapImage(mem, img); err != nil {
		return fail(eNOMEM)
	}
	uid, euid, gid, egid := p.host.IDs()
	st, err := buildStack(mem, img, name, args, env, [4]int{uid, euid, gid, egid}, probeHwcap())
	if err != nil {
		return fail(eNOMEM)
	}
	// The point of no return: the old image is gone.
	exe := host
	if !filepath.IsAbs(exe) {
		if wd, err := p.host.Getwd(); err == nil {
			exe = filepath.Join(wd, exe)
		}
	}
	c := emu.NewCPU(mem)
	c.R[emu.RSP] = st.sp
	c.RIP = img.entry
	nt := &Thread{Tid: p.Pid, CPU: c, blocked: t.blocked, pending: t.pending, pendInfo: t.pendInfo}
	p.mu.Lock()
	p.Mem, p.Exe = mem, exe
	p.threads = []*Thread{nt}
	p.mu.Unlock()
	p.main, p.cur, p.curIdx = nt, nt, 0
	p.waitq = nil
	p.auxv, p.execfn, p.entry = st.auxv, name, img.entry
	p.brkStart, p.brk = img.brk, img.brk
	p.stackLow, p.stackPerm = st.low, st.perm
	for i := range p.sig.actions {
		if h := p.sig.actions[i].handler; h != sigIGN {
			p.sig.actions[i] = sigaction{}
		}
	}
	for fd, ce := range p.files.cloexec {
		if ce {
			p.files.close(int32(fd))
		}
	}
	p.execed = true
	p.releaseVfork()
	p.log.WithFields(logrus.Fields{"exe": exe, "tid": t.Tid}).Debug("execve")
	return 0
}

// getStrings reads a NULL-terminated array of string pointers.
func (p *Process) getStrings(addr uint64) ([]string, uint64) {
	var out []string
	if addr == 0 {
		return nil, 0
	}
	for i := uint64(0); ; i++ {
		if i > 1<<16 {
			return nil, fail(e2BIG)
		}
		ptr, r := p.getU64(addr + 8*i)
		if r != 0 {
			return nil, r
		}
		if ptr == 0 {
			return out, 0
		}
		s, r := p.getPath(ptr)
		if r != 0 {
			return nil, r
		}
		out = append(out, s)
	}
}
