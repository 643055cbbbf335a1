# Copyright 2026 The Colony Authors.
"""List commands: pushes, pops, ranges, edits, moves, LPOS and LMPOP, and
the blocking pops (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP) with their
timeouts, serving order, MULTI and disconnects, with Redis 7.0's replies
and error strings."""

import socket
import time

import kv_harness as h

NOT_INT = "ERR value is not an integer or out of range"
SYNTAX = "ERR syntax error"
MUST_BE_POSITIVE = "ERR value is out of range, must be positive"
NUMKEYS = "ERR numkeys should be greater than 0"
COUNT_POSITIVE = "ERR count should be greater than 0"
NOT_FLOAT = "ERR timeout is not a float or out of range"
NEGATIVE = "ERR timeout is negative"
RANK_ZERO = ("ERR RANK can't be zero: use 1 to start from the first match, "
             "2 from the second ... or use negative to start from the end "
             "of the list")


class ListCase(h.KvTestCase):

    def rpush(self, key, *items):
        return self.r.call("RPUSH", key, *items)

    def lrange(self, key):
        return self.r.call("LRANGE", key, "0", "-1")

    def assertList(self, key, items):
        self.assertEqual(self.lrange(key), [i.encode() if isinstance(i, str)
                                            else i for i in items])


class PushTest(ListCase):

    def test_lpush_and_rpush_order(self):
        self.assertInt(self.r.call("RPUSH", "l", "a", "b"), 2)
        self.assertInt(self.r.call("LPUSH", "l", "x", "y"), 4)
        self.assertInt(self.r.call("RPUSH", "l", "z"), 5)
        self.assertList("l", ["y", "x", "a", "b", "z"])
        self.assertSimple(self.r.call("TYPE", "l"), "list")

    def test_binary_and_empty_elements(self):
        blob = bytes(range(256))
        self.assertInt(self.r.call("RPUSH", "l", blob, "", "\r\n"), 3)
        self.assertList("l", [blob, b"", b"\r\n"])

    def test_pushx_only_on_existing(self):
        self.assertInt(self.r.call("LPUSHX", "l", "a"), 0)
        self.assertInt(self.r.call("RPUSHX", "l", "a", "b"), 0)
        self.assertInt(self.r.call("EXISTS", "l"), 0)
        self.rpush("l", "m")
        self.assertInt(self.r.call("LPUSHX", "l", "a", "b"), 3)
        self.assertInt(self.r.call("RPUSHX", "l", "y", "z"), 5)
        self.assertList("l", ["b", "a", "m", "y", "z"])

    def test_wrong_type(self):
        self.r.call("SET", "s", "x")
        for c in ("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"):
            self.assertError(self.r.call(c, "s", "a"), self.wrongtype)
        self.assertBulk(self.r.call("GET", "s"), "x")

    def test_arity(self):
        for c in ("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"):
            self.assertError(self.r.call(c, "l"), self.arity_error(c.lower()))

    def test_push_replaces_expired_key(self):
        self.r.call("SET", "l", "x", "PX", "20")
        time.sleep(0.06)
        self.assertInt(self.r.call("RPUSH", "l", "a"), 1)
        self.assertInt(self.r.call("TTL", "l"), -1)

    def test_many_elements(self):
        items = [str(i) for i in range(1000)]
        self.assertInt(self.r.call("RPUSH", "l", *items), 1000)
        self.assertInt(self.r.call("LLEN", "l"), 1000)
        self.assertEqual(self.lrange("l"), [i.encode() for i in items])


class PopTest(ListCase):

    def test_pop_one(self):
        self.rpush("l", "a", "b", "c")
        self.assertBulk(self.r.call("LPOP", "l"), "a")
        self.assertBulk(self.r.call("RPOP", "l"), "c")
        self.assertList("l", ["b"])

    def test_last_pop_deletes_key(self):
        self.rpush("l", "a")
        self.assertBulk(self.r.call("RPOP", "l"), "a")
        self.assertInt(self.r.call("EXISTS", "l"), 0)

    def test_missing_key(self):
        self.assertIsNone(self.r.call("LPOP", "l"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")
        self.assertIsNone(self.r.call("RPOP", "l", "2"))
        self.assertEqual(self.r.last_raw, b"*-1\r\n")
        self.assertIsNone(self.r.call("LPOP", "l", "0"))
        self.assertEqual(self.r.last_raw, b"*-1\r\n")

    def test_missing_key_resp3(self):
        c = self.client(protocol=3)
        self.assertIsNone(c.call("LPOP", "l"))
        self.assertEqual(c.last_raw, b"_\r\n")
        self.assertIsNone(c.call("RPOP", "l", "3"))
        self.assertEqual(c.last_raw, b"_\r\n")

    def test_count(self):
        self.rpush("l", "a", "b", "c", "d", "e")
        self.assertEqual(self.r.call("LPOP", "l", "2"), [b"a", b"b"])
        self.assertEqual(self.r.call("RPOP", "l", "2"), [b"e", b"d"])
        self.assertEqual(self.r.call("LPOP", "l", "1"), [b"c"])
        self.assertInt(self.r.call("EXISTS", "l"), 0)

    def test_count_larger_than_list(self):
        self.rpush("l", "a", "b")
        self.assertEqual(self.r.call("RPOP", "l", "10"), [b"b", b"a"])
        self.assertInt(self.r.call("EXISTS", "l"), 0)

    def test_count_zero(self):
        self.rpush("l", "a")
        self.assertEqual(self.r.call("LPOP", "l", "0"), [])
        self.assertEqual(self.r.last_raw, b"*0\r\n")
        self.assertList("l", ["a"])

    def test_count_errors(self):
        self.rpush("l", "a")
        for bad in ("-1", "abc", "1.5", ""):
            self.assertError(self.r.call("LPOP", "l", bad), MUST_BE_POSITIVE)
        self.assertError(self.r.call("LPOP", "missing", "-1"),
                         MUST_BE_POSITIVE)
        self.assertError(self.r.call("RPOP", "l", "1", "2"),
                         self.arity_error("rpop"))
        self.assertError(self.r.call("LPOP"), self.arity_error("lpop"))
        self.assertList("l", ["a"])

    def test_wrong_type(self):
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("LPOP", "s"), self.wrongtype)
        self.assertError(self.r.call("RPOP", "s", "0"), self.wrongtype)


class ReadTest(ListCase):

    def setUp(self):
        super().setUp()
        self.rpush("l", "a", "b", "c", "d", "e")

    def test_llen(self):
        self.assertInt(self.r.call("LLEN", "l"), 5)
        self.assertInt(self.r.call("LLEN", "missing"), 0)
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("LLEN", "s"), self.wrongtype)

    def test_lrange(self):
        cases = [(("0", "-1"), "abcde"), (("1", "2"), "bc"),
                 (("-2", "-1"), "de"), (("-100", "1"), "ab"),
                 (("3", "100"), "de"), (("2", "1"), ""), (("5", "10"), ""),
                 (("-1", "-2"), ""), (("0", "0"), "a"),
                 (("-9223372036854775808", "9223372036854775807"), "abcde"),
                 (("-6", "-6"), ""), (("4", "4"), "e")]
        for (start, stop), want in cases:
            self.assertEqual(self.r.call("LRANGE", "l", start, stop),
                             [c.encode() for c in want], (start, stop))

    def test_lrange_empty_reply_bytes(self):
        self.assertEqual(self.r.call("LRANGE", "missing", "0", "-1"), [])
        self.assertEqual(self.r.last_raw, b"*0\r\n")

    def test_lrange_errors(self):
        self.assertError(self.r.call("LRANGE", "l", "a", "1"), NOT_INT)
        self.assertError(self.r.call("LRANGE", "missing", "0", "x"), NOT_INT)
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("LRANGE", "s", "0", "1"), self.wrongtype)
        # The indexes are read before the key.
        self.assertError(self.r.call("LRANGE", "s", "0", "x"), NOT_INT)

    def test_lindex(self):
        for i, want in (("0", "a"), ("4", "e"), ("-1", "e"), ("-5", "a")):
            self.assertBulk(self.r.call("LINDEX", "l", i), want)
        for i in ("5", "-6", "9223372036854775807", "-9223372036854775808"):
            self.assertIsNone(self.r.call("LINDEX", "l", i))
            self.assertEqual(self.r.last_raw, b"$-1\r\n")

    def test_lindex_errors(self):
        self.assertError(self.r.call("LINDEX", "l", "x"), NOT_INT)
        # A missing key answers null before the index is read.
        self.assertIsNone(self.r.call("LINDEX", "missing", "x"))
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("LINDEX", "s", "x"), self.wrongtype)

    def test_lindex_resp3_null(self):
        c = self.client(protocol=3)
        self.assertIsNone(c.call("LINDEX", "l", "10"))
        self.assertEqual(c.last_raw, b"_\r\n")

    def test_keyspace_hits_and_misses(self):
        self.assertOk(self.r.call("CONFIG", "RESETSTAT"))
        self.r.call("LLEN", "l")
        self.r.call("LRANGE", "l", "0", "1")
        self.r.call("LINDEX", "missing", "0")

        def stat(name):
            for line in self.r.call("INFO", "stats").decode().split("\r\n"):
                if line.startswith(name + ":"):
                    return int(line.split(":")[1])
        self.assertEqual(stat("keyspace_hits"), 2)
        self.assertEqual(stat("keyspace_misses"), 1)


class EditTest(ListCase):

    def test_lset(self):
        self.rpush("l", "a", "b", "c")
        self.assertOk(self.r.call("LSET", "l", "1", "B"))
        self.assertOk(self.r.call("LSET", "l", "-1", "C"))
        self.assertOk(self.r.call("LSET", "l", "0", b"\x00\xff"))
        self.assertList("l", [b"\x00\xff", "B", "C"])

    def test_lset_errors(self):
        self.rpush("l", "a")
        self.assertError(self.r.call("LSET", "l", "1", "x"),
                         "ERR index out of range")
        self.assertError(self.r.call("LSET", "l", "-2", "x"),
                         "ERR index out of range")
        self.assertError(self.r.call("LSET", "l", "x", "x"), NOT_INT)
        self.assertError(self.r.call("LSET", "missing", "0", "x"),
                         "ERR no such key")
        self.assertError(self.r.call("LSET", "missing", "x", "x"),
                         "ERR no such key")
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("LSET", "s", "0", "x"), self.wrongtype)
        self.assertList("l", ["a"])

    def test_linsert(self):
        self.rpush("l", "a", "b", "a")
        self.assertInt(self.r.call("LINSERT", "l", "BEFORE", "a", "x"), 4)
        self.assertInt(self.r.call("LINSERT", "l", "after", "a", "y"), 5)
        self.assertInt(self.r.call("LINSERT", "l", "AFTER", "b", "z"), 6)
        self.assertList("l", ["x", "a", "y", "b", "z", "a"])

    def test_linsert_misses(self):
        self.rpush("l", "a")
        self.assertInt(self.r.call("LINSERT", "l", "BEFORE", "q", "x"), -1)
        self.assertInt(self.r.call("LINSERT", "missing", "BEFORE", "a", "x"),
                       0)
        self.assertInt(self.r.call("EXISTS", "missing"), 0)
        self.assertList("l", ["a"])

    def test_linsert_errors(self):
        self.rpush("l", "a")
        self.assertError(self.r.call("LINSERT", "l", "MIDDLE", "a", "x"),
                         SYNTAX)
        self.assertError(self.r.call("LINSERT", "missing", "MIDDLE", "a",
                                     "x"), SYNTAX)
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("LINSERT", "s", "BEFORE", "a", "x"),
                         self.wrongtype)
        self.assertError(self.r.call("LINSERT", "l", "BEFORE", "a"),
                         self.arity_error("linsert"))

    def test_lrem_from_head(self):
        self.rpush("l", "a", "b", "a", "c", "a")
        self.assertInt(self.r.call("LREM", "l", "2", "a"), 2)
        self.assertList("l", ["b", "c", "a"])

    def test_lrem_from_tail(self):
        self.rpush("l", "a", "b", "a", "c", "a")
        self.assertInt(self.r.call("LREM", "l", "-2", "a"), 2)
        self.assertList("l", ["a", "b", "c"])

    def test_lrem_all(self):
        self.rpush("l", "a", "b", "a", "c", "a")
        self.assertInt(self.r.call("LREM", "l", "0", "a"), 3)
        self.assertList("l", ["b", "c"])
        self.assertInt(self.r.call("LREM", "l", "0", "zz"), 0)
        self.assertInt(self.r.call("LREM", "l", "-9223372036854775808", "b"),
                       1)
        self.assertInt(self.r.call("LREM", "l", "9223372036854775807", "c"),
                       1)
        self.assertInt(self.r.call("EXISTS", "l"), 0)

    def test_lrem_errors(self):
        self.assertInt(self.r.call("LREM", "missing", "0", "a"), 0)
        self.assertError(self.r.call("LREM", "missing", "x", "a"), NOT_INT)
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("LREM", "s", "0", "a"), self.wrongtype)
        self.assertError(self.r.call("LREM", "s", "x", "a"), NOT_INT)

    def test_ltrim(self):
        cases = [(("1", "-2"), "bcd"), (("0", "-1"), "abcde"),
                 (("-2", "100"), "de"), (("-100", "0"), "a"),
                 (("3", "3"), "d")]
        for (start, stop), want in cases:
            self.r.call("DEL", "l")
            self.rpush("l", *"abcde")
            self.assertOk(self.r.call("LTRIM", "l", start, stop))
            self.assertList("l", list(want))

    def test_ltrim_to_nothing_deletes(self):
        for start, stop in (("2", "1"), ("5", "10"), ("-1", "-2")):
            self.rpush("l", "a", "b", "c")
            self.assertOk(self.r.call("LTRIM", "l", start, stop))
            self.assertInt(self.r.call("EXISTS", "l"), 0)

    def test_ltrim_errors(self):
        self.assertOk(self.r.call("LTRIM", "missing", "0", "1"))
        self.assertError(self.r.call("LTRIM", "missing", "a", "1"), NOT_INT)
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("LTRIM", "s", "0", "1"), self.wrongtype)


class LPosTest(ListCase):

    def setUp(self):
        super().setUp()
        # Indexes:     0    1    2    3    4    5    6
        self.rpush("l", "a", "b", "c", "a", "b", "c", "a")

    def lpos(self, *args):
        return self.r.call("LPOS", "l", *args)

    def test_first_match(self):
        self.assertInt(self.lpos("b"), 1)
        self.assertIsNone(self.lpos("z"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")

    def test_rank(self):
        self.assertInt(self.lpos("a", "RANK", "2"), 3)
        self.assertInt(self.lpos("a", "RANK", "3"), 6)
        self.assertIsNone(self.lpos("a", "RANK", "4"))
        self.assertInt(self.lpos("a", "RANK", "-1"), 6)
        self.assertInt(self.lpos("a", "RANK", "-3"), 0)
        self.assertInt(self.lpos("c", "rank", "-1"), 5)

    def test_count(self):
        self.assertEqual(self.lpos("a", "COUNT", "2"), [0, 3])
        self.assertEqual(self.lpos("a", "COUNT", "0"), [0, 3, 6])
        self.assertEqual(self.lpos("a", "COUNT", "10"), [0, 3, 6])
        self.assertEqual(self.lpos("z", "COUNT", "0"), [])
        self.assertEqual(self.r.last_raw, b"*0\r\n")
        self.assertEqual(self.lpos("a", "RANK", "2", "COUNT", "0"), [3, 6])
        self.assertEqual(self.lpos("a", "RANK", "-1", "COUNT", "2"), [6, 3])
        self.assertEqual(self.lpos("a", "COUNT", "0", "RANK", "-2"), [3, 0])

    def test_maxlen(self):
        self.assertIsNone(self.lpos("c", "MAXLEN", "2"))
        self.assertInt(self.lpos("c", "MAXLEN", "3"), 2)
        self.assertEqual(self.lpos("a", "COUNT", "0", "MAXLEN", "4"), [0, 3])
        self.assertEqual(self.lpos("a", "COUNT", "0", "MAXLEN", "0"),
                         [0, 3, 6])
        self.assertEqual(self.lpos("a", "RANK", "-1", "COUNT", "0",
                                   "MAXLEN", "2"), [6])

    def test_last_option_wins(self):
        self.assertInt(self.lpos("a", "RANK", "1", "RANK", "2"), 3)

    def test_missing_key(self):
        self.assertIsNone(self.r.call("LPOS", "missing", "a"))
        self.assertEqual(self.r.call("LPOS", "missing", "a", "COUNT", "1"), [])
        c = self.client(protocol=3)
        self.assertIsNone(c.call("LPOS", "missing", "a"))
        self.assertEqual(c.last_raw, b"_\r\n")
        self.assertEqual(c.call("LPOS", "missing", "a", "COUNT", "1"), [])

    def test_errors(self):
        self.assertError(self.lpos("a", "RANK", "0"), RANK_ZERO)
        self.assertError(self.lpos("a", "RANK", "x"), NOT_INT)
        self.assertError(self.lpos("a", "COUNT", "-1"),
                         "ERR COUNT can't be negative")
        self.assertError(self.lpos("a", "COUNT", "x"),
                         "ERR COUNT can't be negative")
        self.assertError(self.lpos("a", "MAXLEN", "-1"),
                         "ERR MAXLEN can't be negative")
        self.assertError(self.lpos("a", "MAXLEN", "x"),
                         "ERR MAXLEN can't be negative")
        self.assertError(self.lpos("a", "COUNT"), SYNTAX)
        self.assertError(self.lpos("a", "FOO", "1"), SYNTAX)
        # Options are checked before the key.
        self.assertError(self.r.call("LPOS", "missing", "a", "RANK", "0"),
                         RANK_ZERO)
        self.r.call("SET", "s", "x")
        self.assertError(self.r.call("LPOS", "s", "a"), self.wrongtype)


class MoveTest(ListCase):

    def test_lmove_directions(self):
        self.rpush("src", "a", "b", "c")
        self.rpush("dst", "x")
        self.assertBulk(self.r.call("LMOVE", "src", "dst", "LEFT", "LEFT"),
                        "a")
        self.assertBulk(self.r.call("LMOVE", "src", "dst", "RIGHT", "RIGHT"),
                        "c")
        self.assertBulk(self.r.call("LMOVE", "src", "dst", "left", "right"),
                        "b")
        self.assertList("dst", ["a", "x", "c", "b"])
        self.assertInt(self.r.call("EXISTS", "src"), 0)
        self.assertBulk(self.r.call("LMOVE", "dst", "src", "RIGHT", "LEFT"),
                        "b")
        self.assertList("src", ["b"])

    def test_rpoplpush(self):
        self.rpush("src", "a", "b")
        self.assertBulk(self.r.call("RPOPLPUSH", "src", "dst"), "b")
        self.assertBulk(self.r.call("RPOPLPUSH", "src", "dst"), "a")
        self.assertList("dst", ["a", "b"])
        self.assertInt(self.r.call("EXISTS", "src"), 0)

    def test_rotate_same_key(self):
        self.rpush("l", "a", "b", "c")
        self.assertBulk(self.r.call("RPOPLPUSH", "l", "l"), "c")
        self.assertList("l", ["c", "a", "b"])
        self.assertBulk(self.r.call("LMOVE", "l", "l", "LEFT", "RIGHT"), "c")
        self.assertList("l", ["a", "b", "c"])
        self.r.call("DEL", "one")
        self.rpush("one", "x")
        self.assertBulk(self.r.call("LMOVE", "one", "one", "LEFT", "LEFT"),
                        "x")
        self.assertList("one", ["x"])

    def test_missing_source(self):
        self.assertIsNone(self.r.call("LMOVE", "src", "dst", "LEFT", "LEFT"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")
        self.assertIsNone(self.r.call("RPOPLPUSH", "src", "dst"))
        c = self.client(protocol=3)
        self.assertIsNone(c.call("RPOPLPUSH", "src", "dst"))
        self.assertEqual(c.last_raw, b"_\r\n")
        self.assertInt(self.r.call("EXISTS", "dst"), 0)
        # The destination's type does not matter when there is no source.
        self.r.call("SET", "s", "x")
        self.assertIsNone(self.r.call("RPOPLPUSH", "src", "s"))

    def test_wrong_types(self):
        self.r.call("SET", "s", "x")
        self.rpush("l", "a")
        self.assertError(self.r.call("LMOVE", "s", "l", "LEFT", "LEFT"),
                         self.wrongtype)
        self.assertError(self.r.call("LMOVE", "l", "s", "LEFT", "LEFT"),
                         self.wrongtype)
        self.assertError(self.r.call("RPOPLPUSH", "l", "s"), self.wrongtype)
        self.assertList("l", ["a"])

    def test_syntax(self):
        self.rpush("l", "a")
        self.assertError(self.r.call("LMOVE", "l", "d", "UP", "LEFT"), SYNTAX)
        self.assertError(self.r.call("LMOVE", "l", "d", "LEFT", "DOWN"),
                         SYNTAX)
        self.assertError(self.r.call("LMOVE", "l", "d", "LEFT"),
                         self.arity_error("lmove"))
        self.assertList("l", ["a"])


class LMPopTest(ListCase):

    def test_first_non_empty_key(self):
        self.rpush("b", "1", "2", "3")
        self.rpush("c", "x")
        self.assertEqual(self.r.call("LMPOP", "3", "a", "b", "c", "LEFT"),
                         [b"b", [b"1"]])
        self.assertEqual(self.r.call("LMPOP", "3", "a", "b", "c", "RIGHT",
                                     "COUNT", "5"), [b"b", [b"3", b"2"]])
        self.assertInt(self.r.call("EXISTS", "b"), 0)
        self.assertEqual(self.r.call("LMPOP", "3", "a", "b", "c", "left",
                                     "count", "1"), [b"c", [b"x"]])

    def test_nothing(self):
        self.assertIsNone(self.r.call("LMPOP", "2", "a", "b", "LEFT"))
        self.assertEqual(self.r.last_raw, b"*-1\r\n")
        c = self.client(protocol=3)
        self.assertIsNone(c.call("LMPOP", "2", "a", "b", "LEFT"))
        self.assertEqual(c.last_raw, b"_\r\n")

    def test_resp3_reply(self):
        self.rpush("a", "1", "2")
        c = self.client(protocol=3)
        self.assertEqual(c.call("LMPOP", "1", "a", "LEFT", "COUNT", "2"),
                         [b"a", [b"1", b"2"]])
        self.assertTrue(c.last_raw.startswith(b"*2\r\n"))

    def test_wrong_type(self):
        self.r.call("SET", "s", "x")
        self.rpush("l", "a")
        self.assertError(self.r.call("LMPOP", "2", "missing", "s", "LEFT"),
                         self.wrongtype)
        # A non-empty list before it is popped first.
        self.assertEqual(self.r.call("LMPOP", "2", "l", "s", "LEFT"),
                         [b"l", [b"a"]])

    def test_errors(self):
        self.rpush("l", "a")
        for numkeys in ("0", "-1", "x"):
            self.assertError(self.r.call("LMPOP", numkeys, "l", "LEFT"),
                             NUMKEYS)
        self.assertError(self.r.call("LMPOP", "2", "l", "LEFT"), SYNTAX)
        self.assertError(self.r.call("LMPOP", "1", "l", "MIDDLE"), SYNTAX)
        for count in ("0", "-1", "x"):
            self.assertError(self.r.call("LMPOP", "1", "l", "LEFT", "COUNT",
                                         count), COUNT_POSITIVE)
        self.assertError(self.r.call("LMPOP", "1", "l", "LEFT", "COUNT", "1",
                                     "COUNT", "1"), SYNTAX)
        self.assertError(self.r.call("LMPOP", "1", "l", "LEFT", "COUNT"),
                         SYNTAX)
        self.assertError(self.r.call("LMPOP", "1", "l"),
                         self.arity_error("lmpop"))
        self.assertList("l", ["a"])


class CommandInfoTest(ListCase):

    def test_arity_flags_and_keys(self):
        want = {
            "lpush": (-3, {"write", "denyoom", "fast"}, 1, 1, 1),
            "rpushx": (-3, {"write", "denyoom", "fast"}, 1, 1, 1),
            "lpop": (-2, {"write", "fast"}, 1, 1, 1),
            "llen": (2, {"readonly", "fast"}, 1, 1, 1),
            "lrange": (4, {"readonly"}, 1, 1, 1),
            "lpos": (-3, {"readonly"}, 1, 1, 1),
            "linsert": (5, {"write", "denyoom"}, 1, 1, 1),
            "lrem": (4, {"write"}, 1, 1, 1),
            "lmove": (5, {"write", "denyoom"}, 1, 2, 1),
            "rpoplpush": (3, {"write", "denyoom"}, 1, 2, 1),
            "blpop": (-3, {"write", "noscript", "blocking"}, 1, -2, 1),
            "brpop": (-3, {"write", "noscript", "blocking"}, 1, -2, 1),
            "blmove": (6, {"write", "denyoom", "noscript", "blocking"},
                       1, 2, 1),
            "brpoplpush": (4, {"write", "denyoom", "noscript", "blocking"},
                           1, 2, 1),
        }
        for name, (arity, flags, first, last, step) in want.items():
            info = self.r.call("COMMAND", "INFO", name)[0]
            self.assertEqual(info[0], name.encode())
            self.assertEqual(info[1], arity, name)
            self.assertEqual(set(info[2]), flags, name)
            self.assertEqual(info[3:6], [first, last, step], name)
        for name in ("lmpop", "blmpop"):
            info = self.r.call("COMMAND", "INFO", name)[0]
            self.assertIn("write", info[2])
        self.assertIn("blocking", self.r.call("COMMAND", "INFO",
                                              "blmpop")[0][2])


class NotificationTest(ListCase):

    def listen(self):
        self.config_set("notify-keyspace-events", "KEA")
        s = self.client()
        s.call("PSUBSCRIBE", "__keyspace@0__:*")
        s.call("SUBSCRIBE", "sync")
        return s

    def events(self, s, *commands):
        """Runs the commands; returns (key, event) for each keyspace
        notification they caused, in order."""
        for c in commands:
            self.r.call(*c)
        self.r.call("PUBLISH", "sync", "marker")
        out = []
        while True:
            m = s.read_reply(5)
            if m[0] == b"message":
                return out
            out.append((m[2].decode().split(":", 1)[1], m[3].decode()))

    def test_events(self):
        s = self.listen()
        self.assertEqual(self.events(s, ("RPUSH", "l", "a", "b", "c")),
                         [("l", "rpush")])
        self.assertEqual(self.events(s, ("LPUSH", "l", "z")),
                         [("l", "lpush")])
        self.assertEqual(self.events(s, ("LPUSHX", "nope", "z"),
                                     ("LPUSHX", "l", "y")), [("l", "lpush")])
        self.assertEqual(self.events(s, ("LINSERT", "l", "BEFORE", "a", "q"),
                                     ("LINSERT", "l", "BEFORE", "zz", "q")),
                         [("l", "linsert")])
        self.assertEqual(self.events(s, ("LSET", "l", "0", "w")),
                         [("l", "lset")])
        self.assertEqual(self.events(s, ("LREM", "l", "0", "q"),
                                     ("LREM", "l", "0", "nothing")),
                         [("l", "lrem")])
        self.assertEqual(self.events(s, ("LTRIM", "l", "0", "-1")),
                         [("l", "ltrim")])
        self.assertEqual(self.events(s, ("LPOP", "l", "2"), ("RPOP", "l")),
                         [("l", "lpop"), ("l", "rpop")])
        self.assertEqual(self.events(s, ("LMOVE", "l", "d", "LEFT", "RIGHT")),
                         [("d", "rpush"), ("l", "lpop")])
        self.assertEqual(self.events(s, ("RPOP", "l")),
                         [("l", "rpop"), ("l", "del")])
        self.assertEqual(self.events(s, ("LMPOP", "1", "d", "LEFT")),
                         [("d", "lpop"), ("d", "del")])
        self.assertEqual(self.events(s, ("RPUSH", "t", "a"),
                                     ("LTRIM", "t", "1", "0")),
                         [("t", "rpush"), ("t", "ltrim"), ("t", "del")])

    def test_served_pop_events(self):
        s = self.listen()
        b = self.client()
        b.send("BLPOP", "k", "0")
        wait_blocked(self, 1)
        self.assertEqual(self.events(s, ("RPUSH", "k", "x")),
                         [("k", "rpush"), ("k", "lpop"), ("k", "del")])
        self.assertEqual(b.read_reply(), [b"k", b"x"])


class WatchTest(ListCase):

    def exec_after(self, *commands):
        """WATCHes l, runs the commands from another client, then reports
        whether a transaction on l still runs."""
        self.r.call("WATCH", "l")
        other = self.client()
        for c in commands:
            other.call(*c)
        self.r.call("MULTI")
        self.r.call("LLEN", "l")
        return self.r.call("EXEC") is not None

    def test_writes_touch(self):
        for c in (("RPUSH", "l", "x"), ("LPOP", "l"), ("LSET", "l", "0", "y"),
                  ("LTRIM", "l", "0", "-1"), ("LREM", "l", "0", "a"),
                  ("LINSERT", "l", "BEFORE", "a", "b"),
                  ("RPOPLPUSH", "other", "l")):
            self.r.call("DEL", "l", "other")
            self.rpush("l", "a", "b")
            self.rpush("other", "o")
            self.assertFalse(self.exec_after(c), c)

    def test_no_change_does_not_touch(self):
        self.rpush("l", "a")
        for c in (("LREM", "l", "0", "zz"), ("LINSERT", "l", "AFTER", "q", "x"),
                  ("LRANGE", "l", "0", "-1"), ("LPUSHX", "missing", "x"),
                  ("LPOP", "l", "0")):
            self.assertTrue(self.exec_after(c), c)


# ---------------------------------------------------------------------------
# Blocking commands.


def blocked_clients(case):
    for line in case.r.call("INFO", "clients").decode().split("\r\n"):
        if line.startswith("blocked_clients:"):
            return int(line.split(":")[1])
    raise AssertionError("no blocked_clients in INFO")


def wait_blocked(case, n):
    """Waits until exactly n clients are blocked."""
    h.wait_for(lambda: blocked_clients(case) == n, timeout=10,
               what="%d blocked clients" % n)


class BlockingTest(ListCase):

    def blocked(self, *command, protocol=2):
        """A new client that sent `command` and is now blocked in it."""
        n = blocked_clients(self)
        c = self.client(protocol)
        c.send(*command)
        wait_blocked(self, n + 1)
        return c

    def assertNoReply(self, c, wait=0.2):
        with self.assertRaises(socket.timeout):
            c.read_reply(wait)

    # Immediate replies.

    def test_pops_at_once_from_first_non_empty_key(self):
        self.rpush("b", "1", "2")
        self.rpush("c", "3")
        self.assertEqual(self.r.call("BLPOP", "a", "b", "c", "0"),
                         [b"b", b"1"])
        self.assertEqual(self.r.call("BRPOP", "a", "c", "b", "0"),
                         [b"c", b"3"])
        self.assertEqual(self.r.call("BRPOP", "a", "b", "c", "1"),
                         [b"b", b"2"])
        self.assertEqual(self.r.call("DBSIZE"), 0)

    def test_immediate_moves_and_mpop(self):
        self.rpush("src", "a", "b", "c", "d")
        self.assertBulk(self.r.call("BRPOPLPUSH", "src", "dst", "0"), "d")
        self.assertBulk(self.r.call("BLMOVE", "src", "dst", "LEFT", "RIGHT",
                                    "0"), "a")
        self.assertEqual(self.r.call("BLMPOP", "0", "2", "x", "src", "RIGHT",
                                     "COUNT", "5"), [b"src", [b"c", b"b"]])
        self.assertList("dst", ["d", "a"])

    def test_wrong_type(self):
        self.r.call("SET", "s", "x")
        self.rpush("l", "a")
        self.assertError(self.r.call("BLPOP", "missing", "s", "0"),
                         self.wrongtype)
        self.assertEqual(self.r.call("BLPOP", "l", "s", "0"), [b"l", b"a"])
        self.assertError(self.r.call("BLMOVE", "s", "d", "LEFT", "LEFT", "0"),
                         self.wrongtype)
        self.rpush("l", "a")
        self.assertError(self.r.call("BRPOPLPUSH", "l", "s", "0"),
                         self.wrongtype)
        self.assertError(self.r.call("BLMPOP", "0", "2", "missing", "s",
                                     "LEFT"), self.wrongtype)
        self.assertList("l", ["a"])

    def test_timeout_errors(self):
        for cmd in (("BLPOP", "k"), ("BRPOP", "k"), ("BRPOPLPUSH", "k", "d"),
                    ("BLMOVE", "k", "d", "LEFT", "LEFT")):
            self.assertError(self.r.call(*cmd, "-1"), NEGATIVE)
            self.assertError(self.r.call(*cmd, "abc"), NOT_FLOAT)
            self.assertError(self.r.call(*cmd, "nan"), NOT_FLOAT)
            self.assertError(self.r.call(*cmd, " 1"), NOT_FLOAT)
            self.assertError(self.r.call(*cmd, "1e5000"), NOT_FLOAT)
            self.assertError(self.r.call(*cmd, "-0.5"), NEGATIVE)
            # Past the 64-bit range of milliseconds, inf included.
            self.assertError(self.r.call(*cmd, "inf"), NEGATIVE)
            self.assertError(self.r.call(*cmd, "1e20"), NEGATIVE)
        self.assertError(self.r.call("BLMPOP", "-1", "1", "k", "LEFT"),
                         NEGATIVE)
        self.assertError(self.r.call("BLMPOP", "x", "1", "k", "LEFT"),
                         NOT_FLOAT)

    def test_argument_errors(self):
        self.assertError(self.r.call("BLMOVE", "k", "d", "UP", "LEFT", "0"),
                         SYNTAX)
        # The ends are read before the timeout.
        self.assertError(self.r.call("BLMOVE", "k", "d", "UP", "LEFT", "x"),
                         SYNTAX)
        self.assertError(self.r.call("BLMPOP", "0", "0", "k", "LEFT"),
                         NUMKEYS)
        # numkeys, the end and COUNT are read before the timeout.
        self.assertError(self.r.call("BLMPOP", "x", "0", "k", "LEFT"),
                         NUMKEYS)
        self.assertError(self.r.call("BLMPOP", "x", "1", "k", "LEFT",
                                     "COUNT", "0"), COUNT_POSITIVE)
        self.assertError(self.r.call("BLMPOP", "0", "2", "k", "LEFT"), SYNTAX)
        self.assertError(self.r.call("BLPOP", "k"), self.arity_error("blpop"))
        self.assertError(self.r.call("BLMPOP", "0", "1", "k"),
                         self.arity_error("blmpop"))

    # Timeouts.

    def test_timeout_replies_null_array(self):
        for cmd in (("BLPOP", "a", "b", "0.1"), ("BRPOP", "a", "0.1"),
                    ("BRPOPLPUSH", "a", "d", "0.1"),
                    ("BLMOVE", "a", "d", "RIGHT", "LEFT", "0.1"),
                    ("BLMPOP", "0.1", "2", "a", "b", "LEFT")):
            start = time.monotonic()
            self.assertIsNone(self.r.call(*cmd), cmd)
            took = time.monotonic() - start
            self.assertEqual(self.r.last_raw, b"*-1\r\n", cmd)
            self.assertGreaterEqual(took, 0.09, cmd)
            self.assertLess(took, 2, cmd)
        self.assertInt(self.r.call("EXISTS", "d"), 0)

    def test_timeout_resp3(self):
        c = self.client(protocol=3)
        for cmd in (("BLPOP", "a", "0.05"), ("BLMOVE", "a", "d", "LEFT",
                                             "LEFT", "0.05"),
                    ("BLMPOP", "0.05", "1", "a", "LEFT")):
            self.assertIsNone(c.call(*cmd))
            self.assertEqual(c.last_raw, b"_\r\n")

    def test_tiny_timeout_rounds_up(self):
        start = time.monotonic()
        self.assertIsNone(self.r.call("BLPOP", "a", "0.0001"))
        self.assertLess(time.monotonic() - start, 2)

    def test_zero_blocks_forever(self):
        for t in ("0", "-0", "0.0"):
            c = self.blocked("BLPOP", "k", t)
            self.assertNoReply(c, 0.3)
            self.rpush("k", t)
            self.assertEqual(c.read_reply(), [b"k", t.encode()])

    def test_served_before_timeout(self):
        c = self.blocked("BRPOP", "k", "5")
        self.rpush("k", "a", "b")
        self.assertEqual(c.read_reply(), [b"k", b"b"])
        self.assertList("k", ["a"])

    def test_element_pushed_after_timeout_stays(self):
        self.assertIsNone(self.r.call("BLPOP", "k", "0.05"))
        self.rpush("k", "a")
        self.assertList("k", ["a"])

    # Serving.

    def test_blpop_served_by_push(self):
        c = self.blocked("BLPOP", "k", "0")
        self.assertInt(self.r.call("LPUSH", "k", "x"), 1)
        self.assertEqual(c.read_reply(), [b"k", b"x"])
        self.assertInt(self.r.call("EXISTS", "k"), 0)
        self.assertEqual(blocked_clients(self), 0)

    def test_served_in_order_they_blocked(self):
        a = self.blocked("BLPOP", "k", "0")
        b = self.blocked("BRPOP", "k", "0")
        c = self.blocked("BLPOP", "k", "0")
        self.rpush("k", "1")
        self.assertEqual(a.read_reply(), [b"k", b"1"])
        self.assertNoReply(b, 0.1)
        self.rpush("k", "2", "3")
        self.assertEqual(b.read_reply(), [b"k", b"3"])
        self.assertEqual(c.read_reply(), [b"k", b"2"])
        self.assertInt(self.r.call("EXISTS", "k"), 0)

    def test_one_push_serves_several_clients(self):
        a = self.blocked("BLPOP", "k", "0")
        b = self.blocked("BLPOP", "k", "0")
        c = self.blocked("BLPOP", "k", "0")
        self.assertInt(self.r.call("LPUSH", "k", "a", "b", "c", "d"), 4)
        self.assertEqual(a.read_reply(), [b"k", b"d"])
        self.assertEqual(b.read_reply(), [b"k", b"c"])
        self.assertEqual(c.read_reply(), [b"k", b"b"])
        self.assertList("k", ["a"])

    def test_more_clients_than_elements(self):
        a = self.blocked("BLPOP", "k", "0")
        b = self.blocked("BLPOP", "k", "0")
        c = self.blocked("BLPOP", "k", "0")
        self.rpush("k", "x", "y")
        self.assertEqual(a.read_reply(), [b"k", b"x"])
        self.assertEqual(b.read_reply(), [b"k", b"y"])
        self.assertNoReply(c)
        self.assertEqual(blocked_clients(self), 1)
        self.rpush("k", "z")
        self.assertEqual(c.read_reply(), [b"k", b"z"])

    def test_several_keys(self):
        c = self.blocked("BLPOP", "k1", "k2", "k3", "0")
        self.rpush("k2", "x")
        self.assertEqual(c.read_reply(), [b"k2", b"x"])
        self.assertInt(self.r.call("DBSIZE"), 0)
        c.send("BRPOP", "k1", "k2", "k3", "0")
        wait_blocked(self, 1)
        self.rpush("k3", "a", "b")
        self.assertEqual(c.read_reply(), [b"k3", b"b"])
        self.assertList("k3", ["a"])

    def test_client_on_several_keys_served_once(self):
        c = self.blocked("BLPOP", "k1", "k2", "0")
        d = self.blocked("BLPOP", "k2", "0")
        self.r.call("MULTI")
        self.r.call("RPUSH", "k1", "a")
        self.r.call("RPUSH", "k2", "b")
        self.assertEqual(self.r.call("EXEC"), [1, 1])
        self.assertEqual(c.read_reply(), [b"k1", b"a"])
        self.assertEqual(d.read_reply(), [b"k2", b"b"])
        self.assertInt(self.r.call("DBSIZE"), 0)

    def test_keys_served_in_the_order_they_got_elements(self):
        c = self.blocked("BLPOP", "k1", "k2", "0")
        self.r.call("MULTI")
        self.r.call("RPUSH", "k2", "b")
        self.r.call("RPUSH", "k1", "a")
        self.r.call("EXEC")
        self.assertEqual(c.read_reply(), [b"k2", b"b"])
        self.assertList("k1", ["a"])

    def test_same_key_twice(self):
        c = self.blocked("BLPOP", "k", "k", "0")
        self.rpush("k", "x", "y")
        self.assertEqual(c.read_reply(), [b"k", b"x"])
        self.assertList("k", ["y"])

    def test_database_of_the_blocked_client(self):
        c = self.client()
        self.assertOk(c.call("SELECT", "1"))
        c.send("BLPOP", "k", "0")
        wait_blocked(self, 1)
        self.rpush("k", "db0")
        self.assertNoReply(c)
        self.r.call("SELECT", "1")
        self.rpush("k", "db1")
        self.assertEqual(c.read_reply(), [b"k", b"db1"])
        self.r.call("SELECT", "0")
        self.assertList("k", ["db0"])

    def test_resp3_served_reply(self):
        c = self.blocked("BLPOP", "k", "0", protocol=3)
        self.rpush("k", "x")
        self.assertEqual(c.read_reply(), [b"k", b"x"])
        self.assertEqual(c.last_raw, b"*2\r\n$1\r\nk\r\n$1\r\nx\r\n")

    def test_pipelined_commands_wait_for_the_blocking_one(self):
        c = self.client()
        c.send_raw(h.encode_command(["BLPOP", "k", "0"]) +
                   h.encode_command(["LLEN", "k"]) +
                   h.encode_command(["ECHO", "after"]))
        wait_blocked(self, 1)
        self.assertNoReply(c)
        self.rpush("k", "x", "y")
        self.assertEqual(c.read_reply(), [b"k", b"x"])
        self.assertEqual(c.read_reply(), 1)
        self.assertEqual(c.read_reply(), b"after")

    def test_list_recreated_by_rename_serves(self):
        c = self.blocked("BLPOP", "k", "0")
        self.rpush("tmp", "x")
        self.assertOk(self.r.call("RENAME", "tmp", "k"))
        self.assertEqual(c.read_reply(), [b"k", b"x"])

    def test_other_types_do_not_serve(self):
        c = self.blocked("BLPOP", "k", "0")
        self.r.call("SET", "k", "str")
        self.assertNoReply(c)
        self.r.call("DEL", "k")
        self.rpush("k", "x")
        self.assertEqual(c.read_reply(), [b"k", b"x"])

    def test_blmpop_served(self):
        c = self.blocked("BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2")
        self.rpush("b", "1", "2", "3")
        self.assertEqual(c.read_reply(), [b"b", [b"3", b"2"]])
        self.assertList("b", ["1"])
        d = self.blocked("BLMPOP", "0", "1", "c", "LEFT")
        self.rpush("c", "x", "y")
        self.assertEqual(d.read_reply(), [b"c", [b"x"]])

    def test_brpoplpush_served(self):
        c = self.blocked("BRPOPLPUSH", "src", "dst", "0")
        self.rpush("dst", "old")
        self.rpush("src", "a", "b")
        self.assertBulk(c.read_reply(), "b")
        self.assertList("src", ["a"])
        self.assertList("dst", ["b", "old"])

    def test_blmove_served(self):
        c = self.blocked("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
        self.rpush("src", "a", "b")
        self.assertBulk(c.read_reply(), "a")
        self.assertList("src", ["b"])
        self.assertList("dst", ["a"])

    def test_blmove_chain(self):
        # A client moving src -> dst, and one waiting on dst: one push to
        # src serves both.
        mover = self.blocked("BLMOVE", "src", "dst", "LEFT", "LEFT", "0")
        popper = self.blocked("BLPOP", "dst", "0")
        self.rpush("src", "x", "y")
        self.assertBulk(mover.read_reply(), "x")
        self.assertEqual(popper.read_reply(), [b"dst", b"x"])
        self.assertList("src", ["y"])
        self.assertInt(self.r.call("EXISTS", "dst"), 0)

    def test_blmove_longer_chain(self):
        m1 = self.blocked("BRPOPLPUSH", "a", "b", "0")
        m2 = self.blocked("BLMOVE", "b", "c", "RIGHT", "RIGHT", "0")
        end = self.blocked("BRPOP", "c", "0")
        self.rpush("a", "x")
        self.assertBulk(m1.read_reply(), "x")
        self.assertBulk(m2.read_reply(), "x")
        self.assertEqual(end.read_reply(), [b"c", b"x"])
        self.assertInt(self.r.call("DBSIZE"), 0)

    def test_blmove_rotation_then_next_client(self):
        m = self.blocked("BLMOVE", "k", "k", "LEFT", "RIGHT", "0")
        p = self.blocked("BLPOP", "k", "0")
        self.rpush("k", "x")
        self.assertBulk(m.read_reply(), "x")
        self.assertEqual(p.read_reply(), [b"k", b"x"])
        self.assertInt(self.r.call("EXISTS", "k"), 0)

    def test_blmove_wrong_type_destination_when_served(self):
        m = self.blocked("BLMOVE", "src", "dst", "LEFT", "LEFT", "0")
        p = self.blocked("BLPOP", "src", "0")
        self.r.call("SET", "dst", "str")
        self.rpush("src", "x")
        self.assertError(m.read_reply(), self.wrongtype)
        self.assertEqual(p.read_reply(), [b"src", b"x"])
        self.assertBulk(self.r.call("GET", "dst"), "str")

    def test_pop_and_push_in_one_transaction_serves_nobody(self):
        c = self.blocked("BLPOP", "k", "0")
        self.r.call("MULTI")
        self.r.call("RPUSH", "k", "x")
        self.r.call("LPOP", "k")
        self.assertEqual(self.r.call("EXEC"), [1, b"x"])
        self.assertNoReply(c)
        self.rpush("k", "y")
        self.assertEqual(c.read_reply(), [b"k", b"y"])

    # Disconnects.

    def test_disconnect_while_blocked_keeps_the_element(self):
        c = self.blocked("BLPOP", "k", "0")
        c.close()
        wait_blocked(self, 0)
        self.assertInt(self.r.call("RPUSH", "k", "x"), 1)
        self.assertList("k", ["x"])

    def test_disconnected_client_is_skipped(self):
        gone = self.blocked("BLPOP", "k", "0")
        stays = self.blocked("BLPOP", "k", "0")
        gone.close()
        wait_blocked(self, 1)
        self.rpush("k", "x")
        self.assertEqual(stays.read_reply(), [b"k", b"x"])
        self.assertInt(self.r.call("EXISTS", "k"), 0)

    def test_blmove_disconnect_leaves_both_lists(self):
        c = self.blocked("BLMOVE", "src", "dst", "LEFT", "LEFT", "0")
        c.close()
        wait_blocked(self, 0)
        self.rpush("src", "x")
        self.assertList("src", ["x"])
        self.assertInt(self.r.call("EXISTS", "dst"), 0)

    # Transactions.

    def test_multi_does_not_block(self):
        self.r.call("MULTI")
        for cmd in (("BLPOP", "k", "0"), ("BRPOP", "k", "k2", "0"),
                    ("BLMPOP", "0", "1", "k", "LEFT"),
                    ("BLMOVE", "k", "d", "LEFT", "LEFT", "0"),
                    ("BRPOPLPUSH", "k", "d", "0")):
            self.assertSimple(self.r.call(*cmd), "QUEUED")
        start = time.monotonic()
        self.assertEqual(self.r.call("EXEC"), [None] * 5)
        self.assertLess(time.monotonic() - start, 1)
        self.assertEqual(self.r.last_raw,
                         b"*5\r\n*-1\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n")

    def test_multi_does_not_block_resp3(self):
        c = self.client(protocol=3)
        c.call("MULTI")
        c.call("BLPOP", "k", "0")
        c.call("BLMOVE", "k", "d", "LEFT", "LEFT", "0")
        self.assertEqual(c.call("EXEC"), [None, None])
        self.assertEqual(c.last_raw, b"*2\r\n_\r\n_\r\n")

    def test_multi_pops_what_it_pushed(self):
        self.r.call("MULTI")
        self.r.call("RPUSH", "k", "a", "b")
        self.r.call("BLPOP", "k", "0")
        self.r.call("BRPOPLPUSH", "k", "d", "0")
        self.r.call("BLPOP", "k", "d", "0")
        self.assertEqual(self.r.call("EXEC"),
                         [2, [b"k", b"a"], b"b", [b"d", b"b"]])
        self.assertInt(self.r.call("DBSIZE"), 0)

    def test_transaction_serves_blocked_clients_after_exec(self):
        c = self.blocked("BLPOP", "k", "0")
        self.r.call("MULTI")
        self.r.call("RPUSH", "k", "a", "b")
        self.r.call("LLEN", "k")
        self.assertEqual(self.r.call("EXEC"), [2, 2])
        self.assertEqual(c.read_reply(), [b"k", b"a"])
        self.assertList("k", ["b"])


if __name__ == "__main__":
    h.main()
