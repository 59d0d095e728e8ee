package emu

import (
	"math/rand"
	"testing"
)

// TestSWARBytes checks the quadword byte-lane helpers against byte loops.
func TestSWARBytes(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	vals := []uint64{0, ^uint64(0), 0x8080808080808080, 0x7f7f7f7f7f7f7f7f, 0x0001020380fffe7f}
	for i := 0; i < 20000; i++ {
		a, b := r.Uint64(), r.Uint64()
		if i < len(vals)*len(vals) {
			a, b = vals[i%len(vals)], vals[i/len(vals)]
		} else if i%3 == 0 {
			b = a ^ (uint64(0xff) << (8 * uint(r.Intn(8)))) // one byte differs
		}
		var eq, add, sub, mn, sg uint64
		for k := uint(0); k < 8; k++ {
			x, y := (a>>(8*k))&0xff, (b>>(8*k))&0xff
			if x == y {
				eq |= 0xff << (8 * k)
			}
			add |= ((x + y) & 0xff) << (8 * k)
			sub |= ((x - y) & 0xff) << (8 * k)
			mn |= min(x, y) << (8 * k)
			sg |= (x >> 7) << k
		}
		if bytesEq(a, b) != eq || bytesAdd(a, b) != add || bytesSub(a, b) != sub || bytesMinu(a, b) != mn || byteSigns(a) != sg {
			t.Fatalf("a %#x b %#x: eq %#x/%#x add %#x/%#x sub %#x/%#x min %#x/%#x signs %#x/%#x", a, b,
				bytesEq(a, b), eq, bytesAdd(a, b), add, bytesSub(a, b), sub, bytesMinu(a, b), mn, byteSigns(a), sg)
		}
	}
}
