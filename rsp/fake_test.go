package rsp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// fakeStop is one scripted result of Next.
type fakeStop struct {
	ev   ptrace.Event
	rip  uint64 // RIP after the stop (0 = unchanged)
	err  error
	info ptrace.StopInfo // what LastStop reports (Tid 0: nothing)
}

// fakeTracer is an in-memory Tracer for the packet layer's tests.
type fakeTracer struct {
	mu        sync.Mutex
	pid       int
	tids      []int
	regs      ptrace.IntRegisters
	fregs     ptrace.FloatRegisters
	env       ptrace.EnvRegisters
	pages     map[uint64][]byte
	bps       map[uint64]bool
	script    []fakeStop
	flags     []ptrace.Flags // every Next call's flags
	kills     chan int
	status    int
	exited    bool
	closed    bool
	exe       string
	auxv      []byte
	fuzz      bool // never block: an empty script single-steps
	fuzzStops int
	last      ptrace.StopInfo
	regsTid   int    // the thread of the last IntRegs call
	onNext    func() // called when Next returns a scripted stop
	// allocTop is the lowest AllocateMemory address so far (0: none).
	allocTop uint64
}

func newFakeTracer() *fakeTracer {
	f := &fakeTracer{
		pid:   0x401640,
		tids:  []int{0x401640},
		pages: map[uint64][]byte{},
		bps:   map[uint64]bool{},
		kills: make(chan int, 16),
		exe:   "/bin/true",
		auxv:  []byte{6, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	}
	f.regs.RIP = 0x401000
	f.regs.RSP = 0x7ffffffde000
	f.regs.RBP = 0
	f.regs.RFlags = 0x202
	f.mapPage(0x400000)
	f.mapPage(0x401000)
	return f
}

func (f *fakeTracer) mapPage(addr uint64) { f.pages[addr&^(pageSize-1)] = make([]byte, pageSize) }

var errFault = errors.New("EFAULT")

func (f *fakeTracer) access(addr uint64, b []byte, write bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range b { // all or nothing, like ptrace
		if f.pages[(addr+uint64(i))&^(pageSize-1)] == nil {
			return errFault
		}
	}
	for i := range b {
		a := addr + uint64(i)
		p := f.pages[a&^(pageSize-1)]
		if write {
			p[a%pageSize] = b[i]
		} else {
			b[i] = p[a%pageSize]
		}
	}
	return nil
}

func (f *fakeTracer) Next(flags ptrace.Flags) (ptrace.Event, error) {
	f.mu.Lock()
	f.flags = append(f.flags, flags)
	if f.exited {
		f.mu.Unlock()
		return ptrace.Event{}, errors.New("ESRCH")
	}
	select {
	case sig := <-f.kills: // a signal queued while stopped is seen first
		defer f.mu.Unlock()
		return f.signalStopLocked(sig), nil
	default:
	}
	if len(f.script) > 0 {
		st := f.script[0]
		f.script = f.script[1:]
		if st.rip != 0 {
			f.regs.RIP = st.rip
		}
		f.last = st.info
		if st.ev.Cause&ptrace.StopExit != 0 {
			f.exited, f.status = true, int(st.ev.A)
		}
		hook := f.onNext
		f.mu.Unlock()
		if hook != nil {
			hook()
		}
		return st.ev, st.err
	}
	if f.fuzz {
		// Never blocks; every 1000th stop is a signal, which ends range
		// steps and other loops a real program would leave (a real CPU
		// moves its PC, the fake's does not).
		f.fuzzStops++
		f.mu.Unlock()
		if f.fuzzStops%1000 == 0 {
			return ptrace.Event{Cause: ptrace.StopSignal, A: 5}, nil
		}
		return ptrace.Event{Cause: ptrace.StopSingleStep}, nil
	}
	f.mu.Unlock()
	if flags&ptrace.StopMask == 0 {
		// Detached: runs to completion.
		f.mu.Lock()
		f.exited = true
		f.mu.Unlock()
		return ptrace.Event{}, errors.New("ESRCH")
	}
	// "Running": wait for a signal.
	sig := <-f.kills
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.signalStopLocked(sig), nil
}

func (f *fakeTracer) signalStopLocked(sig int) ptrace.Event {
	if sig == sigKILL {
		f.exited, f.status = true, sigKILL
		return ptrace.Event{Cause: ptrace.StopExit, A: sigKILL}
	}
	return ptrace.Event{Cause: ptrace.StopSignal, A: uint64(sig)}
}

func (f *fakeTracer) Kill(sig int) error { f.kills <- sig; return nil }

// Hold and Interrupt make the fake a non-stop capable tracer: an
// interrupt is a signal-0 stop, as ptrace's.
func (f *fakeTracer) Hold(tid int, held bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.tids {
		if t == tid {
			return nil
		}
	}
	return errors.New("ESRCH")
}

func (f *fakeTracer) Interrupt() error {
	select {
	case f.kills <- 0:
	default: // already pending
	}
	return nil
}
func (f *fakeTracer) Pid() int { return f.pid }
func (f *fakeTracer) Threads() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.exited {
		return nil
	}
	return f.tids
}
func (f *fakeTracer) ExitStatus() (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status, f.exited
}
func (f *fakeTracer) IntRegs(tid int) (ptrace.IntRegisters, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.regsTid = tid
	return f.regs, nil
}
func (f *fakeTracer) lastRegsTid() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.regsTid
}
func (f *fakeTracer) SetIntRegs(tid int, r ptrace.IntRegisters) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.regs = r
	return nil
}
func (f *fakeTracer) FloatRegs(tid int) (ptrace.FloatRegisters, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fregs, nil
}
func (f *fakeTracer) SetFloatRegs(tid int, r ptrace.FloatRegisters) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fregs = r
	return nil
}
func (f *fakeTracer) EnvRegs(tid int) (ptrace.EnvRegisters, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.env, nil
}
func (f *fakeTracer) SetEnvRegs(tid int, r ptrace.EnvRegisters) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.env = r
	return nil
}
func (f *fakeTracer) ReadMem(addr uint64, b []byte) error  { return f.access(addr, b, false) }
func (f *fakeTracer) WriteMem(addr uint64, b []byte) error { return f.access(addr, b, true) }
func (f *fakeTracer) SetBreakpoint(addr uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bps[addr] = true
	return nil
}
func (f *fakeTracer) ClearBreakpoint(addr uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.bps[addr] {
		return errors.New("no such breakpoint")
	}
	delete(f.bps, addr)
	return nil
}
func (f *fakeTracer) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}
func (f *fakeTracer) Exe() string { return f.exe }
func (f *fakeTracer) LastStop() (ptrace.StopInfo, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last, f.last.Tid != 0 && !f.exited
}
func (f *fakeTracer) Auxv() []byte { return f.auxv }

func (f *fakeTracer) lastFlags() ptrace.Flags {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.flags) == 0 {
		return 0
	}
	return f.flags[len(f.flags)-1]
}

var _ FullTracer = (*fakeTracer)(nil)
var _ FullTracer = (*ptrace.Session)(nil)
var _ StopInfoer = (*ptrace.Session)(nil)

// The capabilities of issue 5 must be provided by the real session.
var (
	_ RegionLister       = (*ptrace.Session)(nil)
	_ InstructionCounter = (*ptrace.Session)(nil)
	_ PtraceStater       = (*ptrace.Session)(nil)
	_ RegionLister       = (*fakeTracer)(nil)
	_ InstructionCounter = (*fakeTracer)(nil)
	_ PtraceStater       = (*fakeTracer)(nil)
)

// client is a minimal gdb-like client over a real TCP connection.
type client struct {
	t     testing.TB
	conn  net.Conn
	r     *bufio.Reader
	noAck bool
}

// harness runs a Session for f and connects a client to it.
type harness struct {
	*client
	f       *fakeTracer
	s       *Session
	outcome chan Outcome
}

func startSession(t testing.TB, f *fakeTracer) *harness {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := NewSession(f, Config{KillTimeout: time.Second, RLE: true})
	h := &harness{f: f, s: s, outcome: make(chan Outcome, 1)}
	type dialed struct {
		c   net.Conn
		err error
	}
	dc := make(chan dialed, 1)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		dc <- dialed{c, err}
	}()
	// Accept before the listener closes, or the connection is reset.
	sconn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	d := <-dc
	if d.err != nil {
		t.Fatal(d.err)
	}
	conn := d.c
	go func() {
		o, _ := s.Serve(sconn)
		h.outcome <- o
	}()
	h.client = &client{t: t, conn: conn, r: bufio.NewReader(conn)}
	t.Cleanup(func() { conn.Close() })
	return h
}

func (h *harness) wait(t testing.TB) Outcome {
	t.Helper()
	select {
	case o := <-h.outcome:
		return o
	case <-time.After(5 * time.Second):
		t.Fatal("session did not end")
		return -1
	}
}

func checksum(p string) string {
	var sum byte
	for i := 0; i < len(p); i++ {
		sum += p[i]
	}
	return fmt.Sprintf("%02x", sum)
}

func (c *client) deadline() { c.conn.SetDeadline(time.Now().Add(5 * time.Second)) }

func (c *client) writeRaw(s string) {
	c.t.Helper()
	c.deadline()
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) readByte() byte {
	c.t.Helper()
	c.deadline()
	b, err := c.r.ReadByte()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return b
}

// send sends an (already escaped) payload and checks the ack.
func (c *client) send(payload string) {
	c.t.Helper()
	c.writeRaw("$" + payload + "#" + checksum(payload))
	if !c.noAck {
		if b := c.readByte(); b != '+' {
			c.t.Fatalf("sent %q: got %q, want '+'", payload, b)
		}
	}
}

// recv reads one packet, verifies its checksum and acks it; it returns the
// raw (still escaped) payload.
func (c *client) recv() string {
	c.t.Helper()
	for {
		b := c.readByte()
		if b == '$' {
			break
		}
		if b != '+' {
			c.t.Fatalf("unexpected byte %q before packet", b)
		}
	}
	var p []byte
	for {
		b := c.readByte()
		if b == '#' {
			break
		}
		p = append(p, b)
	}
	sum := string([]byte{c.readByte(), c.readByte()})
	if sum != checksum(string(p)) {
		c.t.Fatalf("bad checksum %s on %q", sum, p)
	}
	if !c.noAck {
		c.writeRaw("+")
	}
	// The stub run-length encodes its replies; tests compare them expanded.
	exp, err := decodeRLE(p)
	if err != nil {
		c.t.Fatalf("bad RLE in %q: %v", p, err)
	}
	return string(exp)
}

func (c *client) call(payload string) string {
	c.t.Helper()
	c.send(payload)
	return c.recv()
}

// decoded unescapes a binary reply.
func decoded(t testing.TB, p string) string {
	t.Helper()
	b, err := unescape([]byte(p))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func hexLE(v uint64) string { return string(appendHexLE64(nil, v)) }

func mustContain(t testing.TB, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(got, s) {
			t.Errorf("%q does not contain %q", got, s)
		}
	}
}

func (f *fakeTracer) flagsCopy() []ptrace.Flags {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ptrace.Flags(nil), f.flags...)
}

func (f *fakeTracer) bpsCopy() map[uint64]bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[uint64]bool{}
	for k, v := range f.bps {
		m[k] = v
	}
	return m
}

func (f *fakeTracer) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

func (f *fakeTracer) setScript(stops ...fakeStop) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = stops
}

// MemoryRegions lists the fake's pages, merged into runs (all rwx-less
// read/write, except the page at 0x401000 which is r-x).
func (f *fakeTracer) MemoryRegions() ([]ptrace.Region, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var addrs []uint64
	for a := range f.pages {
		addrs = append(addrs, a)
	}
	sort.Slice(addrs, func(i, j int) bool { return addrs[i] < addrs[j] })
	var out []ptrace.Region
	for _, a := range addrs {
		r := ptrace.Region{Start: a, End: a + pageSize, Read: true, Write: a != 0x401000, Execute: a == 0x401000}
		if n := len(out); n > 0 && out[n-1].End == a && out[n-1].Write == r.Write && out[n-1].Execute == r.Execute {
			out[n-1].End = r.End
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// InstructionsExecuted counts the fake's Next calls as instructions.
func (f *fakeTracer) InstructionsExecuted() (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return uint64(len(f.flags)) * 1000, nil
}

// ArmedFlags and Queued report the last Next's flags and nothing queued.
func (f *fakeTracer) ArmedFlags() (ptrace.Flags, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.flags) == 0 {
		return 0, false
	}
	return f.flags[len(f.flags)-1], true
}

func (f *fakeTracer) Queued() (queue, pending []ptrace.Event) {
	return []ptrace.Event{{Cause: ptrace.EventClone, A: 7}}, nil
}

// fakeAllocBase is where the fake's AllocateMemory places memory (lldb's
// _M), downwards like mmap.
const fakeAllocBase = 0x7ffff7fff000

// AllocateMemory maps zeroed pages below the last allocation.
func (f *fakeTracer) AllocateMemory(size uint64, read, write, exec bool) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := (size + pageSize - 1) &^ (pageSize - 1)
	if n < size || n > 1<<24 {
		return 0, errors.New("ENOMEM") // the fake's pages are real memory
	}
	if f.allocTop == 0 {
		f.allocTop = fakeAllocBase
	}
	f.allocTop -= n
	for a := f.allocTop; a < f.allocTop+n; a += pageSize {
		f.pages[a] = make([]byte, pageSize)
	}
	return f.allocTop, nil
}

// DeallocateMemory unmaps the pages of an allocation.
func (f *fakeTracer) DeallocateMemory(addr, size uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for a := addr; a < addr+size; a += pageSize {
		if f.pages[a] == nil {
			return errFault
		}
		delete(f.pages, a)
	}
	return nil
}

// ProcInfo describes the fake process like a process the stub launched.
func (f *fakeTracer) ProcInfo() (ptrace.ProcInfo, error) {
	return ptrace.ProcInfo{ParentPid: 1, UID: 1000, EUID: 1000, GID: 100, EGID: 100, WorkingDir: "/work"}, nil
}

var (
	_ MemoryAllocator = (*fakeTracer)(nil)
	_ ProcInfoer      = (*fakeTracer)(nil)
	_ MemoryAllocator = (*ptrace.Session)(nil)
	_ ProcInfoer      = (*ptrace.Session)(nil)
)
