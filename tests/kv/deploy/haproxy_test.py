# Copyright 2026 The Colony Authors.
"""Two colonyd instances behind HAProxy in TCP mode, configured by
deploy/haproxy/haproxy.cfg: kv1 active, kv2 standby. The RESP health check
marks a killed instance DOWN and new connections go to the standby; when
the instance is back (from its append-only file) connections go to it
again and the standby's are closed. An instance that answers PING but is a
replica is kept out by the role check.

    haproxy_test.py COLONYD HAPROXY_CFG [unittest args]
"""

import os
import subprocess
import sys
import unittest

import deploy_harness as d
import kv_harness as h

COLONYD = None
HAPROXY_CFG = None


class HAProxyTest(d.ProxyTestCase):

    def start_proxy(self, servers):
        self.proxy = d.HAProxy(servers, HAPROXY_CFG)
        self.addCleanup(self.proxy.stop)
        self.proxy.start()

    def connect(self):
        """A new connection through the proxy (kv_harness.Client)."""
        c = h.Client("127.0.0.1", self.proxy.port, timeout=30.0)
        self.addCleanup(c.close)
        return c

    def served_by(self):
        """The instance a new connection through the proxy reaches (each
        holds its own name under "whoami")."""
        c = self.connect()
        try:
            return c.call("GET", "whoami").decode()
        finally:
            c.close()

    def wait_status(self, expected, timeout=60.0):
        """Polls `show stat` until the servers named in `expected` have
        those statuses."""
        def matches():
            status = self.proxy.server_status()
            return all(status.get(k) == v for k, v in expected.items())
        try:
            d.h.wait_for(matches, timeout=timeout, interval=0.1,
                         what="haproxy to report %r" % expected)
        except AssertionError:
            raise AssertionError("haproxy reports %r, not %r" %
                                 (self.proxy.server_status(), expected))

    def test_killed_instance_goes_down_and_the_standby_takes_over(self):
        self.cluster = d.Cluster(COLONYD, ["kv1", "kv2"])
        self.addCleanup(self.cluster.stop)
        self.cluster.start()
        kv1, kv2 = self.cluster.instances
        for inst in (kv1, kv2):
            c = inst.client()
            self.assertEqual(c.call("SET", "whoami", inst.name), "OK")
            c.close()
        self.start_proxy(self.cluster.instances)
        self.wait_status({"kv1": "UP", "kv2": "UP"})

        # While kv1 is UP every new connection goes to it.
        self.assertEqual([self.served_by() for _ in range(5)], ["kv1"] * 5)
        old = self.connect()
        self.assertEqual(old.call("SET", "before", "1"), "OK")
        self.assertEqual(kv1.mget(["before"]), {"before": b"1"})

        # Killed, kv1 fails its checks and is marked DOWN; its client's
        # connection is closed, and new ones go to the standby.
        kv1.kill()
        self.wait_status({"kv1": "DOWN", "kv2": "UP"})
        self.assertTrue(old.closed(timeout=30.0))
        self.assertEqual([self.served_by() for _ in range(5)], ["kv2"] * 5)
        standby = self.connect()
        self.assertEqual(standby.call("SET", "during", "2"), "OK")
        self.assertEqual(kv2.mget(["during"]), {"during": b"2"})
        # What this topology does not do: the standby has none of kv1's
        # data (docs/deploy.md).
        self.assertIsNone(standby.call("GET", "before"))

        # kv1 restarts from its append-only file with its acknowledged
        # write; once UP it takes the new connections again, and the
        # standby's connections are closed so that clients do not write to
        # both.
        kv1.start()
        self.assertEqual(kv1.mget(["before"]), {"before": b"1"})
        self.wait_status({"kv1": "UP", "kv2": "UP"})
        self.assertTrue(standby.closed(timeout=30.0))
        self.assertEqual([self.served_by() for _ in range(5)], ["kv1"] * 5)
        c = self.connect()
        self.assertEqual(c.call("GET", "before"), b"1")
        self.assertIsNone(c.call("GET", "during"))

    def test_a_replica_answering_ping_is_kept_out(self):
        self.cluster = d.Cluster(COLONYD, ["kv1"])
        self.addCleanup(self.cluster.stop)
        self.cluster.start()
        c = self.cluster.instance("kv1").client()
        self.assertEqual(c.call("SET", "whoami", "kv1"), "OK")
        c.close()
        replica = Replica()
        self.addCleanup(replica.stop)
        replica.start()
        c = h.Client("127.0.0.1", replica.port)
        self.assertEqual(c.call("PING"), "PONG")
        c.close()

        self.start_proxy(self.cluster.instances + [replica])
        self.wait_status({"kv1": "UP", "kv2": "DOWN"})
        # It is the role check that failed, not the PING.
        last = self.proxy.server_rows()["kv2"]["last_chk"]
        self.assertIn("role:master", last)
        self.assertEqual(self.served_by(), "kv1")


class Replica:
    """redis-server as a replica of a primary that is not there: it
    answers PING, and INFO says role:slave. Named kv2 for the config."""

    name = "kv2"

    def __init__(self):
        self.dir = h.tmpdir()
        self.proc = None
        self.port = None

    def start(self):
        for _ in range(5):
            self.port = h.free_port()
            self.proc = subprocess.Popen(
                ["/usr/bin/redis-server", "--port", str(self.port),
                 "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", self.dir, "--replicaof", "127.0.0.1",
                 str(h.free_port()),
                 "--logfile", os.path.join(self.dir, "redis.log")],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            try:
                h.wait_for(self._answers, what="redis-server to answer")
                return
            except AssertionError:
                self.stop()
        raise AssertionError("redis-server did not start")

    def _answers(self):
        if self.proc.poll() is not None:
            raise AssertionError("redis-server exited")
        try:
            c = h.Client("127.0.0.1", self.port, timeout=2.0)
        except OSError:
            return False
        try:
            return c.call("PING") == "PONG"
        except (OSError, h.ConnectionClosed):
            return False
        finally:
            c.close()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def main():
    global COLONYD, HAPROXY_CFG
    if len(sys.argv) < 3:
        sys.exit("usage: haproxy_test.py COLONYD HAPROXY_CFG [args]")
    COLONYD = os.path.abspath(sys.argv[1])
    HAPROXY_CFG = os.path.abspath(sys.argv[2])
    del sys.argv[1:3]
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
