package rsp

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// Fork, vfork and exec events (fork-events+, vfork-events+, exec-events+)
// and the processes they bring into the session.
//
// Redox's ptrace has no fork or exec stop: EVENT_CLONE is queued without
// stopping the parent. When the client announces these features, every
// continue arms the syscall stops with a syscall filter of fork, vfork,
// clone, clone3, execve and execveat (ptrace's SetSyscallFilter, so no
// other syscall stops), and EVENT_CLONE, which freezes a new child process
// until the stub decides. The stops are resumed inside the stub except:
//
//   - the post-syscall stop of a fork/vfork/clone that made a child
//     process: the child gets a ptrace session of its own
//     (Session.OpenChild) and the stop is reported as
//     "T05fork:pCHILD.CHILD;..." or "T05vfork:...". The client then
//     selects the child (Hg), removes its breakpoints and detaches it
//     (D;CHILD: its session is closed and it runs on untraced), or keeps
//     it as a second inferior, or detaches the parent and follows the
//     child (follow-fork-mode child);
//   - the post-syscall stop of a successful execve: "T05exec:HEXPATH;...";
//     the new image has none of the old breakpoints, as on Linux, and the
//     client inserts them again.
//
// A vfork parent is reported when its vfork returns, after the child has
// exec'd or exited (target's vfork blocks the parent until then, and a
// vfork child is never frozen: its parent could not go on); the vforkdone
// the client then waits for is reported at the next resume without
// running anything. A fork child of a session that is detached from its
// parent runs in the background, and so does a parent the client detached
// to follow its child; Serve waits for them when the session ends.
//
// Processes other than the one the client looks at keep their procState
// in forkState.others; Hg with a pPID.TID id switches. Only the current
// process is resumed (gdb's "set schedule-multiple off", its default).

// Linux x86-64 syscall numbers that make processes or replace images.
const (
	nrClone    = 56
	nrFork     = 57
	nrVfork    = 58
	nrExecve   = 59
	nrExecveat = 322
	nrClone3   = 435
	nrExit     = 60 // exit(2): the end of one thread

	cloneThread = 0x10000 // CLONE_THREAD
	cloneVfork  = 0x4000  // CLONE_VFORK
)

// forkState is the session's part of fork and exec following.
type forkState struct {
	fork, vfork, exec bool // the client announced fork-, vfork-, exec-events
	threads           bool // QThreadEvents:1: thread creation and exit are reported

	others map[int]*procState // the processes other than the current one, by pid
	// vforkDone is the thread of a vfork parent whose vforkdone is due:
	// the next resume reports it at once.
	vforkDone int
	// untraced are children reported without a session (vfork ones):
	// detaching them succeeds without doing anything.
	untraced []int
	// background are processes detached while alive: they run on, and
	// Serve waits for them.
	background []Tracer
}

// forker is a Tracer that can follow the processes it creates
// (*ptrace.Session).
type forker interface {
	SetSyscallFilter(nrs []uint64) error
	OpenChild(pid int, opts ptrace.Options) (*ptrace.Session, error)
}

// capability returns t's optional interface T, looking through the
// strace wrapper of "monitor strace on".
func capability[T any](t Tracer) (T, bool) {
	if w, on := t.(*straceTracer); on {
		t = w.straceable
	}
	v, ok := t.(T)
	return v, ok
}

func canFollow(s *Session) bool { _, ok := capability[forker](s.t); return ok }

// following reports whether continues must watch for forks and execs.
func (s *Session) following() bool {
	return (s.forks.fork || s.forks.vfork || s.forks.exec || s.forks.threads) && canFollow(s)
}

// threadEventsPacket handles "QThreadEvents:0|1": with 1, a new thread is
// reported as "T05create:;thread:NEW" (the new thread stopped before its
// first instruction) and a thread's exit as "w<code>;thread-id" (at the
// exit call of a thread that is not the last one, which then ends at the
// next resume).
func (s *Session) threadEventsPacket(arg string) response {
	if !canFollow(s) {
		return empty
	}
	switch arg {
	case "0", "1":
		s.forks.threads = arg == "1"
		return ok
	}
	return errReply
}

// followFlags adds what a continue needs to see forks and execs.
func (s *Session) followFlags(flags ptrace.Flags) ptrace.Flags {
	if !s.following() || flags&ptrace.StopSingleStep != 0 {
		return flags
	}
	flags |= ptrace.StopPreSyscall | ptrace.StopPostSyscall
	if s.forks.fork || s.forks.vfork {
		flags |= ptrace.EventClone
	}
	return flags
}

// setSyscallFilter limits the syscall stops of the coming resume to the
// syscalls someone wants: the client's catch list and the fork and exec
// calls being followed (every syscall for "catch syscall" without a list
// or under "monitor strace on").
func (s *Session) setSyscallFilter(flags ptrace.Flags) {
	f, ok := capability[forker](s.t)
	if !ok || flags&(ptrace.StopPreSyscall|ptrace.StopPostSyscall) == 0 {
		return
	}
	var nrs []uint64
	_, straced := s.t.(*straceTracer)
	if !straced && !(s.catchSyscalls && s.catchList == nil) {
		nrs = slices.Sorted(maps.Keys(s.catchList))
		if s.forks.fork || s.forks.vfork {
			nrs = append(nrs, nrClone, nrFork, nrVfork, nrClone3)
		}
		if s.forks.exec {
			nrs = append(nrs, nrExecve, nrExecveat)
		}
		if s.forks.threads {
			nrs = append(nrs, nrClone, nrClone3, nrExit)
		}
		if nrs == nil {
			nrs = []uint64{}
		}
	}
	if err := f.SetSyscallFilter(nrs); err != nil {
		s.log.WithError(err).Warn("syscall filter")
	}
}

// procEvent is a fork or exec found at a post-syscall stop.
type procEvent struct {
	kind  string // "fork", "vfork" or "exec"
	child int    // fork/vfork: the new process
	tid   int    // the thread that made the call
}

// procEventOf classifies a stop: a post-syscall stop of a call that made
// a child process (with fork/vfork events on) or replaced the image (with
// exec events on). It reads the tracee, so it runs while it is parked.
func (s *Session) procEventOf(ev ptrace.Event) (procEvent, bool) {
	if ev.Cause&(ptrace.StopPreSyscall|ptrace.StopPostSyscall) == 0 || !s.following() {
		return procEvent{}, false
	}
	si, has := s.t.(StopInfoer)
	if !has {
		return procEvent{}, false
	}
	info, ok := si.LastStop()
	if !ok {
		return procEvent{}, false
	}
	regs, err := s.t.IntRegs(info.Tid)
	if err != nil {
		return procEvent{}, false
	}
	ret := int64(regs.RAX)
	if ev.Cause&ptrace.StopPreSyscall != 0 {
		// A thread's exit, reported before the call ends it (a thread
		// stops nowhere after its exit call).
		if s.forks.threads && info.Syscall == nrExit && len(s.t.Threads()) > 1 {
			return procEvent{kind: "thread-exit", tid: info.Tid, child: int(regs.RDI & 0xff)}, true
		}
		return procEvent{}, false
	}
	switch info.Syscall {
	case nrExecve, nrExecveat:
		if s.forks.exec && ret == 0 {
			return procEvent{kind: "exec", tid: info.Tid}, true
		}
		return procEvent{}, false
	case nrFork, nrVfork, nrClone, nrClone3:
	default:
		return procEvent{}, false
	}
	if ret <= 0 {
		return procEvent{}, false
	}
	flags := uint64(0)
	switch info.Syscall {
	case nrVfork:
		flags = cloneVfork
	case nrClone:
		flags = regs.RDI
	case nrClone3:
		var b [8]byte // struct clone_args starts with the flags
		if s.t.ReadMem(regs.RDI, b[:]) != nil {
			return procEvent{}, false
		}
		flags = binary.LittleEndian.Uint64(b[:])
	}
	if flags&cloneThread != 0 {
		if s.forks.threads {
			return procEvent{kind: "create", child: int(ret), tid: info.Tid}, true
		}
		return procEvent{}, false
	}
	kind := "fork"
	if flags&cloneVfork != 0 {
		if !s.forks.vfork {
			return procEvent{}, false
		}
		kind = "vfork"
	} else if !s.forks.fork {
		return procEvent{}, false
	}
	return procEvent{kind: kind, child: int(ret), tid: info.Tid}, true
}

// procEventReply records a fork or exec stop and builds its reply; false
// if ev is neither (or the child cannot be traced).
func (s *Session) procEventReply(ev ptrace.Event) bool {
	pe, ok := s.procEventOf(ev)
	if !ok {
		return false
	}
	s.pendingSig = 0
	s.sys = syscallStop{}
	s.stopTid = s.recordStop(causeBreakpoint, 0)
	var key string
	switch pe.kind {
	case "create":
		// The new thread is the one reported, stopped before its first
		// instruction.
		s.stopTid = pe.child
		s.lastStop = append([]byte("T05create:;"), s.tReply(5, pe.child, false)[3:]...)
		return true
	case "thread-exit":
		s.lastStop = fmt.Appendf(nil, "w%02x;%s", pe.child, s.formatThreadID(pe.tid))
		s.stopTid = s.mainTid()
		if s.stopTid == pe.tid {
			for _, t := range s.t.Threads() {
				if t != pe.tid {
					s.stopTid = t
					break
				}
			}
		}
		return true
	case "exec":
		// A new image: no breakpoint of the old one is in it.
		s.breakpoints = make(map[uint64]bpKind)
		s.watchpoints = nil
		s.conds = make(map[uint64][][]byte)
		s.cmds = make(map[uint64][][]byte)
		s.recordArgs()
		path := ""
		if ef, has := s.t.(ExecFiler); has {
			path = ef.Exe()
		}
		key = "exec:" + string(appendHexBytes(nil, []byte(path)))
	default:
		key = fmt.Sprintf("%s:p%x.%x", pe.kind, pe.child, pe.child)
		if pe.kind == "vfork" {
			// The child was never frozen (its parent waited for it):
			// it has exec'd or exited by now and is not traced.
			s.forks.vforkDone = pe.tid
			s.forks.untraced = append(s.forks.untraced, pe.child)
		} else {
			s.adoptChild(pe.child)
		}
	}
	out := s.tReply(5, s.stopTid, false)
	s.lastStop = append([]byte("T05"+key+";"), out[3:]...)
	s.log.WithField("event", key).Debug("process event")
	return true
}

// adoptChild opens a trace session on a new child process and keeps its
// state among the session's processes (it has the parent's breakpoints,
// as a forked Linux process has the int3 bytes).
func (s *Session) adoptChild(pid int) {
	f, ok := capability[forker](s.t)
	if !ok {
		return
	}
	cs, err := f.OpenChild(pid, ptrace.Options{Log: s.baseLog})
	if err != nil {
		// A vfork child that has already exited: the client detaches
		// it, which then succeeds without a process.
		s.log.WithError(err).WithField("child", pid).Debug("open child")
		return
	}
	st := &procState{
		t:           cs,
		log:         s.baseLog.WithField("pid", pid),
		breakpoints: maps.Clone(s.breakpoints),
		conds:       maps.Clone(s.conds),
		cmds:        maps.Clone(s.cmds),
		stopTid:     pid,
		initialSP:   s.initialSP,
		argStart:    s.argStart,
		argEnd:      s.argEnd,
	}
	if s.forks.others == nil {
		s.forks.others = map[int]*procState{}
	}
	s.forks.others[pid] = st
}

// vforkDoneReply is the stop a resume reports at once after a vfork event.
func (s *Session) vforkDoneReply() []byte {
	tid := s.forks.vforkDone
	s.forks.vforkDone = 0
	out := s.tReply(5, tid, false)
	s.stopTid = tid
	s.lastStop = append([]byte("T05vforkdone:;"), out[3:]...)
	return s.lastStop
}

// switchProcess makes pid the current process; false if the session does
// not know it. A current process that has exited is forgotten.
func (s *Session) switchProcess(pid int) bool {
	if pid == s.t.Pid() {
		return true
	}
	next := s.forks.others[pid]
	if next == nil {
		return false
	}
	delete(s.forks.others, pid)
	if s.exited {
		// Its exit was reported: forget it.
		if !s.tracerClosed {
			s.closeTracer()
		}
	} else {
		cur := s.procState
		s.forks.others[cur.t.Pid()] = &cur
	}
	s.procState = *next
	return true
}

// knownProcess reports whether pid is one of the session's processes.
func (s *Session) knownProcess(pid int) bool {
	return pid == s.t.Pid() || s.forks.others[pid] != nil
}

// otherProcesses lists the processes other than the current one, by pid.
func (s *Session) otherProcesses() []*procState {
	out := make([]*procState, 0, len(s.forks.others))
	for _, pid := range slices.Sorted(maps.Keys(s.forks.others)) {
		out = append(out, s.forks.others[pid])
	}
	return out
}

// detachProcess detaches pid when the session has other processes: its
// breakpoints are removed and it runs on untraced in the background. It
// reports false when pid is the only process (the session then ends as
// before) or unknown.
func (s *Session) detachProcess(pid int) bool {
	if len(s.forks.others) == 0 || !s.knownProcess(pid) {
		return false
	}
	prev := s.t.Pid()
	s.switchProcess(pid)
	for bp := range s.breakpoints {
		s.clearBreakpoint(bp)
	}
	s.clearWatchpoints()
	if !s.exited && !s.tracerClosed {
		s.tracerClosed = true
		if err := s.t.Close(); err != nil {
			s.log.WithError(err).Debug("detach")
		}
		s.forks.background = append(s.forks.background, s.t)
	}
	s.exited = true
	// Forget it, and look at the previous process again (or any other).
	gone := s.t.Pid()
	others := s.otherProcesses()
	if prev != gone && s.forks.others[prev] != nil {
		s.procState = *s.forks.others[prev]
		delete(s.forks.others, prev)
	} else {
		s.procState = *others[0]
		delete(s.forks.others, s.t.Pid())
	}
	s.log.WithField("detached", gone).Info("detached a process; others remain")
	return true
}

// detachUntraced forgets a reported child that has no session; false if
// pid is not one.
func (s *Session) detachUntraced(pid int) bool {
	i := slices.Index(s.forks.untraced, pid)
	if i < 0 {
		return false
	}
	s.forks.untraced = slices.Delete(s.forks.untraced, i, i+1)
	return true
}

// endOthers kills (kill) or detaches the processes other than the current
// one, when the session ends.
func (s *Session) endOthers(kill bool) {
	for len(s.forks.others) > 0 {
		pid := slices.Min(slices.Collect(maps.Keys(s.forks.others)))
		st := s.forks.others[pid]
		delete(s.forks.others, pid)
		if st.exited || st.tracerClosed {
			continue
		}
		if kill {
			if err := st.t.Kill(sigKILL); err != nil {
				st.log.WithError(err).Debug("kill")
			}
		}
		if err := st.t.Close(); err != nil {
			st.log.WithError(err).Debug("close")
		}
		if !kill {
			s.forks.background = append(s.forks.background, st.t)
		}
	}
}

// waitBackground waits for the processes detached while alive to finish
// (killing them first when the client went away).
func (s *Session) waitBackground(kill bool) {
	for _, t := range s.forks.background {
		d, ok := t.(interface{ Done() <-chan struct{} })
		if !ok {
			continue
		}
		if kill {
			t.Kill(sigKILL)
		}
		<-d.Done()
	}
	s.forks.background = nil
}
