// Command gocpu is the Go workload of the benchmarks: CPU-bound work in one
// goroutine (a prime sieve, a sort and a SHA-256 chain) with a
// deterministic output line, built with CGO_ENABLED=0 GOAMD64=v1.
//
// Usage: gocpu [SCALE] (default 1; the work grows linearly).
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"slices"
	"strconv"
)

func main() {
	scale := 1
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "usage: gocpu [SCALE]")
			os.Exit(2)
		}
		scale = n
	}
	primes := 0
	for r := 0; r < scale; r++ {
		primes = sieve(2_000_000)
	}
	x := uint64(88172645463325252)
	v := make([]uint64, 200_000*scale)
	for i := range v {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		v[i] = x
	}
	slices.Sort(v)
	h := sha256.Sum256(nil)
	for i := 0; i < 100_000*scale; i++ {
		h = sha256.Sum256(h[:])
	}
	fmt.Printf("primes=%d median=%016x sha=%x\n", primes, v[len(v)/2], h[:8])
}

// sieve counts the primes below n.
func sieve(n int) int {
	composite := make([]bool, n)
	count := 0
	for i := 2; i < n; i++ {
		if composite[i] {
			continue
		}
		count++
		for j := i * i; j < n; j += i {
			composite[j] = true
		}
	}
	return count
}
