package ptrace

import (
	"errors"
	"syscall"
	"testing"

	"github.com/sirupsen/logrus"
)

func TestFlagValues(t *testing.T) {
	tests := []struct {
		f    Flags
		want uint64
	}{
		{StopPreSyscall, 0x0001}, {StopPostSyscall, 0x0002}, {StopSingleStep, 0x0004},
		{StopSignal, 0x0008}, {StopBreakpoint, 0x0010}, {StopExit, 0x0020},
		{StopMask, 0x00FF}, {EventClone, 0x0100}, {EventMask, 0x0F00},
		{FlagIgnore, 0x1000}, {FlagSysemu, 0x1000}, {FlagWait, 0x2000}, {FlagMask, 0xF000},
	}
	for _, tt := range tests {
		if uint64(tt.f) != tt.want {
			t.Errorf("%v = %#x, want %#x", tt.f, uint64(tt.f), tt.want)
		}
	}
}

func TestFlagsString(t *testing.T) {
	tests := []struct {
		f    Flags
		want string
	}{
		{0, "0"},
		{StopSignal | StopBreakpoint, "PTRACE_STOP_SIGNAL|PTRACE_STOP_BREAKPOINT"},
		{StopBreakpoint | StopSignal | FlagIgnore, "PTRACE_STOP_SIGNAL|PTRACE_STOP_BREAKPOINT|PTRACE_FLAG_IGNORE"},
		{StopPreSyscall, "PTRACE_STOP_PRE_SYSCALL"},
		{StopPostSyscall | StopPreSyscall, "PTRACE_STOP_PRE_SYSCALL|PTRACE_STOP_POST_SYSCALL"},
		{StopSingleStep, "PTRACE_STOP_SINGLESTEP"},
		{StopExit, "PTRACE_STOP_EXIT"},
		{EventClone, "PTRACE_EVENT_CLONE"},
		{FlagSysemu, "PTRACE_FLAG_IGNORE"},
		{FlagWait, "PTRACE_FLAG_WAIT"},
		{StopMask, "PTRACE_STOP_MASK"},
		{EventMask, "PTRACE_EVENT_MASK"},
		{FlagMask, "PTRACE_FLAG_MASK"},
		{0x40, "0x40"},
		{StopSignal | 0x40 | 0x200, "PTRACE_STOP_SIGNAL|0x240"},
		{0x13B, "PTRACE_STOP_PRE_SYSCALL|PTRACE_STOP_POST_SYSCALL|PTRACE_STOP_SIGNAL|PTRACE_STOP_BREAKPOINT|PTRACE_STOP_EXIT|PTRACE_EVENT_CLONE"},
		{1 << 40, "0x10000000000"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("Flags(%#x).String() = %q, want %q", uint64(tt.f), got, tt.want)
		}
	}
}

func TestFlagsValidate(t *testing.T) {
	tests := []struct {
		f  Flags
		ok bool
	}{
		{0, true},
		{0x40, true},   // removed STOP_EXEC: accepted, never fires
		{0x80, true},   // removed STOP_SIGNAL_HANDLER
		{0x200, true},  // later EVENT_ADDRSPACE_SWITCH
		{0xFFFF, true}, // every bit 0..15 is known
		{StopMask | EventMask | FlagMask, true},
		{1 << 16, false},
		{1 << 63, false},
		{StopSignal | 1<<20, false},
	}
	for _, tt := range tests {
		err := tt.f.Validate()
		if tt.ok && err != nil {
			t.Errorf("Validate(%#x) = %v, want nil", uint64(tt.f), err)
		}
		if !tt.ok && !errors.Is(err, syscall.EINVAL) {
			t.Errorf("Validate(%#x) = %v, want EINVAL", uint64(tt.f), err)
		}
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		in   []byte
		want Flags
		err  error
	}{
		{[]byte{0x18, 0, 0, 0, 0, 0, 0, 0}, StopSignal | StopBreakpoint, nil},
		{[]byte{0x18, 0x10, 0, 0, 0, 0, 0, 0, 0xff}, StopSignal | StopBreakpoint | FlagIgnore, nil}, // extra bytes ignored
		{[]byte{0, 0, 1, 0, 0, 0, 0, 0}, 0, syscall.EINVAL},                                         // bit 16
		{[]byte{1, 0, 0}, 0, syscall.EINVAL},                                                        // short
	}
	for _, tt := range tests {
		got, err := ParseFlags(tt.in)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) || got != tt.want {
			t.Errorf("ParseFlags(% x) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
	b, _ := (StopExit | FlagWait).MarshalBinary()
	if got, err := ParseFlags(b); err != nil || got != StopExit|FlagWait || len(b) != FlagsSize {
		t.Errorf("round trip: % x -> %v, %v", b, got, err)
	}
}

func FuzzParseFlags(f *testing.F) {
	f.Add([]byte{0x18, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 1, 0, 0, 0, 0, 0})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		fl, err := ParseFlags(b)
		if err != nil {
			return
		}
		if fl&^KnownMask != 0 {
			t.Fatalf("accepted reserved bits: %#x", uint64(fl))
		}
		_ = fl.String()
		out, _ := fl.MarshalBinary()
		if string(out) != string(b[:8]) {
			t.Fatalf("round trip % x -> % x", b[:8], out)
		}
	})
}

func TestDebugOn(t *testing.T) {
	l := logrus.New()
	l.SetLevel(logrus.WarnLevel)
	if debugOn(l) || debugOn(logrus.NewEntry(l)) {
		t.Error("debugOn true at warning level")
	}
	l.SetLevel(logrus.DebugLevel)
	if !debugOn(l) || !debugOn(logrus.NewEntry(l)) {
		t.Error("debugOn false at debug level")
	}
}
