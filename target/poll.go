package target

import (
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// poll(2) and ppoll(2), over the same readiness as epoll (epoll.go).

const (
	sysPoll  = 7
	sysPpoll = 271

	pollNval   = 0x20
	pollfdSize = 8 // struct pollfd: int fd; short events, revents
)

// pollSet is what a thread blocked in poll waits for.
type pollSet struct {
	files *fdTable
	fds   []int32
	evs   []uint32
}

// revents returns each entry's revents and how many are non-zero.
func (s pollSet) revents() ([]uint32, int) {
	out := make([]uint32, len(s.fds))
	n := 0
	for i, fd := range s.fds {
		if fd < 0 {
			continue
		}
		f := s.files.get(fd)
		if f == nil {
			out[i] = pollNval
		} else {
			out[i] = readiness(s.files, f) & (s.evs[i] | epollErr | epollHup)
		}
		if out[i] != 0 {
			n++
		}
	}
	return out, n
}

func (s pollSet) ready() bool {
	_, n := s.revents()
	return n > 0
}

// sysPoll is poll (timeout in ms, negative: forever) and ppoll (timeout
// from a timespec; the signal mask argument is not applied). With nothing
// ready it blocks the thread until something is (the call is made again),
// the timeout passes (0) or a signal comes (EINTR).
func (p *Process) sysPoll(t *Thread, fdsAddr, nfds uint64, timeout time.Duration, forever bool) uint64 {
	if nfds > maxFDs {
		return fail(eINVAL)
	}
	b, r := p.getBytes(fdsAddr, nfds*pollfdSize)
	if r != 0 {
		return r
	}
	s := pollSet{files: &p.files, fds: make([]int32, nfds), evs: make([]uint32, nfds)}
	for i := range s.fds {
		s.fds[i] = int32(le.Uint32(b[i*pollfdSize:]))
		s.evs[i] = uint32(le.Uint16(b[i*pollfdSize+4:]))
	}
	rev, n := s.revents()
	for i := range rev {
		le.PutUint16(b[i*pollfdSize+6:], uint16(rev[i]))
	}
	if r := p.putBytes(fdsAddr, b); r != 0 {
		return r
	}
	if n > 0 || (!forever && timeout <= 0) {
		return uint64(n)
	}
	t.waitOn, t.epoll = s, true
	t.restartNr = t.CPU.R[emu.RAX]
	p.block(t, waitReady, timeout, !forever)
	return 0
}

// pollSyscall runs poll and ppoll; ok is false for other syscalls.
func (p *Process) pollSyscall(t *Thread, nr, a0, a1, a2 uint64) (uint64, bool) {
	switch nr {
	case sysPoll:
		ms := int64(int32(a2))
		return p.sysPoll(t, a0, a1, time.Duration(ms)*time.Millisecond, ms < 0), true
	case sysPpoll:
		if a2 == 0 {
			return p.sysPoll(t, a0, a1, 0, true), true
		}
		ts, r := p.getBytes(a2, 16)
		if r != 0 {
			return r, true
		}
		sec, nsec := int64(le.Uint64(ts)), int64(le.Uint64(ts[8:]))
		if sec < 0 || nsec < 0 || nsec >= 1e9 {
			return fail(eINVAL), true
		}
		return p.sysPoll(t, a0, a1, time.Duration(sec)*time.Second+time.Duration(nsec), false), true
	}
	return 0, false
}
