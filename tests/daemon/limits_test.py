# Copyright 2026 The Colony Authors.
"""colonyd's limits on a line-protocol backend: maxclients, clients that
vanish mid-request, and file descriptors back to the baseline after load."""

import socket
import struct
import threading

import daemon_harness as h


def reset(sock):
    """Closes with an RST (SO_LINGER 0), as a killed client's kernel does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    sock.close()


class LimitsTest(h.DaemonTestCase):

    def test_maxclients_refuses_with_the_protocol_error_and_counts(self):
        d = self.start(["--echo_maxclients=3"]).wait_ready()
        held = [d.connect("echo") for _ in range(3)]
        for i, s in enumerate(held):
            self.assertEqual(h.line_request(s, str(i)), "echo: %d" % i)
        extra = d.connect("echo")
        extra.settimeout(10)
        self.assertEqual(extra.recv(100),
                         b"-ERR max number of clients reached\n")
        self.assertEqual(extra.recv(100), b"")  # then closed
        d.wait_log("connection refused: 3 clients (maxclients 3)")
        held.pop().close()
        again = h.wait_for(lambda: self._served(d), what="a free slot")
        again.close()
        for s in held:
            s.close()
        self.assertEqual(d.stop(), 0)

    def _served(self, d):
        s = d.connect("echo")
        if h.line_request(s, "x") == "echo: x":
            return s
        s.close()
        return None

    def test_clients_killed_mid_request(self):
        d = self.start().wait_ready()
        for _ in range(50):
            s = d.connect("echo")
            s.sendall(b"half a line without its end")
            reset(s)
            s = d.connect("echo")
            s.sendall(b"SLEEP 50\n")  # killed while the reply is pending
            reset(s)
        ok = d.connect("echo")
        self.assertEqual(h.line_request(ok, "still here"),
                         "echo: still here")
        ok.close()
        self.assertEqual(d.stop(), 0)

    def test_open_fds_return_to_the_baseline_after_load(self):
        d = self.start().wait_ready()
        warm = d.connect("echo")
        self.assertEqual(h.line_request(warm, "w"), "echo: w")
        warm.close()
        baseline = h.wait_for(lambda: d.fds(), what="fd count")

        def client(n):
            socks = [d.connect("echo") for _ in range(n)]
            for i, s in enumerate(socks):
                assert h.line_request(s, "c%d" % i) == "echo: c%d" % i
            for i, s in enumerate(socks):
                if i % 2:
                    reset(s)
                else:
                    s.close()

        threads = [threading.Thread(target=client, args=(50,))
                   for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # The connection tasks see the end of stream and close their fds.
        h.wait_for(lambda: d.fds() <= baseline, timeout=20,
                   what="fds back to %d (now %d)" % (baseline, d.fds()))
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    h.main([LimitsTest])
