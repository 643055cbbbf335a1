// Copyright 2026 The Colony Authors.
//
// Shared plumbing of the Tokio peers (src/bin/sched_bench.rs and
// src/bin/sync_bench.rs), the Rust twin of bench/peers/peer_bench.h: flags,
// the clock, the calibrated busy loop, peak RSS, percentiles, the runtime
// every workload runs on, and the one-line result format that the driver
// scripts parse:
//
//   peer=tokio workload=yield workers=1 rep=0 value=61.200 unit=ns_per_op
//
// optionally followed by more `key=value` fields (rss_mib=, p99_us=, ...).

use std::arch::asm;
use std::process::exit;
use std::time::Instant;

/// The peer's name in every result line.
pub const PEER: &str = "tokio";

/// Flags reads `--name=value` arguments, falling back to the environment
/// variable NAME (upper case) and then to the default.
pub struct Flags {
    args: Vec<String>,
    usage: &'static str,
}

impl Flags {
    /// from_env() takes the process's arguments; `usage` is printed on a
    /// bad value.
    pub fn from_env(usage: &'static str) -> Flags {
        let args: Vec<String> = std::env::args().skip(1).collect();
        for a in &args {
            if !a.starts_with("--") || !a.contains('=') {
                eprintln!("unknown argument {}\n{}", a, usage);
                exit(2);
            }
        }
        Flags { args, usage }
    }

    /// str() is the value of --name, or NAME from the environment, or `def`.
    pub fn str(&self, name: &str, def: &str) -> String {
        let prefix = format!("--{}=", name);
        for a in &self.args {
            if let Some(v) = a.strip_prefix(&prefix) {
                return v.to_string();
            }
        }
        match std::env::var(name.to_uppercase()) {
            Ok(v) if !v.is_empty() => v,
            _ => def.to_string(),
        }
    }

    /// int() is str() parsed as an integer; a bad value exits with usage.
    pub fn int(&self, name: &str, def: i64) -> i64 {
        let s = self.str(name, "");
        if s.is_empty() {
            return def;
        }
        match s.parse() {
            Ok(v) => v,
            Err(_) => self.usage(&format!("bad value for --{}: {}", name, s)),
        }
    }

    /// usage() prints `msg` and the usage line, and exits with status 2.
    pub fn usage(&self, msg: &str) -> ! {
        eprintln!("{}\n{}", msg, self.usage);
        exit(2);
    }
}

/// runtime() builds the runtime every workload runs on: a multi_thread
/// runtime with `workers` worker threads, also for one worker. Go's
/// GOMAXPROCS=1 and Colony's one-worker scheduler keep the machinery of N
/// workers (a local run queue plus an injection queue fed by other threads,
/// atomic task states, wakes from outside); `current_thread` drops all of
/// it and would measure a different scheduler, so it is not used here
/// (bench/peers/tokio's echo server, a separate program, uses it).
/// No driver is enabled: no workload needs I/O or Tokio's timers.
pub fn runtime(workers: usize) -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{}: runtime: {}", PEER, e);
            exit(1);
        }
    }
}

/// elapsed_ns() is the time since `t0` in nanoseconds (monotonic clock).
pub fn elapsed_ns(t0: Instant) -> i64 {
    t0.elapsed().as_nanos() as i64
}

/// opaque() hides `x` from the optimiser (std::hint::black_box is newer
/// than Debian's rustc 1.63): the value must be computed and cannot be
/// assumed constant.
#[inline(always)]
pub fn opaque(mut x: u64) -> u64 {
    // SAFETY: an empty asm block that only claims to read and write a
    // register; it touches no memory and no flags.
    unsafe { asm!("/* {0} */", inout(reg) x, options(nomem, nostack, preserves_flags)) };
    x
}

/// spin() burns `iters` steps of the dependent multiply-add chain of the
/// C++ peers' Spin(); the result feeds sink_value().
pub fn spin(iters: u64) -> u64 {
    let mut x = iters | 1;
    for _ in 0..iters {
        x = opaque(
            x.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407),
        );
    }
    x
}

/// sink_value() keeps a computed value alive.
#[inline(always)]
pub fn sink_value(x: u64) {
    opaque(x);
}

/// spin_iterations_for() calibrates spin() on the calling thread: the
/// iterations that take about `ns` nanoseconds (best of several trials).
pub fn spin_iterations_for(ns: i64) -> u64 {
    const TRIAL: u64 = 1 << 20;
    let mut best = i64::MAX;
    for _ in 0..7 {
        let t0 = Instant::now();
        sink_value(spin(TRIAL));
        best = best.min(elapsed_ns(t0));
    }
    let ns_per_iter = best as f64 / TRIAL as f64;
    ((ns as f64 / ns_per_iter) as u64).max(1)
}

/// status_kib() is the field `name` ("VmRSS", "VmHWM") of /proc/self/status
/// in KiB, or -1.
pub fn status_kib(name: &str) -> f64 {
    let status = match std::fs::read_to_string("/proc/self/status") {
        Ok(s) => s,
        Err(_) => return -1.0,
    };
    for line in status.lines() {
        if let Some(rest) = line.strip_prefix(name).and_then(|r| r.strip_prefix(':')) {
            if let Some(Ok(kib)) = rest.split_whitespace().next().map(str::parse::<f64>) {
                return kib;
            }
        }
    }
    -1.0
}

/// peak_rss_mib() is VmHWM in MiB, or -1.
pub fn peak_rss_mib() -> f64 {
    let kib = status_kib("VmHWM");
    if kib < 0.0 {
        -1.0
    } else {
        kib / 1024.0
    }
}

/// percentile() is the nearest-rank percentile `p` (0..100) of sorted `v`.
pub fn percentile(v: &[i64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0 * v.len() as f64) as usize).min(v.len() - 1);
    v[rank] as f64
}

/// field() formats a `key=value` pair for report()'s `extra`.
pub fn field(key: &str, value: f64) -> String {
    format!("{}={:.3}", key, value)
}

/// report() prints one result line.
pub fn report(workload: &str, workers: usize, rep: i64, value: f64, unit: &str, extra: &[String]) {
    let mut line = format!(
        "peer={} workload={} workers={} rep={} value={:.3} unit={}",
        PEER, workload, workers, rep, value, unit
    );
    for e in extra {
        line.push(' ');
        line.push_str(e);
    }
    println!("{}", line);
}

/// fail() reports a broken invariant (a wrong sum, a lost message) and exits.
pub fn fail(what: &str) -> ! {
    eprintln!("{}: {}", PEER, what);
    exit(1);
}
