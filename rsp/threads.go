package rsp

import (
	"encoding/xml"
	"fmt"
	"path/filepath"
	"slices"
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
	if err != nil {
		return errReply
	}
	if id.pid > 0 && !s.switchProcess(int(id.pid)) {
		return errReply // not a process of this session
	}
	if !s.threadMatches(id) {
		return errReply
	}
	tid := 0
	if id.tid > 0 {
		tid = int(id.tid)
	}
	if arg[0] == 'g' {
		s.gTid = tid
	} else {
		s.cTid = tid
	}
	return ok
}

// regTid is the thread g/G/p/P/m/M act on.
func (s *Session) regTid() int {
	if t := s.lldb.suffixTid; t > 0 && s.threadExists(t) {
		return t // lldb's ";thread:TID;" suffix
	}
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
	if id.pid > 0 && id.pid != int64(s.t.Pid()) {
		if o := s.forks.others[int(id.pid)]; o != nil && !o.exited && id.tid > 0 &&
			slices.Contains(o.t.Threads(), int(id.tid)) {
			return ok // a thread of another process of the session
		}
		return errReply
	}
	if s.exited || id.tid <= 0 || !s.threadMatches(id) {
		return errReply
	}
	return ok
}

// threadList answers qfThreadInfo (qsThreadInfo then ends the list).
func (s *Session) threadList() response {
	var ids []string
	if !s.exited {
		for _, t := range s.t.Threads() {
			ids = append(ids, s.formatThreadID(t))
		}
	}
	for _, o := range s.otherProcesses() { // fork children being followed
		if !o.exited {
			for _, t := range o.t.Threads() {
				ids = append(ids, fmt.Sprintf("p%x.%x", o.t.Pid(), t))
			}
		}
	}
	if len(ids) == 0 {
		return reply("l")
	}
	return reply("m" + strings.Join(ids, ","))
}

// threadsXML is the qXfer:threads:read document.
func (s *Session) threadsXML() []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n<threads>\n")
	procs := append([]*procState{&s.procState}, s.otherProcesses()...)
	for _, p := range procs {
		if p.exited {
			continue
		}
		for _, t := range p.t.Threads() {
			id := fmt.Sprintf("%x", t)
			if s.multiprocess {
				id = fmt.Sprintf("p%x.%x", p.t.Pid(), t)
			}
			fmt.Fprintf(&b, "<thread id=\"%s\" core=\"0\"", id)
			if name := threadName(p.t, t); name != "" {
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

// threadName is thread tid's name (Linux's comm): the tracer's, or the
// executable's base name (15 bytes at most); "" if unknown.
func threadName(t Tracer, tid int) string {
	if namer, has := capability[ThreadNamer](t); has {
		if n, err := namer.ThreadName(tid); err == nil {
			return n
		}
	}
	ef, has := t.(ExecFiler)
	if !has {
		return ""
	}
	name := filepath.Base(ef.Exe())
	if len(name) > 15 {
		name = name[:15]
	}
	if name == "." || name == "/" {
		return ""
	}
	return name
}
