# Copyright 2026 The Colony Authors.
"""redis-py (Debian's python3-redis 4.3.4), a widely used client library,
against the server: replies of every data type as the library decodes
them, pipelines with and without MULTI, WATCH retry loops under concurrent
threads, publish/subscribe and blocking pops shared by many clients."""

import collections
import inspect
import threading
import time

import redis

import client_tools as t
import kv_harness as h


class RedisPyTestCase(h.KvTestCase):
    """self.db is a redis.Redis decoding replies to str; more come from
    new_client()."""

    def setUp(self):
        super().setUp()
        self._pools = []
        self.db = self.new_client()

    def tearDown(self):
        for pool in self._pools:
            pool.disconnect()
        super().tearDown()

    def new_client(self, **kwargs):
        kwargs.setdefault("decode_responses", True)
        kwargs.setdefault("socket_timeout", 30)
        c = redis.Redis(host=self.server.host, port=self.server.port,
                        **kwargs)
        self._pools.append(c.connection_pool)
        return c


class TypesTest(RedisPyTestCase):

    def test_strings(self):
        db = self.db
        self.assertTrue(db.set("s", "hello"))
        self.assertEqual(db.get("s"), "hello")
        self.assertIsNone(db.set("s", "x", nx=True))
        self.assertTrue(db.set("t", "x", ex=100, nx=True))
        self.assertTrue(0 < db.ttl("t") <= 100)
        self.assertEqual(db.incr("n"), 1)
        self.assertEqual(db.incrby("n", 41), 42)
        self.assertAlmostEqual(db.incrbyfloat("n", 0.5), 42.5)
        self.assertEqual(db.append("s", " world"), 11)
        self.assertEqual(db.getrange("s", 0, 4), "hello")
        self.assertTrue(db.mset({"a": "1", "b": "2"}))
        self.assertEqual(db.mget("a", "b", "missing"), ["1", "2", None])
        self.assertEqual(db.getdel("a"), "1")
        self.assertEqual(db.exists("a", "b"), 1)
        self.assertEqual(db.type("b"), "string")
        with self.assertRaises(redis.ResponseError) as e:
            db.incr("s")
        self.assertEqual(str(e.exception),
                         "value is not an integer or out of range")
        raw = self.new_client(decode_responses=False)
        raw.set("bin", bytes(range(256)))
        self.assertEqual(raw.get("bin"), bytes(range(256)))

    def test_lists(self):
        db = self.db
        self.assertEqual(db.rpush("l", "a", "b", "c"), 3)
        self.assertEqual(db.lpush("l", "z"), 4)
        self.assertEqual(db.lrange("l", 0, -1), ["z", "a", "b", "c"])
        self.assertEqual(db.lindex("l", -1), "c")
        self.assertEqual(db.linsert("l", "BEFORE", "b", "x"), 5)
        self.assertEqual(db.lrem("l", 0, "x"), 1)
        self.assertEqual(db.lpop("l"), "z")
        self.assertEqual(db.rpop("l", 2), ["c", "b"])
        self.assertEqual(db.llen("l"), 1)
        self.assertEqual(db.lmove("l", "m", "LEFT", "RIGHT"), "a")
        self.assertEqual(db.exists("l"), 0)
        self.assertEqual(db.type("m"), "list")
        self.assertIsNone(db.lpop("l"))

    def test_hashes(self):
        db = self.db
        self.assertEqual(db.hset("h", mapping={"f1": "v1", "f2": "v2"}), 2)
        self.assertEqual(db.hset("h", "f1", "new"), 0)
        self.assertEqual(db.hgetall("h"), {"f1": "new", "f2": "v2"})
        self.assertEqual(db.hget("h", "f1"), "new")
        self.assertEqual(db.hmget("h", ["f1", "nope"]), ["new", None])
        self.assertEqual(db.hincrby("h", "n", 5), 5)
        self.assertAlmostEqual(db.hincrbyfloat("h", "n", 1.25), 6.25)
        self.assertEqual(sorted(db.hkeys("h")), ["f1", "f2", "n"])
        self.assertEqual(db.hlen("h"), 3)
        self.assertTrue(db.hexists("h", "f2"))
        self.assertEqual(db.hdel("h", "f1", "f2", "n"), 3)
        self.assertEqual(db.hgetall("h"), {})
        self.assertEqual(db.exists("h"), 0)

    def test_sets(self):
        db = self.db
        self.assertEqual(db.sadd("s1", "a", "b", "c"), 3)
        self.assertEqual(db.sadd("s2", "b", "c", "d"), 3)
        self.assertEqual(db.smembers("s1"), {"a", "b", "c"})
        self.assertTrue(db.sismember("s1", "a"))
        self.assertEqual(db.smismember("s1", ["a", "d"]), [True, False])
        self.assertEqual(db.sinter("s1", "s2"), {"b", "c"})
        self.assertEqual(db.sunion("s1", "s2"), {"a", "b", "c", "d"})
        self.assertEqual(db.sdiff("s1", "s2"), {"a"})
        self.assertEqual(db.sinterstore("s3", ["s1", "s2"]), 2)
        self.assertEqual(db.scard("s3"), 2)
        self.assertIn(db.spop("s3"), {"b", "c"})
        self.assertEqual(db.srem("s1", "a", "zz"), 1)
        self.assertEqual(sorted(db.sscan_iter("s1")), ["b", "c"])

    def test_sorted_sets(self):
        db = self.db
        self.assertEqual(db.zadd("z", {"a": 1, "b": 2.5, "c": -3}), 3)
        self.assertEqual(db.zrange("z", 0, -1), ["c", "a", "b"])
        self.assertEqual(db.zrange("z", 0, -1, withscores=True),
                         [("c", -3.0), ("a", 1.0), ("b", 2.5)])
        self.assertEqual(db.zscore("z", "b"), 2.5)
        self.assertIsNone(db.zscore("z", "nope"))
        self.assertEqual(db.zincrby("z", 10, "a"), 11.0)
        self.assertEqual(db.zrank("z", "a"), 2)
        self.assertEqual(db.zrevrange("z", 0, 0, withscores=True),
                         [("a", 11.0)])
        self.assertEqual(db.zrangebyscore("z", "(-3", "+inf"), ["b", "a"])
        self.assertEqual(db.zcount("z", "-inf", 3), 2)
        self.assertEqual(db.zadd("z", {"b": 5}, xx=True, ch=True), 1)
        self.assertEqual(db.zpopmin("z"), [("c", -3.0)])
        self.assertEqual(db.zcard("z"), 2)
        self.assertEqual(db.zrem("z", "a", "b"), 2)
        self.assertEqual(db.exists("z"), 0)

    def test_keys_and_expiry(self):
        db = self.db
        for i in range(50):
            db.set("k:%d" % i, i)
        self.assertEqual(sorted(db.scan_iter(match="k:1*", count=7)),
                         sorted(["k:1"] + ["k:1%d" % i for i in range(10)]))
        self.assertTrue(db.expire("k:1", 100))
        self.assertTrue(0 < db.pttl("k:1") <= 100000)
        self.assertTrue(db.persist("k:1"))
        self.assertEqual(db.ttl("k:1"), -1)
        self.assertTrue(db.rename("k:1", "renamed"))
        self.assertEqual(db.delete("renamed", "k:2", "nope"), 2)
        self.assertEqual(db.dbsize(), 48)
        self.assertTrue(db.flushdb())
        self.assertEqual(db.dbsize(), 0)

    def test_server_info(self):
        info = self.db.info()
        self.assertEqual(info["redis_version"][:2], "7.")
        self.assertIn("connected_clients", info)
        self.assertTrue(self.db.ping())
        self.assertEqual(self.db.echo("hi"), "hi")
        self.assertEqual(self.db.config_get("maxmemory-policy"),
                         {"maxmemory-policy": "noeviction"})

    def test_resp3(self):
        # redis-py supports RESP3 (protocol=3) from 5.0 on; 4.3.4 speaks
        # RESP2 only, so there is nothing to test through it here (the
        # RESP3 conformance tests in tests/kv/py cover the protocol).
        if "protocol" not in inspect.signature(redis.Redis).parameters:
            self.skipTest("redis-py %s has no protocol=3" % redis.__version__)
        db = self.new_client(protocol=3)
        db.hset("h", "f", "v")
        self.assertEqual(db.hgetall("h"), {"f": "v"})


class PipelineTest(RedisPyTestCase):

    def test_plain_pipeline(self):
        p = self.db.pipeline(transaction=False)
        for i in range(1000):
            p.set("k:%d" % i, i)
        p.incr("k:7")
        p.get("k:7")
        replies = p.execute()
        self.assertEqual(replies, [True] * 1000 + [8, "8"])
        self.assertEqual(self.db.dbsize(), 1000)

    def test_pipeline_errors_in_place(self):
        p = self.db.pipeline(transaction=False)
        p.set("s", "x").incr("s").get("s")
        replies = p.execute(raise_on_error=False)
        self.assertEqual(replies[0], True)
        self.assertIsInstance(replies[1], redis.ResponseError)
        self.assertEqual(replies[2], "x")

    def test_transactional_pipeline(self):
        other = self.new_client()
        with self.db.pipeline() as p:
            p.set("a", 1).incrby("a", 9).get("a")
            self.assertIsNone(other.get("a"))
            self.assertEqual(p.execute(), [True, 10, "10"])

    def test_transaction_runtime_error_does_not_abort(self):
        self.db.set("s", "x")
        with self.db.pipeline() as p:
            p.incr("s").set("t", "1")
            with self.assertRaises(redis.ResponseError):
                p.execute()
        # The command after the failing one ran: EXEC does not roll back.
        self.assertEqual(self.db.get("t"), "1")

    def test_watch_conflict(self):
        other = self.new_client()
        self.db.set("w", "1")
        with self.db.pipeline() as p:
            p.watch("w")
            self.assertEqual(p.get("w"), "1")
            other.set("w", "2")
            p.multi()
            p.set("w", "3")
            with self.assertRaises(redis.WatchError):
                p.execute()
        self.assertEqual(self.db.get("w"), "2")

    def test_transaction_retries_under_contention(self):
        threads_n, per_thread = 10, 100
        attempts = collections.Counter()
        errors = []

        def increment(pipe):
            value = int(pipe.get("counter") or 0)
            attempts[threading.get_ident()] += 1
            pipe.multi()
            pipe.set("counter", value + 1)

        def worker():
            db = self.new_client()
            try:
                for _ in range(per_thread):
                    db.transaction(increment, "counter")
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=worker) for _ in range(threads_n)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(120)
        self.assertEqual(errors, [])
        self.assertEqual(int(self.db.get("counter")), threads_n * per_thread)
        self.assertGreaterEqual(sum(attempts.values()),
                                threads_n * per_thread)


class PubSubTest(RedisPyTestCase):

    def get_message(self, p, timeout=5.0):
        """The next message other than None, within timeout seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = p.get_message(timeout=deadline - time.monotonic())
            if m is not None:
                return m
        self.fail("no message within %.0fs" % timeout)

    def test_subscribe_publish(self):
        p = self.db.pubsub()
        p.subscribe("news")
        self.assertEqual(self.get_message(p), {
            "type": "subscribe", "pattern": None, "channel": "news",
            "data": 1})
        self.assertEqual(self.db.publish("news", "hello"), 1)
        self.assertEqual(self.db.publish("other", "nobody"), 0)
        self.assertEqual(self.get_message(p), {
            "type": "message", "pattern": None, "channel": "news",
            "data": "hello"})
        self.assertEqual(self.db.pubsub_numsub("news"), [("news", 1)])
        p.unsubscribe("news")
        self.assertEqual(self.get_message(p)["type"], "unsubscribe")
        self.assertEqual(self.db.publish("news", "gone"), 0)
        p.close()

    def test_pattern_subscribe(self):
        p = self.db.pubsub(ignore_subscribe_messages=True)
        p.psubscribe("user.*")
        p.get_message(timeout=1.0)
        self.assertEqual(self.db.publish("user.42", "joined"), 1)
        self.assertEqual(self.get_message(p), {
            "type": "pmessage", "pattern": "user.*", "channel": "user.42",
            "data": "joined"})
        p.close()

    def test_many_messages_in_order(self):
        p = self.db.pubsub(ignore_subscribe_messages=True)
        p.subscribe("c")
        p.get_message(timeout=1.0)
        pub = self.new_client()
        n = 500
        pipe = pub.pipeline(transaction=False)
        for i in range(n):
            pipe.publish("c", str(i))
        self.assertEqual(pipe.execute(), [1] * n)
        got = [self.get_message(p)["data"] for _ in range(n)]
        self.assertEqual(got, [str(i) for i in range(n)])
        p.close()

    def test_listener_thread(self):
        received = []
        done = threading.Event()

        def handler(message):
            received.append(message["data"])
            if len(received) == 3:
                done.set()

        p = self.db.pubsub(ignore_subscribe_messages=True)
        p.subscribe(**{"events": handler})
        worker = p.run_in_thread(sleep_time=0.01, daemon=True)
        try:
            deadline = time.monotonic() + 5
            while self.db.pubsub_numsub("events")[0][1] != 1:
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.01)
            for m in ("a", "b", "c"):
                self.db.publish("events", m)
            self.assertTrue(done.wait(5))
        finally:
            worker.stop()
            worker.join(5)
        self.assertEqual(received, ["a", "b", "c"])


class BlockingPopTest(RedisPyTestCase):

    def wait_blocked(self, th, timeout=5.0):
        """Waits until one client is blocked (while th still runs)."""
        deadline = time.monotonic() + timeout
        while int(self.db.info("clients")["blocked_clients"]) != 1:
            self.assertTrue(th.is_alive(), "the blocking client failed")
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.01)

    def test_blpop_consumers(self):
        consumers, n = 20, t.scaled(2000, 100)
        received = [[] for _ in range(consumers)]
        errors = []
        ready = threading.Barrier(consumers + 1)

        def consume(i):
            db = self.new_client()
            try:
                ready.wait(30)
                while True:
                    item = db.blpop(["queue"], timeout=30)
                    if item is None:
                        errors.append("consumer %d timed out" % i)
                        return
                    key, value = item
                    if key != "queue":
                        errors.append("popped from %r" % key)
                    if value == "stop":
                        return
                    received[i].append(int(value))
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=consume, args=(i,))
                   for i in range(consumers)]
        for th in threads:
            th.start()
        ready.wait(30)
        producer = self.new_client()
        for start in range(0, n, 100):
            p = producer.pipeline(transaction=False)
            for i in range(start, min(n, start + 100)):
                p.rpush("queue", i)
            p.execute()
        producer.rpush("queue", *(["stop"] * consumers))
        for th in threads:
            th.join(60)
            self.assertFalse(th.is_alive(), "a consumer is still blocked")
        self.assertEqual(errors, [])
        everything = sorted(v for r in received for v in r)
        self.assertEqual(everything, list(range(n)))
        # One consumer pops in list order.
        for r in received:
            self.assertEqual(r, sorted(r))
        self.assertEqual(self.db.exists("queue"), 0)

    def test_blpop_timeout_and_brpoplpush(self):
        start = time.monotonic()
        self.assertIsNone(self.db.blpop(["empty"], timeout=0.2))
        self.assertGreaterEqual(time.monotonic() - start, 0.15)
        result = []

        def waiter():
            result.append(self.new_client().brpoplpush("src", "dst", 10))

        th = threading.Thread(target=waiter)
        th.start()
        self.wait_blocked(th)
        self.db.rpush("src", "item")
        th.join(10)
        self.assertEqual(result, ["item"])
        self.assertEqual(self.db.lrange("dst", 0, -1), ["item"])

    def test_bzpopmin(self):
        result = []

        def waiter():
            result.append(self.new_client().bzpopmin(["z1", "z2"], 10))

        th = threading.Thread(target=waiter)
        th.start()
        self.wait_blocked(th)
        self.db.zadd("z2", {"m": 7})
        th.join(10)
        self.assertEqual(result, [("z2", "m", 7.0)])


if __name__ == "__main__":
    h.main()
