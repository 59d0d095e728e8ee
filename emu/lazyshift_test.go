package emu

import (
	"fmt"
	"math/bits"
	"testing"
)

// TestLazyShiftFlags runs "add rax, rbx; SHIFT; READER; int3" for every
// shift and rotate, operand size, count and operand form (register by
// immediate: the specialised oShiftRI path; memory by immediate and
// register by CL: the generic path), followed by each kind of instruction
// that reads the flags the shift left behind, and checks what the reader
// saw against a flag model written out here from the x86 definitions
// (only flags x86 defines after the shift are compared). The add before
// the shift makes the state lazy, so rotates (which keep SF ZF AF PF) are
// checked on top of it; each sequence also runs with "pushfq; popfq"
// after the add, so that the shift starts from materialised (eager)
// flags. TestNativeOracle covers a subset of the same
// sequences against the host CPU.
func TestLazyShiftFlags(t *testing.T) {
	shifts := []struct {
		name string
		ext  byte // ModRM reg field of the C0/C1/D2/D3 group
	}{{"rol", 0}, {"ror", 1}, {"shl", 4}, {"shr", 5}, {"sar", 7}}
	sizes := []struct {
		size   uint8
		counts []byte
	}{
		{8, []byte{0, 1, 3, 13, 63, 64}},
		{4, []byte{1, 7, 31, 32}},
		{1, []byte{1, 3, 7, 8, 9, 17}},
	}
	forms := []string{"reg,imm", "mem,imm", "reg,cl"}
	type reader struct {
		name string
		code []byte
		// want returns RDX after the reader, or ok false if the reader's
		// outcome depends on a flag x86 leaves undefined here.
		want func(f, defined, rdx, rsi uint64) (v uint64, ok bool)
	}
	var readers []reader
	for cc := range uint8(16) {
		needs := condFlags(cc)
		readers = append(readers,
			reader{fmt.Sprintf("set%s", condNames[cc]), []byte{0x0f, 0x90 + cc, 0xc2}, // setcc dl
				func(f, def, rdx, _ uint64) (uint64, bool) {
					return rdx&^0xff | b2u(refCond(cc, f)), needs&^def == 0
				}},
			reader{fmt.Sprintf("j%s", condNames[cc]), []byte{0x70 + cc, 0x02, 0xb2, 0x01}, // jcc +2; mov dl, 1
				func(f, def, rdx, _ uint64) (uint64, bool) {
					if refCond(cc, f) {
						return rdx, needs&^def == 0
					}
					return rdx&^0xff | 1, needs&^def == 0
				}},
			reader{fmt.Sprintf("cmov%s", condNames[cc]), []byte{0x48, 0x0f, 0x40 + cc, 0xd6}, // cmovcc rdx, rsi
				func(f, def, rdx, rsi uint64) (uint64, bool) {
					if refCond(cc, f) {
						return rsi, needs&^def == 0
					}
					return rdx, needs&^def == 0
				}})
	}
	readers = append(readers,
		reader{"adc", []byte{0x48, 0x11, 0xf2}, // adc rdx, rsi
			func(f, def, rdx, rsi uint64) (uint64, bool) {
				return rdx + rsi + f&FlagCF, def&FlagCF != 0
			}},
		reader{"inc;setc", []byte{0x48, 0xff, 0xc6, 0x0f, 0x92, 0xc2}, // inc rsi (keeps CF); setc dl
			func(f, def, rdx, _ uint64) (uint64, bool) {
				return rdx&^0xff | f&FlagCF, def&FlagCF != 0
			}},
		reader{"pushf", []byte{0x9c, 0x5a}, // pushfq; pop rdx
			func(f, def, rdx, _ uint64) (uint64, bool) {
				// compared under the defined mask below
				return 0x202 | f, true
			}},
	)
	inputs := [][2]uint64{
		{0x8000000000000001, 0x7fffffffffffffff}, {1, 0}, {0, 0},
		{0x123456789abcdef0, 0xfedcba9876543210}, {0xff, 0x80}, {0x40, 0x40},
		{0xc0000000, 0x40000000}, {0x7f, 0x1},
	}
	for _, sh := range shifts {
		for _, rd := range readers {
			t.Run(sh.name+"/"+rd.name, func(t *testing.T) {
				for _, sz := range sizes {
					for _, cnt := range sz.counts {
						for _, form := range forms {
							for _, eager := range []bool{false, true} {
								code := []byte{0x48, 0x01, 0xd8} // add rax, rbx
								if eager {
									// pushfq; popfq: the same flags, materialised
									code = append(code, 0x9c, 0x9d)
								}
								if form == "mem,imm" {
									code = append(code, 0x48, 0x89, 0x07) // mov [rdi], rax
								}
								code = append(code, shiftBytes(sz.size, sh.ext, form, cnt)...)
								code = append(code, rd.code...)
								if form == "mem,imm" {
									code = append(code, 0x48, 0x8b, 0x07) // mov rax, [rdi]
								}
								code = append(code, 0xcc)
								c := newTestCPU(t, code)
								for _, in := range inputs {
									const rdx0, rsi0 = 0x1111111111111105, 0x7000000000000007
									c.RIP = tCode
									c.R[RAX], c.R[RBX], c.R[RCX] = in[0], in[1], 0x100|uint64(cnt)
									c.R[RDX], c.R[RSI], c.R[RDI] = rdx0, rsi0, tData
									c.R[RSP] = tStack - 16
									c.SetFlags(0x202)
									if reason, _ := c.Run(100, nil); reason != StopInt3 {
										t.Fatalf("%d-byte %s %d: stop %d (%v)", sz.size, form, cnt, reason, &c.Fault)
									}
									sum := in[0] + in[1]
									res, f, def := refShift(sh.ext, sz.size, form == "mem,imm", sum, uint64(cnt), refAdd(in[0], in[1]))
									if c.R[RAX] != res {
										t.Errorf("%d-byte %s count %d, rax+rbx=%#x: result %#x, want %#x", sz.size, form, cnt, sum, c.R[RAX], res)
									}
									want, ok := rd.want(f, def, rdx0, rsi0)
									if !ok {
										continue
									}
									got := c.R[RDX]
									if rd.name == "pushf" {
										got &= def | ^uint64(arithMask)
										want &= def | ^uint64(arithMask)
									}
									if got != want {
										t.Errorf("%d-byte %s count %d, rax+rbx=%#x, eager %v: rdx %#x, want %#x (model flags %#x, defined %#x)",
											sz.size, form, cnt, sum, eager, got, want, f, def)
									}
								}
							}
						}
					}
				}
			})
		}
	}
}

var condNames = [16]string{"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"}

// condFlags is the set of flags condition cc reads.
func condFlags(cc uint8) uint64 {
	return [8]uint64{FlagOF, FlagCF, FlagZF, FlagCF | FlagZF, FlagSF, FlagPF, FlagSF | FlagOF, FlagZF | FlagSF | FlagOF}[cc>>1]
}

func refCond(cc uint8, f uint64) bool {
	of, cf, zf, sf, pf := f&FlagOF != 0, f&FlagCF != 0, f&FlagZF != 0, f&FlagSF != 0, f&FlagPF != 0
	r := [8]bool{of, cf, zf, cf || zf, sf, pf, sf != of, zf || sf != of}[cc>>1]
	return r != (cc&1 != 0)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// shiftBytes encodes group-2 operation ext of the given size on rax (or
// [rdi] for "mem,imm"; by cl for "reg,cl").
func shiftBytes(size uint8, ext byte, form string, cnt byte) []byte {
	modrm := 0xc0 | ext<<3 // rax
	if form == "mem,imm" {
		modrm = ext<<3 | 7 // [rdi]
	}
	var b []byte
	if size == 8 {
		b = append(b, 0x48)
	}
	op := byte(0xc1)
	switch {
	case form == "reg,cl" && size == 1:
		op = 0xd2
	case form == "reg,cl":
		op = 0xd3
	case size == 1:
		op = 0xc0
	}
	b = append(b, op, modrm)
	if form != "reg,cl" {
		b = append(b, cnt)
	}
	return b
}

// refSZP returns SF ZF PF of r (size bytes).
func refSZP(r uint64, size uint8) uint64 {
	nb := 8 * uint(size)
	r &= ^uint64(0) >> (64 - nb)
	var f uint64
	if r == 0 {
		f |= FlagZF
	}
	if r>>(nb-1)&1 != 0 {
		f |= FlagSF
	}
	if bits.OnesCount8(uint8(r))%2 == 0 {
		f |= FlagPF
	}
	return f
}

// refAdd returns the flags of a 64-bit add.
func refAdd(a, b uint64) uint64 {
	r, carry := bits.Add64(a, b, 0)
	f := refSZP(r, 8) | carry*FlagCF | (a^b^r)&FlagAF
	if (a^r)&(b^r)>>63 != 0 {
		f |= FlagOF
	}
	return f
}

// refShift models group-2 operation ext on the low size bytes of full
// with the count masked as x86 does, after an instruction that left
// flags f0. It returns the new 64-bit value of the destination (a
// register, or the quadword in memory when mem), the flags, and which
// arithmetic flags x86 defines after it.
func refShift(ext byte, size uint8, mem bool, full, cnt, f0 uint64) (uint64, uint64, uint64) {
	nb := 8 * uint64(size)
	if size == 8 {
		cnt &= 63
	} else {
		cnt &= 31
	}
	mask := ^uint64(0) >> (64 - nb)
	v := full & mask
	merge := func(r uint64) uint64 {
		if size == 4 && !mem {
			return r // a 32-bit register write clears the upper half
		}
		return full&^mask | r
	}
	if cnt == 0 {
		return merge(v), f0, arithMask // nothing changes, flags included
	}
	msb := func(x uint64) uint64 { return x >> (nb - 1) & 1 }
	def := uint64(arithMask)
	var r, cf, of uint64
	var f uint64
	switch ext {
	case 0, 1: // rol, ror: by cnt mod width; only CF and OF change
		n := int(cnt % nb)
		if ext == 1 {
			n = int(nb) - n
		}
		// rotate left by n within nb bits
		r = (v<<uint(n) | v>>(nb-uint64(n))) & mask
		if ext == 0 {
			cf = r & 1
			of = msb(r) ^ cf
		} else {
			cf = msb(r)
			of = msb(r) ^ r>>(nb-2)&1
		}
		f = f0 &^ (FlagCF | FlagOF)
	case 4: // shl
		if cnt < 64 {
			r = v << cnt & mask
		}
		if cnt <= nb {
			cf = v >> (nb - cnt) & 1
		}
		of = msb(r) ^ cf
		f = refSZP(r, size)
		def &^= FlagAF
	case 5: // shr
		r = v >> cnt
		cf = v >> (cnt - 1) & 1
		of = msb(v)
		f = refSZP(r, size)
		def &^= FlagAF
	case 7: // sar
		s := int64(v<<(64-nb)) >> (64 - nb)
		r = uint64(s>>min(cnt, 63)) & mask
		cf = uint64(s>>min(cnt-1, 63)) & 1
		f = refSZP(r, size)
		def &^= FlagAF
	}
	f |= cf*FlagCF | of*FlagOF
	if cnt != 1 {
		def &^= FlagOF
	}
	if (ext == 4 || ext == 5) && cnt >= nb {
		def &^= FlagCF
	}
	return merge(r), f, def
}
