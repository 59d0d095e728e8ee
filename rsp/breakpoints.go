package rsp

import (
	"strings"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// Breakpoint packets: Z0/z0 software and Z1/z1 hardware breakpoints, both
// through the tracer's address breakpoints (no code patching), with
// optional agent-expression conditions (ConditionalBreakpoints+) that the
// stub evaluates itself: a breakpoint whose conditions are all false is
// resumed without a stop reply. Other types get the empty reply.

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
	var conds [][]byte
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
			// BreakpointCommands is not offered: ignore.
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
	return ok
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
	conds := s.conds[regs.RIP]
	if len(conds) == 0 {
		return true
	}
	s.condEvals++
	env := &tracerEnv{s: s, tid: tid}
	for _, c := range conds {
		v, err := evalAgentExpr(c, env)
		if err != nil {
			s.log.WithError(err).Debug("breakpoint condition")
			return true
		}
		if v != 0 {
			return true
		}
	}
	return false
}
