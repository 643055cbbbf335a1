# Copyright 2026 The Colony Authors.
"""MULTI/EXEC/DISCARD and optimistic locking with WATCH, as Redis 7.0
answers them in RESP2 and RESP3."""

import time

import kv_harness as h

EXECABORT = "EXECABORT Transaction discarded because of previous errors."


class MultiExecTest(h.KvTestCase):

    def test_queued_then_exec(self):
        self.assertOk(self.r.call("MULTI"))
        self.assertSimple(self.r.call("SET", "a", "1"), "QUEUED")
        self.assertEqual(self.r.last_raw, b"+QUEUED\r\n")
        self.assertSimple(self.r.call("INCR", "a"), "QUEUED")
        self.assertSimple(self.r.call("GET", "a"), "QUEUED")
        self.assertSimple(self.r.call("GET", "missing"), "QUEUED")
        reply = self.r.call("EXEC")
        self.assertEqual(reply, ["OK", 2, b"2", None])
        self.assertIsInstance(reply[0], h.SimpleString)
        self.assertIs(type(reply[2]), bytes)
        self.assertEqual(self.r.last_raw,
                         b"*4\r\n+OK\r\n:2\r\n$1\r\n2\r\n$-1\r\n")

    def test_nothing_runs_before_exec(self):
        self.r.call("MULTI")
        self.r.call("SET", "a", "1")
        other = self.client()
        self.assertIsNone(other.call("GET", "a"))
        self.r.call("EXEC")
        self.assertBulk(other.call("GET", "a"), "1")

    def test_empty_transaction(self):
        self.assertOk(self.r.call("MULTI"))
        self.assertEqual(self.r.call("EXEC"), [])
        self.assertEqual(self.r.last_raw, b"*0\r\n")

    def test_discard(self):
        self.r.call("SET", "a", "0")
        self.assertOk(self.r.call("MULTI"))
        self.r.call("SET", "a", "1")
        self.r.call("DEL", "a")
        self.assertOk(self.r.call("DISCARD"))
        self.assertBulk(self.r.call("GET", "a"), "0")
        self.assertError(self.r.call("EXEC"), "ERR EXEC without MULTI")

    def test_exec_without_multi(self):
        self.assertError(self.r.call("EXEC"), "ERR EXEC without MULTI")

    def test_discard_without_multi(self):
        self.assertError(self.r.call("DISCARD"), "ERR DISCARD without MULTI")

    def test_nested_multi(self):
        self.assertOk(self.r.call("MULTI"))
        self.assertError(self.r.call("MULTI"),
                         "ERR MULTI calls can not be nested")
        # The nested MULTI does not spoil the transaction.
        self.r.call("SET", "a", "1")
        self.assertEqual(self.r.call("EXEC"), ["OK"])

    def test_unknown_command_aborts(self):
        self.r.call("MULTI")
        self.r.call("SET", "a", "1")
        self.assertError(self.r.call("NOSUCH", "x"),
                         "ERR unknown command 'NOSUCH', with args beginning "
                         "with: 'x' ")
        self.r.call("SET", "b", "1")
        self.assertError(self.r.call("EXEC"), EXECABORT)
        self.assertInt(self.r.call("EXISTS", "a", "b"), 0)
        # Out of the transaction again.
        self.assertError(self.r.call("EXEC"), "ERR EXEC without MULTI")

    def test_wrong_arity_aborts(self):
        self.r.call("MULTI")
        self.r.call("SET", "a", "1")
        self.assertError(self.r.call("GET"), self.arity_error("get"))
        self.assertError(self.r.call("EXEC"), EXECABORT)
        self.assertInt(self.r.call("EXISTS", "a"), 0)

    def test_discard_after_queueing_error(self):
        self.r.call("MULTI")
        self.r.call("GET")
        self.assertOk(self.r.call("DISCARD"))
        self.r.call("MULTI")
        self.r.call("SET", "a", "1")
        self.assertEqual(self.r.call("EXEC"), ["OK"])

    def test_exec_arity_error_discards(self):
        self.r.call("MULTI")
        self.r.call("SET", "a", "1")
        self.assertError(self.r.call("EXEC", "x"),
                         "EXECABORT Transaction discarded because of: wrong "
                         "number of arguments for 'exec' command")
        self.assertIsNone(self.r.call("GET", "a"))
        self.assertError(self.r.call("EXEC"), "ERR EXEC without MULTI")

    def test_multi_and_discard_arity(self):
        self.assertError(self.r.call("MULTI", "x"), self.arity_error("multi"))
        self.r.call("MULTI")
        self.assertError(self.r.call("DISCARD", "x"),
                         self.arity_error("discard"))
        self.assertOk(self.r.call("DISCARD"))

    def test_runtime_errors_do_not_stop_the_rest(self):
        self.r.call("SET", "s", "text")
        self.r.call("MULTI")
        self.r.call("INCR", "s")
        self.r.call("LPUSH", "s", "x")
        self.r.call("SET", "q", "1", "EX", "0")
        self.r.call("SET", "q", "1", "FOO")
        self.r.call("SET", "after", "ok")
        self.r.call("APPEND", "s", "!")
        reply = self.r.call("EXEC")
        self.assertEqual(reply, [
            h.Error("ERR value is not an integer or out of range"),
            h.Error(self.wrongtype),
            h.Error("ERR invalid expire time in 'set' command"),
            h.Error("ERR syntax error"),
            "OK", 5])
        self.assertBulk(self.r.call("GET", "after"), "ok")
        self.assertBulk(self.r.call("GET", "s"), "text!")

    def test_select_inside_multi(self):
        self.r.call("MULTI")
        self.assertSimple(self.r.call("SELECT", "1"), "QUEUED")
        self.r.call("SET", "a", "db1")
        self.assertEqual(self.r.call("EXEC"), ["OK", "OK"])
        # The selection outlives the transaction.
        self.assertBulk(self.r.call("GET", "a"), "db1")
        self.r.call("SELECT", "0")
        self.assertIsNone(self.r.call("GET", "a"))

    def test_select_error_inside_exec(self):
        self.r.call("MULTI")
        self.r.call("SELECT", "99")
        self.r.call("SET", "a", "1")
        self.assertEqual(self.r.call("EXEC"),
                         [h.Error("ERR DB index is out of range"), "OK"])
        self.assertBulk(self.r.call("GET", "a"), "1")

    def test_blocking_command_does_not_block_in_exec(self):
        self.r.call("MULTI")
        self.r.call("BLPOP", "nolist", "5")
        self.r.call("SET", "a", "1")
        start = time.monotonic()
        self.assertEqual(self.r.call("EXEC"), [None, "OK"])
        self.assertLess(time.monotonic() - start, 2)

    def test_resp3_exec(self):
        c = self.client(protocol=3)
        c.call("MULTI")
        c.call("ZADD", "z", "2.5", "m")
        c.call("ZSCORE", "z", "m")
        c.call("HSET", "hh", "f", "v")
        c.call("HGETALL", "hh")
        c.call("GET", "missing")
        reply = c.call("EXEC")
        self.assertEqual(reply[0], 1)
        self.assertIsInstance(reply[1], h.Double)
        self.assertEqual(reply[1], 2.5)
        self.assertIsInstance(reply[3], h.Map)
        self.assertEqual(reply[3], {b"f": b"v"})
        self.assertIsNone(reply[4])

    def test_many_queued_commands(self):
        self.r.call("MULTI")
        replies = self.r.pipeline([("INCR", "n")] * 1000)
        self.assertTrue(all(r == "QUEUED" for r in replies))
        self.assertEqual(self.r.call("EXEC"), list(range(1, 1001)))

    def test_quit_inside_multi(self):
        self.r.call("MULTI")
        self.r.call("SET", "a", "1")
        self.assertOk(self.r.call("QUIT"))
        self.assertTrue(self.r.closed())
        self.assertIsNone(self.client().call("GET", "a"))

    def test_exec_is_atomic_for_other_clients(self):
        # Another client's pipeline of reads never sees half a transaction.
        reader = self.client()
        self.r.call("MSET", "a", "0", "b", "0")
        for i in range(1, 50):
            self.r.send("MULTI")
            self.r.send("SET", "a", str(i))
            self.r.send("SET", "b", str(i))
            self.r.send("EXEC")
            a, b = reader.call("MGET", "a", "b")
            self.assertEqual(a, b)
            for _ in range(4):
                self.r.read_reply()


class WatchTest(h.KvTestCase):

    def watched_exec(self, c=None):
        c = c or self.r
        self.assertOk(c.call("MULTI"))
        c.call("SET", "k", "mine")
        return c.call("EXEC")

    def test_watch_reply(self):
        self.assertOk(self.r.call("WATCH", "k"))
        self.assertOk(self.r.call("WATCH", "a", "b", "c"))
        self.assertError(self.r.call("WATCH"), self.arity_error("watch"))

    def test_unmodified_key_execs(self):
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        self.assertEqual(self.watched_exec(), ["OK"])
        self.assertBulk(self.r.call("GET", "k"), "mine")

    def test_other_client_modifies(self):
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        self.client().call("SET", "k", "v")  # same value still counts
        self.assertIsNone(self.watched_exec())
        self.assertEqual(self.r.last_raw, b"*-1\r\n")
        self.assertBulk(self.r.call("GET", "k"), "v")

    def test_null_reply_in_resp3(self):
        c = self.client(protocol=3)
        c.call("SET", "k", "v")
        c.call("WATCH", "k")
        self.client().call("SET", "k", "x")
        self.assertIsNone(self.watched_exec(c))
        self.assertEqual(c.last_raw, b"_\r\n")

    def test_other_client_deletes(self):
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        self.client().call("DEL", "k")
        self.assertIsNone(self.watched_exec())
        self.assertInt(self.r.call("EXISTS", "k"), 0)

    def test_other_client_creates(self):
        self.r.call("WATCH", "k")
        self.client().call("LPUSH", "k", "x")
        self.assertIsNone(self.watched_exec())

    def test_deleting_a_missing_key_is_no_change(self):
        self.r.call("WATCH", "k")
        self.client().call("DEL", "k")
        self.assertEqual(self.watched_exec(), ["OK"])

    def test_other_client_sets_expire(self):
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        self.client().call("EXPIRE", "k", "100")
        self.assertIsNone(self.watched_exec())

    def test_key_expires_while_watched(self):
        self.r.call("SET", "k", "v", "PX", "50")
        self.r.call("WATCH", "k")
        time.sleep(0.15)
        self.assertIsNone(self.watched_exec())

    def test_key_expired_before_watch(self):
        self.r.call("SET", "k", "v", "PX", "20")
        time.sleep(0.1)
        self.r.call("WATCH", "k")
        self.assertEqual(self.watched_exec(), ["OK"])

    def test_ttl_not_yet_reached(self):
        self.r.call("SET", "k", "v", "EX", "100")
        self.r.call("WATCH", "k")
        self.assertEqual(self.watched_exec(), ["OK"])

    def test_own_modification_counts(self):
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        self.r.call("SET", "k", "w")
        self.assertIsNone(self.watched_exec())

    def test_reads_do_not_count(self):
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        other = self.client()
        other.call("GET", "k")
        other.call("EXISTS", "k")
        other.call("TTL", "k")
        self.assertEqual(self.watched_exec(), ["OK"])

    def test_failed_writes_do_not_count(self):
        self.r.call("SET", "k", "1")
        self.r.call("WATCH", "k")
        other = self.client()
        other.call("LPUSH", "k", "x")  # WRONGTYPE
        other.call("SETNX", "k", "2")
        other.call("PERSIST", "k")
        self.assertEqual(self.watched_exec(), ["OK"])

    def test_rename_counts_on_both_sides(self):
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        self.client().call("RENAME", "k", "j")
        self.assertIsNone(self.watched_exec())
        self.r.call("SET", "j", "v")
        self.r.call("WATCH", "k")
        self.client().call("RENAME", "j", "k")
        self.assertIsNone(self.watched_exec())

    def test_other_database_does_not_count(self):
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        other = self.client()
        other.call("SELECT", "1")
        other.call("SET", "k", "x")
        self.assertEqual(self.watched_exec(), ["OK"])

    def test_one_of_several_keys(self):
        self.r.call("WATCH", "a", "b", "k")
        self.client().call("SET", "b", "x")
        self.assertIsNone(self.watched_exec())

    def test_unwatch(self):
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        self.assertOk(self.r.call("UNWATCH"))
        self.client().call("SET", "k", "x")
        self.assertEqual(self.watched_exec(), ["OK"])

    def test_unwatch_without_watch(self):
        self.assertOk(self.r.call("UNWATCH"))

    def test_exec_unwatches(self):
        self.r.call("WATCH", "k")
        self.assertEqual(self.watched_exec(), ["OK"])
        self.client().call("SET", "k", "x")
        self.assertEqual(self.watched_exec(), ["OK"])

    def test_failed_exec_unwatches(self):
        self.r.call("WATCH", "k")
        self.client().call("SET", "k", "x")
        self.assertIsNone(self.watched_exec())
        self.assertEqual(self.watched_exec(), ["OK"])

    def test_discard_unwatches(self):
        self.r.call("WATCH", "k")
        self.r.call("MULTI")
        self.assertOk(self.r.call("DISCARD"))
        self.client().call("SET", "k", "x")
        self.assertEqual(self.watched_exec(), ["OK"])

    def test_watch_inside_multi(self):
        self.r.call("MULTI")
        self.assertError(self.r.call("WATCH", "k"),
                         "ERR WATCH inside MULTI is not allowed")
        self.r.call("SET", "a", "1")
        # Not a queueing error: the transaction still runs.
        self.assertEqual(self.r.call("EXEC"), ["OK"])

    def test_unwatch_inside_multi_is_queued(self):
        self.r.call("WATCH", "k")
        self.r.call("MULTI")
        self.assertSimple(self.r.call("UNWATCH"), "QUEUED")
        self.assertEqual(self.r.call("EXEC"), ["OK"])

    def test_flushall_touches_watched_keys(self):
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        self.client().call("FLUSHALL")
        self.assertIsNone(self.watched_exec())

    def test_flushall_with_missing_watched_key(self):
        self.r.call("SET", "other", "v")
        self.r.call("WATCH", "k")
        self.client().call("FLUSHALL")
        self.assertEqual(self.watched_exec(), ["OK"])

    def test_flushdb_touches_watched_keys(self):
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        self.client().call("FLUSHDB")
        self.assertIsNone(self.watched_exec())

    def test_swapdb_touches_watched_keys(self):
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        self.client().call("SWAPDB", "0", "1")
        self.assertIsNone(self.watched_exec())

    def test_watch_in_another_database(self):
        self.r.call("SELECT", "2")
        self.r.call("SET", "k", "v")
        self.r.call("WATCH", "k")
        other = self.client()
        other.call("SELECT", "2")
        other.call("INCR", "n")
        other.call("APPEND", "k", "x")
        self.assertIsNone(self.watched_exec())

    def test_watched_transaction_as_check_and_set(self):
        self.r.call("SET", "counter", "10")
        clients = [self.client() for _ in range(2)]
        for c in clients:
            c.call("WATCH", "counter")
            self.assertBulk(c.call("GET", "counter"), "10")
        results = []
        for c in clients:
            c.call("MULTI")
            c.call("SET", "counter", "11")
            results.append(c.call("EXEC"))
        self.assertEqual(results, [["OK"], None])


if __name__ == "__main__":
    h.main()
