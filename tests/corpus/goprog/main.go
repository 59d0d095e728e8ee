// Command goprog is a guest for the differential tests (tests/differential_test.go):
// a static Go program (CGO_ENABLED=0) whose goroutines, channels, mutex and
// time.Sleep exercise the Go runtime's threads, futexes, signals and timers
// under the emulator. Its output does not depend on scheduling.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

type result struct {
	worker, item, value int
}

func collatz(n int) int {
	steps := 0
	for n != 1 {
		if n%2 == 0 {
			n /= 2
		} else {
			n = 3*n + 1
		}
		steps++
	}
	return steps
}

func main() {
	jobs := make(chan int)
	results := make(chan result, 16)
	var wg sync.WaitGroup
	var mu sync.Mutex
	perWorker := map[int]int{}
	total := 0

	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for n := range jobs {
				if n%50 == 0 {
					time.Sleep(time.Millisecond) // park on a timer mid-stream
				}
				v := collatz(n)
				mu.Lock()
				perWorker[w]++
				total += v
				mu.Unlock()
				results <- result{w, n, v}
			}
		}(w)
	}
	go func() {
		for n := 1; n <= 400; n++ {
			jobs <- n
		}
		close(jobs)
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	best := result{value: -1}
	count := 0
	for r := range results {
		count++
		if r.value > best.value || r.value == best.value && r.item < best.item {
			best = r
		}
	}
	mu.Lock()
	sum := 0
	for _, c := range perWorker {
		sum += c
	}
	mu.Unlock()
	fmt.Printf("results %d, per-worker sum %d, total steps %d\n", count, sum, total)
	fmt.Printf("longest chain below 401: %d (%d steps)\n", best.item, best.value)

	// A pipeline of stages joined by unbuffered channels.
	src := make(chan string)
	upper := make(chan string)
	go func() {
		for _, w := range strings.Fields("the quick brown fox jumps over the lazy dog") {
			src <- w
		}
		close(src)
	}()
	go func() {
		for w := range src {
			upper <- strings.ToUpper(w)
		}
		close(upper)
	}()
	var words []string
	for w := range upper {
		words = append(words, w)
	}
	sort.Strings(words)
	fmt.Println(strings.Join(words, " "))

	// Sleeps and a timeout with select.
	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	slept := time.Since(start) >= 20*time.Millisecond
	timer := time.After(10 * time.Millisecond)
	never := make(chan int)
	select {
	case <-never:
		fmt.Println("impossible")
	case <-timer:
		fmt.Println("timer fired, slept long enough:", slept)
	}
	m := map[string]float64{"pi": 3.14159, "e": 2.71828, "phi": 1.61803}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("%s=%.3f %v\n", k, m[k], m[k] > 2)
	}
	fmt.Fprintln(os.Stderr, "goprog: exit 3")
	os.Exit(3)
}
