package target

import (
	"sync"
	"time"
)

// The real-time interval timer (setitimer/getitimer with ITIMER_REAL, and
// alarm): SIGALRM is queued from a host timer, as the kernel does from its
// own. (It runs on host time, like the guest's clocks and sleeps; the
// virtual and profiling timers are not offered: EINVAL.)

const (
	sysAlarm     = 37
	sysGetitimer = 36
	sysSetitimer = 38

	itimerReal = 0
)

// realTimer is a process's ITIMER_REAL. Its methods are safe to call from
// the timer's goroutine and the process's. Its time is the Host's
// (HostTime).
type realTimer struct {
	mu       sync.Mutex
	stopFn   func() bool // cancels the pending expiry; nil when disarmed
	gen      uint64      // counts arms, so a stale expiry does nothing
	deadline time.Time
	interval time.Duration
}

// remaining returns the time left (0: disarmed) and the interval.
func (r *realTimer) remaining(clk HostTime) (time.Duration, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopFn == nil {
		return 0, r.interval
	}
	return max(r.deadline.Sub(clk.Now()), time.Microsecond), r.interval
}

// set arms the timer for value (0 disarms) with interval and returns the
// previous setting. fire runs in the timer's goroutine at each expiry.
func (r *realTimer) set(clk HostTime, value, interval time.Duration, fire func()) (time.Duration, time.Duration) {
	oldValue, oldInterval := r.remaining(clk)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.disarmLocked()
	r.interval = interval
	if value <= 0 {
		r.interval = 0
		return oldValue, oldInterval
	}
	r.armLocked(clk, value, fire)
	return oldValue, oldInterval
}

// armLocked makes the timer expire after d.
func (r *realTimer) armLocked(clk HostTime, d time.Duration, fire func()) {
	r.gen++
	gen := r.gen
	r.deadline = clk.Now().Add(d)
	r.stopFn = clk.AfterFunc(d, func() {
		r.mu.Lock()
		if r.gen != gen {
			r.mu.Unlock()
			return // re-armed or disarmed meanwhile
		}
		if r.interval > 0 {
			r.armLocked(clk, r.interval, fire)
		} else {
			r.stopFn = nil
		}
		r.mu.Unlock()
		fire()
	})
}

func (r *realTimer) disarmLocked() {
	if r.stopFn != nil {
		r.stopFn()
		r.stopFn = nil
	}
	r.gen++
}

// stop disarms the timer (at exit).
func (r *realTimer) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.disarmLocked()
}

// timerSyscall runs the timer system calls; ok is false for others.
func (p *Process) timerSyscall(nr, a0, a1, a2 uint64) (uint64, bool) {
	switch nr {
	case sysAlarm:
		left, _ := p.alarm.set(p.clk, time.Duration(uint32(a0))*time.Second, 0, p.fireAlarm)
		// Whole seconds, rounded to nearest, and never 0 for a pending alarm.
		secs := uint64((left + time.Second/2) / time.Second)
		if secs == 0 && left > 0 {
			secs = 1
		}
		return secs, true
	case sysSetitimer:
		if a0 != itimerReal {
			return fail(eINVAL), true
		}
		var value, interval time.Duration
		if a1 != 0 {
			b, r := p.getBytes(a1, 32)
			if r != 0 {
				return r, true
			}
			var ok bool
			if interval, ok = timevalDuration(b[0:16]); !ok {
				return fail(eINVAL), true
			}
			if value, ok = timevalDuration(b[16:32]); !ok {
				return fail(eINVAL), true
			}
		}
		oldValue, oldInterval := p.alarm.remaining(p.clk)
		if a1 != 0 {
			oldValue, oldInterval = p.alarm.set(p.clk, value, interval, p.fireAlarm)
		}
		if a2 != 0 {
			return p.putBytes(a2, itimerval(oldInterval, oldValue)), true
		}
		return 0, true
	case sysGetitimer:
		if a0 != itimerReal {
			return fail(eINVAL), true
		}
		value, interval := p.alarm.remaining(p.clk)
		return p.putBytes(a1, itimerval(interval, value)), true
	}
	return 0, false
}

// fireAlarm queues SIGALRM for the process.
func (p *Process) fireAlarm() { p.queue(nil, sigInfo{signo: sigALRM, code: siKernel}) }

// timevalDuration decodes a struct timeval.
func timevalDuration(b []byte) (time.Duration, bool) {
	sec, usec := int64(le.Uint64(b[0:])), int64(le.Uint64(b[8:]))
	if sec < 0 || usec < 0 || usec >= 1e6 || sec > 1<<32 {
		return 0, false
	}
	return time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond, true
}

// itimerval encodes a struct itimerval.
func itimerval(interval, value time.Duration) []byte {
	b := make([]byte, 0, 32)
	for _, d := range []time.Duration{interval, value} {
		// Round up to whole microseconds, as Linux reports them.
		us := (d + time.Microsecond - 1) / time.Microsecond
		b = le.AppendUint64(b, uint64(us/1e6))
		b = le.AppendUint64(b, uint64(us%1e6))
	}
	return b
}
