# Copyright 2026 The Colony Authors.
"""The slow log (SLOWLOG GET/LEN/RESET with slowlog-log-slower-than and
slowlog-max-len) and the idle-client `timeout`, as Redis 7.0 has them."""

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


if __name__ == "__main__":
    h.main()
