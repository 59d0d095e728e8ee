package target

import (
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// Host streams that can block: the guest's stdin when it is a terminal or
// a pipe, host FIFOs, character devices and sockets. Their readiness is
// asked of the Host (HostPoller) before a read or write, never during
// one: a thread whose read would block waits in the scheduler like a
// thread reading an empty guest pipe, so the other threads (and Kill)
// keep going. Regular files never block and are never polled.

// HostPoller is the optional part of a Host that reports whether reading
// or writing a host stream would block. f is a Config stream or a
// HostFile. Without it, host reads and writes block the emulator.
type HostPoller interface {
	// Pollable reports whether reads or writes of f can block (pipes,
	// FIFOs, terminals, sockets, character devices). It is asked once per
	// open file description.
	Pollable(f any) bool
	// Ready reports whether a read (write: a write) of f would return
	// now without blocking; end of file and errors count as ready.
	Ready(f any, write bool) bool
	// WaitReady waits until one of ws is ready, d passes or cancel
	// receives, noticing cancel within about 20 ms.
	WaitReady(ws []HostWait, d time.Duration, cancel <-chan struct{})
}

// HostWait is a host stream a blocked thread waits for.
type HostWait struct {
	F           any
	Read, Write bool
}

// Pollability of an open file description, found out on first use.
const (
	hpUnknown uint8 = iota
	hpNo
	hpYes
)

// hostObj is the host object behind f: its host file or its stream.
func (f *openFile) hostObj() any {
	if f.file != nil {
		return f.file
	}
	return f.stream
}

// pollable reports whether f is a host stream whose reads or writes can
// block (and the host can tell when they would).
func (t *fdTable) pollable(f *openFile) bool {
	switch f.hpoll {
	case hpYes:
		return t.poller != nil
	case hpNo:
		return false
	}
	f.hpoll = hpNo
	if t.poller == nil {
		return false
	}
	switch f.hostObj().(type) {
	case nil, pipeReader, pipeWriter, *eventFD, *epollFile:
		return false // inside the emulator
	}
	if t.poller.Pollable(f.hostObj()) {
		f.hpoll = hpYes
		return true
	}
	return false
}

// hostReady reports whether a read (write) of f would not block; files
// that never block are always ready.
func (t *fdTable) hostReady(f *openFile, write bool) bool {
	if !t.pollable(f) {
		return true
	}
	return t.poller.Ready(f.hostObj(), write)
}

// hostWait is a thread blocked reading or writing a host stream.
type hostWait struct {
	files *fdTable
	f     *openFile
	write bool
}

func (w hostWait) ready() bool { return w.files.hostReady(w.f, w.write) }

func (w hostWait) hostWaits(dst []HostWait) []HostWait {
	return append(dst, HostWait{F: w.f.hostObj(), Read: !w.write, Write: w.write})
}

// hostWaiter is a waitable that depends on host streams; the scheduler
// asks the host to wait for them when no thread can run.
type hostWaiter interface {
	hostWaits(dst []HostWait) []HostWait
}

// appendHostWaits adds the host streams of descriptors fd with poll
// events ev (epollIn, epollOut).
func (t *fdTable) appendHostWaits(dst []HostWait, fd int32, ev uint32) []HostWait {
	f := t.get(fd)
	if f == nil || !t.pollable(f) {
		return dst
	}
	return append(dst, HostWait{F: f.hostObj(), Read: ev&epollIn != 0, Write: ev&epollOut != 0})
}

func (s pollSet) hostWaits(dst []HostWait) []HostWait {
	for i, fd := range s.fds {
		dst = s.files.appendHostWaits(dst, fd, s.evs[i])
	}
	return dst
}

func (ep *epollFile) hostWaits(dst []HostWait) []HostWait {
	for fd, e := range ep.interest {
		dst = ep.files.appendHostWaits(dst, fd, e.events)
	}
	return dst
}

// waitHost checks a host stream before the current thread reads (write:
// writes) it. If the call would block, a blocking file makes the thread
// wait (the call is made again when the stream is ready) and wait is
// true; an O_NONBLOCK file gets EAGAIN (r). Otherwise both are zero and
// the call goes ahead.
func (p *Process) waitHost(f *openFile, write bool) (wait bool, r uint64) {
	if p.files.hostReady(f, write) {
		return false, 0
	}
	if f.flags&oNONBLOCK != 0 {
		return false, fail(eAGAIN)
	}
	t := p.cur
	t.waitOn, t.epoll = hostWait{files: &p.files, f: f, write: write}, false
	t.restartNr = t.CPU.R[emu.RAX] // the syscall number is still in RAX during the call
	p.block(t, waitReady, 0, false)
	return true, 0
}

// hostWaits collects the host streams the blocked threads of p and of
// the processes it schedules wait for.
func (p *Process) hostWaits(dst []HostWait) []HostWait {
	for _, t := range p.threads {
		if t.wait != waitReady {
			continue
		}
		if hw, ok := t.waitOn.(hostWaiter); ok {
			dst = hw.hostWaits(dst)
		}
	}
	for _, c := range p.kids() {
		if !c.gone() {
			dst = c.hostWaits(dst)
		}
	}
	return dst
}

// idle waits, with no thread runnable, for d, a Kill, or one of the host
// streams blocked threads wait for.
func (p *Process) idle(d time.Duration) {
	if p.files.poller != nil {
		if ws := p.hostWaits(nil); len(ws) > 0 {
			p.files.poller.WaitReady(ws, d, p.wake)
			return
		}
	}
	p.host.Sleep(d, p.wake)
}

// HostTime is the optional part of a Host that gives the time that
// deadlines of blocked threads, sleeps and interval timers run on, so all
// host time enters through the Host. Without it the Go clock is used.
type HostTime interface {
	// Now is the current (monotonic) time.
	Now() time.Time
	// AfterFunc runs f in its own goroutine after d; stop cancels it and
	// reports whether it had not run yet.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// hostTime returns h's HostTime, or the Go clock.
func hostTime(h Host) HostTime {
	if ht, ok := h.(HostTime); ok {
		return ht
	}
	return goClock{}
}

// goClock is the Go runtime's clock.
type goClock struct{}

func (goClock) Now() time.Time { return time.Now() }
func (goClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

func (osHost) Now() time.Time { return goClock{}.Now() }
func (osHost) AfterFunc(d time.Duration, f func()) func() bool {
	return goClock{}.AfterFunc(d, f)
}
