package rsp

import (
	"fmt"
	"strings"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// Resume packets (c, s, C, S, vCont) and stop replies.

// stopCause classifies a stop for siginfo.
type stopCause int

const (
	causeBreakpoint stopCause = iota
	causeStep
	causeSignal
	causeSyscall
)

// resumeReq is a decoded resume: step or continue, and the signal (GDB
// numbering, 0 = none) the client asked to deliver.
type resumeReq struct {
	step   bool
	gdbSig int
	// Range stepping (vCont;r): keep stepping while start <= PC < end.
	ranged     bool
	start, end uint64
	// tid is the thread the action is for (0: the thread of the last
	// stop): the one that steps, and runs first. With only, the other
	// threads stay stopped (gdb's scheduler-locking).
	tid  int
	only bool
}

// resumeLegacy handles "c [addr]", "s [addr]", "C sig[;addr]", "S sig[;addr]".
func (s *Session) resumeLegacy(op byte, arg string) response {
	req := resumeReq{step: op == 's' || op == 'S', tid: s.cTid}
	addrPart := arg
	if op == 'C' || op == 'S' {
		sig, rest, _ := cut(arg, ';')
		v, err := parseHex(sig)
		if err != nil || v > 0xff {
			return errReply
		}
		req.gdbSig = int(v)
		addrPart = rest
	}
	if addrPart != "" {
		addr, err := parseHex(addrPart)
		if err != nil {
			return errReply
		}
		if r := s.setPC(addr); r != nil {
			return *r
		}
	}
	return response{resume: &req}
}

// setPC moves the stopped thread to addr (the optional resume address).
func (s *Session) setPC(addr uint64) *response {
	regs, err := s.t.IntRegs(s.stopTid)
	if err != nil {
		return &errReply
	}
	regs.RIP = addr
	if err := s.t.SetIntRegs(s.stopTid, regs); err != nil {
		return &errReply
	}
	return nil
}

// vCont handles "vCont;action[:tid];...". For each thread the leftmost
// action naming it (or naming all threads) applies. In all-stop mode one
// resume has at most one thread with an action of its own (gdb steps or
// continues that thread) and a default action for the others, or none:
//
//	vCont;c                 every thread continues
//	vCont;s:T;c, vCont;r..:T;c   T steps (the others may run: here they do
//	                        not during the step, a schedule Linux allows)
//	vCont;s:T, vCont;c:T    only T moves (scheduler-locking on/step)
//
// Actions for several single threads without a default resume them all.
func (s *Session) vCont(args string) response {
	s.vContProcess(args)
	items, valid := parseVCont(args)
	if !valid {
		return errReply
	}
	var def, own *resumeReq
	owners := 0
	for _, it := range items {
		req, id := it.req, it.id
		if it.stop {
			continue // stop request: all threads are already stopped
		}
		if !it.hasTid {
			if def == nil {
				r := req
				def = &r
			}
			continue
		}
		if !s.threadMatches(id) {
			continue // another process, or a thread that is gone
		}
		if id.tid <= 0 { // all threads (of this process)
			if def == nil {
				r := req
				def = &r
			}
			continue
		}
		owners++
		if own == nil || req.step && !own.step {
			r := req
			r.tid = int(id.tid)
			own = &r
		}
	}
	switch {
	case own != nil && def != nil && !own.step && !def.step && own.gdbSig == 0:
		// c:T;c is every thread continuing, with the default's signal.
		return response{resume: def}
	case own != nil:
		own.only = def == nil && owners == 1
		return response{resume: own}
	case def != nil:
		return response{resume: def}
	}
	return errReply
}

// vContItem is one "action[:thread-id]" of a vCont packet.
type vContItem struct {
	req    resumeReq
	stop   bool // t
	hasTid bool
	id     threadID
}

// parseVCont splits and decodes vCont's actions; false if any is
// malformed.
func parseVCont(args string) ([]vContItem, bool) {
	var items []vContItem
	for _, item := range strings.Split(args, ";") {
		act, tidPart, hasTid := cut(item, ':')
		if act == "" {
			return nil, false
		}
		req, stop, valid := parseVContAction(act)
		if !valid {
			return nil, false
		}
		it := vContItem{req: req, stop: stop, hasTid: hasTid}
		if hasTid {
			id, err := parseThreadID(tidPart)
			if err != nil {
				return nil, false
			}
			it.id = id
		}
		items = append(items, it)
	}
	return items, true
}

// parseVContAction decodes one vCont action (without its thread id):
// c, s, Cxx, Sxx, r start,end, or t (stop).
func parseVContAction(act string) (req resumeReq, stop, valid bool) {
	switch act[0] {
	case 'c', 's':
		return resumeReq{step: act[0] == 's'}, false, len(act) == 1
	case 'C', 'S':
		v, err := parseHex(act[1:])
		if err != nil || v > 0xff {
			return resumeReq{}, false, false
		}
		return resumeReq{step: act[0] == 'S', gdbSig: int(v)}, false, true
	case 'r':
		start, end, err := parseAddrLen(act[1:])
		if err != nil {
			return resumeReq{}, false, false
		}
		return resumeReq{step: true, ranged: start < end, start: start, end: end}, false, true
	case 't':
		return resumeReq{}, true, len(act) == 1
	}
	return resumeReq{}, false, false // not advertised
}

// vContProcess makes the process the actions name current when none
// names the current one (gdb resumes one inferior at a time: after
// "inferior 2", "vCont;c:pCHILD.-1").
func (s *Session) vContProcess(args string) {
	if len(s.forks.others) == 0 {
		return
	}
	other := 0
	for _, item := range strings.Split(args, ";") {
		_, tidPart, hasTid := cut(item, ':')
		if !hasTid {
			return // a default action: for the current process too
		}
		id, err := parseThreadID(tidPart)
		if err != nil || id.pid <= 0 || id.pid == int64(s.t.Pid()) {
			return
		}
		other = int(id.pid)
	}
	if other != 0 {
		s.switchProcess(other)
	}
}

// run resumes the tracee and waits for its stop while watching the client
// for Ctrl-C and disconnects. It returns the stop reply.
func (s *Session) run(req resumeReq) ([]byte, error) {
	if s.exited {
		return s.haltReason(), nil
	}
	if s.lldb.initialStop && req.gdbSig == s.wireSignal(sigSTOP) {
		// Passing back the SIGSTOP of the initial stop, which no signal
		// caused, is a plain resume.
		req.gdbSig = 0
	}
	s.lldb.initialStop = false
	if s.forks.vforkDone != 0 {
		return s.vforkDoneReply(), nil
	}
	flags := s.resumeFlags(req)
	s.setSyscallFilter(flags)
	s.skippedSyscall = s.sys.entry && s.sys.skip
	s.prepareSyscallResume()
	log := s.log.WithField("flags", flags)
	log.Debug("resume")

	type result struct {
		ev  ptrace.Event
		err error
	}
	res := make(chan result, 1)
	// A signal other than the one the process stopped with is injected:
	// queued with Kill, it stops the process again at once (STOP_SIGNAL),
	// and that stop is resumed without FlagIgnore to deliver it.
	inject := s.injectedSignal(req)
	if inject != 0 {
		if err := s.t.Kill(inject); err != nil {
			log.WithError(err).Warn("inject signal")
			inject = 0
		}
	}
	tid := s.stopTid
	if req.tid > 0 && s.threadExists(req.tid) {
		tid = req.tid
	}
	s.controlThreads(req, tid)
	// The filters read session state that only packets change, and no
	// packet is handled until this resume is over.
	f := s.stopFilter(req, tid)
	go func() {
		ev, err := s.t.Next(flags)
		if inject != 0 && err == nil && ev.Cause&ptrace.StopSignal != 0 && int(ev.A) == inject {
			ev, err = s.t.Next(flags &^ ptrace.FlagIgnore)
		}
		ev, err = f.resumeSilent(s.t, flags, ev, err)
		res <- result{ev, err}
	}()
	interrupted := false
	for {
		select {
		case r := <-res:
			s.silentStops += f.count
			return s.stopReply(r.ev, r.err), nil
		case f := <-s.in:
			switch f.kind {
			case frameInterrupt:
				if !interrupted {
					log.Info("interrupt from debugger")
					interrupted = true
					if err := s.t.Kill(s.interruptSignal()); err != nil {
						log.WithError(err).Warn("interrupt")
					}
				}
			case frameEOF:
				log.Info("debugger disconnected while the program was running")
				if err := s.t.Kill(sigKILL); err != nil {
					log.WithError(err).Debug("kill")
				}
				select {
				case r := <-res:
					s.stopReply(r.ev, r.err)
				case <-time.After(s.cfg.KillTimeout):
					log.Warn("tracee did not stop after SIGKILL")
					s.exited = true
				}
				s.outcome = OutcomeDisconnected
				s.killTracee()
				return nil, errQuit
			case framePacket:
				if s.ns.on && string(f.payload) == "vCtrlC" {
					// Non-stop: a step that does not end (a range over
					// a tight loop) is interrupted like all-stop's 0x03.
					if !s.noAck {
						if err := s.writeRaw([]byte{'+'}); err != nil {
							return nil, err
						}
					}
					if err := s.send([]byte("OK")); err != nil {
						return nil, err
					}
					if !interrupted {
						interrupted = true
						if err := s.t.Kill(sigINT); err != nil {
							log.WithError(err).Warn("interrupt")
						}
					}
					continue
				}
				// All-stop: nothing but 0x03 is expected while running.
				log.WithField("packet", string(f.payload)).Warn("packet ignored while running")
				if !s.noAck {
					if err := s.writeRaw([]byte{'+'}); err != nil {
						return nil, err
					}
				}
			}
		}
	}
}

// controlThreads tells the tracer which thread the resume is for: it runs
// first (and is the one that steps), and with req.only it is the only one
// that runs.
func (s *Session) controlThreads(req resumeReq, tid int) {
	tc, ok := capability[ThreadController](s.t)
	if !ok {
		return
	}
	if tid != s.stopTid {
		if err := tc.Focus(tid); err != nil {
			s.log.WithError(err).WithField("tid", tid).Warn("focus thread")
		}
	}
	lock := 0
	if req.only {
		lock = tid
	}
	if err := tc.LockScheduler(lock); err != nil {
		s.log.WithError(err).WithField("tid", lock).Warn("scheduler lock")
	}
}

// stopReply turns a stop event (or a failed resume) into a stop reply and
// records the stop state.
func (s *Session) stopReply(ev ptrace.Event, err error) []byte {
	s.pendingSig = 0
	s.sys = syscallStop{}
	if err != nil {
		s.log.WithError(err).Warn("resume ended without a stop")
		s.markExited()
		return s.lastStop
	}
	switch {
	case ev.Cause&ptrace.StopExit != 0:
		s.exitReply(int(ev.A))
	case ev.Cause&(ptrace.StopPreSyscall|ptrace.StopPostSyscall) != 0:
		if !s.procEventReply(ev) {
			s.syscallStopReply(ev)
		}
	case ev.Cause&ptrace.StopBreakpoint != 0:
		s.stopTid = s.recordStop(causeBreakpoint, 0)
		if s.lastStop = s.watchReply(s.stopTid); s.lastStop == nil {
			s.lastStop = s.tReply(5, s.stopTid, true)
		}
	case ev.Cause&ptrace.StopSignal != 0:
		s.pendingSig = int(ev.A)
		s.stopTid = s.recordStop(causeSignal, 0)
		s.lastStop = s.tReply(s.wireSignal(int(ev.A)), s.stopTid, false)
	default: // single step and anything else: a trap
		tid := s.mainTid()
		if si, has := s.t.(StopInfoer); has {
			if info, ok := si.LastStop(); ok && info.Tid > 0 {
				tid = info.Tid // the thread that stepped
			}
		}
		var rip uint64
		if regs, err := s.t.IntRegs(tid); err == nil {
			rip = regs.RIP
		}
		s.stopTid = s.recordStop(causeStep, rip)
		if s.lastStop = s.watchReply(s.stopTid); s.lastStop == nil {
			s.lastStop = s.tReply(5, s.stopTid, false)
		}
	}
	return s.lastStop
}

// markExited records an exit learnt from ExitStatus (or a vanished tracee).
func (s *Session) markExited() {
	if status, ok := s.t.ExitStatus(); ok {
		s.exitReply(status)
		return
	}
	s.exited = true
	s.lastStop = s.withProcess(fmt.Sprintf("X%02x", s.wireSignal(sigKILL)))
}

// exitReply builds W/X from a wait status.
func (s *Session) exitReply(status int) {
	s.exited = true
	if sig := status & 0x7f; sig != 0 {
		s.lastStop = s.withProcess(fmt.Sprintf("X%02x", s.wireSignal(sig)))
		return
	}
	s.lastStop = s.withProcess(fmt.Sprintf("W%02x", (status>>8)&0xff))
}

func (s *Session) withProcess(r string) []byte {
	if s.multiprocess {
		r += ";process:" + hexString(uint64(s.t.Pid()))
	}
	return []byte(r)
}

// tReply builds "T<sig>[swbreak:;]06:<rbp>;07:<rsp>;10:<rip>;thread:<id>;core:0;".
// swbreak is added only when the client negotiated it and the PC is at one
// of the client's breakpoints (a guest int3 is a plain SIGTRAP).
func (s *Session) tReply(gdbSig, tid int, bp bool) []byte {
	out := fmt.Appendf(nil, "T%02x", gdbSig&0xff)
	regs, err := s.t.IntRegs(tid)
	if bp && err == nil {
		// A Z1 breakpoint reports hwbreak, a Z0 one swbreak, each only
		// when negotiated; a guest int3 is a plain SIGTRAP.
		switch k := s.breakpoints[regs.RIP]; {
		case k&bpHardware != 0 && s.hwbreak:
			out = append(out, "hwbreak:;"...)
		case k&bpSoftware != 0 && s.swbreak:
			out = append(out, "swbreak:;"...)
		}
	}
	if err == nil {
		out = appendExpedited(out, regs)
	}
	out = append(out, "thread:"...)
	out = append(out, s.formatThreadID(tid)...)
	out = append(out, ";core:0;"...)
	return s.appendLLDBKeys(out, tid, gdbSig, bp && err == nil && s.breakpoints[regs.RIP] != 0)
}

// appendExpedited adds the registers a stop reply carries so that the
// client need not read them: rbp (06), rsp (07) and rip (10).
func appendExpedited(out []byte, regs ptrace.IntRegisters) []byte {
	out = append(out, "06:"...)
	out = appendHexLE64(out, regs.RBP)
	out = append(out, ";07:"...)
	out = appendHexLE64(out, regs.RSP)
	out = append(out, ";10:"...)
	out = appendHexLE64(out, regs.RIP)
	return append(out, ';')
}

// haltReason answers "?": the last stop. The initial stop is a SIGTRAP at
// the entry point, as gdbserver reports it; to lldb it is a SIGSTOP, as
// lldb-server reports a process it launched or attached to: lldb takes a
// SIGTRAP at the entry point for its own entry breakpoint and resumes.
func (s *Session) haltReason() []byte {
	if s.lastStop == nil {
		sig := 5
		if s.lldb.client {
			sig = s.wireSignal(sigSTOP)
			s.lldb.initialStop = true
		}
		s.lastStop = s.tReply(sig, s.stopTid, false)
	}
	return s.lastStop
}

// resumeFlags computes the ptrace operation for a resume request.
func (s *Session) resumeFlags(req resumeReq) ptrace.Flags {
	flags := ptrace.StopBreakpoint | ptrace.StopSignal | ptrace.StopExit
	if req.step {
		flags |= ptrace.StopSingleStep
	} else if s.catchSyscalls {
		// Stepping reports no syscall stops (PTRACE_SINGLESTEP on Linux).
		flags |= ptrace.StopPreSyscall | ptrace.StopPostSyscall
	}
	flags = s.followFlags(flags)
	if s.sys.entry && s.sys.skip {
		// $orig_rax = -1 at a syscall-entry stop: sysemu, skip the call.
		flags |= ptrace.FlagIgnore
	}
	if s.pendingSig != 0 {
		// Resuming from a signal stop: deliver the signal only if the
		// client passes it back; "c" after a SIGINT/SIGSEGV discards it
		// (a different signal in C/S is injected, see run).
		if s.linuxSignal(req.gdbSig) != s.pendingSig {
			flags |= ptrace.FlagIgnore
		}
	}
	return flags
}

// injectedSignal is the Linux signal a C/S resume asks to inject: one the
// process is not already stopped with. 0 if none (or no Linux equivalent).
func (s *Session) injectedSignal(req resumeReq) int {
	if req.gdbSig == 0 {
		return 0
	}
	sig := s.linuxSignal(req.gdbSig)
	if sig == s.pendingSig {
		return 0
	}
	return sig
}
