#!/usr/bin/env python3
"""Differential tester: random well-typed PromQL through promtool 2.42 and ctlmon.

A seeded generator writes promtool-format test files: input series (counters with
resets, gauges with gaps and staleness markers, histograms with odd buckets, values
that cancel, non-integral steps, NaN and infinities) and expressions of every
function and operator ctlmon evaluates, nested 1-4 deep, plus expressions that must
fail. Every expression expects an impossible sample, so both `promtool test rules`
and `ctlmon rules test` print what they really got (promtool at full precision),
and the two answers are compared case by case.

A case agrees when both fail (parse or evaluation error), or both return the same
samples (labels exactly, values equal or within 1e-12 relative; NaN equals NaN).
promtool runs twice: a case where its two answers differ (its sums follow Go's map
order) is skipped and counted. A disagreement is "intended" when it matches an
entry of INTENDED below (each says why); any other disagreement, and any crash of
ctlmon, makes the exit status 1.

With --cases FILE, the expressions are not generated but read from FILE (the
regression cases: every root cause the generator found, and the issue's examples),
a list of groups:

    interval: 1m
    eval_time: 2m
    series:
      x{a="1"} 1 1 1
    exprs:
      topk(-1e19, x)

Usage: difftest.py [--seed N] [--count N] [--batch N] [--ctlmon PATH] [--promtool PATH]
                   [--show N] [--keep DIR] [--jobs N] [--cases FILE]
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

# Disagreements that are intended: (regex over the expression, why). Keep this list
# short, and in step with docs/promql.md ("Differences from Prometheus").
INTENDED = [
]

IMPOSSIBLE = '{difftest_impossible="1"}'
RERUNS = 8
IMPOSSIBLE_VALUE = 4242.4242

# ---------------------------------------------------------------------------
# Input series


def fmt_num(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Inf" if v > 0 else "-Inf"
        return repr(v)
    return str(v)


class Inputs:
    """The input series of one test group, chosen at random, and what the generator may select."""

    def __init__(self, rng):
        self.rng = rng
        self.interval = rng.choice(["1m", "1m", "30s", "15s", "2m"])
        self.interval_s = {"1m": 60, "30s": 30, "15s": 15, "2m": 120}[self.interval]
        self.steps = rng.randint(12, 24)
        self.series = []  # (selector text, values text)
        self.metrics = {}  # name -> list of label dicts
        self.build()

    def add(self, name, labels, values):
        inner = ", ".join(f'{k}="{v}"' for k, v in labels.items())
        self.series.append((f"{name}{{{inner}}}" if inner else name, values))
        self.metrics.setdefault(name, []).append(labels)

    def counter_values(self):
        r = self.rng
        kind = r.randrange(6)
        n = self.steps
        if kind == 0:  # steady with a reset
            k = r.randint(2, n - 2)
            return f"0+{r.randint(1, 9)}x{k} {r.randint(0, 3)}+{r.randint(1, 9)}x{n - k - 1}"
        if kind == 1:  # non-integral step
            return f"{r.choice(['0.1', '1.7', '0'])}+{r.choice(['0.3', '0.7', '1.1', '0.01'])}x{n - 1}"
        if kind == 2:  # gaps and a staleness marker
            return f"0 _ 5 _x2 9 stale 12+{r.randint(1, 4)}x{max(1, n - 7)}"
        if kind == 3:  # explicit values with several resets
            v, out = 0, []
            for _ in range(n):
                v = r.randint(0, 3) if r.random() < 0.15 else v + r.randint(0, 20)
                out.append(str(v))
            return " ".join(out)
        if kind == 4:  # starts late
            k = r.randint(1, n // 2)
            return f"_x{k} {r.randint(0, 50)}+{r.randint(1, 20)}x{n - k - 1}"
        return f"{r.randint(0, 100)}+0x{n - 1}"  # flat

    def gauge_values(self):
        r = self.rng
        kind = r.randrange(6)
        n = self.steps
        if kind == 0:
            return " ".join(str(r.randint(-5, 10)) for _ in range(n))
        if kind == 1:  # values that cancel, and extremes that print differently
            return " ".join(r.choice(["1e16", "1", "-1e16", "1", "0.1", "-0.1", "1e21", "1e-20", "-0", "5e-324",
                                      "1.7976931348623157e308", "123456789012345678"]) for _ in range(n))
        if kind == 2:  # gaps, stale, NaN, infinities
            return " ".join(r.choice(["1", "2.5", "_", "stale", "NaN", "Inf", "-Inf", "0", "-3"]) for _ in range(n))
        if kind == 3:  # down then up, non-integral
            k = r.randint(2, n - 2)
            return f"{r.randint(10, 50)}-{r.choice(['0.5', '1.3', '2'])}x{k} {r.randint(0, 9)}+{r.choice(['0.25', '3'])}x{n - k - 1}"
        if kind == 4:
            return " ".join(fmt_num(round(r.uniform(-100, 100), r.choice([0, 1, 3]))) for _ in range(n))
        return f"{r.choice(['7', '0', '-2', '1e-3'])}x{n - 1}"

    def histogram(self, labels, odd):
        """Cumulative buckets that grow together; `odd` makes one of the shapes Prometheus treats specially."""
        r = self.rng
        bounds = ["0.05", "0.1", "0.5", "1", "2.5", "10", "+Inf"]
        if odd == "duplicate":
            bounds = ["0.1", "1", "1.0", "5", "+Inf"]
        elif odd == "no_inf":
            bounds = ["0.1", "1", "5"]
        elif odd == "huge_le":
            bounds = ["0.1", "1", "1e400", "+Inf"]
        elif odd == "bad_le":
            bounds = ["0.1", "x", "1", "+Inf"]
        elif odd == "negative":
            bounds = ["-1", "0", "1", "+Inf"]
        n = self.steps
        rates = sorted(r.randint(0, 6) for _ in bounds)
        if odd == "nonmonotonic":
            rates[1], rates[2] = rates[2] + 3, rates[1]
        for b, rate in zip(bounds, rates):
            lab = dict(labels, le=b)
            if odd == "nan_inf" and b == "+Inf":
                values = " ".join(["NaN"] * n)
            else:
                start = r.randint(0, 3)
                values = f"{start}+{rate}x{n - 1}" if r.random() < 0.8 else f"{start}+{rate}x{n // 2} 0+{rate}x{n - n // 2 - 1}"
            self.add("h_bucket", lab, values)
        self.add("h_count", labels, f"0+{rates[-1]}x{n - 1}")
        self.add("h_sum", labels, f"0+{r.choice(['0.5', '1.25', '3'])}x{n - 1}")

    def build(self):
        r = self.rng
        for job, inst in [("a", "1"), ("a", "2"), ("b", "1")]:
            self.add("c_total", {"job": job, "instance": inst}, self.counter_values())
        for job, inst, mode in [("a", "1", "x"), ("a", "2", "y"), ("b", "1", "x"), ("b", "3", "")]:
            labels = {"job": job, "instance": inst}
            if mode:
                labels["mode"] = mode
            self.add("g", labels, self.gauge_values())
        odd = r.choice(["", "duplicate", "no_inf", "huge_le", "bad_le", "negative", "nonmonotonic", "nan_inf"])
        self.histogram({"job": "a"}, "")
        self.histogram({"job": "b"}, odd)
        # Small series for matching and label functions.
        for a in ["1", "2", "3"]:
            labels = {"a": a}
            if a == "3":
                labels["b"] = r.choice(["q", "1"])
            self.add("x", labels, self.gauge_values() if r.random() < 0.5 else f"{a}+{r.randint(0, 2)}x{self.steps - 1}")
        for a in ["1", "2"]:
            self.add("y", {"a": a, "b": r.choice(["q", "w"])}, self.gauge_values())
        self.add("info", {"a": "1", "version": "v1"}, "1x%d" % (self.steps - 1))
        self.add("info", {"a": "2", "version": r.choice(["v1", "v2"])}, "1x%d" % (self.steps - 1))

    def eval_times(self, k):
        """Evaluation times in seconds: mostly inside the data, some after it (lookback), some odd."""
        end = (self.steps - 1) * self.interval_s
        out = []
        for _ in range(k):
            c = self.rng.random()
            if c < 0.7:
                t = self.rng.randint(0, end // 30) * 30
            elif c < 0.85:
                t = end + self.rng.choice([30, 120, 299, 300, 301, 600])
            else:
                t = self.rng.randint(0, end)
            out.append(t)
        return out


class CaseInputs:
    """Input series written by hand in a --cases file."""

    def __init__(self, interval, series):
        self.interval = interval
        self.series = series


def read_cases(path):
    """Groups of (inputs, [(expr, eval seconds)]) from a --cases file."""
    groups = []
    interval, eval_time, series, exprs, section = "1m", 0, [], [], None

    def flush():
        if exprs:
            groups.append((CaseInputs(interval, list(series)), list(exprs)))

    units = {"s": 1, "m": 60, "h": 3600}
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if not line.startswith(" "):
                key, _, value = line.partition(":")
                value = value.strip()
                if key == "interval":
                    flush()
                    interval, series, exprs = value, [], []
                elif key == "eval_time":
                    eval_time = sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([smh])", value))
                section = key
                continue
            item = line.strip()
            if section == "series":
                # The series is everything up to the closing brace (or the first blank without braces).
                end = item.index("}") + 1 if "{" in item else item.index(" ")
                series.append((item[:end], item[end:].strip()))
            elif section == "exprs":
                exprs.append((item, eval_time))
    flush()
    return groups


def duration(seconds):
    if seconds == 0:
        return "0s"
    out = ""
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out


# ---------------------------------------------------------------------------
# Expressions

RANGE_FUNCS = ["rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets", "avg_over_time",
               "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "last_over_time",
               "stddev_over_time", "stdvar_over_time", "present_over_time", "absent_over_time"]
MATH_FUNCS = ["abs", "ceil", "floor", "sqrt", "exp", "ln", "log2", "log10", "sgn", "round"]
TRIG_FUNCS = ["acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh", "deg", "rad"]
TIME_FUNCS = ["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year"]
AGGS = ["sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values"]
ARITH = ["+", "-", "*", "/", "%", "^", "atan2"]
COMPARE = ["==", "!=", ">", "<", ">=", "<="]
SETOPS = ["and", "or", "unless"]
LABELS = ["job", "instance", "mode", "a", "b", "le", "version", "nosuch"]
RANGES = ["30s", "1m", "90s", "2m", "3m", "5m", "10m", "1h", "1m30s", "4m59s", "1d"]
STEPS = ["", "15s", "30s", "1m", "45s", "2m"]
OFFSETS = ["1m", "30s", "5m", "-1m", "-2m", "90s"]
REGEXES = ['.*', '1|2', 'a.*', '[ab]', '(?i)A', '\\\\d', '\\\\pL+', 'b{,2}', '[[:alpha:]]+', 'x+?', '1|', '.+',
           '(a|b)', '\\\\w', '[^1]', 'q{1,2}', '(?s).', '\\\\Qa.\\\\E', '.?', 'y|w|q', '^1$', '(?:1)',
           '[1-2]', '\\\\x31', '\\\\D', '(?U)a+']
NUMBERS = ["0", "1", "2", "3", "0.5", "-1", "1e3", "0.25", "10", "100", "NaN", "Inf", "-Inf", "+Inf", "1e-3", ".5",
           "0x1f", "017", "0.1", "5", "1e19", "-1e19", "2e-308", "1.5", "-0.5"]


class Generator:
    def __init__(self, rng, inputs):
        self.rng = rng
        self.inputs = inputs

    def chance(self, p):
        return self.rng.random() < p

    def pick(self, xs):
        return self.rng.choice(xs)

    def selector(self, allow_empty=True):
        r = self.rng
        name = self.pick(list(self.inputs.metrics.keys()) + ["nosuch"]) if r.random() < 0.95 else ""
        matchers = []
        if self.chance(0.45) or not name:
            label_sets = self.inputs.metrics.get(name) or [l for ls in self.inputs.metrics.values() for l in ls]
            for _ in range(r.randint(1, 2)):
                ls = self.pick(label_sets)
                label = self.pick(list(ls.keys()) + ["nosuch"]) if ls else "job"
                value = ls.get(label, "zz")
                op = self.pick(["=", "=", "!=", "=~", "!~"])
                if op in ("=~", "!~"):
                    value = self.pick(REGEXES + [value])
                elif self.chance(0.1):
                    value = ""
                matchers.append(f'{label}{op}"{value}"')
            if not name and self.chance(0.5):
                matchers.append(f'__name__=~"{self.pick(["c_total|g", "x", "h_.*", "g"])}"')
        text = name + ("{" + ", ".join(matchers) + "}" if matchers else "")
        if not text:
            text = '{job="a"}'
        return text

    def offset(self):
        out = f" offset {self.pick(OFFSETS)}" if self.chance(0.15) else ""
        if self.chance(0.06):
            out += " @ " + self.pick(["start()", "end()", "60", "120.5", "0", "-30", "1e3", "300"])
        return out

    def scalar(self, d):
        r = self.rng
        c = r.random()
        if d >= 3 or c < 0.45:
            return self.pick(NUMBERS)
        if c < 0.6:
            return f"scalar({self.vector(d + 1)})"
        if c < 0.65:
            return "time()"
        if c < 0.85:
            op = self.pick(ARITH + COMPARE)
            b = " bool" if op in COMPARE else ""
            return f"{self.scalar(d + 1)} {op}{b} {self.scalar(d + 1)}"
        if c < 0.92:
            return f"({self.scalar(d + 1)})"
        return f"-{self.scalar(d + 1)}"

    def matrix(self, d):
        if d >= 3 or self.chance(0.75):
            return f"{self.selector()}[{self.pick(RANGES)}]{self.offset()}"
        step = self.pick(STEPS)
        return f"{self.vector(d + 1)}[{self.pick(RANGES[:6])}:{step}]{self.offset()}"

    def grouping(self):
        labels = self.rng.sample(LABELS, self.rng.randint(0, 3))
        return f"{self.pick(['by', 'without'])} ({', '.join(labels)})"

    def matching(self, op):
        r = self.rng
        if r.random() < 0.55:
            return ""
        kind = self.pick(["on", "ignoring"])
        labels = r.sample(LABELS[:7], r.randint(0, 2))
        out = f" {kind}({', '.join(labels)})"
        if op not in SETOPS and r.random() < 0.35:
            extra = r.sample(LABELS, r.randint(0, 2))
            out += f" {self.pick(['group_left', 'group_right'])}" + (f"({', '.join(extra)})" if extra or r.random() < 0.5 else "")
        return out

    def vector(self, d):
        r = self.rng
        if d >= 4:
            return self.selector() + self.offset() if r.random() < 0.85 else f"vector({self.pick(NUMBERS)})"
        c = r.random()
        if c < 0.16:
            return self.selector() + self.offset()
        if c < 0.30:
            f = self.pick(RANGE_FUNCS)
            return f"{f}({self.matrix(d + 1)})"
        if c < 0.34:
            return self.pick([f"predict_linear({self.matrix(d + 1)}, {self.scalar(d + 1)})",
                              f"quantile_over_time({self.scalar(d + 1)}, {self.matrix(d + 1)})",
                              f"holt_winters({self.matrix(d + 1)}, {self.pick(['0.5', '0.1', '0.9', '0', '1'])}, {self.pick(['0.5', '0.3', '1'])})"])
        if c < 0.44:
            f = self.pick(MATH_FUNCS + TRIG_FUNCS[:4])
            if f == "round" and self.chance(0.6):
                return f"round({self.vector(d + 1)}, {self.scalar(d + 1)})"
            return f"{f}({self.vector(d + 1)})"
        if c < 0.48:
            f = self.pick(["clamp", "clamp_min", "clamp_max"])
            args = [self.scalar(d + 1) for _ in range(2 if f == "clamp" else 1)]
            return f"{f}({self.vector(d + 1)}, {', '.join(args)})"
        if c < 0.52:
            return self.pick([f"timestamp({self.vector(d + 1)})", f"sort({self.vector(d + 1)})",
                              f"sort_desc({self.vector(d + 1)})", f"absent({self.vector(d + 1)})",
                              f"vector({self.scalar(d + 1)})", f"{self.pick(TIME_FUNCS)}()",
                              f"{self.pick(TIME_FUNCS)}({self.vector(d + 1)})"])
        if c < 0.56:
            return self.label_function(d)
        if c < 0.62:
            inner = self.pick([f"sum by (le) (rate(h_bucket[{self.pick(RANGES)}]))", "h_bucket",
                               f"sum by (le, job) (increase(h_bucket[{self.pick(RANGES)}]))",
                               f"rate(h_bucket{{job=\"{self.pick(['a', 'b'])}\"}}[{self.pick(RANGES)}])",
                               self.vector(d + 1)])
            return f"histogram_quantile({self.pick(['0.5', '0.9', '0.99', '0', '1', '-0.5', '1.5', 'NaN', '0.25'])}, {inner})"
        if c < 0.76:
            return self.aggregation(d)
        if c < 0.90:
            op = self.pick(ARITH + COMPARE)
            b = " bool" if op in COMPARE and self.chance(0.4) else ""
            form = r.random()
            if form < 0.3:
                return f"{self.vector(d + 1)} {op}{b} {self.scalar(d + 1)}"
            if form < 0.45:
                return f"{self.scalar(d + 1)} {op}{b} {self.vector(d + 1)}"
            return f"{self.vector(d + 1)} {op}{b}{self.matching(op)} {self.vector(d + 1)}"
        if c < 0.95:
            op = self.pick(SETOPS)
            return f"{self.vector(d + 1)} {op}{self.matching(op)} {self.vector(d + 1)}"
        if c < 0.98:
            return f"-{self.vector(d + 1)}"
        if c < 0.99:
            return f"absent(({self.selector()}))"
        return f"({self.vector(d + 1)})"

    def label_function(self, d):
        r = self.rng
        if r.random() < 0.6:
            dst = self.pick(["dst", "a", "job", "__name__", "le", "1bad", "b"])
            repl = self.pick(["$1", "${1}", "x-$1", "$2", "${n}", "$$", "", "v", "$1$1", "$n_x", "${n}_x"])
            src = self.pick(LABELS + ["__name__"])
            regex = self.pick(["(.*)", "(.)(.*)", "(?P<n>.*)", "([0-9]+)", "a(.*)", "", ".*", "(.*", "(?P<n>[ab])",
                               "1|(2)", "(x)?"])
            return f'label_replace({self.vector(d + 1)}, "{dst}", "{repl}", "{src}", "{regex}")'
        dst = self.pick(["dst", "a", "job", "1bad", "\\x61", "\\141"])
        srcs = r.sample(LABELS + ["__name__", "1bad"], r.randint(0, 3))
        sep = self.pick(["-", ",", "", "::"])
        return f'label_join({self.vector(d + 1)}, "{dst}", "{sep}"' + "".join(f', "{s}"' for s in srcs) + ")"

    def aggregation(self, d):
        r = self.rng
        op = self.pick(AGGS)
        grouping = self.grouping() if self.chance(0.6) else ""
        param = ""
        if op in ("topk", "bottomk"):
            param = self.pick(["1", "2", "3", "0", "-1", "1.5", "2.9", "1e19", "-1e19", "NaN", "Inf", "scalar(x)", "1e400"]) + ", "
        elif op == "quantile":
            param = self.pick(["0.5", "0.9", "0", "1", "-1", "2", "NaN", "0.25", "scalar(g)"]) + ", "
        elif op == "count_values":
            param = '"' + self.pick(["v", "a", "job", "__name__", "le", "1bad", ""]) + '", '
        inner = self.vector(d + 1)
        if grouping and self.chance(0.5):
            return f"{op} {grouping} ({param}{inner})"
        if grouping:
            return f"{op}({param}{inner}) {grouping}"
        return f"{op}({param}{inner})"

    def top(self):
        """A top-level expression: mostly an instant vector, some scalars, a few that must fail."""
        c = self.rng.random()
        if c < 0.8:
            return self.vector(self.rng.randint(0, 2))
        if c < 0.9:
            return self.scalar(self.rng.randint(0, 1))
        return self.broken()

    def broken(self):
        """Expressions that are wrong: type errors, bad syntax, bad parameters."""
        v = self.vector(2)
        return self.pick([
            f"rate({v})", f"sum({self.matrix(2)})", f"{v} + {self.matrix(2)}", f"1 > 2", f"{v} and 1",
            f"{v} + on(a) group_left {v} and on(a) group_left {v}", f"({v}", f"{v})", f"{v} +",
            f"sum by (a) {v}", f"abs({v}, 1)", f"label_replace({v})", f"x offset 0s", f"max_over_time(x[5m:0s])",
            f"x[0s]", f"x[5m:0s]", f"nosuchfunction({v})", f"{{}}", f'{{a=""}}', f"x{{a=~\"(\"}}", f"topk(x, x)",
            f"count_values(1, x)", f"histogram_quantile(x, x)", f"1e400", f"x @ 100", f"x offset -5m",
            f'"abc"', f"x[5m] offset 1m", f"-x[5m]", f"{v} == bool on() {v}", f"1 + on() 1",
            f"{v} + on() 1", f"{v} and on() {v}", f"sum without () ({v})",
        ])


# ---------------------------------------------------------------------------
# Files, runs and answers


def yaml_str(s):
    return json.dumps(s)


def write_batch(path, inputs, cases):
    lines = ["evaluation_interval: 1m", "tests:", "- interval: " + inputs.interval, "  input_series:"]
    for series, values in inputs.series:
        lines.append(f"  - series: {yaml_str(series)}")
        lines.append(f"    values: {yaml_str(values)}")
    lines.append("  promql_expr_test:")
    for cid, expr, t in cases:
        lines.append(f"  - expr: {yaml_str(expr + '  # c' + str(cid))}")
        lines.append(f"    eval_time: {duration(t)}")
        lines.append(f"    exp_samples:")
        lines.append(f"    - labels: {yaml_str(IMPOSSIBLE)}")
        lines.append(f"      value: {IMPOSSIBLE_VALUE}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


CASE = re.compile(r'^    expr: "((?:[^"\\]|\\.)*)  # c(\d+)", time: ([^,]*),(?: err: (.*)|\n        exp: .*\n        got: (.*))$',
                  re.MULTILINE)


def parse_output(text):
    """{case id: ("error", message) or ("samples", {labels: value text})} from a rules-test report."""
    out = {}
    for m in CASE.finditer(text):
        cid = int(m.group(2))
        if m.group(4) is not None:
            out[cid] = ("error", m.group(4))
        else:
            out[cid] = ("samples", parse_samples(m.group(5)))
    return out


def parse_samples(text):
    """Parses `{a="1", b="x"} 1E+00, {…} NaN` (Go's labels.String and FormatFloat 'E')."""
    samples = {}
    text = text.strip()
    if text in ("nil", ""):
        return samples
    i = 0
    while i < len(text):
        if text[i] != "{":
            raise ValueError(f"cannot parse samples at {i}: {text!r}")
        j = i + 1
        while text[j] != "}":
            if text[j] == '"':
                j += 1
                while text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
            j += 1
        labels = text[i:j + 1]
        k = text.find(", {", j)
        value = text[j + 2:k if k >= 0 else len(text)]
        samples[labels] = value
        i = k + 2 if k >= 0 else len(text)
    return samples


def same_value(a, b):
    fa, fb = float(a), float(b)
    if math.isnan(fa) or math.isnan(fb):
        return math.isnan(fa) and math.isnan(fb)
    if fa == fb:
        return True
    return abs(fa - fb) <= 1e-12 * max(abs(fa), abs(fb))


LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def same_labels(a, b):
    """Label sets equal, label values that are numbers (count_values) within the value tolerance."""
    if a == b:
        return True
    la, lb = LABEL.findall(a), LABEL.findall(b)
    if len(la) != len(lb):
        return False
    for (na, va), (nb, vb) in zip(la, lb):
        if na != nb:
            return False
        if va != vb:
            try:
                if not same_value(va, vb):
                    return False
            except ValueError:
                return False
    return True


def agree(p, c):
    if p[0] == "error" or c[0] == "error":
        return p[0] == c[0]
    if len(p[1]) != len(c[1]):
        return False
    unmatched = dict(c[1])
    for labels, value in p[1].items():
        key = labels if labels in unmatched else next((k for k in unmatched if same_labels(labels, k)), None)
        if key is None or not same_value(value, unmatched.pop(key)):
            return False
    return True


def run(cmd, timeout):
    start = time.monotonic()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return out.returncode, out.stdout + out.stderr, time.monotonic() - start
    except subprocess.TimeoutExpired as e:
        return "timeout", (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""), timeout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--ctlmon", default=".build/debug/ctlmon")
    ap.add_argument("--promtool", default="promtool")
    ap.add_argument("--show", type=int, default=30, help="disagreements to print in full")
    ap.add_argument("--keep", help="write the test files into this folder and keep them")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cases", help="read the expressions from this file instead of generating them")
    args = ap.parse_args()
    if not shutil.which(args.promtool):
        sys.exit(f"difftest: {args.promtool} not found (Debian's prometheus package has promtool)")

    rng = random.Random(args.seed)
    folder = args.keep or tempfile.mkdtemp(prefix="ctlmon-difftest-")
    os.makedirs(folder, exist_ok=True)
    batches = []
    expressions = {}
    cid = 0
    if args.cases:
        for inputs, exprs in read_cases(args.cases):
            cases = []
            for expr, t in exprs:
                cases.append((cid, expr, t))
                expressions[cid] = (expr, t)
                cid += 1
            path = os.path.join(folder, f"batch-{len(batches):04d}.yml")
            write_batch(path, inputs, cases)
            batches.append((path, cases))
        args.count = 0
    while cid < args.count:
        inputs = Inputs(rng)
        gen = Generator(rng, inputs)
        n = min(args.batch, args.count - cid)
        times = inputs.eval_times(n)
        cases = []
        for k in range(n):
            expr = gen.top()
            cases.append((cid, expr, times[k]))
            expressions[cid] = (expr, times[k])
            cid += 1
        path = os.path.join(folder, f"batch-{len(batches):04d}.yml")
        write_batch(path, inputs, cases)
        batches.append((path, cases))

    def evaluate(batch):
        path, cases = batch
        p1 = run([args.promtool, "test", "rules", path], 300)
        p2 = run([args.promtool, "test", "rules", path], 300)
        c = run([args.ctlmon, "rules", "test", path], 300)
        return batch, p1, p2, c

    started = time.monotonic()
    promtool_seconds = ctlmon_seconds = 0.0
    results = {}
    crashes = []
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for (path, cases), p1, p2, c in pool.map(evaluate, batches):
            promtool_seconds += p1[2] + p2[2]
            ctlmon_seconds += c[2]
            a1, a2 = parse_output(p1[1]), parse_output(p2[1])
            if c[0] not in (0, 1):
                crashes.append((path, c[0], c[1][-2000:]))
                ours = {}
            else:
                ours = parse_output(c[1])
            for case_id, expr, t in cases:
                results[case_id] = (a1.get(case_id), a2.get(case_id), ours.get(case_id), path)
    elapsed = time.monotonic() - started

    # promtool creates its input series in Go map order, so the series a topk keeps among
    # equal values, and the order a sum adds in, can change from run to run. A case whose
    # two promtool answers differ, or that disagrees with ctlmon, is asked again RERUNS times:
    # if promtool ever answers otherwise, it disagrees with itself and the case is skipped.
    suspects = [cid for cid, (p1, p2, ours, _) in results.items()
                if p1 is not None and p2 is not None and ours is not None and (not agree(p1, p2) or not agree(p1, ours))]
    answers = {cid: [results[cid][0], results[cid][1]] for cid in suspects}
    if suspects:
        by_file = {}
        for cid in suspects:
            by_file.setdefault(results[cid][3], []).append(cid)
        for path, ids in by_file.items():
            for _ in range(RERUNS):
                for cid, answer in parse_output(run([args.promtool, "test", "rules", path], 300)[1]).items():
                    if cid in answers:
                        answers[cid].append(answer)

    agreed = unstable = unanswered = 0
    intended = []
    disagreements = []
    for case_id in sorted(results):
        p1, p2, ours, path = results[case_id]
        expr, t = expressions[case_id]
        if p1 is None or p2 is None or ours is None:
            unanswered += 1
            disagreements.append((case_id, expr, t, p1, ours, path, "no answer"))
            continue
        seen = answers.get(case_id, [p1])
        if any(not agree(seen[0], other) for other in seen[1:]):
            unstable += 1
            continue
        if agree(p1, ours):
            agreed += 1
            continue
        why = next((reason for pattern, reason in INTENDED if re.search(pattern, expr)), None)
        if why:
            intended.append((case_id, expr, why))
        else:
            disagreements.append((case_id, expr, t, p1, ours, path, ""))

    compared = len(results) - unstable
    what = f"cases from {args.cases}" if args.cases else f"seed {args.seed}"
    print(f"difftest: {what}, {len(results)} expressions in {len(batches)} files, "
          f"{elapsed:.1f} s ({len(results) / elapsed:.0f} expressions/s; promtool {promtool_seconds:.1f} s for two runs, "
          f"ctlmon {ctlmon_seconds:.1f} s)")
    print(f"  agree: {agreed} of {compared} compared ({100.0 * agreed / max(compared, 1):.2f} %); "
          f"skipped as unstable in promtool: {unstable}; intended differences: {len(intended)}; "
          f"disagreements: {len(disagreements)}; ctlmon crashes: {len(crashes)}")
    for path, code, tail in crashes:
        print(f"\nCRASH ({code}) on {path}:\n{tail}")
    for case_id, expr, t, p, ours, path, note in disagreements[:args.show]:
        print(f"\n#{case_id} at {duration(t)} ({os.path.basename(path)}) {note}\n  expr:     {expr}\n  promtool: {p}\n  ctlmon:   {ours}")
    if len(disagreements) > args.show:
        print(f"\n… and {len(disagreements) - args.show} more")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(1 if disagreements or crashes else 0)


if __name__ == "__main__":
    main()
