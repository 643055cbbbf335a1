# Copyright 2026 The Colony Authors.
"""COMMAND DOCS and COMMAND LIST: the documentation map (summary, since,
group, complexity, history, deprecation, and the argument tree with names,
types, tokens, flags and key_spec_index) in Redis 7.0's RESP2 and RESP3
shapes, checked field by field against the structures written here, plus
COMMAND LIST and its FILTERBY forms."""

import kv_harness as h

SYNTAX = "ERR syntax error"

# The fields of a command's documentation and of an argument, in the order
# the reply gives them.
DOC_FIELDS = ["summary", "since", "group", "complexity", "doc_flags",
              "deprecated_since", "replaced_by", "history", "arguments",
              "subcommands"]
ARG_FIELDS = ["name", "type", "key_spec_index", "token", "since",
              "deprecated_since", "flags", "arguments"]
ARG_TYPES = {"key", "string", "integer", "double", "pattern", "unix-time",
             "pure-token", "oneof", "block"}
ARG_FLAGS = {"optional", "multiple", "multiple_token"}
GROUPS = {"generic", "string", "list", "set", "sorted-set", "hash",
          "pubsub", "transactions", "connection", "server", "scripting",
          "hyperloglog", "cluster", "sentinel", "geo", "stream", "bitmap",
          "module"}


def arg(name, type_, token=None, since=None, flags=(), args=None, key=None,
        deprecated=None):
    """An expected argument, as a dict in the reply's field order."""
    out = {"name": name, "type": type_}
    if key is not None:
        out["key_spec_index"] = key
    if token is not None:
        out["token"] = token
    if since is not None:
        out["since"] = since
    if deprecated is not None:
        out["deprecated_since"] = deprecated
    if flags:
        out["flags"] = sorted(flags)
    if args is not None:
        out["arguments"] = args
    return out


def token(name, tok=None, **kw):
    """An expected pure-token argument (named after its token by default)."""
    return arg(name, "pure-token", token=tok or name.upper(), **kw)


def oneof(name, *choices, **kw):
    return arg(name, "oneof", args=list(choices), **kw)


def block(name, *parts, **kw):
    return arg(name, "block", args=list(parts), **kw)


GET_ARGS = [arg("key", "key", key=0)]

SET_ARGS = [
    arg("key", "key", key=0),
    arg("value", "string"),
    oneof("condition", token("nx"), token("xx"), since="2.6.12",
          flags=["optional"]),
    token("get", since="6.2.0", flags=["optional"]),
    oneof("expiration",
          arg("seconds", "integer", token="EX", since="2.6.12"),
          arg("milliseconds", "integer", token="PX", since="2.6.12"),
          arg("unix-time-seconds", "unix-time", token="EXAT", since="6.2.0"),
          arg("unix-time-milliseconds", "unix-time", token="PXAT",
              since="6.2.0"),
          token("keepttl", since="6.0.0"),
          flags=["optional"]),
]

ZADD_ARGS = [
    arg("key", "key", key=0),
    oneof("condition", token("nx"), token("xx"), since="3.0.2",
          flags=["optional"]),
    oneof("comparison", token("gt"), token("lt"), since="6.2.0",
          flags=["optional"]),
    token("change", "CH", since="3.0.2", flags=["optional"]),
    token("increment", "INCR", since="3.0.2", flags=["optional"]),
    block("score_member", arg("score", "double"), arg("member", "string"),
          flags=["multiple"]),
]

CLIENT_KILL_ARGS = [
    oneof(
        "filter",
        arg("ip:port", "string", deprecated="2.8.12"),
        oneof(
            "new-format",
            arg("client-id", "integer", token="ID", since="2.8.12",
                flags=["optional"]),
            oneof("normal_master_slave_pubsub", token("normal"),
                  token("master", since="3.2.0"), token("slave"),
                  token("replica", since="5.0.0"), token("pubsub"),
                  token="TYPE", since="2.8.12", flags=["optional"]),
            arg("username", "string", token="USER", flags=["optional"]),
            arg("ip:port", "string", token="ADDR", flags=["optional"]),
            arg("ip:port", "string", token="LADDR", since="6.2.0",
                flags=["optional"]),
            arg("yes/no", "string", token="SKIPME", flags=["optional"]),
            flags=["multiple"]),
    ),
]

LPOS_ARGS = [
    arg("key", "key", key=0),
    arg("element", "string"),
    arg("rank", "integer", token="RANK", flags=["optional"]),
    arg("num-matches", "integer", token="COUNT", flags=["optional"]),
    arg("len", "integer", token="MAXLEN", flags=["optional"]),
]


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def pairs(flat):
    """A RESP2 flat [k1, v1, k2, v2, ...] as [(k1, v1), ...]."""
    if not isinstance(flat, list) or len(flat) % 2:
        raise AssertionError("not a flat map: %r" % (flat,))
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


class DocsCase(h.KvTestCase):

    def setUp(self):
        super().setUp()
        self.r3 = self.client(protocol=3)

    def conn(self, protocol):
        """The test's RESP2 (self.r) or RESP3 (self.r3) connection."""
        return self.r3 if protocol == 3 else self.r

    def docs(self, protocol, *names):
        """COMMAND DOCS as [(name, entry), ...] in reply order, after
        checking the map's shape for the protocol."""
        reply = self.conn(protocol).call("COMMAND", "DOCS", *names)
        return self.entries(reply, protocol == 3)

    def entries(self, reply, resp3):
        if resp3:
            self.assertIsInstance(reply, h.Map)
            return [(text(k), v) for k, v in reply.items()]
        self.assertIs(type(reply), list)
        return [(text(k), v) for k, v in pairs(reply)]

    def known(self, name):
        """Whether the server has the command (COMMAND INFO is not null)."""
        return self.r.call("COMMAND", "INFO", name)[0] is not None

    def require(self, name):
        if not self.known(name):
            self.skipTest("%s is not implemented by this server" % name)

    def in_order(self, keys, order, what):
        """keys appear in `order`'s order, and only known keys appear."""
        for k in keys:
            self.assertIn(k, order, "%s: unexpected field %r" % (what, k))
        positions = [order.index(k) for k in keys]
        self.assertEqual(positions, sorted(positions),
                         "%s: fields out of order: %r" % (what, keys))

    # Normalizing a reply into plain dicts, checking every type on the way.

    def norm_flags(self, flags, resp3, what):
        if resp3:
            self.assertIsInstance(flags, h.Set, what)
        else:
            self.assertIs(type(flags), list, what)
        for f in flags:
            self.assertIsInstance(f, h.SimpleString, what)
            self.assertIn(str(f), ARG_FLAGS, what)
        self.assertEqual(len(set(flags)), len(flags), what)
        return sorted(str(f) for f in flags)

    def norm_args(self, args, resp3, what):
        self.assertIs(type(args), list, what)
        out = []
        for a in args:
            if resp3:
                self.assertIsInstance(a, h.Map, what)
                items = [(text(k), v) for k, v in a.items()]
            else:
                self.assertIs(type(a), list, what)
                items = [(text(k), v) for k, v in pairs(a)]
            fields = [k for k, _ in items]
            self.in_order(fields, ARG_FIELDS, what)
            m = dict(items)
            self.assertEqual(len(m), len(items), what)
            where = "%s/%s" % (what, text(m.get("name")))
            self.assertIn("name", m, where)
            self.assertIn("type", m, where)
            norm = {}
            for k, v in items:
                if k == "key_spec_index":
                    self.assertIs(type(v), int, where)
                    self.assertIn(text(m["type"]), ("key", "pattern"), where)
                    norm[k] = v
                elif k == "flags":
                    norm[k] = self.norm_flags(v, resp3, where)
                elif k == "arguments":
                    norm[k] = self.norm_args(v, resp3, where)
                else:
                    self.assertIs(type(v), bytes, "%s.%s" % (where, k))
                    norm[k] = text(v)
            self.assertIn(norm["type"], ARG_TYPES, where)
            self.assertEqual("arguments" in norm,
                             norm["type"] in ("oneof", "block"), where)
            if norm["type"] == "pure-token":
                self.assertIn("token", norm, where)
            if norm["type"] in ("oneof", "block"):
                self.assertTrue(norm["arguments"], where)
            out.append(norm)
        return out

    def norm_doc(self, entry, resp3, what):
        """One command's documentation as a dict of plain values."""
        if resp3:
            self.assertIsInstance(entry, h.Map, what)
            items = [(text(k), v) for k, v in entry.items()]
        else:
            self.assertIs(type(entry), list, what)
            items = [(text(k), v) for k, v in pairs(entry)]
        self.in_order([k for k, _ in items], DOC_FIELDS, what)
        norm = {}
        for k, v in items:
            if k in ("summary", "since", "group", "complexity",
                     "deprecated_since", "replaced_by"):
                self.assertIs(type(v), bytes, "%s.%s" % (what, k))
                norm[k] = text(v)
            elif k == "doc_flags":
                if resp3:
                    self.assertIsInstance(v, h.Set, what)
                for f in v:
                    self.assertIsInstance(f, h.SimpleString, what)
                    self.assertIn(str(f), ("deprecated", "syscmd"), what)
                norm[k] = sorted(str(f) for f in v)
            elif k == "history":
                if resp3:
                    self.assertIsInstance(v, h.Set, what)
                else:
                    self.assertIs(type(v), list, what)
                for change in v:
                    self.assertIs(type(change), list, what)
                    self.assertEqual(len(change), 2, what)
                    self.assertIs(type(change[0]), bytes, what)
                    self.assertIs(type(change[1]), bytes, what)
                norm[k] = sorted(text(c[0]) for c in v)
            elif k == "arguments":
                norm[k] = self.norm_args(v, resp3, what)
            elif k == "subcommands":
                subs = self.entries(v, resp3)
                norm[k] = {n: self.norm_doc(d, resp3, "%s/%s" % (what, n))
                           for n, d in subs}
        for required in ("summary", "since", "group"):
            self.assertIn(required, norm, what)
        self.assertTrue(norm["summary"], what)
        self.assertRegex(norm["since"], r"^\d+\.\d+\.\d+$", what)
        self.assertIn(norm["group"], GROUPS, what)
        deprecated = "deprecated" in norm.get("doc_flags", [])
        self.assertEqual("deprecated_since" in norm, deprecated, what)
        self.assertEqual("replaced_by" in norm, deprecated, what)
        return norm

    def doc(self, name, protocol=3):
        """The normalized documentation of one command."""
        got = self.docs(protocol, name)
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0][0], name.lower())
        return self.norm_doc(got[0][1], protocol == 3, name)


class ShapeTest(DocsCase):

    def check_args(self, name, expected, group, since):
        for protocol in (2, 3):
            d = self.doc(name, protocol)
            self.assertEqual(d["arguments"], expected, "RESP%d" % protocol)
            self.assertEqual(d["group"], group)
            self.assertEqual(d["since"], since)
            self.assertIn("complexity", d)

    def test_get(self):
        self.check_args("get", GET_ARGS, "string", "1.0.0")
        self.assertNotIn("history", self.doc("get"))

    def test_set(self):
        self.check_args("set", SET_ARGS, "string", "1.0.0")
        self.assertEqual(self.doc("set")["history"],
                         ["2.6.12", "6.0.0", "6.2.0", "7.0.0"])

    def test_zadd(self):
        self.check_args("zadd", ZADD_ARGS, "sorted-set", "1.2.0")
        self.assertEqual(self.doc("zadd")["history"],
                         ["2.4.0", "3.0.2", "6.2.0"])

    def test_client_kill(self):
        self.check_args("client|kill", CLIENT_KILL_ARGS, "connection",
                        "2.4.0")

    def test_lpos(self):
        self.require("lpos")
        self.check_args("lpos", LPOS_ARGS, "list", "6.0.6")

    def test_deprecated_command(self):
        d = self.doc("getset")
        self.assertEqual(d["doc_flags"], ["deprecated"])
        self.assertEqual(d["deprecated_since"], "6.2.0")
        self.assertTrue(d["replaced_by"])
        self.assertNotIn("doc_flags", self.doc("set"))

    def test_command_without_arguments(self):
        d = self.doc("multi")
        self.assertNotIn("arguments", d)
        self.assertEqual(d["group"], "transactions")

    def test_resp3_raw_types(self):
        c = self.r3
        reply = c.call("COMMAND", "DOCS", "zadd")
        self.assertTrue(c.last_raw.startswith(b"%1\r\n$4\r\nzadd\r\n%"))
        entry = reply[b"zadd"]
        self.assertIsInstance(entry[b"history"], h.Set)
        condition = entry[b"arguments"][1]
        self.assertIsInstance(condition, h.Map)
        self.assertIsInstance(condition[b"flags"], h.Set)
        self.assertEqual(condition[b"flags"], {"optional"})
        self.assertIn(b"~1\r\n+optional\r\n", c.last_raw)
        self.assertIs(type(entry[b"arguments"][0][b"key_spec_index"]), int)

    def test_resp2_raw_types(self):
        reply = self.r.call("COMMAND", "DOCS", "get")
        self.assertTrue(self.r.last_raw.startswith(b"*2\r\n$3\r\nget\r\n*"))
        entry = dict(pairs(reply[1]))
        self.assertEqual(entry[b"arguments"],
                         [[b"name", b"key", b"type", b"key",
                           b"key_spec_index", 0]])
        set_entry = dict(pairs(self.r.call("COMMAND", "DOCS", "set")[1]))
        condition = dict(pairs(set_entry[b"arguments"][2]))
        self.assertEqual(condition[b"flags"], ["optional"])
        self.assertIsInstance(condition[b"flags"][0], h.SimpleString)
        self.assertIn(b"*1\r\n+optional\r\n", self.r.last_raw)


class ContainerTest(DocsCase):

    def test_container_nests_subcommands(self):
        for protocol in (2, 3):
            d = self.doc("client", protocol)
            self.assertNotIn("arguments", d)
            subs = d["subcommands"]
            self.assertIn("client|kill", subs)
            self.assertIn("client|setname", subs)
            self.assertEqual(subs["client|kill"]["arguments"],
                             CLIENT_KILL_ARGS)
            self.assertEqual(subs["client|kill"], self.doc("client|kill",
                                                           protocol))
            self.assertEqual(subs["client|setname"]["arguments"],
                             [arg("connection-name", "string")])

    def test_subcommands_are_those_registered(self):
        listed = [text(n) for n in self.r.call("COMMAND", "LIST")]
        for parent in ("client", "command", "config", "pubsub"):
            subs = self.doc(parent)["subcommands"]
            expected = {n for n in listed if n.startswith(parent + "|")}
            self.assertEqual(set(subs), expected, parent)

    def test_subcommand_name_any_case(self):
        got = self.docs(2, "CLIENT|KILL", "Command|Docs")
        self.assertEqual([n for n, _ in got], ["client|kill", "command|docs"])

    def test_bad_subcommand_names_omitted(self):
        for name in ("get|x", "client|nosuch", "client|kill|x", "client|",
                     "|kill"):
            self.assertEqual(self.docs(2, name), [], name)
            self.assertEqual(self.docs(3, name), [], name)


class SelectionTest(DocsCase):

    def test_unknown_commands_omitted(self):
        self.assertEqual(self.r.call("COMMAND", "DOCS", "nosuchcommand"), [])
        self.assertEqual(self.r.last_raw, b"*0\r\n")
        c = self.r3
        self.assertEqual(c.call("COMMAND", "DOCS", "nosuchcommand"), {})
        self.assertEqual(c.last_raw, b"%0\r\n")
        got = self.docs(3, "get", "nosuchcommand", "SET")
        self.assertEqual([n for n, _ in got], ["get", "set"])

    def test_repeated_names_repeat(self):
        got = self.docs(2, "get", "get")
        self.assertEqual([n for n, _ in got], ["get", "get"])
        self.r3.call("COMMAND", "DOCS", "get", "get")
        self.assertTrue(self.r3.last_raw.startswith(b"%2\r\n$3\r\nget\r\n"))

    def test_xadd_only_if_implemented(self):
        got = [n for n, _ in self.docs(2, "xadd", "get")]
        self.assertEqual(got, ["xadd", "get"] if self.known("xadd")
                         else ["get"])

    def test_every_command_without_arguments(self):
        listed = [text(n) for n in self.r.call("COMMAND", "LIST")]
        top = sorted(n for n in listed if "|" not in n)
        for protocol in (2, 3):
            got = self.docs(protocol)
            names = [n for n, _ in got]
            self.assertEqual(sorted(names), top, "RESP%d" % protocol)
            self.assertEqual(len(names),
                             self.r.call("COMMAND", "COUNT"))
            for name, entry in got:
                d = self.norm_doc(entry, protocol == 3, name)
                subs = {n for n in listed if n.startswith(name + "|")}
                self.assertEqual(set(d.get("subcommands", {})), subs, name)
                self.assertEqual(d, self.doc(name, protocol), name)

    def test_key_spec_indexes_count_keys(self):
        for name in ("get", "set", "zadd", "rename", "zunionstore",
                     "smove", "lmove", "mset"):
            if not self.known(name):
                continue
            keys = []

            def walk(args):
                for a in args:
                    if a["type"] == "key":
                        keys.append(a["key_spec_index"])
                    walk(a.get("arguments", []))
            walk(self.doc(name)["arguments"])
            self.assertEqual(keys, list(range(len(keys))), name)
            self.assertTrue(keys, name)


class ListTest(DocsCase):

    def list(self, *args):
        reply = self.r.call("COMMAND", "LIST", *args)
        self.assertIs(type(reply), list, reply)
        for n in reply:
            self.assertIs(type(n), bytes)
        return [text(n) for n in reply]

    def categories(self, name):
        """The ACL categories COMMAND INFO gives the command."""
        info = self.r.call("COMMAND", "INFO", name.split("|")[0])[0]
        if "|" in name:
            info = next(s for s in info[9] if text(s[0]) == name)
        return {text(c) for c in info[6]}

    def test_all_names(self):
        names = self.list()
        self.assertEqual(len(names), len(set(names)))
        for n in ("get", "set", "zadd", "client", "client|kill",
                  "command|docs", "config|get"):
            self.assertIn(n, names)
        self.assertEqual(len([n for n in names if "|" not in n]),
                         self.r.call("COMMAND", "COUNT"))
        # Subcommands follow their container.
        i = names.index("client")
        following = names[i + 1:i + 1 + sum(
            n.startswith("client|") for n in names)]
        self.assertTrue(all(n.startswith("client|") for n in following))
        # The same set on every call (Redis' own order follows its
        # command tables' hashing, which may change between calls).
        self.assertEqual(sorted(self.r3.call("COMMAND", "LIST")),
                         sorted(n.encode() for n in names))

    def test_filter_by_pattern(self):
        names = self.list("FILTERBY", "PATTERN", "client|*")
        self.assertIn("client|kill", names)
        self.assertNotIn("client", names)
        self.assertTrue(all(n.startswith("client|") for n in names), names)
        self.assertEqual(self.list("filterby", "pattern", "CLIENT|K*"),
                         ["client|kill"])
        self.assertEqual(self.list("FILTERBY", "PATTERN", "get"), ["get"])
        self.assertEqual(self.list("FILTERBY", "PATTERN", "nosuch*"), [])
        self.assertEqual(sorted(self.list("FILTERBY", "PATTERN", "*")),
                         sorted(self.list()))

    def test_filter_by_category(self):
        names = self.list("FILTERBY", "ACLCAT", "string")
        self.assertIn("get", names)
        self.assertIn("set", names)
        self.assertNotIn("zadd", names)
        self.assertNotIn("ping", names)
        for n in names:
            self.assertIn("@string", self.categories(n), n)
        self.assertEqual(self.list("FILTERBY", "ACLCAT", "STRING"), names)
        sorted_sets = self.list("FILTERBY", "ACLCAT", "sortedset")
        self.assertIn("zadd", sorted_sets)
        self.assertNotIn("get", sorted_sets)
        connection = self.list("FILTERBY", "ACLCAT", "connection")
        self.assertIn("ping", connection)
        self.assertIn("client|setname", connection)

    def test_filter_by_unknown_category_or_module(self):
        self.assertEqual(self.list("FILTERBY", "ACLCAT", "nosuchcategory"),
                         [])
        self.assertEqual(self.list("FILTERBY", "ACLCAT", "@string"), [])
        self.assertEqual(self.list("FILTERBY", "MODULE", "nosuchmodule"), [])

    def test_syntax_errors(self):
        for args in (["foo"], ["FILTERBY"], ["FILTERBY", "PATTERN"],
                     ["FILTERBY", "NAME", "get"],
                     ["FILTERBY", "PATTERN", "a", "b"],
                     ["FILTERBY", "PATTERN", "a", "FILTERBY"]):
            self.assertError(self.r.call("COMMAND", "LIST", *args), SYNTAX)


if __name__ == "__main__":
    h.main()
