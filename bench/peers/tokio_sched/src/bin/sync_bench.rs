// Copyright 2026 The Colony Authors.
//
// sync_bench: the channel workloads of bench/run_sync_bench.sh on Tokio
// 1.24's tokio::sync channels, with the sizes and output of the Go peer
// (bench/peers/go/sync_bench.go). Every workload runs in a root task on a
// multi_thread runtime with worker_threads = workers, 1 included (see
// peer_bench::runtime() for why not current_thread).
//
//   pingpong       the root task and an echo task bounce a counter N times
//                  after one untimed warm-up; ns per round trip, the order
//                  checked on both sides. Tokio has no rendezvous channel;
//                  its closest is a oneshot, a single slot with no queue
//                  handed to exactly one waiting receiver: each ping
//                  carries the oneshot for its pong, each pong the oneshot
//                  for the next ping (one allocation per message, part of
//                  the price of that hand-off in Tokio).
//   pingpong_buf1  the same over two tokio::sync::mpsc channels of
//                  capacity 1 (the smallest bounded mpsc).
//   unbounded_1p   one producer task sends M values into an
//                  mpsc::unbounded_channel, one consumer task receives
//                  them; ns per message, from before the tasks are spawned
//                  to the end of both.
//   unbounded_mp   the same with P producers (--producers, default 4)
//                  sending M/P values each into one consumer.
//
// The consumer checks that it gets exactly M values, each producer's in the
// order sent, and that nothing is left afterwards.
//
// Usage: sync_bench --workload=NAME --workers=N [--reps=5]
// [--round_trips=500000] [--messages=2000000] [--producers=4] (each flag
// also reads the environment variable of its upper-case name).

use std::time::Instant;

use peer_bench::{elapsed_ns, fail, report, runtime, Flags};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot};

const USAGE: &str = "usage: sync_bench --workload=pingpong|pingpong_buf1|unbounded_1p|\
                     unbounded_mp --workers=N [--reps=N] [--round_trips=N] \
                     [--messages=N] [--producers=N]";

// A message of the unbounded workloads: producer << SEQ_BITS | sequence.
const SEQ_BITS: u32 = 40;
const SEQ_MASK: i64 = (1 << SEQ_BITS) - 1;

struct Config {
    workload: String,
    workers: usize,
    reps: i64,
    round_trips: i64,
    messages: i64,
    producers: i64,
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

// The oneshot ping-pong's messages: each carries the slot of the reply.
struct Ping {
    value: i64,
    reply: oneshot::Sender<Pong>,
}
struct Pong {
    value: i64,
    next: oneshot::Sender<Ping>,
}

// oneshot_round_trip() sends `i` through `ping` and returns the slot of the
// next ping once `i` came back.
async fn oneshot_round_trip(ping: oneshot::Sender<Ping>, i: i64) -> oneshot::Sender<Ping> {
    let (reply, pong) = oneshot::channel();
    if ping.send(Ping { value: i, reply }).is_err() {
        fail("echo task went away");
    }
    match pong.await {
        Ok(p) if p.value == i => p.next,
        Ok(p) => fail(&format!("round trip {} came back as {}", i, p.value)),
        Err(_) => fail("echo task dropped a reply"),
    }
}

async fn pingpong_oneshot(round_trips: i64) -> i64 {
    let (first, mut ping_rx) = oneshot::channel::<Ping>();
    let echo = tokio::spawn(async move {
        let mut expected = 0;
        while expected <= round_trips {
            let ping = match ping_rx.await {
                Ok(p) => p,
                Err(_) => break,
            };
            if ping.value != expected {
                fail(&format!("echo got {}, expected {}", ping.value, expected));
            }
            expected += 1;
            let (next, rx) = oneshot::channel();
            ping_rx = rx;
            if ping.reply.send(Pong { value: ping.value, next }).is_err() {
                fail("pinger went away");
            }
        }
        expected
    });
    let mut ping = oneshot_round_trip(first, 0).await; // warm-up
    let t0 = Instant::now();
    for i in 1..=round_trips {
        ping = oneshot_round_trip(ping, i).await;
    }
    let ns = elapsed_ns(t0);
    drop(ping);
    match echo.await {
        Ok(n) if n == round_trips + 1 => ns,
        _ => fail("echo saw the wrong number of values"),
    }
}

async fn mpsc_round_trip(ping: &mpsc::Sender<i64>, pong: &mut mpsc::Receiver<i64>, i: i64) {
    if ping.send(i).await.is_err() {
        fail("echo task went away");
    }
    match pong.recv().await {
        Some(back) if back == i => {}
        back => fail(&format!("round trip {} came back as {:?}", i, back)),
    }
}

async fn pingpong_buf1(round_trips: i64) -> i64 {
    let (ping, mut ping_rx) = mpsc::channel::<i64>(1);
    let (pong_tx, mut pong) = mpsc::channel::<i64>(1);
    let echo = tokio::spawn(async move {
        let mut expected = 0;
        while let Some(v) = ping_rx.recv().await {
            if v != expected {
                fail(&format!("echo got {}, expected {}", v, expected));
            }
            expected += 1;
            if pong_tx.send(v).await.is_err() {
                fail("pinger went away");
            }
        }
        expected
    });
    mpsc_round_trip(&ping, &mut pong, 0).await; // warm-up
    let t0 = Instant::now();
    for i in 1..=round_trips {
        mpsc_round_trip(&ping, &mut pong, i).await;
    }
    let ns = elapsed_ns(t0);
    drop(ping);
    match echo.await {
        Ok(n) if n == round_trips + 1 => ns,
        _ => fail("echo saw the wrong number of values"),
    }
}

async fn unbounded(m: i64, producers: i64) -> i64 {
    let t0 = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel::<i64>();
    let consumer = tokio::spawn(async move {
        let mut next = vec![0i64; producers as usize];
        for _ in 0..m {
            let v = match rx.recv().await {
                Some(v) => v,
                None => fail("channel closed early"),
            };
            let p = v >> SEQ_BITS;
            if p < 0 || p >= producers || v & SEQ_MASK != next[p as usize] {
                fail(&format!("out of order message {}", v));
            }
            next[p as usize] += 1;
        }
        rx
    });
    let senders: Vec<_> = (0..producers)
        .map(|p| {
            let tx = tx.clone();
            let count = m / producers + i64::from(p < m % producers);
            tokio::spawn(async move {
                for i in 0..count {
                    if tx.send(p << SEQ_BITS | i).is_err() {
                        fail("consumer went away");
                    }
                }
            })
        })
        .collect();
    drop(tx);
    for s in senders {
        if s.await.is_err() {
            fail("producer failed");
        }
    }
    let mut rx = match consumer.await {
        Ok(rx) => rx,
        Err(_) => fail("consumer failed"),
    };
    let ns = elapsed_ns(t0);
    if rx.try_recv().is_ok() {
        fail("messages left in the channel");
    }
    ns
}

fn main() {
    let flags = Flags::from_env(USAGE);
    let c = Config {
        workload: flags.str("workload", ""),
        workers: flags.int("workers", 1).max(0) as usize,
        reps: flags.int("reps", 5),
        round_trips: flags.int("round_trips", 500000),
        messages: flags.int("messages", 2000000),
        producers: flags.int("producers", 4),
    };
    if c.workers < 1
        || c.reps < 1
        || c.round_trips < 1
        || c.producers < 1
        || c.producers >= 1 << (63 - SEQ_BITS)
        || c.messages < c.producers
    {
        flags.usage("bad flags");
    }
    let rt = runtime(c.workers);
    for rep in 0..c.reps {
        let (rt_ref, trips, m) = (&rt, c.round_trips, c.messages);
        match c.workload.as_str() {
            "pingpong" | "pingpong_buf1" => {
                let ns = if c.workload == "pingpong" {
                    run_root(rt_ref, pingpong_oneshot(trips))
                } else {
                    run_root(rt_ref, pingpong_buf1(trips))
                };
                let note = if c.workload == "pingpong" {
                    "note=oneshot_handoff"
                } else {
                    "note=mpsc_capacity_1"
                };
                report(
                    &c.workload,
                    c.workers,
                    rep,
                    ns as f64 / trips as f64,
                    "ns_per_round_trip",
                    &[note.to_string()],
                );
            }
            "unbounded_1p" | "unbounded_mp" => {
                let p = if c.workload == "unbounded_1p" { 1 } else { c.producers };
                let ns = run_root(rt_ref, unbounded(m, p)) as f64 / m as f64;
                report(
                    &c.workload,
                    c.workers,
                    rep,
                    ns,
                    "ns_per_msg",
                    &[
                        format!("mmsgs_per_s={:.3}", 1e3 / ns),
                        format!("producers={}", p),
                        "note=unbounded_channel".to_string(),
                    ],
                );
            }
            _ => flags.usage("unknown workload"),
        }
    }
}
