package rsp

import (
	"strings"
)

// qXfer:<object>:read:<annex>:<offset>,<length> for features (target.xml),
// threads, exec-file and auxv. Replies are "m"/"l" plus escaped binary.

func (s *Session) qXfer(arg string) response {
	parts := strings.SplitN(arg, ":", 4)
	if len(parts) != 4 {
		return errReply
	}
	object, op, annex, span := parts[0], parts[1], parts[2], parts[3]
	if op == "write" && object == "siginfo" {
		return s.siginfoWrite(annex, span)
	}
	if op != "read" {
		return empty
	}
	var doc []byte
	switch object {
	case "features":
		if annex != "target.xml" {
			return reply("E00")
		}
		doc = targetXML
		if fromLLDB(s) {
			doc = targetXMLLLDB
		}
	case "threads":
		doc = s.threadsXML()
	case "exec-file":
		ef, has := s.t.(ExecFiler)
		if !has {
			return empty
		}
		if annex != "" {
			pid, err := parseHex(annex)
			if err != nil {
				return errReply
			}
			if int(pid) != s.t.Pid() {
				return reply("E00")
			}
		}
		doc = []byte(ef.Exe())
	case "siginfo":
		if !hasStopInfo(s) {
			return empty
		}
		if annex != "" || s.exited || !s.siginfo.valid {
			return reply("E01")
		}
		doc = s.siginfoBytes()
	case "libraries-svr4":
		if !fromLLDB(s) || !hasExecFile(s) {
			return empty
		}
		if annex != "" {
			return reply("E00")
		}
		doc = s.librariesSVR4()
	case "auxv":
		ar, has := s.t.(AuxvReader)
		if !has {
			return empty
		}
		if annex != "" {
			return reply("E00")
		}
		doc = ar.Auxv()
	default:
		return empty
	}
	off, n, err := parseAddrLen(span)
	if err != nil {
		return errReply
	}
	return replyBytes(xferChunk(doc, off, n))
}

// xferChunk returns "m"+chunk when more follows, "l"+chunk for the last.
func xferChunk(doc []byte, off, n uint64) []byte {
	if off >= uint64(len(doc)) {
		return []byte("l")
	}
	if max := uint64(PacketSize / 2); n > max {
		n = max // escaping may double the size
	}
	end := uint64(len(doc))
	tag := byte('l')
	if n < end-off {
		end = off + n
		tag = 'm'
	}
	return appendEscaped([]byte{tag}, doc[off:end])
}
