# Copyright 2026 The Colony Authors.
"""The test harness itself: RESP decoding on canned bytes, and the client
against the live server (types of RESP2 and RESP3 replies, pipelining,
closing)."""

import unittest

import kv_harness as h


def parse_all(data):
    p = h.Parser()
    p.feed(data)
    out = []
    while True:
        try:
            out.append(p.next()[0])
        except h._Incomplete:
            return out, bytes(p.buf)


class ParserTest(unittest.TestCase):

    def test_resp2_types(self):
        values, rest = parse_all(b"+OK\r\n-ERR bad thing\r\n:42\r\n:-7\r\n"
                                 b"$3\r\nabc\r\n$0\r\n\r\n$-1\r\n*-1\r\n"
                                 b"*2\r\n$1\r\na\r\n:1\r\n*0\r\n")
        self.assertEqual(rest, b"")
        self.assertIsInstance(values[0], h.SimpleString)
        self.assertEqual(values[0], "OK")
        self.assertEqual(values[1], h.Error("ERR bad thing"))
        self.assertEqual(values[1].code, "ERR")
        self.assertEqual(values[2:4], [42, -7])
        self.assertIs(type(values[4]), bytes)
        self.assertEqual(values[4:8], [b"abc", b"", None, None])
        self.assertEqual(values[8], [b"a", 1])
        self.assertEqual(values[9], [])

    def test_resp3_types(self):
        values, rest = parse_all(
            b"%2\r\n+a\r\n:1\r\n$1\r\nb\r\n,2.5\r\n"
            b"~2\r\n$1\r\nx\r\n$1\r\ny\r\n"
            b",inf\r\n,-inf\r\n#t\r\n#f\r\n_\r\n"
            b"(3492890328409238509324850943850943825024385\r\n"
            b"=15\r\ntxt:Some string\r\n"
            b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"
            b"!21\r\nSYNTAX invalid syntax\r\n"
            b"|1\r\n+ttl\r\n:3\r\n:5\r\n")
        self.assertEqual(rest, b"")
        m = values[0]
        self.assertIsInstance(m, h.Map)
        self.assertEqual(m, {"a": 1, b"b": 2.5})
        self.assertIsInstance(m[b"b"], h.Double)
        self.assertIsInstance(values[1], h.Set)
        self.assertEqual(values[1], {b"x", b"y"})
        self.assertEqual(values[1], h.Set([b"y", b"x"]))
        self.assertNotEqual(values[1], {b"x"})
        self.assertNotEqual(values[1], [b"x", b"y"])
        self.assertEqual(values[2], float("inf"))
        self.assertEqual(values[3], float("-inf"))
        self.assertIs(values[4], True)
        self.assertIs(values[5], False)
        self.assertIsNone(values[6])
        self.assertIsInstance(values[7], h.BigNumber)
        self.assertEqual(values[7], 3492890328409238509324850943850943825024385)
        self.assertIsInstance(values[8], h.Verbatim)
        self.assertEqual(values[8], b"Some string")
        self.assertEqual(values[8].format, "txt")
        self.assertIsInstance(values[9], h.Push)
        self.assertEqual(values[9].kind, "message")
        self.assertEqual(values[10], h.Error("SYNTAX invalid syntax"))
        # The attribute is skipped; the reply it described follows.
        self.assertEqual(values[11], 5)

    def test_set_members_keep_their_types(self):
        values, _ = parse_all(b"~2\r\n%1\r\n+k\r\n:1\r\n~1\r\n+a\r\n")
        s = values[0]
        self.assertIsInstance(s[0], h.Map)
        self.assertEqual(s[0], {"k": 1})
        self.assertIsInstance(s[1], h.Set)
        self.assertEqual(s, h.Set([h.Set(["a"]), h.Map({"k": 1})]))

    def test_incomplete_input_waits_for_more(self):
        p = h.Parser()
        for chunk in (b"*2\r\n$5\r\nhel", b"lo\r\n", b":1", b"\r\n"):
            with self.assertRaises(h._Incomplete):
                p.next()
            p.feed(chunk)
        self.assertEqual(p.next(), ([b"hello", 1],
                                    b"*2\r\n$5\r\nhello\r\n:1\r\n"))

    def test_encode_command(self):
        self.assertEqual(h.encode_command(["SET", b"k\r\n", 5]),
                         b"*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$1\r\n5\r\n")


class LiveClientTest(h.KvTestCase):

    def test_ping_and_types(self):
        self.assertEqual(self.r.call("PING"), "PONG")
        self.assertOk(self.r.call("SET", "k", "v"))
        self.assertBulk(self.r.call("GET", "k"), "v")
        self.assertIsNone(self.r.call("GET", "missing"))
        self.assertEqual(self.r.last_raw, b"$-1\r\n")
        self.assertErrorPrefix(self.r.call("NOSUCHCOMMAND"), "ERR unknown")

    def test_resp3_client(self):
        c = self.client(protocol=3)
        self.assertIsNone(c.call("GET", "missing"))
        self.assertEqual(c.last_raw, b"_\r\n")

    def test_pipeline_in_order(self):
        replies = self.r.pipeline([("SET", "a", "1"), ("INCR", "a"),
                                   ("GET", "a")])
        self.assertEqual(replies, ["OK", 2, b"2"])

    def test_each_test_starts_empty(self):
        self.assertInt(self.r.call("DBSIZE"), 0)
        self.r.call("SET", "leftover", "x")

    def test_each_test_starts_empty_again(self):
        self.assertInt(self.r.call("DBSIZE"), 0)
        self.r.call("SET", "leftover", "x")

    def test_closed_after_quit(self):
        self.assertOk(self.r.call("QUIT"))
        self.assertTrue(self.r.closed())

    def test_not_closed_while_open(self):
        self.assertFalse(self.r.closed(timeout=0.2))
        self.assertEqual(self.r.call("PING"), "PONG")


if __name__ == "__main__":
    h.main()
