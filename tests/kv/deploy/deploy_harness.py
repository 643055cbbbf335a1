# Copyright 2026 The Colony Authors.
"""Runs several colonyd instances and a proxy in front of them, for the
deployment tests: the configs under deploy/ are used as they are, with
only the addresses (and the timings a test names) replaced.

    cluster = Cluster(colonyd_binary, ["kv1", "kv2", "kv3"])
    cluster.start()                  # each with its own append-only file
    proxy = Nutcracker(cluster, "deploy/nutcracker/nutcracker.yml")
    proxy.start()
    ...
    cluster.instance("kv2").kill()   # SIGKILL
    cluster.instance("kv2").start()  # same port, same directory

Every wait polls a condition with a deadline; nothing sleeps and hopes.
Nothing here is thread-safe.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import unittest

import kv_harness as h


def scaled(n, minimum=1):
    """n times KV_STRESS_SCALE (default 1; the ThreadSanitizer build runs
    at a tenth), at least minimum."""
    scale = float(os.environ.get("KV_STRESS_SCALE", "1"))
    if scale <= 0:
        raise ValueError("KV_STRESS_SCALE must be positive, not %r" % scale)
    return max(minimum, int(n * scale))


def system_tool(name):
    """The path of an installed program, looked up on PATH and then in the
    sbin directories (Bazel's test PATH has no sbin); an AssertionError
    naming the package when it is missing."""
    path = shutil.which(name) or shutil.which(
        name, path="/usr/sbin:/sbin:/usr/bin:/bin")
    if path is None:
        raise AssertionError("%s is not installed (tools/install_deps.sh "
                             "installs it)" % name)
    return path


def substitute(text, pattern, replacement, count=1):
    """text with pattern (a regex, multiline) replaced; an AssertionError
    when it does not match exactly count times, so that a change to a
    deploy config that the test no longer understands fails loudly."""
    new, n = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if n != count:
        raise AssertionError("expected %d match(es) of %r, found %d" %
                             (count, pattern, n))
    return new


class ProxyTestCase(unittest.TestCase):
    """A test case whose failures print the proxy's log (self.proxy) and
    the instances' logs (self.cluster), whichever were started."""

    def run(self, result=None):
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        proxy = getattr(self, "proxy", None)
        cluster = getattr(self, "cluster", None)
        if len(result.failures) + len(result.errors) > before:
            sys.stderr.write("\n--- %s log ---\n%s\n%s\n" % (
                type(self.proxy).__name__ if proxy else "proxy",
                proxy.log()[-4000:] if proxy else "(not started)",
                cluster.logs() if cluster else ""))
        return out


class Instance:
    """One colonyd process with the kv backend and its append-only file
    (appendfsync always) in a directory of its own. start() after kill()
    restarts it on the same port from the same file."""

    def __init__(self, binary, name, directory):
        self.binary = binary
        self.name = name
        self.dir = directory
        self.host, self.port = "127.0.0.1", None
        self.proc = None
        self.log_file = os.path.join(directory, "colonyd.log")
        self.stderr_file = os.path.join(directory, "stderr.log")
        self.starts = 0

    def start(self, timeout=60.0):
        """Starts the process (on a free port the first time, on the same
        one afterwards) and waits until it answers PING."""
        port_file = os.path.join(self.dir, "ports")
        if os.path.exists(port_file):
            os.unlink(port_file)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("COLONYD_")}
        if "TSAN_OPTIONS" in env:
            # FLUSHALL and friends hold every lock stripe, past what
            # ThreadSanitizer's deadlock detector tracks (as kv_harness).
            env["TSAN_OPTIONS"] += ":detect_deadlocks=0"
        listen = "127.0.0.1:%d" % (self.port or 0)
        with open(self.stderr_file, "a") as err:
            self.proc = subprocess.Popen(
                [self.binary, "--kv_listen=" + listen,
                 "--port_file=" + port_file, "--log_file=" + self.log_file,
                 "--workers=2", "--admin_enabled=false",
                 "--http_enabled=false", "--kv_appendonly=true",
                 "--kv_appendfsync=always", "--kv_dir=" + self.dir,
                 "--shutdown_lameduck=0s"],
                cwd=self.dir, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=err)
        self.starts += 1

        def bound():
            if self.proc.poll() is not None:
                raise AssertionError("%s exited with %d at start:\n%s" %
                                     (self.name, self.proc.returncode,
                                      self.log()))
            try:
                with open(port_file) as f:
                    for line in f:
                        fields = line.split()
                        if len(fields) == 2 and fields[0] == "kv":
                            return int(fields[1].rsplit(":", 1)[1])
            except FileNotFoundError:
                pass
            return None
        port = h.wait_for(bound, timeout=timeout,
                          what="%s to bind (%s)" % (self.name, port_file))
        if self.port is not None and port != self.port:
            raise AssertionError("%s restarted on %d, not %d" %
                                 (self.name, port, self.port))
        self.port = port
        h.wait_for(self._answers, timeout=timeout,
                   what="%s to answer PING" % self.name)
        return self

    def _answers(self):
        try:
            c = self.client(timeout=2.0)
        except OSError:
            return False
        try:
            return c.call("PING") == "PONG"
        except (OSError, h.ConnectionClosed):
            return False
        finally:
            c.close()

    def client(self, timeout=30.0):
        """A direct RESP connection (kv_harness.Client)."""
        return h.Client(self.host, self.port, timeout)

    def kill(self):
        """SIGKILL, and wait for the process to be gone."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self, timeout=60.0):
        """SIGTERM; the exit status (the process is killed after the
        timeout)."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("%s did not exit within %.0fs:\n%s" %
                                 (self.name, timeout, self.log()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        """The log file, then stderr (where sanitizer reports go)."""
        text = ""
        for path in (self.log_file, self.stderr_file):
            try:
                with open(path, errors="replace") as f:
                    text += f.read()
            except FileNotFoundError:
                pass
        return text

    def keys(self):
        """Every key of database 0, read with SCAN on a direct
        connection."""
        c = self.client()
        try:
            found, cursor = set(), b"0"
            while True:
                cursor, batch = c.call("SCAN", cursor, "COUNT", "1000")
                found.update(batch)
                if cursor == b"0":
                    return found
        finally:
            c.close()

    def mget(self, keys, batch=500):
        """GET of every key on a direct connection: {key: value or
        None}."""
        keys = list(keys)
        c = self.client()
        try:
            out = {}
            for i in range(0, len(keys), batch):
                part = keys[i:i + batch]
                values = c.call("MGET", *part)
                if not isinstance(values, list):
                    raise AssertionError("MGET on %s: %r" % (self.name,
                                                             values))
                out.update(zip(part, values))
            return out
        finally:
            c.close()


class Cluster:
    """Named colonyd instances, each in its own directory."""

    def __init__(self, binary, names):
        base = h.tmpdir()
        self.instances = []
        for name in names:
            d = os.path.join(base, name)
            os.makedirs(d)
            self.instances.append(Instance(binary, name, d))

    def start(self):
        for i in self.instances:
            i.start()
        return self

    def instance(self, name):
        for i in self.instances:
            if i.name == name:
                return i
        raise KeyError(name)

    def logs(self):
        """Every instance's log, for a failure message."""
        return "\n".join("--- %s (%s) ---\n%s" % (
            i.name, "running" if i.alive() else "exited", i.log()[-6000:])
            for i in self.instances)

    def stop(self):
        """SIGTERM to every live instance; an AssertionError naming those
        that did not exit with 0."""
        bad = []
        for i in self.instances:
            if i.alive():
                status = i.stop()
                if status != 0:
                    bad.append("%s exited with %d" % (i.name, status))
        if bad:
            raise AssertionError("; ".join(bad) + "\n" + self.logs())


class Proxy:
    """A proxy process started from a config file that it rewrites."""

    name = "proxy"

    def __init__(self):
        self.dir = h.tmpdir()
        self.proc = None
        self.port = None
        self.log_file = os.path.join(self.dir, self.name + ".log")

    def log(self):
        try:
            with open(self.log_file, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def _launch(self, argv, attempts=5, timeout=30.0):
        """Starts argv (a function of the listening port) until it listens;
        another port when one was taken in between."""
        for _ in range(attempts):
            self.port = h.free_port()
            args = argv(self.port)
            with open(self.log_file, "a") as log:
                self.proc = subprocess.Popen(
                    args, cwd=self.dir, stdin=subprocess.DEVNULL,
                    stdout=log, stderr=subprocess.STDOUT)

            def listening():
                if self.proc.poll() is not None:
                    return "exited"
                try:
                    socket.create_connection(("127.0.0.1", self.port),
                                             timeout=2.0).close()
                    return "up"
                except OSError:
                    return None
            if h.wait_for(listening, timeout=timeout,
                          what="%s to listen" % self.name) == "up":
                return self
        raise AssertionError("%s did not start:\n%s" % (self.name,
                                                        self.log()))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Nutcracker(Proxy):
    """nutcracker (twemproxy) from deploy/nutcracker/nutcracker.yml: the
    listen address and the servers' addresses replaced by the cluster's,
    and any of its keys given in `overrides` ({"timeout": 10000})."""

    name = "nutcracker"

    def __init__(self, cluster, config_path, overrides=None):
        super().__init__()
        self.cluster = cluster
        with open(config_path) as f:
            self.template = f.read()
        self.overrides = dict(overrides or {})
        self.stats_port = None
        self.pool = None
        self.config = {}

    def setting(self, key):
        """A key's value in the config as written (an int where it is
        one)."""
        m = re.search(r"^\s+%s:\s*(\S+)\s*$" % re.escape(key),
                      self.config_text, re.MULTILINE)
        if m is None:
            raise AssertionError("%s: no %s" % (self.name, key))
        v = m.group(1)
        return int(v) if v.isdigit() else v

    def _write_config(self, port):
        text = self.template
        m = re.search(r"^(\w[\w-]*):\s*$", text, re.MULTILINE)
        if m is None:
            raise AssertionError("no server pool in the nutcracker config")
        self.pool = m.group(1)
        text = substitute(text, r"^(\s+listen:\s*)\S+$",
                          r"\g<1>127.0.0.1:%d" % port)
        for i in self.cluster.instances:
            text = substitute(
                text, r"^(\s+-\s*)[\d.]+:\d+(:\d+\s+%s)\s*$" % i.name,
                r"\g<1>127.0.0.1:%d\g<2>" % i.port)
        for key, value in self.overrides.items():
            text = substitute(text, r"^(\s+%s:\s*)\S+$" % re.escape(key),
                              r"\g<1>%s" % value)
        self.config_text = text
        path = os.path.join(self.dir, "nutcracker.yml")
        with open(path, "w") as f:
            f.write(text)
        check = subprocess.run(
            [system_tool("nutcracker"), "-t", "-c", path],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        if check.returncode != 0:
            raise AssertionError("nutcracker -t: %s" % check.stdout)
        return path

    def start(self):
        binary = system_tool("nutcracker")

        def argv(port):
            self.stats_port = h.free_port()
            return [binary, "-c", self._write_config(port),
                    "-s", str(self.stats_port), "-a", "127.0.0.1",
                    "-i", "100", "-o", self.log_file]
        return self._launch(argv)

    def stats(self):
        """nutcracker's stats (aggregated every 100 ms): the pool's part,
        {"server_ejects": n, "kv1": {...}, ...}."""
        with socket.create_connection(("127.0.0.1", self.stats_port),
                                      timeout=10.0) as s:
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return json.loads(data)[self.pool]


class HAProxy(Proxy):
    """haproxy from deploy/haproxy/haproxy.cfg, in the foreground: the
    frontend's bind and the servers' addresses replaced by those of
    `servers` (objects with .name, the config's server name, and .port, on
    127.0.0.1), the admin socket moved to a loopback TCP port (a Unix
    socket's path under the test's directory can pass the 97 bytes
    haproxy allows), what needs root
    (chroot, user, group, syslog) left out, and maxconn lowered to 1000 (a
    process that is not root may not raise its file limit to twice the
    config's)."""

    name = "haproxy"

    def __init__(self, servers, config_path):
        super().__init__()
        self.servers = list(servers)
        with open(config_path) as f:
            self.template = f.read()
        self.admin_port = None

    def _write_config(self, port):
        text = self.template
        for key, count in (("chroot", 1), ("user", 1), ("group", 1),
                           ("daemon", 1), ("log", 2)):
            text = substitute(text, r"^\s+%s\b.*\n" % key, "", count)
        text = substitute(text, r"^(\s+maxconn\s+)\d+", r"\g<1>1000")
        self.admin_port = h.free_port()
        text = substitute(text, r"^(\s+stats socket\s+)\S+",
                          r"\g<1>ipv4@127.0.0.1:%d" % self.admin_port)
        text = substitute(text, r"^(\s+bind\s+)\S+",
                          r"\g<1>127.0.0.1:%d" % port)
        for i in self.servers:
            text = substitute(text,
                              r"^(\s+server\s+%s\s+)\S+" % i.name,
                              r"\g<1>127.0.0.1:%d" % i.port)
        self.config_text = text
        path = os.path.join(self.dir, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(text)
        return path

    def start(self):
        binary = system_tool("haproxy")

        def argv(port):
            return [binary, "-db", "-f", self._write_config(port)]
        return self._launch(argv)

    def admin(self, command):
        """One command on the admin socket; its answer as text."""
        with socket.create_connection(("127.0.0.1", self.admin_port),
                                      timeout=10.0) as s:
            s.sendall(command.encode() + b"\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return data.decode(errors="replace")
                data += chunk

    def server_rows(self):
        """{server name: its `show stat` row as a dict} (columns such as
        "status": "UP", "DOWN", "UP 1/2", ...; "check_status";
        "last_chk", the last check's outcome)."""
        lines = self.admin("show stat").splitlines()
        if not lines or not lines[0].startswith("# "):
            raise AssertionError("show stat answered %r" % lines[:3])
        columns = lines[0][2:].split(",")
        out = {}
        for line in lines[1:]:
            if not line:
                continue
            row = dict(zip(columns, line.split(",")))
            if row["svname"] not in ("FRONTEND", "BACKEND"):
                out[row["svname"]] = row
        return out

    def server_status(self):
        """{server name: status} of every server, from `show stat`."""
        return {k: v["status"] for k, v in self.server_rows().items()}
