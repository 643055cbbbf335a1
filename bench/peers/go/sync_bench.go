// Copyright 2026 The Colony Authors.
//
// sync_bench: the channel workloads of bench/run_sync_bench.sh on Go's
// runtime, goroutines on GOMAXPROCS=workers Ps. Standard library only.
//
//	pingpong       the main goroutine and an echo goroutine, two unbuffered
//	               channels: main sends i on the first, the echo goroutine
//	               receives it and sends it back on the second, main
//	               receives it; N round trips after one untimed warm-up;
//	               ns per round trip. Both sides check the order.
//	pingpong_buf1  the same over channels of capacity 1.
//	unbounded_1p   one producer goroutine sends M values into a channel, one
//	               consumer goroutine receives them; ns per message, from
//	               before the goroutines start to the last one's end. Go has
//	               no unbounded channel: the channel's capacity is M, so a
//	               send never waits, the closest equivalent.
//	unbounded_mp   the same with P producers (--producers, default 4)
//	               sending M/P values each into one consumer.
//
// The consumer checks that it gets exactly M values, each producer's in the
// order sent, and that nothing is left afterwards.
//
// Usage: sync_bench --workload=NAME --workers=N [--reps=5]
// [--round_trips=500000] [--messages=2000000] [--producers=4] (each flag
// also reads the environment variable of its upper-case name). Prints one
// line per repetition:
//
//	peer=go workload=pingpong workers=1 rep=0 value=390.000 unit=ns_per_round_trip
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
)

// A message of the unbounded workloads: producer<<seqBits | sequence.
const seqBits = 40
const seqMask = int64(1)<<seqBits - 1

type config struct {
	workload   string
	workers    int
	reps       int
	roundTrips int64
	messages   int64
	producers  int64
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go: "+format+"\n", args...)
	os.Exit(1)
}

func report(c *config, rep int, value float64, unit string, extra ...string) {
	line := fmt.Sprintf("peer=go workload=%s workers=%d rep=%d value=%.3f unit=%s",
		c.workload, c.workers, rep, value, unit)
	for _, e := range extra {
		line += " " + e
	}
	fmt.Println(line)
}

// roundTrip sends i on ping and expects it back on pong.
func roundTrip(ping chan<- int64, pong <-chan int64, i int64) {
	ping <- i
	if back, ok := <-pong; !ok || back != i {
		fail("round trip %d came back as %d (ok=%v)", i, back, ok)
	}
}

func runPingPong(c *config, rep int, capacity int) {
	ping := make(chan int64, capacity)
	pong := make(chan int64, capacity)
	echoed := make(chan int64)
	go func() {
		expected := int64(0)
		for v := range ping {
			if v != expected {
				fail("echo got %d, expected %d", v, expected)
			}
			expected++
			pong <- v
		}
		echoed <- expected
	}()
	roundTrip(ping, pong, 0) // warm-up: the echo goroutine is running
	start := time.Now()
	for i := int64(1); i <= c.roundTrips; i++ {
		roundTrip(ping, pong, i)
	}
	elapsed := time.Since(start)
	close(ping)
	if n := <-echoed; n != c.roundTrips+1 {
		fail("echo saw %d values", n)
	}
	report(c, rep, float64(elapsed.Nanoseconds())/float64(c.roundTrips),
		"ns_per_round_trip")
}

func runUnbounded(c *config, rep int, producers int64) {
	m := c.messages
	ch := make(chan int64, m) // never full: Go's closest to unbounded
	got := make(chan int64)
	var senders sync.WaitGroup
	start := time.Now()
	go func() {
		next := make([]int64, producers)
		for k := int64(0); k < m; k++ {
			v := <-ch
			p := v >> seqBits
			if p < 0 || p >= producers || v&seqMask != next[p] {
				fail("out of order message %d", v)
			}
			next[p]++
		}
		got <- m
	}()
	for p := int64(0); p < producers; p++ {
		count := m / producers
		if p < m%producers {
			count++
		}
		senders.Add(1)
		go func(p, count int64) {
			for i := int64(0); i < count; i++ {
				ch <- p<<seqBits | i
			}
			senders.Done()
		}(p, count)
	}
	senders.Wait()
	n := <-got
	elapsed := time.Since(start)
	if n != m || len(ch) != 0 {
		fail("message count does not add up")
	}
	ns := float64(elapsed.Nanoseconds()) / float64(m)
	report(c, rep, ns, "ns_per_msg", fmt.Sprintf("mmsgs_per_s=%.3f", 1e3/ns),
		fmt.Sprintf("producers=%d", producers), "note=buffered_capacity_M")
}

func main() {
	c := &config{}
	flag.StringVar(&c.workload, "workload", "", "pingpong|pingpong_buf1|unbounded_1p|unbounded_mp")
	flag.IntVar(&c.workers, "workers", 1, "GOMAXPROCS")
	flag.IntVar(&c.reps, "reps", 5, "repetitions")
	flag.Int64Var(&c.roundTrips, "round_trips", 500000, "timed ping-pong round trips")
	flag.Int64Var(&c.messages, "messages", 2000000, "messages per unbounded run")
	flag.Int64Var(&c.producers, "producers", 4, "producers of unbounded_mp")
	flag.Parse()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	flag.VisitAll(func(f *flag.Flag) {
		if v := os.Getenv(strings.ToUpper(f.Name)); v != "" && !set[f.Name] {
			if err := f.Value.Set(v); err != nil {
				fmt.Fprintf(os.Stderr, "bad %s=%s: %v\n", strings.ToUpper(f.Name), v, err)
				os.Exit(2)
			}
		}
	})
	if c.workers < 1 || c.reps < 1 || c.roundTrips < 1 || c.producers < 1 ||
		c.messages < c.producers {
		flag.Usage()
		os.Exit(2)
	}
	runtime.GOMAXPROCS(c.workers)

	runs := map[string]func(*config, int){
		"pingpong":      func(c *config, rep int) { runPingPong(c, rep, 0) },
		"pingpong_buf1": func(c *config, rep int) { runPingPong(c, rep, 1) },
		"unbounded_1p":  func(c *config, rep int) { runUnbounded(c, rep, 1) },
		"unbounded_mp":  func(c *config, rep int) { runUnbounded(c, rep, c.producers) },
	}
	run, ok := runs[c.workload]
	if !ok {
		flag.Usage()
		os.Exit(2)
	}
	for rep := 0; rep < c.reps; rep++ {
		runtime.GC()
		run(c, rep)
	}
}
