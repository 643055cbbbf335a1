# Copyright 2026 The Colony Authors.
"""Set commands: membership, random picks (SPOP, SRANDMEMBER), SMOVE, the
algebra (SINTER SUNION SDIFF, their STORE forms, SINTERCARD) and SSCAN,
with Redis 7.0's replies (RESP2 and RESP3), error strings, keyspace
notifications and WATCH behaviour."""

import collections

import kv_harness as h

NOT_INT = "ERR value is not an integer or out of range"
MUST_BE_POSITIVE = "ERR value is out of range, must be positive"
COUNT_RANGE = ("ERR value is out of range, value must between "
               "-9223372036854775807 and 9223372036854775807")
SYNTAX = "ERR syntax error"


def members(*xs):
    return {x.encode() if isinstance(x, str) else x for x in xs}


class SetTestCase(h.KvTestCase):

    def sadd(self, key, *values):
        self.assertInt(self.r.call("SADD", key, *values), len(set(values)))

    def smembers(self, key):
        got = self.r.call("SMEMBERS", key)
        self.assertIsInstance(got, list)
        self.assertEqual(len(got), len(set(got)), "duplicates in %r" % got)
        return set(got)


class AddRemoveTest(SetTestCase):

    def test_sadd_counts_new_members(self):
        self.assertInt(self.r.call("SADD", "s", "a", "b", "a"), 2)
        self.assertInt(self.r.call("SADD", "s", "b", "c"), 1)
        self.assertInt(self.r.call("SADD", "s", "c"), 0)
        self.assertEqual(self.smembers("s"), members("a", "b", "c"))
        self.assertSimple(self.r.call("TYPE", "s"), "set")

    def test_binary_and_empty_members(self):
        blob = bytes(range(256))
        self.sadd("s", blob, "", "1", "01")
        self.assertEqual(self.smembers("s"), {blob, b"", b"1", b"01"})
        self.assertInt(self.r.call("SISMEMBER", "s", ""), 1)
        self.assertInt(self.r.call("SISMEMBER", "s", "001"), 0)

    def test_srem(self):
        self.sadd("s", "a", "b", "c")
        self.assertInt(self.r.call("SREM", "s", "a", "x", "a"), 1)
        self.assertEqual(self.smembers("s"), members("b", "c"))
        self.assertInt(self.r.call("SREM", "nokey", "a"), 0)

    def test_srem_of_last_member_deletes_the_key(self):
        self.sadd("s", "a", "b")
        self.assertInt(self.r.call("SREM", "s", "a", "b", "c"), 2)
        self.assertInt(self.r.call("EXISTS", "s"), 0)

    def test_adding_keeps_the_ttl(self):
        self.sadd("s", "a")
        self.r.call("EXPIRE", "s", "100")
        self.r.call("SADD", "s", "b")
        self.r.call("SREM", "s", "a")
        self.assertGreater(self.r.call("TTL", "s"), 90)

    def test_arity(self):
        for cmd, args in (("sadd", ("s",)), ("srem", ("s",)),
                          ("scard", ()), ("sismember", ("s",)),
                          ("smismember", ("s",)), ("smembers", ()),
                          ("spop", ()), ("srandmember", ()),
                          ("smove", ("a", "b")), ("sinter", ()),
                          ("sunion", ()), ("sdiff", ()),
                          ("sintercard", ("1",)), ("sinterstore", ("d",)),
                          ("sunionstore", ("d",)), ("sdiffstore", ("d",)),
                          ("sscan", ("s",))):
            self.assertError(self.r.call(cmd.upper(), *args),
                             self.arity_error(cmd))


class WrongTypeTest(SetTestCase):

    def test_every_command_rejects_other_types(self):
        self.r.call("SET", "str", "x")
        self.r.call("HSET", "h", "a", "1")
        self.r.call("RPUSH", "l", "a")
        self.sadd("s", "a")
        for key in ("str", "h", "l"):
            for cmd in (("SADD", key, "a"), ("SREM", key, "a"),
                        ("SCARD", key), ("SISMEMBER", key, "a"),
                        ("SMISMEMBER", key, "a"), ("SMEMBERS", key),
                        ("SPOP", key), ("SPOP", key, "0"),
                        ("SRANDMEMBER", key), ("SRANDMEMBER", key, "3"),
                        ("SMOVE", key, "s", "a"), ("SMOVE", "s", key, "a"),
                        ("SMOVE", key, key, "a"),
                        ("SINTER", "s", key), ("SINTER", "nokey", key),
                        ("SUNION", key, "nokey"), ("SDIFF", "s", key),
                        ("SDIFF", "nokey", key),
                        ("SINTERCARD", "2", "nokey", key),
                        ("SINTERSTORE", "d", "s", key),
                        ("SINTERSTORE", "d", "nokey", key),
                        ("SUNIONSTORE", "d", key),
                        ("SDIFFSTORE", "d", "s", key),
                        ("SSCAN", key, "0")):
                self.assertError(self.r.call(*cmd), self.wrongtype)
        self.assertBulk(self.r.call("GET", "str"), "x")
        self.assertEqual(self.smembers("s"), members("a"))
        self.assertInt(self.r.call("EXISTS", "d"), 0)


class ReadTest(SetTestCase):

    def test_scard_sismember_smismember(self):
        self.sadd("s", "a", "b", "c")
        self.assertInt(self.r.call("SCARD", "s"), 3)
        self.assertInt(self.r.call("SCARD", "nokey"), 0)
        self.assertInt(self.r.call("SISMEMBER", "s", "a"), 1)
        self.assertInt(self.r.call("SISMEMBER", "s", "z"), 0)
        self.assertInt(self.r.call("SISMEMBER", "nokey", "a"), 0)
        self.assertEqual(self.r.call("SMISMEMBER", "s", "a", "z", "c", "a"),
                         [1, 0, 1, 1])
        self.assertEqual(self.r.call("SMISMEMBER", "nokey", "a", "b"), [0, 0])
        c = self.client(protocol=3)
        c.call("SMISMEMBER", "s", "a", "z")
        self.assertEqual(c.last_raw, b"*2\r\n:1\r\n:0\r\n")

    def test_smembers_resp2_array_resp3_set(self):
        self.sadd("s", "a", "b", "c")
        self.r.call("SMEMBERS", "s")
        self.assertTrue(self.r.last_raw.startswith(b"*3\r\n"))
        c = self.client(protocol=3)
        got = c.call("SMEMBERS", "s")
        self.assertIsInstance(got, h.Set)
        self.assertEqual(got, members("a", "b", "c"))
        self.assertTrue(c.last_raw.startswith(b"~3\r\n"))
        self.assertEqual(self.r.call("SMEMBERS", "nokey"), [])
        self.assertEqual(self.r.last_raw, b"*0\r\n")
        c.call("SMEMBERS", "nokey")
        self.assertEqual(c.last_raw, b"~0\r\n")

    def test_large_set(self):
        values = ["m%d" % i for i in range(2000)]
        self.sadd("s", *values)
        self.assertInt(self.r.call("SCARD", "s"), 2000)
        self.assertEqual(self.smembers("s"), members(*values))
        self.assertInt(self.r.call("SREM", "s", *values[:1990]), 1990)
        self.assertEqual(self.smembers("s"), members(*values[1990:]))


class SPopTest(SetTestCase):

    def test_single(self):
        self.sadd("s", "a", "b", "c")
        got = [self.r.call("SPOP", "s") for _ in range(3)]
        self.assertEqual(set(got), members("a", "b", "c"))
        self.assertInt(self.r.call("EXISTS", "s"), 0)
        self.assertIsNone(self.r.call("SPOP", "s"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")
        c = self.client(protocol=3)
        self.assertIsNone(c.call("SPOP", "s"))
        self.assertEqual(c.last_raw, b"_\r\n")

    def test_single_is_random(self):
        seen = collections.Counter()
        for _ in range(200):
            self.sadd("s", "a", "b", "c", "d", "e")
            seen[self.r.call("SPOP", "s")] += 1
            self.r.call("DEL", "s")
        self.assertEqual(set(seen), members("a", "b", "c", "d", "e"))

    def test_with_count(self):
        values = ["v%d" % i for i in range(100)]
        self.sadd("s", *values)
        got = self.r.call("SPOP", "s", "30")
        self.assertEqual(len(got), 30)
        self.assertEqual(len(set(got)), 30)
        left = self.smembers("s")
        self.assertEqual(len(left), 70)
        self.assertEqual(left | set(got), members(*values))
        self.assertFalse(left & set(got))
        got2 = self.r.call("SPOP", "s", "65")
        self.assertEqual(len(set(got2)), 65)
        self.assertEqual(self.smembers("s") | set(got2), left)

    def test_count_at_least_size_takes_everything(self):
        self.sadd("s", "a", "b", "c")
        self.assertEqual(set(self.r.call("SPOP", "s", "3")),
                         members("a", "b", "c"))
        self.assertInt(self.r.call("EXISTS", "s"), 0)
        self.sadd("s", "a", "b")
        self.assertEqual(set(self.r.call("SPOP", "s",
                                         "9223372036854775807")),
                         members("a", "b"))
        self.assertInt(self.r.call("EXISTS", "s"), 0)

    def test_zero_count_and_missing_key(self):
        self.sadd("s", "a")
        self.assertEqual(self.r.call("SPOP", "s", "0"), [])
        self.assertEqual(self.r.last_raw, b"*0\r\n")
        self.assertEqual(self.r.call("SPOP", "nokey", "5"), [])
        self.assertEqual(self.r.last_raw, b"*0\r\n")
        self.assertEqual(self.smembers("s"), members("a"))
        c = self.client(protocol=3)
        c.call("SPOP", "s", "0")
        self.assertEqual(c.last_raw, b"~0\r\n")
        c.call("SPOP", "nokey", "3")
        self.assertEqual(c.last_raw, b"~0\r\n")

    def test_resp3_count_reply_is_a_set(self):
        self.sadd("s", "a", "b", "c")
        c = self.client(protocol=3)
        got = c.call("SPOP", "s", "2")
        self.assertIsInstance(got, h.Set)
        self.assertTrue(c.last_raw.startswith(b"~2\r\n"))
        got = c.call("SPOP", "s", "5")
        self.assertIsInstance(got, h.Set)
        self.assertTrue(c.last_raw.startswith(b"~1\r\n"))

    def test_errors(self):
        self.sadd("s", "a")
        for bad in ("-1", "x", "-0", "1.5", "-9223372036854775808"):
            self.assertError(self.r.call("SPOP", "s", bad), MUST_BE_POSITIVE)
        # The count is checked before the key's type.
        self.r.call("SET", "str", "x")
        self.assertError(self.r.call("SPOP", "str", "-1"), MUST_BE_POSITIVE)
        self.assertError(self.r.call("SPOP", "s", "1", "2"), SYNTAX)
        # Extra arguments are refused before the count is read.
        self.assertError(self.r.call("SPOP", "s", "x", "2"), SYNTAX)
        self.assertEqual(self.smembers("s"), members("a"))


class SRandMemberTest(SetTestCase):

    VALUES = members("a", "b", "c", "d", "e")

    def setUp(self):
        super().setUp()
        self.sadd("s", *self.VALUES)

    def test_single(self):
        seen = set()
        for _ in range(200):
            seen.add(self.r.call("SRANDMEMBER", "s"))
        self.assertEqual(seen, self.VALUES)
        self.assertInt(self.r.call("SCARD", "s"), 5)
        self.assertIsNone(self.r.call("SRANDMEMBER", "nokey"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")
        c = self.client(protocol=3)
        self.assertIsNone(c.call("SRANDMEMBER", "nokey"))
        self.assertEqual(c.last_raw, b"_\r\n")

    def test_positive_count(self):
        for count in range(1, 5):
            got = self.r.call("SRANDMEMBER", "s", str(count))
            self.assertEqual(len(got), count)
            self.assertEqual(len(set(got)), count)
            self.assertTrue(set(got) <= self.VALUES)
        for count in ("5", "6", "9223372036854775807"):
            got = self.r.call("SRANDMEMBER", "s", count)
            self.assertEqual(sorted(got), sorted(self.VALUES))
        seen = set()
        for _ in range(100):
            seen.update(self.r.call("SRANDMEMBER", "s", "2"))
        self.assertEqual(seen, self.VALUES)

    def test_negative_count_repeats(self):
        got = self.r.call("SRANDMEMBER", "s", "-30")
        self.assertEqual(len(got), 30)
        self.assertTrue(set(got) <= self.VALUES)
        self.assertEqual(len(self.r.call("SRANDMEMBER", "s", "-1")), 1)
        seen = set()
        for _ in range(20):
            seen.update(self.r.call("SRANDMEMBER", "s", "-10"))
        self.assertEqual(seen, self.VALUES)

    def test_picks_are_uniform(self):
        # 600 draws over 5 members: about 120 each (sd 10); a bias of a
        # few percent stays inside the bounds, a skewed sampler does not.
        for count, calls in (("1", 600), ("2", 300), ("4", 150),
                             ("-3", 200)):
            seen = collections.Counter()
            for _ in range(calls):
                seen.update(self.r.call("SRANDMEMBER", "s", count))
            self.assertEqual(set(seen), self.VALUES)
            for member, n in seen.items():
                self.assertTrue(70 < n < 170, (count, seen))

    def test_empty_forms(self):
        for key, count in (("s", "0"), ("nokey", "0"), ("nokey", "3"),
                           ("nokey", "-3")):
            self.assertEqual(self.r.call("SRANDMEMBER", key, count), [])
            self.assertEqual(self.r.last_raw, b"*0\r\n")

    def test_resp3_count_reply_is_an_array(self):
        c = self.client(protocol=3)
        for count in ("2", "-7", "10"):
            got = c.call("SRANDMEMBER", "s", count)
            self.assertNotIsInstance(got, h.Set)
            self.assertTrue(c.last_raw.startswith(b"*"))
        c.call("SRANDMEMBER", "nokey", "2")
        self.assertEqual(c.last_raw, b"*0\r\n")

    def test_larger_set(self):
        values = members(*("m%d" % i for i in range(300)))
        self.sadd("big", *values)
        for count in (1, 10, 99, 150, 299):
            got = self.r.call("SRANDMEMBER", "big", str(count))
            self.assertEqual(len(set(got)), count)
            self.assertTrue(set(got) <= values)
        got = self.r.call("SRANDMEMBER", "big", "-1000")
        self.assertEqual(len(got), 1000)
        self.assertTrue(set(got) <= values)
        self.assertGreater(len(set(got)), 250)
        self.assertInt(self.r.call("SCARD", "big"), 300)

    def test_errors(self):
        for bad in ("x", "-0", "1.5"):
            self.assertError(self.r.call("SRANDMEMBER", "s", bad), NOT_INT)
        self.assertError(
            self.r.call("SRANDMEMBER", "s", "-9223372036854775808"),
            COUNT_RANGE)
        self.assertError(self.r.call("SRANDMEMBER", "s", "1", "2"), SYNTAX)
        self.assertError(self.r.call("SRANDMEMBER", "s", "x", "2"), SYNTAX)
        self.r.call("SET", "str", "x")
        self.assertError(self.r.call("SRANDMEMBER", "str", "x"), NOT_INT)


class SMoveTest(SetTestCase):

    def test_moves(self):
        self.sadd("src", "a", "b")
        self.sadd("dst", "x")
        self.assertInt(self.r.call("SMOVE", "src", "dst", "a"), 1)
        self.assertEqual(self.smembers("src"), members("b"))
        self.assertEqual(self.smembers("dst"), members("a", "x"))
        self.assertInt(self.r.call("SMOVE", "src", "dst", "a"), 0)

    def test_creates_destination_and_deletes_empty_source(self):
        self.sadd("src", "a")
        self.assertInt(self.r.call("SMOVE", "src", "dst", "a"), 1)
        self.assertInt(self.r.call("EXISTS", "src"), 0)
        self.assertEqual(self.smembers("dst"), members("a"))

    def test_member_already_in_destination(self):
        self.sadd("src", "a", "b")
        self.sadd("dst", "a")
        self.assertInt(self.r.call("SMOVE", "src", "dst", "a"), 1)
        self.assertEqual(self.smembers("src"), members("b"))
        self.assertEqual(self.smembers("dst"), members("a"))

    def test_missing_source_or_member(self):
        self.assertInt(self.r.call("SMOVE", "nokey", "dst", "a"), 0)
        self.sadd("src", "a")
        self.assertInt(self.r.call("SMOVE", "src", "dst", "z"), 0)
        self.assertInt(self.r.call("EXISTS", "dst"), 0)
        # A missing source wins over a destination of another type.
        self.r.call("SET", "str", "x")
        self.assertInt(self.r.call("SMOVE", "nokey", "str", "a"), 0)
        # ...but an existing one does not, even without the member.
        self.assertError(self.r.call("SMOVE", "src", "str", "z"),
                         self.wrongtype)

    def test_same_key(self):
        self.sadd("s", "a", "b")
        self.assertInt(self.r.call("SMOVE", "s", "s", "a"), 1)
        self.assertInt(self.r.call("SMOVE", "s", "s", "z"), 0)
        self.assertEqual(self.smembers("s"), members("a", "b"))

    def test_many_keys_same_and_different_shards(self):
        # Enough pairs that some share a lock stripe and some do not.
        for i in range(64):
            self.sadd("src%d" % i, "m", "n")
            self.assertInt(self.r.call("SMOVE", "src%d" % i, "dst%d" % i,
                                       "m"), 1)
            self.assertInt(self.r.call("SMOVE", "src%d" % i, "dst%d" % i,
                                       "n"), 1)
            self.assertInt(self.r.call("EXISTS", "src%d" % i), 0)
            self.assertEqual(self.smembers("dst%d" % i), members("m", "n"))


class AlgebraTest(SetTestCase):

    def setUp(self):
        super().setUp()
        self.sadd("s1", "a", "b", "c", "d")
        self.sadd("s2", "c", "d", "e")
        self.sadd("s3", "a", "c", "e", "f")

    def call_set(self, *args):
        got = self.r.call(*args)
        self.assertIsInstance(got, list)
        self.assertEqual(len(got), len(set(got)))
        return set(got)

    def test_sinter(self):
        self.assertEqual(self.call_set("SINTER", "s1", "s2"),
                         members("c", "d"))
        self.assertEqual(self.call_set("SINTER", "s1", "s2", "s3"),
                         members("c"))
        self.assertEqual(self.call_set("SINTER", "s1"),
                         members("a", "b", "c", "d"))
        self.assertEqual(self.call_set("SINTER", "s1", "s1"),
                         members("a", "b", "c", "d"))
        self.assertEqual(self.call_set("SINTER", "s1", "nokey"), set())
        self.assertEqual(self.call_set("SINTER", "nokey", "s1"), set())

    def test_sunion(self):
        self.assertEqual(self.call_set("SUNION", "s1", "s2"),
                         members("a", "b", "c", "d", "e"))
        self.assertEqual(self.call_set("SUNION", "s2", "nokey", "s3"),
                         members("a", "c", "d", "e", "f"))
        self.assertEqual(self.call_set("SUNION", "nokey", "nokey2"), set())

    def test_sdiff(self):
        self.assertEqual(self.call_set("SDIFF", "s1", "s2"),
                         members("a", "b"))
        self.assertEqual(self.call_set("SDIFF", "s1", "s2", "s3"),
                         members("b"))
        self.assertEqual(self.call_set("SDIFF", "s1", "nokey"),
                         members("a", "b", "c", "d"))
        self.assertEqual(self.call_set("SDIFF", "s1"),
                         members("a", "b", "c", "d"))
        self.assertEqual(self.call_set("SDIFF", "s1", "s1"), set())
        self.assertEqual(self.call_set("SDIFF", "nokey", "s1"), set())

    def test_resp3_replies_are_sets(self):
        c = self.client(protocol=3)
        for cmd in ("SINTER", "SUNION", "SDIFF"):
            got = c.call(cmd, "s1", "s2")
            self.assertIsInstance(got, h.Set)
            self.assertTrue(c.last_raw.startswith(b"~"))
            c.call(cmd, "nokey", "nokey2")
            self.assertEqual(c.last_raw, b"~0\r\n")
        c.call("SINTER", "s1", "nokey")
        self.assertEqual(c.last_raw, b"~0\r\n")
        self.r.call("SINTER", "s1", "nokey")
        self.assertEqual(self.r.last_raw, b"*0\r\n")

    def test_large_sets_match_python(self):
        a = {("%d" % i).encode() for i in range(0, 3000, 2)}
        b = {("%d" % i).encode() for i in range(0, 3000, 3)}
        c = {("%d" % i).encode() for i in range(0, 3000, 5)}
        self.sadd("a", *a)
        self.sadd("b", *b)
        self.sadd("c", *c)
        self.assertEqual(self.call_set("SINTER", "a", "b", "c"), a & b & c)
        self.assertEqual(self.call_set("SUNION", "a", "b", "c"), a | b | c)
        self.assertEqual(self.call_set("SDIFF", "a", "b", "c"), a - b - c)
        self.assertEqual(self.call_set("SDIFF", "c", "a"), c - a)
        self.assertInt(self.r.call("SINTERCARD", "3", "a", "b", "c"),
                       len(a & b & c))
        self.assertInt(self.r.call("SINTERSTORE", "d", "a", "b"),
                       len(a & b))
        self.assertEqual(self.smembers("d"), a & b)


class SInterCardTest(SetTestCase):

    def setUp(self):
        super().setUp()
        self.sadd("s1", "a", "b", "c", "d")
        self.sadd("s2", "b", "c", "d", "e")

    def test_counts(self):
        self.assertInt(self.r.call("SINTERCARD", "2", "s1", "s2"), 3)
        self.assertInt(self.r.call("SINTERCARD", "1", "s1"), 4)
        self.assertInt(self.r.call("SINTERCARD", "2", "s1", "nokey"), 0)
        self.assertInt(self.r.call("SINTERCARD", "1", "nokey"), 0)

    def test_limit(self):
        self.assertInt(self.r.call("SINTERCARD", "2", "s1", "s2",
                                   "LIMIT", "2"), 2)
        self.assertInt(self.r.call("SINTERCARD", "2", "s1", "s2",
                                   "limit", "0"), 3)
        self.assertInt(self.r.call("SINTERCARD", "2", "s1", "s2",
                                   "LIMIT", "100"), 3)
        self.assertInt(self.r.call("SINTERCARD", "1", "s1", "LIMIT", "1",
                                   "LIMIT", "3"), 3)

    def test_keys_named_like_options(self):
        self.sadd("limit", "b", "x")
        self.assertInt(self.r.call("SINTERCARD", "2", "s1", "limit"), 1)

    def test_errors(self):
        for bad in ("0", "-1", "x", "99999999999999999999"):
            self.assertError(self.r.call("SINTERCARD", bad, "s1"),
                             "ERR numkeys should be greater than 0")
        for n in ("3", "9223372036854775807"):
            self.assertError(self.r.call("SINTERCARD", n, "s1", "s2"),
                             "ERR Number of keys can't be greater than "
                             "number of args")
        for bad in ("-1", "x", "-0", "9223372036854775808"):
            self.assertError(self.r.call("SINTERCARD", "1", "s1", "LIMIT",
                                         bad), "ERR LIMIT can't be negative")
        self.assertError(self.r.call("SINTERCARD", "1", "s1", "LIMIT"),
                         SYNTAX)
        self.assertError(self.r.call("SINTERCARD", "1", "s1", "FOO", "1"),
                         SYNTAX)
        self.assertError(self.r.call("SINTERCARD", "1", "s1", "s2"), SYNTAX)


class StoreTest(SetTestCase):

    def setUp(self):
        super().setUp()
        self.sadd("s1", "a", "b", "c")
        self.sadd("s2", "b", "c", "d")

    def test_results(self):
        self.assertInt(self.r.call("SINTERSTORE", "d", "s1", "s2"), 2)
        self.assertEqual(self.smembers("d"), members("b", "c"))
        self.assertInt(self.r.call("SUNIONSTORE", "d", "s1", "s2"), 4)
        self.assertEqual(self.smembers("d"), members("a", "b", "c", "d"))
        self.assertInt(self.r.call("SDIFFSTORE", "d", "s1", "s2"), 1)
        self.assertEqual(self.smembers("d"), members("a"))

    def test_replaces_other_types_and_drops_ttl(self):
        self.r.call("SET", "d", "x", "EX", "100")
        self.assertInt(self.r.call("SUNIONSTORE", "d", "s1"), 3)
        self.assertSimple(self.r.call("TYPE", "d"), "set")
        self.assertInt(self.r.call("TTL", "d"), -1)
        self.r.call("DEL", "d")
        self.r.call("HSET", "d", "f", "x")
        self.assertInt(self.r.call("SINTERSTORE", "d", "s1", "s2"), 2)
        self.assertEqual(self.smembers("d"), members("b", "c"))

    def test_empty_result_deletes_destination(self):
        for cmd in (("SINTERSTORE", "d", "s1", "nokey"),
                    ("SINTERSTORE", "d", "nokey", "s1"),
                    ("SUNIONSTORE", "d", "nokey"),
                    ("SDIFFSTORE", "d", "s1", "s1"),
                    ("SDIFFSTORE", "d", "nokey", "s1")):
            self.r.call("SET", "d", "old")
            self.assertInt(self.r.call(*cmd), 0)
            self.assertEqual(self.r.call("EXISTS", "d"), 0, cmd)

    def test_destination_among_sources(self):
        self.assertInt(self.r.call("SDIFFSTORE", "s1", "s1", "s2"), 1)
        self.assertEqual(self.smembers("s1"), members("a"))
        self.assertInt(self.r.call("SUNIONSTORE", "s2", "s2", "s1"), 4)
        self.assertEqual(self.smembers("s2"), members("a", "b", "c", "d"))
        self.assertInt(self.r.call("SINTERSTORE", "s2", "s2", "s2"), 4)
        self.assertEqual(self.smembers("s2"), members("a", "b", "c", "d"))

    def test_wrong_type_source_leaves_destination(self):
        self.sadd("d", "keep")
        self.r.call("SET", "str", "x")
        for cmd in ("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"):
            self.assertError(self.r.call(cmd, "d", "s1", "str"),
                             self.wrongtype)
        self.assertEqual(self.smembers("d"), members("keep"))
        # The destination's own type does not matter.
        self.assertInt(self.r.call("SUNIONSTORE", "str", "s1"), 3)


class SScanTest(SetTestCase):

    def scan_all(self, key, *options):
        cursor, out = b"0", []
        for _ in range(10000):
            cursor, items = self.r.call("SSCAN", key, cursor, *options)
            out += items
            if cursor == b"0":
                return out
        self.fail("SSCAN did not finish")

    def test_small_set_in_one_call(self):
        self.sadd("s", "a", "b", "c")
        cursor, items = self.r.call("SSCAN", "s", "0")
        self.assertEqual(cursor, b"0")
        self.assertEqual(sorted(items), [b"a", b"b", b"c"])

    def test_match_and_count(self):
        self.sadd("s", "apple", "avocado", "banana")
        cursor, items = self.r.call("SSCAN", "s", "0", "MATCH", "a*",
                                    "COUNT", "100")
        self.assertEqual(cursor, b"0")
        self.assertEqual(sorted(items), [b"apple", b"avocado"])
        self.assertEqual(self.r.call("SSCAN", "s", "0", "MATCH", "z*"),
                         [b"0", []])

    def test_large_set_is_complete(self):
        values = members(*("m%d" % i for i in range(1000)))
        self.sadd("s", *values)
        got = self.scan_all("s", "COUNT", "20")
        self.assertEqual(set(got), values)
        got = self.scan_all("s", "MATCH", "m1?")
        self.assertEqual(set(got), {v for v in values
                                    if len(v) == 3 and v.startswith(b"m1")})

    def test_members_present_throughout_are_returned_despite_changes(self):
        # Redis' guarantee: a member in the set for the whole scan is
        # returned at least once, whatever is added and removed meanwhile.
        stable = members(*("s%d" % i for i in range(600)))
        changing = ["v%d" % i for i in range(600)]
        self.sadd("s", *stable)
        self.sadd("s", *changing)
        added = len(changing)
        cursor, got = b"0", []
        for _ in range(10000):
            cursor, items = self.r.call("SSCAN", "s", cursor, "COUNT", "15")
            got += items
            if cursor == b"0":
                break
            # Remove three of the changing members, add two new ones.
            self.r.call("SREM", "s", *changing[:3])
            del changing[:3]
            new = ["v%d" % (added + i) for i in range(2)]
            added += 2
            self.r.call("SADD", "s", *new)
            changing += new
        self.assertEqual(cursor, b"0")
        self.assertTrue(stable <= set(got), stable - set(got))

    def test_missing_key_and_errors(self):
        self.assertEqual(self.r.call("SSCAN", "nokey", "0"), [b"0", []])
        self.assertEqual(self.r.last_raw, b"*2\r\n$1\r\n0\r\n*0\r\n")
        self.sadd("s", "a")
        self.assertError(self.r.call("SSCAN", "s", "x"), "ERR invalid cursor")
        self.assertError(self.r.call("SSCAN", "s", "0", "COUNT", "0"),
                         SYNTAX)
        self.assertError(self.r.call("SSCAN", "s", "0", "COUNT", "x"),
                         NOT_INT)
        self.assertError(self.r.call("SSCAN", "s", "0", "MATCH"), SYNTAX)
        self.assertError(self.r.call("SSCAN", "s", "0", "NOVALUES"), SYNTAX)

    def test_resp3_reply_is_arrays(self):
        self.sadd("s", "a")
        c = self.client(protocol=3)
        self.assertEqual(c.call("SSCAN", "s", "0"), [b"0", [b"a"]])
        self.assertEqual(c.last_raw, b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n")


class NotificationTest(SetTestCase):

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

    def test_add_remove(self):
        s = self.listen()
        self.assertEqual(self.events(s, ("SADD", "s", "a", "b")),
                         [("sadd", "s")])
        self.assertEqual(self.events(s, ("SADD", "s", "a"),
                                     ("SREM", "s", "z"),
                                     ("SREM", "nokey", "z")), [])
        self.assertEqual(self.events(s, ("SREM", "s", "a")),
                         [("srem", "s")])
        self.assertEqual(self.events(s, ("SREM", "s", "b", "z")),
                         [("srem", "s"), ("del", "s")])

    def test_spop(self):
        self.sadd("s", "a", "b", "c", "d")
        s = self.listen()
        self.assertEqual(self.events(s, ("SPOP", "s")), [("spop", "s")])
        self.assertEqual(self.events(s, ("SPOP", "s", "0"),
                                     ("SPOP", "nokey"),
                                     ("SPOP", "nokey", "2")), [])
        self.assertEqual(self.events(s, ("SPOP", "s", "1")), [("spop", "s")])
        self.assertEqual(self.events(s, ("SPOP", "s", "5")),
                         [("spop", "s"), ("del", "s")])
        self.sadd("s", "a")
        self.assertEqual(self.events(s, ("SPOP", "s")),
                         [("sadd", "s"), ("spop", "s"), ("del", "s")])

    def test_smove(self):
        self.sadd("src", "a", "b")
        s = self.listen()
        self.assertEqual(self.events(s, ("SMOVE", "src", "dst", "a")),
                         [("srem", "src"), ("sadd", "dst")])
        self.assertEqual(self.events(s, ("SMOVE", "src", "dst", "z"),
                                     ("SMOVE", "dst", "dst", "a")), [])
        self.assertEqual(self.events(s, ("SMOVE", "src", "dst", "b")),
                         [("srem", "src"), ("del", "src"), ("sadd", "dst")])

    def test_stores(self):
        self.sadd("s1", "a", "b")
        self.sadd("s2", "b", "c")
        s = self.listen()
        for cmd in ("sinterstore", "sunionstore", "sdiffstore"):
            self.assertEqual(self.events(s, (cmd, "d", "s1", "s2")),
                             [(cmd, "d")])
        self.assertEqual(self.events(s, ("SINTERSTORE", "d", "s1", "nokey")),
                         [("del", "d")])
        self.assertEqual(self.events(s, ("SINTERSTORE", "d", "s1", "nokey")),
                         [])

    def test_reads_are_silent(self):
        self.sadd("s", "a")
        s = self.listen()
        self.assertEqual(self.events(
            s, ("SCARD", "s"), ("SISMEMBER", "s", "a"),
            ("SMISMEMBER", "s", "a"), ("SMEMBERS", "s"),
            ("SRANDMEMBER", "s", "-3"), ("SINTER", "s", "s"),
            ("SUNION", "s"), ("SDIFF", "s"), ("SINTERCARD", "1", "s"),
            ("SSCAN", "s", "0")), [])


class WatchTest(SetTestCase):

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
        for key, cmd in (("s", ("SADD", "s", "new")),
                         ("s", ("SREM", "s", "a")),
                         ("s", ("SPOP", "s")),
                         ("s", ("SPOP", "s", "1")),
                         ("s", ("SMOVE", "s", "d", "a")),
                         ("d", ("SMOVE", "s", "d", "a")),
                         ("d", ("SINTERSTORE", "d", "s", "s")),
                         ("d", ("SUNIONSTORE", "d", "s")),
                         ("d", ("SDIFFSTORE", "d", "s"))):
            self.r.call("FLUSHALL")
            self.sadd("s", "a", "b")
            self.assertIsNone(self.exec_after(key, *cmd), cmd)

    def test_no_op_writes_do_not_abort(self):
        for key, cmd in (("s", ("SADD", "s", "a")),
                         ("s", ("SREM", "s", "z")),
                         ("s", ("SPOP", "s", "0")),
                         ("s", ("SMOVE", "s", "d", "z")),
                         ("s", ("SMOVE", "s", "s", "a")),
                         ("d", ("SINTERSTORE", "d", "s", "nokey")),
                         ("s", ("SINTER", "s", "s"))):
            self.r.call("FLUSHALL")
            self.sadd("s", "a", "b")
            self.assertEqual(self.exec_after(key, *cmd), ["PONG"], cmd)

    def test_set_commands_in_a_transaction(self):
        self.r.call("MULTI")
        self.r.call("SADD", "s", "a", "b")
        self.r.call("SMOVE", "s", "t", "a")
        self.r.call("SPOP", "s", "-1")
        self.r.call("SUNIONSTORE", "u", "s", "t")
        self.r.call("SCARD", "u")
        self.assertEqual(self.r.call("EXEC"),
                         [2, 1, h.Error(MUST_BE_POSITIVE), 2, 2])


if __name__ == "__main__":
    h.main()
