# Copyright 2026 The Colony Authors.
"""Sorted-set commands: ZADD and its options, reads by member, rank, score
and lex range, removals, pops (blocking ones included), random members,
ZSCAN, and the union/intersection/difference family, with Redis 7.0's
replies (RESP2 and RESP3), error strings, keyspace notifications and WATCH
behaviour."""

import time

import kv_harness as h

NOT_INT = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
SYNTAX = "ERR syntax error"
NAN = "ERR resulting score is not a number (NaN)"
NOT_FLOAT_RANGE = "ERR min or max is not a float"
NOT_LEX_RANGE = "ERR min or max not valid string range item"


def flat(*pairs):
    """[(member, score), ...] as RESP2's flat [member, score, ...] bytes."""
    out = []
    for m, s in pairs:
        out.append(m.encode() if isinstance(m, str) else m)
        out.append(s.encode() if isinstance(s, str) else s)
    return out


def members(*names):
    return [n.encode() for n in names]


class ZsetCase(h.KvTestCase):

    def zadd(self, key, *pairs, client=None):
        """ZADD key score member ... from (member, score) pairs."""
        args = []
        for m, s in pairs:
            args += [s, m]
        return (client or self.r).call("ZADD", key, *args)

    def all_with_scores(self, key):
        return self.r.call("ZRANGE", key, "0", "-1", "WITHSCORES")

    def require(self, command, *args):
        """Skips the test when the server lacks `command` (one from another
        command family)."""
        reply = self.r.call(command, *args)
        if isinstance(reply, h.Error) and \
                reply.message.startswith("ERR unknown command"):
            self.skipTest("%s is not implemented by this server" % command)
        return reply

    def blocked_count(self):
        info = self.r.call("INFO", "clients").decode()
        for line in info.split("\r\n"):
            if line.startswith("blocked_clients:"):
                return int(line.split(":")[1])
        raise AssertionError("no blocked_clients in INFO")

    def wait_blocked(self, n):
        h.wait_for(lambda: self.blocked_count() == n, timeout=5,
                   what="blocked_clients:%d" % n)


class ZAddTest(ZsetCase):

    def test_add_and_count(self):
        self.assertInt(self.r.call("ZADD", "z", "1", "a", "2", "b"), 2)
        self.assertInt(self.r.call("ZADD", "z", "3", "a", "4", "c"), 1)
        self.assertEqual(self.all_with_scores("z"),
                         flat(("b", "2"), ("a", "3"), ("c", "4")))
        self.assertSimple(self.r.call("TYPE", "z"), "zset")

    def test_same_member_twice_in_one_call(self):
        self.assertInt(self.r.call("ZADD", "z", "1", "a", "2", "a"), 1)
        self.assertBulk(self.r.call("ZSCORE", "z", "a"), "2")

    def test_equal_scores_order_by_bytes(self):
        self.r.call("ZADD", "z", "0", "b", "0", "a", "0", b"\xff", "0", "",
                    "0", "ab", "0", b"a\x00")
        self.assertEqual(self.r.call("ZRANGE", "z", "0", "-1"),
                         [b"", b"a", b"a\x00", b"ab", b"b", b"\xff"])

    def test_score_syntax(self):
        self.r.call("ZADD", "z", "1e3", "e", "-2.5", "n", "0x10", "h",
                    "+inf", "i", "-inf", "j", "  ", "k")
        # The last pair is invalid, so nothing was added at all.
        self.assertInt(self.r.call("EXISTS", "z"), 0)
        self.assertInt(self.r.call("ZADD", "z", "1e3", "e", "-2.5", "n",
                                   "0x10", "h", "+inf", "i", "-inf", "j"), 5)
        self.assertEqual(self.all_with_scores("z"),
                         flat(("j", "-inf"), ("n", "-2.5"), ("h", "16"),
                              ("e", "1000"), ("i", "inf")))

    def test_invalid_scores(self):
        for bad in ("x", "", "1x", " 1", "nan", "1e400", "1e-400"):
            self.assertError(self.r.call("ZADD", "z", bad, "a"), NOT_FLOAT)
        self.assertInt(self.r.call("EXISTS", "z"), 0)

    def test_score_formatting_resp2(self):
        self.r.call("ZADD", "z", "1.1", "a", "0.30000000000000004", "b",
                    "1e20", "c", "inf", "d", "-inf", "e", "3", "f",
                    "-0.5", "g")
        self.assertEqual(self.all_with_scores("z"),
                         flat(("e", "-inf"), ("g", "-0.5"),
                              ("b", "0.30000000000000004"),
                              ("a", "1.1000000000000001"), ("f", "3"),
                              ("c", "1e+20"), ("d", "inf")))

    def test_score_formatting_resp3(self):
        c = self.client(protocol=3)
        c.call("ZADD", "z", "1.1", "a", "1e20", "c", "inf", "d", "-inf", "e",
               "3", "f")
        self.assertEqual(c.call_raw("ZSCORE", "z", "a"),
                         b",1.1000000000000001\r\n")
        self.assertEqual(c.call_raw("ZSCORE", "z", "c"), b",1e+20\r\n")
        self.assertEqual(c.call_raw("ZSCORE", "z", "d"), b",inf\r\n")
        self.assertEqual(c.call_raw("ZSCORE", "z", "e"), b",-inf\r\n")
        self.assertEqual(c.call_raw("ZSCORE", "z", "f"), b",3\r\n")

    def test_negative_zero_in_a_small_set(self):
        self.r.call("ZADD", "z", "-0", "a")
        self.assertBulk(self.r.call("ZSCORE", "z", "a"), "0")
        # The increment's result is replied as computed, stored as 0.
        self.assertBulk(self.r.call("ZINCRBY", "z", "-0", "b"), "-0")
        self.assertBulk(self.r.call("ZSCORE", "z", "b"), "0")

    def test_keeps_the_ttl(self):
        self.r.call("ZADD", "z", "1", "a")
        self.r.call("EXPIRE", "z", "100")
        self.r.call("ZADD", "z", "2", "b")
        self.assertGreater(self.r.call("TTL", "z"), 90)

    def test_expired_key_is_replaced(self):
        self.r.call("ZADD", "z", "1", "a")
        self.r.call("PEXPIRE", "z", "20")
        time.sleep(0.05)
        self.assertInt(self.r.call("ZADD", "z", "2", "b"), 1)
        self.assertEqual(self.all_with_scores("z"), flat(("b", "2")))
        self.assertInt(self.r.call("TTL", "z"), -1)

    def test_big_set(self):
        n = 1000
        self.r.call("ZADD", "z", *[x for i in range(n)
                                   for x in (str(i // 2), "m%04d" % i)])
        self.assertInt(self.r.call("ZCARD", "z"), n)
        self.assertEqual(self.r.call("ZRANGE", "z", "500", "503",
                                     "WITHSCORES"),
                         flat(("m0500", "250"), ("m0501", "250"),
                              ("m0502", "251"), ("m0503", "251")))
        self.assertInt(self.r.call("ZRANK", "z", "m0777"), 777)
        self.assertInt(self.r.call("ZREVRANK", "z", "m0777"), n - 1 - 777)
        self.assertInt(self.r.call("ZCOUNT", "z", "(100", "200"), 200)
        self.assertEqual(self.r.call("ZRANGEBYSCORE", "z", "300", "+inf",
                                     "LIMIT", "3", "2"),
                         members("m0603", "m0604"))
        self.assertInt(self.r.call("ZREMRANGEBYRANK", "z", "10", "-11"),
                       n - 20)
        self.assertEqual(self.r.call("ZRANGE", "z", "8", "11"),
                         members("m0008", "m0009", "m0990", "m0991"))

    def test_nx(self):
        self.r.call("ZADD", "z", "1", "a")
        self.assertInt(self.r.call("ZADD", "z", "NX", "5", "a", "2", "b"), 1)
        self.assertEqual(self.all_with_scores("z"),
                         flat(("a", "1"), ("b", "2")))

    def test_xx(self):
        self.assertInt(self.r.call("ZADD", "z", "XX", "1", "a"), 0)
        self.assertInt(self.r.call("EXISTS", "z"), 0)
        self.r.call("ZADD", "z", "1", "a")
        self.assertInt(self.r.call("ZADD", "z", "xx", "5", "a", "2", "b"), 0)
        self.assertEqual(self.all_with_scores("z"), flat(("a", "5")))

    def test_ch(self):
        self.r.call("ZADD", "z", "1", "a", "2", "b")
        self.assertInt(self.r.call("ZADD", "z", "CH", "1", "a", "3", "b",
                                   "4", "c"), 2)
        self.assertInt(self.r.call("ZADD", "z", "CH", "1", "a"), 0)

    def test_gt_lt(self):
        self.r.call("ZADD", "z", "5", "a", "5", "b")
        self.assertInt(self.r.call("ZADD", "z", "GT", "CH", "4", "a", "6",
                                   "b", "1", "c"), 2)
        self.assertEqual(self.all_with_scores("z"),
                         flat(("c", "1"), ("a", "5"), ("b", "6")))
        self.assertInt(self.r.call("ZADD", "z", "LT", "CH", "4", "a", "7",
                                   "b"), 1)
        self.assertEqual(self.all_with_scores("z"),
                         flat(("c", "1"), ("a", "4"), ("b", "6")))
        # XX combines with GT: existing members only.
        self.assertInt(self.r.call("ZADD", "z", "XX", "GT", "CH", "9", "a",
                                   "9", "new"), 1)
        self.assertIsNone(self.r.call("ZSCORE", "z", "new"))

    def test_incompatible_options(self):
        self.assertError(self.r.call("ZADD", "z", "NX", "XX", "1", "a"),
                         "ERR XX and NX options at the same time are not "
                         "compatible")
        gt_lt_nx = ("ERR GT, LT, and/or NX options at the same time are not "
                    "compatible")
        self.assertError(self.r.call("ZADD", "z", "NX", "GT", "1", "a"),
                         gt_lt_nx)
        self.assertError(self.r.call("ZADD", "z", "LT", "NX", "1", "a"),
                         gt_lt_nx)
        self.assertError(self.r.call("ZADD", "z", "GT", "LT", "1", "a"),
                         gt_lt_nx)
        self.assertError(self.r.call("ZADD", "z", "INCR", "1", "a", "2", "b"),
                         "ERR INCR option supports a single "
                         "increment-element pair")
        self.assertInt(self.r.call("EXISTS", "z"), 0)

    def test_syntax_errors(self):
        self.assertError(self.r.call("ZADD", "z", "1", "a", "2"), SYNTAX)
        self.assertError(self.r.call("ZADD", "z", "NX", "1"), SYNTAX)
        self.assertError(self.r.call("ZADD", "z", "FOO", "1", "a"), SYNTAX)
        self.assertError(self.r.call("ZADD", "z", "1"),
                         self.arity_error("zadd"))
        self.assertError(self.r.call("ZADD", "z"), self.arity_error("zadd"))

    def test_incr(self):
        self.assertBulk(self.r.call("ZADD", "z", "INCR", "1.5", "a"), "1.5")
        self.assertBulk(self.r.call("ZADD", "z", "INCR", "2", "a"), "3.5")
        self.assertIsNone(self.r.call("ZADD", "z", "INCR", "NX", "1", "a"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")
        self.assertIsNone(self.r.call("ZADD", "z", "INCR", "XX", "1", "b"))
        self.assertIsNone(self.r.call("ZADD", "z", "INCR", "GT", "-1", "a"))
        self.assertBulk(self.r.call("ZADD", "z", "INCR", "LT", "-1", "a"),
                        "2.5")
        self.assertBulk(self.r.call("ZADD", "z", "INCR", "0", "a"), "2.5")

    def test_incr_resp3(self):
        c = self.client(protocol=3)
        self.assertEqual(c.call_raw("ZADD", "z", "INCR", "1.1", "a"),
                         b",1.1000000000000001\r\n")
        self.assertEqual(c.call_raw("ZADD", "z", "INCR", "XX", "1", "b"),
                         b"_\r\n")

    def test_incr_nan(self):
        self.r.call("ZADD", "z", "inf", "a")
        self.assertBulk(self.r.call("ZADD", "z", "INCR", "inf", "a"), "inf")
        self.assertError(self.r.call("ZADD", "z", "INCR", "-inf", "a"), NAN)
        self.assertBulk(self.r.call("ZSCORE", "z", "a"), "inf")

    def test_wrong_type(self):
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("ZADD", "s", "1", "a"), self.wrongtype)
        # Argument errors come first.
        self.assertError(self.r.call("ZADD", "s", "x", "a"), NOT_FLOAT)


class ZIncrByTest(ZsetCase):

    def test_incrby(self):
        self.assertBulk(self.r.call("ZINCRBY", "z", "2", "a"), "2")
        self.assertBulk(self.r.call("ZINCRBY", "z", "-0.5", "a"), "1.5")
        self.assertBulk(self.r.call("ZINCRBY", "z", "0.1", "b"), "0.10000000000000001")
        self.assertEqual(self.all_with_scores("z"),
                         flat(("b", "0.10000000000000001"), ("a", "1.5")))

    def test_resp3(self):
        c = self.client(protocol=3)
        self.assertEqual(c.call_raw("ZINCRBY", "z", "0.1", "a"),
                         b",0.10000000000000001\r\n")
        self.assertEqual(c.call_raw("ZINCRBY", "z", "0.2", "a"),
                         b",0.30000000000000004\r\n")

    def test_errors(self):
        self.assertError(self.r.call("ZINCRBY", "z", "abc", "a"), NOT_FLOAT)
        self.r.call("ZINCRBY", "z", "inf", "a")
        self.assertError(self.r.call("ZINCRBY", "z", "-inf", "a"), NAN)
        self.assertError(self.r.call("ZINCRBY", "z", "1"),
                         self.arity_error("zincrby"))
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("ZINCRBY", "s", "1", "a"),
                         self.wrongtype)


class ReadTest(ZsetCase):

    def setUp(self):
        super().setUp()
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3), ("d", 3))
        self.r.call("SET", "s", "x")

    def test_zcard(self):
        self.assertInt(self.r.call("ZCARD", "z"), 4)
        self.assertInt(self.r.call("ZCARD", "missing"), 0)
        self.assertError(self.r.call("ZCARD", "s"), self.wrongtype)

    def test_zscore(self):
        self.assertBulk(self.r.call("ZSCORE", "z", "b"), "2")
        self.assertIsNone(self.r.call("ZSCORE", "z", "x"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")
        self.assertIsNone(self.r.call("ZSCORE", "missing", "x"))
        self.assertError(self.r.call("ZSCORE", "s", "a"), self.wrongtype)
        c = self.client(protocol=3)
        self.assertEqual(c.call_raw("ZSCORE", "z", "x"), b"_\r\n")
        self.assertEqual(c.call_raw("ZSCORE", "missing", "x"), b"_\r\n")

    def test_zmscore(self):
        self.assertEqual(self.r.call("ZMSCORE", "z", "a", "x", "c"),
                         [b"1", None, b"3"])
        self.assertEqual(self.r.call("ZMSCORE", "missing", "a", "b"),
                         [None, None])
        self.assertError(self.r.call("ZMSCORE", "s", "a"), self.wrongtype)
        self.assertError(self.r.call("ZMSCORE", "z"),
                         self.arity_error("zmscore"))
        c = self.client(protocol=3)
        self.assertEqual(c.call_raw("ZMSCORE", "z", "a", "x"),
                         b"*2\r\n,1\r\n_\r\n")

    def test_zrank(self):
        self.assertInt(self.r.call("ZRANK", "z", "a"), 0)
        self.assertInt(self.r.call("ZRANK", "z", "d"), 3)
        self.assertInt(self.r.call("ZREVRANK", "z", "a"), 3)
        self.assertInt(self.r.call("ZREVRANK", "z", "d"), 0)
        self.assertIsNone(self.r.call("ZRANK", "z", "x"))
        self.assertIsNone(self.r.call("ZREVRANK", "missing", "x"))
        self.assertError(self.r.call("ZRANK", "s", "a"), self.wrongtype)
        self.assertError(self.r.call("ZRANK", "z", "a", "WITHSCORE"),
                         self.arity_error("zrank"))
        c = self.client(protocol=3)
        self.assertEqual(c.call_raw("ZRANK", "z", "x"), b"_\r\n")

    def test_zcount(self):
        self.assertInt(self.r.call("ZCOUNT", "z", "2", "3"), 3)
        self.assertInt(self.r.call("ZCOUNT", "z", "(2", "3"), 2)
        self.assertInt(self.r.call("ZCOUNT", "z", "(1", "(3"), 1)
        self.assertInt(self.r.call("ZCOUNT", "z", "-inf", "+inf"), 4)
        self.assertInt(self.r.call("ZCOUNT", "z", "3", "2"), 0)
        self.assertInt(self.r.call("ZCOUNT", "z", "(3", "3"), 0)
        self.assertInt(self.r.call("ZCOUNT", "missing", "0", "1"), 0)
        for bad in (("a", "1"), ("1", "(("), ("((1", "2"), ("nan", "1"),
                    ("1", "2x")):
            self.assertError(self.r.call("ZCOUNT", "z", *bad),
                             NOT_FLOAT_RANGE)
        self.assertError(self.r.call("ZCOUNT", "s", "0", "1"),
                         self.wrongtype)
        # The range is checked before the type.
        self.assertError(self.r.call("ZCOUNT", "s", "x", "1"),
                         NOT_FLOAT_RANGE)

    def test_zlexcount(self):
        self.r.call("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d")
        self.assertInt(self.r.call("ZLEXCOUNT", "l", "-", "+"), 4)
        self.assertInt(self.r.call("ZLEXCOUNT", "l", "[b", "(d"), 2)
        self.assertInt(self.r.call("ZLEXCOUNT", "l", "(a", "[c"), 2)
        self.assertInt(self.r.call("ZLEXCOUNT", "l", "+", "-"), 0)
        self.assertInt(self.r.call("ZLEXCOUNT", "missing", "-", "+"), 0)
        for bad in (("a", "+"), ("-", "b"), ("", "+")):
            self.assertError(self.r.call("ZLEXCOUNT", "l", *bad),
                             NOT_LEX_RANGE)


class ZRangeTest(ZsetCase):

    def setUp(self):
        super().setUp()
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5))
        self.r.call("SET", "s", "x")

    def test_by_rank(self):
        self.assertEqual(self.r.call("ZRANGE", "z", "0", "-1"),
                         members("a", "b", "c", "d", "e"))
        self.assertEqual(self.r.call("ZRANGE", "z", "1", "2"),
                         members("b", "c"))
        self.assertEqual(self.r.call("ZRANGE", "z", "-2", "-1"),
                         members("d", "e"))
        self.assertEqual(self.r.call("ZRANGE", "z", "-100", "100"),
                         members("a", "b", "c", "d", "e"))
        self.assertEqual(self.r.call("ZRANGE", "z", "3", "1"), [])
        self.assertEqual(self.r.call("ZRANGE", "z", "5", "10"), [])
        self.assertEqual(self.r.call("ZRANGE", "z", "0", "-10"), [])
        self.assertEqual(self.r.call("ZRANGE", "missing", "0", "-1"), [])

    def test_rev_and_zrevrange(self):
        self.assertEqual(self.r.call("ZRANGE", "z", "0", "1", "REV"),
                         members("e", "d"))
        self.assertEqual(self.r.call("ZREVRANGE", "z", "0", "1"),
                         members("e", "d"))
        self.assertEqual(self.r.call("ZREVRANGE", "z", "-1", "-1",
                                     "WITHSCORES"), flat(("a", "1")))
        self.assertError(self.r.call("ZREVRANGE", "z", "0", "1", "REV"),
                         SYNTAX)

    def test_withscores(self):
        self.assertEqual(self.r.call("ZRANGE", "z", "0", "1", "WITHSCORES"),
                         flat(("a", "1"), ("b", "2")))
        # Repeating WITHSCORES is allowed.
        self.assertEqual(self.r.call("ZRANGE", "z", "0", "0", "WITHSCORES",
                                     "withscores"), flat(("a", "1")))

    def test_withscores_resp3_pairs(self):
        c = self.client(protocol=3)
        self.assertEqual(c.call_raw("ZRANGE", "z", "0", "1", "WITHSCORES"),
                         b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n"
                         b"*2\r\n$1\r\nb\r\n,2\r\n")
        self.assertEqual(c.call_raw("ZRANGEBYSCORE", "z", "5", "+inf",
                                    "WITHSCORES"),
                         b"*1\r\n*2\r\n$1\r\ne\r\n,5\r\n")
        self.assertEqual(c.call_raw("ZRANGE", "z", "0", "0"),
                         b"*1\r\n$1\r\na\r\n")
        self.assertEqual(c.call_raw("ZRANGE", "missing", "0", "-1",
                                    "WITHSCORES"), b"*0\r\n")

    def test_by_score(self):
        self.assertEqual(self.r.call("ZRANGE", "z", "(1", "3", "BYSCORE"),
                         members("b", "c"))
        self.assertEqual(self.r.call("ZRANGE", "z", "-inf", "(2", "BYSCORE"),
                         members("a"))
        self.assertEqual(self.r.call("ZRANGE", "z", "3", "(1", "BYSCORE",
                                     "REV"), members("c", "b"))
        self.assertEqual(self.r.call("ZRANGE", "z", "1", "3", "BYSCORE",
                                     "REV"), [])
        self.assertEqual(self.r.call("ZRANGE", "z", "1", "5", "BYSCORE",
                                     "LIMIT", "1", "2", "WITHSCORES"),
                         flat(("b", "2"), ("c", "3")))
        self.assertEqual(self.r.call("ZRANGE", "z", "+inf", "-inf",
                                     "BYSCORE", "REV", "LIMIT", "1", "2"),
                         members("d", "c"))
        self.assertEqual(self.r.call("ZRANGE", "z", "1", "5", "BYSCORE",
                                     "LIMIT", "0", "-1"),
                         members("a", "b", "c", "d", "e"))
        self.assertEqual(self.r.call("ZRANGE", "z", "1", "5", "BYSCORE",
                                     "LIMIT", "-1", "2"), [])
        self.assertEqual(self.r.call("ZRANGE", "z", "1", "5", "BYSCORE",
                                     "LIMIT", "5", "2"), [])
        self.assertEqual(self.r.call("ZRANGE", "z", "1", "5", "BYSCORE",
                                     "LIMIT", "2", "0"), [])

    def test_zrangebyscore_forms(self):
        self.assertEqual(self.r.call("ZRANGEBYSCORE", "z", "2", "4"),
                         members("b", "c", "d"))
        self.assertEqual(self.r.call("ZRANGEBYSCORE", "z", "-inf", "+inf",
                                     "LIMIT", "0", "2", "WITHSCORES"),
                         flat(("a", "1"), ("b", "2")))
        self.assertEqual(self.r.call("ZREVRANGEBYSCORE", "z", "4", "2"),
                         members("d", "c", "b"))
        self.assertEqual(self.r.call("ZREVRANGEBYSCORE", "z", "2", "4"), [])
        self.assertEqual(self.r.call("ZREVRANGEBYSCORE", "z", "(5", "(1",
                                     "WITHSCORES", "LIMIT", "1", "1"),
                         flat(("c", "3")))
        self.assertError(self.r.call("ZRANGEBYSCORE", "z", "1", "2", "REV"),
                         SYNTAX)
        self.assertError(self.r.call("ZRANGEBYSCORE", "z", "1", "2",
                                     "BYSCORE"), SYNTAX)
        self.assertError(self.r.call("ZRANGEBYSCORE", "z", "x", "2"),
                         NOT_FLOAT_RANGE)
        self.assertError(self.r.call("ZRANGEBYSCORE", "z", "-inf"),
                         self.arity_error("zrangebyscore"))

    def test_by_lex(self):
        self.r.call("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d",
                    "0", "e")
        self.assertEqual(self.r.call("ZRANGE", "l", "[b", "(d", "BYLEX"),
                         members("b", "c"))
        self.assertEqual(self.r.call("ZRANGE", "l", "-", "+", "BYLEX",
                                     "LIMIT", "1", "2"), members("b", "c"))
        self.assertEqual(self.r.call("ZRANGE", "l", "+", "(c", "BYLEX",
                                     "REV"), members("e", "d"))
        self.assertEqual(self.r.call("ZRANGEBYLEX", "l", "(a", "[c"),
                         members("b", "c"))
        self.assertEqual(self.r.call("ZRANGEBYLEX", "l", "[", "+",
                                     "LIMIT", "3", "-1"), members("d", "e"))
        self.assertEqual(self.r.call("ZREVRANGEBYLEX", "l", "+", "-",
                                     "LIMIT", "1", "2"), members("d", "c"))
        self.assertEqual(self.r.call("ZRANGEBYLEX", "l", "+", "-"), [])
        self.assertError(self.r.call("ZRANGEBYLEX", "l", "a", "+"),
                         NOT_LEX_RANGE)
        self.assertError(self.r.call("ZRANGE", "l", "a", "c", "BYLEX"),
                         NOT_LEX_RANGE)

    def test_option_errors(self):
        self.assertError(self.r.call("ZRANGE", "z", "0", "-1", "LIMIT", "1",
                                     "1"),
                         "ERR syntax error, LIMIT is only supported in "
                         "combination with either BYSCORE or BYLEX")
        withscores_bylex = ("ERR syntax error, WITHSCORES not supported in "
                            "combination with BYLEX")
        self.assertError(self.r.call("ZRANGE", "z", "[a", "[c", "BYLEX",
                                     "WITHSCORES"), withscores_bylex)
        self.assertError(self.r.call("ZRANGEBYLEX", "z", "-", "+",
                                     "WITHSCORES"), withscores_bylex)
        self.assertError(self.r.call("ZRANGE", "z", "1", "3", "BYSCORE",
                                     "BYLEX"), SYNTAX)
        self.assertError(self.r.call("ZRANGE", "z", "1", "3", "BYSCORE",
                                     "LIMIT", "1"), SYNTAX)
        self.assertError(self.r.call("ZRANGE", "z", "1", "3", "BYSCORE",
                                     "LIMIT", "a", "1"), NOT_INT)
        self.assertError(self.r.call("ZRANGE", "z", "a", "3", "BYSCORE"),
                         NOT_FLOAT_RANGE)
        self.assertError(self.r.call("ZRANGE", "z", "a", "3"), NOT_INT)
        self.assertError(self.r.call("ZRANGE", "z", "0", "-1", "FOO"),
                         SYNTAX)
        self.assertError(self.r.call("ZRANGE", "z", "0"),
                         self.arity_error("zrange"))
        self.assertError(self.r.call("ZRANGE", "s", "0", "-1"),
                         self.wrongtype)
        # Options are checked before the key's type.
        self.assertError(self.r.call("ZRANGE", "s", "0", "-1", "FOO"),
                         SYNTAX)

    def test_zrangestore(self):
        self.assertInt(self.r.call("ZRANGESTORE", "dst", "z", "1", "2"), 2)
        self.assertEqual(self.all_with_scores("dst"),
                         flat(("b", "2"), ("c", "3")))
        self.assertInt(self.r.call("ZRANGESTORE", "dst", "z", "(4", "+inf",
                                   "BYSCORE"), 1)
        self.assertEqual(self.all_with_scores("dst"), flat(("e", "5")))
        self.assertInt(self.r.call("ZRANGESTORE", "dst", "z", "5", "1",
                                   "BYSCORE", "REV", "LIMIT", "0", "2"), 2)
        self.assertEqual(self.all_with_scores("dst"),
                         flat(("d", "4"), ("e", "5")))
        # An empty result deletes the destination.
        self.assertInt(self.r.call("ZRANGESTORE", "dst", "missing", "0",
                                   "-1"), 0)
        self.assertInt(self.r.call("EXISTS", "dst"), 0)
        # The destination may hold any type, and is overwritten.
        self.assertInt(self.r.call("ZRANGESTORE", "s", "z", "0", "0"), 1)
        self.assertSimple(self.r.call("TYPE", "s"), "zset")
        self.assertError(self.r.call("ZRANGESTORE", "dst", "z", "0", "-1",
                                     "WITHSCORES"), SYNTAX)
        self.r.call("SET", "str", "x")
        self.assertError(self.r.call("ZRANGESTORE", "dst", "str", "0", "-1"),
                         self.wrongtype)
        self.assertError(self.r.call("ZRANGESTORE", "dst", "z", "0"),
                         self.arity_error("zrangestore"))

    def test_zrangestore_same_key(self):
        self.assertInt(self.r.call("ZRANGESTORE", "z", "z", "0", "1"), 2)
        self.assertEqual(self.all_with_scores("z"),
                         flat(("a", "1"), ("b", "2")))


class RemoveTest(ZsetCase):

    def setUp(self):
        super().setUp()
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5))
        self.r.call("SET", "s", "x")

    def test_zrem(self):
        self.assertInt(self.r.call("ZREM", "z", "a", "x", "b", "a"), 2)
        self.assertEqual(self.r.call("ZRANGE", "z", "0", "-1"),
                         members("c", "d", "e"))
        self.assertInt(self.r.call("ZREM", "missing", "a"), 0)
        self.assertInt(self.r.call("ZREM", "z", "c", "d", "e"), 3)
        self.assertInt(self.r.call("EXISTS", "z"), 0)
        self.assertError(self.r.call("ZREM", "s", "a"), self.wrongtype)
        self.assertError(self.r.call("ZREM", "z"), self.arity_error("zrem"))

    def test_zremrangebyrank(self):
        self.assertInt(self.r.call("ZREMRANGEBYRANK", "z", "0", "0"), 1)
        self.assertInt(self.r.call("ZREMRANGEBYRANK", "z", "-2", "-1"), 2)
        self.assertEqual(self.r.call("ZRANGE", "z", "0", "-1"),
                         members("b", "c"))
        self.assertInt(self.r.call("ZREMRANGEBYRANK", "z", "5", "10"), 0)
        self.assertInt(self.r.call("ZREMRANGEBYRANK", "z", "1", "0"), 0)
        self.assertInt(self.r.call("ZREMRANGEBYRANK", "z", "-100", "100"), 2)
        self.assertInt(self.r.call("EXISTS", "z"), 0)
        self.assertInt(self.r.call("ZREMRANGEBYRANK", "missing", "0", "1"),
                       0)
        self.assertError(self.r.call("ZREMRANGEBYRANK", "z", "a", "0"),
                         NOT_INT)
        self.assertError(self.r.call("ZREMRANGEBYRANK", "s", "0", "1"),
                         self.wrongtype)

    def test_zremrangebyscore(self):
        self.assertInt(self.r.call("ZREMRANGEBYSCORE", "z", "(1", "3"), 2)
        self.assertInt(self.r.call("ZREMRANGEBYSCORE", "z", "4", "2"), 0)
        self.assertEqual(self.r.call("ZRANGE", "z", "0", "-1"),
                         members("a", "d", "e"))
        self.assertInt(self.r.call("ZREMRANGEBYSCORE", "z", "-inf", "inf"),
                       3)
        self.assertInt(self.r.call("EXISTS", "z"), 0)
        self.assertError(self.r.call("ZREMRANGEBYSCORE", "z", "x", "1"),
                         NOT_FLOAT_RANGE)
        self.assertError(self.r.call("ZREMRANGEBYSCORE", "s", "0", "1"),
                         self.wrongtype)

    def test_zremrangebylex(self):
        self.r.call("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d")
        self.assertInt(self.r.call("ZREMRANGEBYLEX", "l", "(a", "[c"), 2)
        self.assertEqual(self.r.call("ZRANGE", "l", "0", "-1"),
                         members("a", "d"))
        self.assertInt(self.r.call("ZREMRANGEBYLEX", "l", "-", "+"), 2)
        self.assertInt(self.r.call("EXISTS", "l"), 0)
        self.assertError(self.r.call("ZREMRANGEBYLEX", "l", "a", "+"),
                         NOT_LEX_RANGE)
        self.assertError(self.r.call("ZREMRANGEBYLEX", "s", "-", "+"),
                         self.wrongtype)


class PopTest(ZsetCase):

    def setUp(self):
        super().setUp()
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3))
        self.r.call("SET", "s", "x")

    def test_zpopmin_zpopmax(self):
        self.assertEqual(self.r.call("ZPOPMIN", "z"), flat(("a", "1")))
        self.assertEqual(self.r.call("ZPOPMAX", "z"), flat(("c", "3")))
        self.assertEqual(self.r.call("ZPOPMAX", "z", "5"), flat(("b", "2")))
        self.assertInt(self.r.call("EXISTS", "z"), 0)
        self.assertEqual(self.r.call("ZPOPMIN", "z"), [])
        self.assertEqual(self.r.last_raw, b"*0\r\n")

    def test_count(self):
        self.assertEqual(self.r.call("ZPOPMIN", "z", "2"),
                         flat(("a", "1"), ("b", "2")))
        self.assertEqual(self.r.call("ZPOPMIN", "z", "0"), [])
        self.assertInt(self.r.call("ZCARD", "z"), 1)

    def test_errors(self):
        self.assertError(self.r.call("ZPOPMIN", "z", "-1"),
                         "ERR value is out of range, must be positive")
        self.assertError(self.r.call("ZPOPMIN", "z", "x"),
                         "ERR value is out of range, must be positive")
        self.assertError(self.r.call("ZPOPMAX", "z", "1", "2"), SYNTAX)
        self.assertError(self.r.call("ZPOPMIN", "s"), self.wrongtype)
        self.assertError(self.r.call("ZPOPMIN"), self.arity_error("zpopmin"))

    def test_resp3(self):
        c = self.client(protocol=3)
        # Without a count: one flat pair; with a count: nested pairs.
        self.assertEqual(c.call_raw("ZPOPMIN", "z"),
                         b"*2\r\n$1\r\na\r\n,1\r\n")
        self.assertEqual(c.call_raw("ZPOPMAX", "z", "1"),
                         b"*1\r\n*2\r\n$1\r\nc\r\n,3\r\n")
        self.assertEqual(c.call_raw("ZPOPMIN", "missing"), b"*0\r\n")

    def test_zmpop(self):
        self.assertEqual(self.r.call("ZMPOP", "2", "missing", "z", "MIN",
                                     "COUNT", "2"),
                         [b"z", [members("a") + [b"1"],
                                 members("b") + [b"2"]]])
        self.assertEqual(self.r.call("ZMPOP", "1", "z", "max"),
                         [b"z", [[b"c", b"3"]]])
        self.assertInt(self.r.call("EXISTS", "z"), 0)
        self.assertIsNone(self.r.call("ZMPOP", "1", "z", "MIN"))
        self.assertEqual(self.r.last_raw, b"*-1\r\n")
        c = self.client(protocol=3)
        self.assertEqual(c.call_raw("ZMPOP", "1", "z", "MIN"), b"_\r\n")
        self.zadd("y", ("p", 1.5))
        self.assertEqual(c.call_raw("ZMPOP", "1", "y", "MIN", "COUNT", "9"),
                         b"*2\r\n$1\r\ny\r\n*1\r\n*2\r\n$1\r\np\r\n,1.5\r\n")

    def test_zmpop_errors(self):
        self.assertError(self.r.call("ZMPOP", "0", "z", "MIN"),
                         "ERR numkeys should be greater than 0")
        self.assertError(self.r.call("ZMPOP", "1", "z", "FOO"), SYNTAX)
        self.assertError(self.r.call("ZMPOP", "5", "z", "MIN"), SYNTAX)
        self.assertError(self.r.call("ZMPOP", "1", "z", "MIN", "COUNT", "0"),
                         "ERR count should be greater than 0")
        self.assertError(self.r.call("ZMPOP", "1", "z", "MIN", "COUNT", "x"),
                         "ERR count should be greater than 0")
        self.assertError(self.r.call("ZMPOP", "x", "z", "MIN"),
                         "ERR numkeys should be greater than 0")
        self.assertError(self.r.call("ZMPOP", "1", "z", "MIN", "COUNT", "1",
                                     "COUNT", "1"), SYNTAX)
        self.assertError(self.r.call("ZMPOP", "1", "z", "MIN", "COUNT"),
                         SYNTAX)
        self.assertError(self.r.call("ZMPOP", "2", "s", "z", "MIN"),
                         self.wrongtype)
        self.assertInt(self.r.call("ZCARD", "z"), 3)


class RandMemberTest(ZsetCase):

    def setUp(self):
        super().setUp()
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3))
        self.scores = {b"a": b"1", b"b": b"2", b"c": b"3"}

    def test_single(self):
        for _ in range(10):
            self.assertIn(self.r.call("ZRANDMEMBER", "z"), self.scores)
        self.assertIsNone(self.r.call("ZRANDMEMBER", "missing"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")
        c = self.client(protocol=3)
        self.assertEqual(c.call_raw("ZRANDMEMBER", "missing"), b"_\r\n")

    def test_distinct(self):
        got = self.r.call("ZRANDMEMBER", "z", "2")
        self.assertEqual(len(got), 2)
        self.assertEqual(len(set(got)), 2)
        self.assertTrue(set(got) <= set(self.scores))
        self.assertEqual(sorted(self.r.call("ZRANDMEMBER", "z", "10")),
                         [b"a", b"b", b"c"])
        self.assertEqual(self.r.call("ZRANDMEMBER", "z", "0"), [])
        self.assertEqual(self.r.call("ZRANDMEMBER", "missing", "3"), [])

    def test_repeats(self):
        got = self.r.call("ZRANDMEMBER", "z", "-20")
        self.assertEqual(len(got), 20)
        self.assertTrue(set(got) <= set(self.scores))

    def test_distinct_in_a_big_set(self):
        self.r.call("ZADD", "big", *[x for i in range(300)
                                     for x in (str(i), "m%d" % i)])
        for count in ("5", "250"):
            got = self.r.call("ZRANDMEMBER", "big", count)
            self.assertEqual(len(got), int(count))
            self.assertEqual(len(set(got)), int(count))

    def test_withscores(self):
        got = self.r.call("ZRANDMEMBER", "z", "-5", "WITHSCORES")
        self.assertEqual(len(got), 10)
        for i in range(0, 10, 2):
            self.assertEqual(self.scores[got[i]], got[i + 1])
        c = self.client(protocol=3)
        got = c.call("ZRANDMEMBER", "z", "2", "WITHSCORES")
        self.assertEqual(len(got), 2)
        for member, score in got:
            self.assertIsInstance(score, h.Double)
            self.assertEqual(score, float(self.scores[member]))

    def test_errors(self):
        self.assertError(self.r.call("ZRANDMEMBER", "z", "a"), NOT_INT)
        self.assertError(self.r.call("ZRANDMEMBER", "z", "1", "foo"), SYNTAX)
        self.assertError(self.r.call("ZRANDMEMBER", "z", "1", "WITHSCORES",
                                     "x"), SYNTAX)
        self.assertError(self.r.call("ZRANDMEMBER", "z",
                                     "-9223372036854775808"),
                         "ERR value is out of range, value must between "
                         "-9223372036854775807 and 9223372036854775807")
        self.assertError(self.r.call("ZRANDMEMBER", "z",
                                     "4611686018427387904", "WITHSCORES"),
                         "ERR value is out of range")
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("ZRANDMEMBER", "s"), self.wrongtype)


class ZScanTest(ZsetCase):

    def scan_all(self, key, *options):
        cursor, seen, calls = b"0", [], 0
        while True:
            cursor, items = self.r.call("ZSCAN", key, cursor, *options)
            self.assertEqual(len(items) % 2, 0)
            seen += [(items[i], items[i + 1])
                     for i in range(0, len(items), 2)]
            calls += 1
            self.assertLess(calls, 10000)
            if cursor == b"0":
                return seen, calls

    def test_small(self):
        self.zadd("z", ("a", 1), ("b", 2.5), ("c", "inf"))
        self.assertEqual(self.r.call("ZSCAN", "z", "0"),
                         [b"0", flat(("a", "1"), ("b", "2.5"),
                                     ("c", "inf"))])
        self.assertEqual(self.r.call("ZSCAN", "z", "0", "MATCH", "[ab]",
                                     "COUNT", "1"),
                         [b"0", flat(("a", "1"), ("b", "2.5"))])
        self.assertEqual(self.r.call("ZSCAN", "missing", "0"), [b"0", []])
        # Scores are bulk strings in RESP3 too.
        c = self.client(protocol=3)
        self.assertEqual(c.call_raw("ZSCAN", "z", "0", "COUNT", "5"),
                         b"*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n"
                         b"$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nc\r\n$3\r\ninf\r\n")

    def test_big(self):
        n = 1000
        self.r.call("ZADD", "big", *[x for i in range(n)
                                     for x in (str(i % 7), "m%d" % i)])
        seen, calls = self.scan_all("big", "COUNT", "50")
        self.assertGreater(calls, 1)
        self.assertEqual(dict(seen),
                         {("m%d" % i).encode(): str(i % 7).encode()
                          for i in range(n)})
        seen, _ = self.scan_all("big", "MATCH", "m1?")
        self.assertEqual(sorted(m for m, _ in seen),
                         sorted(("m1%d" % i).encode() for i in range(10)))

    def test_members_kept_during_scan_are_seen(self):
        n = 600
        self.r.call("ZADD", "big", *[x for i in range(n)
                                     for x in (str(i), "m%d" % i)])
        cursor, seen = b"0", set()
        removed = 0
        while True:
            cursor, items = self.r.call("ZSCAN", "big", cursor, "COUNT", "20")
            seen |= set(items[0::2])
            # Remove low members meanwhile; the rest must all show up.
            if removed < 200:
                self.r.call("ZREM", "big",
                            *["m%d" % i for i in range(removed, removed + 20)])
                removed += 20
            if cursor == b"0":
                break
        for i in range(200, n):
            self.assertIn(("m%d" % i).encode(), seen)

    def test_errors(self):
        self.zadd("z", ("a", 1))
        self.assertError(self.r.call("ZSCAN", "z", "x"), "ERR invalid cursor")
        self.assertError(self.r.call("ZSCAN", "z", "0", "COUNT", "0"), SYNTAX)
        self.assertError(self.r.call("ZSCAN", "z", "0", "COUNT", "x"),
                         NOT_INT)
        self.assertError(self.r.call("ZSCAN", "z", "0", "MATCH"), SYNTAX)
        self.assertError(self.r.call("ZSCAN", "z", "0", "TYPE", "zset"),
                         SYNTAX)
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("ZSCAN", "s", "0"), self.wrongtype)


class SetOperationTest(ZsetCase):

    def setUp(self):
        super().setUp()
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3))
        self.zadd("y", ("b", 10), ("c", 20), ("d", 30))
        self.r.call("SET", "s", "x")

    def test_zunionstore(self):
        self.assertInt(self.r.call("ZUNIONSTORE", "d", "2", "z", "y"), 4)
        self.assertEqual(self.all_with_scores("d"),
                         flat(("a", "1"), ("b", "12"), ("c", "23"),
                              ("d", "30")))
        self.assertInt(self.r.call("ZUNIONSTORE", "d", "2", "z", "y",
                                   "WEIGHTS", "2", "3", "AGGREGATE", "MAX"),
                       4)
        self.assertEqual(self.all_with_scores("d"),
                         flat(("a", "2"), ("b", "30"), ("c", "60"),
                              ("d", "90")))
        self.assertInt(self.r.call("ZUNIONSTORE", "d", "3", "z", "missing",
                                   "y", "AGGREGATE", "min"), 4)
        self.assertEqual(self.all_with_scores("d"),
                         flat(("a", "1"), ("b", "2"), ("c", "3"),
                              ("d", "30")))

    def test_zinterstore(self):
        self.assertInt(self.r.call("ZINTERSTORE", "d", "2", "z", "y"), 2)
        self.assertEqual(self.all_with_scores("d"),
                         flat(("b", "12"), ("c", "23")))
        self.assertInt(self.r.call("ZINTERSTORE", "d", "2", "z", "y",
                                   "WEIGHTS", "1", "inf"), 2)
        self.assertEqual(self.all_with_scores("d"),
                         flat(("b", "inf"), ("c", "inf")))
        # An empty result deletes the destination.
        self.assertInt(self.r.call("ZINTERSTORE", "d", "2", "z", "missing"),
                       0)
        self.assertInt(self.r.call("EXISTS", "d"), 0)

    def test_inf_sum_and_zero_weight(self):
        self.zadd("p", ("a", "inf"))
        self.zadd("n", ("a", "-inf"))
        self.assertEqual(self.r.call("ZUNION", "2", "p", "n", "WITHSCORES"),
                         flat(("a", "0")))
        self.assertEqual(self.r.call("ZUNION", "1", "p", "WEIGHTS", "0",
                                     "WITHSCORES"), flat(("a", "0")))

    def test_destination_is_an_input_or_another_type(self):
        self.r.call("EXPIRE", "z", "100")
        self.assertInt(self.r.call("ZUNIONSTORE", "z", "2", "z", "y"), 4)
        self.assertEqual(self.r.call("ZSCORE", "z", "b"), b"12")
        self.assertInt(self.r.call("TTL", "z"), -1)
        self.assertInt(self.r.call("ZUNIONSTORE", "s", "1", "y"), 3)
        self.assertSimple(self.r.call("TYPE", "s"), "zset")

    def test_plain_sets_as_inputs(self):
        self.require("SADD", "set", "a", "d", "x")
        self.assertEqual(self.r.call("ZUNION", "2", "z", "set", "WITHSCORES"),
                         flat(("d", "1"), ("x", "1"), ("a", "2"), ("b", "2"),
                              ("c", "3")))
        self.assertEqual(self.r.call("ZINTER", "2", "set", "y",
                                     "WITHSCORES"), flat(("d", "31")))
        self.assertEqual(self.r.call("ZDIFF", "2", "set", "z"),
                         members("d", "x"))

    def test_zunion_zinter_zdiff(self):
        self.assertEqual(self.r.call("ZUNION", "2", "z", "y"),
                         members("a", "b", "c", "d"))
        self.assertEqual(self.r.call("ZINTER", "2", "z", "y",
                                     "AGGREGATE", "MIN", "WITHSCORES"),
                         flat(("b", "2"), ("c", "3")))
        self.assertEqual(self.r.call("ZDIFF", "2", "z", "y", "WITHSCORES"),
                         flat(("a", "1")))
        self.assertEqual(self.r.call("ZDIFF", "1", "z"),
                         members("a", "b", "c"))
        self.assertEqual(self.r.call("ZDIFF", "2", "z", "z"), [])
        self.assertEqual(self.r.call("ZDIFF", "2", "missing", "z"), [])
        self.assertEqual(self.r.call("ZINTER", "2", "z", "missing"), [])
        c = self.client(protocol=3)
        self.assertEqual(c.call_raw("ZINTER", "2", "z", "y", "WITHSCORES"),
                         b"*2\r\n*2\r\n$1\r\nb\r\n,12\r\n"
                         b"*2\r\n$1\r\nc\r\n,23\r\n")

    def test_zdiffstore(self):
        self.assertInt(self.r.call("ZDIFFSTORE", "d", "2", "y", "z"), 1)
        self.assertEqual(self.all_with_scores("d"), flat(("d", "30")))
        self.assertInt(self.r.call("ZDIFFSTORE", "d", "2", "z", "z"), 0)
        self.assertInt(self.r.call("EXISTS", "d"), 0)

    def test_zintercard(self):
        self.assertInt(self.r.call("ZINTERCARD", "2", "z", "y"), 2)
        self.assertInt(self.r.call("ZINTERCARD", "2", "z", "y", "LIMIT",
                                   "1"), 1)
        self.assertInt(self.r.call("ZINTERCARD", "2", "z", "y", "LIMIT",
                                   "0"), 2)
        self.assertError(self.r.call("ZINTERCARD", "2", "z", "y", "LIMIT",
                                     "-1"), "ERR LIMIT can't be negative")
        self.assertError(self.r.call("ZINTERCARD", "2", "z", "y", "LIMIT",
                                     "x"), "ERR LIMIT can't be negative")
        self.assertError(self.r.call("ZINTERCARD", "2", "z", "y",
                                     "WITHSCORES"), SYNTAX)

    def test_errors(self):
        for cmd in ("zunionstore", "zinterstore", "zdiffstore"):
            self.assertError(
                self.r.call(cmd, "d", "0", "z"),
                "ERR at least 1 input key is needed for '%s' command" % cmd)
            self.assertError(self.r.call(cmd, "d", "3", "z", "y"), SYNTAX)
            self.assertError(self.r.call(cmd, "d", "x", "z"), NOT_INT)
            self.assertError(self.r.call(cmd, "d", "2", "z", "s"),
                             self.wrongtype)
        for cmd in ("zunion", "zinter", "zdiff", "zintercard"):
            self.assertError(
                self.r.call(cmd, "-1", "z"),
                "ERR at least 1 input key is needed for '%s' command" % cmd)
        self.assertError(self.r.call("ZUNIONSTORE", "d", "2", "z", "y",
                                     "WEIGHTS", "1"), SYNTAX)
        self.assertError(self.r.call("ZUNIONSTORE", "d", "2", "z", "y",
                                     "WEIGHTS", "1", "a"),
                         "ERR weight value is not a float")
        self.assertError(self.r.call("ZUNIONSTORE", "d", "2", "z", "y",
                                     "AGGREGATE", "foo"), SYNTAX)
        self.assertError(self.r.call("ZUNIONSTORE", "d", "2", "z", "y",
                                     "AGGREGATE"), SYNTAX)
        self.assertError(self.r.call("ZUNIONSTORE", "d", "2", "z", "y",
                                     "WITHSCORES"), SYNTAX)
        self.assertError(self.r.call("ZDIFF", "2", "z", "y", "WEIGHTS", "1",
                                     "1"), SYNTAX)
        self.assertError(self.r.call("ZUNIONSTORE", "d", "1"),
                         self.arity_error("zunionstore"))
        self.assertInt(self.r.call("EXISTS", "d"), 0)


class BlockingTest(ZsetCase):

    def test_pops_at_once_when_there_is_something(self):
        self.zadd("z", ("a", 1), ("b", 2))
        self.assertEqual(self.r.call("BZPOPMIN", "missing", "z", "0"),
                         [b"z", b"a", b"1"])
        self.assertEqual(self.r.call("BZPOPMAX", "z", "0"),
                         [b"z", b"b", b"2"])
        self.assertInt(self.r.call("EXISTS", "z"), 0)
        c = self.client(protocol=3)
        self.zadd("z", ("a", 1.5))
        self.assertEqual(c.call_raw("BZPOPMIN", "z", "0"),
                         b"*3\r\n$1\r\nz\r\n$1\r\na\r\n,1.5\r\n")

    def test_timeout(self):
        start = time.monotonic()
        self.assertIsNone(self.r.call("BZPOPMIN", "z", "0.1"))
        self.assertEqual(self.r.last_raw, b"*-1\r\n")
        self.assertGreaterEqual(time.monotonic() - start, 0.09)
        c = self.client(protocol=3)
        self.assertEqual(c.call_raw("BZPOPMAX", "z", "0.05"), b"_\r\n")

    def test_served_by_zadd(self):
        b = self.client()
        b.send("BZPOPMIN", "z1", "z2", "5")
        self.wait_blocked(1)
        self.assertInt(self.r.call("ZADD", "z2", "3", "c", "1", "a"), 2)
        self.assertEqual(b.read_reply(), [b"z2", b"a", b"1"])
        self.assertEqual(self.all_with_scores("z2"), flat(("c", "3")))
        self.assertEqual(self.blocked_count(), 0)

    def test_served_in_order_of_blocking(self):
        first, second = self.client(), self.client(protocol=3)
        first.send("BZPOPMAX", "z", "5")
        self.wait_blocked(1)
        second.send("BZPOPMAX", "z", "5")
        self.wait_blocked(2)
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3))
        self.assertEqual(first.read_reply(), [b"z", b"c", b"3"])
        self.assertEqual(second.read_reply(), [b"z", b"b", 2.0])
        self.assertEqual(second.last_raw,
                         b"*3\r\n$1\r\nz\r\n$1\r\nb\r\n,2\r\n")
        self.assertEqual(self.r.call("ZRANGE", "z", "0", "-1"), [b"a"])

    def test_served_by_zincrby_and_zunionstore(self):
        b = self.client()
        b.send("BZPOPMIN", "z", "5")
        self.wait_blocked(1)
        self.assertBulk(self.r.call("ZINCRBY", "z", "7", "m"), "7")
        self.assertEqual(b.read_reply(), [b"z", b"m", b"7"])
        self.assertInt(self.r.call("EXISTS", "z"), 0)
        b.send("BZPOPMAX", "z", "5")
        self.wait_blocked(1)
        self.zadd("src", ("x", 1), ("y", 2))
        self.assertInt(self.r.call("ZUNIONSTORE", "z", "1", "src"), 2)
        self.assertEqual(b.read_reply(), [b"z", b"y", b"2"])

    def test_each_member_to_one_client(self):
        clients = [self.client() for _ in range(5)]
        for i, c in enumerate(clients):
            c.send("BZPOPMIN", "other", "z", "5")
            self.wait_blocked(i + 1)
        self.assertInt(self.r.call("ZADD", "z", "1", "a", "2", "b", "3", "c",
                                   "4", "d", "5", "e", "6", "f"), 6)
        got = [c.read_reply() for c in clients]
        self.assertEqual(got, [[b"z", m.encode(), str(i + 1).encode()]
                               for i, m in enumerate("abcde")])
        self.assertEqual(self.all_with_scores("z"), flat(("f", "6")))

    def test_disconnected_client_takes_nothing(self):
        b = self.client()
        b.send("BZPOPMIN", "z", "0")
        self.wait_blocked(1)
        b.close()
        self.wait_blocked(0)
        self.r.call("ZADD", "z", "1", "a")
        self.assertInt(self.r.call("ZCARD", "z"), 1)

    def test_wrong_type(self):
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("BZPOPMIN", "missing", "s", "0"),
                         self.wrongtype)
        self.zadd("z", ("a", 1))
        # A sorted set before the wrong-typed key is popped.
        self.assertEqual(self.r.call("BZPOPMIN", "z", "s", "0"),
                         [b"z", b"a", b"1"])

    def test_not_served_by_another_type(self):
        b = self.client()
        b.send("BZPOPMIN", "k", "0.3")
        self.wait_blocked(1)
        self.r.call("SET", "k", "x")
        self.assertIsNone(b.read_reply())

    def test_timeout_errors(self):
        self.assertError(self.r.call("BZPOPMIN", "z", "-1"),
                         "ERR timeout is negative")
        self.assertError(self.r.call("BZPOPMIN", "z", "abc"),
                         "ERR timeout is not a float or out of range")
        self.assertError(self.r.call("BZPOPMIN", "z"),
                         self.arity_error("bzpopmin"))

    def test_inside_multi_does_not_block(self):
        self.assertOk(self.r.call("MULTI"))
        self.assertSimple(self.r.call("BZPOPMIN", "z", "0"), "QUEUED")
        self.assertSimple(self.r.call("ZADD", "z", "1", "a"), "QUEUED")
        self.assertSimple(self.r.call("BZPOPMAX", "z", "0"), "QUEUED")
        self.assertEqual(self.r.call("EXEC"),
                         [None, 1, [b"z", b"a", b"1"]])

    def test_bzmpop(self):
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3))
        self.assertEqual(self.r.call("BZMPOP", "0", "2", "missing", "z",
                                     "MAX", "COUNT", "2"),
                         [b"z", [[b"c", b"3"], [b"b", b"2"]]])
        self.assertIsNone(self.r.call("BZMPOP", "0.05", "1", "missing",
                                      "MIN"))
        self.assertEqual(self.r.last_raw, b"*-1\r\n")
        b = self.client(protocol=3)
        b.send("BZMPOP", "5", "1", "w", "MIN", "COUNT", "10")
        self.wait_blocked(1)
        self.zadd("w", ("p", 1), ("q", 2))
        self.assertEqual(b.read_reply(), [b"w", [[b"p", 1.0], [b"q", 2.0]]])
        self.assertInt(self.r.call("EXISTS", "w"), 0)

    def test_bzmpop_errors(self):
        self.assertError(self.r.call("BZMPOP", "0", "0", "z", "MIN"),
                         "ERR numkeys should be greater than 0")
        self.assertError(self.r.call("BZMPOP", "0", "1", "z", "LEFT"), SYNTAX)
        self.assertError(self.r.call("BZMPOP", "-1", "1", "z", "MIN"),
                         "ERR timeout is negative")
        self.assertError(self.r.call("BZMPOP", "0", "1", "z", "MIN", "COUNT",
                                     "-2"),
                         "ERR count should be greater than 0")


class NotificationTest(ZsetCase):

    def listen(self):
        self.config_set("notify-keyspace-events", "KEA")
        s = self.client()
        s.call("PSUBSCRIBE", "__keyevent@*__:*")
        s.call("SUBSCRIBE", "sync")
        return s

    def events(self, s, *commands):
        """Runs the commands; the (event, key) notifications they caused."""
        self.until_marker(s)  # events of earlier commands
        for c in commands:
            self.r.call(*c)
        return self.until_marker(s)

    def until_marker(self, s):
        # A marker published after some commands arrives after their
        # events.
        self.r.call("PUBLISH", "sync", "marker")
        out = []
        while True:
            m = s.read_push(5.0)
            self.assertIsNotNone(m, "no marker")
            if m[0] == b"message":
                return out
            out.append((m[2].decode().split(":", 1)[1], m[3].decode()))

    def test_add_incr_rem(self):
        s = self.listen()
        self.assertEqual(
            self.events(s, ("ZADD", "z", "1", "a", "2", "b"),
                        ("ZADD", "z", "1", "a"),  # no change: no event
                        ("ZADD", "z", "NX", "5", "a"),
                        ("ZADD", "z", "INCR", "1", "a"),
                        ("ZINCRBY", "z", "1", "b"),
                        ("ZREM", "z", "x"),
                        ("ZREM", "z", "a"),
                        ("ZREM", "z", "b")),
            [("zadd", "z"), ("zincr", "z"), ("zincr", "z"), ("zrem", "z"),
             ("zrem", "z"), ("del", "z")])

    def test_remove_ranges(self):
        s = self.listen()
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3), ("d", 4))
        self.assertEqual(
            self.events(s, ("ZREMRANGEBYSCORE", "z", "10", "20"),
                        ("ZREMRANGEBYSCORE", "z", "1", "1"),
                        ("ZREMRANGEBYRANK", "z", "0", "0"),
                        ("ZREMRANGEBYLEX", "z", "-", "+")),
            [("zremrangebyscore", "z"), ("zremrangebyrank", "z"),
             ("zremrangebylex", "z"), ("del", "z")])

    def test_pops(self):
        s = self.listen()
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3), ("d", 4))
        self.assertEqual(
            self.events(s, ("ZPOPMIN", "z", "2"), ("ZPOPMAX", "z"),
                        ("ZMPOP", "1", "z", "MAX"), ("ZPOPMIN", "z")),
            [("zpopmin", "z"), ("zpopmax", "z"), ("zpopmax", "z"),
             ("del", "z")])
        self.zadd("z", ("a", 1))
        self.assertEqual(self.events(s, ("BZPOPMIN", "z", "0")),
                         [("zpopmin", "z"), ("del", "z")])

    def test_served_blocked_pop(self):
        s = self.listen()
        b = self.client()
        b.send("BZPOPMAX", "z", "5")
        self.wait_blocked(1)
        self.assertEqual(self.events(s, ("ZADD", "z", "1", "a")),
                         [("zadd", "z"), ("zpopmax", "z"), ("del", "z")])
        self.assertEqual(b.read_reply(), [b"z", b"a", b"1"])

    def test_stores(self):
        s = self.listen()
        self.zadd("z", ("a", 1))
        self.zadd("d", ("x", 1))
        self.assertEqual(
            self.events(s, ("ZUNIONSTORE", "u", "1", "z"),
                        ("ZINTERSTORE", "u", "1", "z"),
                        ("ZDIFFSTORE", "u", "1", "z"),
                        ("ZRANGESTORE", "u", "z", "0", "-1"),
                        ("ZINTERSTORE", "d", "2", "z", "missing"),
                        ("ZINTERSTORE", "d", "2", "z", "missing")),
            [("zunionstore", "u"), ("zinterstore", "u"), ("zdiffstore", "u"),
             ("zrangestore", "u"), ("del", "d")])

    def test_failed_commands_send_nothing(self):
        self.r.call("SET", "str", "x")
        s = self.listen()
        self.assertEqual(
            self.events(s, ("ZADD", "str", "1", "a"),
                        ("ZADD", "z", "XX", "1", "a"),
                        ("ZREM", "missing", "a"),
                        ("ZPOPMIN", "missing"),
                        ("ZREMRANGEBYRANK", "missing", "0", "-1"),
                        ("ZINCRBY", "z", "x", "a")),
            [])


class WatchTest(ZsetCase):

    def exec_after(self, *command):
        """WATCH z, run `command` from another client, then MULTI/EXEC."""
        self.r.call("WATCH", "z")
        other = self.client()
        other.call(*command)
        self.r.call("MULTI")
        self.r.call("PING")
        return self.r.call("EXEC")

    def test_change_aborts(self):
        self.zadd("z", ("a", 1), ("b", 2))
        for command in (("ZADD", "z", "5", "a"), ("ZINCRBY", "z", "1", "a"),
                        ("ZREM", "z", "a"), ("ZPOPMIN", "z"),
                        ("ZREMRANGEBYRANK", "z", "0", "0"),
                        ("ZUNIONSTORE", "z", "1", "z")):
            self.zadd("z", ("a", 1), ("b", 2))
            self.assertIsNone(self.exec_after(*command), command)

    def test_no_change_does_not_abort(self):
        self.zadd("z", ("a", 1))
        for command in (("ZADD", "z", "1", "a"), ("ZADD", "z", "NX", "2", "a"),
                        ("ZREM", "z", "x"), ("ZINCRBY", "z", "0", "a"),
                        ("ZRANGE", "z", "0", "-1"),
                        ("ZREMRANGEBYSCORE", "z", "5", "6")):
            self.assertEqual(self.exec_after(*command), ["PONG"], command)


if __name__ == "__main__":
    h.main()
