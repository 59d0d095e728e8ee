package rsp

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
	"github.com/sirupsen/logrus"
)

// Config configures a Session.
type Config struct {
	// Log receives the session's logs; nil discards them.
	Log logrus.FieldLogger
	// RemoteDebug logs every packet in both directions (field "packet").
	RemoteDebug bool
	// KeepOnDisconnect leaves a stopped, live process stopped (and the
	// tracer open) when the client goes away, so that another session can
	// take it over (gdbserver without --once). By default a disconnect
	// kills the process. A disconnect while the process runs always kills.
	KeepOnDisconnect bool
	// RLE run-length encodes replies, as gdbserver does (gdb and lldb
	// decode it). Off by default: simple clients may not expect it.
	RLE bool
	// KillTimeout bounds how long the session waits for the tracee to
	// stop after a kill or a disconnect; 0 means 5 seconds.
	KillTimeout time.Duration
	// Launcher starts programs for extended remote (vRun, R); nil
	// disables it. Env is the environment programs start with before
	// the client changes it (QEnvironment*).
	Launcher Launcher
	Env      []string
	// SyscallFormatter enables "monitor strace on" (strace.go).
	SyscallFormatter SyscallFormatter
}

// Outcome says how a session ended.
type Outcome int

const (
	OutcomeDisconnected Outcome = iota // the client went away
	OutcomeKilled                      // the client killed the process (k, vKill)
	OutcomeDetached                    // the client detached (D); the process ran on
)

func (o Outcome) String() string {
	switch o {
	case OutcomeDisconnected:
		return "disconnected"
	case OutcomeKilled:
		return "killed"
	case OutcomeDetached:
		return "detached"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Session is one debugger connection and the state negotiated on it.
// The state of the process the client is looking at (Hg) is the embedded
// procState; the other processes of the session (fork children followed
// with fork-events) keep theirs in forks.
type Session struct {
	procState
	cfg Config

	conn io.ReadWriter
	in   chan frame    // frames from the reader goroutine
	done chan struct{} // closed when Serve returns

	// Negotiated state.
	noAck        bool // QStartNoAckMode accepted
	multiprocess bool // client announced multiprocess+ (we always offer it)
	swbreak      bool // client announced swbreak+
	lastSent     []byte

	condEvals   uint64 // conditions evaluated (monitor stats)
	packets     uint64 // packets served (monitor stats)
	silentStops uint64 // stops resumed without a reply (monitor stats)
	hwbreak     bool   // client announced hwbreak+

	// QCatchSyscalls, QPassSignals, QProgramSignals.
	catchSyscalls  bool
	catchList      map[uint64]bool // nil: every syscall
	passSignals    map[int]bool    // Linux numbers delivered without a stop
	programSignals map[int]bool    // nil: every signal may reach the program

	files *hostFiles

	kept bool // left stopped for another session (KeepOnDisconnect)

	outcome Outcome

	forks forkState    // fork and exec events, other processes (forks.go)
	ns    nonStopState // non-stop mode (nonstop.go)
	// notifyLater are stop replies to notify after the current reply.
	notifyLater [][]byte
	ext         extState           // extended remote (extended.go)
	lldb        lldbState          // lldb's extensions (lldb.go)
	baseLog     logrus.FieldLogger // log without the pid field
}

// procState is what the session knows of one debugged process.
type procState struct {
	t   Tracer
	log logrus.FieldLogger

	// Thread selection and stop state.
	gTid       int // Hg thread (0 = any)
	cTid       int // Hc thread (0 = any): the thread legacy s/c resume
	stopTid    int // thread of the last stop
	pendingSig int // Linux signal of the last STOP_SIGNAL, 0 if none
	lastStop   []byte
	siginfo    stopSiginfo // of the last stop, when the tracer tells
	// siginfoWritten is the last stop's siginfo after a client write.
	siginfoWritten []byte
	exited         bool                // the process has exited (W/X was reported)
	breakpoints    map[uint64]bpKind   // Z0/Z1 addresses
	watchpoints    map[watchKey]bool   // Z2-Z4 set by this client
	conds          map[uint64][][]byte // agent-expression conditions by address
	cmds           map[uint64][][]byte // agent-expression commands (dprintf) by address
	sys            syscallStop         // the syscall stop the tracee is parked at
	// skippedSyscall: the current resume skips the call at an entry stop.
	skippedSyscall bool

	// The initial stack pointer and argv's strings ([stack] in maps,
	// /proc/PID/cmdline), learnt when the session starts.
	initialSP        uint64
	argStart, argEnd uint64

	tracerClosed bool // Close was called on the tracer
}

// NewSession creates a session for the tracee behind t. The tracee must be
// stopped (at its entry point for a freshly created process, or where a
// previous session left it).
func NewSession(t Tracer, cfg Config) *Session {
	log := cfg.Log
	if log == nil {
		l := logrus.New()
		l.Out = io.Discard
		log = l
	}
	if cfg.KillTimeout == 0 {
		cfg.KillTimeout = 5 * time.Second
	}
	s := &Session{
		procState: procState{
			t:           t,
			log:         log.WithField("pid", t.Pid()),
			breakpoints: make(map[uint64]bpKind),
			conds:       make(map[uint64][][]byte),
			cmds:        make(map[uint64][][]byte),
		},
		cfg:     cfg,
		files:   newHostFiles(),
		baseLog: log,
	}
	s.initExtended()
	s.stopTid = s.mainTid()
	s.recordArgs()
	return s
}

// mainTid is the first live thread, or the pid if none is listed.
func (s *Session) mainTid() int {
	if th := s.t.Threads(); len(th) > 0 {
		return th[0]
	}
	return s.t.Pid()
}

// Serve talks the remote protocol over conn until the client detaches,
// kills the process or disconnects. A client that goes away while the
// process is alive gets the process killed, like gdbserver. Serve closes
// conn if it is an io.Closer, and does not leave goroutines behind (the
// reader ends when conn is closed).
func (s *Session) Serve(conn io.ReadWriter) (Outcome, error) {
	s.conn = conn
	s.in = make(chan frame)
	s.done = make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.readLoop(conn)
	}()
	err := s.loop()
	s.pauseEngine()
	if err != nil && !s.tracerClosed && !s.kept {
		// The connection broke (write error): end like a disconnect.
		s.log.WithError(err).Warn("connection failed")
		s.disconnected()
	}
	close(s.done)
	s.files.closeAll()
	// Processes the client detached while alive run to their end, as
	// the last process of a detach does.
	s.waitBackground(false)
	if c, ok := conn.(io.Closer); ok {
		c.Close()
	}
	readerDone := make(chan struct{})
	go func() { wg.Wait(); close(readerDone) }()
	select {
	case <-readerDone:
	case <-time.After(2 * time.Second):
		s.log.Warn("connection reader did not stop after close")
	}
	return s.outcome, err
}

// readLoop decodes the client's bytes into frames for the main loop.
func (s *Session) readLoop(r io.Reader) {
	var d Decoder
	buf := make([]byte, 64*1024)
	send := func(f frame) bool {
		select {
		case s.in <- f:
			return true
		case <-s.done:
			return false
		}
	}
	for {
		n, err := r.Read(buf)
		for _, c := range buf[:n] {
			if f, ok := d.Feed(c); ok {
				if !send(f) {
					return
				}
			}
		}
		if err != nil {
			send(frame{kind: frameEOF, err: err})
			return
		}
	}
}

// errQuit ends the main loop normally.
var errQuit = errors.New("session over")

// loop is the main loop while the tracee is stopped.
func (s *Session) loop() error {
	for {
		var f frame
		select {
		case r := <-s.ns.evCh: // nil unless non-stop: never ready
			if err := s.engineStopped(r, true); err != nil {
				return err
			}
			continue
		case in, open := <-s.in:
			if !open {
				return nil
			}
			f = in
		}
		switch f.kind {
		case frameEOF:
			s.log.Info("debugger disconnected")
			s.pauseEngine() // non-stop: the process must be stopped to end it
			s.disconnected()
			return nil
		case frameAck, frameInterrupt:
			// Interrupts while stopped race with a stop reply; ignore.
		case frameNack:
			if s.lastSent != nil && !s.noAck {
				if err := s.writeRaw(s.lastSent); err != nil {
					return err
				}
			}
		case frameBad:
			s.log.WithError(f.err).Warn("bad packet from debugger")
			if f.badSum && s.noAck {
				// No way to ask for a resend: take it as it is.
				if err := s.process(f.payload); err != nil {
					return done(err)
				}
				continue
			}
			if !s.noAck {
				if err := s.writeRaw([]byte{'-'}); err != nil {
					return err
				}
			} else if err := s.send(errReply.reply); err != nil {
				// No resend is possible without acks: answer it.
				return err
			}
		case framePacket:
			if err := s.process(f.payload); err != nil {
				return done(err)
			}
		}
	}
}

func done(err error) error {
	if errors.Is(err, errQuit) {
		return nil
	}
	return err
}

// process acknowledges and handles one packet, sending its reply.
func (s *Session) process(payload []byte) error {
	if s.cfg.RemoteDebug {
		s.log.WithField("packet", string(payload)).Info("<- recv")
	}
	if !s.noAck {
		if err := s.writeRaw([]byte{'+'}); err != nil {
			return err
		}
	}
	s.packets++
	r := s.handleNonStop(payload)
	if r.resume != nil {
		reply, err := s.run(*r.resume)
		if err != nil {
			return err
		}
		r.reply = reply
	}
	for _, text := range r.output {
		if err := s.send(consoleOutput(text)); err != nil {
			return err
		}
	}
	if !r.noReply {
		if err := s.send(r.reply); err != nil {
			return err
		}
	}
	if r.nonStop {
		if err := s.afterNonStopVCont(r.nonStopStep); err != nil {
			return err
		}
	}
	switch r.after {
	case afterKill:
		s.outcome = OutcomeKilled
		s.killTracee()
		return errQuit
	case afterKillKeep:
		s.killInExtended()
	case afterDetach:
		s.outcome = OutcomeDetached
		s.detach()
		return errQuit
	}
	return nil
}

// send frames and writes a reply (already escaped where binary).
func (s *Session) send(payload []byte) error {
	if s.cfg.RemoteDebug {
		s.log.WithField("packet", string(payload)).Info("-> send")
	}
	if s.cfg.RLE {
		payload = encodeRLE(payload)
	}
	pkt := encodePacket(payload)
	s.lastSent = pkt
	return s.writeRaw(pkt)
}

func (s *Session) writeRaw(b []byte) error {
	if _, err := s.conn.Write(b); err != nil {
		return fmt.Errorf("write to debugger: %w", err)
	}
	return nil
}

// after says what the session does once a reply has been sent.
type after int

const (
	afterNothing after = iota
	afterKill
	afterDetach
)

// response is a handler's result: a reply, or a resume request whose stop
// becomes the reply.
type response struct {
	output  []string // console text sent as O packets before the reply
	reply   []byte
	noReply bool
	resume  *resumeReq
	after   after
	// nonStop: after the reply, run afterNonStopVCont(nonStopStep).
	nonStop     bool
	nonStopStep *resumeReq
}

func reply(s string) response      { return response{reply: []byte(s)} }
func replyBytes(b []byte) response { return response{reply: b} }

var (
	empty = response{reply: []byte{}}
	ok    = reply("OK")
	// errReply is the generic error for malformed or failing packets.
	errReply = reply("E01")
)

// handle dispatches one packet payload to its family's handler. It never
// panics on any input (FuzzHandlePacket) and never touches the connection.
func (s *Session) handle(pkt []byte) response {
	if len(pkt) == 0 {
		return empty
	}
	pkt, valid := s.takeThreadSuffix(pkt)
	if !valid {
		return errReply
	}
	p := string(pkt)
	switch pkt[0] {
	case '?':
		return replyBytes(s.haltReason())
	case 'g':
		return s.readAllRegs()
	case 'G':
		return s.writeAllRegs(p[1:])
	case 'p':
		return s.readReg(p[1:])
	case 'P':
		return s.writeReg(p[1:])
	case 'm':
		return s.readMem(p[1:])
	case 'M':
		return s.writeMemHex(p[1:])
	case 'X':
		return s.writeMemBinary(pkt[1:])
	case 'x':
		return s.readMemBinary(p[1:])
	case 'Z', 'z':
		return s.breakpoint(pkt[0] == 'Z', p[1:])
	case 'c', 's', 'C', 'S':
		return s.resumeLegacy(pkt[0], p[1:])
	case 'H':
		return s.setThread(p[1:])
	case 'T':
		return s.threadAlive(p[1:])
	case '!':
		if s.cfg.Launcher == nil {
			return empty
		}
		s.ext.enabled = true
		return ok
	case 'R':
		return s.restart()
	case 'k':
		if s.ext.enabled {
			return response{noReply: true, after: afterKillKeep}
		}
		// gdb reads no reply to k; lldb waits for one (lldb-server: X09).
		return response{reply: s.withProcess(fmt.Sprintf("X%02x", s.wireSignal(sigKILL))), after: afterKill}
	case 'D':
		return s.detachPacket(p[1:])
	case 'q', 'Q':
		return s.query(p)
	case 'v':
		return s.vPacket(p)
	case 'j':
		return s.jPacket(p)
	case '_':
		// lldb's memory allocation for expressions.
		if rest, found := strings.CutPrefix(p, "_M"); found {
			return s.allocate(rest)
		}
		if rest, found := strings.CutPrefix(p, "_m"); found {
			return s.deallocate(rest)
		}
	}
	return empty
}

// vPacket handles the "v" family.
func (s *Session) vPacket(p string) response {
	switch {
	case p == "vCont?":
		return reply("vCont;c;C;s;S;t;r")
	case strings.HasPrefix(p, "vCont;"):
		return s.vCont(p[len("vCont;"):])
	case strings.HasPrefix(p, "vFile:"):
		return s.hostIO(p[len("vFile:"):], p)
	case strings.HasPrefix(p, "vKill;"):
		pid, err := parseHex(p[len("vKill;"):])
		if err != nil {
			return errReply
		}
		if !s.samePid(pid) {
			return errReply
		}
		if s.ext.enabled {
			return response{reply: []byte("OK"), after: afterKillKeep}
		}
		return response{reply: []byte("OK"), after: afterKill}
	case strings.HasPrefix(p, "vRun;"):
		return s.vRun(p[len("vRun;"):])
	}
	// vMustReplyEmpty and every other unknown v packet.
	return empty
}

// detachPacket handles "D" and "D;pid".
func (s *Session) detachPacket(arg string) response {
	if arg != "" {
		if arg[0] != ';' {
			return errReply
		}
		pid, err := parseHex(arg[1:])
		if err == nil && s.detachUntraced(int(pid)) {
			return ok // a vfork child, already on its own
		}
		if err != nil || !s.samePid(pid) {
			return errReply
		}
		if s.multiprocess && s.detachProcess(int(pid)) {
			return ok // other processes remain
		}
	}
	return response{reply: []byte("OK"), after: afterDetach}
}

// disconnected ends the session after the client went away: the process
// is killed, or with KeepOnDisconnect left stopped for the next client.
func (s *Session) disconnected() {
	s.outcome = OutcomeDisconnected
	if s.cfg.KeepOnDisconnect && !s.exited {
		// Leave the process stopped for the next debugger, without
		// this client's breakpoints.
		for bp := range s.breakpoints {
			s.clearBreakpoint(bp)
		}
		s.clearWatchpoints()
		s.kept = true
		return
	}
	s.killTracee()
}

// samePid checks a pid argument. Without multiprocess, gdb uses a made-up
// pid (42000), so any pid names the one process.
func (s *Session) samePid(pid uint64) bool {
	return !s.multiprocess || s.knownProcess(int(pid))
}

// killTracee kills the process (if alive), waits for it to be gone and
// ends the trace session.
func (s *Session) killTracee() {
	s.endOthers(true)
	if !s.exited {
		if err := s.t.Kill(sigKILL); err != nil {
			s.log.WithError(err).Debug("kill")
		}
		s.drain(ptrace.StopExit)
	}
	s.closeTracer()
}

func (s *Session) closeTracer() {
	if s.tracerClosed {
		return
	}
	s.tracerClosed = true
	if err := s.t.Close(); err != nil {
		s.log.WithError(err).Debug("close trace session")
	}
}

// detach lets the process run to completion untraced, then ends the trace
// session. Like Redox's write(0) on a blocking trace handle, Next with no
// stop armed runs the tracee until it exits.
func (s *Session) detach() {
	s.endOthers(false)
	for bp := range s.breakpoints {
		s.clearBreakpoint(bp)
	}
	s.clearWatchpoints()
	if !s.exited && s.pendingSig != 0 && !s.programSignals[s.pendingSig] {
		// Drop the signal the program is stopped at unless the client
		// listed it in QProgramSignals, as gdbserver does (without a
		// list, it is dropped too). As in Redox, FlagIgnore only
		// counts in a write that also arms a stop, so discard it with a
		// single step, then let the program run free.
		if _, err := s.t.Next(ptrace.FlagIgnore | ptrace.StopSingleStep); err != nil {
			s.exited = true
		}
	}
	if !s.exited {
		s.drain(0)
	}
	s.closeTracer()
}

// drain resumes the tracee with flags until it reports its exit or fails,
// bounded by KillTimeout.
func (s *Session) drain(flags ptrace.Flags) {
	res := make(chan struct{})
	go func() {
		defer close(res)
		for i := 0; i < 16; i++ {
			ev, err := s.t.Next(flags)
			if err != nil || ev.Cause&ptrace.StopExit != 0 {
				return
			}
			// SIGKILL is not stoppable; anything else is a stop to
			// run through.
			flags |= ptrace.FlagIgnore
		}
	}()
	if flags&ptrace.StopMask == 0 {
		// Detached: the program may legitimately run for long.
		<-res
		s.exited = true
		return
	}
	select {
	case <-res:
		s.exited = true
	case <-time.After(s.cfg.KillTimeout):
		s.log.Warn("tracee did not exit after SIGKILL")
	}
}

// Exited reports whether the process has exited (or was killed) as far as
// this session knows: an exit stop was reported or the session killed it.
func (s *Session) Exited() bool { return s.exited }
