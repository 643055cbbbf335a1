#!/usr/bin/python3
# Copyright 2026 The Colony Authors.
"""Turns the raw result lines of the bench drivers into PNG bar charts.

Usage: bench/plot.py RESULTS_FILE [RESULTS_FILE...] --out-dir DIR
                     [--prefix NAME_] [--title-suffix TEXT]

RESULTS_FILE holds the lines that bench/run_scheduler_bench.sh,
bench/run_sync_bench.sh or bench/run_net_bench.sh keep with `--out FILE`,
one per repetition:

  peer=go workload=yield workers=1 rep=0 value=61.2 unit=ns_per_op

Each chart is one measured quantity of one workload (the `value` field, and
the extra fields listed in EXTRA_FIELDS such as skynet's rss_mib): bars
grouped by worker count, one bar per peer, the bar the median of the
repetitions and the whisker their minimum and maximum (or, with
--whiskers quartiles, their first and third quartiles, so that one
warm-up repetition that faulted its memory in does not flatten the
chart). A peer that cannot
run the workload (value=NA) or whose run failed (value=FAIL) gets a label
instead of a bar. Net lines are told apart by their size= and conns=
fields, which become part of the chart's name.

Writes DIR/<prefix><workload>[_<size>B_<conns>c][_<field>].png and prints
each path. Needs Debian's python3-matplotlib; when it is missing the
script installs it through tools/install_deps.sh.
"""

import argparse
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Peers in the order and colour of every chart; unknown peers come after.
PEERS = ["colony", "go", "tokio", "fiber", "tbb"]
PEER_LABELS = {"fiber": "boost.fiber", "tbb": "oneTBB"}
COLOURS = {"colony": "#1b6ca8", "go": "#00a29c", "tokio": "#d1603d",
           "fiber": "#8e6bb8", "tbb": "#7f7f7f"}

# Extra fields worth a chart of their own, per workload.
EXTRA_FIELDS = {
    "skynet": ["rss_mib"],
    "imbalance": ["efficiency"],
    "latency": ["p99_us"],
    "suspended": ["kib_per_task"],
    "echo": ["p99_us"],
    "accept": ["p99_us"],
}

TITLES = {
    "yield": "yield",
    "spawn": "spawn + complete",
    "chain": "chained spawn",
    "skynet": "skynet 1M",
    "imbalance": "imbalanced fan-out",
    "latency": "wake-to-run latency",
    "suspended": "1M suspended tasks",
    "pingpong": "ping-pong, rendezvous",
    "pingpong_buf1": "ping-pong, capacity 1",
    "unbounded_1p": "unbounded channel, 1 → 1",
    "unbounded_mp": "unbounded channel, P → 1",
    "echo": "TCP echo",
    "accept": "accept rate",
    "bulk": "bulk transfer",
}
# What the `value` field is, where the title alone does not say.
VALUE_TITLES = {"imbalance": "makespan", "latency": "p50",
                "suspended": "create + release"}
FIELD_TITLES = {
    "rss_mib": ("peak RSS", "MiB"),
    "efficiency": ("efficiency (ideal / makespan)", "ratio"),
    "p99_us": ("p99", "µs"),
    "kib_per_task": ("RSS per waiting task", "KiB"),
}
# Quantities where a larger figure is better; everything else is a cost.
HIGHER_IS_BETTER = {"efficiency", "req_per_s", "conn_per_s", "GB_per_s",
                    "gb_per_s", "mmsgs_per_s"}


# Debian's interpreter, the one that sees Debian's python3-matplotlib (the
# shebang names it too: a python3 that comes first on PATH, from pyenv or a
# virtual environment, does not see Debian's packages).
DEBIAN_PYTHON = "/usr/bin/python3"


def import_pyplot():
    """Returns matplotlib.pyplot, installing python3-matplotlib if needed."""
    try:
        import matplotlib
    except ImportError:
        if (os.path.exists(DEBIAN_PYTHON) and
                os.path.realpath(sys.executable) !=
                os.path.realpath(DEBIAN_PYTHON)):
            os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)
        print("plot.py: installing python3-matplotlib", file=sys.stderr)
        subprocess.run([os.path.join(REPO, "tools", "install_deps.sh"),
                        "python3-matplotlib"], check=True)
        import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def parse(paths):
    """Returns {chart key: {(peer, workers): [values]}} and chart units.

    A chart key is (workload, variant, field); values are floats or the
    strings "NA" and "FAIL".
    """
    charts, units = {}, {}
    for path in paths:
        with open(path) as f:
            for line in f:
                kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
                if not {"peer", "workload", "workers", "value"} <= kv.keys():
                    continue
                variant = ""
                if "size" in kv and "conns" in kv:
                    variant = "%sB_%sc" % (kv["size"], kv["conns"])
                elif "size" in kv:
                    variant = "%sB" % kv["size"]
                workload = kv["workload"]
                fields = ["value"] + EXTRA_FIELDS.get(workload, [])
                for field in fields:
                    raw = kv.get(field)
                    if kv["value"] in ("NA", "FAIL"):
                        raw = kv["value"]
                    if raw is None:
                        continue
                    try:
                        v = float(raw)
                    except ValueError:
                        v = raw if raw in ("NA", "FAIL") else "FAIL"
                    key = (workload, variant, field)
                    series = charts.setdefault(key, {})
                    series.setdefault((kv["peer"], int(kv["workers"])),
                                      []).append(v)
                    if field == "value" and "unit" in kv:
                        units[key] = kv["unit"]
    return charts, units


def describe(key, unit):
    """The chart's title and y-axis label."""
    workload, variant, field = key
    title = TITLES.get(workload, workload)
    if variant:
        title += " (%s)" % variant.replace("_", ", ")
    if field == "value":
        unit_label = (unit or "").replace("_", " ")
        better_key = unit or ""
        if workload in VALUE_TITLES:
            title += ": " + VALUE_TITLES[workload]
    else:
        what, unit_label = FIELD_TITLES.get(field, (field, ""))
        title += ": " + what
        better_key = field
    better = ("higher is better" if better_key in HIGHER_IS_BETTER
              else "lower is better")
    return "%s — %s" % (title, better), unit_label


def plot(plt, key, series, unit, path, title_suffix, whiskers="minmax"):
    """Draws one chart: bars grouped by workers, one per peer."""
    from matplotlib.patches import Patch
    peers = sorted({p for p, _ in series},
                   key=lambda p: (PEERS.index(p) if p in PEERS else 99, p))
    workers = sorted({w for _, w in series})
    fig, ax = plt.subplots(figsize=(1.6 + 1.1 * len(peers) * len(workers),
                                    4.2))
    width = 0.8 / len(peers)
    top = 0.0
    notes = []  # (x, text) for bars that are not numbers
    for i, peer in enumerate(peers):
        xs, meds, lo, hi = [], [], [], []
        for j, w in enumerate(workers):
            x = j + (i - (len(peers) - 1) / 2) * width
            vals = series.get((peer, w))
            if vals is None:
                continue
            if any(isinstance(v, str) for v in vals):
                notes.append((x, "FAIL" if "FAIL" in vals else "n/a"))
                continue
            med = statistics.median(vals)
            xs.append(x)
            meds.append(med)
            low, high = min(vals), max(vals)
            if whiskers == "quartiles" and len(vals) >= 2:
                low, _, high = statistics.quantiles(vals, n=4,
                                                    method="inclusive")
            lo.append(med - low)
            hi.append(high - med)
            top = max(top, high)
        if xs:
            ax.bar(xs, meds, width * 0.92, yerr=[lo, hi], capsize=3,
                   color=COLOURS.get(peer, "#bcbd22"),
                   error_kw={"elinewidth": 1, "ecolor": "#333333"})
    for x, text in notes:
        ax.text(x, top * 0.02, text, ha="center", va="bottom", rotation=90,
                fontsize=8, color="#555555")
    title, ylabel = describe(key, unit)
    if title_suffix:
        title += "\n" + title_suffix
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel)
    ax.set_xticks(range(len(workers)))
    ax.set_xticklabels(["%d worker%s" % (w, "" if w == 1 else "s")
                        for w in workers])
    ax.set_xlim(-0.5, len(workers) - 0.5)
    ax.set_ylim(bottom=0, top=(top or 1) * 1.08)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    # Every peer of the chart is in the legend, with a bar or not.
    handles = [Patch(color=COLOURS.get(p, "#bcbd22"),
                     label=PEER_LABELS.get(p, p)) for p in peers]
    ax.legend(handles=handles, fontsize=8, loc="upper left",
              bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(
        description="Plot the bench drivers' raw result lines as PNG charts "
        "(bars: medians; whiskers: min/max across repetitions, or "
        "quartiles).")
    ap.add_argument("results", nargs="+", help="files written with --out")
    ap.add_argument("--out-dir", required=True, help="where the PNGs go")
    ap.add_argument("--prefix", default="",
                    help="prepended to every file name, e.g. scheduler_")
    ap.add_argument("--whiskers", choices=["minmax", "quartiles"],
                    default="minmax",
                    help="what the whiskers span: the repetitions' range "
                    "(default) or their first to third quartile")
    ap.add_argument("--title-suffix", default="",
                    help="a second title line, e.g. how the run was made")
    args = ap.parse_args()

    charts, units = parse(args.results)
    if not charts:
        sys.exit("plot.py: no result lines in %s" % ", ".join(args.results))
    plt = import_pyplot()
    os.makedirs(args.out_dir, exist_ok=True)
    for key in sorted(charts):
        workload, variant, field = key
        name = args.prefix + workload
        if variant:
            name += "_" + variant
        if field != "value":
            name += "_" + field
        path = os.path.join(args.out_dir, name + ".png")
        unit = units.get((workload, variant, "value"))
        plot(plt, key, charts[key], unit, path, args.title_suffix,
             args.whiskers)
        print(path)


if __name__ == "__main__":
    main()
