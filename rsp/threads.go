package rsp

import (
	"encoding/xml"
	"fmt"
	"path/filepath"
	"strings"
)

// Thread ids: plain big-endian hex ("1a", "-1" all, "0" any), or with
// multiprocess "pPID.TID" / "pPID" (= pPID.-1). Both forms are accepted in
// every packet (lldb sends plain ids even after negotiating multiprocess);
// replies use the p form once the client announced multiprocess+.

// threadID is a parsed thread id; -1 means all, 0 means any.
type threadID struct {
	pid int64 // 0 when the id had no process part
	tid int64
}

func parseThreadID(s string) (threadID, error) {
	if strings.HasPrefix(s, "p") {
		pidPart, tidPart, hasTid := cut(s[1:], '.')
		pid, err := parseSignedHex(pidPart)
		if err != nil || pid < -1 {
			return threadID{}, errMalformed
		}
		tid := int64(-1)
		if hasTid {
			if tid, err = parseSignedHex(tidPart); err != nil || tid < -1 {
				return threadID{}, errMalformed
			}
		}
		if pid == -1 && tid != -1 {
			return threadID{}, errMalformed // p-1.TID is invalid
		}
		return threadID{pid: pid, tid: tid}, nil // p0 = any process
	}
	tid, err := parseSignedHex(s)
	if err != nil || tid < -1 {
		return threadID{}, errMalformed
	}
	return threadID{tid: tid}, nil
}

// threadMatches reports whether id names the stopped thread (or all/any).
func (s *Session) threadMatches(id threadID) bool {
	if id.pid > 0 && id.pid != int64(s.t.Pid()) {
		return false
	}
	if id.tid == -1 || id.tid == 0 {
		return true
	}
	return s.threadExists(int(id.tid))
}

func (s *Session) threadExists(tid int) bool {
	for _, t := range s.t.Threads() {
		if t == tid {
			return true
		}
	}
	return false
}

// formatThreadID renders tid in the negotiated form.
func (s *Session) formatThreadID(tid int) string {
	if s.multiprocess {
		return fmt.Sprintf("p%x.%x", s.t.Pid(), tid)
	}
	return fmt.Sprintf("%x", tid)
}

// setThread handles "Hg<id>" and "Hc<id>".
func (s *Session) setThread(arg string) response {
	if len(arg) < 2 || (arg[0] != 'g' && arg[0] != 'c') {
		return errReply
	}
	id, err := parseThreadID(arg[1:])
	if err != nil || !s.threadMatches(id) {
		return errReply
	}
	if arg[0] == 'g' {
		s.gTid = 0
		if id.tid > 0 {
			s.gTid = int(id.tid)
		}
	}
	return ok
}

// regTid is the thread g/G/p/P/m/M act on.
func (s *Session) regTid() int {
	if s.gTid > 0 && s.threadExists(s.gTid) {
		return s.gTid
	}
	return s.stopTid
}

// threadAlive handles "T<id>".
func (s *Session) threadAlive(arg string) response {
	id, err := parseThreadID(arg)
	if err != nil {
		return errReply
	}
	if s.exited || id.tid <= 0 || !s.threadMatches(id) {
		return errReply
	}
	return ok
}

// threadList answers qfThreadInfo (qsThreadInfo then ends the list).
func (s *Session) threadList() response {
	if s.exited {
		return reply("l")
	}
	var b strings.Builder
	b.WriteByte('m')
	for i, t := range s.t.Threads() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s.formatThreadID(t))
	}
	return reply(b.String())
}

// threadsXML is the qXfer:threads:read document.
func (s *Session) threadsXML() []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n<threads>\n")
	exeName := ""
	if ef, has := s.t.(ExecFiler); has {
		// Like Linux's comm: the executable's base name, 15 bytes at most.
		exeName = filepath.Base(ef.Exe())
		if len(exeName) > 15 {
			exeName = exeName[:15]
		}
	}
	namer, hasNames := s.t.(ThreadNamer)
	if !s.exited {
		for _, t := range s.t.Threads() {
			fmt.Fprintf(&b, "<thread id=\"%s\" core=\"0\"", s.formatThreadID(t))
			name := exeName
			if hasNames {
				if n, err := namer.ThreadName(t); err == nil {
					name = n
				}
			}
			if name != "" && name != "." && name != "/" {
				b.WriteString(" name=\"")
				xml.EscapeText(&b, []byte(name))
				b.WriteString("\"")
			}
			b.WriteString("/>\n")
		}
	}
	b.WriteString("</threads>\n")
	return []byte(b.String())
}
