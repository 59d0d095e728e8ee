package rsp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// Extended remote (gdb's "target extended-remote", gdbserver --multi): the
// session outlives the processes it debugs. "vRun" and "R" start a new
// process through the Launcher the command passes in; "k" and "vKill" kill
// it and leave the session up, waiting for the next "run". The launch
// settings (environment, working directory) are kept between runs, as
// gdbserver does.

// LaunchRequest describes a program to start for vRun or R.
type LaunchRequest struct {
	// Path is the program's host path; "" means the default program (the
	// one named on the stub's command line, or the last one run).
	Path string
	// Args are argv[1:].
	Args []string
	// Env is the complete environment (NAME=value).
	Env []string
	// Dir is the working directory; "" means the stub's.
	Dir string
}

// Launcher creates a process stopped at its entry point under a new trace
// session. It is how rsp starts programs without knowing how they are
// loaded.
type Launcher func(req LaunchRequest) (Tracer, error)

// extState is the extended-remote state of a session.
type extState struct {
	enabled bool     // "!" was received
	env     []string // the environment of the next run
	dir     string   // QSetWorkingDir; "" = the stub's
	path    string   // the last program run
	args    []string // its arguments
	// withShell is QStartupWithShell:1. Programs are started directly
	// anyway: the emulator has no shell to run them through.
	withShell bool
}

// hasLauncher gates the extended-remote launch features in qSupported.
func hasLauncher(s *Session) bool { return s.cfg.Launcher != nil }

// extendedFeatures are offered with a launcher.
var extendedFeatures = []feature{
	{"QStartupWithShell+", hasLauncher},
	{"QEnvironmentHexEncoded+", hasLauncher},
	{"QEnvironmentReset+", hasLauncher},
	{"QEnvironmentUnset+", hasLauncher},
	{"QSetWorkingDir+", hasLauncher},
	{"QDisableRandomization+", hasLauncher},
}

// NewIdleSession creates a session with no process yet (gdbserver --multi
// without a program): the client starts one with vRun. cfg.Launcher must
// be set.
func NewIdleSession(cfg Config) *Session {
	s := NewSession(noProcess{}, cfg)
	s.exited = true
	s.tracerClosed = true
	s.lastStop = []byte("W00")
	return s
}

// initExtended sets the environment of the first run.
func (s *Session) initExtended() {
	s.ext.env = append([]string(nil), s.cfg.Env...)
}

// extendedQuery answers the launch-setting packets; handled is false for
// any other packet.
func (s *Session) extendedQuery(name, arg string) (response, bool) {
	if s.cfg.Launcher == nil {
		return empty, false
	}
	switch name {
	case "QEnvironmentHexEncoded":
		b, err := decodeHexBytes(arg)
		if err != nil || !strings.Contains(string(b), "=") {
			return errReply, true
		}
		kv := string(b)
		k, _, _ := strings.Cut(kv, "=")
		s.ext.env = append(unsetEnv(s.ext.env, k), kv)
		return ok, true
	case "QEnvironmentUnset":
		b, err := decodeHexBytes(arg)
		if err != nil {
			return errReply, true
		}
		s.ext.env = unsetEnv(s.ext.env, string(b))
		return ok, true
	case "QEnvironmentReset":
		s.ext.env = append([]string(nil), s.cfg.Env...)
		return ok, true
	case "QSetWorkingDir":
		b, err := decodeHexBytes(arg)
		if err != nil {
			return errReply, true
		}
		s.ext.dir = string(b)
		return ok, true
	case "QStartupWithShell":
		switch arg {
		case "0", "1":
			s.ext.withShell = arg == "1"
			return ok, true
		}
		return errReply, true
	case "QDisableRandomization":
		// The emulator lays out memory the same way on every run.
		if arg == "0" || arg == "1" {
			return ok, true
		}
		return errReply, true
	}
	return empty, false
}

// unsetEnv returns env without NAME.
func unsetEnv(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != name {
			out = append(out, kv)
		}
	}
	return out
}

// parseVRun decodes "hexfile[;hexarg]...".
func parseVRun(arg string) (path string, args []string, err error) {
	parts := strings.Split(arg, ";")
	for i, p := range parts {
		b, derr := decodeHexBytes(p)
		if derr != nil {
			return "", nil, fmt.Errorf("vRun argument %d: %w", i, derr)
		}
		if i == 0 {
			path = string(b)
		} else {
			args = append(args, string(b))
		}
	}
	return path, args, nil
}

// vRun handles "vRun;hexfile[;hexarg]...": the reply is the new process's
// initial stop.
func (s *Session) vRun(arg string) response {
	if s.cfg.Launcher == nil {
		return empty
	}
	path, args, err := parseVRun(arg)
	if err != nil {
		s.log.WithError(err).Warn("vRun")
		return errReply
	}
	if path == "" {
		path = s.ext.path // gdb without "set remote exec-file": reuse
	}
	if err := s.launch(path, args); err != nil {
		s.log.WithError(err).Warn("vRun")
		return reply("E02")
	}
	return replyBytes(s.haltReason())
}

// restart handles "R XX": the last program runs again, without a reply.
func (s *Session) restart() response {
	if s.cfg.Launcher == nil {
		return empty
	}
	if err := s.launch(s.ext.path, s.ext.args); err != nil {
		s.log.WithError(err).Warn("restart")
	}
	return response{noReply: true}
}

// launch kills the current process, if any, and starts a new one.
func (s *Session) launch(path string, args []string) error {
	s.endProcess()
	t, err := s.cfg.Launcher(LaunchRequest{Path: path, Args: args,
		Env: append([]string(nil), s.ext.env...), Dir: s.ext.dir})
	if err != nil {
		return fmt.Errorf("launch %q: %w", path, err)
	}
	s.ext.path, s.ext.args = path, args
	s.adopt(t)
	return nil
}

// endProcess kills the current process (if alive) and closes its trace
// session; the session stays up.
func (s *Session) endProcess() {
	if !s.tracerClosed {
		if w, on := s.t.(*straceTracer); on {
			// Kill quietly; adopt wraps the next process.
			s.t = w.straceable
			defer func() { s.t = w }()
		}
		s.killTracee()
	}
	s.exited = true
	s.lastStop = []byte("W00")
}

// adopt makes t the session's process and forgets the previous one's
// state (gdb inserts its breakpoints again before resuming).
func (s *Session) adopt(t Tracer) {
	if st, on := s.t.(*straceTracer); on {
		s.t = st.wrap(t)
	} else {
		s.t = t
	}
	s.log = s.baseLog.WithField("pid", t.Pid())
	s.exited, s.tracerClosed, s.kept = false, false, false
	s.breakpoints = make(map[uint64]bpKind)
	s.conds = make(map[uint64][][]byte)
	s.cmds = make(map[uint64][][]byte)
	s.pendingSig = 0
	s.siginfo = stopSiginfo{}
	s.siginfoWritten = nil
	s.sys = syscallStop{}
	s.skippedSyscall = false
	s.gTid = 0
	s.stopTid = s.mainTid()
	s.initialSP, s.argStart, s.argEnd = 0, 0, 0
	s.recordArgs()
	s.lastStop = nil
	s.lastStop = s.tReply(5, s.stopTid, false)
}

// killInExtended is k/vKill in extended mode: the process dies, the
// session stays.
func (s *Session) killInExtended() {
	s.endProcess()
}

// errNoProcess is what every operation of noProcess fails with.
var errNoProcess = errors.New("no process")

// noProcess is the tracer of a session without a process.
type noProcess struct{}

func (noProcess) Next(ptrace.Flags) (ptrace.Event, error) { return ptrace.Event{}, errNoProcess }
func (noProcess) Kill(int) error                          { return errNoProcess }
func (noProcess) Pid() int                                { return 0 }
func (noProcess) Threads() []int                          { return nil }
func (noProcess) ExitStatus() (int, bool)                 { return 0, true }
func (noProcess) IntRegs(int) (ptrace.IntRegisters, error) {
	return ptrace.IntRegisters{}, errNoProcess
}
func (noProcess) SetIntRegs(int, ptrace.IntRegisters) error { return errNoProcess }
func (noProcess) FloatRegs(int) (ptrace.FloatRegisters, error) {
	return ptrace.FloatRegisters{}, errNoProcess
}
func (noProcess) SetFloatRegs(int, ptrace.FloatRegisters) error { return errNoProcess }
func (noProcess) EnvRegs(int) (ptrace.EnvRegisters, error) {
	return ptrace.EnvRegisters{}, errNoProcess
}
func (noProcess) SetEnvRegs(int, ptrace.EnvRegisters) error { return errNoProcess }
func (noProcess) ReadMem(uint64, []byte) error              { return errNoProcess }
func (noProcess) WriteMem(uint64, []byte) error             { return errNoProcess }
func (noProcess) Close() error                              { return nil }

// afterKillKeep kills the process after the reply and keeps the session
// (extended remote).
const afterKillKeep after = 100
