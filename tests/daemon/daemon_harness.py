# Copyright 2026 The Colony Authors.
"""Starts a real colonyd binary on free ports and talks to it.

Used by the daemon's integration tests (tests/daemon/*_test.py): each test
starts the binary with --port_file in a fresh directory, waits until the
file names every listener, and stops it with a signal, checking the exit
status.
"""

import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest


def tmpdir():
    return tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))


def wait_for(predicate, timeout=20.0, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s" % what)


_KEYS = {}


def keys_of(binary):
    """The config keys the binary knows (from --print-config)."""
    if binary not in _KEYS:
        out = subprocess.run([binary, "--print-config"], capture_output=True,
                             timeout=30).stdout.decode()
        _KEYS[binary] = {l.split()[0] for l in out.splitlines() if l.strip()}
    return _KEYS[binary]


class Daemon:
    """One daemon process: binary, arguments, its log, its listeners."""

    def __init__(self, binary, args=(), env=None, admin=False, config=None,
                 workers=2):
        self.dir = tmpdir()
        self.port_file = os.path.join(self.dir, "ports")
        self.log_file = os.path.join(self.dir, "colonyd.log")
        argv = [binary, "--port_file=" + self.port_file,
                "--log_file=" + self.log_file, "--workers=%d" % workers]
        # Every built-in listener on a free port.
        for key in ("http_listen", "kv_listen"):
            if key in keys_of(binary):
                argv.append("--%s=127.0.0.1:0" % key)
        if not admin:
            argv.append("--admin_enabled=false")
        else:
            argv.append("--admin_listen=127.0.0.1:0")
        if config is not None:
            self.config = os.path.join(self.dir, "colonyd.conf")
            with open(self.config, "w") as f:
                f.write(config)
            argv.append("--config=" + self.config)
        argv += list(args)
        full_env = {k: v for k, v in os.environ.items()
                    if not k.startswith("COLONYD_")}
        full_env.update(env or {})
        self.proc = subprocess.Popen(argv, env=full_env,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.ports = {}

    @property
    def pid(self):
        return self.proc.pid

    def wait_ready(self, timeout=20.0):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(
                    "daemon exited with %d before it was ready:\n%s\n%s" %
                    (self.proc.returncode, self.stderr_text(), self.log()))
            if not os.path.exists(self.port_file):
                return None
            ports = {}
            with open(self.port_file) as f:
                for line in f:
                    name, address = line.split()
                    host, port = address.rsplit(":", 1)
                    ports[name] = (host, int(port))
            return ports
        self.ports = wait_for(ready, timeout, what="the port file")
        return self

    def address(self, name):
        return self.ports[name]

    def connect(self, name, timeout=10.0):
        s = socket.create_connection(self.address(name), timeout=timeout)
        return s

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def wait_exit(self, timeout=30.0):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("daemon did not exit within %.0fs:\n%s" %
                                 (timeout, self.log()))

    def stop(self, timeout=30.0):
        """SIGTERM, then the exit status."""
        if self.proc.poll() is None:
            self.signal(signal.SIGTERM)
        return self.wait_exit(timeout)

    def log(self):
        try:
            with open(self.log_file, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_log(self, text, timeout=20.0):
        return wait_for(lambda: text in self.log(), timeout,
                        what="%r in the log" % text)

    def stderr_text(self):
        if self.proc.poll() is None:
            return ""
        return self.proc.stderr.read().decode(errors="replace")

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def run(binary, argv, env=None, timeout=30):
    """Runs the binary to completion; returns (status, stdout, stderr)."""
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith("COLONYD_")}
    full_env.update(env or {})
    p = subprocess.run([binary] + list(argv), env=full_env,
                       capture_output=True, timeout=timeout)
    return (p.returncode, p.stdout.decode(errors="replace"),
            p.stderr.decode(errors="replace"))


def line_request(sock, line, timeout=10.0):
    """Sends one line, returns the reply line (without the newline)."""
    sock.settimeout(timeout)
    sock.sendall(line.encode() + b"\n")
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace").rstrip("\n")


class DaemonTestCase(unittest.TestCase):
    """Finds the binary (first argument) and cleans up daemons."""

    binary = None

    def setUp(self):
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.kill()

    def start(self, *args, **kwargs):
        d = Daemon(self.binary, *args, **kwargs)
        self.daemons.append(d)
        return d


def main(test_case_classes):
    import sys
    DaemonTestCase.binary = os.path.abspath(sys.argv[1])
    del sys.argv[1]
    unittest.main(verbosity=2)
