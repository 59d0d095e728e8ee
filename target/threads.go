package target

import (
	"errors"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
	"github.com/sirupsen/logrus"
)

// Threads: clone of CLONE_THREAD threads, futexes, thread exit, and the
// deterministic scheduler. One goroutine (the caller of Resume) runs the
// threads round-robin, each for a fixed quantum of instructions, skipping
// threads blocked in a futex wait or a sleep. Scheduling decisions depend
// only on instruction counts (and, for timed waits, on the clock), so an
// untimed run is reproducible.

// quantum is how many instructions a thread runs before the next runnable
// thread gets the CPU (only when there is more than one thread).
const quantum = 100_000

// errSliceDone ends a child's slice (see Process.slice).
var errSliceDone = errors.New("slice done")

// waitKind says what a thread is blocked in.
type waitKind uint8

const (
	waitNone   waitKind = iota // runnable
	waitFutex                  // FUTEX_WAIT*: woken by FUTEX_WAKE*, a timeout or a signal
	waitSleep                  // nanosleep: woken by its deadline or a signal
	waitSignal                 // pause, rt_sigsuspend: woken by a signal only
	waitReady                  // read of an empty pipe, eventfd or host stream (hostio.go), poll, epoll_wait: restarted when ready
	waitChild                  // wait4: restarted when a child has exited
	waitVfork                  // vfork: until the child execs or exits
	waitExited                 // the thread has exited
)

// clone flags
const (
	cloneVM            = 0x00000100
	cloneFS            = 0x00000200
	cloneFiles         = 0x00000400
	cloneSighand       = 0x00000800
	clonePidfd         = 0x00001000
	clonePtrace        = 0x00002000
	cloneVfork         = 0x00004000
	cloneParent        = 0x00008000
	cloneThread        = 0x00010000
	cloneNewNS         = 0x00020000
	cloneSysvsem       = 0x00040000
	cloneSettls        = 0x00080000
	cloneParentSettid  = 0x00100000
	cloneChildCleartid = 0x00200000
	cloneDetached      = 0x00400000
	cloneUntraced      = 0x00800000
	cloneChildSettid   = 0x01000000
	cloneThreadFlags   = cloneVM | cloneFS | cloneFiles | cloneSighand | cloneThread
	cloneThreadOK      = cloneThreadFlags | cloneSysvsem | cloneSettls | cloneParentSettid |
		cloneChildCleartid | cloneDetached | cloneUntraced | cloneChildSettid | 0xff // CSIGNAL
)

// multi reports whether the scheduler has more than this thread to run:
// other threads, child processes, or (in a child) the rest of the tree.
func (p *Process) multi() bool {
	return len(p.threads) > 1 || p.liveKids > 0 || p.parent != nil || p.orphan || len(p.kern.orphans) > 0
}

// sysClone creates a thread (CLONE_THREAD with a shared address space,
// files and handlers). Fork-style clones are not supported yet.
func (p *Process) sysClone(t *Thread, flags, stack, ptid, ctid, tls uint64) uint64 {
	if flags&cloneThread == 0 {
		p.log.WithField("flags", flags).Warn("clone without CLONE_THREAD (fork) is not supported; returning ENOSYS")
		return fail(eNOSYS)
	}
	if flags&cloneThreadFlags != cloneThreadFlags || flags&^cloneThreadOK != 0 {
		return fail(eINVAL)
	}
	tid := p.kern.nextID
	if flags&cloneParentSettid != 0 {
		if r := p.putU32(ptid, uint32(tid)); r != 0 {
			return r
		}
	}
	if flags&cloneChildSettid != 0 {
		if r := p.putU32(ctid, uint32(tid)); r != 0 {
			return r
		}
	}
	p.kern.nextID++
	c := t.CPU.Clone()
	c.R[emu.RAX] = 0
	if stack != 0 {
		c.R[emu.RSP] = stack
	}
	if flags&cloneSettls != 0 {
		c.FSBase = tls
	}
	nt := &Thread{Tid: tid, CPU: c, blocked: t.blocked, name: t.name}
	if flags&cloneChildCleartid != 0 {
		nt.clearTid = ctid
	}
	p.mu.Lock()
	p.threads = append(p.threads, nt)
	p.mu.Unlock()
	p.log.WithFields(logrus.Fields{"tid": tid, "parent": t.Tid}).Debug("thread created")
	p.notifyClone(t, tid, nil, false)
	return uint64(tid)
}

// instructions is the number of instructions all threads have run.
func (p *Process) instructions() uint64 {
	n := p.retired
	for _, t := range p.threads {
		n += t.CPU.InstructionsExecuted()
	}
	return n
}

func (p *Process) putU32(addr uint64, v uint32) uint64 {
	return p.putBytes(addr, le.AppendUint32(nil, v))
}

// exitThread ends thread t (exit(2) while other threads remain): its
// CLONE_CHILD_CLEARTID word is zeroed and woken, and it leaves the
// thread list. The scheduler then picks another thread.
func (p *Process) exitThread(t *Thread) {
	if t.clearTid != 0 {
		if p.putU32(t.clearTid, 0) == 0 {
			p.futexWake(t.clearTid, 1, ^uint32(0))
		}
	}
	p.mu.Lock()
	for i, x := range p.threads {
		if x == t {
			p.threads = append(p.threads[:i], p.threads[i+1:]...)
			if t == p.cur {
				p.curIdx = i - 1
			}
			if t.Tid == p.lockTid {
				p.lockTid = 0 // the locked thread is gone: the lock ends
			}
			delete(p.held, t.Tid)
			break
		}
	}
	// Signals sent to the thread are lost with it.
	t.pending = 0
	p.mu.Unlock()
	t.wait = waitExited
	p.retired += t.CPU.InstructionsExecuted()
	p.log.WithField("tid", t.Tid).Debug("thread exited")
}

// schedule ends the current quantum and makes the next runnable thread
// (in creation order after the current one) current. When every thread
// is blocked it waits for a deadline or a Kill; a deadlock (all threads in
// untimed futex waits) therefore waits for Kill, as Linux would hang.
func (p *Process) schedule(mask StopMask) (Event, bool, error) {
	fresh := p.used == 0
	p.used = 0
	for {
		if !p.sliceMode {
			if ev, stop := p.takePause(mask); stop {
				return ev, true, nil
			}
		}
		if !p.sliceMode && p.takeKill() {
			if p.cur.wait == waitExited && len(p.threads) > 0 {
				p.cur = p.threads[0]
			}
			return p.terminate(sigKILL, mask)
		}
		next := p.checkWaits()
		ran := p.runChildren()
		n := len(p.threads)
		for i := 1; i <= n; i++ {
			j := ((p.curIdx+i)%n + n) % n
			if t := p.threads[j]; p.schedulable(t) {
				if t != p.cur {
					p.stepPending = false
				}
				p.cur, p.curIdx = t, j
				if p.sliceMode && !fresh {
					return Event{}, true, errSliceDone
				}
				return Event{}, false, nil
			}
		}
		if p.sliceMode {
			return Event{}, true, errSliceDone
		}
		if ran {
			continue
		}
		_, kn := p.pollKids()
		p.idle(p.idleFor(earliest(next, kn), 1<<62))
	}
}

// checkWaits wakes blocked threads whose deadline passed (ETIMEDOUT for
// futexes, 0 for sleeps) or that have a signal to take (EINTR), and
// returns the earliest remaining deadline (zero if none).
func (p *Process) checkWaits() time.Time {
	var now, next time.Time
	for _, t := range p.threads {
		if t.wait == waitNone {
			continue
		}
		p.mu.Lock()
		sig := p.readyLocked(t) != 0
		p.mu.Unlock()
		if (t.wait == waitReady && t.waitOn.ready()) || (t.wait == waitChild && p.zombie()) {
			// Ready: the call runs again now, before any signal
			// handler (which then returns to it), as if it had
			// never blocked.
			t.wait, t.waitOn, t.timed, t.timeoutErr = waitNone, nil, false, 0
			p.restartSyscall(t)
			// The tracer saw the call's entry already; it sees its
			// exit when the call is made again.
			t.noPre, t.noPreAt = true, t.CPU.RIP
			continue
		}
		if t.wait == waitVfork || t.wait == waitExited {
			continue
		}
		if sig {
			if (t.wait == waitFutex && !t.timed) || (t.wait == waitReady && !t.epoll) || t.wait == waitChild {
				t.restart = true // -ERESTARTSYS: see restartSyscall
			}
			p.endWait(t, fail(eINTR))
			continue
		}
		if !t.timed {
			continue
		}
		if now.IsZero() {
			now = p.clk.Now()
		}
		if !now.Before(t.deadline) {
			res := fail(eTIMEDOUT)
			if t.wait == waitSleep || t.wait == waitReady {
				res = 0 // nanosleep done; epoll_wait found nothing
			}
			if t.timeoutErr != 0 {
				res = fail(t.timeoutErr) // rt_sigtimedwait: EAGAIN
			}
			p.endWait(t, res)
			continue
		}
		next = earliest(next, t.deadline)
	}
	return next
}

// endWait makes t runnable with syscall result res.
func (p *Process) endWait(t *Thread, res uint64) {
	if t.wait == waitFutex {
		p.unqueue(t)
	}
	if t.wait == waitSleep && res == fail(eINTR) && t.remAddr != 0 {
		left := max(t.deadline.Sub(p.clk.Now()), 0)
		rb := le.AppendUint64(nil, uint64(left/time.Second))
		rb = le.AppendUint64(rb, uint64(left%time.Second))
		p.putBytes(t.remAddr, rb)
	}
	t.wait, t.timed, t.waitOn, t.timeoutErr = waitNone, false, nil, 0
	t.CPU.R[emu.RAX] = res
	t.postStop = true
}

// restartSyscall makes t execute the interrupted syscall again (what
// Linux does for -ERESTARTSYS when no handler runs, or the handler has
// SA_RESTART): RIP goes back to the syscall instruction, RAX to its
// number; the arguments are still in their registers.
func (p *Process) restartSyscall(t *Thread) {
	t.restart = false
	t.CPU.RIP -= 2
	t.CPU.R[emu.RAX] = t.restartNr
}

// unqueue removes t from the futex wait queue.
func (p *Process) unqueue(t *Thread) {
	for i, x := range p.waitq {
		if x == t {
			p.waitq = append(p.waitq[:i], p.waitq[i+1:]...)
			return
		}
	}
}

// block puts t to sleep in a syscall; its result is set when it wakes.
func (p *Process) block(t *Thread, kind waitKind, d time.Duration, timed bool) {
	t.wait, t.timed = kind, timed
	t.sysNr = t.CPU.R[emu.RAX] // the syscall number is still in RAX during the call
	if timed {
		t.deadline = p.clk.Now().Add(d)
	}
	if kind == waitFutex {
		p.waitq = append(p.waitq, t)
	}
}

// futex operations and flags
const (
	futexWait          = 0
	futexWake          = 1
	futexRequeue       = 3
	futexCmpRequeue    = 4
	futexWaitBitset    = 9
	futexWakeBitset    = 10
	futexPrivateFlag   = 128
	futexClockRealtime = 256
)

// sysFutex implements the wait, wake, bitset and requeue operations.
// Private and shared futexes are the same thing here (one process).
func (p *Process) sysFutex(t *Thread, addr uint64, op int, val uint32, timeout, addr2 uint64, val3 uint32) uint64 {
	cmd := op &^ (futexPrivateFlag | futexClockRealtime)
	if op&futexClockRealtime != 0 && cmd != futexWaitBitset {
		return fail(eNOSYS)
	}
	if addr&3 != 0 {
		return fail(eINVAL)
	}
	switch cmd {
	case futexWait, futexWaitBitset:
		bitset := ^uint32(0)
		if cmd == futexWaitBitset {
			if val3 == 0 {
				return fail(eINVAL)
			}
			bitset = val3
		}
		var d time.Duration
		timed := timeout != 0
		if timed {
			b, r := p.getBytes(timeout, 16)
			if r != 0 {
				return r
			}
			sec, nsec := int64(le.Uint64(b)), int64(le.Uint64(b[8:]))
			if sec < 0 || nsec < 0 || nsec >= 1e9 {
				return fail(eINVAL)
			}
			d = durationOf(sec, nsec)
			if cmd == futexWaitBitset { // absolute
				clock := 1 // CLOCK_MONOTONIC
				if op&futexClockRealtime != 0 {
					clock = 0
				}
				nowSec, nowNsec, err := p.host.Clock(clock)
				if err != nil {
					return fail(errnoOf(err))
				}
				d -= durationOf(nowSec, nowNsec)
			}
		}
		v, r := p.getBytes(addr, 4)
		if r != 0 {
			return r
		}
		if le.Uint32(v) != val {
			return fail(eAGAIN)
		}
		if timed && d <= 0 {
			return fail(eTIMEDOUT)
		}
		t.futexAddr, t.futexBits = addr, bitset
		t.restartNr = sysFutex
		p.block(t, waitFutex, d, timed)
		return 0 // replaced when the thread wakes
	case futexWake, futexWakeBitset:
		bitset := ^uint32(0)
		if cmd == futexWakeBitset {
			if val3 == 0 {
				return fail(eINVAL)
			}
			bitset = val3
		}
		return uint64(p.futexWake(addr, int(min(val, 1<<30)), bitset))
	case futexRequeue, futexCmpRequeue:
		if addr2&3 != 0 {
			return fail(eINVAL)
		}
		if cmd == futexCmpRequeue {
			v, r := p.getBytes(addr, 4)
			if r != 0 {
				return r
			}
			if le.Uint32(v) != val3 {
				return fail(eAGAIN)
			}
		}
		if int32(val) < 0 || int64(timeout) < 0 {
			return fail(eINVAL)
		}
		n := p.futexWake(addr, int(val), ^uint32(0))
		moved := 0
		for _, w := range p.waitq {
			if moved >= int(min(timeout, 1<<30)) {
				break
			}
			if w.futexAddr == addr {
				w.futexAddr = addr2
				moved++
			}
		}
		if cmd == futexCmpRequeue {
			return uint64(n + moved)
		}
		return uint64(n)
	}
	return p.unimplemented(sysFutex)
}

// futexWake wakes up to n waiters on addr whose bitset intersects bitset,
// in the order they started waiting, and returns how many it woke.
func (p *Process) futexWake(addr uint64, n int, bitset uint32) int {
	woken := 0
	for i := 0; i < len(p.waitq) && woken < n; {
		w := p.waitq[i]
		if w.futexAddr != addr || w.futexBits&bitset == 0 {
			i++
			continue
		}
		p.waitq = append(p.waitq[:i], p.waitq[i+1:]...)
		w.wait, w.timed = waitNone, false
		w.CPU.R[emu.RAX] = 0
		w.postStop = true
		woken++
	}
	return woken
}

// durationOf converts a timespec, saturating.
func durationOf(sec, nsec int64) time.Duration {
	if sec > int64(time.Duration(1<<62)/time.Second) {
		return 1 << 62
	}
	return time.Duration(sec)*time.Second + time.Duration(nsec)
}
