# Copyright 2026 The Colony Authors.
"""The built-in http backend as clients meet it: curl on the routes, a
SIGTERM under wrk load, slowloris, maxclients, /readyz during the lame
duck, and file descriptors back to the baseline."""

import os
import re
import signal
import socket
import subprocess
import threading
import time

import daemon_harness as h


def curl(url, *args):
    p = subprocess.run(["curl", "-sS", "--max-time", "10",
                        "-o", "-", "-w", "\n%{http_code}", *args, url],
                       capture_output=True, timeout=30)
    out = p.stdout.decode(errors="replace")
    body, _, code = out.rpartition("\n")
    return int(code or 0), body


def read_response(sock):
    """Reads one HTTP/1.1 response with a Content-Length body.

    Returns ("complete", status, headers), ("eof", None, None) when the
    connection ended before any byte of a response, or ("partial", data,
    None) when it ended in the middle of one."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            return ("eof", None, None) if not data else ("partial", data,
                                                         None)
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            return ("partial", data, None)
        body += chunk
    return ("complete", status, headers)


class HttpTest(h.DaemonTestCase):

    def http(self, d, path="/plaintext"):
        host, port = d.address("http")
        return "http://%s:%d%s" % (host, port, path)

    def test_routes(self):
        static = h.tmpdir()
        with open(os.path.join(static, "hello.txt"), "w") as f:
            f.write("static hello\n")
        d = self.start(["--http_static_dir=" + static]).wait_ready()
        code, body = curl(self.http(d, "/plaintext"))
        self.assertEqual((code, body), (200, "Hello, World!"))
        code, body = curl(self.http(d, "/json"))
        self.assertEqual(code, 200)
        self.assertRegex(body, r'"message"\s*:\s*"Hello, World!"')
        code, body = curl(self.http(d, "/echo"), "--data-binary", "ping")
        self.assertEqual(code, 200)
        self.assertIn("ping", body)
        code, body = curl(self.http(d, "/static/hello.txt"))
        self.assertEqual((code, body), (200, "static hello\n"))
        code, body = curl(self.http(d, "/no/such/path"))
        self.assertEqual(code, 404)
        self.assertEqual(d.stop(), 0)

    def test_sigterm_under_wrk_load_loses_no_response(self):
        d = self.start(["--shutdown_lameduck=1500ms",
                        "--shutdown_drain_timeout=10s",
                        "--overload_queue_delay=0"]).wait_ready()
        url = self.http(d)
        wrk = subprocess.Popen(["wrk", "-t2", "-c32", "-d4s", url],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
        host, port = d.address("http")
        results = {"complete": 0, "eof": 0, "partial": 0, "bad": 0}
        stop = threading.Event()
        lock = threading.Lock()

        def keep_alive_client():
            # Requests on one connection until the server closes it: every
            # response that starts must be complete.
            while not stop.is_set():
                try:
                    s = socket.create_connection((host, port), timeout=10)
                except OSError:
                    return  # no longer accepting
                with s:
                    while True:
                        try:
                            s.sendall(b"GET /plaintext HTTP/1.1\r\n"
                                      b"Host: x\r\n\r\n")
                        except OSError:
                            break
                        kind, status, headers = read_response(s)
                        with lock:
                            results[kind] += 1
                            if kind == "complete" and status != 200:
                                results["bad"] += 1
                        if kind != "complete" or headers.get(
                                "connection") == "close":
                            break

        threads = [threading.Thread(target=keep_alive_client)
                   for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        d.signal(signal.SIGTERM)
        # New connections during the lame duck: each gets its reply.
        lameduck_ok = 0
        for _ in range(20):
            s = socket.create_connection((host, port), timeout=10)
            s.sendall(b"GET /json HTTP/1.1\r\nHost: x\r\n\r\n")
            kind, status, _ = read_response(s)
            self.assertEqual((kind, status), ("complete", 200))
            lameduck_ok += 1
            s.close()
            time.sleep(0.02)
        stop.set()
        self.assertEqual(d.wait_exit(30), 0)
        for t in threads:
            t.join(30)
        out = wrk.communicate(timeout=30)[0].decode(errors="replace")
        self.assertEqual(results["partial"], 0, results)
        self.assertEqual(results["bad"], 0, results)
        self.assertGreater(results["complete"], 0, results)
        self.assertEqual(lameduck_ok, 20)
        # wrk saw only 2xx responses.
        self.assertNotIn("Non-2xx", out, out)
        self.assertRegex(out, r"\d+ requests in")

    def test_slowloris_is_timed_out_while_normal_clients_are_served(self):
        d = self.start(["--http_header_read_timeout=1s"]).wait_ready()
        host, port = d.address("http")
        baseline = d.fds()
        slow = []
        for _ in range(200):
            s = socket.create_connection((host, port), timeout=10)
            s.setblocking(False)
            slow.append(s)
        request = b"GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Slow: "
        served = 0
        start = time.monotonic()
        ended = set()
        i = 0
        while time.monotonic() - start < 3.0:
            # One more byte on every slow connection.
            for k, s in enumerate(slow):
                if k in ended:
                    continue
                try:
                    s.send(request[i % len(request):i % len(request) + 1])
                except OSError:
                    ended.add(k)
            i += 1
            code, body = curl("http://%s:%d/plaintext" % (host, port))
            self.assertEqual((code, body), (200, "Hello, World!"))
            served += 1
            time.sleep(0.1)
        self.assertGreater(served, 5)
        # The slow ones were answered 408 or closed by the header timeout.
        timed_out = 0
        for s in slow:
            s.setblocking(True)
            s.settimeout(5)
            try:
                data = s.recv(4096)
                if data.startswith(b"HTTP/1.1 408") or data == b"":
                    timed_out += 1
            except OSError:
                timed_out += 1
            s.close()
        self.assertEqual(timed_out, len(slow))
        h.wait_for(lambda: d.fds() <= baseline, timeout=20,
                   what="fds back to %d (now %d)" % (baseline, d.fds()))
        self.assertEqual(d.stop(), 0)

    def test_maxclients_answers_503(self):
        d = self.start(["--http_maxclients=4"]).wait_ready()
        host, port = d.address("http")
        held = []
        for _ in range(4):
            s = socket.create_connection((host, port), timeout=10)
            s.sendall(b"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(read_response(s)[:2], ("complete", 200))
            held.append(s)
        extra = socket.create_connection((host, port), timeout=10)
        extra.sendall(b"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n")
        kind, status, headers = read_response(extra)
        self.assertEqual((kind, status), ("complete", 503))
        extra.close()
        for s in held:
            s.close()
        self.assertEqual(d.stop(), 0)

    def test_fds_back_to_baseline_after_wrk_load(self):
        d = self.start().wait_ready()
        code, _ = curl(self.http(d))
        self.assertEqual(code, 200)
        baseline = d.fds()
        out = subprocess.run(["wrk", "-t2", "-c100", "-d2s", self.http(d)],
                             capture_output=True, timeout=60)
        self.assertIn(b"requests in", out.stdout)
        h.wait_for(lambda: d.fds() <= baseline, timeout=20,
                   what="fds back to %d (now %d)" % (baseline, d.fds()))
        self.assertEqual(d.stop(), 0)


class AdminReadinessTest(h.DaemonTestCase):

    def test_readyz_fails_during_the_lame_duck(self):
        d = self.start(["--shutdown_lameduck=2s"], admin=True).wait_ready()
        if "admin" not in d.ports:
            self.skipTest("this binary links no admin endpoint")
        host, port = d.address("admin")
        url = "http://%s:%d/readyz" % (host, port)
        self.assertEqual(curl(url)[0], 200)
        d.signal(signal.SIGTERM)
        h.wait_for(lambda: curl(url)[0] == 503, timeout=10,
                   what="/readyz 503")
        # Still serving HTTP meanwhile.
        hh, hp = d.address("http")
        self.assertEqual(curl("http://%s:%d/plaintext" % (hh, hp))[0], 200)
        self.assertEqual(d.wait_exit(), 0)


if __name__ == "__main__":
    h.main([HttpTest, AdminReadinessTest])
