package rsp

import (
	"strings"
)

// General queries (q/Q packets) and qSupported.

// feature is one qSupported entry the stub may offer.
type feature struct {
	name string
	// offered reports whether the tracer supports it; nil = always.
	offered func(s *Session) bool
}

func hasBreakpoints(s *Session) bool { _, ok := s.t.(Breakpointer); return ok }
func hasExecFile(s *Session) bool    { _, ok := s.t.(ExecFiler); return ok }
func hasAuxv(s *Session) bool        { _, ok := s.t.(AuxvReader); return ok }

// features is generated into the qSupported reply.
var features = []feature{
	{"PacketSize=" + hexString(PacketSize), nil},
	{"QStartNoAckMode+", nil},
	{"qXfer:features:read+", nil},
	{"qXfer:threads:read+", nil},
	{"qXfer:exec-file:read+", hasExecFile},
	{"qXfer:auxv:read+", hasAuxv},
	{"qXfer:siginfo:read+", hasStopInfo},
	{"qXfer:siginfo:write+", hasStopInfo},
	{"swbreak+", hasBreakpoints},
	{"hwbreak+", hasBreakpoints},
	{"ConditionalBreakpoints+", hasBreakpoints},
	{"BreakpointCommands+", hasBreakpoints},
	{"QCatchSyscalls+", hasStopInfo},
	{"QPassSignals+", nil},
	{"QProgramSignals+", nil},
	{"vContSupported+", nil},
	{"multiprocess+", nil},
	{"fork-events+", canFollow},
	{"vfork-events+", canFollow},
	{"exec-events+", canFollow},
	{"QNonStop+", canNonStop},
	{"QThreadEvents+", canFollow},
	// lldb's extensions, offered when qSupported came from lldb.
	{"native-signals+", fromLLDB},
	{"QThreadSuffixSupported+", fromLLDB},
	{"QListThreadsInStopReply+", fromLLDB},
	{"qXfer:libraries-svr4:read+", func(s *Session) bool { return fromLLDB(s) && hasExecFile(s) }},
}

func fromLLDB(s *Session) bool { return s.lldb.supported }

// supported answers "qSupported[:feat;...]" and records the client's
// features that change how the stub talks.
func (s *Session) supported(arg string) response {
	s.multiprocess, s.swbreak, s.hwbreak = false, false, false
	s.forks.fork, s.forks.vfork, s.forks.exec = false, false, false
	s.lldb.supported = false
	for _, f := range strings.Split(arg, ";") {
		if lldbSupportedFeature(f) {
			s.lldb.supported = true
		}
		switch f {
		case "hwbreak+":
			s.hwbreak = true
		case "multiprocess+":
			s.multiprocess = true
		case "swbreak+":
			s.swbreak = true
		case "fork-events+":
			s.forks.fork = true
		case "vfork-events+":
			s.forks.vfork = true
		case "exec-events+":
			s.forks.exec = true
		}
	}
	var out []string
	for _, f := range append(features[:len(features):len(features)], extendedFeatures...) {
		if f.offered == nil || f.offered(s) {
			out = append(out, f.name)
		}
	}
	return reply(strings.Join(out, ";"))
}

// query dispatches q and Q packets.
func (s *Session) query(p string) response {
	name, arg, _ := strings.Cut(p, ":")
	if r, handled := s.extendedQuery(name, arg); handled {
		return r
	}
	if r, handled := s.lldbQuery(p, name, arg); handled {
		return r
	}
	switch name {
	case "qSupported":
		return s.supported(arg)
	case "QStartNoAckMode":
		// The reply is still acknowledged by the client ('+' tolerated).
		r := ok
		s.noAck = true
		return r
	case "qXfer":
		return s.qXfer(arg)
	case "qAttached":
		if s.exited {
			return errReply
		}
		return reply("0") // the stub created the process
	case "qSymbol":
		return ok // no symbols needed
	case "qRcmd":
		return empty
	case "qTStatus":
		return empty
	case "qOffsets":
		return s.qOffsets()
	case "qCRC":
		return s.qCRC(arg)
	case "QCatchSyscalls":
		return s.catchSyscallsPacket(arg)
	case "QNonStop":
		return s.nonStopPacket(arg)
	case "QThreadEvents":
		return s.threadEventsPacket(arg)
	case "QPassSignals":
		return s.passSignalsPacket(arg)
	case "QProgramSignals":
		return s.programSignalsPacket(arg)
	}
	if rest, found := strings.CutPrefix(p, "qSearch:memory:"); found {
		return s.qSearchMemory(rest)
	}
	if strings.HasPrefix(p, "qRcmd,") {
		return s.monitor(p[len("qRcmd,"):])
	}
	switch p {
	case "qC":
		if s.exited {
			return errReply
		}
		return reply("QC" + s.formatThreadID(s.stopTid))
	case "qfThreadInfo":
		return s.threadList()
	case "qsThreadInfo":
		return reply("l")
	}
	return empty
}
