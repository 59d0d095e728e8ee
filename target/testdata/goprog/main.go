// A Go program with goroutines, a channel, a mutex, a WaitGroup,
// time.Sleep and fmt: run by TestGoProgram natively and emulated.
package main

import (
	"fmt"
	"sync"
	"time"
)

func main() {
	ch := make(chan int)
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			for v := range ch {
				mu.Lock()
				total += v * id / id
				mu.Unlock()
			}
		}(i + 1)
	}
	for i := 1; i <= 1000; i++ {
		ch <- i
	}
	close(ch)
	wg.Wait()
	time.Sleep(20 * time.Millisecond)
	fmt.Println("total", total)
}
