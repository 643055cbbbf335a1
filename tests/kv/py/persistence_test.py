# Copyright 2026 The Colony Authors.
"""Persistence: the append-only file, against real processes and files.

Each test starts its own server with appendonly on in a fresh directory,
restarts it (SIGTERM, or kill -9 for crashes) and checks what the file
brought back. Against redis-server the same tests run with its own AOF
(Redis 7 keeps it in appendonlydir/); checks of our log lines and error
texts apply to colonyd only.
"""

import glob
import os
import resource
import signal
import subprocess
import threading
import time
import unittest

import kv_harness
from kv_harness import AckedWriters, Client, Error, answers_ping, \
    free_port, tmpdir, wait_for


def kind():
    return kv_harness.SERVER_KIND


class AofServer:
    """A server with appendonly on in `directory`; start() may be called
    again after stop() or kill9() to restart it on the same files."""

    def __init__(self, directory, fsync="everysec", extra=(), fsize=None):
        self.dir = directory
        self.fsync = fsync
        self.extra = list(extra)
        self.fsize = fsize
        self.proc = None
        self.port = None
        self.starts = 0

    def _args(self):
        self.log_file = os.path.join(self.dir, "server-%d.log" % self.starts)
        if kind() == "redis":
            return ["/usr/bin/redis-server", "--port", str(self.port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly",
                    "yes", "--appendfsync", self.fsync, "--dir", self.dir,
                    "--logfile", self.log_file] + self.extra
        return [kv_harness.SERVER_BINARY,
                "--kv_listen=127.0.0.1:%d" % self.port,
                "--log_file=" + self.log_file, "--workers=2",
                "--admin_enabled=false", "--http_enabled=false",
                "--kv_appendonly", "--kv_appendfsync=" + self.fsync,
                "--kv_dir=" + self.dir] + self.extra

    def launch(self):
        """Starts the process without waiting for it."""
        self.starts += 1
        self.port = free_port()
        self.stderr_file = os.path.join(self.dir,
                                        "stderr-%d.log" % self.starts)
        limit = self.fsize

        def preexec():
            if limit is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE,
                                   (limit, resource.RLIM_INFINITY))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("COLONYD_")}
        if "TSAN_OPTIONS" in env:
            # A rewrite holds every lock stripe, past what ThreadSanitizer's
            # deadlock detector can track (see kv_harness.py).
            env["TSAN_OPTIONS"] += ":detect_deadlocks=0"
        with open(self.stderr_file, "w") as err:
            self.proc = subprocess.Popen(
                self._args(), env=env, stdin=subprocess.DEVNULL,
                stdout=err, stderr=err, preexec_fn=preexec)

    def start(self):
        self.launch()
        wait_for(self._ping, what="the server to answer PING")
        return self

    def _ping(self):
        return answers_ping(self.proc, "127.0.0.1", self.port, "the server",
                            self.log)

    def client(self, timeout=10.0):
        return Client("127.0.0.1", self.port, timeout)

    def log(self):
        text = ""
        for path in (self.log_file, self.stderr_file):
            try:
                with open(path, errors="replace") as f:
                    text += f.read()
            except (FileNotFoundError, AttributeError):
                pass
        return text

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def kill9(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)

    def aof_file(self):
        """The file that new writes go to."""
        if kind() == "redis":
            files = glob.glob(os.path.join(self.dir, "appendonlydir",
                                           "*.incr.aof"))
            files.sort(key=lambda p: int(p.split(".")[-3]))
            return files[-1]
        return os.path.join(self.dir, "appendonly.aof")


def info(client, section="persistence"):
    text = client.call("INFO", section).decode()
    out = {}
    for line in text.splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


def dump(client):
    """Every key of every database with its type, value and whether it
    has a TTL."""
    state = {}
    for db in range(16):
        client.call("SELECT", db)
        for key in client.call("KEYS", "*"):
            t = client.call("TYPE", key)
            if t == "string":
                v = client.call("GET", key)
            elif t == "list":
                v = client.call("LRANGE", key, 0, -1)
            elif t == "hash":
                v = sorted(client.call("HGETALL", key))
            elif t == "set":
                v = sorted(client.call("SMEMBERS", key))
            elif t == "zset":
                v = client.call("ZRANGE", key, 0, -1, "WITHSCORES")
            else:
                v = None
            state[(db, key)] = (str(t), v, client.call("PTTL", key) > 0)
    client.call("SELECT", 0)
    return state


class PersistenceTest(unittest.TestCase):
    maxDiff = 4000

    def server(self, **kwargs):
        s = AofServer(tmpdir(), **kwargs)
        self.addCleanup(lambda: s.proc and s.proc.poll() is None and
                        s.kill9())
        return s

    def test_restart_keeps_every_type_and_effect(self):
        s = self.server().start()
        c = s.client()
        c.call("SET", "str", "hello")
        c.call("APPEND", "str", " world")
        c.call("INCR", "n")
        c.call("INCRBYFLOAT", "f", "1.1")
        c.call("INCRBYFLOAT", "f", "2.2")
        c.call("RPUSH", "list", "a", "b", "c", "d")
        c.call("LMOVE", "list", "list2", "LEFT", "RIGHT")
        c.call("LPOP", "list")
        c.call("HSET", "hash", "f1", "v1", "f2", "v2")
        c.call("HINCRBYFLOAT", "hash", "g", "0.1")
        c.call("SADD", "set", *["m%d" % i for i in range(20)])
        c.call("SPOP", "set")
        c.call("SPOP", "set", 5)
        c.call("SRANDMEMBER", "set", 3)
        c.call("ZADD", "z", "1.5", "a", "2.25", "b", "-3", "c", "inf", "d")
        c.call("ZINCRBY", "z", "0.1", "a")
        c.call("ZPOPMIN", "z")
        c.call("SET", "ttl", "x", "EX", "1000")
        c.call("SETEX", "ttl2", 1000, "y")
        c.call("SET", "ttl3", "z")
        c.call("EXPIRE", "ttl3", 1000)
        c.call("SET", "gone", "v")
        c.call("EXPIRE", "gone", -1)
        c.call("SELECT", 5)
        c.call("SET", "in5", "five")
        c.call("SELECT", 0)
        c.call("MULTI")
        c.call("SET", "tx1", "1")
        c.call("INCR", "tx1")
        c.call("SELECT", 3)
        c.call("SET", "tx3", "3")
        self.assertIsInstance(c.call("EXEC"), list)
        c.call("SELECT", 0)
        c.call("SET", "renamed-from", "r")
        c.call("RENAME", "renamed-from", "renamed-to")
        c.call("SWAPDB", 5, 6)
        # A blocking pop served later, and one served at once.
        blocked = s.client()
        blocked.send("BLPOP", "bl", 10)
        time.sleep(0.2)
        c.call("RPUSH", "bl", "p1", "p2", "p3")
        self.assertEqual(blocked.read_reply(), [b"bl", b"p1"])
        c.call("BRPOP", "bl", 1)
        blocked.send("BZPOPMIN", "bz", 10)
        time.sleep(0.2)
        c.call("ZADD", "bz", 1, "x", 2, "y")
        self.assertEqual(blocked.read_reply()[:2], [b"bz", b"x"])
        before = dump(c)
        self.assertNotIn((0, b"gone"), before)
        self.assertIn((6, b"in5"), before)
        s.stop()
        s.start()
        self.assertEqual(dump(s.client()), before)
        # And the same after a rewrite compacts the file.
        c = s.client()
        self.assertEqual(c.call("BGREWRITEAOF"),
                         "Background append only file rewriting started")
        wait_for(lambda: info(c)["aof_rewrite_in_progress"] == "0",
                 what="the rewrite to end")
        c.call("SET", "after-rewrite", "1")
        before[(0, b"after-rewrite")] = ("string", b"1", False)
        s.stop()
        s.start()
        self.assertEqual(dump(s.client()), before)

    def test_ttl_is_absolute_across_a_restart(self):
        s = self.server().start()
        c = s.client()
        before = time.monotonic()
        c.call("SET", "k1", "v", "PX", 10000)
        c.call("SET", "k2", "v")
        c.call("PEXPIRE", "k2", 10000)
        c.call("PSETEX", "k3", 10000, "v")
        c.call("SET", "k4", "v")
        c.call("GETEX", "k4", "PX", 10000)
        c.call("SET", "short", "v", "PX", 300)
        time.sleep(1.0)
        s.stop()
        s.start()
        c = s.client()
        for key in ("k1", "k2", "k3", "k4"):
            pttl = c.call("PTTL", key)
            # The time the server was down counted: at most 10 s minus what
            # has passed since the TTLs were set (a slow restart, under a
            # sanitizer, only lowers it).
            passed_ms = (time.monotonic() - before) * 1000
            self.assertGreater(pttl, 0, key)
            self.assertLessEqual(pttl, 10000 - passed_ms + 50, key)
        self.assertEqual(c.call("EXISTS", "short"), 0)

    def crash_under_load(self, fsync):
        s = self.server(fsync=fsync).start()
        w = AckedWriters(s, client_timeout=5.0).start()
        w.wait_for_acks(500, min_seconds=1.5)
        started = time.monotonic()
        s.kill9()
        w.join()
        elapsed = time.monotonic() - started
        total = sum(w.acked)
        self.assertGreater(total, 100, "too few writes to mean anything")
        s.start()  # the file always loads
        missing = w.missing(s.client())
        return total, missing, elapsed

    def test_kill9_under_always_keeps_every_acknowledged_write(self):
        total, missing, _ = self.crash_under_load("always")
        self.assertEqual(missing, [], "of %d acknowledged writes" % total)

    def test_kill9_under_everysec_loses_at_most_a_second(self):
        total, missing, _ = self.crash_under_load("everysec")
        # The writers ran for 1.5 s: a second's worth is 2/3 of them.
        self.assertLessEqual(len(missing), total * 2 // 3,
                             "of %d acknowledged writes" % total)

    def test_truncated_last_command_is_dropped(self):
        s = self.server().start()
        c = s.client()
        for i in range(10):
            c.call("SET", "key%d" % i, "v%d" % i)
        s.stop()
        tail = b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$5\r\nval"
        with open(s.aof_file(), "ab") as f:
            f.write(tail)
        s.start()
        c = s.client()
        self.assertEqual(c.call("GET", "key9"), b"v9")
        self.assertIsNone(c.call("GET", "half"))
        if kind() == "colonyd":
            self.assertIn("dropped the last %d bytes" % len(tail), s.log())
        # The file was cut back: new writes load after another restart.
        c.call("SET", "later", "1")
        s.stop()
        s.start()
        self.assertEqual(s.client().call("GET", "later"), b"1")
        self.assertEqual(s.client().call("GET", "key0"), b"v0")

    def test_corrupt_middle_stops_the_start(self):
        s = self.server().start()
        c = s.client()
        for i in range(10):
            c.call("SET", "key%d" % i, "v%d" % i)
        s.stop()
        path = s.aof_file()
        with open(path, "rb") as f:
            data = f.read()
        at = data.index(b"key5") - len(b"*3\r\n$3\r\nSET\r\n$4\r\n")
        self.assertEqual(data[at:at + 4], b"*3\r\n")
        with open(path, "wb") as f:
            f.write(data[:at] + b"garbage\r\n" + data[at:])
        s.launch()
        self.assertNotEqual(s.proc.wait(timeout=30), 0, s.log())
        if kind() == "colonyd":
            self.assertIn("at offset %d" % at, s.log())
            # The operator may start with the corrupt part dropped.
            s.extra.append("--kv_aof_load_corrupt")
            s.start()
            c = s.client()
            self.assertEqual(c.call("GET", "key4"), b"v4")
            self.assertIsNone(c.call("GET", "key5"))

    def test_rewrite_under_write_load_loses_nothing(self):
        s = self.server().start()
        c = s.client()
        # Enough data that a rewrite takes a while.
        for i in range(0, 20000, 500):
            c.call("MSET", *[x for j in range(i, i + 500)
                             for x in ("pre:%d" % j, "v" * 20)])
        counts = [0] * 4
        stop = threading.Event()

        def incr(t):
            w = s.client()
            while not stop.is_set():
                self.assertEqual(w.call("INCR", "counter:%d" % t),
                                 counts[t] + 1)
                w.call("RPUSH", "list:%d" % t, counts[t])
                counts[t] += 1
        threads = [threading.Thread(target=incr, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        rewrites = 0
        for _ in range(3):
            time.sleep(0.2)
            if c.call("BGREWRITEAOF") != "Background append only file " \
                    "rewriting started":
                continue
            rewrites += 1
            wait_for(lambda: info(c)["aof_rewrite_in_progress"] == "0",
                     what="the rewrite to end")
        time.sleep(0.2)
        stop.set()
        for th in threads:
            th.join()
        self.assertGreater(rewrites, 0)
        state = info(c)
        self.assertEqual(state["aof_last_bgrewrite_status"], "ok")
        self.assertEqual(int(state["aof_rewrites"]), rewrites)
        self.assertEqual(state["aof_rewrites_consecutive_failures"], "0")
        self.assertEqual(state["aof_current_rewrite_time_sec"], "-1")
        self.assertGreaterEqual(int(state["aof_last_rewrite_time_sec"]), 0)
        s.stop()
        s.start()
        c = s.client()
        # Every key was in the last rewrite's base.
        self.assertEqual(int(info(c)["rdb_last_load_keys_loaded"]),
                         20000 + 8)
        for t in range(4):
            self.assertEqual(int(c.call("GET", "counter:%d" % t)), counts[t])
            self.assertEqual(c.call("LRANGE", "list:%d" % t, 0, -1),
                             [b"%d" % i for i in range(counts[t])])
        self.assertEqual(c.call("DBSIZE"), 20000 + 8)

    @unittest.skipIf(os.environ.get("KV_SKIP_FSIZE") == "1", "asked")
    def test_file_size_limit_gives_misconf_and_recovers(self):
        if kind() == "redis":
            self.skipTest("redis-server is killed by SIGXFSZ")
        if "TSAN_OPTIONS" in os.environ or "ASAN_OPTIONS" in os.environ:
            # The ThreadSanitizer runtime dies of SIGBUS at start under a
            # small RLIMIT_FSIZE, before any of our code runs; the
            # sanitizer runs leave this case to the plain build.
            self.skipTest("sanitizer runtimes do not start under a "
                          "file-size limit")
        s = self.server(fsize=256 * 1024).start()
        c = s.client()
        value = "x" * 8192
        acked = []
        refused = None
        for i in range(200):
            reply = c.call("SET", "big%d" % i, value)
            if isinstance(reply, Error):
                refused = reply
                break
            acked.append(i)
            time.sleep(0.01)
        self.assertIsNotNone(refused, "the limit was never reached")
        self.assertTrue(refused.message.startswith(
            "MISCONF Errors writing to the AOF file: File too large"),
            refused.message)
        # Reads work; INFO says what is wrong.
        self.assertEqual(c.call("GET", "big0"), value.encode())
        self.assertEqual(info(c)["aof_last_write_status"], "err")
        # Space comes back: writes work again within a retry or two.
        subprocess.run(["prlimit", "--pid", str(s.proc.pid),
                        "--fsize=unlimited:unlimited"], check=True)

        def works():
            return c.call("SET", "after", "1") == "OK"
        wait_for(works, timeout=10, interval=0.2, what="writes to recover")
        self.assertEqual(info(c)["aof_last_write_status"], "ok")
        s.stop()
        s.start()
        c = s.client()
        for i in acked:
            self.assertEqual(c.call("STRLEN", "big%d" % i), len(value), i)
        self.assertEqual(c.call("GET", "after"), b"1")


if __name__ == "__main__":
    kv_harness.main()
