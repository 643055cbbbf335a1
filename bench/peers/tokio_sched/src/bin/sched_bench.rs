// Copyright 2026 The Colony Authors.
//
// sched_bench: the scheduler workloads of bench/run_scheduler_bench.sh on
// Tokio 1.24, with the sizes, clock, busy loop and output of the other
// peers (bench/peers/peer_bench.h, bench/peers/go/sched_bench.go).
//
//   yield      a root task spawns 100 tasks that each call
//              tokio::task::yield_now() K times and joins them; ns per
//              yield (wall time / total yields).
//   spawn      a root task spawns M empty tasks, then joins every handle;
//              ns per task.
//   chain      each task spawns the next (dropping its handle), 1000 links;
//              the last one sends on a oneshot the root task awaits; us per
//              1000 links.
//   skynet     every task spawns 10 children, joins them and sums their
//              results, 6 levels, 1,000,000 leaves (sum checked); ms per run
//              and peak RSS (VmHWM) in MiB.
//   imbalance  a root task spawns 100,000 tasks that each spin about 1 us
//              and joins them; makespan, the ideal (the same spins run
//              serially on one thread, divided by the workers), their
//              ratio, and the same spins split over plain threads.
//   latency    2 x workers tasks spin in 50 us chunks separated by
//              yield_now(); every 1 ms a plain thread takes a timestamp and
//              spawns a task through the runtime's Handle (the wake), which
//              records how long it took to start; p50/p99 in us. Tokio has
//              no priorities: the wake enters the injection queue like any
//              remote spawn, which is what Colony's priority-2 spawn is
//              measured against.
//   suspended  a root task spawns 1,000,000 tasks that each count
//              themselves and wait on one tokio::sync::Semaphore without
//              permits, yields until all have counted, closes the
//              semaphore (which fails every acquire) and joins them all;
//              seconds in all, create_s, release_s and the resident memory
//              per waiting task above the process's size before the first
//              repetition (kib_per_task).
//
// The runtime, per workload (see peer_bench::runtime()):
//   - every workload runs on a multi_thread runtime with worker_threads =
//     workers, 1 included. current_thread would be the faster choice on 1
//     worker for the spawn-heavy workloads (spawn, chain, skynet,
//     imbalance: no atomics on its queue, no idle/search bookkeeping), but
//     Go's and Colony's single worker keep the multi-worker paths, so the
//     rows at 1 and 2 workers then compare the same scheduler.
//   - yield and latency need multi_thread semantics anyway: yield_now()
//     parks the task in the worker's deferred list, and the latency wake is
//     spawned from a thread outside the runtime, which only multi_thread
//     serves without the caller driving block_on.
//   - every workload's driver runs in a task spawned onto the runtime (the
//     "root task"), not in block_on(), whose future runs on the calling
//     thread outside the workers: spawns from the root then take the
//     worker's local queue (and LIFO slot), as in Go and Colony.
//
// Usage: sched_bench --workload=NAME --workers=N [--reps=5] [--<size>=N...]
// (each flag also reads the environment variable of its upper-case name).

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use peer_bench::{
    elapsed_ns, fail, field, peak_rss_mib, percentile, report, runtime, sink_value, spin,
    spin_iterations_for, status_kib, Flags,
};
use tokio::runtime::Runtime;
use tokio::sync::{oneshot, Semaphore};
use tokio::task::JoinHandle;

const USAGE: &str = "usage: sched_bench --workload=yield|spawn|chain|skynet|imbalance|latency|suspended \
                     --workers=N [--reps=N] [--<size>=N...]";

// Workload sizes, identical across peers (peer_bench.h's Config).
#[derive(Clone)]
struct Config {
    workload: String,
    workers: usize,
    reps: i64,
    yield_tasks: i64,
    yields: i64,
    spawn_tasks: i64,
    chain_links: i64,
    chains: i64,
    skynet_leaves: i64,
    imb_tasks: i64,
    imb_task_ns: i64,
    lat_samples: i64,
    lat_period_us: i64,
    lat_chunk_us: i64,
    suspended_tasks: i64,
}

impl Config {
    fn from_flags(f: &Flags) -> Config {
        let c = Config {
            workload: f.str("workload", ""),
            workers: f.int("workers", 1).max(0) as usize,
            reps: f.int("reps", 5),
            yield_tasks: f.int("yield_tasks", 100),
            yields: f.int("yields", 50000),
            spawn_tasks: f.int("spawn_tasks", 1000000),
            chain_links: f.int("chain_links", 1000),
            chains: f.int("chains", 300),
            skynet_leaves: f.int("skynet_leaves", 1000000),
            imb_tasks: f.int("imb_tasks", 100000),
            imb_task_ns: f.int("imb_task_ns", 1000),
            lat_samples: f.int("lat_samples", 500),
            lat_period_us: f.int("lat_period_us", 1000),
            lat_chunk_us: f.int("lat_chunk_us", 50),
            suspended_tasks: f.int("suspended_tasks", 1000000),
        };
        let known = [
            "yield",
            "spawn",
            "chain",
            "skynet",
            "imbalance",
            "latency",
            "suspended",
        ];
        if !known.contains(&c.workload.as_str())
            || c.workers < 1
            || c.reps < 1
            || c.chain_links < 1
            || c.lat_samples < 1
        {
            f.usage("bad flags");
        }
        let mut leaves = 1;
        while leaves < c.skynet_leaves {
            leaves *= 10;
        }
        if leaves != c.skynet_leaves {
            f.usage("--skynet_leaves must be a power of 10");
        }
        c
    }
}

// run_root() runs `fut` as a task on a worker and waits for its result.
fn run_root<T: Send + 'static>(
    rt: &Runtime,
    fut: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    match rt.block_on(rt.spawn(fut)) {
        Ok(v) => v,
        Err(e) => fail(&format!("root task: {}", e)),
    }
}

fn join_all<T>(handles: Vec<JoinHandle<T>>) -> impl std::future::Future<Output = Vec<T>> {
    async move {
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            match h.await {
                Ok(v) => out.push(v),
                Err(e) => fail(&format!("task: {}", e)),
            }
        }
        out
    }
}

fn run_yield(c: &Config, rt: &Runtime, rep: i64) {
    let (tasks, yields) = (c.yield_tasks, c.yields);
    let ns = run_root(rt, async move {
        let t0 = Instant::now();
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                tokio::spawn(async move {
                    for _ in 0..yields {
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        join_all(handles).await;
        elapsed_ns(t0)
    });
    let per = ns as f64 / (tasks * yields) as f64;
    report(&c.workload, c.workers, rep, per, "ns_per_op", &[]);
}

fn run_spawn(c: &Config, rt: &Runtime, rep: i64) {
    let tasks = c.spawn_tasks;
    let ns = run_root(rt, async move {
        let t0 = Instant::now();
        let handles: Vec<_> = (0..tasks).map(|_| tokio::spawn(async {})).collect();
        join_all(handles).await;
        elapsed_ns(t0)
    });
    report(&c.workload, c.workers, rep, ns as f64 / tasks as f64, "ns_per_task", &[]);
}

// link() spawns the next link of a chain; the last one signals `done`.
fn link(left: i64, done: oneshot::Sender<()>) {
    tokio::spawn(async move {
        if left == 1 {
            let _ = done.send(());
        } else {
            link(left - 1, done);
        }
    });
}

fn run_chain(c: &Config, rt: &Runtime, rep: i64) {
    let (chains, links) = (c.chains, c.chain_links);
    let ns = run_root(rt, async move {
        let t0 = Instant::now();
        for _ in 0..chains {
            let (tx, rx) = oneshot::channel();
            link(links, tx);
            if rx.await.is_err() {
                fail("chain ended without a signal");
            }
        }
        elapsed_ns(t0)
    });
    let per_chain_us = ns as f64 / chains as f64 / 1e3;
    report(
        &c.workload,
        c.workers,
        rep,
        per_chain_us * 1000.0 / links as f64,
        "us_per_1000_links",
        &[],
    );
}

// skynet() spawns the subtree of `size` leaves numbered from `num`.
fn skynet(num: i64, size: i64) -> JoinHandle<i64> {
    tokio::spawn(async move {
        if size == 1 {
            return num;
        }
        let sub = size / 10;
        let children: Vec<_> = (0..10).map(|i| skynet(num + i * sub, sub)).collect();
        join_all(children).await.iter().sum()
    })
}

fn run_skynet(c: &Config, rt: &Runtime, rep: i64) {
    let leaves = c.skynet_leaves;
    let (ns, sum) = run_root(rt, async move {
        let t0 = Instant::now();
        let sum = join_all(vec![skynet(0, leaves)]).await[0];
        (elapsed_ns(t0), sum)
    });
    if sum != leaves * (leaves - 1) / 2 {
        fail(&format!("skynet sum {}, want {}", sum, leaves * (leaves - 1) / 2));
    }
    report(
        &c.workload,
        c.workers,
        rep,
        ns as f64 / 1e6,
        "ms",
        &[field("rss_mib", peak_rss_mib())],
    );
}

// What the imbalance makespan is compared with, measured before the
// runtime starts so that no idle worker competes for a core (medians of
// three runs, as in peer_bench.h's MeasureImbalance()).
struct ImbalanceBaseline {
    iters: u64,      // spin iterations of one task
    serial_ns: i64,  // every task one after the other, one thread
    threads_ns: i64, // the tasks split evenly over `workers` threads
}

fn serial_spin_ns(tasks: i64, iters: u64) -> i64 {
    let t0 = Instant::now();
    for _ in 0..tasks {
        sink_value(spin(iters));
    }
    elapsed_ns(t0)
}

fn measure_imbalance(c: &Config) -> ImbalanceBaseline {
    let iters = spin_iterations_for(c.imb_task_ns);
    let (mut serial, mut threads) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        serial.push(serial_spin_ns(c.imb_tasks, iters));
        let t0 = Instant::now();
        std::thread::scope(|s| {
            for w in 0..c.workers as i64 {
                let n = c.imb_tasks / c.workers as i64
                    + i64::from(w < c.imb_tasks % c.workers as i64);
                s.spawn(move || serial_spin_ns(n, iters));
            }
        });
        threads.push(elapsed_ns(t0));
    }
    serial.sort_unstable();
    threads.sort_unstable();
    ImbalanceBaseline {
        iters,
        serial_ns: serial[1],
        threads_ns: threads[1],
    }
}

fn run_imbalance(c: &Config, rt: &Runtime, rep: i64, b: &ImbalanceBaseline) {
    let (tasks, iters) = (c.imb_tasks, b.iters);
    let makespan = run_root(rt, async move {
        let t0 = Instant::now();
        let handles: Vec<_> = (0..tasks)
            .map(|_| tokio::spawn(async move { sink_value(spin(iters)) }))
            .collect();
        join_all(handles).await;
        elapsed_ns(t0)
    }) as f64;
    let ideal = b.serial_ns as f64 / c.workers as f64;
    let threads = b.threads_ns as f64;
    report(
        &c.workload,
        c.workers,
        rep,
        makespan / 1e6,
        "ms",
        &[
            field("ideal_ms", ideal / 1e6),
            field("efficiency", ideal / makespan),
            field("threads_ms", threads / 1e6),
            field("threads_efficiency", threads / makespan),
            field("task_ns", b.serial_ns as f64 / tasks as f64),
        ],
    );
}

fn run_latency(c: &Config, rt: &Runtime, rep: i64) {
    let chunk = spin_iterations_for(c.lat_chunk_us * 1000);
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..2 * c.workers)
        .map(|_| {
            let stop = stop.clone();
            rt.spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    sink_value(spin(chunk));
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();

    // The waker, a plain thread: at each deadline it takes a timestamp and
    // spawns a task that stores how long it took to start running.
    let samples = c.lat_samples as usize;
    let latency: Arc<Vec<AtomicI64>> = Arc::new((0..samples).map(|_| AtomicI64::new(-1)).collect());
    let period = Duration::from_micros(c.lat_period_us as u64);
    let handle = rt.handle().clone();
    let lat = latency.clone();
    let wakes = std::thread::spawn(move || {
        let begin = Instant::now() + 5 * period; // let the load spread first
        let mut handles = Vec::with_capacity(samples);
        for i in 0..samples {
            let deadline = begin + period * i as u32;
            let now = Instant::now();
            if deadline > now {
                std::thread::sleep(deadline - now);
            }
            let lat = lat.clone();
            let woken_at = Instant::now();
            handles.push(handle.spawn(async move {
                lat[i].store(elapsed_ns(woken_at), Ordering::Relaxed);
            }));
        }
        handles
    });
    let wake_handles = match wakes.join() {
        Ok(h) => h,
        Err(_) => fail("waker thread panicked"),
    };
    rt.block_on(join_all(wake_handles));
    stop.store(true, Ordering::Relaxed);
    rt.block_on(join_all(load));

    let mut lat: Vec<i64> = latency.iter().map(|a| a.load(Ordering::Relaxed)).collect();
    if lat.iter().any(|&v| v < 0) {
        fail("a wake-up never ran");
    }
    lat.sort_unstable();
    report(
        &c.workload,
        c.workers,
        rep,
        percentile(&lat, 50.0) / 1e3,
        "us",
        &[
            field("p99_us", percentile(&lat, 99.0) / 1e3),
            field("max_us", lat[lat.len() - 1] as f64 / 1e3),
            "note=no_priorities_remote_spawn".to_string(),
        ],
    );
}

fn run_suspended(c: &Config, rt: &Runtime, rep: i64, base_kib: f64) {
    let tasks = c.suspended_tasks;
    let (created, total, waiting_kib) = run_root(rt, async move {
        let gate = Arc::new(Semaphore::new(0));
        let waiting = Arc::new(AtomicI64::new(0));
        let t0 = Instant::now();
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let (gate, waiting) = (gate.clone(), waiting.clone());
                tokio::spawn(async move {
                    waiting.fetch_add(1, Ordering::Relaxed);
                    // Err once the semaphore is closed: the release.
                    let _ = gate.acquire().await;
                })
            })
            .collect();
        while waiting.load(Ordering::Relaxed) < tasks {
            tokio::task::yield_now().await;
        }
        let created = elapsed_ns(t0);
        let waiting_kib = status_kib("VmRSS");
        gate.close();
        join_all(handles).await;
        (created, elapsed_ns(t0), waiting_kib)
    });
    report(
        &c.workload,
        c.workers,
        rep,
        total as f64 / 1e9,
        "s",
        &[
            field("create_s", created as f64 / 1e9),
            field("release_s", (total - created) as f64 / 1e9),
            field("kib_per_task", (waiting_kib - base_kib) / tasks as f64),
        ],
    );
}

fn main() {
    let flags = Flags::from_env(USAGE);
    let c = Config::from_flags(&flags);
    // Measured before the runtime exists, so that its idle workers do not
    // share the cores with the baseline.
    let baseline = if c.workload == "imbalance" {
        Some(measure_imbalance(&c))
    } else {
        None
    };
    let rt = runtime(c.workers);
    let base_kib = status_kib("VmRSS");
    for rep in 0..c.reps {
        match (c.workload.as_str(), &baseline) {
            ("yield", _) => run_yield(&c, &rt, rep),
            ("spawn", _) => run_spawn(&c, &rt, rep),
            ("chain", _) => run_chain(&c, &rt, rep),
            ("skynet", _) => run_skynet(&c, &rt, rep),
            ("imbalance", Some(b)) => run_imbalance(&c, &rt, rep, b),
            ("latency", _) => run_latency(&c, &rt, rep),
            ("suspended", _) => run_suspended(&c, &rt, rep, base_kib),
            _ => flags.usage("unknown workload"),
        }
    }
}
