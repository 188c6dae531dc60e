#!/usr/bin/env python3
"""Writes Tests/Fixtures/synthetic/apiserver-1.35-with-webhooks.txt.gz: SYNTHETIC.

No public kube-apiserver scrape contains admission webhook series (the clusters the
public dumps come from had no webhooks). This takes the real kube-apiserver 1.35 dump
(Tests/Fixtures/apiserver/nri-kubernetes-v1.35.txt.gz) and appends the three webhook
families with the metric names, labels, types and bucket bounds kube-apiserver uses,
for invented traffic to webhooks named as in Tests/Fixtures/webhooks/eks-cluster.json
(scripts/make-webhook-configs.py), so that `ctlmon webhooks --metrics` can join the two:

  mpod.vpc.k8s.aws                        fast (p99 under 25 ms; managed by EKS)
  validate.kyverno.svc-fail               slow (p99 about 2 s of its 10 s timeout)
  namespace.sidecar-injector.istio.io     very slow (p99 about 10 s, at its 10 s timeout)
                                          and failing calls (failurePolicy Fail): critical
  validation.gatekeeper.sh                failing open (failurePolicy Ignore)
  validate.nginx.ingress.kubernetes.io    called, but no configuration has it (removed)
"""
import gzip
import os

root = os.path.join(os.path.dirname(__file__), "..")
source = os.path.join(root, "Tests/Fixtures/apiserver/nri-kubernetes-v1.35.txt.gz")
target = os.path.join(root, "Tests/Fixtures/synthetic/apiserver-1.35-with-webhooks.txt.gz")
bounds = ["0.005", "0.025", "0.1", "0.5", "1", "2.5", "10", "25", "+Inf"]

# name -> (type, operation, cumulative counts per bound, sum)
webhooks = {
    "mpod.vpc.k8s.aws": ("admit", "CREATE", [1200, 4950, 5000, 5000, 5000, 5000, 5000, 5000, 5000], 61.2),
    "validate.kyverno.svc-fail": ("validating", "UPDATE", [0, 10, 400, 1500, 1800, 1985, 2000, 2000, 2000], 1905.5),
    "namespace.sidecar-injector.istio.io": ("admit", "CREATE", [0, 0, 100, 250, 300, 400, 1000, 1000, 1000], 3950.0),
    "validation.gatekeeper.sh": ("validating", "CREATE", [50, 700, 800, 800, 800, 800, 800, 800, 800], 12.8),
    "validate.nginx.ingress.kubernetes.io": ("validating", "CREATE", [0, 30, 40, 40, 40, 40, 40, 40, 40], 1.1),
}
lines = [
    "# HELP apiserver_admission_webhook_admission_duration_seconds [STABLE] Admission webhook latency histogram in seconds, identified by name and broken out for each operation and API resource and type (validate or admit).",
    "# TYPE apiserver_admission_webhook_admission_duration_seconds histogram",
]
for name, (kind, op, counts, total) in webhooks.items():
    labels = f'name="{name}",operation="{op}",rejected="false",type="{kind}"'
    for le, c in zip(bounds, counts):
        lines.append(f'apiserver_admission_webhook_admission_duration_seconds_bucket{{{labels},le="{le}"}} {c}')
    lines.append(f"apiserver_admission_webhook_admission_duration_seconds_sum{{{labels}}} {total}")
    lines.append(f"apiserver_admission_webhook_admission_duration_seconds_count{{{labels}}} {counts[-1]}")
lines += [
    "# HELP apiserver_admission_webhook_fail_open_count [ALPHA] Admission webhook fail open count, identified by name and broken out for each admission type (validating or admit).",
    "# TYPE apiserver_admission_webhook_fail_open_count counter",
    'apiserver_admission_webhook_fail_open_count{name="validation.gatekeeper.sh",type="validating"} 37',
    "# HELP apiserver_admission_webhook_rejection_count [ALPHA] Admission webhook rejection count, identified by name and broken out for each admission type (validating or admit) and operation. Additional labels specify an error type (calling_webhook_error or apiserver_internal_error if an error occurred; no_error otherwise) and optionally a non-zero rejection code if the webhook rejects the request with an HTTP status code (honored by the apiserver when the code is greater or equal to 400). Codes greater than 600 are truncated to 600, to keep the metrics cardinality bounded.",
    "# TYPE apiserver_admission_webhook_rejection_count counter",
    'apiserver_admission_webhook_rejection_count{error_type="calling_webhook_error",name="namespace.sidecar-injector.istio.io",operation="CREATE",rejection_code="0",type="admit"} 42',
    'apiserver_admission_webhook_rejection_count{error_type="no_error",name="validate.kyverno.svc-fail",operation="UPDATE",rejection_code="400",type="validating"} 17',
]
real = gzip.open(source, "rt").read()
os.makedirs(os.path.dirname(target), exist_ok=True)
with gzip.GzipFile(target, "wb", mtime=0) as f:
    f.write(("# SYNTHETIC: kube-apiserver 1.35 (nri-kubernetes) + invented admission webhook series, by scripts/make-webhook-fixture.py\n"
             + real + "\n".join(lines) + "\n").encode())
print(target)
