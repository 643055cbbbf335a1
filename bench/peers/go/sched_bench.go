// Copyright 2026 The Colony Authors.
//
// sched_bench: the scheduler workloads of bench/run_scheduler_bench.sh on
// Go's runtime, goroutines on GOMAXPROCS=workers Ps. Standard library only.
//
//	yield      100 goroutines each call runtime.Gosched() K times;
//	           ns per yield (wall time / total yields).
//	spawn      the main goroutine spawns M empty goroutines and waits for
//	           them on a sync.WaitGroup; ns per goroutine.
//	chain      each goroutine spawns the next, 1000 links, the last one
//	           sends on a channel the main goroutine waits on; us per chain.
//	skynet     every goroutine spawns 10 children and sums what they send
//	           on a channel, 6 levels, 1,000,000 leaves (sum checked);
//	           ms per run and peak RSS (VmHWM) in MiB.
//	imbalance  the main goroutine spawns 100,000 goroutines that each spin
//	           about 1 us; makespan, the ideal (the same spins run serially
//	           on one goroutine, divided by the workers), their ratio, and
//	           the same spins split evenly over `workers` goroutines.
//	latency    2 x workers goroutines spin in 50 us chunks separated by
//	           Gosched; another sleeps until a deadline every 1 ms and
//	           records how late it runs; p50/p99 in us. Go has no task
//	           priorities and no way to wake a goroutine from a thread
//	           outside the runtime, so the waker is the runtime's timer and
//	           the latency is measured from the deadline.
//	suspended  the main goroutine spawns 1,000,000 goroutines that each
//	           count themselves and block on one channel, yields until all
//	           have counted, closes the channel and waits for them all on a
//	           sync.WaitGroup; seconds in all, create_s, release_s and the
//	           resident memory per blocked goroutine above the process's
//	           size before the first repetition (kib_per_task).
//
// Usage: sched_bench --workload=NAME --workers=N [--reps=5] [--<size>=N...]
// (each flag also reads the environment variable of its upper-case name).
// Prints one line per repetition:
//
//	peer=go workload=yield workers=1 rep=0 value=61.200 unit=ns_per_op
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	workload    string
	workers     int
	reps        int
	yieldTasks  int64
	yields      int64
	spawnTasks  int64
	chainLinks  int64
	chains      int64
	skynetLeafs int64
	imbTasks    int64
	imbTaskNs   int64
	latSamples  int64
	latPeriodUs int64
	latChunkUs  int64
	suspTasks   int64
}

var sink uint64

// spin burns iters steps of a dependent multiply-add chain (the same chain
// as the C++ peers' Spin()).
func spin(iters uint64) uint64 {
	x := iters | 1
	for i := uint64(0); i < iters; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// keep stops the compiler from dropping a spin whose result is unused.
func keep(x uint64) {
	if x == 0 {
		atomic.AddUint64(&sink, 1)
	}
}

// spinIterationsFor calibrates spin: the iterations that take about ns
// nanoseconds (best of several trials).
func spinIterationsFor(ns int64) uint64 {
	const trial = 1 << 20
	best := time.Duration(1 << 62)
	for i := 0; i < 7; i++ {
		t0 := time.Now()
		keep(spin(trial))
		if d := time.Since(t0); d < best {
			best = d
		}
	}
	it := uint64(float64(ns) / (float64(best.Nanoseconds()) / trial))
	if it < 1 {
		it = 1
	}
	return it
}

// statusKiB is the field name ("VmRSS", "VmHWM") of /proc/self/status in
// KiB, or -1.
func statusKiB(name string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, name+":") {
			fields := strings.Fields(line[len(name)+1:])
			if len(fields) > 0 {
				kib, err := strconv.ParseFloat(fields[0], 64)
				if err == nil {
					return kib
				}
			}
		}
	}
	return -1
}

// peakRssMiB is VmHWM in MiB, or -1.
func peakRssMiB() float64 {
	kib := statusKiB("VmHWM")
	if kib < 0 {
		return -1
	}
	return kib / 1024
}

// percentile is the nearest-rank percentile p (0..100) of sorted v.
func percentile(v []int64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	rank := int(p / 100 * float64(len(v)))
	if rank >= len(v) {
		rank = len(v) - 1
	}
	return float64(v[rank])
}

func report(c *config, rep int, value float64, unit string, extra ...string) {
	line := fmt.Sprintf("peer=go workload=%s workers=%d rep=%d value=%.3f unit=%s",
		c.workload, c.workers, rep, value, unit)
	for _, e := range extra {
		line += " " + e
	}
	fmt.Println(line)
}

func field(key string, value float64) string {
	return fmt.Sprintf("%s=%.3f", key, value)
}

func runYield(c *config, rep int) {
	var wg sync.WaitGroup
	wg.Add(int(c.yieldTasks))
	start := time.Now()
	for i := int64(0); i < c.yieldTasks; i++ {
		go func() {
			for j := int64(0); j < c.yields; j++ {
				runtime.Gosched()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	report(c, rep, float64(elapsed.Nanoseconds())/float64(c.yieldTasks*c.yields), "ns_per_op")
}

func runSpawn(c *config, rep int) {
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(int(c.spawnTasks))
	for i := int64(0); i < c.spawnTasks; i++ {
		go wg.Done()
	}
	wg.Wait()
	elapsed := time.Since(start)
	report(c, rep, float64(elapsed.Nanoseconds())/float64(c.spawnTasks), "ns_per_task")
}

func runChain(c *config, rep int) {
	done := make(chan struct{})
	var link func(left int64)
	link = func(left int64) {
		if left == 1 {
			done <- struct{}{}
			return
		}
		go link(left - 1)
	}
	start := time.Now()
	for i := int64(0); i < c.chains; i++ {
		go link(c.chainLinks)
		<-done
	}
	elapsed := time.Since(start)
	perChain := float64(elapsed.Nanoseconds()) / float64(c.chains) / 1e3
	report(c, rep, perChain*1000/float64(c.chainLinks), "us_per_1000_links")
}

func skynet(out chan<- int64, num, size int64) {
	if size == 1 {
		out <- num
		return
	}
	sub := size / 10
	results := make(chan int64, 10)
	for i := int64(0); i < 10; i++ {
		go skynet(results, num+i*sub, sub)
	}
	var sum int64
	for i := 0; i < 10; i++ {
		sum += <-results
	}
	out <- sum
}

func runSkynet(c *config, rep int) {
	out := make(chan int64, 1)
	start := time.Now()
	go skynet(out, 0, c.skynetLeafs)
	sum := <-out
	elapsed := time.Since(start)
	if want := c.skynetLeafs * (c.skynetLeafs - 1) / 2; sum != want {
		fmt.Fprintf(os.Stderr, "go: skynet sum %d, want %d\n", sum, want)
		os.Exit(1)
	}
	report(c, rep, float64(elapsed.Nanoseconds())/1e6, "ms",
		field("rss_mib", peakRssMiB()))
}

// imbalanceBaseline is what the imbalance makespan is compared with,
// measured once before the repetitions (medians of three runs).
type imbalanceBaseline struct {
	iters   uint64        // spin iterations of one task
	serial  time.Duration // every task one after the other, one goroutine
	threads time.Duration // the tasks split evenly over workers goroutines
}

var imb imbalanceBaseline

func median3(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

func measureImbalance(c *config) imbalanceBaseline {
	b := imbalanceBaseline{iters: spinIterationsFor(c.imbTaskNs)}
	var serial, threads []time.Duration
	for round := 0; round < 3; round++ {
		t0 := time.Now()
		for i := int64(0); i < c.imbTasks; i++ {
			keep(spin(b.iters))
		}
		serial = append(serial, time.Since(t0))
		var wg sync.WaitGroup
		t0 = time.Now()
		for w := 0; w < c.workers; w++ {
			n := c.imbTasks / int64(c.workers)
			if int64(w) < c.imbTasks%int64(c.workers) {
				n++
			}
			wg.Add(1)
			go func(n int64) {
				for i := int64(0); i < n; i++ {
					keep(spin(b.iters))
				}
				wg.Done()
			}(n)
		}
		wg.Wait()
		threads = append(threads, time.Since(t0))
	}
	b.serial = median3(serial)
	b.threads = median3(threads)
	return b
}

func runImbalance(c *config, rep int) {
	var wg sync.WaitGroup
	wg.Add(int(c.imbTasks))
	start := time.Now()
	for i := int64(0); i < c.imbTasks; i++ {
		go func() {
			keep(spin(imb.iters))
			wg.Done()
		}()
	}
	wg.Wait()
	makespan := float64(time.Since(start).Nanoseconds())
	ideal := float64(imb.serial.Nanoseconds()) / float64(c.workers)
	threads := float64(imb.threads.Nanoseconds())
	report(c, rep, makespan/1e6, "ms",
		field("ideal_ms", ideal/1e6),
		field("efficiency", ideal/makespan),
		field("threads_ms", threads/1e6),
		field("threads_efficiency", threads/makespan),
		field("task_ns", float64(imb.serial.Nanoseconds())/float64(c.imbTasks)))
}

func runLatency(c *config, rep int) {
	chunk := spinIterationsFor(c.latChunkUs * 1000)
	var stop int32
	var load sync.WaitGroup
	for i := 0; i < 2*c.workers; i++ {
		load.Add(1)
		go func() {
			for atomic.LoadInt32(&stop) == 0 {
				keep(spin(chunk))
				runtime.Gosched()
			}
			load.Done()
		}()
	}
	lat := make([]int64, c.latSamples)
	done := make(chan struct{})
	go func() {
		period := time.Duration(c.latPeriodUs) * time.Microsecond
		begin := time.Now().Add(5 * period) // let the load spread first
		for i := range lat {
			deadline := begin.Add(time.Duration(i) * period)
			time.Sleep(time.Until(deadline))
			lat[i] = time.Since(deadline).Nanoseconds()
		}
		close(done)
	}()
	<-done
	atomic.StoreInt32(&stop, 1)
	load.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	report(c, rep, percentile(lat, 50)/1e3, "us",
		field("p99_us", percentile(lat, 99)/1e3),
		field("max_us", float64(lat[len(lat)-1])/1e3),
		"note=no_priorities_timer_wake")
}

// baseKiB is VmRSS before the first repetition (suspended's baseline).
var baseKiB float64

func runSuspended(c *config, rep int) {
	gate := make(chan struct{})
	var waiting int64
	var wg sync.WaitGroup
	wg.Add(int(c.suspTasks))
	start := time.Now()
	for i := int64(0); i < c.suspTasks; i++ {
		go func() {
			atomic.AddInt64(&waiting, 1)
			<-gate
			wg.Done()
		}()
	}
	for atomic.LoadInt64(&waiting) < c.suspTasks {
		runtime.Gosched()
	}
	created := time.Since(start)
	waitingKiB := statusKiB("VmRSS")
	close(gate)
	wg.Wait()
	total := time.Since(start)
	report(c, rep, total.Seconds(), "s",
		field("create_s", created.Seconds()),
		field("release_s", (total-created).Seconds()),
		field("kib_per_task", (waitingKiB-baseKiB)/float64(c.suspTasks)))
}

func main() {
	c := &config{}
	flag.StringVar(&c.workload, "workload", "", "yield|spawn|chain|skynet|imbalance|latency|suspended")
	flag.IntVar(&c.workers, "workers", 1, "GOMAXPROCS")
	flag.IntVar(&c.reps, "reps", 5, "repetitions")
	flag.Int64Var(&c.yieldTasks, "yield_tasks", 100, "goroutines in the yield workload")
	flag.Int64Var(&c.yields, "yields", 50000, "yields per goroutine")
	flag.Int64Var(&c.spawnTasks, "spawn_tasks", 1000000, "empty goroutines per repetition")
	flag.Int64Var(&c.chainLinks, "chain_links", 1000, "goroutines per chain")
	flag.Int64Var(&c.chains, "chains", 300, "chains per repetition")
	flag.Int64Var(&c.skynetLeafs, "skynet_leaves", 1000000, "skynet leaves (a power of 10)")
	flag.Int64Var(&c.imbTasks, "imb_tasks", 100000, "busy goroutines")
	flag.Int64Var(&c.imbTaskNs, "imb_task_ns", 1000, "busy time of each")
	flag.Int64Var(&c.latSamples, "lat_samples", 500, "wake-ups per repetition")
	flag.Int64Var(&c.latPeriodUs, "lat_period_us", 1000, "between two wake-ups")
	flag.Int64Var(&c.latChunkUs, "lat_chunk_us", 50, "busy time between yields of the load")
	flag.Int64Var(&c.suspTasks, "suspended_tasks", 1000000, "goroutines blocked at once")
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
	leaves := int64(1)
	for leaves < c.skynetLeafs {
		leaves *= 10
	}
	if c.workers < 1 || c.reps < 1 || c.chainLinks < 1 || leaves != c.skynetLeafs {
		flag.Usage()
		os.Exit(2)
	}
	runtime.GOMAXPROCS(c.workers)

	runs := map[string]func(*config, int){
		"yield": runYield, "spawn": runSpawn, "chain": runChain,
		"skynet": runSkynet, "imbalance": runImbalance, "latency": runLatency,
		"suspended": runSuspended,
	}
	run, ok := runs[c.workload]
	if !ok {
		flag.Usage()
		os.Exit(2)
	}
	if c.workload == "imbalance" {
		imb = measureImbalance(c)
	}
	runtime.GC()
	baseKiB = statusKiB("VmRSS")
	for rep := 0; rep < c.reps; rep++ {
		runtime.GC()
		run(c, rep)
	}
}
