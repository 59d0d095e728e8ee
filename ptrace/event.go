package ptrace

import (
	"encoding/binary"
	"fmt"
	"strings"
	"syscall"

	"github.com/redox-gdbstub/redox-gdbstub/target"
)

// EventSize is the size of an event record.
const EventSize = 56

// Event is Redox's PtraceEvent: cause (one bit) and six payload words
// (spec §2.2). Payloads: STOP_SIGNAL a = signal number, b = handler
// (0 SIG_DFL, 1 SIG_IGN, else an address); STOP_EXIT a = wait status;
// EVENT_CLONE a = child pid; every other word is zero.
type Event struct {
	Cause            Flags
	A, B, C, D, E, F uint64
}

// MarshalBinary encodes e as its 56-byte little-endian record.
func (e Event) MarshalBinary() ([]byte, error) {
	return e.AppendBinary(make([]byte, 0, EventSize))
}

// AppendBinary appends the 56-byte record of e to b.
func (e Event) AppendBinary(b []byte) ([]byte, error) {
	for _, w := range [7]uint64{uint64(e.Cause), e.A, e.B, e.C, e.D, e.E, e.F} {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return b, nil
}

// UnmarshalBinary decodes a 56-byte record; any other length is EINVAL.
func (e *Event) UnmarshalBinary(b []byte) error {
	if len(b) != EventSize {
		return fmt.Errorf("ptrace event: %d bytes, need %d: %w", len(b), EventSize, syscall.EINVAL)
	}
	var w [7]uint64
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	*e = Event{Cause: Flags(w[0]), A: w[1], B: w[2], C: w[3], D: w[4], E: w[5], F: w[6]}
	return nil
}

// DecodeEvents splits b into whole records (what Session.Read returns);
// a trailing partial record is EINVAL.
func DecodeEvents(b []byte) ([]Event, error) {
	if len(b)%EventSize != 0 {
		return nil, fmt.Errorf("ptrace events: %d bytes is not a multiple of %d: %w", len(b), EventSize, syscall.EINVAL)
	}
	evs := make([]Event, len(b)/EventSize)
	for i := range evs {
		if err := evs[i].UnmarshalBinary(b[i*EventSize : (i+1)*EventSize]); err != nil {
			return nil, err
		}
	}
	return evs, nil
}

// String shows the cause and the payload, e.g. "PTRACE_STOP_SIGNAL{a=11 b=0x0}",
// "PTRACE_STOP_EXIT{a=0x100}" or "PTRACE_STOP_BREAKPOINT" (no payload).
// The decoded words of the cause are always shown; other words only when set.
func (e Event) String() string {
	words := [6]uint64{e.A, e.B, e.C, e.D, e.E, e.F}
	var parts []string
	first := 0
	switch e.Cause {
	case StopSignal:
		parts = append(parts, fmt.Sprintf("a=%d", e.A), fmt.Sprintf("b=%#x", e.B))
		first = 2
	case StopExit:
		parts = append(parts, fmt.Sprintf("a=%#x", e.A))
		first = 1
	case EventClone:
		parts = append(parts, fmt.Sprintf("a=%d", e.A))
		first = 1
	}
	for i := first; i < len(words); i++ {
		if words[i] != 0 {
			parts = append(parts, fmt.Sprintf("%c=%#x", 'a'+i, words[i]))
		}
	}
	if len(parts) == 0 {
		return e.Cause.String()
	}
	return e.Cause.String() + "{" + strings.Join(parts, " ") + "}"
}

// stopFlags maps each target stop to its Redox stop bit.
var stopFlags = [...]struct {
	kind target.StopMask
	flag Flags
}{
	{target.StopPreSyscall, StopPreSyscall},
	{target.StopPostSyscall, StopPostSyscall},
	{target.StopSingleStep, StopSingleStep},
	{target.StopSignal, StopSignal},
	{target.StopBreakpoint, StopBreakpoint},
	{target.StopExit, StopExit},
}

// targetMask translates the stop bits of f into target's StopMask; bits
// without a target stop (0x40, 0x80) are dropped: they never fire.
func targetMask(f Flags) target.StopMask {
	var m target.StopMask
	for _, s := range stopFlags {
		if f&s.flag != 0 {
			m |= s.kind
		}
	}
	return m
}

// eventFromTarget builds the Redox record for a target stop.
func eventFromTarget(te target.Event) Event {
	var e Event
	for _, s := range stopFlags {
		if te.Kind == s.kind {
			e.Cause = s.flag
			break
		}
	}
	switch te.Kind {
	case target.StopSignal:
		e.A = uint64(te.Signo)
		e.B = te.Handler
	case target.StopExit:
		e.A = uint64(uint32(te.Status))
	}
	return e
}
