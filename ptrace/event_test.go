package ptrace

import (
	"bytes"
	"encoding/binary"
	"errors"
	"syscall"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/target"
)

func TestEventLayout(t *testing.T) {
	e := Event{Cause: StopSignal, A: 11, B: 0x401000, C: 3, D: 4, E: 5, F: 6}
	b, err := e.MarshalBinary()
	if err != nil || len(b) != EventSize || EventSize != 56 {
		t.Fatalf("MarshalBinary: %d bytes, %v", len(b), err)
	}
	offsets := []struct {
		off  int
		want uint64
	}{{0, uint64(StopSignal)}, {8, 11}, {16, 0x401000}, {24, 3}, {32, 4}, {40, 5}, {48, 6}}
	for _, o := range offsets {
		if got := binary.LittleEndian.Uint64(b[o.off:]); got != o.want {
			t.Errorf("offset %d = %#x, want %#x", o.off, got, o.want)
		}
	}
	var back Event
	if err := back.UnmarshalBinary(b); err != nil || back != e {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	if err := back.UnmarshalBinary(b[:55]); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("short UnmarshalBinary = %v, want EINVAL", err)
	}
	two := append(append([]byte{}, b...), b...)
	evs, err := DecodeEvents(two)
	if err != nil || len(evs) != 2 || evs[1] != e {
		t.Errorf("DecodeEvents = %v, %v", evs, err)
	}
	if _, err := DecodeEvents(two[:60]); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("DecodeEvents(60 bytes) = %v, want EINVAL", err)
	}
}

func TestEventString(t *testing.T) {
	tests := []struct {
		e    Event
		want string
	}{
		{Event{Cause: StopBreakpoint}, "PTRACE_STOP_BREAKPOINT"},
		{Event{Cause: StopSignal, A: 11}, "PTRACE_STOP_SIGNAL{a=11 b=0x0}"},
		{Event{Cause: StopSignal, A: 2, B: 0x401234}, "PTRACE_STOP_SIGNAL{a=2 b=0x401234}"},
		{Event{Cause: StopExit, A: 0x300}, "PTRACE_STOP_EXIT{a=0x300}"},
		{Event{Cause: EventClone, A: 42}, "PTRACE_EVENT_CLONE{a=42}"},
		{Event{Cause: StopSingleStep, F: 1}, "PTRACE_STOP_SINGLESTEP{f=0x1}"},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.e, got, tt.want)
		}
	}
}

func TestEventFromTarget(t *testing.T) {
	tests := []struct {
		in   target.Event
		want Event
	}{
		{target.Event{Kind: target.StopPreSyscall, Tid: 7, Syscall: 1}, Event{Cause: StopPreSyscall}},
		{target.Event{Kind: target.StopPostSyscall}, Event{Cause: StopPostSyscall}},
		{target.Event{Kind: target.StopSingleStep}, Event{Cause: StopSingleStep}},
		{target.Event{Kind: target.StopBreakpoint}, Event{Cause: StopBreakpoint}},
		{target.Event{Kind: target.StopSignal, Signo: 11, Handler: 0x401000, SigCode: 1, SigAddr: 8}, Event{Cause: StopSignal, A: 11, B: 0x401000}},
		{target.Event{Kind: target.StopExit, Status: 0x100}, Event{Cause: StopExit, A: 0x100}},
	}
	for _, tt := range tests {
		if got := eventFromTarget(tt.in); got != tt.want {
			t.Errorf("eventFromTarget(%+v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestTargetMask(t *testing.T) {
	tests := []struct {
		f    Flags
		want target.StopMask
	}{
		{0, 0},
		{StopBreakpoint | StopSignal | StopExit | FlagIgnore, target.StopBreakpoint | target.StopSignal | target.StopExit},
		{StopPreSyscall | StopPostSyscall, target.StopPreSyscall | target.StopPostSyscall},
		{StopSingleStep | EventClone | 0x40, target.StopSingleStep},
	}
	for _, tt := range tests {
		if got := targetMask(tt.f); got != tt.want {
			t.Errorf("targetMask(%v) = %#x, want %#x", tt.f, got, tt.want)
		}
	}
}

func FuzzEventUnmarshal(f *testing.F) {
	seed, _ := Event{Cause: StopExit, A: 0x100}.MarshalBinary()
	f.Add(seed)
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Event
		if err := e.UnmarshalBinary(b); err != nil {
			return
		}
		_ = e.String()
		out, _ := e.MarshalBinary()
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip % x -> % x", b, out)
		}
	})
}
