# Copyright 2026 The Colony Authors.
"""Publish/subscribe: subscription replies in RESP2 (arrays) and RESP3
(pushes), PUBLISH counts, patterns, PUBSUB introspection, what a subscribed
connection may run, keyspace notifications and message order."""

import time

import kv_harness as h

SUBSCRIBED_ONLY = ("ERR Can't execute '%s': only (P|S)SUBSCRIBE / "
                   "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                   "this context")


class PubSubCase(h.KvTestCase):

    def assertArray(self, reply, items):
        """A RESP2 array (not a push) with these items."""
        self.assertIs(type(reply), list, "expected array, got %r" % (reply,))
        self.assertEqual(reply, items)

    def assertPush(self, reply, items):
        """A RESP3 push with these items."""
        self.assertIsInstance(reply, h.Push)
        self.assertEqual(list(reply), items)

    def next_message(self, c, timeout=5.0):
        m = c.read_push(timeout)
        self.assertIsNotNone(m, "no message within %.1fs" % timeout)
        return m

    def assertNoMessage(self, c, timeout=0.2):
        m = c.read_push(timeout)
        self.assertIsNone(m, "unexpected message %r" % (m,))


class SubscribeResp2Test(PubSubCase):

    def test_subscribe_replies(self):
        self.assertArray(self.r.call("SUBSCRIBE", "a", "b"),
                         [b"subscribe", b"a", 1])
        self.assertEqual(self.r.last_raw,
                         b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n")
        self.assertArray(self.r.read_reply(), [b"subscribe", b"b", 2])

    def test_subscribe_same_channel_twice(self):
        self.r.call("SUBSCRIBE", "a")
        self.assertArray(self.r.call("SUBSCRIBE", "a"),
                         [b"subscribe", b"a", 1])
        self.assertArray(self.client().call("PUBSUB", "NUMSUB", "a"),
                         [b"a", 1])

    def test_message(self):
        self.r.call("SUBSCRIBE", "ch")
        self.assertInt(self.client().call("PUBLISH", "ch", b"hi\x00there"),
                       1)
        self.assertArray(self.next_message(self.r),
                         [b"message", b"ch", b"hi\x00there"])

    def test_unsubscribe_some(self):
        self.r.call("SUBSCRIBE", "a", "b", "c")
        self.r.read_reply()
        self.r.read_reply()
        self.assertArray(self.r.call("UNSUBSCRIBE", "b"),
                         [b"unsubscribe", b"b", 2])
        p = self.client()
        self.assertInt(p.call("PUBLISH", "b", "x"), 0)
        self.assertInt(p.call("PUBLISH", "a", "x"), 1)
        self.assertArray(self.next_message(self.r), [b"message", b"a", b"x"])

    def test_unsubscribe_all(self):
        self.r.call("SUBSCRIBE", "a", "b")
        self.r.read_reply()
        # One reply per channel, in no particular order, counting down.
        first, second = self.r.call("UNSUBSCRIBE"), self.r.read_reply()
        self.assertEqual([first[0], second[0]], [b"unsubscribe"] * 2)
        self.assertEqual({first[1], second[1]}, {b"a", b"b"})
        self.assertEqual([first[2], second[2]], [1, 0])
        # Out of subscribed mode: plain commands work again.
        self.assertSimple(self.r.call("PING"), "PONG")
        self.assertIsNone(self.r.call("GET", "k"))

    def test_unsubscribe_when_not_subscribed(self):
        self.assertArray(self.r.call("UNSUBSCRIBE"),
                         [b"unsubscribe", None, 0])
        self.assertEqual(self.r.last_raw,
                         b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n")
        self.assertArray(self.r.call("PUNSUBSCRIBE"),
                         [b"punsubscribe", None, 0])
        self.assertArray(self.r.call("UNSUBSCRIBE", "x"),
                         [b"unsubscribe", b"x", 0])

    def test_count_includes_patterns(self):
        self.assertArray(self.r.call("SUBSCRIBE", "a"),
                         [b"subscribe", b"a", 1])
        self.assertArray(self.r.call("PSUBSCRIBE", "p*", "q*"),
                         [b"psubscribe", b"p*", 2])
        self.assertArray(self.r.read_reply(), [b"psubscribe", b"q*", 3])
        self.assertArray(self.r.call("PUNSUBSCRIBE", "p*"),
                         [b"punsubscribe", b"p*", 2])
        self.assertArray(self.r.call("UNSUBSCRIBE", "a"),
                         [b"unsubscribe", b"a", 1])
        self.assertArray(self.r.call("PUNSUBSCRIBE"),
                         [b"punsubscribe", b"q*", 0])
        self.assertSimple(self.r.call("PING"), "PONG")

    def test_ping_in_subscribed_mode(self):
        self.r.call("SUBSCRIBE", "a")
        self.assertArray(self.r.call("PING"), [b"pong", b""])
        self.assertArray(self.r.call("PING", "hello"), [b"pong", b"hello"])

    def test_other_commands_refused_while_subscribed(self):
        self.r.call("SUBSCRIBE", "a")
        for args in (("GET", "k"), ("SET", "k", "v"), ("PUBLISH", "a", "x"),
                     ("MULTI",), ("SELECT", "1")):
            self.assertError(self.r.call(*args),
                             SUBSCRIBED_ONLY % args[0].lower())
        # A subcommand is named with its container.
        self.assertError(self.r.call("PUBSUB", "NUMPAT"),
                         SUBSCRIBED_ONLY % "pubsub|numpat")
        self.assertIsNone(self.client().call("GET", "k"))

    def test_pattern_only_subscriber_is_subscribed_too(self):
        self.r.call("PSUBSCRIBE", "x*")
        self.assertError(self.r.call("GET", "k"), SUBSCRIBED_ONLY % "get")

    def test_quit_and_reset_allowed(self):
        self.r.call("SUBSCRIBE", "a")
        self.assertSimple(self.r.call("RESET"), "RESET")
        self.assertIsNone(self.r.call("GET", "k"))
        self.r.call("SUBSCRIBE", "a")
        self.assertOk(self.r.call("QUIT"))
        self.assertTrue(self.r.closed())

    def test_subscribe_arity(self):
        for cmd in ("subscribe", "psubscribe"):
            self.assertError(self.r.call(cmd), self.arity_error(cmd))
        self.assertError(self.r.call("PUBLISH", "a"),
                         self.arity_error("publish"))


class SubscribeResp3Test(PubSubCase):

    def test_subscribe_replies_are_pushes(self):
        c = self.client(protocol=3)
        self.assertPush(c.call("SUBSCRIBE", "a", "b"), [b"subscribe", b"a", 1])
        self.assertEqual(c.last_raw,
                         b">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n")
        self.assertPush(c.read_reply(), [b"subscribe", b"b", 2])
        self.assertPush(c.call("PSUBSCRIBE", "p*"), [b"psubscribe", b"p*", 3])

    def test_messages_are_pushes(self):
        c = self.client(protocol=3)
        c.call("SUBSCRIBE", "ch")
        c.call("PSUBSCRIBE", "c*")
        self.assertInt(self.r.call("PUBLISH", "ch", "hello"), 2)
        self.assertPush(self.next_message(c), [b"message", b"ch", b"hello"])
        self.assertPush(self.next_message(c),
                        [b"pmessage", b"c*", b"ch", b"hello"])

    def test_normal_commands_while_subscribed(self):
        c = self.client(protocol=3)
        c.call("SUBSCRIBE", "ch")
        self.assertOk(c.call("SET", "k", "v"))
        self.assertBulk(c.call("GET", "k"), "v")
        self.assertInt(c.call("PUBLISH", "ch", "to-myself"), 1)
        self.assertPush(self.next_message(c),
                        [b"message", b"ch", b"to-myself"])
        self.assertArray(c.call("PUBSUB", "NUMSUB", "ch"), [b"ch", 1])
        c.call("MULTI")
        c.call("INCR", "n")
        self.assertEqual(c.call("EXEC"), [1])

    def test_ping_is_a_normal_reply(self):
        c = self.client(protocol=3)
        c.call("SUBSCRIBE", "ch")
        self.assertSimple(c.call("PING"), "PONG")
        self.assertBulk(c.call("PING", "x"), "x")

    def test_message_between_command_and_reply(self):
        c = self.client(protocol=3)
        c.call("SUBSCRIBE", "ch")
        self.r.call("PUBLISH", "ch", "early")
        # The message comes first on the wire; the reply still arrives.
        self.assertBulk(c.call("ECHO", "reply"), "reply")
        self.assertPush(self.next_message(c), [b"message", b"ch", b"early"])

    def test_unsubscribe_pushes(self):
        c = self.client(protocol=3)
        c.call("SUBSCRIBE", "a")
        c.call("PSUBSCRIBE", "p*")
        self.assertPush(c.call("UNSUBSCRIBE", "a"), [b"unsubscribe", b"a", 1])
        self.assertPush(c.call("PUNSUBSCRIBE"), [b"punsubscribe", b"p*", 0])
        self.assertPush(c.call("UNSUBSCRIBE"), [b"unsubscribe", None, 0])
        self.assertEqual(c.last_raw,
                         b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n")


class PublishTest(PubSubCase):

    def test_no_receivers(self):
        self.assertInt(self.r.call("PUBLISH", "nobody", "x"), 0)

    def test_counts_every_subscription(self):
        subs = [self.client() for _ in range(3)]
        for s in subs:
            s.call("SUBSCRIBE", "ch")
        self.assertInt(self.r.call("PUBLISH", "ch", "x"), 3)
        for s in subs:
            self.assertArray(self.next_message(s), [b"message", b"ch", b"x"])

    def test_channel_and_patterns_counted_separately(self):
        s = self.client()
        s.call("SUBSCRIBE", "news.tech")
        s.call("PSUBSCRIBE", "news.*", "*")
        s.read_reply()
        self.assertInt(self.r.call("PUBLISH", "news.tech", "x"), 3)
        got = [self.next_message(s) for _ in range(3)]
        self.assertIn([b"message", b"news.tech", b"x"], got)
        self.assertIn([b"pmessage", b"news.*", b"news.tech", b"x"], got)
        self.assertIn([b"pmessage", b"*", b"news.tech", b"x"], got)

    def test_patterns(self):
        s = self.client()
        s.call("PSUBSCRIBE", "h?llo", "n[ae]ws", "x\\*y")
        s.read_reply()
        s.read_reply()
        cases = [("hello", "h?llo"), ("hallo", "h?llo"), ("hllo", None),
                 ("news", "n[ae]ws"), ("naws", "n[ae]ws"), ("nows", None),
                 ("x*y", "x\\*y"), ("xay", None)]
        for channel, pattern in cases:
            n = self.r.call("PUBLISH", channel, "m")
            self.assertInt(n, 0 if pattern is None else 1)
            if pattern is not None:
                self.assertArray(self.next_message(s),
                                 [b"pmessage", pattern.encode(),
                                  channel.encode(), b"m"])
        self.assertNoMessage(s)

    def test_unsubscribed_client_gets_nothing(self):
        s = self.client()
        s.call("SUBSCRIBE", "ch")
        s.call("UNSUBSCRIBE", "ch")
        self.assertInt(self.r.call("PUBLISH", "ch", "x"), 0)
        self.assertNoMessage(s)

    def test_closed_subscriber_is_dropped(self):
        s = self.client()
        s.call("SUBSCRIBE", "ch")
        s.close()
        h.wait_for(lambda: self.r.call("PUBLISH", "ch", "x") == 0, timeout=5,
                   what="the closed subscriber to be dropped")

    def test_channels_are_binary_and_database_independent(self):
        s = self.client()
        s.call("SELECT", "3")
        s.call("SUBSCRIBE", b"bin\x00ch")
        self.assertInt(self.r.call("PUBLISH", b"bin\x00ch", "x"), 1)
        self.assertArray(self.next_message(s), [b"message", b"bin\x00ch", b"x"])

    def test_large_message(self):
        s = self.client()
        s.call("SUBSCRIBE", "ch")
        blob = bytes(range(256)) * 2000
        self.r.call("PUBLISH", "ch", blob)
        self.assertArray(self.next_message(s), [b"message", b"ch", blob])


class PubsubIntrospectionTest(PubSubCase):

    def test_channels(self):
        self.assertArray(self.r.call("PUBSUB", "CHANNELS"), [])
        a, b = self.client(), self.client()
        a.call("SUBSCRIBE", "news.tech", "news.art")
        a.read_reply()
        b.call("SUBSCRIBE", "sport")
        b.call("PSUBSCRIBE", "pattern.*")
        self.assertEqual(sorted(self.r.call("PUBSUB", "CHANNELS")),
                         [b"news.art", b"news.tech", b"sport"])
        self.assertEqual(sorted(self.r.call("PUBSUB", "CHANNELS", "news.*")),
                         [b"news.art", b"news.tech"])
        self.assertArray(self.r.call("PUBSUB", "CHANNELS", "s?ort"),
                         [b"sport"])
        self.assertArray(self.r.call("PUBSUB", "CHANNELS", "none*"), [])

    def test_channel_gone_when_last_subscriber_leaves(self):
        a, b = self.client(), self.client()
        a.call("SUBSCRIBE", "ch")
        b.call("SUBSCRIBE", "ch")
        a.call("UNSUBSCRIBE", "ch")
        self.assertArray(self.r.call("PUBSUB", "CHANNELS"), [b"ch"])
        b.call("UNSUBSCRIBE")
        self.assertArray(self.r.call("PUBSUB", "CHANNELS"), [])

    def test_numsub(self):
        a, b = self.client(), self.client()
        a.call("SUBSCRIBE", "x")
        b.call("SUBSCRIBE", "x", "y")
        b.read_reply()
        self.assertArray(self.r.call("PUBSUB", "NUMSUB", "x", "y", "z"),
                         [b"x", 2, b"y", 1, b"z", 0])
        self.assertArray(self.r.call("PUBSUB", "NUMSUB"), [])

    def test_numsub_ignores_patterns(self):
        a = self.client()
        a.call("PSUBSCRIBE", "x*")
        self.assertArray(self.r.call("PUBSUB", "NUMSUB", "xa"), [b"xa", 0])

    def test_numpat_counts_unique_patterns(self):
        self.assertInt(self.r.call("PUBSUB", "NUMPAT"), 0)
        a, b = self.client(), self.client()
        a.call("PSUBSCRIBE", "n*")
        b.call("PSUBSCRIBE", "n*")
        b.call("PSUBSCRIBE", "m*")
        self.assertInt(self.r.call("PUBSUB", "NUMPAT"), 2)
        b.call("PUNSUBSCRIBE")
        b.read_reply()
        self.assertInt(self.r.call("PUBSUB", "NUMPAT"), 1)

    def test_resp3_replies(self):
        c = self.client(protocol=3)
        self.client().call("SUBSCRIBE", "x")
        self.assertArray(c.call("PUBSUB", "NUMSUB", "x"), [b"x", 1])
        self.assertArray(c.call("PUBSUB", "CHANNELS"), [b"x"])
        self.assertInt(c.call("PUBSUB", "NUMPAT"), 0)

    def test_errors(self):
        self.assertError(self.r.call("PUBSUB", "FOO"),
                         "ERR unknown subcommand 'FOO'. Try PUBSUB HELP.")
        self.assertError(self.r.call("PUBSUB"), self.arity_error("pubsub"))


class MessageOrderTest(PubSubCase):

    def test_one_publisher_in_order(self):
        s = self.client()
        s.call("SUBSCRIBE", "ch")
        n = 2000
        replies = self.r.pipeline([("PUBLISH", "ch", str(i))
                                   for i in range(n)])
        self.assertEqual(replies, [1] * n)
        got = [self.next_message(s)[2] for _ in range(n)]
        self.assertEqual(got, [str(i).encode() for i in range(n)])

    def test_two_publishers_each_in_order(self):
        s = self.client(protocol=3)
        s.call("SUBSCRIBE", "ch")
        p1, p2 = self.client(), self.client()
        n = 500
        for i in range(n):
            p1.send("PUBLISH", "ch", "a%d" % i)
            p2.send("PUBLISH", "ch", "b%d" % i)
        for _ in range(n):
            p1.read_reply()
            p2.read_reply()
        got = [self.next_message(s)[2].decode() for _ in range(2 * n)]
        self.assertEqual([m for m in got if m[0] == "a"],
                         ["a%d" % i for i in range(n)])
        self.assertEqual([m for m in got if m[0] == "b"],
                         ["b%d" % i for i in range(n)])

    def test_message_and_pattern_message_order(self):
        s = self.client()
        s.call("SUBSCRIBE", "ch")
        s.call("PSUBSCRIBE", "c*")
        for i in range(3):
            self.r.call("PUBLISH", "ch", str(i))
        kinds = [(m[0], m[-1]) for m in (self.next_message(s)
                                         for _ in range(6))]
        # For each message, the channel subscription first, then patterns.
        self.assertEqual(kinds, [(b"message", b"0"), (b"pmessage", b"0"),
                                 (b"message", b"1"), (b"pmessage", b"1"),
                                 (b"message", b"2"), (b"pmessage", b"2")])


class KeyspaceNotificationTest(PubSubCase):

    def listen(self, flags):
        """A subscriber to every notification channel, with the given
        notify-keyspace-events flags for this test."""
        self.config_set("notify-keyspace-events", flags)
        s = self.client()
        s.call("PSUBSCRIBE", "__key*__:*")
        s.call("SUBSCRIBE", "sync")
        return s

    def events(self, s, *commands):
        """Runs the commands, returns the notifications they caused as
        (channel, payload) strings, in order."""
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
            m = self.next_message(s)
            if m[0] == b"message" and m[1] == b"sync":
                return out
            self.assertEqual(m[0], b"pmessage")
            out.append((m[2].decode(), m[3].decode()))

    def both(self, key, event, db=0):
        return [("__keyspace@%d__:%s" % (db, key), event),
                ("__keyevent@%d__:%s" % (db, event), key)]

    def test_off_by_default(self):
        s = self.listen("")
        self.assertEqual(self.events(s, ("SET", "k", "v"), ("DEL", "k")), [])

    def test_set_and_del(self):
        s = self.listen("KEA")
        self.assertEqual(self.events(s, ("SET", "k", "v")),
                         self.both("k", "set"))
        self.assertEqual(self.events(s, ("DEL", "k", "missing")),
                         self.both("k", "del"))
        self.assertEqual(self.events(s, ("DEL", "missing")), [])

    def test_set_with_expire(self):
        s = self.listen("KEA")
        self.assertEqual(self.events(s, ("SET", "k", "v", "EX", "100")),
                         self.both("k", "set") + self.both("k", "expire"))
        self.assertEqual(self.events(s, ("SETEX", "j", "100", "v")),
                         self.both("j", "set") + self.both("j", "expire"))

    def test_expire_and_persist(self):
        s = self.listen("KEA")
        self.r.call("SET", "k", "v")
        self.assertEqual(self.events(s, ("EXPIRE", "k", "100")),
                         self.both("k", "expire"))
        self.assertEqual(self.events(s, ("PERSIST", "k")),
                         self.both("k", "persist"))
        self.assertEqual(self.events(s, ("PERSIST", "k")), [])

    def test_negative_expire_is_del(self):
        s = self.listen("KEA")
        self.r.call("SET", "k", "v")
        self.assertEqual(self.events(s, ("EXPIRE", "k", "-1")),
                         self.both("k", "del"))

    def test_expired_without_access(self):
        s = self.listen("KEA")
        self.assertEqual(self.events(s, ("SET", "k", "v", "PX", "50")),
                         self.both("k", "set") + self.both("k", "expire"))
        got = [self.next_message(s) for _ in range(2)]
        self.assertEqual([(m[2].decode(), m[3].decode()) for m in got],
                         self.both("k", "expired"))

    def test_expired_on_access(self):
        s = self.listen("Ex")
        self.r.call("SET", "k", "v", "PX", "20")
        time.sleep(0.05)
        self.r.call("GET", "k")
        m = self.next_message(s)
        self.assertEqual(m, [b"pmessage", b"__key*__:*",
                             b"__keyevent@0__:expired", b"k"])
        self.assertEqual(self.events(s), [])

    def test_string_commands(self):
        s = self.listen("KEA")
        self.r.call("SET", "k", "1")
        got = self.events(s, ("INCR", "k"), ("INCRBY", "k", "2"),
                          ("DECR", "k"), ("INCRBYFLOAT", "k", "1.5"),
                          ("APPEND", "k", "x"), ("SETRANGE", "k", "0", "y"))
        self.assertEqual(got, self.both("k", "incrby") * 3 +
                         self.both("k", "incrbyfloat") +
                         self.both("k", "append") +
                         self.both("k", "setrange"))

    def test_mset_and_getdel(self):
        s = self.listen("KEA")
        self.assertEqual(self.events(s, ("MSET", "a", "1", "b", "2")),
                         self.both("a", "set") + self.both("b", "set"))
        self.assertEqual(self.events(s, ("GETDEL", "a")),
                         self.both("a", "del"))

    def test_list_commands(self):
        s = self.listen("KEA")
        got = self.events(s, ("LPUSH", "l", "a", "b"), ("RPUSH", "l", "c"),
                          ("LPOP", "l"), ("RPOP", "l"), ("LPOP", "l"))
        self.assertEqual(got, self.both("l", "lpush") +
                         self.both("l", "rpush") + self.both("l", "lpop") +
                         self.both("l", "rpop") + self.both("l", "lpop") +
                         self.both("l", "del"))

    def test_hash_commands(self):
        s = self.listen("KEA")
        got = self.events(s, ("HSET", "hh", "f", "v", "g", "w"),
                          ("HDEL", "hh", "f"), ("HINCRBY", "hh", "n", "1"))
        self.assertEqual(got, self.both("hh", "hset") +
                         self.both("hh", "hdel") +
                         self.both("hh", "hincrby"))

    def test_set_and_zset_commands(self):
        s = self.listen("KEA")
        got = self.events(s, ("SADD", "s", "a"), ("SREM", "s", "a"),
                          ("ZADD", "z", "1", "a"), ("ZINCRBY", "z", "1", "a"),
                          ("ZREM", "z", "a"))
        self.assertEqual(got, self.both("s", "sadd") + self.both("s", "srem") +
                         self.both("s", "del") + self.both("z", "zadd") +
                         self.both("z", "zincr") + self.both("z", "zrem") +
                         self.both("z", "del"))

    def test_rename(self):
        s = self.listen("KEA")
        self.r.call("SET", "a", "1")
        self.assertEqual(self.events(s, ("RENAME", "a", "b")),
                         self.both("a", "rename_from") +
                         self.both("b", "rename_to"))

    def test_copy_and_move(self):
        s = self.listen("KEA")
        self.r.call("SET", "c", "1")
        self.assertEqual(self.events(s, ("COPY", "c", "d"),
                                     ("MOVE", "d", "1")),
                         self.both("d", "copy_to") +
                         self.both("d", "move_from") +
                         self.both("d", "move_to", db=1))

    def test_other_database(self):
        s = self.listen("KEA")
        self.assertEqual(self.events(s, ("SELECT", "4"), ("SET", "k", "v"),
                                     ("SELECT", "0")),
                         self.both("k", "set", db=4))

    def test_flushall_sends_nothing(self):
        s = self.listen("KEA")
        self.r.call("SET", "k", "v")
        self.assertEqual(self.events(s, ("FLUSHALL",)), [])

    def test_failed_commands_send_nothing(self):
        s = self.listen("KEA")
        self.r.call("SET", "k", "v")
        self.assertEqual(self.events(s, ("LPUSH", "k", "x"),
                                     ("INCR", "k"), ("SETNX", "k", "w"),
                                     ("EXPIRE", "missing", "10")), [])

    def test_keyevent_expired_only(self):
        s = self.listen("Ex")
        self.assertEqual(self.events(s, ("SET", "k", "v", "PX", "20"),
                                     ("DEL", "k")), [])
        self.r.call("SET", "j", "v", "PX", "20")
        m = self.next_message(s)
        self.assertEqual(m[2:], [b"__keyevent@0__:expired", b"j"])

    def test_keyspace_list_only(self):
        s = self.listen("Kl")
        got = self.events(s, ("LPUSH", "l", "x"), ("SET", "k", "v"),
                          ("RPOP", "l"))
        # The list became empty: "del" is a generic event, not shown.
        self.assertEqual(got, [("__keyspace@0__:l", "lpush"),
                               ("__keyspace@0__:l", "rpop")])

    def test_keyevent_string_only(self):
        s = self.listen("E$")
        got = self.events(s, ("LPUSH", "l", "x"), ("SET", "k", "v"),
                          ("INCR", "i"))
        self.assertEqual(got, [("__keyevent@0__:set", "k"),
                               ("__keyevent@0__:incrby", "i")])

    def test_keyspace_generic_only(self):
        s = self.listen("Kg")
        got = self.events(s, ("SET", "k", "v"), ("DEL", "k"),
                          ("SET", "k", "v"), ("EXPIRE", "k", "100"),
                          ("RENAME", "k", "j"))
        self.assertEqual(got, [("__keyspace@0__:k", "del"),
                               ("__keyspace@0__:k", "expire"),
                               ("__keyspace@0__:k", "rename_from"),
                               ("__keyspace@0__:j", "rename_to")])

    def test_notifications_reach_resp3_subscribers_as_pushes(self):
        self.config_set("notify-keyspace-events", "KEA")
        c = self.client(protocol=3)
        c.call("SUBSCRIBE", "__keyevent@0__:set")
        self.r.call("SET", "k", "v")
        self.assertPush(self.next_message(c),
                        [b"message", b"__keyevent@0__:set", b"k"])

    def test_own_writes_are_notified_to_a_resp3_subscriber(self):
        self.config_set("notify-keyspace-events", "KEA")
        c = self.client(protocol=3)
        c.call("SUBSCRIBE", "__keyspace@0__:k")
        self.assertOk(c.call("SET", "k", "v"))
        self.assertPush(self.next_message(c),
                        [b"message", b"__keyspace@0__:k", b"set"])


if __name__ == "__main__":
    h.main()
