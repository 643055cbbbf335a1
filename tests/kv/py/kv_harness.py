# Copyright 2026 The Colony Authors.
"""Runs a Redis-compatible server and talks RESP to it, for the key-value
backend's conformance tests.

Every test file runs against either the reference `redis-server` or
`colonyd` with its `kv` backend:

    run_kv_py_test.sh TEST.py redis /usr/bin/redis-server
    run_kv_py_test.sh TEST.py colonyd path/to/colonyd

so a test that passes against redis-server and fails against colonyd points
at a difference in colonyd.

The client here is written from the protocol, without a library, so tests
can send anything (including malformed input) and see exactly which RESP
type came back:

    RESP type         Python value
    simple string     SimpleString (a str)
    error             Error (not an exception; .message holds the text)
    integer           int
    bulk string       bytes
    null (any form)   None            (Client.last_raw has the exact bytes)
    array             list
    map               Map (a dict)
    set               Set (a list that compares like a set)
    double            Double (a float)
    boolean           bool
    big number        BigNumber (an int)
    verbatim string   Verbatim (bytes, with .format such as "txt")
    push              Push (a list, with .kind such as "message")

Nothing here is thread-safe: use one Client from one thread.
"""

import collections
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest


# ---------------------------------------------------------------------------
# Reply types.


class SimpleString(str):
    """A RESP simple string (+OK); compares equal to the plain str."""

    def __repr__(self):
        return "SimpleString(%s)" % str.__repr__(self)


class Error:
    """A RESP error reply (-ERR ...); .message is the text after '-'."""

    def __init__(self, message):
        self.message = message

    @property
    def code(self):
        """The first word, e.g. "ERR", "WRONGTYPE", "NOAUTH"."""
        return self.message.split(" ", 1)[0]

    def __eq__(self, other):
        return isinstance(other, Error) and other.message == self.message

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(("Error", self.message))

    def __repr__(self):
        return "Error(%r)" % self.message


class Map(dict):
    """A RESP3 map (%); a RESP2 reply is never a Map."""

    def __repr__(self):
        return "Map(%s)" % dict.__repr__(self)


class Set(list):
    """A RESP3 set (~). Its members keep their decoded types (a set may
    hold maps), in the order they came; it compares equal to a Python set
    or frozenset with the same members, and to a Set with the same
    members in any order."""

    def as_set(self):
        """The members as a frozenset (maps and lists made hashable)."""
        return frozenset(_hashable(x) for x in self)

    def __eq__(self, other):
        if isinstance(other, (set, frozenset)):
            return len(self.as_set()) == len(self) and \
                self.as_set() == frozenset(_hashable(x) for x in other)
        if isinstance(other, Set):
            return collections.Counter(map(_hashable, self)) == \
                collections.Counter(map(_hashable, other))
        return False

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def __repr__(self):
        return "Set(%s)" % list.__repr__(self)


class Double(float):
    """A RESP3 double (,)."""

    def __repr__(self):
        return "Double(%s)" % float.__repr__(self)


class BigNumber(int):
    """A RESP3 big number (()."""

    def __repr__(self):
        return "BigNumber(%s)" % int.__repr__(self)


class Verbatim(bytes):
    """A RESP3 verbatim string (=); .format is its 3-letter format."""

    def __new__(cls, data, fmt):
        obj = bytes.__new__(cls, data)
        obj.format = fmt
        return obj

    def __repr__(self):
        return "Verbatim(%r, %s)" % (self.format, bytes.__repr__(self))


class Push(list):
    """A RESP3 push (>); .kind is its first element as a str."""

    @property
    def kind(self):
        if not self:
            return ""
        k = self[0]
        return k.decode() if isinstance(k, bytes) else str(k)

    def __repr__(self):
        return "Push(%s)" % list.__repr__(self)


class ConnectionClosed(Exception):
    """The server closed the connection while a reply was expected."""


class ProtocolViolation(Exception):
    """The server sent bytes that are not valid RESP."""


class _Incomplete(Exception):
    pass


def _hashable(v):
    """v with its lists, maps and sets made hashable (tuples, frozensets)."""
    if isinstance(v, (set, frozenset, Set)):
        return frozenset(_hashable(x) for x in v)
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        return frozenset((_hashable(k), _hashable(x)) for k, x in v.items())
    return v


def encode_command(args):
    """A command (str/bytes/int/float items) as a RESP array of bulks."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, bytes):
            b = a
        elif isinstance(a, str):
            b = a.encode()
        elif isinstance(a, (int, float)):
            b = repr(a).encode() if isinstance(a, float) else b"%d" % a
        else:
            raise TypeError("cannot encode %r" % (a,))
        out.append(b"$%d\r\n" % len(b))
        out.append(b)
        out.append(b"\r\n")
    return b"".join(out)


class Parser:
    """Decodes RESP2/RESP3 from a growing buffer."""

    def __init__(self):
        self.buf = bytearray()
        self.attributes = []  # RESP3 attributes seen, oldest first

    def feed(self, data):
        self.buf += data

    def next(self):
        """One whole reply as (value, raw bytes); raises _Incomplete."""
        value, end = self._parse(0)
        raw = bytes(self.buf[:end])
        del self.buf[:end]
        return value, raw

    def _line(self, pos):
        end = self.buf.find(b"\r\n", pos)
        if end < 0:
            raise _Incomplete()
        return bytes(self.buf[pos:end]), end + 2

    def _aggregate(self, pos, n):
        items = []
        for _ in range(n):
            v, pos = self._parse(pos)
            items.append(v)
        return items, pos

    def _parse(self, pos):
        if pos >= len(self.buf):
            raise _Incomplete()
        t = self.buf[pos:pos + 1]
        line, pos = self._line(pos + 1)
        if t == b"+":
            return SimpleString(line.decode(errors="surrogateescape")), pos
        if t == b"-":
            return Error(line.decode(errors="surrogateescape")), pos
        if t == b":":
            return int(line), pos
        if t in (b"$", b"="):
            n = int(line)
            if n < 0:
                return None, pos
            if len(self.buf) < pos + n + 2:
                raise _Incomplete()
            data = bytes(self.buf[pos:pos + n])
            if self.buf[pos + n:pos + n + 2] != b"\r\n":
                raise ProtocolViolation("bulk not followed by CRLF")
            pos += n + 2
            if t == b"=":
                return Verbatim(data[4:], data[:3].decode()), pos
            return data, pos
        if t in (b"*", b"~", b">"):
            n = int(line)
            if n < 0:
                return None, pos
            items, pos = self._aggregate(pos, n)
            if t == b"~":
                return Set(items), pos
            if t == b">":
                return Push(items), pos
            return items, pos
        if t in (b"%", b"|"):
            n = int(line)
            items, pos = self._aggregate(pos, 2 * n)
            m = Map((_hashable(items[i]), items[i + 1])
                    for i in range(0, len(items), 2))
            if t == b"|":
                # An attribute precedes the reply it describes.
                self.attributes.append(m)
                return self._parse(pos)
            return m, pos
        if t == b"_":
            return None, pos
        if t == b",":
            return Double(float(line)), pos
        if t == b"#":
            if line not in (b"t", b"f"):
                raise ProtocolViolation("bad boolean %r" % line)
            return line == b"t", pos
        if t == b"(":
            return BigNumber(int(line)), pos
        if t == b"!":
            n = int(line)
            if len(self.buf) < pos + n + 2:
                raise _Incomplete()
            data = bytes(self.buf[pos:pos + n])
            return Error(data.decode(errors="surrogateescape")), pos + n + 2
        raise ProtocolViolation("unknown type byte %r in %r" %
                                (t, bytes(self.buf[:200])))


_MESSAGE_KINDS = ("message", "pmessage", "smessage", "invalidate")


class Client:
    """One RESP connection.

    call() sends a command and returns the next reply; in RESP3, message
    pushes (message, pmessage, ...) that arrive before it are set aside for
    read_push(), while the pushes that answer (P)(UN)SUBSCRIBE are returned
    as the command's reply.
    """

    def __init__(self, host, port, timeout=10.0):
        self.host, self.port = host, port
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.parser = Parser()
        self.pending_pushes = []
        self.last_raw = b""
        self.eof = False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # Sending.

    def send(self, *args):
        """Sends one command without reading its reply."""
        self.sock.sendall(encode_command(args))

    def send_raw(self, data):
        """Sends bytes as they are (inline commands, broken frames)."""
        self.sock.sendall(data)

    # Receiving.

    def _recv(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1 << 20)
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            raise ConnectionClosed("server closed the connection")
        self.parser.feed(data)

    def read_reply(self, timeout=None):
        """The next reply of any kind; socket.timeout if none comes."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        while True:
            try:
                value, self.last_raw = self.parser.next()
                return value
            except _Incomplete:
                pass
            if self.eof:
                raise ConnectionClosed("server closed the connection")
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no reply within the timeout")
            self._recv(left)

    def _read_command_reply(self, timeout=None):
        while True:
            v = self.read_reply(timeout)
            if isinstance(v, Push) and v.kind in _MESSAGE_KINDS:
                self.pending_pushes.append(v)
                continue
            return v

    def call(self, *args):
        """Sends a command and returns its decoded reply."""
        self.send(*args)
        return self._read_command_reply()

    def call_raw(self, *args):
        """Sends a command and returns the exact bytes of its reply."""
        self.call(*args)
        return self.last_raw

    def pipeline(self, commands):
        """Sends the commands in one write; returns their replies in order."""
        self.sock.sendall(b"".join(encode_command(list(c)) for c in commands))
        return [self._read_command_reply() for _ in commands]

    def read_push(self, timeout=2.0):
        """The next push (RESP3) or unsolicited reply (RESP2 pub/sub
        arrays), or None when nothing arrives within the timeout."""
        if self.pending_pushes:
            return self.pending_pushes.pop(0)
        try:
            return self.read_reply(timeout)
        except socket.timeout:
            return None

    def closed(self, timeout=2.0):
        """True when the server closes the connection within the timeout;
        replies still on the way are read and dropped."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                self._recv(left)
            except ConnectionClosed:
                return True
            except socket.timeout:
                return False
            self.parser.buf.clear()
        return True

    def read_all_until_close(self, timeout=2.0):
        """Every reply until the server closes the connection (or the
        timeout passes), with a final True/False saying if it closed."""
        replies = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return replies, False
            try:
                replies.append(self.read_reply(left))
            except ConnectionClosed:
                return replies, True
            except socket.timeout:
                return replies, False


# ---------------------------------------------------------------------------
# Servers.


def tmpdir():
    return tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(predicate, timeout=20.0, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s" % what)


class Server:
    """A running server process: .kind ("redis" or "colonyd"), .host,
    .port, client(), log(), stop()."""

    kind = None

    def __init__(self, binary):
        self.binary = binary
        self.dir = tmpdir()
        self.log_file = None
        self.proc = None
        self.host, self.port = "127.0.0.1", None

    def client(self, protocol=2, timeout=10.0):
        """A new connection; HELLO 3 is sent first when protocol is 3."""
        c = Client(self.host, self.port, timeout)
        if protocol == 3:
            reply = c.call("HELLO", "3")
            if not isinstance(reply, Map):
                raise AssertionError("HELLO 3 answered %r" % (reply,))
        return c

    def log(self):
        """The server's log, then what it wrote to stderr (sanitizer
        reports land there)."""
        text = ""
        for path in (self.log_file, getattr(self, "stderr_file", None)):
            if not path:
                continue
            try:
                with open(path, errors="replace") as f:
                    text += f.read()
            except FileNotFoundError:
                pass
        return text

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _ping(self):
        return answers_ping(self.proc, self.host, self.port, self.kind,
                            self.log)

    def stop(self, timeout=30.0):
        """SIGTERM, then the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("%s did not exit within %.0fs:\n%s" %
                                 (self.kind, timeout, self.log()))


def answers_ping(proc, host, port, name, log):
    """True once the server at host:port answers PING; raises, with `log()`,
    if its process `proc` has exited."""
    if proc.poll() is not None:
        raise AssertionError("%s exited with %d before it was ready:\n%s" %
                             (name, proc.returncode, log()))
    try:
        c = Client(host, port, timeout=2.0)
    except OSError:
        return False
    try:
        return c.call("PING") == "PONG"
    except (OSError, ConnectionClosed):
        return False
    finally:
        c.close()


class RedisServer(Server):
    kind = "redis"

    def start(self):
        self.log_file = os.path.join(self.dir, "redis.log")
        for _ in range(5):
            self.port = free_port()
            self.proc = subprocess.Popen(
                [self.binary, "--port", str(self.port),
                 "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", self.dir, "--logfile", self.log_file],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            try:
                wait_for(self._ping, what="redis-server to answer PING")
                return self
            except AssertionError:
                # Most likely the port was taken in between; try another.
                if self.proc.poll() is None:
                    self.proc.kill()
                    self.proc.wait()
        raise AssertionError("redis-server did not start:\n" + self.log())


class ColonydServer(Server):
    kind = "colonyd"

    def start(self):
        self.log_file = os.path.join(self.dir, "colonyd.log")
        port_file = os.path.join(self.dir, "ports")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("COLONYD_")}
        if "TSAN_OPTIONS" in env:
            # FLUSHALL and friends hold every lock stripe (1,024 mutexes),
            # past what ThreadSanitizer's deadlock detector can track (64
            # per thread); stripes are always taken in address order.
            env["TSAN_OPTIONS"] += ":detect_deadlocks=0"
        self.stderr_file = os.path.join(self.dir, "stderr.log")
        with open(self.stderr_file, "w") as err:
            self.proc = subprocess.Popen(
                [self.binary, "--kv_listen=127.0.0.1:0",
                 "--port_file=" + port_file, "--log_file=" + self.log_file,
                 "--workers=2", "--admin_enabled=false",
                 "--http_enabled=false"],
                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=err)

        def ports():
            if self.proc.poll() is not None:
                raise AssertionError("colonyd exited with %d at start:\n%s" %
                                     (self.proc.returncode, self.log()))
            if not os.path.exists(port_file):
                return None
            found = {}
            with open(port_file) as f:
                for line in f:
                    if line.strip():
                        name, address = line.split()
                        host, port = address.rsplit(":", 1)
                        found[name] = (host, int(port))
            return found.get("kv")
        self.host, self.port = wait_for(ports, what="the kv port in " +
                                        port_file)
        wait_for(self._ping, what="colonyd to answer PING")
        return self


# Set by main() from the command line.
SERVER_KIND = os.environ.get("KV_SERVER_KIND", "redis")
SERVER_BINARY = os.environ.get("KV_SERVER_BINARY", "/usr/bin/redis-server")


def start_server():
    """Starts the server named on the command line (or by $KV_SERVER_KIND
    and $KV_SERVER_BINARY) and waits until it answers PING."""
    if SERVER_KIND == "redis":
        return RedisServer(SERVER_BINARY).start()
    if SERVER_KIND == "colonyd":
        return ColonydServer(SERVER_BINARY).start()
    raise ValueError("unknown server kind %r" % SERVER_KIND)


# ---------------------------------------------------------------------------
# Test base.


class KvTestCase(unittest.TestCase):
    """One server per test class; each test gets self.r, a fresh RESP2
    client on an empty keyspace (FLUSHALL). A failing test prints the tail
    of the server's log."""

    server = None
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.server = start_server()

    @classmethod
    def tearDownClass(cls):
        server, cls.server = cls.server, None
        if server is not None:
            status = server.stop()
            if status != 0:
                raise AssertionError("%s exited with %d:\n%s" %
                                     (server.kind, status, server.log()))

    def setUp(self):
        self._clients = []
        self.r = self.client()
        self.assertEqual(self.r.call("FLUSHALL"), "OK")

    def tearDown(self):
        for c in self._clients:
            c.close()

    def client(self, protocol=2):
        """A new connection, closed after the test."""
        c = self.server.client(protocol)
        self._clients.append(c)
        return c

    def run(self, result=None):
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before and \
                self.server is not None:
            state = "running" if self.server.alive() else (
                "exited with %s" % self.server.proc.poll())
            sys.stderr.write("\n--- %s (%s) log tail for %s ---\n%s\n---\n" %
                             (self.server.kind, state, self.id(),
                              self.server.log()[-12000:]))
        return out

    # Assertions.

    def assertError(self, reply, message):
        """The reply is an error with exactly this message."""
        self.assertIsInstance(reply, Error, "expected error %r" % message)
        self.assertEqual(reply.message, message)

    def assertErrorPrefix(self, reply, prefix):
        """The reply is an error whose message starts with prefix."""
        self.assertIsInstance(reply, Error, "expected error %r..." % prefix)
        self.assertTrue(reply.message.startswith(prefix),
                        "%r does not start with %r" % (reply.message, prefix))

    def assertOk(self, reply):
        self.assertIsInstance(reply, SimpleString)
        self.assertEqual(reply, "OK")

    def assertSimple(self, reply, text):
        self.assertIsInstance(reply, SimpleString)
        self.assertEqual(reply, text)

    def assertBulk(self, reply, data):
        """A bulk string (bytes, not verbatim) with this content."""
        self.assertIs(type(reply), bytes, "expected bulk, got %r" % (reply,))
        self.assertEqual(reply, data.encode() if isinstance(data, str)
                         else data)

    def assertInt(self, reply, value):
        self.assertIs(type(reply), int, "expected integer, got %r" % (reply,))
        self.assertEqual(reply, value)

    def config_set(self, name, value):
        """CONFIG SET for this test only: the old value is put back after
        it."""
        old = self.r.call("CONFIG", "GET", name)
        self.assertEqual(len(old), 2, "CONFIG GET %s: %r" % (name, old))
        self.assertOk(self.r.call("CONFIG", "SET", name, value))

        def restore():
            c = self.server.client()
            try:
                c.call("CONFIG", "SET", name, old[1])
            finally:
                c.close()
        self.addCleanup(restore)

    wrongtype = ("WRONGTYPE Operation against a key holding the wrong kind "
                 "of value")

    def arity_error(self, command):
        return "ERR wrong number of arguments for '%s' command" % command


class AckedWriters:
    """Threads that write SET w:<thread>:<i> <i>, counting the writes that
    were acknowledged, until stopped or their connection ends."""

    def __init__(self, server, threads=4, client_timeout=30.0):
        self.server = server
        self.client_timeout = client_timeout
        self.acked = [0] * threads
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(t,))
                        for t in range(threads)]

    def _run(self, t):
        c = None
        try:
            c = self.server.client(timeout=self.client_timeout)
            i = 0
            while not self.stop.is_set():
                if c.call("SET", "w:%d:%d" % (t, i), i) != "OK":
                    return
                i += 1
                self.acked[t] = i
        except (OSError, ConnectionClosed):
            return
        finally:
            if c is not None:
                c.close()

    def start(self):
        for th in self.threads:
            th.start()
        return self

    def wait_for_acks(self, at_least, min_seconds=1.0, max_seconds=30.0):
        """Returns once the writers have had `at_least` writes acknowledged
        in all and `min_seconds` have passed (or `max_seconds`, whichever
        comes first): under fsync always on a loaded disk a fixed second
        may hold only a few dozen."""
        start = time.monotonic()
        while time.monotonic() - start < max_seconds:
            if (sum(self.acked) >= at_least and
                    time.monotonic() - start >= min_seconds):
                return
            if not any(th.is_alive() for th in self.threads):
                return
            time.sleep(0.05)

    def join(self):
        self.stop.set()
        for th in self.threads:
            th.join(timeout=60)

    def missing(self, client):
        missing = []
        for t, n in enumerate(self.acked):
            for start in range(0, n, 1000):
                keys = ["w:%d:%d" % (t, i)
                        for i in range(start, min(n, start + 1000))]
                for k, v in zip(keys, client.call("MGET", *keys)):
                    if v is None:
                        missing.append(k)
        return missing


def main():
    """Entry point: TEST.py KIND BINARY [unittest args...]."""
    global SERVER_KIND, SERVER_BINARY
    if len(sys.argv) >= 3 and sys.argv[1] in ("redis", "colonyd"):
        SERVER_KIND = sys.argv[1]
        SERVER_BINARY = os.path.abspath(sys.argv[2])
        del sys.argv[1:3]
    unittest.main(verbosity=2)
