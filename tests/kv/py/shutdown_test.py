# Copyright 2026 The Colony Authors.
"""SHUTDOWN and SIGTERM keep every acknowledged write; snapshots.

Each test starts its own server in a fresh directory and restarts it on
the same files. With appendonly on, SHUTDOWN and SIGTERM must leave every
acknowledged write on disk whatever the fsync policy. With appendonly off,
SHUTDOWN SAVE (and SIGTERM with save points) writes a snapshot that the
next start loads, and SHUTDOWN NOSAVE writes none. redis-server writes its
snapshot as RDB, colonyd in the append-only format; both load it back.
"""

import os
import signal
import subprocess
import threading
import time
import unittest

import kv_harness
from kv_harness import AckedWriters, Client, ConnectionClosed, Error, \
    answers_ping, free_port, tmpdir, wait_for


def kind():
    return kv_harness.SERVER_KIND


class Server:
    """A server on `directory`, restartable on the same files."""

    def __init__(self, directory, appendonly, fsync="everysec"):
        self.dir = directory
        self.appendonly = appendonly
        self.fsync = fsync
        self.proc = None
        self.starts = 0

    def _args(self):
        log = os.path.join(self.dir, "server-%d.log" % self.starts)
        if kind() == "redis":
            return ["/usr/bin/redis-server", "--port", str(self.port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly",
                    "yes" if self.appendonly else "no", "--appendfsync",
                    self.fsync, "--dir", self.dir, "--logfile", log]
        return [kv_harness.SERVER_BINARY,
                "--kv_listen=127.0.0.1:%d" % self.port, "--log_file=" + log,
                "--workers=2", "--admin_enabled=false",
                "--http_enabled=false",
                "--kv_appendonly=%s" % ("true" if self.appendonly
                                        else "false"),
                "--kv_appendfsync=" + self.fsync, "--kv_dir=" + self.dir]

    def start(self):
        self.starts += 1
        self.port = free_port()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("COLONYD_")}
        if "TSAN_OPTIONS" in env:
            # A snapshot holds every lock stripe (see kv_harness.py).
            env["TSAN_OPTIONS"] += ":detect_deadlocks=0"
        self.stderr = os.path.join(self.dir, "stderr-%d.log" % self.starts)
        with open(self.stderr, "w") as err:
            self.proc = subprocess.Popen(
                self._args(), env=env, stdin=subprocess.DEVNULL, stdout=err,
                stderr=err)
        wait_for(self._ping, what="the server to answer PING")
        return self

    def _ping(self):
        return answers_ping(self.proc, "127.0.0.1", self.port, "the server",
                            self.log)

    def client(self, timeout=10.0):
        return Client("127.0.0.1", self.port, timeout)

    def log(self):
        text = ""
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".log"):
                with open(os.path.join(self.dir, name),
                          errors="replace") as f:
                    text += "--- %s\n%s" % (name, f.read())
        return text

    def wait(self):
        """The exit status, once the process has stopped by itself."""
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the server did not exit:\n" + self.log())

    def terminate(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.wait()

    def shutdown(self, *args):
        """SHUTDOWN [args]: the connection closes without a reply."""
        c = self.client()
        c.send("SHUTDOWN", *args)
        try:
            reply = c.read_reply(timeout=60)
        except ConnectionClosed:
            reply = None
        c.close()
        if reply is not None:
            raise AssertionError("SHUTDOWN answered %r" % (reply,))
        return self.wait()


def info(client, section="persistence"):
    out = {}
    for line in client.call("INFO", section).decode().splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


class ShutdownTest(unittest.TestCase):
    maxDiff = 4000

    def server(self, appendonly, fsync="everysec"):
        s = Server(tmpdir(), appendonly, fsync)
        self.addCleanup(lambda: s.proc and s.proc.poll() is None and
                        (s.proc.kill(), s.proc.wait()))
        return s

    def stop_under_load_keeps_acknowledged_writes(self, fsync, stop):
        s = self.server(True, fsync).start()
        w = AckedWriters(s).start()
        w.wait_for_acks(500)
        status = stop(s)
        w.join()
        self.assertEqual(status, 0, s.log())
        total = sum(w.acked)
        self.assertGreater(total, 100, "too few writes to mean anything")
        s.start()
        self.assertEqual(w.missing(s.client()), [],
                         "of %d acknowledged writes" % total)

    def test_shutdown_always(self):
        self.stop_under_load_keeps_acknowledged_writes(
            "always", lambda s: s.shutdown())

    def test_shutdown_everysec(self):
        self.stop_under_load_keeps_acknowledged_writes(
            "everysec", lambda s: s.shutdown())

    def test_shutdown_no(self):
        self.stop_under_load_keeps_acknowledged_writes(
            "no", lambda s: s.shutdown("NOSAVE"))

    def test_sigterm_always(self):
        self.stop_under_load_keeps_acknowledged_writes(
            "always", lambda s: s.terminate())

    def test_sigterm_everysec(self):
        self.stop_under_load_keeps_acknowledged_writes(
            "everysec", lambda s: s.terminate())

    def test_sigterm_no(self):
        self.stop_under_load_keeps_acknowledged_writes(
            "no", lambda s: s.terminate())

    def test_shutdown_save_writes_a_snapshot_the_next_start_loads(self):
        s = self.server(False).start()
        c = s.client()
        c.call("SET", "str", "v")
        c.call("RPUSH", "list", "a", "b")
        c.call("HSET", "hash", "f", "v")
        c.call("SADD", "set", "m")
        c.call("ZADD", "z", 1.5, "m")
        c.call("SET", "ttl", "v", "EX", 1000)
        c.call("SELECT", 3)
        c.call("SET", "in3", "v")
        w = AckedWriters(s).start()
        time.sleep(0.5)
        self.assertEqual(s.shutdown("SAVE"), 0, s.log())
        w.join()
        s.start()
        c = s.client()
        self.assertEqual(c.call("GET", "str"), b"v")
        self.assertEqual(c.call("LRANGE", "list", 0, -1), [b"a", b"b"])
        self.assertEqual(c.call("HGET", "hash", "f"), b"v")
        self.assertEqual(c.call("SMEMBERS", "set"), [b"m"])
        self.assertEqual(c.call("ZSCORE", "z", "m"), b"1.5")
        self.assertGreater(c.call("TTL", "ttl"), 900)
        self.assertEqual(w.missing(c), [])
        c.call("SELECT", 3)
        self.assertEqual(c.call("GET", "in3"), b"v")

    def test_shutdown_nosave_writes_no_snapshot(self):
        s = self.server(False).start()
        c = s.client()
        c.call("SET", "saved", "1")
        self.assertEqual(c.call("SAVE"), "OK")
        c.call("SET", "unsaved", "1")
        self.assertEqual(s.shutdown("NOSAVE"), 0, s.log())
        s.start()
        c = s.client()
        self.assertEqual(c.call("GET", "saved"), b"1")
        self.assertIsNone(c.call("GET", "unsaved"))

    def test_plain_shutdown_without_save_points_does_not_save(self):
        s = self.server(False).start()
        s.client().call("SET", "k", "v")
        self.assertEqual(s.shutdown(), 0, s.log())
        s.start()
        self.assertEqual(s.client().call("DBSIZE"), 0)

    def test_sigterm_with_save_points_saves(self):
        s = self.server(False).start()
        c = s.client()
        self.assertEqual(c.call("CONFIG", "SET", "save", "3600 1"), "OK")
        c.call("SET", "k", "v")
        self.assertEqual(s.terminate(), 0, s.log())
        s.start()
        self.assertEqual(s.client().call("GET", "k"), b"v")

    def test_shutdown_arguments(self):
        s = self.server(False).start()
        c = s.client()
        syntax = Error("ERR syntax error")
        self.assertEqual(c.call("SHUTDOWN", "SAVE", "NOSAVE"), syntax)
        self.assertEqual(c.call("SHUTDOWN", "ABORT", "NOW"), syntax)
        self.assertEqual(c.call("SHUTDOWN", "NOW", "FORCE", "ABORT"), syntax)
        self.assertEqual(c.call("SHUTDOWN", "LATER"), syntax)
        self.assertEqual(c.call("SHUTDOWN", "ABORT"),
                         Error("ERR No shutdown in progress."))
        # Still serving.
        self.assertEqual(c.call("PING"), "PONG")
        self.assertEqual(s.shutdown("NOSAVE", "NOW", "FORCE"), 0)

    def test_info_persistence_after_saves(self):
        s = self.server(False).start()
        c = s.client()
        i = info(c)
        self.assertEqual(i["loading"], "0")
        self.assertEqual(i["aof_enabled"], "0")
        self.assertEqual(i["aof_last_write_status"], "ok")
        for n in range(5):
            c.call("SET", "k%d" % n, "v")
        self.assertEqual(info(c)["rdb_changes_since_last_save"], "5")
        before = c.call("LASTSAVE")
        time.sleep(1.1)
        self.assertEqual(c.call("SAVE"), "OK")
        i = info(c)
        self.assertEqual(i["rdb_changes_since_last_save"], "0")
        self.assertEqual(i["rdb_last_bgsave_status"], "ok")
        self.assertEqual(i["rdb_bgsave_in_progress"], "0")
        self.assertGreater(c.call("LASTSAVE"), before)
        self.assertEqual(int(i["rdb_last_save_time"]), c.call("LASTSAVE"))
        c.call("SET", "k", "v")
        self.assertEqual(c.call("BGSAVE"), "Background saving started")
        wait_for(lambda: info(c)["rdb_changes_since_last_save"] == "0",
                 what="the background save to end")
        wait_for(lambda: info(c)["rdb_bgsave_in_progress"] == "0",
                 what="the background save to end")
        self.assertEqual(s.shutdown("NOSAVE"), 0)
        s.start()
        self.assertEqual(s.client().call("DBSIZE"), 6)

    def test_automatic_rewrite_loses_nothing(self):
        s = self.server(True).start()
        c = s.client()
        self.assertEqual(c.call("CONFIG", "SET",
                                "auto-aof-rewrite-percentage", "100",
                                "auto-aof-rewrite-min-size", "100kb"), "OK")
        counts = [0] * 4
        stop = threading.Event()
        failures = []

        def incr(t):
            w = s.client()
            while not stop.is_set():
                got = w.call("INCR", "counter:%d:%d" % (t, counts[t] % 20))
                if not isinstance(got, int):
                    failures.append(got)
                    return
                counts[t] += 1
        threads = [threading.Thread(target=incr, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        # The file grows past the minimum and is rewritten by itself: its
        # size drops while the writers go on.
        peak = [0]

        def compacted():
            i = info(c)
            size = int(i["aof_current_size"])
            self.assertIn("aof_base_size", i)
            peak[0] = max(peak[0], size)
            return peak[0] > 100 * 1024 and size < peak[0] // 2 and \
                int(i["aof_base_size"]) > 0
        try:
            wait_for(compacted, timeout=60, interval=0.05,
                     what="an automatic rewrite")
            time.sleep(0.3)
        finally:
            stop.set()
            for th in threads:
                th.join()
        self.assertEqual(failures, [])
        wait_for(lambda: info(c)["aof_rewrite_in_progress"] == "0",
                 what="the rewrite to end")
        self.assertEqual(info(c)["aof_last_bgrewrite_status"], "ok")
        self.assertEqual(s.terminate(), 0)
        s.start()
        c = s.client()
        for t in range(4):
            total = sum(int(c.call("GET", "counter:%d:%d" % (t, k)) or 0)
                        for k in range(20))
            self.assertEqual(total, counts[t], t)


if __name__ == "__main__":
    kv_harness.main()
