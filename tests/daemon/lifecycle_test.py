# Copyright 2026 The Colony Authors.
"""colonyd's lifecycle: staged shutdown, a forced exit, reload, log reopen,
the task dump on SIGQUIT and systemd notifications, on the real binary."""

import os
import signal
import socket
import threading
import tempfile
import time

import daemon_harness as h


class LifecycleTest(h.DaemonTestCase):

    def test_sigterm_lets_the_request_in_flight_finish_then_exits_0(self):
        d = self.start(["--shutdown_lameduck=300ms",
                        "--shutdown_drain_timeout=10s"]).wait_ready()
        busy = d.connect("echo")
        idle = d.connect("echo")
        self.assertEqual(h.line_request(idle, "hi"), "echo: hi")
        busy.sendall(b"SLEEP 1500\n")
        time.sleep(0.2)  # the request is in flight
        d.signal(signal.SIGTERM)
        # During the lame-duck interval new connections are still served.
        late = d.connect("echo")
        self.assertEqual(h.line_request(late, "late"), "echo: late")
        late.close()
        # The busy connection gets its whole reply.
        busy.settimeout(10)
        self.assertEqual(busy.recv(100), b"slept 1500\n")
        # The idle one is closed cleanly (end of stream, no reset).
        idle.settimeout(10)
        self.assertEqual(idle.recv(100), b"")
        self.assertEqual(d.wait_exit(), 0)
        log = d.log()
        self.assertIn("shutdown: lame duck for 300ms", log)
        self.assertIn("shutdown: backends drained", log)
        self.assertIn("exit", log.splitlines()[-1])

    def test_drain_deadline_cancels_what_is_left_and_still_exits_0(self):
        d = self.start(["--shutdown_lameduck=0s",
                        "--shutdown_drain_timeout=300ms"]).wait_ready()
        slow = d.connect("echo")
        slow.sendall(b"SLEEP 60000\n")
        time.sleep(0.2)
        start = time.monotonic()
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait_exit(20), 0)
        self.assertLess(time.monotonic() - start, 15)
        slow.settimeout(5)
        self.assertEqual(slow.recv(100), b"")  # closed, no reply
        self.assertIn("drain deadline reached; cancelling 1 connections",
                      d.log())

    def test_second_signal_forces_exit(self):
        d = self.start(["--shutdown_lameduck=30s"]).wait_ready()
        d.signal(signal.SIGTERM)
        d.wait_log("lame duck")
        d.signal(signal.SIGINT)
        self.assertEqual(d.wait_exit(10), 1)
        self.assertIn("second termination signal: exiting now", d.log())

    def test_sighup_reloads_a_good_file_and_keeps_values_on_a_bad_one(self):
        d = self.start(config="log_level info\necho_maxclients 1000\n")
        d.wait_ready()
        with open(d.config, "w") as f:
            f.write("log_level debug\necho_maxclients 1\nstall_threshold 50ms\n")
        d.signal(signal.SIGHUP)
        d.wait_log("config: reloaded")
        log = d.log()
        self.assertIn("2 changed: echo_maxclients, log_level", log)
        self.assertIn("stall_threshold changed in %s but cannot change at run time"
                      % d.config, log)
        # echo_maxclients 1 applies now: a second client is refused.
        a = d.connect("echo")
        self.assertEqual(h.line_request(a, "one"), "echo: one")
        b = d.connect("echo")
        self.assertEqual(h.line_request(b, "two"),
                         "-ERR max number of clients reached")
        a.close()
        b.close()
        # A bad file: the old values stay, the log says why.
        with open(d.config, "w") as f:
            f.write("log_level debug\necho_maxclients lots\n")
        d.signal(signal.SIGHUP)
        d.wait_log("reload failed")
        self.assertIn("config: reload failed, keeping the old values: "
                      "%s:2: echo_maxclients: bad value 'lots'" % d.config,
                      d.log())
        c = h.wait_for(lambda: self._served(d), what="a free slot")
        c.close()
        self.assertEqual(d.stop(), 0)

    def _served(self, d):
        s = d.connect("echo")
        if h.line_request(s, "x") == "echo: x":
            return s
        s.close()
        return None

    def test_sigquit_writes_the_task_dump_and_goes_on(self):
        d = self.start().wait_ready()
        conn = d.connect("echo")
        self.assertEqual(h.line_request(conn, "a"), "echo: a")
        d.signal(signal.SIGQUIT)
        d.wait_log("task dump:")
        d.wait_log("echo-accept")
        d.wait_log("echo-conn")
        self.assertEqual(h.line_request(conn, "b"), "echo: b")
        conn.close()
        self.assertEqual(d.stop(), 0)

    def test_sigusr1_reopens_the_log_file(self):
        d = self.start().wait_ready()
        rotated = d.log_file + ".1"
        os.rename(d.log_file, rotated)
        d.signal(signal.SIGUSR1)
        h.wait_for(lambda: os.path.exists(d.log_file), what="a new log")
        d.wait_log("log file reopened")
        self.assertEqual(d.stop(), 0)
        with open(rotated) as f:
            self.assertIn("starting", f.read())
        self.assertIn("exit", d.log())

    def test_log_lines_name_worker_and_task(self):
        d = self.start().wait_ready()
        self.assertEqual(d.stop(), 0)
        # "echo: listening on ..." is logged from the start task.
        line = [l for l in d.log().splitlines() if "echo: listening" in l][0]
        self.assertRegex(line, r"\[w\d+ t\d+:echo-start\]")

    def test_sd_notify_messages_in_order(self):
        # sun_path holds 108 bytes: a short directory, not TEST_TMPDIR.
        sock_path = os.path.join(tempfile.mkdtemp(dir="/tmp"), "notify")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        server.bind(sock_path)
        server.settimeout(10)
        d = self.start(["--shutdown_lameduck=0s"],
                       env={"NOTIFY_SOCKET": sock_path,
                            "WATCHDOG_USEC": "200000"})
        messages = []
        first = server.recv(4096).decode()
        messages.append(first)
        self.assertTrue(first.startswith("READY=1"), first)
        self.assertIn("STATUS=serving", first)
        # The listeners are bound by the time READY=1 arrives.
        d.wait_ready(timeout=1)
        wd = server.recv(4096).decode()
        self.assertEqual(wd, "WATCHDOG=1")
        d.signal(signal.SIGTERM)
        while True:
            m = server.recv(4096).decode()
            messages.append(m)
            if m.startswith("STOPPING=1"):
                break
        self.assertEqual(d.wait_exit(), 0)
        server.close()

    def test_sd_notify_abstract_socket(self):
        name = "colonyd-test-%d" % os.getpid()
        server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        server.bind("\0" + name)
        server.settimeout(10)
        d = self.start(env={"NOTIFY_SOCKET": "@" + name})
        self.assertTrue(server.recv(4096).startswith(b"READY=1"))
        self.assertEqual(d.stop(), 0)
        server.close()


if __name__ == "__main__":
    h.main([LifecycleTest])
