# Copyright 2026 The Colony Authors.
"""Many clients at once (colonyd serves them on 2 workers): atomic counters,
the atomicity of MULTI/EXEC and of multi-key reads, list queues that hand
every element to exactly one consumer, and connections opened and closed in
a hurry. KV_STRESS_SCALE scales the load (see client_tools.py)."""

import collections
import threading
import time

import client_tools as t
import kv_harness as h


def run_threads(targets, timeout=120.0):
    """Runs each callable on its own thread; returns the exceptions they
    raised (empty when all went well). A thread still running after the
    timeout is reported as an error."""
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except Exception as e:  # reported to the caller
                errors.append(e)
        return run

    threads = [threading.Thread(target=wrap(fn), daemon=True)
               for fn in targets]
    for th in threads:
        th.start()
    deadline = time.monotonic() + timeout
    for th in threads:
        th.join(max(0.0, deadline - time.monotonic()))
        if th.is_alive():
            errors.append(AssertionError("a thread did not finish in time"))
    return errors


def run_then_stop(targets, stop):
    """Runs `targets` on threads (run_threads()), then sets `stop`;
    raises the first exception they raised."""
    try:
        errors = run_threads(targets)
        if errors:
            raise errors[0]
    finally:
        stop.set()


class ConcurrencyTest(h.KvTestCase):

    def new_conn(self):
        """A RESP client for one thread (closed after the test)."""
        return self.client()

    def test_incr_one_key(self):
        threads_n, per_thread = 16, t.scaled(2000, 50)
        replies = [[] for _ in range(threads_n)]

        def worker(i):
            c = self.new_conn()
            for _ in range(per_thread):
                replies[i].append(c.call("INCR", "counter"))

        self.assertEqual(run_threads(
            [lambda i=i: worker(i) for i in range(threads_n)]), [])
        total = threads_n * per_thread
        self.assertBulk(self.r.call("GET", "counter"), str(total))
        # Every INCR saw a different value: none was lost or doubled.
        seen = sorted(v for r in replies for v in r)
        self.assertEqual(seen, list(range(1, total + 1)))
        for r in replies:
            self.assertEqual(r, sorted(r))

    def test_pipelined_incr_many_keys(self):
        threads_n, rounds, keys = 8, t.scaled(200, 10), 64
        batch = [["INCR", "c:%d" % k] for k in range(keys)]

        def worker():
            c = self.new_conn()
            for _ in range(rounds):
                for reply in c.pipeline(batch):
                    self.assertIsInstance(reply, int)

        self.assertEqual(run_threads([worker] * threads_n), [])
        values = self.r.call("MGET", *["c:%d" % k for k in range(keys)])
        self.assertEqual(values, [str(threads_n * rounds).encode()] * keys)

    def test_exec_is_atomic(self):
        """Writers move amounts between two keys inside MULTI/EXEC while
        readers check, with MGET and with a read-only transaction, that
        the total never changes."""
        writers, readers = 8, 4
        moves = t.scaled(1000, 20)
        total = 1000000
        # Keys named to land on different shards of a striped keyspace.
        a, b = "account:{a}:1", "account:{b}:2"
        self.r.call("MSET", a, str(total), b, "0")
        stop = threading.Event()
        reads = collections.Counter()

        def writer(i):
            c = self.new_conn()
            for j in range(moves):
                amount = 1 + (i * 31 + j) % 97
                src, dst = (a, b) if (i + j) % 2 else (b, a)
                replies = c.pipeline([["MULTI"], ["DECRBY", src, amount],
                                      ["INCRBY", dst, amount], ["EXEC"]])
                self.assertEqual(replies[:3], ["OK", "QUEUED", "QUEUED"])
                self.assertEqual(len(replies[3]), 2, replies)

        def reader(i):
            c = self.new_conn()
            while not stop.is_set():
                if i % 2:
                    values = c.call("MGET", a, b)
                else:
                    values = c.pipeline([["MULTI"], ["GET", a], ["GET", b],
                                         ["EXEC"]])[3]
                s = sum(int(v) for v in values)
                self.assertEqual(s, total, "%s + %s" % tuple(values))
                reads[i] += 1

        def writers_then_stop():
            run_then_stop([lambda i=i: writer(i) for i in range(writers)],
                          stop)

        self.assertEqual(run_threads(
            [writers_then_stop] +
            [lambda i=i: reader(i) for i in range(readers)]), [])
        self.assertEqual(len(reads), readers, "a reader never read")
        values = self.r.call("MGET", a, b)
        self.assertEqual(sum(int(v) for v in values), total)

    def test_pipelined_runs_on_a_hot_key(self):
        """Pipelines that write one hot key many times in a row (a run the
        server serves under one hold of the key's shard) mixed with
        transactions, multi-key reads, other databases, blocking pops and
        pushes to a list a consumer waits on: nothing is lost, doubled or
        seen half done, and nothing deadlocks."""
        threads_n, rounds = 8, t.scaled(150, 5)
        total = 100000
        self.r.call("MSET", "hot:a", str(total), "hot:b", "0")
        stop = threading.Event()
        popped = []

        def writer(i):
            c = self.new_conn()
            for j in range(rounds):
                amount = 1 + (i + j) % 7
                batch = ([["INCR", "hot"]] * 8 +
                         [["MULTI"], ["DECRBY", "hot:a", amount],
                          ["INCRBY", "hot:b", amount], ["EXEC"]] +
                         [["INCR", "hot"]] * 4 +
                         [["MGET", "hot:a", "hot:b"]] +
                         [["SELECT", "1"], ["INCR", "hot"], ["SELECT", "0"]] +
                         [["RPUSH", "hot:list", "%d:%d" % (i, j)]] +
                         [["INCR", "hot"]] * 4)
                replies = c.pipeline(batch)
                self.assertEqual(len(replies[11]), 2, replies[11])
                a, b = (int(v) for v in replies[16])
                self.assertEqual(a + b, total)

        def consumer():
            c = self.new_conn()
            while not stop.is_set() or c.call("LLEN", "hot:list") > 0:
                got = c.call("BLPOP", "hot:list", "0.05")
                if got is not None:
                    popped.append(got[1])

        def writers_then_stop():
            run_then_stop([lambda i=i: writer(i) for i in range(threads_n)],
                          stop)

        self.assertEqual(run_threads(
            [writers_then_stop, consumer, consumer]), [])
        self.assertBulk(self.r.call("GET", "hot"),
                        str(threads_n * rounds * 16))
        self.r.call("SELECT", "1")
        self.assertBulk(self.r.call("GET", "hot"), str(threads_n * rounds))
        self.r.call("SELECT", "0")
        a, b = (int(v) for v in self.r.call("MGET", "hot:a", "hot:b"))
        self.assertEqual(a + b, total)
        expected = sorted("%d:%d" % (i, j) for i in range(threads_n)
                          for j in range(rounds))
        self.assertEqual(sorted(v.decode() for v in popped), expected)

    def test_watch_transfers(self):
        """Optimistic transfers: WATCH both keys, read, then MULTI/EXEC;
        a conflict (null EXEC) is retried. Money is neither made nor
        lost."""
        threads_n, moves = 6, t.scaled(300, 10)
        self.r.call("MSET", "x", "500", "y", "500")
        retries = collections.Counter()

        def worker(i):
            c = self.new_conn()
            for j in range(moves):
                while True:
                    c.call("WATCH", "x", "y")
                    x, y = (int(v) for v in c.call("MGET", "x", "y"))
                    amount = 1 if (i + j) % 2 else -1
                    if x - amount < 0 or y + amount < 0:
                        amount = -amount
                    replies = c.pipeline([["MULTI"], ["SET", "x", x - amount],
                                          ["SET", "y", y + amount], ["EXEC"]])
                    if replies[3] is not None:
                        break
                    retries[i] += 1

        self.assertEqual(run_threads(
            [lambda i=i: worker(i) for i in range(threads_n)]), [])
        x, y = (int(v) for v in self.r.call("MGET", "x", "y"))
        self.assertEqual(x + y, 1000)

    def test_list_queue_exactly_once(self):
        producers, consumers = 4, 4
        per_producer = t.scaled(2000, 50)
        expected = producers * per_producer
        got = [[] for _ in range(consumers)]
        lock = threading.Lock()
        count = [0]

        def producer(i):
            c = self.new_conn()
            for start in range(0, per_producer, 50):
                end = min(per_producer, start + 50)
                # One LPUSH of several values pushes them left to right.
                n = c.call("LPUSH", "queue",
                           *["%d:%d" % (i, j) for j in range(start, end)])
                self.assertIsInstance(n, int)

        def consumer(i):
            c = self.new_conn()
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                with lock:
                    if count[0] == expected:
                        return
                if i % 2:
                    v = c.call("RPOP", "queue")
                    if v is None:
                        time.sleep(0.001)
                        continue
                else:
                    reply = c.call("BRPOP", "queue", "0.1")
                    if reply is None:
                        continue
                    self.assertEqual(reply[0], b"queue")
                    v = reply[1]
                got[i].append(v.decode())
                with lock:
                    count[0] += 1
            raise AssertionError("consumer %d gave up" % i)

        self.assertEqual(run_threads(
            [lambda i=i: producer(i) for i in range(producers)] +
            [lambda i=i: consumer(i) for i in range(consumers)]), [])
        everything = [v for g in got for v in g]
        self.assertEqual(len(everything), expected)
        self.assertEqual(sorted(everything), sorted(
            "%d:%d" % (i, j) for i in range(producers)
            for j in range(per_producer)))
        # LPUSH + RPOP is first in, first out: what one consumer got from
        # one producer came in the order it was pushed.
        for g in got:
            last = {}
            for v in g:
                p, j = (int(x) for x in v.split(":"))
                self.assertGreater(j, last.get(p, -1), g)
                last[p] = j
        self.assertInt(self.r.call("EXISTS", "queue"), 0)

    def test_connection_churn(self):
        threads_n, per_thread = 8, t.scaled(150, 10)

        def worker(i):
            for j in range(per_thread):
                c = h.Client(self.server.host, self.server.port)
                try:
                    key = "churn:%d:%d" % (i, j)
                    self.assertOk(c.call("SET", key, str(j)))
                    self.assertBulk(c.call("GET", key), str(j))
                    if j % 3 == 0:
                        # Leave without reading the reply.
                        c.send("INCR", "churn:count")
                    else:
                        self.assertIsInstance(c.call("INCR", "churn:count"),
                                              int)
                finally:
                    c.close()

        self.assertEqual(run_threads(
            [lambda i=i: worker(i) for i in range(threads_n)]), [])
        # Every INCR arrived, also those whose reply nobody read.
        h.wait_for(lambda: self.r.call("GET", "churn:count") ==
                   str(threads_n * per_thread).encode(),
                   timeout=10, what="every INCR to be counted")
        self.assertInt(self.r.call("DBSIZE"), threads_n * per_thread + 1)
        self.assertSimple(self.r.call("PING"), "PONG")

    def test_pubsub_fan_out(self):
        subscribers, messages = 8, t.scaled(500, 20)
        subs = []
        for _ in range(subscribers):
            c = self.new_conn()
            self.assertEqual(c.call("SUBSCRIBE", "fan"),
                             [b"subscribe", b"fan", 1])
            subs.append(c)
        received = [[] for _ in range(subscribers)]

        def listen(i):
            while len(received[i]) < messages:
                m = subs[i].read_push(timeout=30)
                self.assertIsNotNone(m, "subscriber %d starved" % i)
                self.assertEqual(m[:2], [b"message", b"fan"])
                received[i].append(int(m[2]))

        def publish():
            c = self.new_conn()
            for start in range(0, messages, 50):
                replies = c.pipeline([["PUBLISH", "fan", str(k)]
                                      for k in range(start, min(
                                          messages, start + 50))])
                self.assertEqual(set(replies), {subscribers})

        self.assertEqual(run_threads(
            [publish] + [lambda i=i: listen(i) for i in range(subscribers)]),
            [])
        for r in received:
            self.assertEqual(r, list(range(messages)))


if __name__ == "__main__":
    h.main()
