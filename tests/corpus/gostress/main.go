// Command gostress is a guest for the differential tests (tests/differential_test.go):
// a static Go program that stresses the Go runtime under the emulator: 50
// goroutines allocating, a forced GC, math/big, JSON files in the directory
// given as os.Args[1], a ticker, and a nil dereference recovered from
// (SIGSEGV turned into a panic by the runtime's signal handler).
package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	dir := os.Args[1]
	var n atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s := make([][]byte, 0)
			for j := 0; j < 200; j++ {
				s = append(s, make([]byte, 1024*(j%7+1)))
			}
			h := sha256.Sum256(s[i%len(s)])
			n.Add(int64(h[0]) + 1)
		}(i)
	}
	wg.Wait()
	runtime.GC()
	fmt.Println("goroutines done", n.Load() > 0)
	f := new(big.Int).MulRange(1, 300)
	fmt.Println("300! digits", len(f.String()), f.String()[:20])
	for i := 0; i < 5; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d.json", i)), []byte(fmt.Sprintf(`{"n":%d,"s":"%s"}`, i, strings.Repeat("x", i))), 0o644)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		var v map[string]any
		json.Unmarshal(b, &v)
		names = append(names, fmt.Sprintf("%s=%v", e.Name(), v["n"]))
	}
	sort.Strings(names)
	fmt.Println(strings.Join(names, " "))
	t := time.NewTicker(5 * time.Millisecond)
	c := 0
	for range t.C {
		if c++; c == 5 {
			break
		}
	}
	t.Stop()
	fmt.Println("ticks", c, "NumCPU", runtime.NumCPU() > 0)
	ch := make(chan int)
	go func() { panicky(ch) }()
	fmt.Println("recovered", <-ch)
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Println("gc ran", m.NumGC > 0)
}

func panicky(ch chan int) {
	defer func() {
		if r := recover(); r != nil {
			ch <- 42
		}
	}()
	var p *int
	_ = *p
}
