package rsp

import "strings"

// Breakpoint packets: Z0/z0 software breakpoints through the tracer's
// address breakpoints (no code patching). Other types get the empty reply.

// breakpoint handles "Z<type>,<addr>,<kind>[;...]" and "z<type>,<addr>,<kind>".
// Both are idempotent: inserting twice or removing an absent breakpoint
// succeeds.
func (s *Session) breakpoint(insert bool, arg string) response {
	bp, isBP := s.t.(Breakpointer)
	typ, rest, found := cut(arg, ',')
	if !found {
		return errReply
	}
	if typ != "0" || !isBP {
		return empty
	}
	rest, _, _ = strings.Cut(rest, ";") // conditions/commands are not advertised
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
	if insert {
		if s.breakpoints[addr] {
			return ok
		}
		if s.exited || bp.SetBreakpoint(addr) != nil {
			return errReply
		}
		s.breakpoints[addr] = true
		return ok
	}
	if !s.breakpoints[addr] {
		return ok
	}
	if !s.clearBreakpoint(addr) {
		return errReply
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
	return true
}
