#!/usr/bin/python3
# Copyright 2026 The Colony Authors.
"""Memory per idle connection: colonyd's kv backend against redis-server.

For each server and repetition: start it, warm it with 200 short
connections, open N connections that each send PING once and then stay
idle, and report the growth of the server's VmRSS divided by N. Prints
the median of --reps repetitions per server (the servers alternate).

Usage: bench/kv_idle_clients.py [--colonyd PATH] [--redis PATH]
           [--clients N] [--reps N] [--workers N]
"""

import argparse
import os
import resource
import socket
import statistics
import subprocess
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def vmrss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for %d" % pid)


def ping(sock):
    sock.sendall(b"PING\r\n")
    if sock.recv(64) != b"+PONG\r\n":
        raise RuntimeError("no PONG")


def start(kind, binary, port, workers, directory):
    if kind == "colonyd":
        args = [binary, "--kv_listen=127.0.0.1:%d" % port,
                "--http_enabled=false", "--admin_enabled=false",
                "--workers=%d" % workers, "--kv_maxclients=1000000",
                "--log_file=" + os.path.join(directory, "colonyd.log")]
    else:
        args = [binary, "--port", str(port), "--bind", "127.0.0.1",
                "--save", "", "--maxclients", "1000000", "--dir", directory]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port)) as s:
                ping(s)
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("%s did not start" % kind)


def measure(kind, binary, clients, workers):
    directory = tempfile.mkdtemp()
    port = free_port()
    proc = start(kind, binary, port, workers, directory)
    socks = []
    try:
        warm = [socket.create_connection(("127.0.0.1", port))
                for _ in range(200)]
        for s in warm:
            ping(s)
        for s in warm:
            s.close()
        time.sleep(0.5)
        before = vmrss_kb(proc.pid)
        for _ in range(clients):
            socks.append(socket.create_connection(("127.0.0.1", port)))
        for s in socks:
            ping(s)
        time.sleep(1.0)
        return (vmrss_kb(proc.pid) - before) / clients
    finally:
        for s in socks:
            s.close()
        proc.terminate()
        proc.wait()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--colonyd", default=os.path.join(
        here, "..", "bazel-bin", "cmd", "colonyd", "colonyd"))
    p.add_argument("--redis", default="/usr/bin/redis-server")
    p.add_argument("--clients", type=int, default=10000)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()
    need = a.clients + 500
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < need:
        raise SystemExit("RLIMIT_NOFILE hard limit %d is under the %d "
                         "needed" % (hard, need))
    if soft != resource.RLIM_INFINITY and soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    results = {"colonyd": [], "redis-server": []}
    for _ in range(a.reps):
        results["colonyd"].append(
            measure("colonyd", a.colonyd, a.clients, a.workers))
        results["redis-server"].append(
            measure("redis", a.redis, a.clients, a.workers))
    print("| server | kB VmRSS per idle connection (median of %d, %d "
          "connections) | runs |" % (a.reps, a.clients))
    print("|---|---|---|")
    for name, runs in results.items():
        print("| %s | %.1f | %s |" % (name, statistics.median(runs),
                                      " ".join("%.1f" % r for r in runs)))


if __name__ == "__main__":
    main()
