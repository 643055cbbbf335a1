# Copyright 2026 The Colony Authors.
"""redis-cli, the reference command-line client, against the server: one-shot
commands in its raw and formatted outputs, --pipe mass insertion, --latency,
--scan and RESP3 (-3)."""

import re
import subprocess

import client_tools as t
import kv_harness as h


class RedisCliTest(h.KvTestCase):

    def cli(self, *args, stdin=None, timeout=30.0):
        """redis-cli's stdout as text; fails on a non-zero exit status."""
        p = t.run_tool(self.server, "redis-cli", args, stdin=stdin,
                       timeout=timeout)
        self.assertEqual(p.returncode, 0,
                         "redis-cli %s: %s" % (args, p.stderr.decode()))
        return p.stdout.decode()

    # One-shot commands. Without a terminal redis-cli prints replies raw;
    # --no-raw gives the formatted form a terminal would see.

    def test_set_get(self):
        self.assertEqual(self.cli("SET", "k", "hello world"), "OK\n")
        self.assertEqual(self.cli("GET", "k"), "hello world\n")
        self.assertEqual(self.cli("--no-raw", "GET", "k"),
                         '"hello world"\n')

    def test_integer_and_nil(self):
        self.assertEqual(self.cli("INCR", "n"), "1\n")
        self.assertEqual(self.cli("--no-raw", "INCRBY", "n", "41"),
                         "(integer) 42\n")
        self.assertEqual(self.cli("GET", "missing"), "\n")
        self.assertEqual(self.cli("--no-raw", "GET", "missing"), "(nil)\n")

    def test_array(self):
        self.cli("MSET", "a", "1", "b", "two")
        self.assertEqual(self.cli("MGET", "a", "b", "missing"),
                         "1\ntwo\n\n")
        self.assertEqual(self.cli("--no-raw", "MGET", "a", "b", "missing"),
                         '1) "1"\n2) "two"\n3) (nil)\n')

    def test_error_reply(self):
        # redis-cli 7.0 prints the error and still exits 0.
        self.cli("SET", "s", "x")
        self.assertEqual(self.cli("--no-raw", "INCR", "s"),
                         "(error) ERR value is not an integer or out of "
                         "range\n")
        out = self.cli("NOSUCHCOMMAND", "arg")
        self.assertTrue(out.startswith("ERR unknown command 'NOSUCHCOMMAND'"),
                        out)

    def test_stdin_as_last_argument(self):
        blob = bytes(range(256)) + b"\r\n end"
        self.assertEqual(self.cli("-x", "SET", "blob", stdin=blob), "OK\n")
        self.assertBulk(self.r.call("GET", "blob"), blob)
        self.assertEqual(self.cli("STRLEN", "blob"), "%d\n" % len(blob))

    def test_repeat(self):
        self.assertEqual(self.cli("-r", "5", "INCR", "c"),
                         "1\n2\n3\n4\n5\n")
        self.assertBulk(self.r.call("GET", "c"), "5")

    def test_commands_from_stdin(self):
        out = self.cli(stdin=b"SET x 1\nINCR x\nGET x\n")
        self.assertEqual(out, "OK\n2\n2\n")

    # Mass insertion.

    def test_pipe_mass_insertion(self):
        n = 100000
        data = b"".join(
            h.encode_command(["SET", "key:%d" % i, "value:%d" % i])
            for i in range(n))
        out = self.cli("--pipe", stdin=data, timeout=120.0)
        self.assertIn("errors: 0, replies: %d" % n, out)
        self.assertInt(self.r.call("DBSIZE"), n)
        for i in (0, 1, 4242, n - 1):
            self.assertBulk(self.r.call("GET", "key:%d" % i), "value:%d" % i)

    def test_pipe_counts_errors(self):
        data = b"".join(h.encode_command(c) for c in (
            ["SET", "a", "x"], ["INCR", "a"], ["SET", "b", "y"],
            ["NOSUCHCOMMAND"]))
        p = t.run_tool(self.server, "redis-cli", ["--pipe"], stdin=data)
        out = p.stdout.decode() + p.stderr.decode()
        self.assertIn("errors: 2, replies: 4", out)
        self.assertNotEqual(p.returncode, 0)
        self.assertBulk(self.r.call("GET", "b"), "y")

    # Latency: redis-cli sends PING in a loop and reports round trips in
    # milliseconds.

    def test_latency_raw(self):
        # Without a terminal, --latency prints "min max avg samples" once
        # after the -i interval and exits.
        out = self.cli("--latency", "-i", "1", timeout=20.0)
        m = re.fullmatch(r"(\d+) (\d+) ([\d.]+) (\d+)\n", out)
        self.assertIsNotNone(m, out)
        lo, hi, avg, samples = (int(m.group(1)), int(m.group(2)),
                                float(m.group(3)), int(m.group(4)))
        self.assertGreater(samples, 10)
        self.assertLessEqual(lo, avg)
        self.assertLessEqual(avg, hi)
        self.assertLess(avg, 50.0)

    def test_latency_formatted(self):
        # The formatted form runs until stopped; stop it after 2 s and read
        # its last summary.
        proc = subprocess.Popen(
            [t.tool("redis-cli"), "-h", self.server.host, "-p",
             str(self.server.port), "--no-raw", "--latency", "-i", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, _ = proc.communicate(timeout=2.0)
        except subprocess.TimeoutExpired:
            proc.terminate()
            out, _ = proc.communicate(timeout=10.0)
        reports = re.findall(
            r"min: (\d+), max: (\d+), avg: ([\d.]+) \((\d+) samples\)",
            out.decode())
        self.assertTrue(reports, out[-500:])
        lo, hi, avg, samples = reports[-1]
        self.assertGreater(int(samples), 10)
        self.assertLessEqual(int(lo), float(avg))
        self.assertLessEqual(float(avg), int(hi))
        self.assertLess(float(avg), 50.0)
        # The server saw the PINGs and still answers.
        self.assertSimple(self.r.call("PING"), "PONG")

    # SCAN.

    def test_scan_pattern(self):
        self.r.pipeline([["SET", "user:%d" % i, "x"] for i in range(300)] +
                        [["SET", "other:%d" % i, "x"] for i in range(300)] +
                        [["SET", "user:1%d:tmp" % i, "x"] for i in range(5)])
        out = self.cli("--scan", "--pattern", "user:1?")
        self.assertEqual(sorted(out.split()),
                         sorted("user:1%d" % i for i in range(10)))
        out = self.cli("--scan", "--pattern", "user:*")
        keys = out.split()
        self.assertEqual(len(keys), len(set(keys)), "duplicates")
        self.assertEqual(set(keys),
                         {"user:%d" % i for i in range(300)} |
                         {"user:1%d:tmp" % i for i in range(5)})
        out = self.cli("--scan")
        self.assertEqual(len(out.split()), 605)
        self.assertEqual(len(set(out.split())), 605)

    # RESP3.

    def test_resp3_hello(self):
        out = self.cli("-3", "--no-raw", "HELLO")
        self.assertIn('1# "server" => ', out)
        self.assertIn('"proto" => (integer) 3', out)
        self.assertIn('"version" => "7.', out)
        self.assertRegex(out, r'"id" => \(integer\) \d+')
        self.assertIn('"mode" => "standalone"', out)
        self.assertIn('"role" => "master"', out)

    def test_resp3_types(self):
        self.cli("SET", "f", "1.5")
        self.assertEqual(self.cli("-3", "--no-raw", "GET", "missing"),
                         "(nil)\n")
        self.assertEqual(self.cli("-3", "--no-raw", "INCRBYFLOAT", "f", "1"),
                         '"2.5"\n')
        self.assertEqual(self.cli("-3", "--no-raw", "EXISTS", "f"),
                         "(integer) 1\n")


if __name__ == "__main__":
    h.main()
