# Copyright 2026 The Colony Authors.
"""Keyspace commands (DEL, EXISTS, TYPE, RENAME, KEYS, SCAN, COPY, MOVE,
...) and key expiry (EXPIRE and friends, TTL, lazy and active expiry), with
the replies and error strings of Redis 7.0."""

import time

import kv_harness as h


class DelExistsTypeTest(h.KvTestCase):

    def test_del_counts_removed_keys(self):
        self.r.call("MSET", "a", "1", "b", "2", "c", "3")
        self.assertInt(self.r.call("DEL", "a", "b", "missing"), 2)
        self.assertInt(self.r.call("EXISTS", "a", "b", "c"), 1)

    def test_del_counts_a_repeated_key_once(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("DEL", "a", "a"), 1)

    def test_del_missing_key_is_zero(self):
        self.assertInt(self.r.call("DEL", "nothing"), 0)

    def test_del_any_type(self):
        self.r.call("LPUSH", "l", "x")
        self.r.call("SADD", "s", "x")
        self.r.call("HSET", "hh", "f", "v")
        self.r.call("ZADD", "z", "1", "x")
        self.assertInt(self.r.call("DEL", "l", "s", "hh", "z"), 4)
        self.assertInt(self.r.call("DBSIZE"), 0)

    def test_unlink_like_del(self):
        self.r.call("MSET", "a", "1", "b", "2")
        self.r.call("RPUSH", "l", "1", "2", "3")
        self.assertInt(self.r.call("UNLINK", "a", "l", "missing"), 2)
        self.assertIsNone(self.r.call("GET", "a"))
        self.assertBulk(self.r.call("GET", "b"), "2")

    def test_del_arity(self):
        self.assertError(self.r.call("DEL"), self.arity_error("del"))
        self.assertError(self.r.call("UNLINK"), self.arity_error("unlink"))
        self.assertError(self.r.call("EXISTS"), self.arity_error("exists"))

    def test_exists_counts_repeats(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("EXISTS", "a", "a", "missing", "a"), 3)
        self.assertInt(self.r.call("EXISTS", "missing"), 0)

    def test_type_of_each_kind(self):
        self.r.call("SET", "str", "v")
        self.r.call("LPUSH", "list", "v")
        self.r.call("SADD", "set", "v")
        self.r.call("ZADD", "zset", "1", "v")
        self.r.call("HSET", "hash", "f", "v")
        for key in ("str", "list", "set", "zset", "hash"):
            want = "string" if key == "str" else key
            self.assertSimple(self.r.call("TYPE", key), want)
        self.assertSimple(self.r.call("TYPE", "missing"), "none")

    def test_type_arity(self):
        self.assertError(self.r.call("TYPE"), self.arity_error("type"))
        self.assertError(self.r.call("TYPE", "a", "b"),
                         self.arity_error("type"))

    def test_touch_counts_existing(self):
        self.r.call("MSET", "a", "1", "b", "2")
        self.assertInt(self.r.call("TOUCH", "a", "b", "c"), 2)
        self.assertInt(self.r.call("TOUCH", "c"), 0)

    def test_key_names_are_binary_safe(self):
        key = b"k\x00\r\n\xff"
        self.assertOk(self.r.call("SET", key, b"v\x00"))
        self.assertBulk(self.r.call("GET", key), b"v\x00")
        self.assertEqual(self.r.call("KEYS", "*"), [key])
        self.assertIsNone(self.r.call("GET", b"k"))

    def test_empty_key_name(self):
        self.assertOk(self.r.call("SET", "", "empty"))
        self.assertBulk(self.r.call("GET", ""), "empty")
        self.assertInt(self.r.call("EXISTS", ""), 1)


class RenameTest(h.KvTestCase):

    def test_rename_moves_value(self):
        self.r.call("SET", "a", "1")
        self.assertOk(self.r.call("RENAME", "a", "b"))
        self.assertIsNone(self.r.call("GET", "a"))
        self.assertBulk(self.r.call("GET", "b"), "1")

    def test_rename_overwrites_other_type(self):
        self.r.call("SET", "a", "1")
        self.r.call("LPUSH", "b", "x")
        self.assertOk(self.r.call("RENAME", "a", "b"))
        self.assertSimple(self.r.call("TYPE", "b"), "string")

    def test_rename_missing_source(self):
        self.assertError(self.r.call("RENAME", "missing", "b"),
                         "ERR no such key")
        self.assertError(self.r.call("RENAMENX", "missing", "b"),
                         "ERR no such key")

    def test_rename_to_itself(self):
        self.r.call("SET", "a", "1")
        self.assertOk(self.r.call("RENAME", "a", "a"))
        self.assertBulk(self.r.call("GET", "a"), "1")
        self.assertInt(self.r.call("RENAMENX", "a", "a"), 0)

    def test_rename_keeps_ttl(self):
        self.r.call("SET", "a", "1", "EX", "100")
        self.r.call("RENAME", "a", "b")
        ttl = self.r.call("TTL", "b")
        self.assertTrue(95 <= ttl <= 100, ttl)

    def test_rename_clears_destination_ttl(self):
        self.r.call("SET", "a", "1")
        self.r.call("SET", "b", "2", "EX", "100")
        self.r.call("RENAME", "a", "b")
        self.assertInt(self.r.call("TTL", "b"), -1)

    def test_renamenx(self):
        self.r.call("MSET", "a", "1", "b", "2")
        self.assertInt(self.r.call("RENAMENX", "a", "b"), 0)
        self.assertBulk(self.r.call("GET", "b"), "2")
        self.assertInt(self.r.call("RENAMENX", "a", "c"), 1)
        self.assertInt(self.r.call("EXISTS", "a"), 0)
        self.assertBulk(self.r.call("GET", "c"), "1")

    def test_rename_list(self):
        self.r.call("RPUSH", "l", "1", "2")
        self.r.call("RENAME", "l", "m")
        self.assertEqual(self.r.call("LRANGE", "m", "0", "-1"), [b"1", b"2"])

    def test_rename_arity(self):
        self.assertError(self.r.call("RENAME", "a"),
                         self.arity_error("rename"))
        self.assertError(self.r.call("RENAMENX", "a", "b", "c"),
                         self.arity_error("renamenx"))


class KeysTest(h.KvTestCase):

    def setUp(self):
        super().setUp()
        self.names = ["a", "b", "c", "d", "ab", "abc", "hello", "hallo",
                      "hxllo", "hllo", "heeello", "a*b", "a?b", "a[b", "x"]
        args = []
        for n in self.names:
            args += [n, "v"]
        self.r.call("MSET", *args)

    def keys(self, pattern):
        reply = self.r.call("KEYS", pattern)
        self.assertIsInstance(reply, list)
        return sorted(k.decode() for k in reply)

    def test_star_matches_everything(self):
        self.assertEqual(self.keys("*"), sorted(self.names))

    def test_question_mark(self):
        self.assertEqual(self.keys("h?llo"), ["hallo", "hello", "hxllo"])
        self.assertEqual(self.keys("?"), ["a", "b", "c", "d", "x"])

    def test_star_in_middle(self):
        self.assertEqual(self.keys("h*llo"),
                         ["hallo", "heeello", "hello", "hllo", "hxllo"])

    def test_ranges_and_sets(self):
        self.assertEqual(self.keys("[a-c]"), ["a", "b", "c"])
        self.assertEqual(self.keys("h[ae]llo"), ["hallo", "hello"])
        self.assertEqual(self.keys("h[^e]llo"), ["hallo", "hxllo"])
        self.assertEqual(self.keys("[c-a]"), ["a", "b", "c"])

    def test_escapes(self):
        self.assertEqual(self.keys("a\\*b"), ["a*b"])
        self.assertEqual(self.keys("a\\?b"), ["a?b"])
        self.assertEqual(self.keys("a\\[b"), ["a[b"])
        self.assertEqual(self.keys("a?b"), ["a*b", "a?b", "a[b"])

    def test_no_match(self):
        self.assertEqual(self.r.call("KEYS", "zzz*"), [])

    def test_exact_name(self):
        self.assertEqual(self.keys("abc"), ["abc"])

    def test_prefix(self):
        self.assertEqual(self.keys("a*"), ["a", "a*b", "a?b", "a[b", "ab",
                                           "abc"])

    def test_keys_arity(self):
        self.assertError(self.r.call("KEYS"), self.arity_error("keys"))


class ScanTest(h.KvTestCase):

    def scan_all(self, *options):
        cursor = b"0"
        seen = []
        rounds = 0
        while True:
            reply = self.r.call("SCAN", cursor, *options)
            self.assertIsInstance(reply, list)
            self.assertEqual(len(reply), 2)
            cursor, keys = reply
            self.assertIs(type(cursor), bytes)
            self.assertIsInstance(keys, list)
            seen += keys
            rounds += 1
            if cursor == b"0":
                return seen, rounds
            self.assertLess(rounds, 100000)

    def test_every_key_exactly_once(self):
        names = [b"key:%d" % i for i in range(1000)]
        args = []
        for n in names:
            args += [n, b"v"]
        self.r.call("MSET", *args)
        seen, rounds = self.scan_all("COUNT", "10")
        self.assertEqual(sorted(seen), sorted(names))
        self.assertGreater(rounds, 10)

    def test_default_count_iterates_everything(self):
        names = [b"k%d" % i for i in range(300)]
        for n in names:
            self.r.call("SET", n, "1")
        seen, _ = self.scan_all()
        self.assertEqual(sorted(seen), sorted(names))

    def test_empty_keyspace(self):
        self.assertEqual(self.r.call("SCAN", "0"), [b"0", []])

    def test_match(self):
        for i in range(100):
            self.r.call("SET", "user:%d" % i, "1")
            self.r.call("SET", "item:%d" % i, "1")
        seen, _ = self.scan_all("MATCH", "user:*", "COUNT", "7")
        self.assertEqual(sorted(seen),
                         sorted(b"user:%d" % i for i in range(100)))
        seen, _ = self.scan_all("MATCH", "item:1?")
        self.assertEqual(sorted(seen),
                         sorted(b"item:1%d" % i for i in range(10)))

    def test_type(self):
        for i in range(20):
            self.r.call("SET", "s%d" % i, "1")
            self.r.call("RPUSH", "l%d" % i, "1")
            self.r.call("HSET", "h%d" % i, "f", "v")
        seen, _ = self.scan_all("TYPE", "list", "COUNT", "5")
        self.assertEqual(sorted(seen), sorted(b"l%d" % i for i in range(20)))
        seen, _ = self.scan_all("TYPE", "hash", "MATCH", "h1*")
        self.assertEqual(sorted(seen), sorted([b"h1"] + [b"h1%d" % i for i
                                                         in range(10)]))
        # An unknown type matches nothing (no error in Redis 7.0).
        seen, _ = self.scan_all("TYPE", "nosuchtype")
        self.assertEqual(seen, [])

    def test_large_count_returns_everything_at_once(self):
        for i in range(50):
            self.r.call("SET", "k%d" % i, "1")
        cursor, keys = self.r.call("SCAN", "0", "COUNT", "1000")
        self.assertEqual(cursor, b"0")
        self.assertEqual(len(keys), 50)

    def test_only_the_selected_database(self):
        self.r.call("SET", "zero", "0")
        self.r.call("SELECT", "3")
        self.r.call("SET", "three", "3")
        self.assertEqual(self.scan_all()[0], [b"three"])
        self.assertEqual(self.r.call("KEYS", "*"), [b"three"])

    def test_errors(self):
        self.assertError(self.r.call("SCAN", "abc"), "ERR invalid cursor")
        self.assertError(self.r.call("SCAN", "0", "COUNT", "0"),
                         "ERR syntax error")
        self.assertError(self.r.call("SCAN", "0", "COUNT", "x"),
                         "ERR value is not an integer or out of range")
        self.assertError(self.r.call("SCAN", "0", "FOO"), "ERR syntax error")
        self.assertError(self.r.call("SCAN", "0", "MATCH"),
                         "ERR syntax error")
        self.assertError(self.r.call("SCAN"), self.arity_error("scan"))


class RandomKeyTest(h.KvTestCase):

    def test_empty(self):
        self.assertIsNone(self.r.call("RANDOMKEY"))

    def test_returns_existing_keys(self):
        self.r.call("MSET", "a", "1", "b", "2", "c", "3")
        seen = set()
        for _ in range(100):
            k = self.r.call("RANDOMKEY")
            self.assertIs(type(k), bytes)
            seen.add(k)
        self.assertTrue(seen <= {b"a", b"b", b"c"}, seen)
        self.assertGreater(len(seen), 1)

    def test_single_key(self):
        self.r.call("SET", "only", "1")
        self.assertBulk(self.r.call("RANDOMKEY"), "only")


class CopyMoveTest(h.KvTestCase):

    def test_copy_string(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("COPY", "a", "b"), 1)
        self.assertBulk(self.r.call("GET", "b"), "1")
        # The copy is independent of the original.
        self.r.call("APPEND", "b", "2")
        self.assertBulk(self.r.call("GET", "a"), "1")

    def test_copy_missing_source(self):
        self.assertInt(self.r.call("COPY", "missing", "b"), 0)
        self.assertInt(self.r.call("EXISTS", "b"), 0)

    def test_copy_existing_destination_needs_replace(self):
        self.r.call("MSET", "a", "1", "b", "2")
        self.assertInt(self.r.call("COPY", "a", "b"), 0)
        self.assertBulk(self.r.call("GET", "b"), "2")
        self.assertInt(self.r.call("COPY", "a", "b", "REPLACE"), 1)
        self.assertBulk(self.r.call("GET", "b"), "1")

    def test_copy_to_other_db(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("COPY", "a", "a", "DB", "1"), 1)
        self.assertInt(self.r.call("COPY", "a", "a", "DB", "1"), 0)
        self.assertOk(self.r.call("SELECT", "1"))
        self.assertBulk(self.r.call("GET", "a"), "1")

    def test_copy_keeps_ttl(self):
        self.r.call("SET", "a", "1", "EX", "100")
        self.r.call("COPY", "a", "b")
        ttl = self.r.call("TTL", "b")
        self.assertTrue(95 <= ttl <= 100, ttl)

    def test_copy_list_is_deep(self):
        self.r.call("RPUSH", "l", "1", "2")
        self.assertInt(self.r.call("COPY", "l", "m"), 1)
        self.r.call("RPUSH", "m", "3")
        self.assertEqual(self.r.call("LRANGE", "l", "0", "-1"), [b"1", b"2"])
        self.assertEqual(self.r.call("LRANGE", "m", "0", "-1"),
                         [b"1", b"2", b"3"])

    def test_copy_errors(self):
        self.r.call("SET", "a", "1")
        self.assertError(self.r.call("COPY", "a", "a"),
                         "ERR source and destination objects are the same")
        self.assertError(self.r.call("COPY", "a", "b", "DB", "16"),
                         "ERR DB index is out of range")
        self.assertError(self.r.call("COPY", "a", "b", "DB", "x"),
                         "ERR value is not an integer or out of range")
        self.assertError(self.r.call("COPY", "a", "b", "FOO"),
                         "ERR syntax error")
        self.assertError(self.r.call("COPY", "a"), self.arity_error("copy"))

    def test_move(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("MOVE", "a", "1"), 1)
        self.assertInt(self.r.call("EXISTS", "a"), 0)
        self.r.call("SELECT", "1")
        self.assertBulk(self.r.call("GET", "a"), "1")

    def test_move_fails_when_target_has_key(self):
        self.r.call("SET", "a", "0")
        self.r.call("SELECT", "1")
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("MOVE", "a", "0"), 0)
        self.assertBulk(self.r.call("GET", "a"), "1")
        self.r.call("SELECT", "0")
        self.assertBulk(self.r.call("GET", "a"), "0")

    def test_move_missing(self):
        self.assertInt(self.r.call("MOVE", "missing", "1"), 0)

    def test_move_keeps_ttl(self):
        self.r.call("SET", "a", "1", "EX", "100")
        self.r.call("MOVE", "a", "2")
        self.r.call("SELECT", "2")
        ttl = self.r.call("TTL", "a")
        self.assertTrue(95 <= ttl <= 100, ttl)

    def test_move_errors(self):
        self.r.call("SET", "a", "1")
        self.assertError(self.r.call("MOVE", "a", "0"),
                         "ERR source and destination objects are the same")
        self.assertError(self.r.call("MOVE", "a", "16"),
                         "ERR DB index is out of range")
        self.assertError(self.r.call("MOVE", "a", "-1"),
                         "ERR DB index is out of range")
        self.assertError(self.r.call("MOVE", "a", "x"),
                         "ERR value is not an integer or out of range")
        self.assertError(self.r.call("MOVE", "a"), self.arity_error("move"))


class ExpireTest(h.KvTestCase):

    def test_ttl_of_missing_and_persistent_keys(self):
        self.assertInt(self.r.call("TTL", "missing"), -2)
        self.assertInt(self.r.call("PTTL", "missing"), -2)
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("TTL", "a"), -1)
        self.assertInt(self.r.call("PTTL", "a"), -1)

    def test_expire_sets_ttl(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("EXPIRE", "a", "100"), 1)
        ttl = self.r.call("TTL", "a")
        self.assertTrue(99 <= ttl <= 100, ttl)
        pttl = self.r.call("PTTL", "a")
        self.assertTrue(98000 < pttl <= 100000, pttl)

    def test_pexpire(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("PEXPIRE", "a", "100000"), 1)
        pttl = self.r.call("PTTL", "a")
        self.assertTrue(98000 < pttl <= 100000, pttl)

    def test_ttl_rounds_to_nearest_second(self):
        self.r.call("SET", "a", "1")
        self.r.call("PEXPIRE", "a", "1700")
        self.assertInt(self.r.call("TTL", "a"), 2)
        self.r.call("PEXPIRE", "a", "1300")
        self.assertInt(self.r.call("TTL", "a"), 1)

    def test_expire_missing_key(self):
        self.assertInt(self.r.call("EXPIRE", "missing", "100"), 0)
        self.assertInt(self.r.call("PEXPIRE", "missing", "100"), 0)
        self.assertInt(self.r.call("EXPIREAT", "missing", "100"), 0)
        self.assertInt(self.r.call("PEXPIREAT", "missing", "100"), 0)
        self.assertInt(self.r.call("EXISTS", "missing"), 0)

    def test_expireat_and_expiretime(self):
        self.r.call("SET", "a", "1")
        at = int(time.time()) + 1000
        self.assertInt(self.r.call("EXPIREAT", "a", str(at)), 1)
        self.assertInt(self.r.call("EXPIRETIME", "a"), at)
        self.assertInt(self.r.call("PEXPIRETIME", "a"), at * 1000)
        ttl = self.r.call("TTL", "a")
        self.assertTrue(995 <= ttl <= 1000, ttl)

    def test_pexpireat_and_pexpiretime(self):
        self.r.call("SET", "a", "1")
        base = (int(time.time()) + 1000) * 1000
        self.assertInt(self.r.call("PEXPIREAT", "a", str(base + 123)), 1)
        self.assertInt(self.r.call("PEXPIRETIME", "a"), base + 123)
        # EXPIRETIME rounds to the nearest second, half up.
        self.assertInt(self.r.call("EXPIRETIME", "a"), base // 1000)
        self.r.call("PEXPIREAT", "a", str(base + 500))
        self.assertInt(self.r.call("EXPIRETIME", "a"), base // 1000 + 1)
        self.r.call("PEXPIREAT", "a", str(base + 499))
        self.assertInt(self.r.call("EXPIRETIME", "a"), base // 1000)

    def test_expiretime_missing_and_persistent(self):
        self.assertInt(self.r.call("EXPIRETIME", "missing"), -2)
        self.assertInt(self.r.call("PEXPIRETIME", "missing"), -2)
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("EXPIRETIME", "a"), -1)
        self.assertInt(self.r.call("PEXPIRETIME", "a"), -1)

    def test_persist(self):
        self.r.call("SET", "a", "1", "EX", "100")
        self.assertInt(self.r.call("PERSIST", "a"), 1)
        self.assertInt(self.r.call("TTL", "a"), -1)
        self.assertInt(self.r.call("PERSIST", "a"), 0)
        self.assertInt(self.r.call("PERSIST", "missing"), 0)

    def test_negative_expire_deletes(self):
        for cmd in ("EXPIRE", "PEXPIRE"):
            self.r.call("SET", "a", "1")
            self.assertInt(self.r.call(cmd, "a", "-1"), 1)
            self.assertInt(self.r.call("EXISTS", "a"), 0)

    def test_zero_expire_deletes(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("EXPIRE", "a", "0"), 1)
        self.assertInt(self.r.call("EXISTS", "a"), 0)

    def test_past_expireat_deletes(self):
        for cmd, at in (("EXPIREAT", "1"), ("PEXPIREAT", "1"),
                        ("EXPIREAT", str(int(time.time()) - 10))):
            self.r.call("SET", "a", "1")
            self.assertInt(self.r.call(cmd, "a", at), 1)
            self.assertIsNone(self.r.call("GET", "a"))
            self.assertInt(self.r.call("DBSIZE"), 0)

    def test_lazy_expiry_on_access(self):
        self.r.call("SET", "a", "1")
        self.r.call("PEXPIRE", "a", "50")
        self.assertBulk(self.r.call("GET", "a"), "1")
        time.sleep(0.12)
        self.assertIsNone(self.r.call("GET", "a"))
        self.assertInt(self.r.call("EXISTS", "a"), 0)
        self.assertInt(self.r.call("TTL", "a"), -2)
        self.assertSimple(self.r.call("TYPE", "a"), "none")

    def test_expired_key_is_not_listed(self):
        self.r.call("SET", "a", "1", "PX", "30")
        self.r.call("SET", "b", "1")
        time.sleep(0.1)
        self.assertEqual(self.r.call("KEYS", "*"), [b"b"])
        self.assertEqual(self.r.call("SCAN", "0", "COUNT", "100"),
                         [b"0", [b"b"]])

    def test_active_expiry(self):
        for i in range(50):
            self.r.call("SET", "k%d" % i, "v", "PX", "100")
        self.r.call("SET", "kept", "v")
        self.assertInt(self.r.call("DBSIZE"), 51)
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            if self.r.call("DBSIZE") == 1:
                break
            time.sleep(0.05)
        # Only DBSIZE ran, which never touches a key: the server removed
        # them on its own.
        self.assertInt(self.r.call("DBSIZE"), 1)

    def test_set_clears_ttl(self):
        self.r.call("SET", "a", "1", "EX", "100")
        self.r.call("SET", "a", "2")
        self.assertInt(self.r.call("TTL", "a"), -1)

    def test_commands_that_keep_ttl(self):
        self.r.call("SET", "a", "1", "EX", "100")
        self.r.call("INCR", "a")
        self.r.call("APPEND", "a", "0")
        self.r.call("SETRANGE", "a", "0", "3")
        self.assertGreater(self.r.call("TTL", "a"), 0)
        self.assertBulk(self.r.call("GET", "a"), "30")

    def test_getset_clears_ttl(self):
        self.r.call("SET", "a", "1", "EX", "100")
        self.r.call("GETSET", "a", "2")
        self.assertInt(self.r.call("TTL", "a"), -1)

    def test_expire_replaces_ttl(self):
        self.r.call("SET", "a", "1", "EX", "100")
        self.r.call("EXPIRE", "a", "1000")
        self.assertGreater(self.r.call("TTL", "a"), 900)

    def test_expire_on_any_type(self):
        self.r.call("RPUSH", "l", "x")
        self.assertInt(self.r.call("PEXPIRE", "l", "30"), 1)
        time.sleep(0.1)
        self.assertInt(self.r.call("LLEN", "l"), 0)
        self.assertInt(self.r.call("EXISTS", "l"), 0)

    def test_nx(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("EXPIRE", "a", "100", "NX"), 1)
        self.assertInt(self.r.call("EXPIRE", "a", "200", "NX"), 0)
        self.assertLessEqual(self.r.call("TTL", "a"), 100)

    def test_xx(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("EXPIRE", "a", "100", "XX"), 0)
        self.assertInt(self.r.call("TTL", "a"), -1)
        self.r.call("EXPIRE", "a", "100")
        self.assertInt(self.r.call("EXPIRE", "a", "200", "XX"), 1)
        self.assertGreater(self.r.call("TTL", "a"), 100)

    def test_gt(self):
        self.r.call("SET", "a", "1")
        # No TTL counts as an infinite one: nothing is greater.
        self.assertInt(self.r.call("EXPIRE", "a", "100", "GT"), 0)
        self.assertInt(self.r.call("TTL", "a"), -1)
        self.r.call("EXPIRE", "a", "100")
        self.assertInt(self.r.call("EXPIRE", "a", "50", "GT"), 0)
        self.assertInt(self.r.call("EXPIRE", "a", "200", "GT"), 1)
        self.assertGreater(self.r.call("TTL", "a"), 100)

    def test_lt(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("EXPIRE", "a", "100", "LT"), 1)
        self.assertInt(self.r.call("EXPIRE", "a", "200", "LT"), 0)
        self.assertInt(self.r.call("EXPIRE", "a", "50", "LT"), 1)
        self.assertLessEqual(self.r.call("TTL", "a"), 50)

    def test_xx_with_gt(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("EXPIRE", "a", "100", "XX", "GT"), 0)
        self.r.call("EXPIRE", "a", "100")
        self.assertInt(self.r.call("EXPIRE", "a", "200", "XX", "GT"), 1)

    def test_options_on_other_forms(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("PEXPIRE", "a", "100000", "NX"), 1)
        at = int(time.time()) + 1000
        self.assertInt(self.r.call("EXPIREAT", "a", str(at), "GT"), 1)
        self.assertInt(self.r.call("PEXPIREAT", "a", str(at * 1000 - 5000),
                                   "GT"), 0)
        self.assertInt(self.r.call("PEXPIREAT", "a", str(at * 1000 - 5000),
                                   "LT"), 1)

    def test_incompatible_options(self):
        self.r.call("SET", "a", "1")
        nx_xx = ("ERR NX and XX, GT or LT options at the same time are not "
                 "compatible")
        self.assertError(self.r.call("EXPIRE", "a", "10", "NX", "XX"), nx_xx)
        self.assertError(self.r.call("EXPIRE", "a", "10", "NX", "GT"), nx_xx)
        self.assertError(self.r.call("PEXPIRE", "a", "10", "LT", "NX"), nx_xx)
        self.assertError(self.r.call("EXPIRE", "a", "10", "GT", "LT"),
                         "ERR GT and LT options at the same time are not "
                         "compatible")
        self.assertError(self.r.call("EXPIRE", "a", "10", "FOO"),
                         "ERR Unsupported option FOO")
        self.assertInt(self.r.call("TTL", "a"), -1)

    def test_options_are_case_insensitive(self):
        self.r.call("SET", "a", "1")
        self.assertInt(self.r.call("EXPIRE", "a", "100", "nx"), 1)

    def test_invalid_values(self):
        self.r.call("SET", "a", "1")
        not_int = "ERR value is not an integer or out of range"
        for cmd in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"):
            self.assertError(self.r.call(cmd, "a", "x"), not_int)
            self.assertError(self.r.call(cmd, "a", "1.5"), not_int)
            self.assertError(self.r.call(cmd, "a", ""), not_int)

    def test_overflowing_expire(self):
        self.r.call("SET", "a", "1")
        big = "9223372036854775807"
        for cmd in ("expire", "pexpire", "expireat"):
            self.assertError(self.r.call(cmd, "a", big),
                             "ERR invalid expire time in '%s' command" % cmd)
        self.assertError(self.r.call("EXPIRE", "a", "9223372036854775"),
                         "ERR invalid expire time in 'expire' command")
        self.assertInt(self.r.call("TTL", "a"), -1)

    def test_arity(self):
        for cmd in ("expire", "pexpire", "expireat", "pexpireat"):
            self.assertError(self.r.call(cmd, "a"), self.arity_error(cmd))
        for cmd in ("ttl", "pttl", "expiretime", "pexpiretime", "persist"):
            self.assertError(self.r.call(cmd), self.arity_error(cmd))
            self.assertError(self.r.call(cmd, "a", "b"),
                             self.arity_error(cmd))

    def test_expired_key_can_be_set_again(self):
        self.r.call("SET", "a", "1", "PX", "20")
        time.sleep(0.08)
        self.assertInt(self.r.call("SETNX", "a", "2"), 1)
        self.assertBulk(self.r.call("GET", "a"), "2")
        self.assertInt(self.r.call("TTL", "a"), -1)

    def test_expiry_is_per_database(self):
        self.r.call("SET", "a", "0")
        self.r.call("SELECT", "1")
        self.r.call("SET", "a", "1", "PX", "30")
        time.sleep(0.1)
        self.assertIsNone(self.r.call("GET", "a"))
        self.r.call("SELECT", "0")
        self.assertBulk(self.r.call("GET", "a"), "0")


if __name__ == "__main__":
    h.main()
