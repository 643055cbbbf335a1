# Copyright 2026 The Colony Authors.
"""Blocking list pops under concurrency: many consumers blocked in BLPOP,
BRPOP, BLMOVE and BLMPOP loops while producers push uniquely numbered
elements; every element must reach exactly one consumer and none may be
left behind, whatever the timing of pushes, serving and timeouts."""

import random
import threading
import time

import kv_harness as h


class Worker(threading.Thread):
    """A thread that runs `body(client)` on its own connection and keeps
    the exception it raised, if any."""

    def __init__(self, server, body):
        super().__init__(daemon=True)
        self.server = server
        self.body = body
        self.error = None

    def run(self):
        c = self.server.client()
        c.timeout = 30
        try:
            self.body(c)
        except Exception as e:  # reported by the test
            self.error = e
        finally:
            c.close()


class BlockingStressTest(h.KvTestCase):

    def blocked_clients(self):
        for line in self.r.call("INFO", "clients").decode().split("\r\n"):
            if line.startswith("blocked_clients:"):
                return int(line.split(":")[1])
        raise AssertionError("no blocked_clients in INFO")

    def run_all(self, consumers, producers, total, *, block_first=True):
        """Starts the consumers (waiting until they are all blocked when
        block_first), then the producers; waits for `total` elements to
        be received, then stops the consumers. Returns nothing; each
        consumer appends what it got to self.received."""
        for w in consumers:
            w.start()
        if block_first:
            h.wait_for(lambda: self.blocked_clients() == len(consumers),
                       timeout=30, what="every consumer blocked")
        for w in producers:
            w.start()
        for w in producers:
            w.join(120)
            self.assertFalse(w.is_alive(), "a producer is stuck")
            self.assertIsNone(w.error)
        deadline = time.monotonic() + 120
        while len(self.received) < total and time.monotonic() < deadline:
            if any(w.error for w in consumers):
                break
            time.sleep(0.05)
        self.stop.set()
        for w in consumers:
            w.join(60)
            self.assertFalse(w.is_alive(), "a consumer is stuck")
            self.assertIsNone(w.error)

    def setUp(self):
        super().setUp()
        self.received = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def got(self, items):
        with self.lock:
            self.received.extend(items)

    def producer(self, numbers, keys, seed):
        def body(c):
            rng = random.Random(seed)
            i = 0
            while i < len(numbers):
                n = rng.randint(1, 8)
                batch = [str(x) for x in numbers[i:i + n]]
                i += n
                cmd = rng.choice(("LPUSH", "RPUSH"))
                reply = c.call(cmd, rng.choice(keys), *batch)
                if not isinstance(reply, int):
                    raise AssertionError("%s answered %r" % (cmd, reply))
        return body

    def assertExactlyOnce(self, total, keys):
        got = [int(x) for x in self.received]
        self.assertEqual(len(got), len(set(got)), "an element came twice")
        missing = set(range(total)) - set(got)
        self.assertEqual(len(missing), 0,
                         "%d elements never came, e.g. %r" %
                         (len(missing), sorted(missing)[:10]))
        self.assertEqual(len(got), total)
        for k in keys:
            self.assertInt(self.r.call("LLEN", k), 0)
        h.wait_for(lambda: self.blocked_clients() == 0, timeout=10,
                   what="no blocked clients")

    def test_blpop_consumers(self):
        total, keys = 20000, ["q0", "q1", "q2", "q3"]

        def consumer(seed):
            def body(c):
                rng = random.Random(seed)
                while not self.stop.is_set():
                    order = keys[:]
                    rng.shuffle(order)
                    cmd = rng.choice(("BLPOP", "BRPOP"))
                    reply = c.call(cmd, *order, "0.5")
                    if reply is None:
                        continue
                    if not (isinstance(reply, list) and len(reply) == 2 and
                            reply[0].decode() in keys):
                        raise AssertionError("%s answered %r" % (cmd, reply))
                    self.got([reply[1]])
            return body

        numbers = list(range(total))
        consumers = [Worker(self.server, consumer(i)) for i in range(50)]
        producers = [Worker(self.server,
                            self.producer(numbers[p::10], keys, 1000 + p))
                     for p in range(10)]
        self.run_all(consumers, producers, total)
        self.assertExactlyOnce(total, keys)

    def test_move_chain(self):
        # Producers push into "in"; movers BLMOVE (or BRPOPLPUSH) from
        # "in" to "mid"; consumers take from "mid" with BLMPOP.
        total = 10000

        def mover(seed):
            def body(c):
                rng = random.Random(seed)
                while not self.stop.is_set():
                    if rng.random() < 0.5:
                        reply = c.call("BRPOPLPUSH", "in", "mid", "0.5")
                    else:
                        reply = c.call("BLMOVE", "in", "mid",
                                       rng.choice(("LEFT", "RIGHT")),
                                       rng.choice(("LEFT", "RIGHT")), "0.5")
                    if reply is not None and not isinstance(reply, bytes):
                        raise AssertionError("move answered %r" % (reply,))
            return body

        def consumer(seed):
            def body(c):
                rng = random.Random(seed)
                while not self.stop.is_set():
                    reply = c.call("BLMPOP", "0.5", "1", "mid",
                                   rng.choice(("LEFT", "RIGHT")), "COUNT",
                                   str(rng.randint(1, 5)))
                    if reply is None:
                        continue
                    if reply[0] != b"mid" or not reply[1]:
                        raise AssertionError("BLMPOP answered %r" % (reply,))
                    self.got(reply[1])
            return body

        numbers = list(range(total))
        consumers = ([Worker(self.server, mover(i)) for i in range(20)] +
                     [Worker(self.server, consumer(100 + i))
                      for i in range(20)])
        producers = [Worker(self.server,
                            self.producer(numbers[p::5], ["in"], 2000 + p))
                     for p in range(5)]
        self.run_all(consumers, producers, total)
        self.assertExactlyOnce(total, ["in", "mid"])

    def test_short_timeouts_race_serving(self):
        # Timeouts of a few milliseconds expire while elements arrive: a
        # client that timed out must not take one, one that was served
        # must get it.
        total, keys = 10000, ["t0", "t1"]

        def consumer(seed):
            def body(c):
                rng = random.Random(seed)
                while not self.stop.is_set():
                    reply = c.call("BLPOP", *keys,
                                   rng.choice(("0.001", "0.002", "0.005")))
                    if reply is not None:
                        self.got([reply[1]])
            return body

        numbers = list(range(total))
        consumers = [Worker(self.server, consumer(i)) for i in range(30)]
        producers = [Worker(self.server,
                            self.producer(numbers[p::5], keys, 3000 + p))
                     for p in range(5)]
        self.run_all(consumers, producers, total, block_first=False)
        self.assertExactlyOnce(total, keys)


if __name__ == "__main__":
    h.main()
