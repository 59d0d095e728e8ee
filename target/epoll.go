package target

import (
	"sort"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// eventfd(2) and a level-triggered epoll(7) over the emulator's own
// descriptors, enough for runtimes that park in epoll_wait (Go's
// netpoller): pipes and eventfds report readiness as they are; host
// files and standard streams always count as ready.

// eventFD is the counter of an eventfd, used as an openFile stream.
type eventFD struct {
	count     uint64
	semaphore bool
}

const (
	efdSemaphore = 1
	epollCtlAdd  = 1
	epollCtlDel  = 2
	epollCtlMod  = 3
	epollIn      = 0x1
	epollOut     = 0x4
	epollErr     = 0x8
	epollHup     = 0x10
	epollEvent   = 12 // sizeof(struct epoll_event), packed on x86_64
)

func (e *eventFD) Read(b []byte) (int, error) {
	if len(b) < 8 {
		return 0, errnoError(eINVAL)
	}
	if e.count == 0 {
		return 0, errWouldBlock
	}
	v := e.count
	if e.semaphore {
		v = 1
	}
	e.count -= v
	le.PutUint64(b, v)
	return 8, nil
}

func (e *eventFD) Write(b []byte) (int, error) {
	if len(b) < 8 {
		return 0, errnoError(eINVAL)
	}
	v := le.Uint64(b)
	if v == ^uint64(0) || e.count+v < e.count || e.count+v == ^uint64(0) {
		return 0, errnoError(eINVAL) // overflow: a blocking write would wait; not modelled
	}
	e.count += v
	return 8, nil
}

func (e *eventFD) ready() bool { return e.count > 0 }

func (p *Process) sysEventfd2(initval uint32, flags int) uint64 {
	if flags&^(efdSemaphore|oNONBLOCK|oCLOEXEC) != 0 {
		return fail(eINVAL)
	}
	f := &openFile{flags: oRDWR | flags&oNONBLOCK, stream: &eventFD{count: uint64(initval), semaphore: flags&efdSemaphore != 0}}
	fd, ok := p.files.install(f, 0, flags&oCLOEXEC != 0)
	if !ok {
		return fail(eMFILE)
	}
	return uint64(fd)
}

// epollFile is an epoll instance: the interest list by descriptor.
type epollFile struct {
	files    *fdTable
	interest map[int32]epollEntry
}

type epollEntry struct {
	events uint32
	data   uint64
}

// readyEvents lists the ready interests in descriptor order.
func (ep *epollFile) readyEvents(max int) []epollEntry {
	fds := make([]int32, 0, len(ep.interest))
	for fd := range ep.interest {
		fds = append(fds, fd)
	}
	sort.Slice(fds, func(i, j int) bool { return fds[i] < fds[j] })
	var out []epollEntry
	for _, fd := range fds {
		if len(out) >= max {
			break
		}
		e := ep.interest[fd]
		f := ep.files.get(fd)
		if f == nil {
			continue
		}
		if ev := readiness(ep.files, f) & (e.events | epollErr | epollHup); ev != 0 {
			out = append(out, epollEntry{events: ev, data: e.data})
		}
	}
	return out
}

// readiness returns the epoll (and poll: the bits are the same) events
// that f is ready for.
func readiness(t *fdTable, f *openFile) uint32 {
	var ev uint32
	switch s := f.stream.(type) {
	case pipeReader:
		// Linux's pipe_poll: readable only with data; the end of the
		// writers is POLLHUP alone.
		if len(s.p.data) > 0 {
			ev |= epollIn
		}
		if s.p.writers == 0 {
			ev |= epollHup
		}
	case pipeWriter:
		ev |= epollOut
		if s.p.readers == 0 {
			ev |= epollErr
		}
	case *eventFD:
		ev |= epollOut
		if s.ready() {
			ev |= epollIn
		}
	case *epollFile:
		if len(s.readyEvents(1)) > 0 {
			ev |= epollIn
		}
	default:
		if !t.pollable(f) {
			ev |= epollIn | epollOut
			break
		}
		// A host stream: ask the host (hostio.go).
		if f.readable() && t.hostReady(f, false) {
			ev |= epollIn
		}
		if f.writable() && t.hostReady(f, true) {
			ev |= epollOut
		}
	}
	return ev
}

func (ep *epollFile) ready() bool { return len(ep.readyEvents(1)) > 0 }

func (p *Process) sysEpollCreate1(flags int) uint64 {
	if flags&^oCLOEXEC != 0 {
		return fail(eINVAL)
	}
	f := &openFile{flags: oRDONLY, stream: &epollFile{files: &p.files, interest: map[int32]epollEntry{}}}
	fd, ok := p.files.install(f, 0, flags&oCLOEXEC != 0)
	if !ok {
		return fail(eMFILE)
	}
	return uint64(fd)
}

func (p *Process) epollOf(epfd int32) (*epollFile, uint64) {
	f := p.files.get(epfd)
	if f == nil {
		return nil, fail(eBADF)
	}
	ep, ok := f.stream.(*epollFile)
	if !ok {
		return nil, fail(eINVAL)
	}
	return ep, 0
}

func (p *Process) sysEpollCtl(epfd int32, op int, fd int32, evAddr uint64) uint64 {
	ep, r := p.epollOf(epfd)
	if r != 0 {
		return r
	}
	if p.files.get(fd) == nil {
		return fail(eBADF)
	}
	if fd == epfd {
		return fail(eINVAL)
	}
	var e epollEntry
	if op != epollCtlDel {
		b, r := p.getBytes(evAddr, epollEvent)
		if r != 0 {
			return r
		}
		e = epollEntry{events: le.Uint32(b), data: le.Uint64(b[4:])}
	}
	_, exists := ep.interest[fd]
	switch op {
	case epollCtlAdd:
		if exists {
			return fail(eEXIST)
		}
		if f := p.files.get(fd); f.file != nil {
			// Regular files and directories do not support poll:
			// Linux refuses them in an epoll set.
			if st, err := f.file.Stat(); err == nil && (st.Mode&sIFMT == sIFREG || st.Mode&sIFMT == sIFDIR) {
				return fail(ePERM)
			}
		}
		ep.interest[fd] = e
	case epollCtlMod:
		if !exists {
			return fail(eNOENT)
		}
		ep.interest[fd] = e
	case epollCtlDel:
		if !exists {
			return fail(eNOENT)
		}
		delete(ep.interest, fd)
	default:
		return fail(eINVAL)
	}
	return 0
}

// sysEpollWait is epoll_wait and epoll_pwait (the signal mask argument is
// not applied). With nothing ready it blocks the thread, until an
// interest is ready (the call is made again), the timeout passes (0) or
// a signal comes (EINTR).
func (p *Process) sysEpollWait(t *Thread, epfd int32, evAddr uint64, max int, timeout int) uint64 {
	ep, r := p.epollOf(epfd)
	if r != 0 {
		return r
	}
	if max <= 0 || max > 1<<20 {
		return fail(eINVAL)
	}
	if evs := ep.readyEvents(max); len(evs) > 0 {
		b := make([]byte, 0, len(evs)*epollEvent)
		for _, e := range evs {
			b = le.AppendUint32(b, e.events)
			b = le.AppendUint64(b, e.data)
		}
		if r := p.putBytes(evAddr, b); r != 0 {
			return r
		}
		return uint64(len(evs))
	}
	if timeout == 0 {
		return 0
	}
	t.waitOn, t.epoll = ep, true
	t.restartNr = t.CPU.R[emu.RAX]
	p.block(t, waitReady, time.Duration(timeout)*time.Millisecond, timeout > 0)
	return 0
}

// sysSchedGetaffinity reports one CPU: the emulator runs the guest on one.
func (p *Process) sysSchedGetaffinity(pid int, size, addr uint64) uint64 {
	if pid < 0 {
		return fail(eINVAL)
	}
	if size < 8 || size&7 != 0 {
		return fail(eINVAL)
	}
	if r := p.putBytes(addr, make([]byte, 8)); r != 0 {
		return r
	}
	if r := p.putBytes(addr, []byte{1}); r != 0 {
		return r
	}
	return 8
}
