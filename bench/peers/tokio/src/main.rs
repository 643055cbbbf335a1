// Copyright 2026 The Colony Authors.
//
// net_echo: the Tokio peer of bench/run_net_bench.sh. A TCP echo server that
// writes back every byte it reads, one task per connection.
//
// Usage: net_echo --listen=HOST:PORT [--workers=N]
//
// --workers=1 runs a current_thread runtime (everything on the calling
// thread); N > 1 runs a multi_thread runtime with N worker threads. Accepted
// sockets get TCP_NODELAY, as Go's and Colony's servers do. Once bound it
// prints "listening on HOST:PORT" (the bound address) and flushes stdout.

use std::io::Write;
use std::net::SocketAddr;
use std::process::exit;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Flags {
    listen: String,
    workers: usize,
}

fn usage(msg: &str) -> ! {
    eprintln!("net_echo: {}", msg);
    eprintln!("usage: net_echo --listen=HOST:PORT [--workers=N]");
    exit(2);
}

fn parse_flags() -> Flags {
    let mut flags = Flags {
        listen: String::new(),
        workers: 1,
    };
    for arg in std::env::args().skip(1) {
        if let Some(v) = arg.strip_prefix("--listen=") {
            flags.listen = v.to_string();
        } else if let Some(v) = arg.strip_prefix("--workers=") {
            flags.workers = match v.parse() {
                Ok(n) if n >= 1 => n,
                _ => usage(&format!("bad --workers value {}", v)),
            };
        } else {
            usage(&format!("unknown argument {}", arg));
        }
    }
    if flags.listen.is_empty() {
        usage("--listen is required");
    }
    flags
}

// echo copies everything the peer sends back to it until end of stream or
// an error (a reset from a client that went away is not reported).
async fn echo(mut stream: TcpStream) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if stream.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

async fn serve(addr: SocketAddr) {
    let listener = match TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("net_echo: bind {}: {}", addr, e);
            exit(1);
        }
    };
    let bound = listener.local_addr().expect("local_addr");
    println!("listening on {}", bound);
    std::io::stdout().flush().expect("flush stdout");
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                tokio::spawn(echo(stream));
            }
            // Out of descriptors or a connection reset before accept: keep
            // serving the connections already open.
            Err(e) => eprintln!("net_echo: accept: {}", e),
        }
    }
}

fn main() {
    let flags = parse_flags();
    let addr: SocketAddr = match flags.listen.parse() {
        Ok(a) => a,
        Err(_) => usage(&format!("bad --listen address {}", flags.listen)),
    };
    let runtime = if flags.workers == 1 {
        tokio::runtime::Builder::new_current_thread().enable_io().build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(flags.workers)
            .enable_io()
            .build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("net_echo: runtime: {}", e);
            exit(1);
        }
    };
    runtime.block_on(serve(addr));
}
