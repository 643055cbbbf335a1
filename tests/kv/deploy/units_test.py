# Copyright 2026 The Colony Authors.
"""The deployment files as the tools that read them see them: the systemd
units pass `systemd-analyze verify` without a warning and keep their
hardening (`systemd-analyze security`), every config file passes
`colonyd --check-config`, nutcracker's and HAProxy's pass their own
checks, and the proxies point at the ports the instance configs listen on.

    units_test.py COLONYD DEPLOY_FILE... [unittest args]
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import deploy_harness as d

COLONYD = None
FILES = {}  # path under deploy/ -> path here

INSTANCES = ["kv1", "kv2", "kv3"]

# The most `systemd-analyze security` may rate a unit's exposure (0 =
# locked down, 10 = unprotected; both units were 1.2 when written).
MAX_EXPOSURE = 2.0


def deploy_file(relative):
    if relative not in FILES:
        raise AssertionError("%s is not a data dependency" % relative)
    return FILES[relative]


def read(relative):
    with open(deploy_file(relative)) as f:
        return f.read()


def run(args, **kwargs):
    return subprocess.run(args, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=120, check=False,
                          **kwargs)


class UnitsTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.addCleanup(shutil.rmtree, self.dir, True)

    def installed_unit(self, relative, name):
        """The unit as it would be installed, under its unit name, with
        ExecStart pointing at the colonyd built here (verify checks that
        the program exists)."""
        text = read(relative)
        self.assertIn("/usr/local/bin/colonyd", text)
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text.replace("/usr/local/bin/colonyd", COLONYD))
        return path

    def verify(self, path):
        p = run([d.system_tool("systemd-analyze"), "verify", path])
        out = p.stdout.decode(errors="replace")
        self.assertEqual((p.returncode, out), (0, ""), path)

    def assert_hardened(self, path):
        """systemd-analyze security rates the unit's exposure at most
        MAX_EXPOSURE."""
        p = run([d.system_tool("systemd-analyze"), "security",
                 "--offline=yes", path])
        out = p.stdout.decode(errors="replace")
        self.assertEqual(p.returncode, 0, out)
        m = re.search(r"Overall exposure level for \S+: ([\d.]+)", out)
        self.assertIsNotNone(m, out)
        self.assertLessEqual(float(m.group(1)), MAX_EXPOSURE, out)

    def test_template_unit_verifies_and_is_hardened(self):
        path = self.installed_unit("systemd/colonyd@.service",
                                   "colonyd@kv1.service")
        self.verify(path)
        text = read("systemd/colonyd@.service")
        for line in ("Type=notify", "ExecReload=/bin/kill -HUP $MAINPID",
                     "StateDirectory=colonyd/%i",
                     "--config=/etc/colonyd/%i.conf",
                     "WorkingDirectory=%S/colonyd/%i"):
            self.assertIn(line, text)
        self.assert_hardened(path)

    def test_single_instance_unit_verifies_and_is_hardened(self):
        path = self.installed_unit("colonyd.service", "colonyd.service")
        self.verify(path)
        self.assertIn("StateDirectory=colonyd", read("colonyd.service"))
        self.assert_hardened(path)

    def test_configs_pass_check_config(self):
        for name in ["colonyd.conf"] + ["systemd/%s.conf" % i
                                        for i in INSTANCES]:
            p = run([COLONYD, "--config=" + deploy_file(name),
                     "--check-config"])
            self.assertEqual(p.returncode, 0, "%s: %s" % (name, p.stdout))

    def instance_ports(self):
        """{instance: its kv port}, from its config; asserts that each has
        its own kv and admin port and keeps its data in its own state
        directory with appendfsync always."""
        ports, admin = {}, set()
        for i in INSTANCES:
            text = read("systemd/%s.conf" % i)
            m = re.search(r"^kv_listen\s+127\.0\.0\.1:(\d+)\s*$", text,
                          re.MULTILINE)
            self.assertIsNotNone(m, i)
            ports[i] = int(m.group(1))
            m = re.search(r"^admin_listen\s+(\S+)", text, re.MULTILINE)
            self.assertIsNotNone(m, i)
            admin.add(m.group(1))
            self.assertRegex(text, r"(?m)^kv_dir\s+/var/lib/colonyd/%s\s*$"
                             % i)
            self.assertRegex(text, r"(?m)^kv_appendonly\s+true\s*$")
            self.assertRegex(text, r"(?m)^kv_appendfsync\s+always\s*$")
        self.assertEqual(len(set(ports.values())), len(INSTANCES), ports)
        self.assertEqual(len(admin), len(INSTANCES), admin)
        return ports

    def test_nutcracker_config_checks_and_names_the_instances(self):
        p = run([d.system_tool("nutcracker"), "-t", "-c",
                 deploy_file("nutcracker/nutcracker.yml")])
        self.assertEqual(p.returncode, 0, p.stdout)
        text = read("nutcracker/nutcracker.yml")
        servers = re.findall(r"^\s+-\s*127\.0\.0\.1:(\d+):1\s+(\w+)\s*$",
                             text, re.MULTILINE)
        self.assertEqual({name: int(port) for port, name in servers},
                         self.instance_ports())
        for line in ("redis: true", "distribution: ketama",
                     "auto_eject_hosts: true"):
            self.assertIn(line, text)

    def test_haproxy_config_checks_and_names_the_instances(self):
        p = run([d.system_tool("haproxy"), "-c", "-f",
                 deploy_file("haproxy/haproxy.cfg")])
        self.assertEqual(p.returncode, 0, p.stdout)
        text = read("haproxy/haproxy.cfg")
        servers = re.findall(r"^\s+server\s+(\w+)\s+127\.0\.0\.1:(\d+)",
                             text, re.MULTILINE)
        ports = self.instance_ports()
        self.assertEqual({name: int(port) for name, port in servers},
                         {i: ports[i] for i in ("kv1", "kv2")})
        for line in ("mode tcp", "option tcp-check",
                     r"tcp-check send PING\r\n",
                     "tcp-check expect string +PONG"):
            self.assertIn(line, text)


def main():
    global COLONYD
    if len(sys.argv) < 3:
        sys.exit("usage: units_test.py COLONYD DEPLOY_FILE... [args]")
    COLONYD = os.path.abspath(sys.argv[1])
    args = sys.argv[2:]
    rest = []
    for a in args:
        m = re.search(r"(?:^|/)deploy/(.+)$", a)
        if m and os.path.exists(a):
            FILES[m.group(1)] = os.path.abspath(a)
        else:
            rest.append(a)
    sys.argv[1:] = rest
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
