# Copyright 2026 The Colony Authors.
"""Clients that leave at a bad moment: a blocked client that hangs up or is
killed must not take an element with it, CLIENT UNBLOCK ends a blocking
call, and a subscriber that stops reading is cut off at the pub/sub output
limit (32 MB) and no longer counted as a receiver."""

import time

import kv_harness as h


class BlockedClientTest(h.KvTestCase):

    def block(self, *command):
        """A new connection blocked in the command; returns (client, id)."""
        b = self.client()
        client_id = b.call("CLIENT", "ID")
        b.send(*command)
        h.wait_for(lambda: b"blocked_clients:1" in self.r.call("INFO",
                                                                "clients"),
                   timeout=5, what="the client to block")
        return b, client_id

    def test_hang_up_keeps_pushed_element(self):
        for i in range(5):
            b, _ = self.block("BLPOP", "jobs", "0")
            b.close()
            time.sleep(0.005)
            self.assertInt(self.r.call("LPUSH", "jobs", "job%d" % i), 1)
            # Nobody is left to take it: it stays in the list.
            self.assertEqual(self.r.call("LRANGE", "jobs", 0, -1),
                             [b"job%d" % i])
            self.assertInt(self.r.call("DEL", "jobs"), 1)

    def test_hang_up_keeps_zadd_member(self):
        b, _ = self.block("BZPOPMIN", "z", "0")
        b.close()
        time.sleep(0.005)
        self.r.call("ZADD", "z", "1", "m")
        self.assertInt(self.r.call("ZCARD", "z"), 1)

    def test_killed_client_keeps_pushed_element(self):
        b, client_id = self.block("BRPOP", "jobs", "0")
        self.assertInt(self.r.call("CLIENT", "KILL", "ID", str(client_id)),
                       1)
        self.assertInt(self.r.call("RPUSH", "jobs", "job"), 1)
        self.assertEqual(self.r.call("LRANGE", "jobs", 0, -1), [b"job"])
        self.assertTrue(b.closed())

    def test_client_unblock(self):
        b, client_id = self.block("BLPOP", "q", "0")
        self.assertInt(self.r.call("CLIENT", "UNBLOCK", str(client_id)), 1)
        self.assertIsNone(b.read_reply(5))
        self.assertEqual(b.last_raw, b"*-1\r\n")
        b, client_id = self.block("BLMOVE", "q", "d", "LEFT", "RIGHT", "0")
        self.assertInt(self.r.call("CLIENT", "UNBLOCK", str(client_id),
                                   "ERROR"), 1)
        self.assertError(b.read_reply(5),
                         "UNBLOCKED client unblocked via CLIENT UNBLOCK")
        # A client that is not blocked is left alone.
        self.assertInt(self.r.call("CLIENT", "UNBLOCK", str(client_id)), 0)
        self.assertSimple(b.call("PING"), "PONG")


class SlowSubscriberTest(h.KvTestCase):

    def test_subscriber_that_stops_reading_is_cut_off(self):
        sub = h.Client(self.server.host, self.server.port)
        self.addCleanup(sub.close)
        self.assertEqual(sub.call("SUBSCRIBE", "news"),
                         [b"subscribe", b"news", 1])
        payload = b"x" * 4096
        receivers = None
        # 48 MB for a subscriber that reads nothing: past the 32 MB hard
        # limit of client-output-buffer-limit pubsub.
        for _ in range(12):
            receivers = self.r.pipeline([["PUBLISH", "news", payload]] *
                                        1000)
        self.assertEqual(receivers[0] if receivers else None, 0)
        h.wait_for(lambda: self.r.call("PUBSUB", "NUMSUB", "news") ==
                   [b"news", 0], timeout=5,
                   what="the subscriber to be dropped")
        self.assertInt(self.r.call("PUBLISH", "news", "more"), 0)
        # Its connection is gone too.
        self.assertEqual(self.r.call("CLIENT", "LIST").count(b"\n"), 1)


if __name__ == "__main__":
    h.main()
