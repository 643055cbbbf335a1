# Copyright 2026 The Colony Authors.
"""The slow log (SLOWLOG GET/LEN/RESET with slowlog-log-slower-than and
slowlog-max-len), the idle-client `timeout` and client-output-buffer-limit
(normal and pub/sub clients), as Redis 7.0 has them."""

import socket
import statistics
import time

import kv_harness as h


class SlowlogTest(h.KvTestCase):

    def setUp(self):
        super().setUp()
        self.config_set("slowlog-max-len", "128")
        self.config_set("slowlog-log-slower-than", "0")
        self.assertOk(self.r.call("SLOWLOG", "RESET"))

    def test_records_commands_newest_first(self):
        self.r.call("SET", "k", "v")
        self.r.call("GET", "k")
        entries = self.r.call("SLOWLOG", "GET", "2")
        self.assertEqual(len(entries), 2)
        newest, older = entries
        self.assertGreater(newest[0], older[0])  # ids grow
        self.assertEqual(newest[3], [b"GET", b"k"])
        self.assertEqual(older[3], [b"SET", b"k", b"v"])
        for e in entries:
            self.assertEqual(len(e), 6)
            self.assertIsInstance(e[1], int)
            self.assertLessEqual(abs(e[1] - time.time()), 60)
            self.assertGreaterEqual(e[2], 0)
            self.assertIn(b"127.0.0.1:", e[4])

    def test_len_and_reset(self):
        for i in range(5):
            self.r.call("SET", "k%d" % i, "v")
        self.assertGreaterEqual(self.r.call("SLOWLOG", "LEN"), 5)
        self.assertOk(self.r.call("SLOWLOG", "RESET"))
        # The RESET itself may be logged after it ran.
        self.assertLessEqual(self.r.call("SLOWLOG", "LEN"), 1)

    def test_client_name_is_recorded(self):
        self.r.call("CLIENT", "SETNAME", "worker-7")
        self.r.call("PING")
        entry = self.r.call("SLOWLOG", "GET", "1")[0]
        self.assertEqual(entry[3], [b"PING"])
        self.assertEqual(entry[5], b"worker-7")

    def test_long_arguments_are_cut(self):
        self.r.call("SET", "k", "x" * 200)
        entry = self.r.call("SLOWLOG", "GET", "1")[0]
        self.assertEqual(entry[3][2], b"x" * 128 + b"... (72 more bytes)")

    def test_many_arguments_are_cut(self):
        args = ["a%d" % i for i in range(40)]
        self.r.call("DEL", *args)
        entry = self.r.call("SLOWLOG", "GET", "1")[0]
        self.assertEqual(len(entry[3]), 32)
        self.assertEqual(entry[3][0], b"DEL")
        self.assertEqual(entry[3][-1], b"... (10 more arguments)")

    def test_max_len_keeps_the_newest(self):
        self.config_set("slowlog-max-len", "3")
        for i in range(10):
            self.r.call("SET", "k", str(i))
        entries = self.r.call("SLOWLOG", "GET", "-1")
        self.assertEqual(len(entries), 3)

    def test_threshold_filters(self):
        self.config_set("slowlog-log-slower-than", "10000000")
        self.r.call("SLOWLOG", "RESET")
        for i in range(10):
            self.r.call("SET", "k", str(i))
        self.assertEqual(self.r.call("SLOWLOG", "LEN"), 0)
        self.config_set("slowlog-log-slower-than", "-1")
        self.r.call("SET", "k", "v")
        self.assertEqual(self.r.call("SLOWLOG", "LEN"), 0)

    def test_errors(self):
        self.assertError(self.r.call("SLOWLOG", "GET", "-2"),
                         "ERR count should be greater than or equal to -1")
        self.assertError(self.r.call("SLOWLOG", "NOSUCH"),
                         "ERR unknown subcommand 'NOSUCH'. Try SLOWLOG HELP.")
        self.assertError(self.r.call("SLOWLOG"),
                         "ERR wrong number of arguments for 'slowlog' command")


class IdleTimeoutTest(h.KvTestCase):

    def test_idle_client_is_closed(self):
        self.config_set("timeout", "1")
        idle = self.client()
        idle.call("PING")
        # self.r keeps talking (and so stays) while the idle one goes.
        h.wait_for(lambda: (self.r.call("PING"), idle.closed(timeout=0.2))[1],
                   timeout=10, what="the idle client to be closed")
        self.assertSimple(self.r.call("PING"), "PONG")

    def test_no_timeout_by_default(self):
        c = self.client()
        time.sleep(1.5)
        self.assertSimple(c.call("PING"), "PONG")


def stats(client, section="stats"):
    out = {}
    for line in client.call("INFO", section).decode().splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


def disconnections(client):
    """client_output_buffer_limit_disconnections (colonyd; redis-server 7.0
    does not report it: None)."""
    v = stats(client).get("client_output_buffer_limit_disconnections")
    return None if v is None else int(v)


class OutputBufferLimitConfigTest(h.KvTestCase):

    DEFAULT = (b"normal 0 0 0 slave 268435456 67108864 60 "
               b"pubsub 33554432 8388608 60")

    def get(self):
        return self.r.call("CONFIG", "GET", "client-output-buffer-limit")[1]

    def set(self, value):
        return self.r.call("CONFIG", "SET", "client-output-buffer-limit",
                           value)

    def setUp(self):
        super().setUp()
        self.addCleanup(lambda: self.server.client().call(
            "CONFIG", "SET", "client-output-buffer-limit",
            self.DEFAULT.decode()))

    def test_default(self):
        self.assertEqual(self.get(), self.DEFAULT)

    def test_partial_updates_and_units(self):
        self.assertOk(self.set("normal 1mb 0 0"))
        self.assertEqual(self.get(), b"normal 1048576 0 0 slave 268435456 "
                         b"67108864 60 pubsub 33554432 8388608 60")
        self.assertOk(self.set("pubsub 1k 1kb 0 Normal 1g 2G 7"))
        self.assertEqual(self.get(), b"normal 1000000000 2000000000 7 slave "
                         b"268435456 67108864 60 pubsub 1000 1024 0")
        self.assertOk(self.set("replica 1 2 3"))
        self.assertEqual(self.get(), b"normal 1000000000 2000000000 7 "
                         b"slave 1 2 3 pubsub 1000 1024 0")
        # The last triple of a class wins; an empty value changes nothing.
        self.assertOk(self.set("normal 10 20 30 normal 40 50 +60"))
        self.assertOk(self.set(""))
        self.assertEqual(self.get(), b"normal 40 50 60 slave 1 2 3 "
                         b"pubsub 1000 1024 0")

    def test_errors_change_nothing(self):
        before = self.get()
        prefix = ("ERR CONFIG SET failed (possibly related to argument "
                  "'client-output-buffer-limit') - ")
        count = prefix + ("Wrong number of arguments in buffer limit "
                          "configuration.")
        klass = prefix + ("Invalid client class specified in buffer limit "
                          "configuration.")
        number = prefix + ("Error in hard, soft or soft_seconds setting in "
                           "buffer limit configuration.")
        for value, error in [
                ("normal 0 0", count),
                ("normal  1 2 3", count),
                ("  normal 1 2 3  ", klass),
                ("normal 1 2 3 pubsub", count),
                ("master 0 0 0", klass),
                ("pubsub 1 2 3 clients 0 0 0", klass),
                ("normal -1 0 0", number),
                ("normal 1x 0 0", number),
                ("normal 1.5mb 0 0", number),
                ("normal +1 0 0", number),
                ("normal 0 0 -1", number),
                ("normal 0 0 1.5", number),
                ("pubsub 1 2 3 normal 1 2 3x", number)]:
            self.assertError(self.set(value), error)
            self.assertEqual(self.get(), before, value)
        # Several parameters: all or none.
        self.assertErrorPrefix(self.r.call(
            "CONFIG", "SET", "client-output-buffer-limit", "normal 1 1 1",
            "maxclients", "many"), "ERR CONFIG SET failed")
        self.assertEqual(self.get(), before)


class NormalOutputLimitTest(h.KvTestCase):
    """A client whose unsent replies pass the normal class's limits is
    closed without them (Redis' own tests of the feature, in spirit)."""

    def setUp(self):
        super().setUp()
        self.r.call("SET", "big", "x" * 10000)

    def test_one_reply_over_the_hard_limit(self):
        self.config_set("client-output-buffer-limit", "normal 100000 0 0")
        self.r.call("RPUSH", "list", *(["y" * 1000] * 150))
        before = disconnections(self.r)
        c = self.client()
        c.send("LRANGE", "list", 0, -1)
        replies, closed = c.read_all_until_close(timeout=10)
        self.assertTrue(closed)
        self.assertEqual(replies, [])
        if before is not None:
            self.assertEqual(disconnections(self.r), before + 1)
        self.assertSimple(self.r.call("PING"), "PONG")

    def test_pipeline_over_the_hard_limit(self):
        self.config_set("client-output-buffer-limit", "normal 100000 0 0")
        c = self.client()
        c.send_raw(b"".join(h.encode_command(["GET", "big"])
                            for _ in range(20)))
        replies, closed = c.read_all_until_close(timeout=10)
        self.assertTrue(closed)
        self.assertEqual(replies, [])

    def test_transaction_runs_whole_before_the_client_goes(self):
        self.config_set("client-output-buffer-limit", "normal 100000 0 0")
        c = self.client()
        commands = [["MULTI"], ["SET", "k1", "v1"]] + \
            [["GET", "big"]] * 20 + [["SET", "k2", "v2"], ["EXEC"]]
        c.send_raw(b"".join(h.encode_command(x) for x in commands))
        _, closed = c.read_all_until_close(timeout=10)
        self.assertTrue(closed)
        self.assertBulk(self.r.call("GET", "k1"), "v1")
        self.assertBulk(self.r.call("GET", "k2"), "v2")

    def test_under_the_limit_nothing_happens(self):
        self.config_set("client-output-buffer-limit", "normal 1mb 0 0")
        c = self.client()
        replies = c.pipeline([["GET", "big"]] * 50)
        self.assertEqual(replies, [b"x" * 10000] * 50)
        self.assertSimple(c.call("PING"), "PONG")

    def test_soft_limit_held_too_long(self):
        self.config_set("client-output-buffer-limit", "normal 0 100000 1")
        c = self.client()
        c_id = "id=%d " % c.call("CLIENT", "ID")
        c.sock.settimeout(0.05)
        batch = b"".join(h.encode_command(["GET", "big"])
                         for _ in range(100))
        started = time.monotonic()
        closed_at = None
        # Keep asking (Redis checks as replies are added) and never read.
        while time.monotonic() - started < 15:
            try:
                c.sock.sendall(batch)
            except socket.timeout:
                pass
            except OSError:
                closed_at = time.monotonic()
                break
            if c_id not in self.r.call("CLIENT", "LIST").decode():
                closed_at = time.monotonic()
                break
            time.sleep(0.05)
        self.assertIsNotNone(closed_at, "the client was never closed")
        self.assertGreaterEqual(closed_at - started, 0.9)

    def test_no_limit_still_bounds_memory(self):
        if self.server.kind == "redis":
            self.skipTest("redis-server buffers a non-reading client's "
                          "replies without bound when the normal class has "
                          "no limit")
        rss = lambda: int(stats(self.r, "memory")["used_memory_rss"])
        before = rss()
        c = self.client()
        c.sock.settimeout(0.2)
        batch = b"".join(h.encode_command(["GET", "big"])
                         for _ in range(1000))
        sent = 0
        # 20,000 GETs: 200 MB of replies the client never reads.
        for _ in range(20):
            try:
                c.sock.sendall(batch)
                sent += 1
            except socket.timeout:
                break
        time.sleep(0.5)
        grown = rss() - before
        self.assertLess(grown, 64 << 20, "%d batches sent" % sent)
        # Others are served meanwhile.
        self.assertSimple(self.r.call("PING"), "PONG")



class PubSubOutputLimitTest(h.KvTestCase):
    """A subscriber that does not read is cut at the pubsub class's limits;
    the publisher and other clients do not notice."""

    def publish_until_cut(self, subscriber_id, timeout=30):
        """Publishes 10 KB messages (and PINGs from a third client) until
        the subscriber is gone; returns the latencies of both."""
        publisher = self.client()
        other = self.client()
        message = "m" * 10000
        publish, ping = [], []
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            t = time.monotonic()
            got = publisher.call("PUBLISH", "ch", message)
            publish.append(time.monotonic() - t)
            self.assertIsInstance(got, int)
            t = time.monotonic()
            self.assertSimple(other.call("PING"), "PONG")
            ping.append(time.monotonic() - t)
            if got == 0 and subscriber_id not in \
                    self.r.call("CLIENT", "LIST").decode():
                return publish, ping, time.monotonic() - started
            time.sleep(0.002)
        self.fail("the subscriber was never disconnected")

    def subscriber(self):
        s = self.client()
        s_id = "id=%d " % s.call("CLIENT", "ID")
        self.assertEqual(s.call("SUBSCRIBE", "ch"), [b"subscribe", b"ch", 1])
        # From here on it reads nothing.
        return s, s_id

    def test_hard_limit(self):
        self.config_set("client-output-buffer-limit", "pubsub 1mb 0 0")
        before = disconnections(self.r)
        s, s_id = self.subscriber()
        publish, ping, _ = self.publish_until_cut(s_id)
        self.assertTrue(s.closed(timeout=10))
        if before is not None:
            self.assertEqual(disconnections(self.r), before + 1)
        # Every PUBLISH was answered; latencies stayed those of a server
        # with nothing to wait for (generous bounds: a shared machine).
        self.assertLess(statistics.median(publish), 0.05)
        self.assertLess(statistics.median(ping), 0.05)
        self.assertLess(max(ping), 1.0)
        self.assertEqual(self.r.call("PUBSUB", "NUMSUB", "ch"), [b"ch", 0])

    def test_soft_limit_held_too_long(self):
        self.config_set("client-output-buffer-limit", "pubsub 0 200kb 1")
        s, s_id = self.subscriber()
        publish, ping, elapsed = self.publish_until_cut(s_id)
        self.assertTrue(s.closed(timeout=10))
        # Over 200 KB quickly, cut a second or more later.
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(statistics.median(ping), 0.05)

    def test_reading_subscriber_is_kept(self):
        self.config_set("client-output-buffer-limit", "pubsub 1mb 0 0")
        s = self.client()
        s.call("SUBSCRIBE", "ch")
        publisher = self.client()
        for i in range(300):
            self.assertInt(publisher.call("PUBLISH", "ch", "x" * 10000), 1)
            self.assertEqual(s.read_push(timeout=5),
                             [b"message", b"ch", b"x" * 10000])


if __name__ == "__main__":
    h.main()
