# Copyright 2026 The Colony Authors.
"""redis-benchmark, the reference load generator, against the server: every
test it runs by default, plain, pipelined, over RESP3 and with several
client threads, must report a rate and no error; without -r every test hits
one fixed key, so the keyspace left behind is known exactly."""

import csv
import io

import client_tools as t
import kv_harness as h

# The tests redis-benchmark 7.0 runs when no -t is given, as --csv names
# them.
DEFAULT_TESTS = [
    "PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH",
    "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN",
    "LPUSH (needed to benchmark LRANGE)",
    "LRANGE_100 (first 100 elements)", "LRANGE_300 (first 300 elements)",
    "LRANGE_500 (first 500 elements)", "LRANGE_600 (first 600 elements)",
    "MSET (10 keys)",
]

COLUMNS = ["test", "rps", "avg_latency_ms", "min_latency_ms",
           "p50_latency_ms", "p95_latency_ms", "p99_latency_ms",
           "max_latency_ms"]


class RedisBenchmarkTest(h.KvTestCase):

    def bench(self, *args, timeout=240.0):
        """Runs redis-benchmark --csv; returns its rows by test name after
        checking its exit status, that it printed nothing on stderr (where
        it reports server errors) and the shape of every row."""
        p = t.run_tool(self.server, "redis-benchmark", ["--csv"] +
                       list(args), timeout=timeout)
        err = p.stderr.decode(errors="replace")
        self.assertEqual(p.returncode, 0, "exit %d: %s" % (p.returncode, err))
        self.assertEqual(err, "", "redis-benchmark reported: " + err)
        reader = csv.DictReader(io.StringIO(p.stdout.decode()))
        self.assertEqual(reader.fieldnames, COLUMNS)
        rows = {}
        for row in reader:
            self.assertNotIn(row["test"], rows)
            rows[row["test"]] = row
            self.assertGreater(float(row["rps"]), 0, row)
            lat = [float(row[c]) for c in COLUMNS[3:]]
            self.assertEqual(lat, sorted(lat), row)
        return rows

    def check_keyspace(self, n, size=3):
        """The keys left by one default run of n requests per test, all on
        fixed keys: INCR counted n, the list keeps the n elements pushed for
        LRANGE (LPUSH and RPUSH added 2n, LPOP and RPOP took 2n), SPOP and
        ZPOPMIN emptied the set and sorted set, and SET, HSET and MSET
        stored the same -d bytes (redis-benchmark 7.0's fixed payload,
        which starts "VXK")."""
        self.assertBulk(self.r.call("GET", "counter:__rand_int__"), str(n))
        self.assertInt(self.r.call("LLEN", "mylist"), n)
        self.assertInt(self.r.call("EXISTS", "myset", "myzset"), 0)
        value = self.r.call("GET", "key:__rand_int__")
        self.assertEqual(len(value), size)
        self.assertTrue(value.startswith(b"VXK"), value)
        self.assertEqual(self.r.call("HGETALL", "myhash"),
                         [b"element:__rand_int__", value])
        self.assertEqual(self.r.call("LINDEX", "mylist", 0), value)
        self.assertEqual(
            sorted(self.r.call("KEYS", "*")),
            [b"counter:__rand_int__", b"key:__rand_int__", b"myhash",
             b"mylist"])

    def test_default_tests(self):
        n = 2000
        rows = self.bench("-q", "-n", str(n), "-c", "10")
        self.assertEqual(list(rows), DEFAULT_TESTS)
        self.check_keyspace(n)

    def test_pipelined(self):
        n = 4000
        rows = self.bench("-q", "-n", str(n), "-c", "10", "-P", "16")
        self.assertEqual(list(rows), DEFAULT_TESTS)
        self.check_keyspace(n)

    def test_resp3_and_threads(self):
        n = 2000
        rows = self.bench("-q", "-n", str(n), "-c", "20", "-3", "--threads",
                          "2", "-d", "100")
        self.assertEqual(list(rows), DEFAULT_TESTS)
        self.check_keyspace(n, 100)

    def test_random_keys(self):
        n = 5000
        rows = self.bench("-n", str(n), "-c", "50", "-r", "1000", "-t",
                          "set,get,incr,mset")
        self.assertEqual(list(rows), ["SET", "GET", "INCR", "MSET (10 keys)"])
        # INCR counted n across the counters; every key is in the range.
        keys = self.r.call("KEYS", "counter:*")
        self.assertLessEqual(len(keys), 1000)
        total = sum(int(v) for v in self.r.call("MGET", *keys))
        self.assertEqual(total, n)
        for k in self.r.call("KEYS", "key:*"):
            self.assertRegex(k.decode(), r"^key:0000000\d{5}$")

    def test_custom_command(self):
        n = 3000
        rows = self.bench("-n", str(n), "-c", "10", "-r", "100",
                          "incrby", "c:__rand_int__", "3")
        self.assertEqual(len(rows), 1)
        keys = self.r.call("KEYS", "c:*")
        total = sum(int(v) for v in self.r.call("MGET", *keys))
        self.assertEqual(total, 3 * n)


if __name__ == "__main__":
    h.main()
