# Copyright 2026 The Colony Authors.
"""colonyd's configuration as an operator meets it: flags, the config file,
COLONYD_* variables, --check-config, --print-config and --help."""

import os
import re

import daemon_harness as h


class ConfigTest(h.DaemonTestCase):

    def write(self, text):
        path = os.path.join(h.tmpdir(), "colonyd.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_unknown_flag_names_the_key_and_the_command_line(self):
        rc, out, err = h.run(self.binary, ["--no_such_key=1"])
        self.assertEqual(rc, 2)
        self.assertIn("command line --no_such_key", err)
        self.assertIn("unknown key 'no_such_key'", err)

    def test_bad_flag_value_names_the_key(self):
        rc, out, err = h.run(self.binary, ["--workers=many"])
        self.assertEqual(rc, 2)
        self.assertIn("command line --workers", err)
        self.assertIn("'many'", err)

    def test_validator_refuses_a_bad_log_level(self):
        rc, out, err = h.run(self.binary, ["--log_level=loud"])
        self.assertEqual(rc, 2)
        self.assertIn("log_level", err)
        self.assertIn("unknown log level 'loud'", err)

    def test_spin_before_park_is_a_non_negative_duration(self):
        rc, out, err = h.run(self.binary, ["--spin_before_park=-5us",
                                           "--check-config"])
        self.assertEqual(rc, 2)
        self.assertIn("spin_before_park", err)
        self.assertIn("must be a duration >= 0", err)
        rc, out, err = h.run(self.binary, ["--spin_before_park=0",
                                           "--print-config"])
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"spin_before_park 0\s+# flag")

    def test_file_errors_name_file_and_line(self):
        path = self.write("# comment\n\nworkers 2\nlog_level = debug\n"
                          "shutdown_lameduck 1s  # trailing comment\n"
                          "not_a_key 5\n")
        rc, out, err = h.run(self.binary, ["--config=" + path,
                                           "--check-config"])
        self.assertEqual(rc, 2)
        self.assertIn("%s:6: unknown key 'not_a_key'" % path, err)

        path = self.write("workers 2\nstack_size lots\n")
        rc, out, err = h.run(self.binary, ["--config=" + path,
                                           "--check-config"])
        self.assertEqual(rc, 2)
        self.assertIn("%s:2: stack_size: bad value 'lots'" % path, err)

        path = self.write("workers\n")
        rc, out, err = h.run(self.binary, ["--config=" + path,
                                           "--check-config"])
        self.assertEqual(rc, 2)
        self.assertIn("%s:1:" % path, err)
        self.assertIn("no value", err)

        rc, out, err = h.run(self.binary, ["--config=/nonexistent/x.conf",
                                           "--check-config"])
        self.assertEqual(rc, 2)
        self.assertIn("/nonexistent/x.conf", err)

    def test_environment_error_names_the_variable(self):
        rc, out, err = h.run(self.binary, ["--check-config"],
                             env={"COLONYD_SHUTDOWN_LAMEDUCK": "soon"})
        self.assertEqual(rc, 2)
        self.assertIn("environment COLONYD_SHUTDOWN_LAMEDUCK", err)
        self.assertIn("shutdown_lameduck", err)

    def test_check_config_accepts_a_good_file(self):
        path = self.write("workers 2\nlog_level debug\n"
                          "echo_listen \"127.0.0.1:0\"\n")
        rc, out, err = h.run(self.binary, ["--config=" + path,
                                           "--check-config"])
        self.assertEqual(rc, 0, err)
        self.assertIn("configuration OK", out)

    def test_print_config_shows_values_and_sources(self):
        path = self.write("workers 3\nlog_level debug\npriority_bands 4\n")
        rc, out, err = h.run(
            self.binary,
            ["--config=" + path, "--print-config", "--priority_bands=5"],
            env={"COLONYD_LOG_LEVEL": "warn"})
        self.assertEqual(rc, 0, err)
        lines = {l.split()[0]: l for l in out.splitlines() if l.strip()}
        # The file alone.
        self.assertRegex(lines["workers"], r"^workers 3\s+# file \(%s:1\)"
                         % re.escape(path))
        # The environment over the file.
        self.assertRegex(lines["log_level"],
                         r"^log_level warn\s+# env \(environment "
                         r"COLONYD_LOG_LEVEL\), mutable")
        # The command line over the file.
        self.assertRegex(lines["priority_bands"],
                         r"^priority_bands 5\s+# flag")
        # Untouched keys are defaults, backends' keys included.
        self.assertRegex(lines["shutdown_drain_timeout"],
                         r"^shutdown_drain_timeout 10s\s+# default, mutable")
        self.assertIn("echo_maxclients", lines)

    def test_help_lists_every_key_with_its_default(self):
        rc, out, err = h.run(self.binary, ["--help"])
        self.assertEqual(rc, 0, err)
        for key, default in [("workers", "0"), ("log_level", "info"),
                             ("admin_listen", "127.0.0.1:9090"),
                             ("shutdown_lameduck", "1s"),
                             ("echo_maxclients", "1000")]:
            self.assertRegex(out, r"--%s \([a-z0-9]+, default %s" %
                             (key, re.escape(default)))
        rc, printed, err = h.run(self.binary, ["--print-config"])
        keys = [l.split()[0] for l in printed.splitlines() if l.strip()]
        for key in keys:
            self.assertIn("--%s " % key, out)

    def test_negated_bool_and_dashes(self):
        rc, out, err = h.run(self.binary, ["--noadmin-enabled",
                                           "--print-config"])
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"admin_enabled false\s+# flag")

    def test_stray_argument_is_an_error(self):
        rc, out, err = h.run(self.binary, ["serve"])
        self.assertEqual(rc, 2)
        self.assertIn("unexpected argument 'serve'", err)


if __name__ == "__main__":
    h.main([ConfigTest])
