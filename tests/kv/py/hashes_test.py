# Copyright 2026 The Colony Authors.
"""Hash commands: HSET and friends, the counters, HRANDFIELD and HSCAN, with
Redis 7.0's replies (RESP2 and RESP3), error strings, keyspace
notifications and WATCH behaviour."""

import collections

import kv_harness as h

NOT_INT = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
HASH_NOT_INT = "ERR hash value is not an integer"
HASH_NOT_FLOAT = "ERR hash value is not a float"
OVERFLOW = "ERR increment or decrement would overflow"
NAN_OR_INF = "ERR increment would produce NaN or Infinity"
SYNTAX = "ERR syntax error"
OUT_OF_RANGE = "ERR value is out of range"
COUNT_RANGE = ("ERR value is out of range, value must between "
               "-9223372036854775807 and 9223372036854775807")


def pairs(flat):
    """A flat [field, value, ...] reply as a dict."""
    return dict(zip(flat[0::2], flat[1::2]))


class HashTestCase(h.KvTestCase):

    def fill(self, key, mapping):
        args = []
        for k, v in mapping.items():
            args += [k, v]
        self.assertInt(self.r.call("HSET", key, *args), len(mapping))


class HSetHGetTest(HashTestCase):

    def test_hset_counts_new_fields_only(self):
        self.assertInt(self.r.call("HSET", "h", "a", "1", "b", "2"), 2)
        self.assertInt(self.r.call("HSET", "h", "a", "10", "c", "3"), 1)
        self.assertInt(self.r.call("HSET", "h", "a", "11"), 0)
        self.assertBulk(self.r.call("HGET", "h", "a"), "11")
        self.assertBulk(self.r.call("HGET", "h", "c"), "3")
        self.assertSimple(self.r.call("TYPE", "h"), "hash")

    def test_hset_same_field_twice_in_one_call(self):
        self.assertInt(self.r.call("HSET", "h", "a", "1", "a", "2"), 1)
        self.assertBulk(self.r.call("HGET", "h", "a"), "2")
        self.assertInt(self.r.call("HLEN", "h"), 1)

    def test_hset_arity(self):
        self.assertError(self.r.call("HSET", "h", "a"),
                         self.arity_error("hset"))
        self.assertError(self.r.call("HSET", "h"), self.arity_error("hset"))
        self.assertError(self.r.call("HSET", "h", "a", "1", "b"),
                         self.arity_error("hset"))
        self.assertInt(self.r.call("EXISTS", "h"), 0)

    def test_hmset(self):
        self.assertOk(self.r.call("HMSET", "h", "a", "1", "b", "2"))
        self.assertOk(self.r.call("HMSET", "h", "a", "3"))
        self.assertEqual(self.r.call("HMGET", "h", "a", "b"), [b"3", b"2"])
        self.assertError(self.r.call("HMSET", "h", "a", "1", "b"),
                         self.arity_error("hmset"))
        self.assertError(self.r.call("HMSET", "h", "a"),
                         self.arity_error("hmset"))

    def test_hsetnx(self):
        self.assertInt(self.r.call("HSETNX", "h", "a", "1"), 1)
        self.assertInt(self.r.call("HSETNX", "h", "a", "2"), 0)
        self.assertBulk(self.r.call("HGET", "h", "a"), "1")
        self.assertInt(self.r.call("HSETNX", "h", "b", "2"), 1)
        self.assertInt(self.r.call("HLEN", "h"), 2)
        self.assertError(self.r.call("HSETNX", "h", "a"),
                         self.arity_error("hsetnx"))

    def test_hget_missing(self):
        self.assertIsNone(self.r.call("HGET", "nokey", "f"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")
        self.r.call("HSET", "h", "a", "1")
        self.assertIsNone(self.r.call("HGET", "h", "nofield"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")
        c = self.client(protocol=3)
        self.assertIsNone(c.call("HGET", "h", "nofield"))
        self.assertEqual(c.last_raw, b"_\r\n")
        self.assertIsNone(c.call("HGET", "nokey", "f"))
        self.assertEqual(c.last_raw, b"_\r\n")

    def test_binary_and_empty_fields_and_values(self):
        blob = bytes(range(256))
        self.assertInt(self.r.call("HSET", "h", blob, blob[::-1], "", ""), 2)
        self.assertBulk(self.r.call("HGET", "h", blob), blob[::-1])
        self.assertBulk(self.r.call("HGET", "h", ""), b"")
        self.assertEqual(self.r.last_raw, b"$0\r\n\r\n")
        self.assertInt(self.r.call("HEXISTS", "h", ""), 1)
        self.assertInt(self.r.call("HSTRLEN", "h", blob), 256)

    def test_hmget(self):
        self.r.call("HSET", "h", "a", "1", "b", "2")
        self.assertEqual(self.r.call("HMGET", "h", "a", "x", "b", "a"),
                         [b"1", None, b"2", b"1"])
        self.assertEqual(self.r.last_raw,
                         b"*4\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n$1\r\n1\r\n")
        self.assertEqual(self.r.call("HMGET", "nokey", "a", "b"),
                         [None, None])
        self.assertEqual(self.r.last_raw, b"*2\r\n$-1\r\n$-1\r\n")
        c = self.client(protocol=3)
        c.call("HMGET", "h", "a", "x")
        self.assertEqual(c.last_raw, b"*2\r\n$1\r\n1\r\n_\r\n")
        self.assertError(self.r.call("HMGET", "h"), self.arity_error("hmget"))

    def test_hsetting_keeps_the_ttl(self):
        self.r.call("HSET", "h", "a", "1")
        self.r.call("EXPIRE", "h", "100")
        self.r.call("HSET", "h", "b", "2")
        self.r.call("HINCRBY", "h", "c", "1")
        self.r.call("HDEL", "h", "a")
        self.assertGreater(self.r.call("TTL", "h"), 90)

    def test_expired_hash_is_replaced(self):
        self.r.call("HSET", "h", "old", "1")
        self.r.call("PEXPIRE", "h", "1")
        h.wait_for(lambda: self.r.call("EXISTS", "h") == 0,
                   what="the hash to expire")
        self.assertInt(self.r.call("HSET", "h", "new", "2"), 1)
        self.assertEqual(self.r.call("HGETALL", "h"), [b"new", b"2"])
        self.assertInt(self.r.call("TTL", "h"), -1)


class WrongTypeTest(HashTestCase):

    def test_every_command_rejects_other_types(self):
        self.r.call("SET", "s", "x")
        self.r.call("SADD", "set", "x")
        self.r.call("RPUSH", "l", "x")
        for key in ("s", "set", "l"):
            for cmd in (("HSET", key, "a", "1"), ("HMSET", key, "a", "1"),
                        ("HSETNX", key, "a", "1"), ("HGET", key, "a"),
                        ("HMGET", key, "a"), ("HDEL", key, "a"),
                        ("HLEN", key), ("HSTRLEN", key, "a"),
                        ("HEXISTS", key, "a"), ("HKEYS", key), ("HVALS", key),
                        ("HGETALL", key), ("HINCRBY", key, "a", "1"),
                        ("HINCRBYFLOAT", key, "a", "1"), ("HRANDFIELD", key),
                        ("HRANDFIELD", key, "0"),
                        ("HRANDFIELD", key, "3", "WITHVALUES"),
                        ("HSCAN", key, "0")):
                self.assertError(self.r.call(*cmd), self.wrongtype)
        self.assertBulk(self.r.call("GET", "s"), "x")
        self.assertEqual(self.r.call("SMEMBERS", "set"), [b"x"])
        self.assertEqual(self.r.call("LRANGE", "l", "0", "-1"), [b"x"])

    def test_hash_rejected_by_string_commands(self):
        self.r.call("HSET", "h", "a", "1")
        self.assertError(self.r.call("GET", "h"), self.wrongtype)
        self.assertError(self.r.call("SADD", "h", "a"), self.wrongtype)


class HDelTest(HashTestCase):

    def test_hdel_counts_removed_fields(self):
        self.fill("h", {"a": "1", "b": "2", "c": "3"})
        self.assertInt(self.r.call("HDEL", "h", "a", "x", "a"), 1)
        self.assertInt(self.r.call("HLEN", "h"), 2)
        self.assertInt(self.r.call("HEXISTS", "h", "a"), 0)

    def test_hdel_of_last_field_deletes_the_key(self):
        self.fill("h", {"a": "1", "b": "2"})
        self.assertInt(self.r.call("HDEL", "h", "a", "b", "c"), 2)
        self.assertInt(self.r.call("EXISTS", "h"), 0)
        self.assertSimple(self.r.call("TYPE", "h"), "none")

    def test_hdel_missing_key(self):
        self.assertInt(self.r.call("HDEL", "nokey", "a"), 0)
        self.assertError(self.r.call("HDEL", "h"), self.arity_error("hdel"))


class ReadTest(HashTestCase):

    def test_hlen_hstrlen_hexists(self):
        self.fill("h", {"a": "hello", "b": "", "n": "12345"})
        self.assertInt(self.r.call("HLEN", "h"), 3)
        self.assertInt(self.r.call("HLEN", "nokey"), 0)
        self.assertInt(self.r.call("HSTRLEN", "h", "a"), 5)
        self.assertInt(self.r.call("HSTRLEN", "h", "b"), 0)
        self.assertInt(self.r.call("HSTRLEN", "h", "n"), 5)
        self.assertInt(self.r.call("HSTRLEN", "h", "x"), 0)
        self.assertInt(self.r.call("HSTRLEN", "nokey", "x"), 0)
        self.assertInt(self.r.call("HEXISTS", "h", "a"), 1)
        self.assertInt(self.r.call("HEXISTS", "h", "x"), 0)
        self.assertInt(self.r.call("HEXISTS", "nokey", "a"), 0)

    def test_hkeys_hvals_hgetall_agree(self):
        data = {("f%d" % i).encode(): ("v%d" % (i * 7)).encode()
                for i in range(50)}
        self.fill("h", data)
        keys = self.r.call("HKEYS", "h")
        vals = self.r.call("HVALS", "h")
        flat = self.r.call("HGETALL", "h")
        self.assertEqual(sorted(keys), sorted(data))
        self.assertEqual(sorted(vals), sorted(data.values()))
        self.assertEqual(len(flat), 100)
        self.assertEqual(pairs(flat), data)
        # HKEYS and HVALS walk the hash in the same order.
        self.assertEqual(dict(zip(keys, vals)), data)

    def test_hgetall_resp3_is_a_map(self):
        self.fill("h", {"a": "1", "b": "2"})
        c = self.client(protocol=3)
        m = c.call("HGETALL", "h")
        self.assertIsInstance(m, h.Map)
        self.assertEqual(m, {b"a": b"1", b"b": b"2"})
        self.assertTrue(c.last_raw.startswith(b"%2\r\n"))
        keys = c.call("HKEYS", "h")
        self.assertTrue(c.last_raw.startswith(b"*2\r\n"))
        self.assertEqual(sorted(keys), [b"a", b"b"])
        c.call("HVALS", "h")
        self.assertTrue(c.last_raw.startswith(b"*2\r\n"))

    def test_empty_forms(self):
        self.assertEqual(self.r.call("HGETALL", "nokey"), [])
        self.assertEqual(self.r.last_raw, b"*0\r\n")
        self.assertEqual(self.r.call("HKEYS", "nokey"), [])
        self.assertEqual(self.r.call("HVALS", "nokey"), [])
        c = self.client(protocol=3)
        self.assertEqual(c.call("HGETALL", "nokey"), {})
        self.assertEqual(c.last_raw, b"%0\r\n")
        c.call("HKEYS", "nokey")
        self.assertEqual(c.last_raw, b"*0\r\n")
        c.call("HVALS", "nokey")
        self.assertEqual(c.last_raw, b"*0\r\n")

    def test_arity(self):
        for cmd, args in (("hlen", ()), ("hlen", ("h", "x")),
                          ("hstrlen", ("h",)), ("hexists", ("h",)),
                          ("hkeys", ()), ("hvals", ("h", "x")),
                          ("hgetall", ()), ("hget", ("h",)),
                          ("hget", ("h", "a", "b"))):
            self.assertError(self.r.call(cmd.upper(), *args),
                             self.arity_error(cmd))


class HIncrByTest(HashTestCase):

    def test_creates_and_increments(self):
        self.assertInt(self.r.call("HINCRBY", "h", "n", "5"), 5)
        self.assertInt(self.r.call("HINCRBY", "h", "n", "-7"), -2)
        self.assertInt(self.r.call("HINCRBY", "h", "n", "0"), -2)
        self.assertBulk(self.r.call("HGET", "h", "n"), "-2")
        self.assertInt(self.r.call("HINCRBY", "h", "m", "1"), 1)

    def test_limits(self):
        self.r.call("HSET", "h", "max", "9223372036854775806",
                    "min", "-9223372036854775807")
        self.assertInt(self.r.call("HINCRBY", "h", "max", "1"),
                       9223372036854775807)
        self.assertError(self.r.call("HINCRBY", "h", "max", "1"), OVERFLOW)
        self.assertInt(self.r.call("HINCRBY", "h", "min", "-1"),
                       -9223372036854775808)
        self.assertError(self.r.call("HINCRBY", "h", "min", "-1"), OVERFLOW)
        self.assertBulk(self.r.call("HGET", "h", "min"),
                        "-9223372036854775808")

    def test_bad_increment(self):
        self.r.call("HSET", "h", "n", "1")
        for bad in ("x", "1.5", "", " 1", "+1", "01", "-0",
                    "9223372036854775808"):
            self.assertError(self.r.call("HINCRBY", "h", "n", bad), NOT_INT)
        # The increment is checked before the key's type.
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("HINCRBY", "s", "n", "x"), NOT_INT)
        self.assertBulk(self.r.call("HGET", "h", "n"), "1")

    def test_value_not_an_integer(self):
        self.fill("h", {"a": "abc", "b": "1.5", "c": " 1", "d": "+5",
                        "e": "007", "f": "-0", "g": "",
                        "i": "99999999999999999999"})
        for field in "abcdefgi":
            self.assertError(self.r.call("HINCRBY", "h", field, "1"),
                             HASH_NOT_INT)
        self.assertBulk(self.r.call("HGET", "h", "a"), "abc")

    def test_arity(self):
        self.assertError(self.r.call("HINCRBY", "h", "n"),
                         self.arity_error("hincrby"))


class HIncrByFloatTest(HashTestCase):

    def check(self, field, incr, expected):
        self.assertBulk(self.r.call("HINCRBYFLOAT", "h", field, incr),
                        expected)
        self.assertBulk(self.r.call("HGET", "h", field), expected)

    def test_formatting(self):
        self.check("a", "10.5", "10.5")
        self.check("a", "0.1", "10.6")
        self.check("a", "-10.6", "0")
        self.check("b", "3.0", "3")
        self.check("c", "1.0e1", "10")
        self.check("d", "5.0e3", "5000")
        self.check("e", "1e-5", "0.00001")
        self.check("f", "1e20", "100000000000000000000")
        self.check("g", ".5", "0.5")
        self.check("g", "1.", "1.5")
        self.check("i", "-2.25", "-2.25")

    def test_long_double_precision(self):
        self.r.call("HSET", "h", "x", "1.5e3")
        self.check("x", "0.1", "1500.09999999999999998")
        self.r.call("HSET", "h", "big", "17179869184")
        self.check("big", "1.5", "17179869185.5")

    def test_integer_values_and_hex(self):
        self.r.call("HSET", "h", "n", "10", "z", "007")
        self.check("n", "0x10", "26")
        self.check("z", "1", "8")

    def test_errors(self):
        self.r.call("HSET", "h", "n", "1", "s", "abc", "sp", " 1",
                    "inf", "inf")
        for bad in ("x", "nan", "1e5000", "", " 1", "1 "):
            self.assertError(self.r.call("HINCRBYFLOAT", "h", "n", bad),
                             NOT_FLOAT)
        for bad in ("inf", "-inf", "+inf"):
            self.assertError(self.r.call("HINCRBYFLOAT", "h", "n", bad),
                             "ERR value is NaN or Infinity")
        self.assertError(self.r.call("HINCRBYFLOAT", "h", "s", "1"),
                         HASH_NOT_FLOAT)
        self.assertError(self.r.call("HINCRBYFLOAT", "h", "sp", "1"),
                         HASH_NOT_FLOAT)
        self.assertError(self.r.call("HINCRBYFLOAT", "h", "inf", "1"),
                         NAN_OR_INF)
        self.assertBulk(self.r.call("HGET", "h", "n"), "1")
        self.r.call("SET", "str", "x")
        self.assertError(self.r.call("HINCRBYFLOAT", "str", "n", "x"),
                         NOT_FLOAT)
        self.assertError(self.r.call("HINCRBYFLOAT", "str", "n", "1"),
                         self.wrongtype)
        self.assertError(self.r.call("HINCRBYFLOAT", "h", "n"),
                         self.arity_error("hincrbyfloat"))

    def test_result_feeds_hincrby_only_when_integral(self):
        self.r.call("HINCRBYFLOAT", "h", "n", "2.5")
        self.assertError(self.r.call("HINCRBY", "h", "n", "1"), HASH_NOT_INT)
        self.r.call("HINCRBYFLOAT", "h", "n", "0.5")
        self.assertInt(self.r.call("HINCRBY", "h", "n", "1"), 4)


class HRandFieldTest(HashTestCase):

    FIELDS = {b"a": b"1", b"b": b"2", b"c": b"3", b"d": b"4", b"e": b"5"}

    def setUp(self):
        super().setUp()
        self.fill("h", self.FIELDS)

    def test_single(self):
        seen = set()
        for _ in range(200):
            f = self.r.call("HRANDFIELD", "h")
            self.assertIn(f, self.FIELDS)
            seen.add(f)
        # Every field comes up (missing one has odds of about 1e-19).
        self.assertEqual(seen, set(self.FIELDS))

    def test_missing_key(self):
        self.assertIsNone(self.r.call("HRANDFIELD", "nokey"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")
        for args in (("3",), ("-3",), ("0",), ("3", "WITHVALUES")):
            self.assertEqual(self.r.call("HRANDFIELD", "nokey", *args), [])
            self.assertEqual(self.r.last_raw, b"*0\r\n")
        c = self.client(protocol=3)
        self.assertIsNone(c.call("HRANDFIELD", "nokey"))
        self.assertEqual(c.last_raw, b"_\r\n")
        c.call("HRANDFIELD", "nokey", "2")
        self.assertEqual(c.last_raw, b"*0\r\n")

    def test_zero_count(self):
        self.assertEqual(self.r.call("HRANDFIELD", "h", "0"), [])
        self.assertEqual(self.r.last_raw, b"*0\r\n")
        self.assertEqual(self.r.call("HRANDFIELD", "h", "0", "WITHVALUES"),
                         [])

    def test_positive_count_distinct(self):
        for count in range(1, 5):
            got = self.r.call("HRANDFIELD", "h", str(count))
            self.assertEqual(len(got), count)
            self.assertEqual(len(set(got)), count)
            self.assertTrue(set(got) <= set(self.FIELDS))

    def test_positive_count_covers_all_fields(self):
        seen = collections.Counter()
        for _ in range(100):
            seen.update(self.r.call("HRANDFIELD", "h", "2"))
        self.assertEqual(set(seen), set(self.FIELDS))

    def test_picks_are_uniform(self):
        # 600 draws over 5 fields: about 120 each (sd 10).
        for count, calls in (("1", 600), ("2", 300), ("4", 150),
                             ("-3", 200)):
            seen = collections.Counter()
            for _ in range(calls):
                seen.update(self.r.call("HRANDFIELD", "h", count))
            self.assertEqual(set(seen), set(self.FIELDS))
            for field, n in seen.items():
                self.assertTrue(70 < n < 170, (count, seen))

    def test_count_at_least_size_returns_everything(self):
        for count in ("5", "6", "1000", "9223372036854775807"):
            got = self.r.call("HRANDFIELD", "h", count)
            self.assertEqual(sorted(got), sorted(self.FIELDS))
        flat = self.r.call("HRANDFIELD", "h", "10", "WITHVALUES")
        self.assertEqual(len(flat), 10)
        self.assertEqual(pairs(flat), self.FIELDS)

    def test_negative_count_repeats(self):
        got = self.r.call("HRANDFIELD", "h", "-20")
        self.assertEqual(len(got), 20)
        self.assertTrue(set(got) <= set(self.FIELDS))
        self.assertLess(len(set(got)), 20)
        got = self.r.call("HRANDFIELD", "h", "-1")
        self.assertEqual(len(got), 1)
        seen = set()
        for _ in range(20):
            seen.update(self.r.call("HRANDFIELD", "h", "-10"))
        self.assertEqual(seen, set(self.FIELDS))

    def test_withvalues_resp2_is_flat(self):
        for count in ("3", "-8", "1", "-1"):
            flat = self.r.call("HRANDFIELD", "h", count, "withvalues")
            self.assertEqual(len(flat), 2 * abs(int(count)))
            for f, v in zip(flat[0::2], flat[1::2]):
                self.assertEqual(self.FIELDS[f], v)

    def test_withvalues_resp3_nests_pairs(self):
        c = self.client(protocol=3)
        for count in ("3", "-8", "9"):
            got = c.call("HRANDFIELD", "h", count, "WITHVALUES")
            self.assertEqual(len(got), min(abs(int(count)), 5)
                             if int(count) > 0 else 8)
            self.assertTrue(c.last_raw.startswith(b"*%d\r\n*2\r\n" %
                                                  len(got)))
            for pair in got:
                self.assertIsInstance(pair, list)
                self.assertEqual(self.FIELDS[pair[0]], pair[1])
        got = c.call("HRANDFIELD", "h", "2")
        self.assertTrue(c.last_raw.startswith(b"*2\r\n$1\r\n"))
        self.assertIsInstance(c.call("HRANDFIELD", "h"), bytes)

    def test_larger_hash(self):
        data = {("f%d" % i).encode(): ("%d" % i).encode() for i in range(300)}
        self.fill("big", data)
        for count in (1, 10, 99, 150, 299):
            got = self.r.call("HRANDFIELD", "big", str(count), "WITHVALUES")
            fields = got[0::2]
            self.assertEqual(len(set(fields)), count)
            for f, v in zip(fields, got[1::2]):
                self.assertEqual(data[f], v)
        got = self.r.call("HRANDFIELD", "big", "-1000")
        self.assertEqual(len(got), 1000)
        self.assertTrue(set(got) <= set(data))
        # 1000 draws from 300 fields cover most of them.
        self.assertGreater(len(set(got)), 250)

    def test_errors(self):
        self.assertError(self.r.call("HRANDFIELD", "h", "x"), NOT_INT)
        self.assertError(self.r.call("HRANDFIELD", "h", "-0"), NOT_INT)
        self.assertError(self.r.call("HRANDFIELD", "h", "1.5"), NOT_INT)
        self.assertError(self.r.call("HRANDFIELD", "h", "x", "WITHVALUES"),
                         NOT_INT)
        self.assertError(self.r.call("HRANDFIELD", "h", "1", "foo"), SYNTAX)
        # The count is read before the other arguments.
        self.assertError(self.r.call("HRANDFIELD", "h", "x", "foo"), NOT_INT)
        self.assertError(
            self.r.call("HRANDFIELD", "h", "-9223372036854775808", "foo"),
            COUNT_RANGE)
        self.assertError(
            self.r.call("HRANDFIELD", "h", "1", "WITHVALUES", "x"), SYNTAX)
        self.assertError(
            self.r.call("HRANDFIELD", "h", "-9223372036854775808"),
            COUNT_RANGE)
        self.assertError(
            self.r.call("HRANDFIELD", "h", "4611686018427387904",
                        "WITHVALUES"), OUT_OF_RANGE)
        self.assertError(
            self.r.call("HRANDFIELD", "h", "-4611686018427387904",
                        "WITHVALUES"), OUT_OF_RANGE)
        # The range of the count is checked before the key.
        self.assertError(
            self.r.call("HRANDFIELD", "nokey", "4611686018427387904",
                        "WITHVALUES"), OUT_OF_RANGE)
        self.assertError(
            self.r.call("HRANDFIELD", "h", "4611686018427387904", "foo"),
            SYNTAX)
        self.assertEqual(
            len(self.r.call("HRANDFIELD", "h", "4611686018427387903",
                            "WITHVALUES")), 10)
        self.assertError(self.r.call("HRANDFIELD"),
                         self.arity_error("hrandfield"))


class HScanTest(HashTestCase):

    def scan_all(self, key, *options):
        cursor, out = b"0", []
        for _ in range(10000):
            cursor, items = self.r.call("HSCAN", key, cursor, *options)
            out += items
            if cursor == b"0":
                return out
        self.fail("HSCAN did not finish")

    def test_small_hash_in_one_call(self):
        self.fill("h", {"a": "1", "b": "2", "c": "3"})
        cursor, items = self.r.call("HSCAN", "h", "0")
        self.assertEqual(cursor, b"0")
        self.assertEqual(pairs(items), {b"a": b"1", b"b": b"2", b"c": b"3"})
        self.assertEqual(len(items), 6)

    def test_missing_key(self):
        self.assertEqual(self.r.call("HSCAN", "nokey", "0"), [b"0", []])
        self.assertEqual(self.r.last_raw, b"*2\r\n$1\r\n0\r\n*0\r\n")
        # Options are not even looked at.
        self.assertEqual(self.r.call("HSCAN", "nokey", "0", "COUNT", "0"),
                         [b"0", []])

    def test_match(self):
        self.fill("h", {"apple": "1", "avocado": "2", "banana": "3"})
        cursor, items = self.r.call("HSCAN", "h", "0", "MATCH", "a*")
        self.assertEqual(cursor, b"0")
        self.assertEqual(pairs(items), {b"apple": b"1", b"avocado": b"2"})
        cursor, items = self.r.call("HSCAN", "h", "0", "match", "*an*",
                                    "count", "100")
        self.assertEqual(pairs(items), {b"banana": b"3"})
        # The pattern applies to fields, not values.
        self.assertEqual(self.r.call("HSCAN", "h", "0", "MATCH", "1"),
                         [b"0", []])

    def test_large_hash_is_complete(self):
        data = {("f%d" % i).encode(): ("%d" % i).encode()
                for i in range(1000)}
        self.fill("h", data)
        items = self.scan_all("h", "COUNT", "50")
        self.assertEqual(pairs(items), data)
        items = self.scan_all("h", "MATCH", "f1*")
        self.assertEqual(pairs(items),
                         {k: v for k, v in data.items()
                          if k.startswith(b"f1")})

    def test_fields_present_throughout_are_returned_despite_changes(self):
        # Redis' guarantee: a field in the hash for the whole scan is
        # returned at least once, whatever is added and removed meanwhile.
        stable = {("s%d" % i).encode(): b"1" for i in range(600)}
        changing = ["v%d" % i for i in range(600)]
        self.fill("h", stable)
        self.fill("h", {f: "2" for f in changing})
        added = len(changing)
        cursor, got = b"0", []
        for _ in range(10000):
            cursor, items = self.r.call("HSCAN", "h", cursor, "COUNT", "15")
            got += items
            if cursor == b"0":
                break
            # Remove three of the changing fields, add two new ones.
            self.r.call("HDEL", "h", *changing[:3])
            del changing[:3]
            new = ["v%d" % (added + i) for i in range(2)]
            added += 2
            self.r.call("HSET", "h", *[x for f in new for x in (f, "2")])
            changing += new
        self.assertEqual(cursor, b"0")
        returned = pairs(got)
        for f, v in stable.items():
            self.assertEqual(returned.get(f), v, f)

    def test_resp3_reply_is_arrays(self):
        self.fill("h", {"a": "1"})
        c = self.client(protocol=3)
        self.assertEqual(c.call("HSCAN", "h", "0"), [b"0", [b"a", b"1"]])
        self.assertEqual(c.last_raw,
                         b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n")

    def test_cursor_parsing(self):
        self.fill("h", {"a": "1"})
        for bad in ("x", " 0", "0 ", "-", "+", "0x10", "1.5", "1e3",
                    "18446744073709551616"):
            self.assertError(self.r.call("HSCAN", "h", bad),
                             "ERR invalid cursor")
        # Bad cursors are rejected before the key is looked at.
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("HSCAN", "s", "x"), "ERR invalid cursor")
        # Parsed as strtoul() does: an empty cursor is 0, a sign is taken.
        for ok in ("0", "", "00", "+5", "-1", "18446744073709551615"):
            cursor, _ = self.r.call("HSCAN", "h", ok)
            self.assertEqual(cursor, b"0")

    def test_option_errors(self):
        self.fill("h", {"a": "1"})
        for opts in (("COUNT", "0"), ("COUNT", "-1"), ("MATCH",),
                     ("COUNT",), ("NOVALUES",), ("FOO", "bar"),
                     ("TYPE", "hash")):
            self.assertError(self.r.call("HSCAN", "h", "0", *opts), SYNTAX)
        self.assertError(self.r.call("HSCAN", "h", "0", "COUNT", "x"),
                         NOT_INT)
        self.assertError(self.r.call("HSCAN", "h"), self.arity_error("hscan"))


class NotificationTest(HashTestCase):

    def listen(self):
        self.config_set("notify-keyspace-events", "KEA")
        s = self.client()
        s.call("PSUBSCRIBE", "__keyevent@0__:*")
        s.call("SUBSCRIBE", "sync")
        return s

    def events(self, s, *commands):
        """Runs the commands, returns the (event, key) notifications they
        caused, in order."""
        for c in commands:
            self.r.call(*c)
        self.r.call("PUBLISH", "sync", "marker")
        out = []
        while True:
            m = s.read_push(5.0)
            self.assertIsNotNone(m, "no marker")
            if m[0] == b"message":
                return out
            out.append((m[2].decode().split(":", 1)[1], m[3].decode()))

    def test_write_events(self):
        s = self.listen()
        self.assertEqual(self.events(s, ("HSET", "h", "a", "1")),
                         [("hset", "h")])
        # HSET notifies even when nothing changed; HSETNX only on a write.
        self.assertEqual(self.events(s, ("HSET", "h", "a", "1")),
                         [("hset", "h")])
        self.assertEqual(self.events(s, ("HSETNX", "h", "a", "2")), [])
        self.assertEqual(self.events(s, ("HSETNX", "h", "b", "2")),
                         [("hset", "h")])
        self.assertEqual(self.events(s, ("HMSET", "h", "c", "3")),
                         [("hset", "h")])
        self.assertEqual(self.events(s, ("HINCRBY", "h", "n", "1")),
                         [("hincrby", "h")])
        self.assertEqual(self.events(s, ("HINCRBYFLOAT", "h", "f", "1.5")),
                         [("hincrbyfloat", "h")])
        self.assertEqual(self.events(s, ("HINCRBYFLOAT", "h", "f", "x"),
                                     ("HINCRBY", "h", "a", "x"),
                                     ("HDEL", "h", "zz"),
                                     ("HDEL", "nokey", "zz")), [])
        self.assertEqual(self.events(s, ("HDEL", "h", "a", "b", "zz")),
                         [("hdel", "h")])
        self.assertEqual(self.events(s, ("HDEL", "h", "c", "n", "f")),
                         [("hdel", "h"), ("del", "h")])

    def test_reads_are_silent(self):
        self.r.call("HSET", "h", "a", "1")
        s = self.listen()
        self.assertEqual(self.events(
            s, ("HGET", "h", "a"), ("HMGET", "h", "a"), ("HGETALL", "h"),
            ("HKEYS", "h"), ("HVALS", "h"), ("HLEN", "h"),
            ("HSTRLEN", "h", "a"), ("HEXISTS", "h", "a"),
            ("HRANDFIELD", "h", "-3"), ("HSCAN", "h", "0")), [])


class WatchTest(HashTestCase):

    def exec_after(self, key, *command):
        """WATCHes key, runs command on another connection, then EXECs a
        transaction; returns EXEC's reply (None when it aborted)."""
        self.assertOk(self.r.call("WATCH", key))
        other = self.client()
        other.call(*command)
        self.r.call("MULTI")
        self.r.call("PING")
        return self.r.call("EXEC")

    def test_writes_abort(self):
        self.r.call("HSET", "h", "a", "1", "n", "1")
        for cmd in (("HSET", "h", "a", "1"), ("HSETNX", "h", "b", "1"),
                    ("HINCRBY", "h", "n", "1"),
                    ("HINCRBYFLOAT", "h", "n", "1"),
                    ("HDEL", "h", "b")):
            self.assertIsNone(self.exec_after("h", *cmd), cmd)

    def test_no_op_writes_do_not_abort(self):
        self.r.call("HSET", "h", "a", "1", "n", "x")
        for cmd in (("HSETNX", "h", "a", "2"), ("HDEL", "h", "zz"),
                    ("HINCRBY", "h", "n", "1"), ("HGET", "h", "a"),
                    ("HDEL", "nokey", "a")):
            self.assertEqual(self.exec_after("h", *cmd), ["PONG"], cmd)

    def test_hash_commands_in_a_transaction(self):
        self.r.call("MULTI")
        self.r.call("HSET", "h", "a", "1")
        self.r.call("HINCRBY", "h", "a", "2")
        self.r.call("HINCRBY", "h", "b", "x")
        self.r.call("HGETALL", "h")
        self.assertEqual(self.r.call("EXEC"),
                         [1, 3, h.Error(NOT_INT), [b"a", b"3"]])


if __name__ == "__main__":
    h.main()
