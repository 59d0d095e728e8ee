package emu

import (
	"math"
	"testing"
)

// f80Approx converts to float64 for tolerance checks.
func f80Approx(x f80) float64 { return x.float64() }

func TestX87Transcendental(t *testing.T) {
	tests := []struct {
		name string
		code []byte // run with ST(0)=x, ST(1)=y pushed as y then x
		x, y float64
		want float64
		// exact: the 80-bit result (0 = only compare to want within 1e-18)
		exactM  uint64
		exactSE uint16
	}{
		{"fpatan 1,1", []byte{0xd9, 0xf3}, 1, 1, math.Pi / 4, 0xc90fdaa22168c235, 0x3ffe},
		{"fpatan -1,-0.5", []byte{0xd9, 0xf3}, -0.5, -1, math.Atan2(-1, -0.5), 0, 0},
		{"f2xm1 0.5", []byte{0xd9, 0xf0}, 0.5, 0, math.Sqrt2 - 1, 0, 0},
		{"f2xm1 -1", []byte{0xd9, 0xf0}, -1, 0, -0.5, 0x8000000000000000, 0xbffe},
		{"fyl2x 8,3", []byte{0xd9, 0xf1}, 8, 3, 9, 0x9000000000000000, 0x4002},
		{"fyl2x 10,1", []byte{0xd9, 0xf1}, 10, 1, math.Log2(10), 0xd49a784bcd1b8afe, 0x4000},
		{"fyl2xp1 1e-10,1", []byte{0xd9, 0xf9}, 1e-10, 1, math.Log1p(1e-10) / math.Ln2, 0, 0},
		{"fsin 1", []byte{0xd9, 0xfe}, 1, 0, math.Sin(1), 0, 0},
		{"fcos 100", []byte{0xd9, 0xff}, 100, 0, math.Cos(100), 0, 0},
		{"fptan 0.5 (pops the 1.0)", []byte{0xd9, 0xf2, 0xdd, 0xd8}, 0.5, 0, math.Tan(0.5), 0, 0},
		{"fsincos 2 (sin left)", []byte{0xd9, 0xfb, 0xdd, 0xd8}, 2, 0, math.Sin(2), 0, 0},
		{"fxtract 12 (exponent left)", []byte{0xd9, 0xf4, 0xdd, 0xd8}, 12, 0, 3, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := append(append([]byte{}, tt.code...), 0xcc)
			c := newTestCPU(t, code)
			c.fpush(f80FromF64(tt.y))
			c.fpush(f80FromF64(tt.x))
			if reason, _ := c.Run(100, nil); reason != StopInt3 {
				t.Fatalf("stop %d: %v", reason, &c.Fault)
			}
			got := c.st(0)
			if tt.exactM != 0 {
				if got.m != tt.exactM || got.se != tt.exactSE {
					t.Fatalf("got %#x/%#x want %#x/%#x", got.m, got.se, tt.exactM, tt.exactSE)
				}
				return
			}
			if g := f80Approx(got); math.Abs(g-tt.want) > 1e-15*math.Abs(tt.want) {
				t.Fatalf("got %v want %v", g, tt.want)
			}
		})
	}
}

// TestX87NoAlloc: the common long double path (fld, fild, fadd, fmul,
// fdiv, fucomip, fistp, frndint, fstp to m64) allocates nothing.
func TestX87NoAlloc(t *testing.T) {
	// fld qword [rdi]; fild qword [rdi+8]; fmul st, st(1); fadd st, st(1);
	// fdiv st, st(1); fucomip st, st(1); fld st(0); fistp dword [rdi+24];
	// frndint; fstp qword [rdi+16]; int3
	code := []byte{0xdd, 0x07, 0xdf, 0x6f, 0x08, 0xd8, 0xc9, 0xd8, 0xc1, 0xd8, 0xf1, 0xdf, 0xe9, 0xd9, 0xc0, 0xdb, 0x5f, 0x18, 0xd9, 0xfc, 0xdd, 0x5f, 0x10, 0xcc}
	c := newTestCPU(t, code)
	addr := uint64(tData)
	c.Mem.WriteForce(addr, le64bytes(math.Float64bits(1.7)))
	c.Mem.WriteForce(addr+8, le64bytes(12345))
	c.R[RDI] = addr
	run := func() {
		c.RIP = tCode
		if reason, _ := c.Run(100, nil); reason != StopInt3 {
			t.Fatalf("stop %d: %v", reason, &c.Fault)
		}
	}
	run()
	if a := testing.AllocsPerRun(100, run); a != 0 {
		t.Fatalf("%v allocations per run", a)
	}
}

func BenchmarkX87(b *testing.B) {
	code := []byte{0xdd, 0x07, 0xdf, 0x6f, 0x08, 0xd8, 0xc9, 0xd8, 0xc1, 0xd8, 0xf1, 0xdf, 0xe9, 0xd9, 0xc0, 0xdb, 0x5f, 0x18, 0xd9, 0xfc, 0xdd, 0x5f, 0x10, 0xcc}
	c := newTestCPU(b, code)
	addr := uint64(tData)
	c.Mem.WriteForce(addr, le64bytes(math.Float64bits(1.7)))
	c.Mem.WriteForce(addr+8, le64bytes(12345))
	c.R[RDI] = addr
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.RIP = tCode
		c.Run(100, nil)
	}
}
