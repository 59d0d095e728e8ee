package rsp

import (
	"strings"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// Non-stop mode (QNonStop:1, gdb's "set non-stop on").
//
// One thread stops while the others keep running. The process is still
// run by one ptrace session (one Next at a time): an engine goroutine sits
// in Next with the threads the client has stopped held back
// (Session.Hold), and every stop it reaches is reported as a
// "%Stop:T..." notification (the client then drains the queue with
// vStopped), the stopped thread is held, and the engine goes on with the
// others. A packet that needs the process (registers, memory,
// breakpoints, a resume) first pauses the engine with Session.Interrupt,
// which stops it at once with STOP_SIGNAL a=0, and restarts it after the
// packet. vCont in non-stop mode replies OK at once: c/C releases a
// thread, s/S/r steps one thread while the others wait (one step), t
// stops a running thread (T00 notification). vCtrlC stops one running
// thread with SIGINT's stop.
//
// Limits: a signal a held thread stopped with is dropped when the others
// are resumed (the process has one parked stop); a syscall a held thread
// stopped at (catch syscall) is completed by the next resume.

// nonStopState is the session's non-stop machinery.
type nonStopState struct {
	on      bool              // QNonStop:1 accepted
	running bool              // the engine goroutine is inside Next
	evCh    chan engineResult // the engine's stop (nil until non-stop is on)
	held    map[int]bool      // threads the client sees stopped
	queue   [][]byte          // stop replies to deliver; queue[0] is in flight
}

// engineResult is what the engine goroutine's Next returned.
type engineResult struct {
	ev     ptrace.Event
	err    error
	silent uint64 // stops resumed inside the engine
}

// holder is a Tracer that can hold threads and be interrupted
// (*ptrace.Session).
type holder interface {
	Hold(tid int, held bool) error
	Interrupt() error
}

func canNonStop(s *Session) bool { _, ok := capability[holder](s.t); return ok }

// nonStopPacket handles "QNonStop:0|1".
func (s *Session) nonStopPacket(arg string) response {
	if !canNonStop(s) {
		return empty
	}
	switch arg {
	case "1":
		if !s.ns.on {
			s.ns = nonStopState{on: true, evCh: make(chan engineResult, 1), held: map[int]bool{}}
			for _, t := range s.t.Threads() {
				s.holdThread(t, true) // everything is stopped now
			}
		}
		return ok
	case "0":
		if s.ns.on {
			s.pauseEngine()
			for t := range s.ns.held {
				s.holdThread(t, false)
			}
			s.ns = nonStopState{}
		}
		return ok
	}
	return errReply
}

func (s *Session) holdThread(tid int, held bool) {
	h, ok := capability[holder](s.t)
	if !ok {
		return
	}
	if err := h.Hold(tid, held); err != nil {
		s.log.WithError(err).WithField("tid", tid).Debug("hold")
		return
	}
	if held {
		s.ns.held[tid] = true
	} else {
		delete(s.ns.held, tid)
	}
}

// runningThreads lists the threads the engine may run.
func (s *Session) runningThreads() []int {
	var out []int
	for _, t := range s.t.Threads() {
		if !s.ns.held[t] {
			out = append(out, t)
		}
	}
	return out
}

// startEngine resumes the threads that are not held, in the background.
func (s *Session) startEngine() {
	if !s.ns.on || s.ns.running || s.exited || len(s.runningThreads()) == 0 {
		return
	}
	req := resumeReq{}
	flags := s.resumeFlags(req)
	// A held thread's signal cannot stay parked while the others run.
	flags |= ptrace.FlagIgnore
	s.pendingSig = 0
	s.setSyscallFilter(flags)
	s.prepareSyscallResume()
	s.sys = syscallStop{}
	if tc, ok := capability[ThreadController](s.t); ok {
		tc.LockScheduler(0)
	}
	f := s.stopFilter(req, s.stopTid)
	s.ns.running = true
	t, ch := s.t, s.ns.evCh
	go func() {
		// A pause (signal 0) is never silent: no client passes signal 0.
		ev, err := t.Next(flags)
		ev, err = f.resumeSilent(t, flags, ev, err)
		ch <- engineResult{ev, err, f.count}
	}()
}

// isPause reports whether ev is the stop an Interrupt makes.
func isPause(ev ptrace.Event) bool {
	return ev.Cause&ptrace.StopSignal != 0 && ev.A == 0
}

// pauseEngine stops the engine (if running) and handles what it returns.
func (s *Session) pauseEngine() {
	if !s.ns.running {
		return
	}
	if h, ok := capability[holder](s.t); ok {
		if err := h.Interrupt(); err != nil {
			s.log.WithError(err).Debug("interrupt")
		}
	}
	s.engineStopped(<-s.ns.evCh, false)
}

// engineStopped takes the engine's result: a real stop becomes a
// notification and its thread is held; with restart the engine goes on
// with the other threads.
func (s *Session) engineStopped(r engineResult, restart bool) error {
	s.ns.running = false
	s.silentStops += r.silent
	if r.err == nil && isPause(r.ev) {
		if restart {
			s.startEngine() // a pause nobody waits for any more
		}
		return nil
	}
	reply := s.stopReply(r.ev, r.err)
	if !s.exited {
		s.holdThread(s.stopTid, true)
	}
	if err := s.notify(reply); err != nil {
		return err
	}
	if restart {
		s.startEngine()
	}
	return nil
}

// notify queues a stop reply; the first one goes out as a %Stop
// notification, the others when the client asks with vStopped.
func (s *Session) notify(reply []byte) error {
	s.ns.queue = append(s.ns.queue, append([]byte(nil), reply...))
	if len(s.ns.queue) > 1 {
		return nil
	}
	return s.sendNotification(append([]byte("Stop:"), reply...))
}

// sendNotification writes "%payload#xx" (no acknowledgement is expected).
func (s *Session) sendNotification(payload []byte) error {
	if s.cfg.RemoteDebug {
		s.log.WithField("packet", string(payload)).Info("-> notify")
	}
	pkt := encodePacket(payload)
	pkt[0] = '%'
	return s.writeRaw(pkt)
}

// vStopped acknowledges the notification in flight and answers the next
// queued stop, or OK.
func (s *Session) vStopped() response {
	if len(s.ns.queue) > 0 {
		s.ns.queue = s.ns.queue[1:]
	}
	if len(s.ns.queue) == 0 {
		return ok
	}
	return replyBytes(s.ns.queue[0])
}

// nonStopHalt answers "?" in non-stop mode: the stop of every stopped
// thread, the first now and the others through vStopped.
func (s *Session) nonStopHalt() response {
	if s.exited {
		return replyBytes(s.haltReason())
	}
	s.ns.queue = nil
	for _, t := range s.t.Threads() {
		if !s.ns.held[t] {
			continue
		}
		if t == s.stopTid {
			s.ns.queue = append(s.ns.queue, s.haltReason())
		} else {
			s.ns.queue = append(s.ns.queue, s.tReply(0, t, false))
		}
	}
	if len(s.ns.queue) == 0 {
		return ok
	}
	return replyBytes(s.ns.queue[0])
}

// nonStopVCont handles vCont in non-stop mode: the actions apply per
// thread, the reply is OK and the stops come as notifications.
func (s *Session) nonStopVCont(args string) response {
	s.vContProcess(args)
	type action struct {
		req  resumeReq
		stop bool
	}
	items, valid := parseVCont(args)
	if !valid {
		return errReply
	}
	acts := map[int]action{}
	threads := s.t.Threads()
	for _, it := range items {
		a := action{req: it.req, stop: it.stop}
		targets := threads
		if it.hasTid {
			if it.id.pid > 0 && it.id.pid != int64(s.t.Pid()) {
				continue
			}
			if it.id.tid > 0 {
				targets = []int{int(it.id.tid)}
			}
		}
		for _, t := range targets {
			if _, done := acts[t]; !done && s.threadExists(t) {
				acts[t] = a
			}
		}
	}
	s.pauseEngine()
	var step *resumeReq
	for _, t := range threads {
		a, has := acts[t]
		switch {
		case !has:
		case a.stop:
			if !s.ns.held[t] {
				s.holdThread(t, true)
				s.notifyLater = append(s.notifyLater, s.tReply(0, t, false))
			}
		case a.req.step:
			r := a.req
			r.tid, r.only = t, true
			step = &r
		default:
			s.holdThread(t, false)
		}
	}
	return response{reply: []byte("OK"), nonStopStep: step}
}

// afterNonStopVCont runs after the OK of a non-stop vCont: the stepped
// thread's step (the others wait for it), the notifications of stopped
// threads, and the engine for the running ones.
func (s *Session) afterNonStopVCont(step *resumeReq) error {
	if step != nil {
		s.holdThread(step.tid, false)
		reply, err := s.run(*step)
		if err != nil {
			return err
		}
		if !s.exited {
			s.holdThread(s.stopTid, true)
		}
		if err := s.notify(reply); err != nil {
			return err
		}
	}
	for _, r := range s.notifyLater {
		if err := s.notify(r); err != nil {
			return err
		}
	}
	s.notifyLater = nil
	s.startEngine()
	return nil
}

// vCtrlC stops one running thread as SIGINT would (T02 notification).
func (s *Session) vCtrlC() response {
	if !s.ns.on {
		return empty
	}
	was := s.ns.running
	s.pauseEngine()
	if !was {
		return ok
	}
	run := s.runningThreads()
	if len(run) == 0 {
		return ok
	}
	t := run[0]
	s.holdThread(t, true)
	s.notifyLater = append(s.notifyLater, s.tReply(s.wireSignal(sigINT), t, false))
	return response{reply: []byte("OK"), nonStop: true}
}

// handleNonStop is handle, with the non-stop engine paused around every
// packet that needs the process.
func (s *Session) handleNonStop(pkt []byte) response {
	if !s.ns.on {
		return s.handle(pkt)
	}
	p := string(pkt)
	switch {
	case p == "vStopped":
		return s.vStopped()
	case p == "vCtrlC":
		return s.vCtrlC()
	case p == "?":
		s.pauseEngine()
		r := s.nonStopHalt()
		s.startEngine()
		return r
	case strings.HasPrefix(p, "vCont;"):
		r := s.nonStopVCont(p[len("vCont;"):])
		if r.reply != nil && string(r.reply) == "OK" {
			r.nonStop = true
		}
		return r
	}
	was := s.ns.running
	s.pauseEngine()
	r := s.handle(pkt)
	if r.resume != nil {
		// A legacy c/s in non-stop mode: as vCont for the selected thread.
		req := *r.resume
		r.resume = nil
		return s.legacyNonStop(req)
	}
	if was && r.after == 0 {
		s.startEngine()
	}
	return r
}

// legacyNonStop is c/s/C/S in non-stop mode: the Hc thread (or the one
// that stopped last) continues or steps; the reply is OK.
func (s *Session) legacyNonStop(req resumeReq) response {
	tid := req.tid
	if tid <= 0 {
		tid = s.stopTid
	}
	if req.step {
		req.tid, req.only = tid, true
		return response{reply: []byte("OK"), nonStop: true, nonStopStep: &req}
	}
	s.holdThread(tid, false)
	return response{reply: []byte("OK"), nonStop: true}
}
