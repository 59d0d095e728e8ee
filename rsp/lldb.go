package rsp

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// lldb's extensions of the protocol (lldb 14's gdb-remote plugin, as
// lldb-server implements them): qHostInfo, qProcessInfo,
// QThreadSuffixSupported, QListThreadsInStopReply, qMemoryRegionInfo,
// qRegisterInfo, jThreadsInfo, qThreadStopInfo, _M/_m,
// QSaveRegisterState/QRestoreRegisterState, qWatchpointSupportInfo,
// qGetWorkingDir, qXfer:libraries-svr4 and the extra keys of stop replies
// (name, threads, thread-pcs, reason, jstopinfo). gdb sends none of these
// packets, so what they negotiate changes nothing for gdb.

// The triple lldb-server reports on x86_64 Linux; the stub's emulated
// process is such a process whatever the host is.
const lldbTriple = "x86_64-pc-linux-gnu"

// lldbState is what an lldb client negotiated, and lldb-only state.
type lldbState struct {
	// client: the client sent lldb's negotiation packets
	// (QThreadSuffixSupported, QListThreadsInStopReply, qHostInfo), so
	// it is lldb: stop replies carry lldb's keys and the initial stop
	// is reported as lldb-server reports a freshly launched process's.
	client bool
	// supported: qSupported came from lldb (its xmlRegisters list); it
	// is offered native-signals+ (see wireSignal), the thread suffix,
	// threads in stop replies and qXfer:libraries-svr4 (librariesSVR4).
	supported    bool
	threadSuffix bool // QThreadSuffixSupported: g/p/... end in ";thread:TID;"
	listThreads  bool // QListThreadsInStopReply: threads:/thread-pcs: in T
	// suffixTid is the thread named by the current packet's suffix (0
	// when none).
	suffixTid int
	// initialStop: the process has not been resumed since the session
	// started; for lldb that stop is a SIGSTOP (see haltReason).
	initialStop bool
	allocs      map[uint64]uint64 // _M allocations: address -> size
	saved       map[int]savedRegs // QSaveRegisterState by id
	nextSave    int
}

// savedRegs is one QSaveRegisterState.
type savedRegs struct {
	tid  int
	regs regSet
}

// sigSTOP is Linux's SIGSTOP.
const sigSTOP = 19

// wireSignal converts a Linux signal to the protocol's numbering: GDB's,
// or Linux's own after native-signals+ was offered to lldb. lldb 14 takes
// the stop signals of a Linux target as Linux numbers whether or not the
// stub says so (measured: T13 shows as SIGSTOP, T11 as SIGCHLD, which
// lldb does not stop for), so lldb is offered native-signals+, as
// lldb-server does, and the numbers agree.
func (s *Session) wireSignal(sig int) int {
	if s.lldb.supported {
		return sig
	}
	return linuxToGDBSignal(sig)
}

// interruptSignal is the signal that stops the process for a Ctrl-C from
// the client: SIGINT, as gdbserver sends, or for lldb SIGSTOP, as
// lldb-server sends (lldb then shows "signal SIGSTOP"; the emulated
// process ignores a SIGSTOP that is passed back to it).
func (s *Session) interruptSignal() int {
	if s.lldb.client {
		return sigSTOP
	}
	return sigINT
}

// linuxSignal converts a signal of the protocol (see wireSignal) to
// Linux's numbering; 0 when it has no Linux equivalent.
func (s *Session) linuxSignal(sig int) int {
	if s.lldb.supported {
		if sig < 0 || sig > 64 {
			return 0
		}
		return sig
	}
	return gdbToLinuxSignal(sig)
}

// lldbSupportedFeature reports whether a qSupported request comes from
// lldb: lldb 14 lists every architecture it has register sets for
// ("xmlRegisters=i386,arm,mips,arc"), gdb only its own ("i386").
func lldbSupportedFeature(f string) bool {
	v, found := strings.CutPrefix(f, "xmlRegisters=")
	return found && strings.Contains(v, ",")
}

// takeThreadSuffix strips lldb's ";thread:TID;" suffix from the register
// packets once QThreadSuffixSupported was negotiated, and records the
// thread for regTid. A malformed or unknown thread makes the packet fail.
func (s *Session) takeThreadSuffix(pkt []byte) ([]byte, bool) {
	s.lldb.suffixTid = 0
	if !s.lldb.threadSuffix || len(pkt) == 0 {
		return pkt, true
	}
	switch {
	case pkt[0] == 'g' || pkt[0] == 'G' || pkt[0] == 'p' || pkt[0] == 'P':
	case strings.HasPrefix(string(pkt), "QSaveRegisterState"), strings.HasPrefix(string(pkt), "QRestoreRegisterState"):
	default:
		return pkt, true
	}
	p := string(pkt)
	i := strings.LastIndex(p, ";thread:")
	if i < 0 {
		return pkt, true
	}
	id, err := parseThreadID(strings.TrimSuffix(p[i+len(";thread:"):], ";"))
	if err != nil || !s.threadMatches(id) {
		return nil, false
	}
	if id.tid > 0 {
		s.lldb.suffixTid = int(id.tid)
	}
	return pkt[:i], true
}

// lldbQuery handles lldb's q/Q packets; handled is false for the others.
func (s *Session) lldbQuery(p, name, arg string) (r response, handled bool) {
	switch name {
	case "QThreadSuffixSupported":
		s.lldb.client, s.lldb.threadSuffix = true, true
		return ok, true
	case "QListThreadsInStopReply":
		s.lldb.client, s.lldb.listThreads = true, true
		return ok, true
	case "qHostInfo":
		s.lldb.client = true
		return s.hostInfo(), true
	case "qProcessInfo":
		return s.processInfo(), true
	case "qMemoryRegionInfo":
		if p == "qMemoryRegionInfo" {
			return ok, true // "supported?"
		}
		return s.memoryRegionInfo(arg), true
	case "qWatchpointSupportInfo":
		if _, has := s.t.(Watchpointer); !has {
			return empty, true
		}
		// The emulator's watchpoints are not limited by debug registers;
		// report x86's four so that lldb's accounting stays familiar.
		return reply("num:4;"), true
	case "qGetWorkingDir":
		return s.workingDir(), true
	case "QSaveRegisterState":
		return s.saveRegisterState(), true
	case "QRestoreRegisterState":
		return s.restoreRegisterState(arg), true
	}
	if rest, found := strings.CutPrefix(p, "qRegisterInfo"); found {
		return s.registerInfo(rest), true
	}
	if rest, found := strings.CutPrefix(p, "qThreadStopInfo"); found {
		return s.threadStopInfo(rest), true
	}
	return response{}, false
}

// jPacket handles lldb's JSON packets.
func (s *Session) jPacket(p string) response {
	switch p {
	case "jThreadsInfo":
		return s.jThreadsInfo()
	}
	// jThreadExtendedInfo (libdispatch queues, Darwin only),
	// jGetLoadedDynamicLibrariesInfos, jLLDBTrace*: not supported.
	return empty
}

// hostInfo answers qHostInfo. The host is the emulated one: x86_64 Linux,
// whatever the stub runs on. Stop replies come after the access that hit
// a watchpoint, as on x86.
func (s *Session) hostInfo() response {
	return reply("triple:" + lldbHex(lldbTriple) + ";ptrsize:8;endian:little;ostype:linux;vendor:pc;" +
		"watchpoint_exceptions_received:after;")
}

// lldbHex hex-encodes a string (lldb's hex string values).
func lldbHex(v string) string { return string(appendHexBytes(nil, []byte(v))) }

// processInfo answers qProcessInfo with the emulated pid, which no host
// process has (it is above the host's pid_max), so lldb never mistakes a
// host process (the stub itself, init) for the program.
func (s *Session) processInfo() response {
	if s.exited {
		return errReply
	}
	var b strings.Builder
	fmt.Fprintf(&b, "pid:%x;", s.t.Pid())
	if pi, has := s.t.(ProcInfoer); has {
		if info, err := pi.ProcInfo(); err == nil {
			fmt.Fprintf(&b, "parent-pid:%x;real-uid:%x;real-gid:%x;effective-uid:%x;effective-gid:%x;",
				info.ParentPid, info.UID, info.GID, info.EUID, info.EGID)
		}
	}
	b.WriteString("triple:" + lldbHex(lldbTriple) + ";ostype:linux;endian:little;ptrsize:8;")
	return reply(b.String())
}

// workingDir answers qGetWorkingDir with the process's current directory.
func (s *Session) workingDir() response {
	pi, has := s.t.(ProcInfoer)
	if !has {
		return empty
	}
	info, err := pi.ProcInfo()
	if err != nil || info.WorkingDir == "" {
		return errReply
	}
	return reply(lldbHex(info.WorkingDir))
}

// memoryRegionInfo answers "qMemoryRegionInfo:<addr>" from the emulated
// address space: the mapped run holding addr with its permissions and
// /proc/PID/maps name, or, for an unmapped address, the hole around it
// without permissions (as lldb-server answers).
func (s *Session) memoryRegionInfo(arg string) response {
	addr, err := parseHex(arg)
	if err != nil || s.exited {
		return errReply
	}
	if _, has := s.t.(RegionLister); !has {
		return empty
	}
	entries, err := s.mapsEntries()
	if err != nil {
		return errReply
	}
	holeStart := uint64(0)
	for _, e := range entries {
		if addr < e.start {
			return reply(fmt.Sprintf("start:%x;size:%x;", holeStart, e.start-holeStart))
		}
		if addr < e.end {
			perm := ""
			if e.r.Read {
				perm += "r"
			}
			if e.r.Write {
				perm += "w"
			}
			if e.r.Execute {
				perm += "x"
			}
			out := fmt.Sprintf("start:%x;size:%x;permissions:%s;flags:;", e.start, e.end-e.start, perm)
			if e.name != "" {
				out += "name:" + lldbHex(e.name) + ";"
			}
			return reply(out)
		}
		holeStart = e.end
	}
	// Past the last mapping: the hole runs to the top of the address
	// space (size wraps to 2^64 - start).
	return reply(fmt.Sprintf("start:%x;size:%x;", holeStart, -holeStart))
}

// lldbRegInfo is the qRegisterInfo description of one regTable entry.
type lldbRegInfo struct {
	encoding, format, set string
	dwarf                 int // -1: none (the same number is used for eh_frame)
	generic               string
}

// lldbRegDetails describes register n for qRegisterInfo: the DWARF numbers
// of the x86-64 psABI and lldb's generic roles (pc, sp, fp, flags and the
// integer argument registers).
func lldbRegDetails(n int) lldbRegInfo {
	const gpr, fpu, sse = "General Purpose Registers", "Floating Point Registers", "SSE Registers"
	switch {
	case n <= regRIP:
		// rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rip in DWARF's order.
		dwarf := []int{0, 3, 2, 1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}[n]
		generic := map[int]string{2: "arg4", 3: "arg3", 4: "arg2", 5: "arg1", regRBP: "fp",
			regRSP: "sp", 8: "arg5", 9: "arg6", regRIP: "pc"}[n]
		return lldbRegInfo{"uint", "hex", gpr, dwarf, generic}
	case n == 17:
		return lldbRegInfo{"uint", "hex", gpr, 49, "flags"}
	case n <= 23:
		// cs ss ds es fs gs: DWARF 51 52 53 50 54 55.
		return lldbRegInfo{"uint", "hex", gpr, []int{51, 52, 53, 50, 54, 55}[n-18], ""}
	case n <= 31:
		return lldbRegInfo{"vector", "vector-uint8", fpu, 33 + n - 24, ""}
	case n == 32 || n == 33:
		return lldbRegInfo{"uint", "hex", fpu, 65 + n - 32, ""} // fctrl, fstat
	case n <= 39:
		return lldbRegInfo{"uint", "hex", fpu, -1, ""}
	case n <= 55:
		return lldbRegInfo{"vector", "vector-uint8", sse, 17 + n - 40, ""}
	case n == 56:
		return lldbRegInfo{"uint", "hex", sse, 64, ""}
	case n == regOrigRAX:
		return lldbRegInfo{"uint", "hex", gpr, -1, ""}
	case n == 58:
		return lldbRegInfo{"uint", "hex", gpr, 58, ""}
	}
	return lldbRegInfo{"uint", "hex", gpr, 59, ""} // gs_base
}

// lldbRegAttrs are the target.xml attributes lldb reads for register n:
// its register set (group), DWARF/eh_frame numbers and generic role, as
// lldb-server gives them, and "rflags" as another name of eflags (the
// name lldb-server uses).
func lldbRegAttrs(n int) string {
	d := lldbRegDetails(n)
	set := d.set
	if set == "SSE Registers" {
		set = "Floating Point Registers" // lldb-server's set for xmm and mxcsr
	}
	if n >= regOrigRAX {
		set = "Linux Registers" // orig_rax, fs_base, gs_base: not in lldb-server's sets
	}
	out := fmt.Sprintf(" group=\"%s\"", set)
	if d.dwarf >= 0 {
		out += fmt.Sprintf(" ehframe_regnum=\"%d\" dwarf_regnum=\"%d\"", d.dwarf, d.dwarf)
	}
	if d.generic != "" {
		out += fmt.Sprintf(" generic=\"%s\"", d.generic)
	}
	if n == 17 {
		out += ` altname="rflags"`
	}
	return out
}

// registerInfo answers "qRegisterInfo<n>" (hex n) for lldb when it does
// not use target.xml; E45 past the last register ends lldb's loop.
func (s *Session) registerInfo(arg string) response {
	n, err := parseHex(arg)
	if err != nil {
		return errReply
	}
	if n >= uint64(len(regTable)) {
		return reply("E45")
	}
	ri, d := regTable[n], lldbRegDetails(int(n))
	out := fmt.Sprintf("name:%s;bitsize:%d;offset:%d;encoding:%s;format:%s;set:%s;",
		ri.name, ri.size*8, ri.offset, d.encoding, d.format, d.set)
	if d.dwarf >= 0 {
		out += fmt.Sprintf("ehframe:%d;dwarf:%d;", d.dwarf, d.dwarf)
	}
	if d.generic != "" {
		out += "generic:" + d.generic + ";"
	}
	return reply(out)
}

// allocate handles "_M<size>,<perms>" (perms: any of r, w, x): the
// address of fresh memory in the emulated address space.
func (s *Session) allocate(arg string) response {
	ma, has := s.t.(MemoryAllocator)
	if !has {
		return empty
	}
	sizePart, perms, found := cut(arg, ',')
	size, err := parseHex(sizePart)
	if !found || err != nil || size == 0 || s.exited || strings.Trim(perms, "rwx") != "" {
		return errReply
	}
	addr, err := ma.AllocateMemory(size, strings.Contains(perms, "r"), strings.Contains(perms, "w"),
		strings.Contains(perms, "x"))
	if err != nil {
		s.log.WithError(err).Debug("allocate memory")
		return errReply
	}
	if s.lldb.allocs == nil {
		s.lldb.allocs = map[uint64]uint64{}
	}
	s.lldb.allocs[addr] = size
	return reply(hexString(addr))
}

// deallocate handles "_m<addr>" for an address _M returned.
func (s *Session) deallocate(arg string) response {
	ma, has := s.t.(MemoryAllocator)
	if !has {
		return empty
	}
	addr, err := parseHex(arg)
	if err != nil || s.exited {
		return errReply
	}
	size, known := s.lldb.allocs[addr]
	if !known {
		return errReply
	}
	if err := ma.DeallocateMemory(addr, size); err != nil {
		s.log.WithError(err).Debug("deallocate memory")
		return errReply
	}
	delete(s.lldb.allocs, addr)
	return ok
}

// saveRegisterState handles "QSaveRegisterState" (thread from the suffix
// or Hg): a decimal id for QRestoreRegisterState.
func (s *Session) saveRegisterState() response {
	if s.exited {
		return errReply
	}
	tid := s.regTid()
	r, err := s.loadRegs(tid)
	if err != nil {
		return errReply
	}
	if s.lldb.saved == nil {
		s.lldb.saved = map[int]savedRegs{}
	}
	s.lldb.nextSave++
	s.lldb.saved[s.lldb.nextSave] = savedRegs{tid, r}
	return reply(strconv.Itoa(s.lldb.nextSave))
}

// restoreRegisterState handles "QRestoreRegisterState:<id>": the saved
// registers go back to the thread they were saved from; the id is used up.
func (s *Session) restoreRegisterState(arg string) response {
	id, err := strconv.Atoi(arg)
	saved, known := s.lldb.saved[id]
	if err != nil || !known || s.exited {
		return errReply
	}
	delete(s.lldb.saved, id)
	old, err := s.loadRegs(saved.tid)
	if err != nil {
		return errReply
	}
	if err := s.storeRegs(saved.tid, saved.regs, old); err != nil {
		return errReply
	}
	return ok
}

// stopReason is lldb's "reason" for the stop being reported with GDB
// signal gdbSig (bp: at one of the client's breakpoints), "" for none.
func (s *Session) stopReason(gdbSig int, bp bool) string {
	switch {
	case bp:
		return "breakpoint"
	case gdbSig != 5:
		return "signal"
	case s.siginfo.valid && s.siginfo.code == trapTrace:
		return "trace"
	case s.siginfo.valid && s.siginfo.code == trapHWBKPT:
		return "watchpoint"
	}
	return "signal"
}

// appendLLDBKeys adds lldb's stop-reply keys for thread tid: name,
// threads/thread-pcs (after QListThreadsInStopReply), jstopinfo when there
// are other threads, and the reason. Nothing for gdb.
func (s *Session) appendLLDBKeys(out []byte, tid, gdbSig int, bp bool) []byte {
	if !s.lldb.client {
		return out
	}
	if name := threadName(s.t, tid); name != "" {
		out = append(out, "hexname:"+lldbHex(name)+";"...)
	}
	threads := s.t.Threads()
	if s.lldb.listThreads && len(threads) > 0 {
		var ids, pcs []string
		for _, t := range threads {
			ids = append(ids, hexString(uint64(t)))
			if r, err := s.t.IntRegs(t); err == nil {
				pcs = append(pcs, hexString(r.RIP))
			} else {
				pcs = append(pcs, "0")
			}
		}
		out = append(out, "threads:"+strings.Join(ids, ",")+";thread-pcs:"+strings.Join(pcs, ",")+";"...)
	}
	if len(threads) > 1 {
		// lldb learns the other threads' state from jstopinfo instead of
		// asking for each (hex-encoded JSON, as lldb-server sends it).
		if js, err := json.Marshal(s.threadsInfo(tid, gdbSig, bp, false)); err == nil {
			out = append(out, "jstopinfo:"...)
			out = appendHexBytes(out, js)
			out = append(out, ';')
		}
	}
	if reason := s.stopReason(gdbSig, bp); reason != "" {
		out = append(out, "reason:"+reason+";"...)
	}
	return out
}

// threadInfo is one thread of jThreadsInfo / jstopinfo.
type threadInfo struct {
	Tid       int               `json:"tid"`
	Name      string            `json:"name,omitempty"`
	Reason    string            `json:"reason,omitempty"`
	Signal    int               `json:"signal"`
	Registers map[string]string `json:"registers,omitempty"`
}

// threadsInfo describes every thread for the stop of thread stopTid with
// GDB signal gdbSig; the others are stopped with no reason of their own
// (signal 0). Registers (decimal regnum -> target-order hex) are the
// expedited rbp, rsp and rip when regs is set.
func (s *Session) threadsInfo(stopTid, gdbSig int, bp, regs bool) []threadInfo {
	var out []threadInfo
	for _, t := range s.t.Threads() {
		ti := threadInfo{Tid: t, Name: threadName(s.t, t)}
		if t == stopTid {
			ti.Signal = gdbSig
			ti.Reason = s.stopReason(gdbSig, bp)
		}
		if regs {
			if r, err := s.t.IntRegs(t); err == nil {
				ti.Registers = map[string]string{
					strconv.Itoa(regRBP): string(appendHexLE64(nil, r.RBP)),
					strconv.Itoa(regRSP): string(appendHexLE64(nil, r.RSP)),
					strconv.Itoa(regRIP): string(appendHexLE64(nil, r.RIP)),
				}
			}
		}
		out = append(out, ti)
	}
	return out
}

// lastStopSignal is the GDB signal and breakpoint flag of the last stop
// reply ("T05..."), for jThreadsInfo.
func (s *Session) lastStopSignal() (gdbSig int, bp bool) {
	stop := s.haltReason()
	if len(stop) < 3 || stop[0] != 'T' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(stop[1:3]), 16, 8)
	if err != nil {
		return 0, false
	}
	return int(v), strings.Contains(string(stop), "reason:breakpoint;")
}

// jThreadsInfo answers with every thread's stop state as JSON (binary
// escaped, since JSON may hold '}' and '#').
func (s *Session) jThreadsInfo() response {
	if s.exited {
		return errReply
	}
	sig, bp := s.lastStopSignal()
	js, err := json.Marshal(s.threadsInfo(s.stopTid, sig, bp, true))
	if err != nil {
		return errReply
	}
	return replyBytes(appendEscaped(nil, js))
}

// threadStopInfo answers "qThreadStopInfo<tid>": the last stop reply for
// the stopped thread, a signal-0 stop for the others.
func (s *Session) threadStopInfo(arg string) response {
	id, err := parseThreadID(arg)
	if err != nil || s.exited || id.tid <= 0 || !s.threadMatches(id) {
		return errReply
	}
	if int(id.tid) == s.stopTid {
		return replyBytes(s.haltReason())
	}
	out := []byte("T00")
	if r, err := s.t.IntRegs(int(id.tid)); err == nil {
		out = appendExpedited(out, r)
	}
	out = append(out, "thread:"+s.formatThreadID(int(id.tid))+";"...)
	return replyBytes(out)
}

// librariesSVR4 is the qXfer:libraries-svr4 document lldb reads. The
// programs are static, so there is no link map and no shared library; the
// list names the executable itself (with its load bias, non-zero for a
// static PIE). lldb 14 finds a gdb-remote process's executable only
// through the host's /proc/PID/exe, which the emulated pid does not have,
// or through this list: every executable module in it becomes the
// target's executable, so "image list" shows the guest program.
func (s *Session) librariesSVR4() []byte {
	var b strings.Builder
	b.WriteString("<library-list-svr4 version=\"1.0\">")
	if img, err := s.image(); err == nil {
		b.WriteString("<library name=\"")
		xmlEscape(&b, img.path)
		fmt.Fprintf(&b, "\" lm=\"0x0\" l_addr=\"0x%x\" l_ld=\"0x0\"/>", img.base)
	}
	b.WriteString("</library-list-svr4>")
	return []byte(b.String())
}

// xmlEscape writes v escaped for an XML attribute.
func xmlEscape(b *strings.Builder, v string) {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")
	b.WriteString(r.Replace(v))
}
