#!/usr/bin/env python3
"""Differential tester of rule unit tests: generated test files through `promtool test rules`
(Prometheus 2.42) and `ctlmon rules test`, compared by exit status and output.

Each case is a folder of its own: one to three rule files (some in sub-folders, `.yaml` and
`.yml`), and a test file whose `rule_files` mixes exact names, globs with and without a
folder part, and patterns that match nothing. The rules are recording rules and alerts with
`for`, `keep_firing_for`, templated labels and annotations (`$labels`, `$value`,
`$externalLabels`, `humanize`); the tests have `external_labels`, several evaluation and
input intervals, and input series in every corner of the expanding notation (`_xN`,
`a+bxN`, `a-bxN`, `stale`, gaps, exponents, NaN and infinities), some malformed on purpose.
Most expectations are impossible, so that both tools print what they really got.

A case agrees when the exit statuses are equal, standard output is equal (blank lines
aside: promtool prints two after a failing file), and standard error is equal, except when
both tools refused the file itself (a load or parse error, worded by each in its own way):
then both must have refused it. Any other difference, and any crash of ctlmon, makes the
exit status 1.

Usage: difftest-rules.py [--seed N] [--count N] [--ctlmon PATH] [--promtool PATH]
                         [--keep DIR] [--show N] [--jobs N]
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

RULE_FILE_NAMES = ["alerts.yaml", "extra.yaml", "rec.yml", "rules/api.yaml", "rules/etcd.yml", "more/late.yaml"]
PATTERNS = ["*.yaml", "a*.yaml", "e*.yaml", "*.yml", "rules/*.yaml", "rules/*", "more/*.yaml", "*/*.yml",
            "alerts.yaml", "rec.yml", "rules/api.yaml", "nothing*.yaml", "missing.yaml", "[ar]*.y*ml", "?ec.yml"]
GOOD_VALUES = ["0+1x{n}", "10-1x{n}", "1x{n}", "_x2 1+1x{m}", "1 _ stale 2 3 _x3 4", "0+0.5x{n}", "1e2x{n}",
               "0 0 1 1 0 0 1 1 1 1 0", "5 stale 5 5", "NaN 1 NaN", "Inf -Inf 1x3", "_x0 1x{m}", "0+0x{n}",
               "1x0 2x0 3", "-2+1x{m}", "0.1+0.2x{m}", "1e-3x{m} _", "3x{n} _x{m}"]
BAD_VALUES = ["_x+3", "1+1x+3", "1x-1", "_x1.5", "_ x3", "x3", "1+1x", "_x", "abc", "1++1x2", "1x2x3", "1+-1x2"]
RERUNS = 8
THRESHOLDS = ["0", "0.5", "1", "2", "5", "10"]


def alert_rule(rng, name, records):
    metric = rng.choice(["m", "m", "m2"] + records)
    expr = rng.choice([
        f"{metric} > {rng.choice(THRESHOLDS)}",
        f"{metric} < {rng.choice(THRESHOLDS)}",
        f"rate({metric}[2m]) > {rng.choice(['0', '0.01', '0.1'])}",
        f"absent({metric}{{job=\"zz\"}})",
        f"sum by (job) ({metric}) >= {rng.choice(THRESHOLDS)}",
        f"{metric} == 1",
        f"max_over_time({metric}[3m]) > {rng.choice(THRESHOLDS)}",
    ])
    lines = [f"  - alert: {name}", f"    expr: '{expr}'"]
    if rng.random() < 0.7:
        lines.append(f"    for: {rng.choice(['0s', '30s', '1m', '2m', '3m'])}")
    if rng.random() < 0.4:
        lines.append(f"    keep_firing_for: {rng.choice(['30s', '1m', '2m'])}")
    labels = {"severity": rng.choice(["warning", "critical"])}
    if rng.random() < 0.5:
        labels["copy"] = "'{{ $labels.job }}'"
    if rng.random() < 0.3:
        labels["cluster_was"] = "'{{ $externalLabels.cluster }}'"
    lines.append("    labels: {" + ", ".join(f"{k}: {v}" for k, v in labels.items()) + "}")
    if rng.random() < 0.8:
        summary = rng.choice(["'value {{ $value }} of {{ $labels.job }}'", "'{{ humanize $value }} on {{ $labels.inst }}'",
                              "'{{ $labels.job }}/{{ $labels.inst }} in {{ $externalLabels.cluster }}'", "plain text"])
        lines.append("    annotations: {summary: " + summary + "}")
    return lines


def rule_file(rng, index, records_so_far):
    out = ["groups:"]
    names = []
    records = []
    for g in range(rng.randint(1, 2)):
        out.append(f"- name: g{index}_{g}")
        if rng.random() < 0.3:
            out.append(f"  interval: {rng.choice(['30s', '1m'])}")
        out.append("  rules:")
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.3:
                rec = f"job:m:{rng.choice(['sum', 'max', 'count'])}{index}{g}"
                agg = rec.split(":")[2].rstrip("0123456789")
                out += [f"  - record: {rec}", f"    expr: {agg} by (job) (m)"]
                if rng.random() < 0.3:
                    out.append("    labels: {recorded: 'yes'}")
                records.append(rec)
            else:
                name = rng.choice(["HighM", "LowM", "MAbsent", "MRising", "MFlat", "JobSum"]) + str(index)
                out += alert_rule(rng, name, records_so_far + records)
                names.append(name)
    return "\n".join(out) + "\n", names, records


def values_text(rng, bad):
    if bad:
        return rng.choice(BAD_VALUES)
    n, m = rng.randint(3, 12), rng.randint(1, 6)
    parts = [rng.choice(GOOD_VALUES).format(n=n, m=m) for _ in range(rng.randint(1, 2))]
    return " ".join(parts)


def make_case(rng, folder):
    """Writes one case's files into `folder`; returns the test file's name."""
    alerts, records = [], []
    chosen = rng.sample(RULE_FILE_NAMES, rng.randint(1, 3))
    for k, name in enumerate(chosen):
        text, names, recs = rule_file(rng, k, records)
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        alerts += names
        records += recs
    patterns = rng.sample(PATTERNS, rng.randint(1, 3))
    if rng.random() < 0.5:
        patterns.append(rng.choice(chosen))
    lines = ["rule_files: [" + ", ".join(f"'{p}'" for p in patterns) + "]"]
    eval_interval = rng.choice([None, "30s", "1m"])
    if eval_interval:
        lines.append(f"evaluation_interval: {eval_interval}")
    lines.append("tests:")
    bad = rng.random() < 0.1
    for _ in range(rng.randint(1, 2)):
        lines.append(f"- interval: {rng.choice(['30s', '1m', '1m'])}")
        if rng.random() < 0.4:
            lines.append("  external_labels: {cluster: c1, region: r}")
        lines.append("  input_series:")
        for s in range(rng.randint(1, 4)):
            metric = rng.choice(["m", "m", "m2"])
            lines.append(f"  - series: '{metric}{{job=\"j{s % 2}\", inst=\"i{s}\"}}'")
            lines.append(f"    values: '{values_text(rng, bad and s == 0)}'")
        tests = []
        for name in rng.sample(alerts, min(len(alerts), rng.randint(0, 3))) + (["NoSuchAlert"] if rng.random() < 0.1 else []):
            t = f"{rng.randint(0, 10)}m" if rng.random() < 0.8 else f"{rng.randint(0, 20) * 30}s"
            if rng.random() < 0.2:
                tests.append(f"  - {{eval_time: {t}, alertname: {name}, exp_alerts: []}}")
            else:
                tests.append(f"  - {{eval_time: {t}, alertname: {name}, exp_alerts: [{{exp_labels: {{difftest: impossible}}}}]}}")
        if tests:
            lines.append("  alert_rule_test:")
            lines += tests
        exprs = []
        for expr in rng.sample(["m", "sum(m)", "m2 > 1"] + records + ["ALERTS", "ALERTS_FOR_STATE"], rng.randint(0, 2)):
            exprs.append(f"  - expr: '{expr}'")
            exprs.append(f"    eval_time: {rng.randint(0, 8)}m")
            exprs.append("    exp_samples: [{labels: '{difftest=\"impossible\"}', value: 4242}]")
        if exprs:
            lines.append("  promql_expr_test:")
            lines += exprs
    with open(os.path.join(folder, "test.yml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return "test.yml"


def run(tool, folder):
    p = subprocess.run([*tool, "test.yml"], cwd=folder, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def refused(stderr):
    """Whether the tool refused the files themselves (not a failing assertion)."""
    return "got:" not in stderr and "FAILED" in stderr


def normalized(stderr):
    """Standard error with each input or load error replaced by a mark: the two tools word
    those their own way (promtool `1:15: parse error: …`, ctlmon `test.yml:6: group 0: …`)."""
    out = []
    for line in stderr.splitlines():
        if not line.strip():
            continue
        if "parse error" in line or re.search(r": group \d+: ", line) or "could not" in line:
            line = "<input error>"
        out.append(line)
    return out


def compare(a, b):
    (rc1, out1, err1), (rc2, out2, err2) = a, b
    if rc2 < 0 or rc2 >= 128 or "Program crashed" in err2 or "Fatal error" in err2:
        return "ctlmon crashed"
    if rc1 != rc2:
        return f"exit status: promtool {rc1}, ctlmon {rc2}"
    strip = lambda s: [line for line in s.splitlines() if line.strip()]
    if strip(out1) != strip(out2):
        return "standard output differs"
    if refused(err1) and refused(err2):
        warnings = lambda s: [line for line in s.splitlines() if "WARNING" in line]
        return None if warnings(err1) == warnings(err2) else "warnings differ"
    if normalized(err1) != normalized(err2):
        return "standard error differs"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--ctlmon", default=".build/debug/ctlmon")
    ap.add_argument("--promtool", default=shutil.which("promtool") or "promtool")
    ap.add_argument("--keep", help="keep the cases that disagree in this folder")
    ap.add_argument("--show", type=int, default=3, help="disagreements printed in full")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    ctlmon = [os.path.abspath(args.ctlmon), "rules", "test"]
    promtool = [args.promtool, "test", "rules"]
    root = tempfile.mkdtemp(prefix="difftest-rules-")
    started = time.time()
    cases = []
    for i in range(args.count):
        folder = os.path.join(root, f"case{i:05d}")
        os.makedirs(folder)
        make_case(random.Random(args.seed * 1_000_003 + i), folder)
        cases.append(folder)

    def one(folder):
        a, b = run(promtool, folder), run(ctlmon, folder)
        # promtool evaluates rule groups in Go's map order, so a rule reading another group's
        # recording can see it or not: ctlmon (file order) must give one of its answers.
        reruns = 0
        while compare(a, b) and reruns < RERUNS:
            again = run(promtool, folder)
            reruns += 1
            if again != a and not compare(again, b):
                return folder, again, b, True
        return folder, a, b, False

    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(one, cases))
    disagreements, passed, failed, refusedBoth = [], 0, 0, 0
    unstable = sum(1 for r in results if r[3])
    for folder, a, b, _ in results:
        why = compare(a, b)
        if why:
            disagreements.append((folder, why, a, b))
        elif a[0] == 0:
            passed += 1
        elif refused(a[2]):
            refusedBoth += 1
        else:
            failed += 1
    for folder, why, a, b in disagreements[: args.show]:
        print(f"--- {os.path.basename(folder)}: {why}")
        with open(os.path.join(folder, "test.yml")) as f:
            print(f.read())
        for label, (rc, out, err) in (("promtool", a), ("ctlmon", b)):
            print(f"{label}: exit {rc}\n{out}{err}")
    if args.keep and disagreements:
        os.makedirs(args.keep, exist_ok=True)
        for folder, _, _, _ in disagreements:
            shutil.copytree(folder, os.path.join(args.keep, os.path.basename(folder)), dirs_exist_ok=True)
    shutil.rmtree(root, ignore_errors=True)
    print(f"difftest-rules: seed {args.seed}, {args.count} test files, {time.time() - started:.1f} s")
    print(f"  agree: {args.count - len(disagreements)} of {args.count} (both pass {passed}, both fail the same tests {failed}, "
          f"both refuse the files {refusedBoth}; of them {unstable} matching one of promtool's group orders); "
          f"disagreements: {len(disagreements)}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
