package ptrace

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"syscall"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// The IntRegisters table of spec §2.3: field and byte offset.
var intRegOffsets = []struct {
	field string
	off   int
}{
	{"R15", 0}, {"R14", 8}, {"R13", 16}, {"R12", 24}, {"RBP", 32}, {"RBX", 40},
	{"R11", 48}, {"R10", 56}, {"R9", 64}, {"R8", 72}, {"RAX", 80}, {"RCX", 88},
	{"RDX", 96}, {"RSI", 104}, {"RDI", 112}, {"RIP", 120}, {"CS", 128},
	{"RFlags", 136}, {"RSP", 144}, {"SS", 152}, {"FS", 160},
}

func TestIntRegistersLayout(t *testing.T) {
	if n := reflect.TypeOf(IntRegisters{}).Size(); n != IntRegistersSize || IntRegistersSize != 168 {
		t.Fatalf("Go size %d, IntRegistersSize %d, want 168", n, IntRegistersSize)
	}
	for _, o := range intRegOffsets {
		var r IntRegisters
		f := reflect.ValueOf(&r).Elem().FieldByName(o.field)
		if !f.IsValid() {
			t.Fatalf("no field %s", o.field)
		}
		f.SetUint(0x1122334455667788)
		b, _ := r.MarshalBinary()
		if len(b) != 168 {
			t.Fatalf("MarshalBinary: %d bytes", len(b))
		}
		want := make([]byte, 168)
		binary.LittleEndian.PutUint64(want[o.off:], 0x1122334455667788)
		if !bytes.Equal(b, want) {
			t.Errorf("%s not at offset %d", o.field, o.off)
		}
		var back IntRegisters
		if err := back.UnmarshalBinary(b); err != nil || back != r {
			t.Errorf("%s: round trip %+v, %v", o.field, back, err)
		}
	}
	var r IntRegisters
	if err := r.UnmarshalBinary(make([]byte, 160)); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("160-byte UnmarshalBinary = %v, want EINVAL", err)
	}
}

func TestFloatRegistersLayout(t *testing.T) {
	if n := reflect.TypeOf(FloatRegisters{}).Size(); n != FloatRegistersSize || FloatRegistersSize != 416 {
		t.Fatalf("Go size %d, FloatRegistersSize %d, want 416", n, FloatRegistersSize)
	}
	var r FloatRegisters
	r.FCW, r.FSW, r.FTW, r.Reserved, r.FOP = 0x1101, 0x2202, 0x33, 0x44, 0x5505
	r.FIP, r.FDP, r.MXCSR, r.MXCSRMask = 0x0606060606060606, 0x0707070707070707, 0x08080808, 0x09090909
	for i := range r.STSpace {
		for j := range r.STSpace[i] {
			r.STSpace[i][j] = byte(0x80 + i)
		}
	}
	for i := range r.XMMSpace {
		for j := range r.XMMSpace[i] {
			r.XMMSpace[i][j] = byte(0xc0 + i)
		}
	}
	b, _ := r.MarshalBinary()
	if len(b) != 416 {
		t.Fatalf("MarshalBinary: %d bytes", len(b))
	}
	le := binary.LittleEndian
	checks := []struct {
		name      string
		off, size int
		want      uint64
	}{
		{"fcw", 0, 2, 0x1101}, {"fsw", 2, 2, 0x2202}, {"ftw", 4, 1, 0x33}, {"_reserved", 5, 1, 0x44},
		{"fop", 6, 2, 0x5505}, {"fip", 8, 8, 0x0606060606060606}, {"fdp", 16, 8, 0x0707070707070707},
		{"mxcsr", 24, 4, 0x08080808}, {"mxcsr_mask", 28, 4, 0x09090909},
		{"st_space[0]", 32, 1, 0x80}, {"st_space[7] last byte", 32 + 7*16 + 15, 1, 0x87},
		{"xmm_space[0]", 160, 1, 0xc0}, {"xmm_space[15] last byte", 160 + 15*16 + 15, 1, 0xcf},
	}
	for _, c := range checks {
		var got uint64
		switch c.size {
		case 1:
			got = uint64(b[c.off])
		case 2:
			got = uint64(le.Uint16(b[c.off:]))
		case 4:
			got = uint64(le.Uint32(b[c.off:]))
		case 8:
			got = le.Uint64(b[c.off:])
		}
		if got != c.want {
			t.Errorf("%s at %d = %#x, want %#x", c.name, c.off, got, c.want)
		}
	}
	var back FloatRegisters
	if err := back.UnmarshalBinary(b); err != nil || back != r {
		t.Errorf("round trip mismatch: %v", err)
	}
	if err := back.UnmarshalBinary(b[:415]); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("415-byte UnmarshalBinary = %v, want EINVAL", err)
	}
}

func TestEnvRegistersLayout(t *testing.T) {
	r := EnvRegisters{FSBase: 0x1000, GSBase: 0x2000}
	b, _ := r.MarshalBinary()
	if len(b) != 16 || binary.LittleEndian.Uint64(b) != 0x1000 || binary.LittleEndian.Uint64(b[8:]) != 0x2000 {
		t.Fatalf("MarshalBinary = % x", b)
	}
	var back EnvRegisters
	if err := back.UnmarshalBinary(b); err != nil || back != r {
		t.Errorf("round trip = %+v, %v", back, err)
	}
}

func TestIntRegsCPU(t *testing.T) {
	c := emu.NewCPU(emu.NewMemory())
	for i := range c.R {
		c.R[i] = uint64(0x100 + i)
	}
	c.RIP = 0x401000
	c.SetFlags(0x246)
	r := IntRegsFromCPU(c)
	want := IntRegisters{
		R15: 0x10f, R14: 0x10e, R13: 0x10d, R12: 0x10c, RBP: 0x105, RBX: 0x103, R11: 0x10b, R10: 0x10a,
		R9: 0x109, R8: 0x108, RAX: 0x100, RCX: 0x101, RDX: 0x102, RSI: 0x106, RDI: 0x107,
		RIP: 0x401000, CS: 0x33, RFlags: 0x246, RSP: 0x104, SS: 0x2b, FS: 0,
	}
	if r != want {
		t.Fatalf("IntRegsFromCPU = %+v\nwant %+v", r, want)
	}

	tests := []struct {
		name      string
		flagsIn   uint64 // CPU flags before
		written   uint64 // RFlags written
		wantFlags uint64
	}{
		{"user bits set", 0x202, 0x202 | 0xDD5, 0x202 | 0xDD5},
		{"user bits cleared", 0x202 | 0xDD5, 0, 0x202},
		{"IF and reserved not writable", 0x202, 0x0, 0x202},
		{"IF cannot be cleared, bit 1 stays", 0x202, 0x1, 0x203},
		{"high bits ignored", 0x202, 0xffff_0000 | emu.FlagZF, 0x202 | emu.FlagZF},
	}
	for _, tt := range tests {
		c.SetFlags(tt.flagsIn)
		w := want
		w.RFlags = tt.written
		w.RAX, w.RSP, w.RIP = 0xdead, 0x7ffe0000, 0x402000
		w.CS, w.SS, w.FS = 0, 0, 0x99 // ignored
		ApplyIntRegs(c, w)
		if c.Flags() != tt.wantFlags {
			t.Errorf("%s: flags %#x, want %#x", tt.name, c.Flags(), tt.wantFlags)
		}
		got := IntRegsFromCPU(c)
		if got.RAX != 0xdead || got.RSP != 0x7ffe0000 || got.RIP != 0x402000 || got.CS != 0x33 || got.SS != 0x2b || got.FS != 0 {
			t.Errorf("%s: read back %+v", tt.name, got)
		}
	}
}

func TestFloatRegsCPU(t *testing.T) {
	c := emu.NewCPU(emu.NewMemory())
	c.X87.FCW, c.X87.FSW, c.X87.FTW, c.X87.FOP = 0x37f, 0x3800, 0x80, 0x1234
	c.X87.FIP, c.X87.FDP = 0x401000, 0x601000
	c.X87.ST[0] = [10]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	c.MXCSR = 0x1f80
	c.XMM[3] = [2]uint64{0x0807060504030201, 0x100f0e0d0c0b0a09}
	r := FloatRegsFromCPU(c)
	if r.FCW != 0x37f || r.FSW != 0x3800 || r.FTW != 0x80 || r.FOP != 0x1234 || r.FIP != 0x401000 || r.FDP != 0x601000 {
		t.Errorf("x87 control = %+v", r)
	}
	if r.MXCSR != 0x1f80 || r.MXCSRMask != 0xffff || r.Reserved != 0 {
		t.Errorf("mxcsr %#x mask %#x reserved %#x", r.MXCSR, r.MXCSRMask, r.Reserved)
	}
	if want := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; r.STSpace[0] != want {
		t.Errorf("st0 = % x", r.STSpace[0])
	}
	if want := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}; r.XMMSpace[3] != want {
		t.Errorf("xmm3 = % x", r.XMMSpace[3])
	}

	r.STSpace[1] = [16]byte{0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	r.XMMSpace[15] = [16]byte{15: 0x77}
	r.MXCSR = 0xdead_1f81
	r.Reserved, r.MXCSRMask = 0x55, 0
	ApplyFloatRegs(c, r)
	got := FloatRegsFromCPU(c)
	if want := [16]byte{0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa}; got.STSpace[1] != want {
		t.Errorf("st1 top bytes not cleared: % x", got.STSpace[1])
	}
	if c.XMM[15] != [2]uint64{0, 0x7700000000000000} {
		t.Errorf("xmm15 = %#x", c.XMM[15])
	}
	if got.MXCSR != 0x1f81 || got.MXCSRMask != 0xffff || got.Reserved != 0 {
		t.Errorf("after write: mxcsr %#x mask %#x reserved %#x", got.MXCSR, got.MXCSRMask, got.Reserved)
	}
}

func FuzzIntRegistersUnmarshal(f *testing.F) {
	f.Add(make([]byte, 168))
	f.Add([]byte{1, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		var r IntRegisters
		if err := r.UnmarshalBinary(b); err != nil {
			return
		}
		out, _ := r.MarshalBinary()
		if !bytes.Equal(out, b) {
			t.Fatal("round trip mismatch")
		}
	})
}

func FuzzFloatRegistersUnmarshal(f *testing.F) {
	f.Add(make([]byte, 416))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		var r FloatRegisters
		if err := r.UnmarshalBinary(b); err != nil {
			return
		}
		out, _ := r.MarshalBinary()
		if !bytes.Equal(out, b) {
			t.Fatal("round trip mismatch")
		}
	})
}
