# Copyright 2026 The Colony Authors.
"""String commands: GET/SET and their options, the multi-key forms, ranges,
counters and floats, with Redis 7.0's replies and error strings."""

import time

import kv_harness as h

NOT_INT = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
OVERFLOW = "ERR increment or decrement would overflow"
SYNTAX = "ERR syntax error"


def invalid_expire(command):
    return "ERR invalid expire time in '%s' command" % command


class GetSetTest(h.KvTestCase):

    def test_set_then_get(self):
        self.assertOk(self.r.call("SET", "k", "v"))
        self.assertBulk(self.r.call("GET", "k"), "v")

    def test_get_missing_is_null(self):
        self.assertIsNone(self.r.call("GET", "missing"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")

    def test_resp3_null(self):
        c = self.client(protocol=3)
        self.assertIsNone(c.call("GET", "missing"))
        self.assertEqual(c.last_raw, b"_\r\n")

    def test_overwrite(self):
        self.r.call("SET", "k", "1")
        self.assertOk(self.r.call("SET", "k", "2"))
        self.assertBulk(self.r.call("GET", "k"), "2")

    def test_set_overwrites_other_types(self):
        self.r.call("RPUSH", "k", "x")
        self.assertOk(self.r.call("SET", "k", "v"))
        self.assertSimple(self.r.call("TYPE", "k"), "string")

    def test_empty_and_binary_values(self):
        self.r.call("SET", "e", "")
        self.assertBulk(self.r.call("GET", "e"), b"")
        self.assertEqual(self.r.last_raw, b"$0\r\n\r\n")
        blob = bytes(range(256)) * 4
        self.r.call("SET", "b", blob)
        self.assertBulk(self.r.call("GET", "b"), blob)

    def test_large_value(self):
        blob = b"x" * (1 << 20)
        self.assertOk(self.r.call("SET", "big", blob))
        self.assertBulk(self.r.call("GET", "big"), blob)
        self.assertInt(self.r.call("STRLEN", "big"), 1 << 20)

    def test_get_wrong_type(self):
        self.r.call("LPUSH", "l", "x")
        self.assertError(self.r.call("GET", "l"), self.wrongtype)

    def test_ex(self):
        self.assertOk(self.r.call("SET", "k", "v", "EX", "100"))
        ttl = self.r.call("TTL", "k")
        self.assertTrue(99 <= ttl <= 100, ttl)

    def test_px(self):
        self.assertOk(self.r.call("SET", "k", "v", "PX", "100000"))
        pttl = self.r.call("PTTL", "k")
        self.assertTrue(98000 < pttl <= 100000, pttl)

    def test_px_expires(self):
        self.r.call("SET", "k", "v", "PX", "40")
        time.sleep(0.1)
        self.assertIsNone(self.r.call("GET", "k"))

    def test_exat_pxat(self):
        at = int(time.time()) + 500
        self.assertOk(self.r.call("SET", "k", "v", "EXAT", str(at)))
        self.assertInt(self.r.call("EXPIRETIME", "k"), at)
        self.assertOk(self.r.call("SET", "k", "v", "PXAT",
                                  str(at * 1000 + 250)))
        self.assertInt(self.r.call("PEXPIRETIME", "k"), at * 1000 + 250)

    def test_exat_in_the_past_deletes(self):
        self.r.call("SET", "k", "old")
        self.assertOk(self.r.call("SET", "k", "v", "EXAT", "1"))
        self.assertIsNone(self.r.call("GET", "k"))
        self.assertInt(self.r.call("DBSIZE"), 0)

    def test_nx(self):
        self.assertOk(self.r.call("SET", "k", "1", "NX"))
        self.assertIsNone(self.r.call("SET", "k", "2", "NX"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")
        self.assertBulk(self.r.call("GET", "k"), "1")

    def test_xx(self):
        self.assertIsNone(self.r.call("SET", "k", "1", "XX"))
        self.assertInt(self.r.call("EXISTS", "k"), 0)
        self.r.call("SET", "k", "1")
        self.assertOk(self.r.call("SET", "k", "2", "XX"))
        self.assertBulk(self.r.call("GET", "k"), "2")

    def test_keepttl(self):
        self.r.call("SET", "k", "1", "EX", "100")
        self.assertOk(self.r.call("SET", "k", "2", "KEEPTTL"))
        self.assertGreater(self.r.call("TTL", "k"), 90)
        self.assertBulk(self.r.call("GET", "k"), "2")
        self.r.call("SET", "k", "3")
        self.assertInt(self.r.call("TTL", "k"), -1)

    def test_get_option(self):
        self.assertIsNone(self.r.call("SET", "k", "1", "GET"))
        self.assertBulk(self.r.call("SET", "k", "2", "GET"), "1")
        self.assertBulk(self.r.call("GET", "k"), "2")

    def test_get_with_nx_and_xx(self):
        # Redis 7.0 accepts GET with NX: the old value comes back and
        # nothing is written when the key exists.
        self.r.call("SET", "k", "1")
        self.assertBulk(self.r.call("SET", "k", "2", "NX", "GET"), "1")
        self.assertBulk(self.r.call("GET", "k"), "1")
        self.assertIsNone(self.r.call("SET", "n", "2", "NX", "GET"))
        self.assertBulk(self.r.call("GET", "n"), "2")
        self.assertBulk(self.r.call("SET", "k", "3", "XX", "GET"), "1")
        self.assertBulk(self.r.call("GET", "k"), "3")
        self.assertIsNone(self.r.call("SET", "m", "3", "XX", "GET"))
        self.assertInt(self.r.call("EXISTS", "m"), 0)

    def test_get_option_wrong_type_does_not_write(self):
        self.r.call("LPUSH", "l", "x")
        self.assertError(self.r.call("SET", "l", "v", "GET"), self.wrongtype)
        self.assertSimple(self.r.call("TYPE", "l"), "list")

    def test_options_case_insensitive_and_combined(self):
        self.assertOk(self.r.call("set", "k", "v", "ex", "100", "nx"))
        self.assertIsNone(self.r.call("SET", "k", "w", "Px", "100", "nX"))
        self.assertGreater(self.r.call("TTL", "k"), 90)

    def test_syntax_errors(self):
        for args in (("NX", "XX"), ("EX", "10", "PX", "10"),
                     ("EX", "10", "EXAT", "99999999999"),
                     ("KEEPTTL", "EX", "10"), ("PX", "10", "KEEPTTL"),
                     ("FOO",), ("EX",), ("PX",), ("EXAT",), ("PXAT",)):
            self.assertError(self.r.call("SET", "k", "v", *args), SYNTAX)
        self.assertInt(self.r.call("EXISTS", "k"), 0)

    def test_invalid_expire_times(self):
        for opt, value in (("EX", "0"), ("EX", "-1"), ("PX", "0"),
                           ("PX", "-5"), ("EXAT", "0"), ("PXAT", "-1"),
                           ("EX", "9223372036854775807"),
                           ("PX", "9223372036854775807")):
            self.assertError(self.r.call("SET", "k", "v", opt, value),
                             invalid_expire("set"))
        self.assertError(self.r.call("SET", "k", "v", "EX", "abc"), NOT_INT)
        self.assertError(self.r.call("SET", "k", "v", "EX", "1.5"), NOT_INT)
        self.assertInt(self.r.call("EXISTS", "k"), 0)

    def test_arity(self):
        self.assertError(self.r.call("SET", "k"), self.arity_error("set"))
        self.assertError(self.r.call("GET"), self.arity_error("get"))
        self.assertError(self.r.call("GET", "a", "b"), self.arity_error("get"))


class SetVariantsTest(h.KvTestCase):

    def test_setnx(self):
        self.assertInt(self.r.call("SETNX", "k", "1"), 1)
        self.assertInt(self.r.call("SETNX", "k", "2"), 0)
        self.assertBulk(self.r.call("GET", "k"), "1")

    def test_setnx_on_other_type(self):
        self.r.call("LPUSH", "l", "x")
        self.assertInt(self.r.call("SETNX", "l", "1"), 0)

    def test_setex(self):
        self.assertOk(self.r.call("SETEX", "k", "100", "v"))
        self.assertBulk(self.r.call("GET", "k"), "v")
        self.assertTrue(99 <= self.r.call("TTL", "k") <= 100)

    def test_psetex(self):
        self.assertOk(self.r.call("PSETEX", "k", "100000", "v"))
        self.assertTrue(98000 < self.r.call("PTTL", "k") <= 100000)

    def test_setex_errors(self):
        for cmd in ("setex", "psetex"):
            self.assertError(self.r.call(cmd, "k", "0", "v"),
                             invalid_expire(cmd))
            self.assertError(self.r.call(cmd, "k", "-5", "v"),
                             invalid_expire(cmd))
            self.assertError(self.r.call(cmd, "k", "x", "v"), NOT_INT)
            self.assertError(self.r.call(cmd, "k", "10"),
                             self.arity_error(cmd))
        self.assertInt(self.r.call("EXISTS", "k"), 0)

    def test_getset(self):
        self.assertIsNone(self.r.call("GETSET", "k", "1"))
        self.assertBulk(self.r.call("GETSET", "k", "2"), "1")
        self.assertBulk(self.r.call("GET", "k"), "2")

    def test_getset_wrong_type(self):
        self.r.call("LPUSH", "l", "x")
        self.assertError(self.r.call("GETSET", "l", "v"), self.wrongtype)

    def test_getdel(self):
        self.r.call("SET", "k", "v")
        self.assertBulk(self.r.call("GETDEL", "k"), "v")
        self.assertInt(self.r.call("EXISTS", "k"), 0)
        self.assertIsNone(self.r.call("GETDEL", "k"))

    def test_getdel_wrong_type(self):
        self.r.call("LPUSH", "l", "x")
        self.assertError(self.r.call("GETDEL", "l"), self.wrongtype)
        self.assertInt(self.r.call("EXISTS", "l"), 1)


class GetExTest(h.KvTestCase):

    def test_plain_getex_is_get(self):
        self.r.call("SET", "k", "v", "EX", "100")
        self.assertBulk(self.r.call("GETEX", "k"), "v")
        self.assertGreater(self.r.call("TTL", "k"), 90)
        self.assertIsNone(self.r.call("GETEX", "missing"))

    def test_ex_px(self):
        self.r.call("SET", "k", "v")
        self.assertBulk(self.r.call("GETEX", "k", "EX", "100"), "v")
        self.assertTrue(99 <= self.r.call("TTL", "k") <= 100)
        self.assertBulk(self.r.call("GETEX", "k", "PX", "50000"), "v")
        self.assertTrue(48000 < self.r.call("PTTL", "k") <= 50000)

    def test_exat_pxat(self):
        self.r.call("SET", "k", "v")
        at = int(time.time()) + 500
        self.assertBulk(self.r.call("GETEX", "k", "EXAT", str(at)), "v")
        self.assertInt(self.r.call("EXPIRETIME", "k"), at)
        self.assertBulk(self.r.call("GETEX", "k", "PXAT",
                                    str(at * 1000 + 7)), "v")
        self.assertInt(self.r.call("PEXPIRETIME", "k"), at * 1000 + 7)

    def test_past_exat_deletes_after_reply(self):
        self.r.call("SET", "k", "v")
        self.assertBulk(self.r.call("GETEX", "k", "EXAT", "1"), "v")
        self.assertInt(self.r.call("EXISTS", "k"), 0)

    def test_persist(self):
        self.r.call("SET", "k", "v", "EX", "100")
        self.assertBulk(self.r.call("GETEX", "k", "PERSIST"), "v")
        self.assertInt(self.r.call("TTL", "k"), -1)

    def test_missing_key_with_options(self):
        self.assertIsNone(self.r.call("GETEX", "missing", "EX", "10"))
        self.assertInt(self.r.call("EXISTS", "missing"), 0)

    def test_errors(self):
        self.r.call("SET", "k", "v")
        self.assertError(self.r.call("GETEX", "k", "EX", "0"),
                         invalid_expire("getex"))
        self.assertError(self.r.call("GETEX", "k", "PX", "-1"),
                         invalid_expire("getex"))
        self.assertError(self.r.call("GETEX", "k", "EX", "x"), NOT_INT)
        self.assertError(self.r.call("GETEX", "k", "PERSIST", "EX", "10"),
                         SYNTAX)
        self.assertError(self.r.call("GETEX", "k", "EX", "10", "PX", "10"),
                         SYNTAX)
        self.assertError(self.r.call("GETEX", "k", "FOO"), SYNTAX)
        self.assertError(self.r.call("GETEX", "k", "EX"), SYNTAX)
        self.assertError(self.r.call("GETEX"), self.arity_error("getex"))
        self.assertInt(self.r.call("TTL", "k"), -1)

    def test_wrong_type(self):
        self.r.call("LPUSH", "l", "x")
        self.assertError(self.r.call("GETEX", "l"), self.wrongtype)


class MultiKeyTest(h.KvTestCase):

    def test_mset_mget(self):
        self.assertOk(self.r.call("MSET", "a", "1", "b", "2"))
        self.assertEqual(self.r.call("MGET", "a", "missing", "b"),
                         [b"1", None, b"2"])

    def test_mget_other_types_are_null(self):
        self.r.call("SET", "a", "1")
        self.r.call("LPUSH", "l", "x")
        self.assertEqual(self.r.call("MGET", "a", "l"), [b"1", None])

    def test_mset_last_value_wins(self):
        self.r.call("MSET", "a", "1", "a", "2")
        self.assertBulk(self.r.call("GET", "a"), "2")

    def test_mset_clears_ttl(self):
        self.r.call("SET", "a", "1", "EX", "100")
        self.r.call("MSET", "a", "2")
        self.assertInt(self.r.call("TTL", "a"), -1)

    def test_msetnx(self):
        self.assertInt(self.r.call("MSETNX", "a", "1", "b", "2"), 1)
        self.assertInt(self.r.call("MSETNX", "b", "x", "c", "3"), 0)
        # All or nothing: c was not set either.
        self.assertEqual(self.r.call("MGET", "a", "b", "c"),
                         [b"1", b"2", None])

    def test_msetnx_other_type_counts_as_existing(self):
        self.r.call("LPUSH", "l", "x")
        self.assertInt(self.r.call("MSETNX", "l", "1", "m", "2"), 0)
        self.assertInt(self.r.call("EXISTS", "m"), 0)

    def test_arity(self):
        for cmd in ("mset", "msetnx"):
            self.assertError(self.r.call(cmd), self.arity_error(cmd))
            self.assertError(self.r.call(cmd, "a"), self.arity_error(cmd))
            self.assertError(self.r.call(cmd, "a", "1", "b"),
                             self.arity_error(cmd))
        self.assertError(self.r.call("MGET"), self.arity_error("mget"))
        self.assertInt(self.r.call("EXISTS", "a"), 0)


class RangeTest(h.KvTestCase):

    def test_append(self):
        self.assertInt(self.r.call("APPEND", "k", "hello"), 5)
        self.assertInt(self.r.call("APPEND", "k", " world"), 11)
        self.assertBulk(self.r.call("GET", "k"), "hello world")

    def test_append_to_integer_value(self):
        self.r.call("SET", "k", "3")
        self.assertInt(self.r.call("APPEND", "k", "4"), 2)
        self.assertInt(self.r.call("INCR", "k"), 35)

    def test_strlen(self):
        self.r.call("SET", "k", "hello")
        self.assertInt(self.r.call("STRLEN", "k"), 5)
        self.assertInt(self.r.call("STRLEN", "missing"), 0)
        self.r.call("SET", "n", "12345")
        self.assertInt(self.r.call("STRLEN", "n"), 5)

    def test_getrange(self):
        self.r.call("SET", "k", "hello")
        cases = [(("0", "-1"), "hello"), (("1", "3"), "ell"),
                 (("-3", "-1"), "llo"), (("3", "1"), ""),
                 (("10", "20"), ""), (("-100", "100"), "hello"),
                 (("0", "-100"), "h"), (("4", "4"), "o"),
                 (("-1", "-2"), "")]
        for (start, end), want in cases:
            self.assertBulk(self.r.call("GETRANGE", "k", start, end), want)

    def test_getrange_missing_and_numbers(self):
        self.assertBulk(self.r.call("GETRANGE", "missing", "0", "10"), "")
        self.r.call("SET", "n", "1234")
        self.assertBulk(self.r.call("GETRANGE", "n", "1", "2"), "23")

    def test_getrange_errors(self):
        self.r.call("SET", "k", "hello")
        self.assertError(self.r.call("GETRANGE", "k", "x", "1"), NOT_INT)
        self.assertError(self.r.call("GETRANGE", "k", "0"),
                         self.arity_error("getrange"))

    def test_setrange(self):
        self.r.call("SET", "k", "Hello World")
        self.assertInt(self.r.call("SETRANGE", "k", "6", "Redis"), 11)
        self.assertBulk(self.r.call("GET", "k"), "Hello Redis")
        self.assertInt(self.r.call("SETRANGE", "k", "9", "xyzw"), 13)
        self.assertBulk(self.r.call("GET", "k"), "Hello Redxyzw")

    def test_setrange_pads_with_zero_bytes(self):
        self.assertInt(self.r.call("SETRANGE", "k", "3", "x"), 4)
        self.assertBulk(self.r.call("GET", "k"), b"\x00\x00\x00x")
        self.r.call("SET", "j", "ab")
        self.assertInt(self.r.call("SETRANGE", "j", "5", "c"), 6)
        self.assertBulk(self.r.call("GET", "j"), b"ab\x00\x00\x00c")

    def test_setrange_empty_value(self):
        # An empty value creates nothing, and changes nothing.
        self.assertInt(self.r.call("SETRANGE", "k", "5", ""), 0)
        self.assertInt(self.r.call("EXISTS", "k"), 0)
        self.r.call("SET", "j", "abc")
        self.assertInt(self.r.call("SETRANGE", "j", "10", ""), 3)
        self.assertBulk(self.r.call("GET", "j"), "abc")

    def test_setrange_offset_limits(self):
        self.r.call("SET", "k", "abc")
        self.assertError(self.r.call("SETRANGE", "k", "-1", "x"),
                         "ERR offset is out of range")
        self.assertError(self.r.call("SETRANGE", "k", "536870912", "x"),
                         "ERR string exceeds maximum allowed size "
                         "(proto-max-bulk-len)")
        self.assertError(self.r.call("SETRANGE", "k", "536870900",
                                     "x" * 20),
                         "ERR string exceeds maximum allowed size "
                         "(proto-max-bulk-len)")
        self.assertError(self.r.call("SETRANGE", "k", "x", "x"), NOT_INT)
        self.assertBulk(self.r.call("GET", "k"), "abc")
        # With an empty value the size is never checked.
        self.assertInt(self.r.call("SETRANGE", "k", "536870912", ""), 3)
        self.assertError(self.r.call("SETRANGE", "k", "-1", ""),
                         "ERR offset is out of range")

    def test_wrong_types(self):
        self.r.call("LPUSH", "l", "x")
        for args in (("APPEND", "l", "x"), ("STRLEN", "l"),
                     ("GETRANGE", "l", "0", "1"), ("SETRANGE", "l", "0", "x"),
                     ("INCR", "l"), ("DECR", "l"), ("INCRBY", "l", "1"),
                     ("DECRBY", "l", "1"), ("INCRBYFLOAT", "l", "1"),
                     ("GETEX", "l", "PERSIST"), ("SET", "l", "x", "GET")):
            self.assertError(self.r.call(*args), self.wrongtype)
        self.assertEqual(self.r.call("LRANGE", "l", "0", "-1"), [b"x"])


class CounterTest(h.KvTestCase):

    def test_incr_decr_from_missing(self):
        self.assertInt(self.r.call("INCR", "a"), 1)
        self.assertInt(self.r.call("DECR", "b"), -1)
        self.assertInt(self.r.call("INCRBY", "c", "10"), 10)
        self.assertInt(self.r.call("DECRBY", "d", "10"), -10)
        self.assertBulk(self.r.call("GET", "a"), "1")
        self.assertBulk(self.r.call("GET", "b"), "-1")

    def test_incrby_negative(self):
        self.r.call("SET", "a", "5")
        self.assertInt(self.r.call("INCRBY", "a", "-10"), -5)
        self.assertInt(self.r.call("DECRBY", "a", "-15"), 10)

    def test_large_values(self):
        self.r.call("SET", "a", "9223372036854775806")
        self.assertInt(self.r.call("INCR", "a"), 9223372036854775807)
        self.r.call("SET", "b", "-9223372036854775807")
        self.assertInt(self.r.call("DECR", "b"), -9223372036854775808)

    def test_overflow(self):
        self.r.call("SET", "a", "9223372036854775807")
        self.assertError(self.r.call("INCR", "a"), OVERFLOW)
        self.assertError(self.r.call("INCRBY", "a", "1"), OVERFLOW)
        self.assertError(self.r.call("DECRBY", "a", "-1"), OVERFLOW)
        self.r.call("SET", "b", "-9223372036854775808")
        self.assertError(self.r.call("DECR", "b"), OVERFLOW)
        self.assertError(self.r.call("INCRBY", "b", "-1"), OVERFLOW)
        self.assertBulk(self.r.call("GET", "a"), "9223372036854775807")

    def test_decrby_min_int_cannot_be_negated(self):
        self.assertError(self.r.call("DECRBY", "a",
                                     "-9223372036854775808"),
                         "ERR decrement would overflow")
        self.assertInt(self.r.call("EXISTS", "a"), 0)

    def test_not_an_integer(self):
        for value in ("abc", "1.5", " 1", "1 ", "01", "+1", "-0", "",
                      "9223372036854775808", "0x10"):
            self.r.call("SET", "a", value)
            self.assertError(self.r.call("INCR", "a"), NOT_INT)
            self.assertBulk(self.r.call("GET", "a"), value)

    def test_bad_increment(self):
        self.assertError(self.r.call("INCRBY", "a", "x"), NOT_INT)
        self.assertError(self.r.call("INCRBY", "a", "1.0"), NOT_INT)
        self.assertError(self.r.call("INCRBY", "a", "9223372036854775808"),
                         NOT_INT)
        self.assertError(self.r.call("DECRBY", "a", "x"), NOT_INT)
        self.assertInt(self.r.call("EXISTS", "a"), 0)

    def test_incr_keeps_ttl(self):
        self.r.call("SET", "a", "1", "EX", "100")
        self.r.call("INCR", "a")
        self.assertGreater(self.r.call("TTL", "a"), 90)

    def test_negative_zero_is_written_back_plainly(self):
        self.r.call("SET", "a", "-1")
        self.assertInt(self.r.call("INCR", "a"), 0)
        self.assertBulk(self.r.call("GET", "a"), "0")

    def test_arity(self):
        self.assertError(self.r.call("INCR"), self.arity_error("incr"))
        self.assertError(self.r.call("INCRBY", "a"),
                         self.arity_error("incrby"))
        self.assertError(self.r.call("DECR", "a", "b"),
                         self.arity_error("decr"))
        self.assertError(self.r.call("INCRBYFLOAT", "a"),
                         self.arity_error("incrbyfloat"))


class IncrByFloatTest(h.KvTestCase):

    def f(self, key, incr):
        reply = self.r.call("INCRBYFLOAT", key, incr)
        self.assertIs(type(reply), bytes, reply)
        return reply.decode()

    def test_basic(self):
        self.r.call("SET", "a", "10.50")
        self.assertEqual(self.f("a", "0.1"), "10.6")
        self.assertBulk(self.r.call("GET", "a"), "10.6")

    def test_integers_print_without_point(self):
        self.assertEqual(self.f("a", "3.0"), "3")
        self.assertEqual(self.f("a", "1.1e1"), "14")
        self.assertEqual(self.f("a", "-14.1"), "-0.1")
        self.assertEqual(self.f("b", "1"), "1")
        self.assertEqual(self.f("b", "-1.0"), "0")

    def test_exponent_inputs(self):
        self.r.call("SET", "a", "5.0e3")
        self.assertEqual(self.f("a", "0"), "5000")
        self.assertEqual(self.f("a", "2.0e2"), "5200")
        self.assertEqual(self.f("a", "1E1"), "5210")

    def test_fixed_point_output_with_17_decimals(self):
        # Redis computes in long double and prints fixed-point with 17
        # decimals, trailing zeros removed.
        self.r.call("SET", "a", "10.5")
        self.assertEqual(self.f("a", "0.1"), "10.6")
        self.assertEqual(self.f("a", "5.0e3"), "5010.60000000000000009")
        self.assertEqual(self.f("b", "1.23456789012345678"),
                         "1.23456789012345678")
        # Too small to show in 17 decimals.
        self.assertEqual(self.f("c", "1e-20"), "0")

    def test_on_integer_value(self):
        self.r.call("SET", "a", "9223372036854775807")
        self.assertEqual(self.f("a", "1"), "9223372036854775808")
        self.r.call("SET", "i", "5")
        self.assertEqual(self.f("i", "-0.5"), "4.5")
        self.assertError(self.r.call("INCR", "i"), NOT_INT)

    def test_hex_value_is_accepted(self):
        # The value is parsed like strtold does, hex included.
        self.r.call("SET", "a", "0x10")
        self.assertEqual(self.f("a", "1"), "17")

    def test_invalid_values(self):
        for value in ("abc", " 1", "1 ", "12abc", ""):
            self.r.call("SET", "a", value)
            self.assertError(self.r.call("INCRBYFLOAT", "a", "1"), NOT_FLOAT)
            self.assertBulk(self.r.call("GET", "a"), value)

    def test_nan_and_out_of_range_increments_are_invalid(self):
        for incr in ("nan", "NaN", "1e5000", "x", ""):
            self.assertError(self.r.call("INCRBYFLOAT", "a", incr), NOT_FLOAT)
        self.r.call("SET", "n", "nan")
        self.assertError(self.r.call("INCRBYFLOAT", "n", "1"), NOT_FLOAT)
        self.assertInt(self.r.call("EXISTS", "a"), 0)

    def test_infinite_increments_parse_but_cannot_be_stored(self):
        # "inf" is a valid float; the infinite result is refused.
        inf = "ERR increment would produce NaN or Infinity"
        for incr in ("inf", "-inf", "+inf", "infinity"):
            self.assertError(self.r.call("INCRBYFLOAT", "a", incr), inf)
        self.assertInt(self.r.call("EXISTS", "a"), 0)
        self.r.call("SET", "b", "1")
        self.assertError(self.r.call("INCRBYFLOAT", "b", "-inf"), inf)
        self.assertBulk(self.r.call("GET", "b"), "1")
        self.r.call("SET", "c", "inf")
        self.assertError(self.r.call("INCRBYFLOAT", "c", "1"), inf)

    def test_result_overflow(self):
        # Near the top of long double's range the sum is infinite.
        self.r.call("SET", "a", "1.1e4932")
        self.assertError(self.r.call("INCRBYFLOAT", "a", "1.1e4932"),
                         "ERR increment would produce NaN or Infinity")
        self.assertBulk(self.r.call("GET", "a"), "1.1e4932")

    def test_keeps_ttl(self):
        self.r.call("SET", "a", "1", "EX", "100")
        self.f("a", "1.5")
        self.assertGreater(self.r.call("TTL", "a"), 90)


if __name__ == "__main__":
    h.main()
