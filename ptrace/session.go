package ptrace

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"sync"
	"syscall"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
	"github.com/redox-gdbstub/redox-gdbstub/target"
	"github.com/sirupsen/logrus"
)

// Mode selects which of the two behaviours of the trace file a session has.
type Mode int

const (
	// Mode2019 is the seed design (kernel cf0a7620, the default): a
	// blocking write waits for the armed stop or an event, FlagWait makes
	// any write wait, and reads never block.
	Mode2019 Mode = iota
	// Mode2020 is the later design (kernel f0760390): writes never block,
	// a blocking read waits for the stop, a non-blocking read with nothing
	// to read gives EAGAIN.
	Mode2020
)

func (m Mode) String() string {
	switch m {
	case Mode2019:
		return "2019"
	case Mode2020:
		return "2020"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Options are the open-time modes of a trace session.
type Options struct {
	StopOnOpen  bool // O_TRUNC: the tracee is stopped when the session opens
	KillOnClose bool // O_EXCL: closing the session kills the tracee
	NonBlocking bool // O_NONBLOCK (changeable later with SetNonBlocking)
	Mode        Mode // Mode2019 (default) or Mode2020
	// Log receives debug records of operations and stops (fields pid,
	// tid); nil discards them.
	Log logrus.FieldLogger
	// Ready, if set, is Redox's EVENT_READ (spec §4.5): it is called, from
	// the runner goroutine and without any session lock held, when the
	// event queue goes from empty to non-empty and when the tracee exits.
	// It must not block; Readable tells whether it is still true.
	Ready func(*Session)
}

// Session is an open proc:<pid>/trace file. It is safe for concurrent use:
// one goroutine may sit in Next, Write or Read while another calls Kill or
// Close.
type Session struct {
	p     *target.Process
	reg   *Registry
	log   logrus.FieldLogger
	mode  Mode
	kill  bool
	ready func(*Session)

	mu       sync.Mutex
	cond     *sync.Cond // signalled on every state change below
	nonblock bool
	armed    Flags // the breakpoint (flags of the arming write); 0 = none
	reached  bool  // the armed stop has been reached
	queue    []Event
	pending  []Event // non-stop events set aside by Next
	running  bool    // the runner goroutine is inside Resume
	runDone  chan struct{}
	exited   bool
	exitCh   chan struct{} // closed when the tracee has exited or failed
	fatal    error         // Resume failed with something other than ErrExited
	closed   bool
	last     target.Event // the stop the tracee is parked at
	hasLast  bool
	tids     []int // thread ids as of the last stop

	clones     map[int]*target.Process // child processes reported by EVENT_CLONE, by pid (clone.go)
	readClones []*target.Process       // their events were read: thawed at the next write unless traced
}

func newSession(r *Registry, p *target.Process, opts Options) *Session {
	log := opts.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = l
	}
	s := &Session{
		p:        p,
		reg:      r,
		log:      log.WithField("pid", p.Pid),
		mode:     opts.Mode,
		kill:     opts.KillOnClose,
		ready:    opts.Ready,
		nonblock: opts.NonBlocking,
		exitCh:   make(chan struct{}),
	}
	s.cond = sync.NewCond(&s.mu)
	p.SetCloneHook(s.onClone)
	for _, t := range p.Threads() { // not running yet: safe to look
		s.tids = append(s.tids, t.Tid)
	}
	// StopOnOpen needs no action: a target.Process only runs inside
	// Resume, so every tracee is stopped until the first resuming write.
	s.log.WithField("options", fmt.Sprintf("%+v", opts)).Debug("ptrace: session opened")
	return s
}

// SetNonBlocking switches the session between blocking and non-blocking
// mode (fcntl F_SETFL O_NONBLOCK).
func (s *Session) SetNonBlocking(nb bool) {
	s.mu.Lock()
	s.nonblock = nb
	s.mu.Unlock()
}

// Mode reports the session's behaviour.
func (s *Session) Mode() Mode { return s.mode }

// checkLocked fails operations on a closed session, a broken target or an
// exited tracee.
func (s *Session) checkLocked(op string) error {
	switch {
	case s.closed:
		return s.errno(op, syscall.EBADF)
	case s.fatal != nil:
		return fmt.Errorf("ptrace %s (pid %d): %w", op, s.p.Pid, s.fatal)
	case s.exited:
		return s.errno(op, syscall.ESRCH)
	}
	return nil
}

// Write takes an 8-byte little-endian Flags value: arms the stops and
// resumes the tracee. See the package documentation for the exact rules.
func (s *Session) Write(b []byte) (int, error) {
	if len(b) < FlagsSize {
		return 0, nil // the kernel's quirk (spec §11.11)
	}
	op, err := ParseFlags(b)
	if err != nil {
		return 0, fmt.Errorf("ptrace write (pid %d): %w", s.p.Pid, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wait, err := s.writeLocked(op)
	if err != nil {
		return 0, err
	}
	if wait {
		for s.running && len(s.queue) == 0 && !s.closed {
			s.cond.Wait()
		}
		// Woken by a stop, an event, the exit (ESRCH) or Close (EBADF).
		if len(s.queue) == 0 {
			if err := s.checkLocked("write"); err != nil {
				return 0, err
			}
		}
	}
	return FlagsSize, nil
}

// writeLocked performs the arming and resuming part of a write and says
// whether a 2019 write must then wait.
func (s *Session) writeLocked(op Flags) (wait bool, err error) {
	if err := s.checkLocked("write"); err != nil {
		return false, err
	}
	s.thawIgnoredLocked() // §4.2 step 2, §4.3 step 2
	var resume bool
	var armed Flags
	switch s.mode {
	case Mode2020:
		// §4.3: arm on any stop or event bit, else clear; always resume.
		resume = true
		if op&(StopMask|EventMask) != 0 {
			armed = op
		}
	default:
		// §4.2: resume unless the op is FlagWait without stop bits; only
		// stop bits arm a breakpoint.
		resume = op&FlagWait == 0 || op.Stops() != 0
		if op.Stops() != 0 {
			armed = op
		}
		wait = !s.nonblock || op&FlagWait != 0
	}
	if resume {
		if s.running {
			return false, fmt.Errorf("ptrace write %v (pid %d): tracee is running, armed %v: %w",
				op, s.p.Pid, s.armed, syscall.EBUSY)
		}
		s.armed = armed
		s.reached = false
		// FlagIgnore only acts through a breakpoint (§4.3): alone, it is
		// cleared together with the breakpoint and skips nothing.
		ignore := op&FlagIgnore != 0 && armed != 0
		s.startLocked(targetMask(armed), ignore)
		if debugOn(s.log) {
			s.log.WithFields(logrus.Fields{"op": op.String(), "ignore": ignore}).Debug("ptrace: resume")
		}
	}
	return wait, nil
}

// startLocked starts the runner goroutine: the only caller of Resume.
func (s *Session) startLocked(mask target.StopMask, ignore bool) {
	s.running = true
	s.hasLast = false
	s.runDone = make(chan struct{})
	go s.run(mask, ignore, s.runDone)
}

// run resumes the tracee and records how it stopped. Once the session is
// closed, stops are no longer reported: the detached tracee runs on with
// nothing armed until it exits.
func (s *Session) run(mask target.StopMask, ignore bool, done chan struct{}) {
	defer close(done)
	for {
		ev, err := s.resume(mask, ignore)
		s.mu.Lock()
		if err == nil && s.closed {
			s.mu.Unlock()
			mask, ignore = 0, false
			continue
		}
		s.running = false
		notify := len(s.queue) == 0 // empty -> non-empty, or exit
		switch {
		case errors.Is(err, target.ErrExited):
			s.exited = true
			close(s.exitCh)
			status, _ := s.p.ExitStatus()
			s.log.WithField("status", fmt.Sprintf("%#x", status)).Debug("ptrace: tracee exited")
		case err != nil:
			s.fatal = err
			close(s.exitCh)
			s.log.WithError(err).Error("ptrace: resume failed")
		default:
			e := eventFromTarget(ev)
			s.reached = true
			s.last, s.hasLast = ev, true
			s.queue = append(s.queue, e)
			if debugOn(s.log) {
				s.log.WithFields(logrus.Fields{"tid": ev.Tid, "event": e.String()}).Debug("ptrace: stop")
			}
		}
		s.wakeAndUnlock(notify)
		return
	}
}

// resume calls target's Resume, turning a panic inside the target into an
// EIO error so that a guest bug never takes the stub down.
func (s *Session) resume(mask target.StopMask, ignore bool) (ev target.Event, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.WithField("stack", string(debug.Stack())).Errorf("ptrace: target panicked: %v", r)
			err = fmt.Errorf("target panicked: %v: %w", r, syscall.EIO)
		}
	}()
	if s.p.IsChild() {
		return s.resumeChild(mask, ignore)
	}
	return s.p.Resume(mask, ignore)
}

// Read fills b with whole 56-byte event records, oldest first. See the
// package documentation for the blocking rules of each Mode.
func (s *Session) Read(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, s.errno("read", syscall.EBADF)
	}
	if s.mode == Mode2020 && !s.nonblock {
		for s.running && len(s.queue) == 0 && !s.closed {
			s.cond.Wait()
		}
		if s.closed {
			return 0, s.errno("read", syscall.EBADF)
		}
	}
	if len(s.queue) == 0 {
		if err := s.checkLocked("read"); err != nil {
			return 0, err
		}
		if s.mode == Mode2020 && !s.reached && len(b) >= EventSize {
			return 0, s.errno("read", syscall.EAGAIN)
		}
		return 0, nil
	}
	n := min(len(b)/EventSize, len(s.queue))
	out := b[:0]
	for _, e := range s.queue[:n] {
		out, _ = e.AppendBinary(out)
	}
	s.consumedLocked(s.queue[:n])
	s.queue = slices.Delete(s.queue, 0, n)
	return n * EventSize, nil
}

// Readable reports what Redox's fevent reports for a trace handle: there
// are events to read, or the tracee has exited (a read gives ESRCH).
func (s *Session) Readable() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) > 0 || s.exited || s.fatal != nil
}

// Next writes flags (with the arming rules of the session's Mode) and then
// waits, whatever the blocking mode, until a stop event arrives, which it
// returns. Events queued before the call and non-stop events that arrive
// meanwhile go to Pending. See the package documentation.
func (s *Session) Next(flags Flags) (Event, error) {
	if err := flags.Validate(); err != nil {
		return Event{}, fmt.Errorf("ptrace next (pid %d): %w", s.p.Pid, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Event{}, s.errno("next", syscall.EBADF)
	}
	s.consumedLocked(s.queue)
	s.pending = append(s.pending, s.queue...)
	s.queue = s.queue[:0]
	if _, err := s.writeLocked(flags); err != nil {
		return Event{}, err
	}
	for {
		for i, e := range s.queue {
			if e.Cause.IsStop() {
				s.consumedLocked(s.queue[:i])
				s.pending = append(s.pending, s.queue[:i]...)
				s.queue = slices.Delete(s.queue, 0, i+1)
				return e, nil
			}
		}
		s.consumedLocked(s.queue)
		s.pending = append(s.pending, s.queue...)
		s.queue = s.queue[:0]
		if err := s.checkLocked("next"); err != nil {
			return Event{}, err
		}
		if !s.running {
			return Event{}, fmt.Errorf("ptrace next %v (pid %d): no stop armed and tracee not running: %w",
				flags, s.p.Pid, syscall.EAGAIN)
		}
		s.cond.Wait()
	}
}

// Pending returns, and forgets, the events Next set aside: those queued
// before it was called and the non-stop events it met.
func (s *Session) Pending() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pending
	s.pending = nil
	return p
}

// StopInfo details the stop the tracee is parked at beyond what Redox's
// event record has room for.
type StopInfo struct {
	Tid     int    // the thread that stopped
	Signo   int    // STOP_SIGNAL: the pending signal (Linux numbering)
	SigCode int    // STOP_SIGNAL: si_code
	SigAddr uint64 // STOP_SIGNAL: si_addr of a fault
	// STOP_SIGNAL: si_pid and si_uid of a sent signal or of SIGCHLD, and
	// SIGCHLD's si_status (the child's exit code or signal).
	SigPid, SigUid, SigStatus int
	Syscall                   uint64 // STOP_PRE_SYSCALL/STOP_POST_SYSCALL: the syscall number
	// STOP_BREAKPOINT/STOP_SINGLESTEP: a data watchpoint (watch.go) fired;
	// WatchKind is 0 otherwise. WatchAddr is the start of its range.
	WatchAddr uint64
	WatchKind WatchKind
}

// LastStop describes the stop the tracee is parked at (thread id, si_code,
// si_addr, syscall number). ok is false while the tracee runs, before its
// first stop and after it exited.
func (s *Session) LastStop() (info StopInfo, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exited || s.running || !s.hasLast {
		return StopInfo{}, false
	}
	ev := s.last
	info = StopInfo{Tid: ev.Tid, Signo: ev.Signo, SigCode: ev.SigCode, SigAddr: ev.SigAddr, Syscall: ev.Syscall,
		SigPid: ev.SigPid, SigUid: ev.SigUid, SigStatus: ev.SigStatus}
	s.watchInfoLocked(ev, &info)
	return info, true
}

// Close detaches. With KillOnClose the tracee is sent SIGKILL and Close
// waits until it has exited. Otherwise the tracee runs on with nothing
// armed, in the background, until it exits (Done tells when); Close does
// not wait for it. A second Close gives EBADF.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return s.errno("close", syscall.EBADF)
	}
	s.closed = true
	s.thawIgnoredLocked() // §5.6: on close too
	s.cond.Broadcast()
	alive := !s.exited && s.fatal == nil
	if s.kill && alive {
		s.p.Kill(sigKill)
	}
	if alive && !s.running {
		s.startLocked(0, false)
	}
	running, done := s.running, s.runDone
	s.mu.Unlock()
	s.log.WithField("kill", s.kill).Debug("ptrace: session closed")
	if !running {
		s.reg.release(s)
		return nil
	}
	if s.kill {
		<-done
	}
	return nil
}

// Done is closed once the tracee has exited (or the target failed); use
// it to wait for a detached tracee to finish.
func (s *Session) Done() <-chan struct{} { return s.exitCh }

const sigKill = 9

// Kill sends signal sig (Linux numbering, 1..64) to the tracee as kill(2)
// would; sig 0 only checks that it is alive. It is safe to call while
// another goroutine is inside Next or Write: a running tracee notices the
// signal within milliseconds and reports STOP_SIGNAL if that is armed
// (this is how Ctrl-C works). A parked tracee sees the signal when resumed.
func (s *Session) Kill(sig int) error {
	if sig < 0 || sig > 64 {
		return fmt.Errorf("ptrace kill %d (pid %d): %w", sig, s.p.Pid, syscall.EINVAL)
	}
	s.mu.Lock()
	err := s.checkLocked("kill")
	s.mu.Unlock()
	if err != nil || sig == 0 {
		return err
	}
	s.p.Kill(sig)
	return nil
}

// Pid is the tracee's process id.
func (s *Session) Pid() int { return s.p.Pid }

// Threads lists the tracee's thread ids, the main thread first. While the
// tracee runs it returns the list as of its last stop; after exit, nil.
func (s *Session) Threads() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exited || s.fatal != nil {
		return nil
	}
	if s.running {
		return slices.Clone(s.tids)
	}
	s.tids = s.tids[:0]
	for _, t := range s.p.Threads() {
		s.tids = append(s.tids, t.Tid)
	}
	return slices.Clone(s.tids)
}

// ThreadName is the name of thread tid (Linux's comm: prctl(PR_SET_NAME),
// else the executable's base name). It fails with EBUSY while the tracee
// runs and ESRCH for a tid that is not a live thread.
func (s *Session) ThreadName(tid int) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLocked("thread name"); err != nil {
		return "", err
	}
	if s.running {
		return "", s.errno("thread name", syscall.EBUSY)
	}
	name, ok := s.p.ThreadName(tid)
	if !ok {
		return "", fmt.Errorf("ptrace thread name %d (pid %d): %w", tid, s.p.Pid, syscall.ESRCH)
	}
	return name, nil
}

// Exe is the tracee's executable path (proc:<pid>/exe).
func (s *Session) Exe() string { return s.p.Exe }

// Auxv is the tracee's auxiliary vector.
func (s *Session) Auxv() []byte { return s.p.Auxv() }

// ExitStatus is the tracee's wait status once it has exited.
func (s *Session) ExitStatus() (status int, exited bool) { return s.p.ExitStatus() }

// cpuLocked finds thread tid's CPU for a register access: EBADF once
// closed, ESRCH after exit or for an unknown tid, EBUSY while the tracee
// runs.
func (s *Session) cpuLocked(op string, tid int) (*emu.CPU, error) {
	if err := s.checkLocked(op); err != nil {
		return nil, err
	}
	if s.running {
		return nil, s.errno(op, syscall.EBUSY)
	}
	for _, t := range s.p.Threads() {
		if t.Tid == tid {
			return t.CPU, nil
		}
	}
	return nil, fmt.Errorf("ptrace %s (pid %d): no thread %d: %w", op, s.p.Pid, tid, syscall.ESRCH)
}

// IntRegs reads thread tid's integer registers (regs/int).
func (s *Session) IntRegs(tid int) (IntRegisters, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.cpuLocked("read regs/int", tid)
	if err != nil {
		return IntRegisters{}, err
	}
	return IntRegsFromCPU(c), nil
}

// SetIntRegs writes thread tid's integer registers (see ApplyIntRegs for
// what is written).
func (s *Session) SetIntRegs(tid int, r IntRegisters) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.cpuLocked("write regs/int", tid)
	if err != nil {
		return err
	}
	ApplyIntRegs(c, r)
	return nil
}

// FloatRegs reads thread tid's FPU/SSE registers (regs/float).
func (s *Session) FloatRegs(tid int) (FloatRegisters, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.cpuLocked("read regs/float", tid)
	if err != nil {
		return FloatRegisters{}, err
	}
	return FloatRegsFromCPU(c), nil
}

// SetFloatRegs writes thread tid's FPU/SSE registers.
func (s *Session) SetFloatRegs(tid int, r FloatRegisters) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.cpuLocked("write regs/float", tid)
	if err != nil {
		return err
	}
	ApplyFloatRegs(c, r)
	return nil
}

// EnvRegs reads thread tid's fs/gs base (regs/env).
func (s *Session) EnvRegs(tid int) (EnvRegisters, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.cpuLocked("read regs/env", tid)
	if err != nil {
		return EnvRegisters{}, err
	}
	return EnvRegsFromCPU(c), nil
}

// SetEnvRegs writes thread tid's fs/gs base.
func (s *Session) SetEnvRegs(tid int, r EnvRegisters) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.cpuLocked("write regs/env", tid)
	if err != nil {
		return err
	}
	ApplyEnvRegs(c, r)
	return nil
}

// A Session is the trace file: 8-byte operations in, 56-byte events out.
var (
	_ io.Reader = (*Session)(nil)
	_ io.Writer = (*Session)(nil)
	_ io.Closer = (*Session)(nil)
)

// debugOn reports whether l logs at debug level, so that the stop and
// resume paths (run once per breakpoint hit) do not build log fields that
// would be dropped. An unknown logger is assumed to want them.
func debugOn(l logrus.FieldLogger) bool {
	switch v := l.(type) {
	case *logrus.Entry:
		return v.Logger.IsLevelEnabled(logrus.DebugLevel)
	case *logrus.Logger:
		return v.IsLevelEnabled(logrus.DebugLevel)
	}
	return true
}

// wakeAndUnlock ends a resume: it wakes everyone waiting on the session,
// unlocks it, and then (outside the lock) releases a session closed
// meanwhile or fires the readiness notification when the queue went from
// empty to non-empty (notify). s.mu must be held.
func (s *Session) wakeAndUnlock(notify bool) {
	closed := s.closed
	s.cond.Broadcast()
	s.mu.Unlock()
	if closed {
		s.reg.release(s)
	} else if notify && s.ready != nil {
		s.ready(s)
	}
}
