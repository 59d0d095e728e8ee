package rsp

import (
	"strings"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// Breakpoint packets: Z0/z0 software and Z1/z1 hardware breakpoints, both
// through the tracer's address breakpoints (no code patching), with
// optional agent-expression conditions (ConditionalBreakpoints+) that the
// stub evaluates itself: a breakpoint whose conditions are all false is
// resumed without a stop reply. A breakpoint may also carry agent-expression
// commands (BreakpointCommands+; gdb sends them for dprintf under "set
// dprintf-style agent"): once its conditions hold, the stub runs them,
// sends their printf output as console (O) packets and resumes without a
// stop reply, as gdbserver does (printf.go). Other types get the empty
// reply.

// bpKind says how the client inserted a breakpoint.
type bpKind uint8

const (
	bpSoftware bpKind = 1 << iota // Z0
	bpHardware                    // Z1
)

// breakpoint handles "Z<type>,<addr>,<kind>[;X<len>,<expr>...][;cmds:...]"
// and "z<type>,<addr>,<kind>". Both are idempotent: inserting twice (gdb
// does so to change the conditions) or removing an absent breakpoint
// succeeds.
func (s *Session) breakpoint(insert bool, arg string) response {
	bp, isBP := s.t.(Breakpointer)
	typ, rest, found := cut(arg, ',')
	if !found {
		return errReply
	}
	var kind bpKind
	switch typ {
	case "0":
		kind = bpSoftware
	case "1":
		kind = bpHardware
	case "2", "3", "4":
		return s.watchpoint(insert, watchKinds[typ], rest) // watchpoints.go
	default:
		return empty
	}
	if !isBP {
		return empty
	}
	rest, extra, _ := strings.Cut(rest, ";")
	addrPart, kindPart, found := cut(rest, ',')
	if !found {
		return errReply
	}
	addr, err := parseHex(addrPart)
	if err != nil {
		return errReply
	}
	if _, err := parseHex(kindPart); err != nil {
		return errReply // kind (1 for int3) is otherwise ignored
	}
	if !insert {
		if s.breakpoints[addr]&kind == 0 {
			return ok
		}
		if s.breakpoints[addr] != kind {
			// The other kind stays inserted at the same address.
			s.breakpoints[addr] &^= kind
			return ok
		}
		if !s.clearBreakpoint(addr) {
			return errReply
		}
		return ok
	}
	var conds, cmds [][]byte
	for _, part := range strings.Split(extra, ";") {
		switch {
		case part == "":
		case part[0] == 'X':
			c, err := parseCondList(part)
			if err != nil {
				return errReply
			}
			conds = append(conds, c...)
		case strings.HasPrefix(part, "cmds:"):
			c, err := parseCmdList(part[len("cmds:"):])
			if err != nil {
				return errReply
			}
			cmds = c
		default:
			return errReply
		}
	}
	if s.breakpoints[addr] == 0 {
		if s.exited || bp.SetBreakpoint(addr) != nil {
			return errReply
		}
	}
	s.breakpoints[addr] |= kind
	// The latest insertion's conditions replace the previous ones (gdb
	// re-sends Z with the full list when a condition changes).
	if len(conds) > 0 {
		s.conds[addr] = conds
	} else {
		delete(s.conds, addr)
	}
	if len(cmds) > 0 {
		s.cmds[addr] = cmds
	} else {
		delete(s.cmds, addr)
	}
	return ok
}

// parseCmdList parses the commands of a Z packet after "cmds:":
// "<persist>,X<len>,<hex>..." (the items concatenated). Persist (keep the
// commands after gdb disconnects) is accepted and ignored: the stub ends
// the program when gdb goes away.
func parseCmdList(s string) ([][]byte, error) {
	persist, list, found := cut(s, ',')
	if !found || (persist != "0" && persist != "1") || list == "" {
		return nil, errMalformed
	}
	return parseCondList(list)
}

func (s *Session) clearBreakpoint(addr uint64) bool {
	bp, isBP := s.t.(Breakpointer)
	if !isBP {
		return false
	}
	if !s.exited && bp.ClearBreakpoint(addr) != nil {
		return false
	}
	delete(s.breakpoints, addr)
	delete(s.conds, addr)
	delete(s.cmds, addr)
	return true
}

// breakpointConditionHolds runs in the goroutine that waits for the
// tracee: for a breakpoint stop at an address with conditions, it reports
// whether any condition is true (an evaluation error counts as true, so
// the client sees the stop, as with gdbserver).
func (s *Session) breakpointConditionHolds(ev ptrace.Event) bool {
	tid := s.mainTid()
	if si, has := s.t.(StopInfoer); has {
		if info, ok := si.LastStop(); ok && info.Tid > 0 {
			tid = info.Tid
		}
	}
	regs, err := s.t.IntRegs(tid)
	if err != nil {
		return true
	}
	env := &tracerEnv{s: s, tid: tid}
	if conds := s.conds[regs.RIP]; len(conds) > 0 {
		s.condEvals++
		holds := false
		for _, c := range conds {
			v, err := evalAgentExpr(c, env)
			if err != nil {
				s.log.WithError(err).Debug("breakpoint condition")
				holds = true
				break
			}
			if v != 0 {
				holds = true
				break
			}
		}
		if !holds {
			return false
		}
	}
	cmds := s.cmds[regs.RIP]
	if len(cmds) == 0 {
		return true
	}
	// Breakpoint commands (dprintf): run them, print their output on the
	// console and go on without stopping, as gdbserver does.
	s.runBreakpointCommands(cmds, env)
	return false
}

// runBreakpointCommands evaluates the commands of a breakpoint that was
// hit and sends what they print to the client as console output.
func (s *Session) runBreakpointCommands(cmds [][]byte, env *tracerEnv) {
	var out []byte
	for _, c := range cmds {
		if _, err := evalAgentExprOut(c, env, &out); err != nil {
			s.log.WithError(err).Warn("breakpoint command")
		}
	}
	if len(out) > 0 {
		s.consoleAsync(string(out))
	}
}
