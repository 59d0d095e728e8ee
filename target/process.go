package target

import (
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
	"github.com/sirupsen/logrus"
)

// Thread is one guest thread.
type Thread struct {
	Tid int
	CPU *emu.CPU

	name string // prctl(PR_SET_NAME); empty: the executable's base name

	// Signal state; blocked and pending are also read by Kill callers
	// and are written under Process.mu.
	blocked  uint64 // signal mask
	pending  uint64 // signals sent to this thread (tkill, tgkill): bit sig-1
	pendInfo [maxSig + 1]sigInfo
	altSP    uint64 // sigaltstack (altSize 0: disabled)
	altSize  uint64
	altFlag  uint64 // SS_AUTODISARM or 0

	clearTid uint64 // CLONE_CHILD_CLEARTID / set_tid_address
	robust   uint64 // set_robust_list head

	// Scheduling, touched only by the goroutine in Resume.
	wait       waitKind
	futexAddr  uint64    // waitFutex: the futex word
	futexBits  uint32    // waitFutex: the FUTEX_WAIT_BITSET mask
	deadline   time.Time // valid when timed
	timed      bool
	remAddr    uint64   // waitSleep: nanosleep's rem argument
	waitOn     waitable // waitReady: what the thread waits for
	timeoutErr int64    // waitReady: the errno at the timeout (0: result 0)
	epoll      bool     // waitReady in epoll_wait (EINTR, never restarted)
	restart    bool     // a signal interrupted a restartable wait
	restartNr  uint64   // the syscall to restart
	sysNr      uint64   // the syscall the thread blocked in
	postStop   bool     // woken with the blocked syscall's result: its post-syscall stop is due
	noPre      bool     // the syscall at noPreAt is made again because it is ready now:
	noPreAt    uint64   // no second pre-syscall stop for it
	saveMask   bool     // rt_sigsuspend: restore savedMask after the signal
	savedMask  uint64
}

// Process is one emulated process.
type Process struct {
	Pid int
	Mem *emu.Memory
	Exe string // absolute host path of the executable

	log     logrus.FieldLogger
	baseLog logrus.FieldLogger // log without the pid field
	trace   bool               // log every syscall (the logger is at trace level)
	host    Host
	main    *Thread   // the thread created by Load (kept after it exits, for tests)
	cur     *Thread   // the thread that runs (and that the last stop is about)
	curIdx  int       // cur's index in threads, or where it was before it exited
	used    uint64    // instructions cur has run in its quantum
	waitq   []*Thread // futex waiters in the order they started to wait
	retired uint64    // instructions run by threads that have exited

	// The process tree (fork.go).
	kern        *kernel
	parent      *Process   // nil for the process Load made
	children    []*Process // live and zombie children, in fork order
	liveKids    int        // children that have not exited
	exitSignal  int        // sent to the parent at exit (clone's CSIGNAL)
	vforkParent *Thread    // the vfork parent waiting for this child to exec or exit
	sliceMode   bool       // run returns errSliceDone at the end of a quantum
	execed      bool
	orphan      bool // the parent exited; the root runs it
	auxv        []byte
	execfn      string
	entry       uint64

	brkStart, brk uint64 // the heap: [brkStart, brk), mapped up to pageUp(brk)
	stackLow      uint64 // the stack is mapped over [stackLow, stackTop)
	stackPerm     emu.Perm

	files  fdTable
	sig    signalState
	rng    *rand.ChaCha8 // getrandom(2) stream (deterministic)
	warned map[uint64]bool

	cwd       string    // the current directory (absolute), "" until chdir: the stub's (fsops.go)
	umask     uint32    // umask(2)'s value, applied to created files' modes (the stub's own umask applies on top, so it cannot grant more)
	alarm     realTimer // ITIMER_REAL (timers.go); a fork starts with none
	clk       HostTime  // the host's time (scheduler deadlines, sleeps, timers)
	pgid, sid int       // process group and session (pgroups.go)
	maxMemory uint64    // the limit on accessible mappings (memlimit.go)
	memWarned bool      // the limit has been logged at warning level

	// The stop state machine; touched only by the goroutine in Resume.
	park        parkState
	parked      sigInfo      // the signal of a parkSignal stop
	sysnr       uint64       // the syscall of a parkPreSyscall stop
	stepPending bool         // a single-stepped instruction completed but its stop is still due
	inSyscall   bool         // stopped at a pre- or post-syscall stop of p.sysnr
	exitReq     *int         // set by exit/exit_group: the wait status
	focusTid    int          // Focus: the thread the next Resume runs first (focus.go)
	lockTid     int          // LockTo: the only thread the scheduler runs (0: any)
	sysFilter   *syscallSet  // SetSyscallFilter: the syscalls with stops (nil: all)
	held        map[int]bool // Hold: threads the scheduler leaves where they are (focus.go)
	threadExit  bool         // set by exit when other threads remain

	// Shared with Kill and ExitStatus callers.
	intr     atomic.Bool   // makes CPU.Run return StopInterrupt
	pauseReq atomic.Bool   // Interrupt: stop with a signal-less StopSignal (focus.go)
	wake     chan struct{} // interrupts a sleeping syscall
	mu       sync.Mutex
	threads  []*Thread // the live threads, in creation order
	pending  uint64    // signals sent to the process: bit sig-1
	pendInfo [maxSig + 1]sigInfo
	exited   bool
	status   int

	clone cloneState // the clone hook and the freeze flag (clone.go)
}

// parkState says what a stopped process does when it is resumed.
type parkState uint8

const (
	parkNone       parkState = iota // nothing pending: just run
	parkPreSyscall                  // the syscall in p.sysnr is to run or be skipped
	parkSignal                      // the signal in p.parked is to be acted on or discarded
	parkExit                        // the process is exiting: the next Resume finds it gone
)

// Load loads a static ELF64 executable (ET_EXEC or static-PIE) and builds
// its initial stack. The process is stopped at its entry point.
func Load(cfg Config) (*Process, error) {
	host := cfg.Host
	if host == nil {
		host = NewOSHost()
	}
	log := cfg.Log
	if log == nil {
		log = logrus.New()
	}
	pid := cfg.Pid
	if pid == 0 {
		pid = FirstPid
	}
	data := cfg.Image
	if data == nil {
		if cfg.Path == "" {
			return nil, fmt.Errorf("load: no executable given")
		}
		var err error
		if data, err = readHostFile(host, cfg.Path); err != nil {
			return nil, fmt.Errorf("load %s: %w", cfg.Path, err)
		}
	}
	name := cfg.Path
	if name == "" && len(cfg.Args) > 0 {
		name = cfg.Args[0]
	}
	args := cfg.Args
	if len(args) == 0 && name != "" {
		args = []string{name} // argv[0] defaults to the path, as a shell would give
	}
	img, err := parseELF(data)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	exe := name
	if exe != "" && !filepath.IsAbs(exe) {
		if wd, err := host.Getwd(); err == nil {
			exe = filepath.Join(wd, exe)
		}
	}

	mem := emu.NewMemory()
	if err := mapImage(mem, img); err != nil {
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	uid, euid, gid, egid := host.IDs()
	st, err := buildStack(mem, img, name, args, cfg.Env, [4]int{uid, euid, gid, egid}, probeHwcap())
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	cpu := emu.NewCPU(mem)
	cpu.R[emu.RSP] = st.sp
	cpu.RIP = img.entry

	main := &Thread{Tid: pid, CPU: cpu}
	p := &Process{
		Pid:       pid,
		Mem:       mem,
		Exe:       exe,
		log:       log.WithField("pid", pid),
		baseLog:   log,
		kern:      &kernel{nextID: pid + 1, token: make(chan struct{}, 1)},
		trace:     traceEnabled(log),
		host:      host,
		main:      main,
		cur:       main,
		threads:   []*Thread{main},
		auxv:      st.auxv,
		execfn:    name,
		entry:     img.entry,
		brkStart:  img.brk,
		brk:       img.brk,
		stackLow:  st.low,
		stackPerm: st.perm,
		rng:       rand.NewChaCha8(seed(getrandomSeed)),
		warned:    map[uint64]bool{},
		wake:      make(chan struct{}, 1),
		maxMemory: cfg.MaxMemory,
		umask:     0o022,
		pgid:      pid,
		sid:       pid,
	}
	p.kern.root = p
	if p.maxMemory == 0 {
		p.maxMemory = DefaultMaxMemory
	}
	p.files.init(cfg.Stdin, cfg.Stdout, cfg.Stderr)
	p.files.poller, _ = p.host.(HostPoller)
	p.clk = hostTime(p.host)
	p.log.WithFields(logrus.Fields{"exe": exe, "entry": fmt.Sprintf("%#x", img.entry), "pie": img.pie}).Debug("loaded")
	return p, nil
}

// traceEnabled reports whether l logs at trace level.
func traceEnabled(l logrus.FieldLogger) bool {
	switch v := l.(type) {
	case *logrus.Logger:
		return v.IsLevelEnabled(logrus.TraceLevel)
	case *logrus.Entry:
		return v.Logger.IsLevelEnabled(logrus.TraceLevel)
	}
	return false
}

// readHostFile reads a whole host file through the Host.
func readHostFile(h Host, path string) ([]byte, error) {
	f, err := h.Open(path, oRDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// probeHwcap asks the emulated CPU for CPUID leaf 1 EDX, which is what
// Linux reports in AT_HWCAP on x86.
func probeHwcap() uint64 {
	const code = 0x10000
	mem := emu.NewMemory()
	if mem.Map(code, emu.PageSize, emu.PermRead|emu.PermExec) != nil ||
		mem.WriteForce(code, []byte{0x0f, 0xa2}) != nil { // cpuid
		return fallbackHwcap
	}
	cpu := emu.NewCPU(mem)
	cpu.RIP = code
	cpu.R[emu.RAX] = 1
	if r, n := cpu.Run(1, nil); r != emu.StopBudget || n != 1 {
		return fallbackHwcap
	}
	return uint64(uint32(cpu.R[emu.RDX]))
}

// growStack extends the stack down to cover addr, as Linux does when a
// fault hits the area the stack may grow into (up to RLIMIT_STACK). It
// reports whether addr is now mapped.
func (p *Process) growStack(addr uint64) bool {
	if addr < stackTop-stackSize || addr >= p.stackLow {
		return false
	}
	low := addr &^ pageMask
	if p.anyMapped(low, p.stackLow-low) {
		return false // something was mapped in the way
	}
	if !p.memoryAllows("stack growth", low, p.stackLow-low, p.stackPerm) {
		return false
	}
	if err := p.Mem.Map(low, p.stackLow-low, p.stackPerm); err != nil {
		return false
	}
	p.log.WithField("low", fmt.Sprintf("%#x", low)).Debug("stack grown")
	p.stackLow = low
	return true
}

// Threads lists the live threads, the first being the main thread.
func (p *Process) Threads() []*Thread {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exited {
		return nil
	}
	return append([]*Thread(nil), p.threads...)
}

// ThreadName is the name of thread tid as Linux's comm shows it: set with
// prctl(PR_SET_NAME), inherited by new threads and forks, and otherwise
// the executable's base name (15 bytes at most). ok is false for a tid
// that is not a live thread. Call it only while p is stopped.
func (p *Process) ThreadName(tid int) (name string, ok bool) {
	for _, t := range p.Threads() {
		if t.Tid == tid {
			return p.threadName(t), true
		}
	}
	return "", false
}

func (p *Process) threadName(t *Thread) string {
	if t.name != "" {
		return t.name
	}
	name := filepath.Base(p.execfn)
	if len(name) > taskComm-1 {
		name = name[:taskComm-1]
	}
	return name
}

// Auxv returns the auxiliary vector as placed on the initial stack.
func (p *Process) Auxv() []byte { return append([]byte(nil), p.auxv...) }

// Entry is the executable's entry point (relocated).
func (p *Process) Entry() uint64 { return p.entry }

// Kill queues signal sig for the process, as kill(2) would, and makes a
// running Resume notice it promptly (within milliseconds). Safe to call
// from any goroutine, concurrently with Resume. SIGKILL terminates.
func (p *Process) Kill(sig int) { p.queue(nil, sigInfo{signo: sig, code: siUser}) }

// queue makes signal si pending for thread t, or for the process when t
// is nil.
func (p *Process) queue(t *Thread, si sigInfo) {
	if si.signo <= 0 || si.signo > maxSig {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exited {
		return
	}
	pending, info := &p.pending, &p.pendInfo
	if t != nil {
		pending, info = &t.pending, &t.pendInfo
	}
	if *pending&sigBit(si.signo) == 0 {
		info[si.signo] = si // a standard signal already pending is not queued twice
	}
	*pending |= sigBit(si.signo)
	p.intr.Store(true)
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// ExitStatus reports the wait status once the process has exited.
func (p *Process) ExitStatus() (status int, exited bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status, p.exited
}

// String describes the process for logs.
func (p *Process) String() string {
	return fmt.Sprintf("process %d (%s)", p.Pid, p.Exe)
}
