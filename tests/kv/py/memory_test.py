# Copyright 2026 The Colony Authors.
"""maxmemory, its eviction policies and INFO memory, as Redis 7.0 has them.

Memory figures differ between servers (allocators, data layout), so these
tests assert properties rather than numbers: writes past the limit get the
OOM error under noeviction while reads and DEL work; the allkeys-* policies
keep used_memory at the limit while five times as much is written; the
volatile-* policies take only keys with a TTL; volatile-ttl takes the
soonest-expiring first; LRU keeps keys that are read, LFU keys that are
read often; evictions are counted, notified, make WATCH fail and reach the
append-only file.
"""

import os
import shutil
import signal
import subprocess
import time

import kv_harness as h

OOM = "OOM command not allowed when used memory > 'maxmemory'."

SANITIZED = "TSAN_OPTIONS" in os.environ or "ASAN_OPTIONS" in os.environ
# ThreadSanitizer runs everything several times slower: a smaller load.
SCALE = 4 if "TSAN_OPTIONS" in os.environ else 1
MB = 1024 * 1024
VALUE = 1000  # bytes per value in the loads below


def parse_info(text):
    info = {}
    for line in text.decode().splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            info[k] = v
    return info


class MemoryTestCase(h.KvTestCase):

    def info(self, section):
        return parse_info(self.r.call("INFO", section))

    def used(self):
        return int(self.info("memory")["used_memory"])

    def evicted(self):
        return int(self.info("stats")["evicted_keys"])

    def limit_above_used(self, extra, policy):
        """Sets maxmemory to the memory in use now plus `extra` bytes and
        the policy (both put back after the test); returns the limit."""
        limit = self.used() + extra
        self.config_set("maxmemory-policy", policy)
        self.config_set("maxmemory", str(limit))
        return limit

    def write(self, prefix, count, size=VALUE, ttl=None, start=0, batch=500):
        """SETs prefix:<i> for i in [start, start + count) in pipelined
        batches; returns the replies."""
        replies = []
        for b in range(start, start + count, batch):
            cmds = []
            for i in range(b, min(b + batch, start + count)):
                cmd = ["SET", "%s:%d" % (prefix, i), "v" * size]
                if ttl is not None:
                    cmd += ["EX", str(ttl(i) if callable(ttl) else ttl)]
                cmds.append(cmd)
            replies += self.r.pipeline(cmds)
        return replies

    def existing(self, keys):
        """How many of `keys` exist."""
        n = 0
        for b in range(0, len(keys), 500):
            n += self.r.call("EXISTS", *keys[b:b + 500])
        return n


class InfoMemoryTest(MemoryTestCase):

    def test_fields(self):
        self.config_set("maxmemory", "100mb")
        self.config_set("maxmemory-policy", "allkeys-lru")
        m = self.info("memory")
        for field in ("used_memory", "used_memory_rss", "used_memory_peak",
                      "maxmemory"):
            self.assertTrue(m[field].isdigit(), (field, m[field]))
        self.assertEqual(m["maxmemory"], str(100 * MB))
        self.assertEqual(m["maxmemory_human"], "100.00M")
        self.assertEqual(m["maxmemory_policy"], "allkeys-lru")
        self.assertGreater(float(m["mem_fragmentation_ratio"]), 0)
        self.assertGreaterEqual(int(m["used_memory_peak"]),
                                int(m["used_memory"]))
        self.assertIn("evicted_keys", self.info("stats"))

    def test_used_memory_tracks_resident_memory(self):
        if SANITIZED:
            self.skipTest("a sanitizer's shadow memory and redzones are "
                          "resident but not allocated")
        pid = int(self.info("server")["process_id"])

        def rss():
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        used0, rss0 = self.used(), rss()
        self.write("k", 200000, size=100, batch=1000)
        used1, rss1 = self.used(), rss()
        grew_used, grew_rss = used1 - used0, rss1 - rss0
        self.assertGreater(grew_rss, 20 * MB)
        self.assertLess(abs(grew_used - grew_rss), 0.2 * grew_rss,
                        "used_memory grew %d, VmRSS %d" % (grew_used,
                                                           grew_rss))
        # A real peak: it stays when the data goes.
        self.assertOk(self.r.call("FLUSHALL"))
        used2 = self.used()
        self.assertLess(used2 - used0, 0.1 * grew_used)
        self.assertGreaterEqual(int(self.info("memory")["used_memory_peak"]),
                                used1 - MB)


class NoEvictionTest(MemoryTestCase):

    def test_writes_eventually_fail(self):
        self.limit_above_used(2 * MB, "noeviction")
        for i in range(100000):
            reply = self.r.call("SET", "k:%d" % i, "v" * VALUE)
            if isinstance(reply, h.Error):
                self.assertError(reply, OOM)
                break
            self.assertOk(reply)
        else:
            self.fail("no OOM error")
        self.assertGreater(i, 100)
        self.assertEqual(self.r.call("DBSIZE"), i)
        self.assertEqual(self.evicted(), 0)

    def over_the_limit(self, count=2000):
        """Writes `count` keys, then sets maxmemory (noeviction) where half
        of them would fit; returns the keys."""
        base = self.used()
        self.write("k", count)
        self.config_set("maxmemory-policy", "noeviction")
        self.config_set("maxmemory", str(base + (self.used() - base) // 2))
        return ["k:%d" % i for i in range(count)]

    def test_writes_fail_reads_and_del_work(self):
        keys = self.over_the_limit()
        # Every denyoom command is refused, whatever its key.
        self.assertError(self.r.call("SET", "new", "v"), OOM)
        self.assertError(self.r.call("APPEND", keys[0], "x"), OOM)
        self.assertError(self.r.call("LPUSH", "list", "x"), OOM)
        self.assertError(self.r.call("INCR", "counter"), OOM)
        self.assertError(self.r.call("SADD", "set", "x"), OOM)
        # Reads and deletions work; nothing was evicted.
        self.assertBulk(self.r.call("GET", keys[0]), "v" * VALUE)
        self.assertEqual(self.r.call("DBSIZE"), len(keys))
        self.assertEqual(self.r.call("EXISTS", *keys[-10:]), 10)
        self.assertEqual(self.evicted(), 0)
        self.assertInt(self.r.call("DEL", *keys[:len(keys) * 3 // 4]),
                       len(keys) * 3 // 4)
        # DEL freed room.
        self.assertOk(self.r.call("SET", "new", "v" * VALUE))
        self.assertEqual(self.evicted(), 0)
        stats = self.r.call("INFO", "commandstats").decode()
        self.assertRegex(stats,
                         r"cmdstat_set:calls=\d+,.*rejected_calls=[1-9]")

    def test_transactions_under_oom(self):
        # Queued before memory ran out: only reads.
        reader = self.client()
        self.assertOk(reader.call("MULTI"))
        self.assertSimple(reader.call("GET", "k:0"), "QUEUED")
        # And one with a write.
        writer = self.client()
        self.assertOk(writer.call("MULTI"))
        self.assertSimple(writer.call("SET", "x", "y"), "QUEUED")
        self.over_the_limit()
        # Under OOM every queued command is refused, which aborts EXEC.
        c = self.client()
        self.assertOk(c.call("MULTI"))
        self.assertError(c.call("GET", "k:0"), OOM)
        self.assertError(c.call("EXEC"),
                         "EXECABORT Transaction discarded because of "
                         "previous errors.")
        # EXEC of a transaction holding a denyoom command is refused.
        self.assertError(writer.call("EXEC"),
                         "EXECABORT Transaction discarded because of: " + OOM)
        # One holding only reads runs.
        self.assertEqual(reader.call("EXEC"), [b"v" * VALUE])
        # DISCARD is never refused.
        self.assertOk(c.call("MULTI"))
        self.assertOk(c.call("DISCARD"))


class EvictionTest(MemoryTestCase):

    def check_stays_under(self, policy):
        limit = self.limit_above_used(4 * MB // SCALE, policy)
        evicted_before = self.evicted()
        total = 5 * (limit - self.used()) // VALUE + 1000
        peak = 0
        for b in range(0, total, 1000):
            replies = self.write("k", min(1000, total - b), start=b)
            self.assertTrue(all(r == "OK" for r in replies),
                            [r for r in replies if r != "OK"][:3])
            peak = max(peak, self.used())
        self.assertLessEqual(peak, limit * 1.1 + MB, "peak %d" % peak)
        self.assertLessEqual(self.used(), limit * 1.05 + MB)
        # Read together: any command may evict first.
        self.assertOk(self.r.call("MULTI"))
        self.r.call("DBSIZE")
        self.r.call("INFO", "stats")
        left, stats = self.r.call("EXEC")
        self.assertLess(left, total * 0.4)
        self.assertGreater(left, 0)
        self.assertEqual(int(parse_info(stats)["evicted_keys"]) -
                         evicted_before, total - left)
        # Still serving, reads and writes.
        self.assertOk(self.r.call("SET", "last", "v"))
        self.assertBulk(self.r.call("GET", "last"), "v")

    def test_allkeys_lru_stays_under_the_limit(self):
        self.check_stays_under("allkeys-lru")

    def test_allkeys_lfu_stays_under_the_limit(self):
        self.check_stays_under("allkeys-lfu")

    def test_allkeys_random_stays_under_the_limit(self):
        self.check_stays_under("allkeys-random")

    def check_volatile(self, policy):
        persistent = ["p:%d" % i for i in range(500)]
        self.write("p", len(persistent))
        limit = self.limit_above_used(3 * MB // SCALE, policy)
        total = 5 * (limit - self.used()) // VALUE
        replies = self.write("t", total, ttl=1000)
        self.assertTrue(all(r == "OK" for r in replies))
        self.assertGreater(self.evicted(), 0)
        # Keys without a TTL are never taken.
        self.assertEqual(self.existing(persistent), len(persistent))
        self.assertLess(self.existing(["t:%d" % i for i in range(total)]),
                        total)
        # Writing keys without a TTL takes the rest; then OOM.
        for i in range(total):
            reply = self.r.call("SET", "more:%d" % i, "v" * VALUE)
            if isinstance(reply, h.Error):
                self.assertError(reply, OOM)
                break
        else:
            self.fail("no OOM error")
        self.assertEqual(self.existing(persistent), len(persistent))
        self.assertIn(",expires=0,", self.info("keyspace")["db0"])
        self.assertBulk(self.r.call("GET", persistent[0]), "v" * VALUE)

    def test_volatile_lru_takes_only_keys_with_a_ttl(self):
        self.check_volatile("volatile-lru")

    def test_volatile_lfu_takes_only_keys_with_a_ttl(self):
        self.check_volatile("volatile-lfu")

    def test_volatile_random_takes_only_keys_with_a_ttl(self):
        self.check_volatile("volatile-random")

    def test_volatile_ttl_takes_only_keys_with_a_ttl(self):
        self.check_volatile("volatile-ttl")

    def test_volatile_ttl_takes_the_soonest_first(self):
        limit = self.limit_above_used(3 * MB // SCALE, "volatile-ttl")
        total = 3 * (limit - self.used()) // VALUE
        # Short and long TTLs, interleaved.
        replies = self.write(
            "t", total, ttl=lambda i: 1000 + i if i % 2 else 100000 + i)
        self.assertTrue(all(r == "OK" for r in replies))
        short = self.existing(["t:%d" % i for i in range(1, total, 2)])
        long = self.existing(["t:%d" % i for i in range(0, total, 2)])
        self.assertGreater(long, 0)
        self.assertGreater(long, 3 * short, "short %d, long %d" % (short,
                                                                    long))

    def check_keeps_read_keys(self, policy, reads):
        """Writes five times the limit in rounds; before each, reads a hot
        set `reads` times. Most of the hot set must survive."""
        limit = self.limit_above_used(4 * MB // SCALE, policy)
        room = (limit - self.used()) // VALUE
        hot = ["hot:%d" % i for i in range(room // 10)]
        self.write("hot", len(hot))
        rounds = 8
        per_round = 5 * room // rounds
        for n in range(rounds):
            # Redis' LRU clock ticks once a second: the hot reads must be
            # a tick younger than the keys written before them.
            time.sleep(1.05)
            for _ in range(reads):
                for b in range(0, len(hot), 500):
                    self.r.pipeline([("GET", k) for k in hot[b:b + 500]])
            self.write("cold", per_round, start=n * per_round)
        cold = ["cold:%d" % i for i in range(rounds * per_round)]
        self.assertLess(self.existing(cold), 0.5 * len(cold))
        self.assertGreater(self.existing(hot), 0.75 * len(hot))

    def test_allkeys_lru_keeps_a_hot_set(self):
        self.check_keeps_read_keys("allkeys-lru", 1)

    def test_allkeys_lfu_keeps_frequently_read_keys(self):
        self.check_keeps_read_keys("allkeys-lfu", 3)

    def test_config_set_lower_evicts_on_the_next_commands(self):
        self.write("k", 8000 // SCALE)
        self.config_set("maxmemory-policy", "allkeys-random")
        limit = self.used() // 2
        self.config_set("maxmemory", str(limit))
        self.assertOk(self.r.call("SET", "k", "v"))
        h.wait_for(lambda: self.r.call("SET", "k", "v") == "OK" and
                   self.used() <= limit * 1.05 + MB, timeout=10,
                   what="used_memory under maxmemory")
        self.assertLess(self.r.call("DBSIZE"), 8000 // SCALE)
        self.assertGreater(self.evicted(), 0)

    def test_evicted_keys_are_notified(self):
        self.config_set("notify-keyspace-events", "Ee")
        sub = self.client()
        sub.call("SUBSCRIBE", "__keyevent@0__:evicted")
        before = self.evicted()
        self.limit_above_used(2 * MB // SCALE, "allkeys-random")
        total = 4 * 2 * MB // SCALE // VALUE
        self.write("k", total)
        evicted = self.evicted() - before
        self.assertGreater(evicted, 0)
        keys = []
        while len(keys) < evicted:
            msg = sub.read_push(timeout=5)
            self.assertIsNotNone(msg, "%d of %d notifications" %
                                 (len(keys), evicted))
            self.assertEqual(msg[:2], [b"message", b"__keyevent@0__:evicted"])
            keys.append(msg[2].decode())
        self.assertEqual(len(set(keys)), evicted)
        self.assertEqual(self.existing(keys), 0)
        self.assertTrue(all(k.startswith("k:") for k in keys))

    def test_eviction_makes_watch_fail(self):
        self.write("k", 100)
        self.limit_above_used(2 * MB // SCALE, "allkeys-lru")
        watcher = self.client()
        self.assertOk(watcher.call("WATCH", "k:0"))
        i = 100
        while self.r.call("EXISTS", "k:0"):
            self.write("k", 200, start=i)
            i += 200
            self.assertLess(i, 100000, "k:0 was never evicted")
        self.assertOk(watcher.call("MULTI"))
        self.assertSimple(watcher.call("SET", "k:0", "mine"), "QUEUED")
        self.assertIsNone(watcher.call("EXEC"))
        self.assertEqual(self.r.call("EXISTS", "k:0"), 0)

    def test_config_validation(self):
        self.assertErrorPrefix(
            self.r.call("CONFIG", "SET", "maxmemory-policy", "lru"), "ERR ")
        self.assertErrorPrefix(
            self.r.call("CONFIG", "SET", "maxmemory-samples", "0"), "ERR ")
        self.assertErrorPrefix(
            self.r.call("CONFIG", "SET", "maxmemory", "lots"), "ERR ")
        self.assertErrorPrefix(
            self.r.call("CONFIG", "SET", "maxmemory-eviction-tenacity",
                        "101"), "ERR ")
        self.assertEqual(self.r.call("CONFIG", "GET", "maxmemory-samples"),
                         [b"maxmemory-samples", b"5"])
        self.assertEqual(self.r.call("CONFIG", "GET", "lfu-log-factor"),
                         [b"lfu-log-factor", b"10"])
        self.assertEqual(self.r.call("CONFIG", "GET", "lfu-decay-time"),
                         [b"lfu-decay-time", b"1"])


class EvictionPersistenceTest(h.KvTestCase):
    """Evictions reach the append-only file as deletions: after a restart
    the keyspace is what it was, not everything ever written."""

    def start(self, directory):
        port = h.free_port()
        if h.SERVER_KIND == "redis":
            args = [h.SERVER_BINARY, "--port", str(port), "--bind",
                    "127.0.0.1", "--save", "", "--appendonly", "yes",
                    "--dir", directory, "--logfile",
                    os.path.join(directory, "log")]
        else:
            args = [h.SERVER_BINARY, "--kv_listen=127.0.0.1:%d" % port,
                    "--log_file=" + os.path.join(directory, "log"),
                    "--workers=2", "--admin_enabled=false",
                    "--http_enabled=false", "--kv_appendonly",
                    "--kv_dir=" + directory]
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("COLONYD_")}
        if "TSAN_OPTIONS" in env:
            env["TSAN_OPTIONS"] += ":detect_deadlocks=0"
        proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())

        def ready():
            try:
                c = h.Client("127.0.0.1", port, timeout=2)
            except OSError:
                return None
            if c.call("PING") != "PONG":
                c.close()
                return None
            return c
        return proc, h.wait_for(ready, what="the server to start")

    def test_evictions_are_appended_as_deletions(self):
        directory = h.tmpdir()
        self.addCleanup(shutil.rmtree, directory, True)
        proc, c = self.start(directory)
        used = int(parse_info(c.call("INFO", "memory"))["used_memory"])
        c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
        c.call("CONFIG", "SET", "maxmemory", str(used + 2 * MB // SCALE))
        total = 4 * 2 * MB // SCALE // VALUE
        # A SET may also be refused (OOM) when the keys left cannot make
        # room for what the pipeline itself holds at that moment (a slow
        # sanitized build at a quarter of the limit): count what was stored.
        stored = 0
        for b in range(0, total, 100):
            for reply in c.pipeline([("SET", "k:%d" % i, "v" * VALUE)
                                     for i in range(b, min(total, b + 100))]):
                if isinstance(reply, h.Error):
                    self.assertTrue(reply.message.startswith("OOM"),
                                    reply.message)
                else:
                    self.assertEqual(reply, "OK")
                    stored += 1
        self.assertGreater(stored, total // 2)
        # Any command may evict (both servers check before each one, and
        # the counted memory includes each reply being built), so lift the
        # limit before reading what is left: no eviction can follow.
        c.call("CONFIG", "SET", "maxmemory", "0")
        evicted = int(parse_info(c.call("INFO", "stats"))["evicted_keys"])
        keys = c.call("KEYS", "*")
        self.assertGreater(evicted, 0)
        self.assertEqual(len(keys), stored - evicted)
        c.close()
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=60), 0)
        proc, c = self.start(directory)
        self.assertEqual(sorted(c.call("KEYS", "*")), sorted(keys))
        c.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


if __name__ == "__main__":
    h.main()
