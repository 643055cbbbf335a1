# Copyright 2026 The Colony Authors.
"""What the real-client tests share: where the Redis command-line tools
are, how to run them against the server under test, and how much load the
stress tests put on it.

KV_STRESS_SCALE (a float, default 1) multiplies the sizes of the load
tests, so that a slow build of the server (ThreadSanitizer) can run them
with, say, KV_STRESS_SCALE=0.1.
"""

import os
import shutil
import subprocess


def tool(name):
    """The path of a Redis command-line tool (redis-cli, redis-benchmark),
    looked up on PATH and then in /usr/bin."""
    path = shutil.which(name) or shutil.which(name, path="/usr/bin")
    if path is None:
        raise AssertionError("%s is not installed" % name)
    return path


def run_tool(server, name, args, stdin=None, timeout=60.0):
    """Runs a tool against the server (-h/-p set); returns the finished
    subprocess.CompletedProcess with bytes stdout and stderr."""
    return subprocess.run(
        [tool(name), "-h", server.host, "-p", str(server.port)] + list(args),
        input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        timeout=timeout, check=False)


def stress_scale():
    """The KV_STRESS_SCALE multiplier (default 1)."""
    value = float(os.environ.get("KV_STRESS_SCALE", "1"))
    if value <= 0:
        raise ValueError("KV_STRESS_SCALE must be positive, not %r" % value)
    return value


def scaled(n, minimum=1):
    """n times KV_STRESS_SCALE, at least minimum."""
    return max(minimum, int(n * stress_scale()))
