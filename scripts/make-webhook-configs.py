#!/usr/bin/env python3
"""Writes Tests/Fixtures/webhooks/eks-cluster.json: what
`kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations -o json` prints
for an EKS cluster running the admission webhooks of popular projects, as those projects
ship them (see Tests/Fixtures/NOTICE for sources and versions):

  OPA Gatekeeper v3.21 (deploy/gatekeeper.yaml)
  Kyverno 1.10 (the webhooks its controller registers for a policy on pods; kyverno excluded)
  cert-manager v1.14 Helm chart defaults (timeoutSeconds 30)
  Istio 1.20 istiod sidecar injector (revision "default")
  AWS Load Balancer Controller v2.7 Helm chart
  the EKS VPC resource controller (managed by EKS; config/webhook/manifests.yaml, EKS's names)
  the EKS Pod Identity webhook (managed by EKS)

Server-set fields (uid, resourceVersion, creationTimestamp, caBundle) are filled in as the
API server would; the caBundle is a short placeholder. Names of the webhooks match the
synthetic webhook scrape (scripts/make-webhook-fixture.py).
"""
import json
import os

root = os.path.join(os.path.dirname(__file__), "..")
target = os.path.join(root, "Tests/Fixtures/webhooks/eks-cluster.json")
CA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkekNDQVIyZ0F3SUJBZ0lCQURBS0JnZ3Foa2pPUFFRREFqQWpNU0V3SHdZRFZRUUREQmhyTTNNdApjMlZ5ZG1WeUxXTmhRREUzTURBd01EQXdNREFLCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K"
serial = [1000]


def meta(name, labels=None, annotations=None):
    serial[0] += 1
    m = {"creationTimestamp": "2026-06-01T10:%02d:00Z" % (serial[0] % 60), "generation": 1, "name": name,
         "resourceVersion": str(48213000 + serial[0]), "uid": "7f3c%04x-51b2-4c6e-9d1a-2b8e4f0a%04x" % (serial[0], serial[0])}
    if labels:
        m["labels"] = labels
    if annotations:
        m["annotations"] = annotations
    return m


def svc(namespace, name, path, port=443):
    return {"caBundle": CA, "service": {"name": name, "namespace": namespace, "path": path, "port": port}}


def rule(groups, versions, operations, resources, scope="*"):
    return {"apiGroups": groups, "apiVersions": versions, "operations": operations, "resources": resources, "scope": scope}


def hook(name, client, rules, failure="Fail", timeout=10, ns=None, obj=None, match="Equivalent", side="None", mutating=False,
         reinvocation="Never"):
    h = {"admissionReviewVersions": ["v1"], "clientConfig": client, "failurePolicy": failure, "matchPolicy": match, "name": name,
         "namespaceSelector": ns or {}, "objectSelector": obj or {}, "rules": rules, "sideEffects": side, "timeoutSeconds": timeout}
    if mutating:
        h["reinvocationPolicy"] = reinvocation
    return h


def config(kind, name, hooks, labels=None, annotations=None):
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind, "metadata": meta(name, labels, annotations), "webhooks": hooks}


V, M = "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"
gk_ns = {"matchExpressions": [{"key": "admission.gatekeeper.sh/ignore", "operator": "DoesNotExist"},
                              {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["gatekeeper-system"]}]}
gk_sub = ["*", "pods/ephemeralcontainers", "pods/exec", "pods/log", "pods/eviction", "pods/portforward", "pods/proxy",
          "pods/attach", "pods/binding", "pods/resize", "deployments/scale", "replicasets/scale", "statefulsets/scale",
          "replicationcontrollers/scale", "services/proxy", "nodes/proxy", "services/status"]
kyverno_ns = {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kyverno"]}]}
cm_ns = {"matchExpressions": [{"key": "cert-manager.io/disable-validation", "operator": "NotIn", "values": ["true"]}]}
cm_rules = [rule(["cert-manager.io", "acme.cert-manager.io"], ["v1"], ["CREATE", "UPDATE"], ["*/*"])]
istio_client = svc("istio-system", "istiod", "/inject")
lbc_client = lambda path: svc("kube-system", "aws-load-balancer-webhook-service", path)
vpc_client = lambda path: svc("kube-system", "vpc-resource-controller-webhook", path)  # served from the EKS control plane

items = [
    config(V, "aws-load-balancer-webhook", [
        hook("vingress.elbv2.k8s.aws", lbc_client("/validate-networking-v1-ingress"),
             [rule(["networking.k8s.io"], ["v1"], ["CREATE", "UPDATE"], ["ingresses"])]),
        hook("vtargetgroupbinding.elbv2.k8s.aws", lbc_client("/validate-elbv2-k8s-aws-v1beta1-targetgroupbinding"),
             [rule(["elbv2.k8s.aws"], ["v1beta1"], ["CREATE", "UPDATE"], ["targetgroupbindings"])]),
    ], labels={"app.kubernetes.io/instance": "aws-load-balancer-controller", "app.kubernetes.io/name": "aws-load-balancer-controller"}),
    config(V, "cert-manager-webhook", [
        hook("webhook.cert-manager.io", svc("cert-manager", "cert-manager-webhook", "/validate"), cm_rules, timeout=30, ns=cm_ns),
    ], labels={"app.kubernetes.io/instance": "cert-manager", "app.kubernetes.io/name": "webhook"},
        annotations={"cert-manager.io/inject-ca-from-secret": "cert-manager/cert-manager-webhook-ca"}),
    config(V, "gatekeeper-validating-webhook-configuration", [
        hook("validation.gatekeeper.sh", svc("gatekeeper-system", "gatekeeper-webhook-service", "/v1/admit"),
             [rule(["*"], ["*"], ["CREATE", "UPDATE"], gk_sub)], failure="Ignore", timeout=3, ns=gk_ns, match="Exact"),
        hook("check-ignore-label.gatekeeper.sh", svc("gatekeeper-system", "gatekeeper-webhook-service", "/v1/admitlabel"),
             [rule([""], ["*"], ["CREATE", "UPDATE"], ["namespaces"])], timeout=3, match="Exact",
             ns={"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["gatekeeper-system"]}]}),
    ], labels={"gatekeeper.sh/system": "yes"}),
    config(V, "kyverno-resource-validating-webhook-cfg", [
        hook("validate.kyverno.svc-fail", svc("kyverno", "kyverno-svc", "/validate/fail"),
             [rule([""], ["v1"], ["CREATE", "UPDATE", "DELETE", "CONNECT"], ["pods", "pods/ephemeralcontainers"], scope="Namespaced")],
             ns=kyverno_ns, side="NoneOnDryRun"),
        hook("validate.kyverno.svc-ignore", svc("kyverno", "kyverno-svc", "/validate/ignore"),
             [rule(["apps"], ["v1"], ["CREATE", "UPDATE"], ["deployments"], scope="Namespaced")],
             failure="Ignore", ns=kyverno_ns, side="NoneOnDryRun"),
    ], labels={"webhook.kyverno.io/managed-by": "kyverno"}),
    config(V, "vpc-resource-validating-webhook", [
        hook("vnode.vpc.k8s.aws", vpc_client("/validate-v1-node"), [rule([""], ["v1"], ["UPDATE"], ["nodes"])], failure="Ignore"),
        hook("vpod.vpc.k8s.aws", vpc_client("/validate-v1-pod"), [rule([""], ["v1"], ["CREATE", "UPDATE"], ["pods"])], failure="Ignore"),
    ], labels={"eks.amazonaws.com/component": "vpc-resource-controller"}),
    config(M, "aws-load-balancer-webhook", [
        hook("mpod.elbv2.k8s.aws", lbc_client("/mutate-v1-pod"), [rule([""], ["v1"], ["CREATE"], ["pods"])],
             ns={"matchExpressions": [{"key": "elbv2.k8s.aws/pod-readiness-gate-inject", "operator": "In", "values": ["enabled"]}]},
             obj={"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["aws-load-balancer-controller"]}]},
             mutating=True),
        hook("mservice.elbv2.k8s.aws", lbc_client("/mutate-v1-service"), [rule([""], ["v1"], ["CREATE"], ["services"])],
             obj={"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["aws-load-balancer-controller"]}]},
             mutating=True),
        hook("mtargetgroupbinding.elbv2.k8s.aws", lbc_client("/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding"),
             [rule(["elbv2.k8s.aws"], ["v1beta1"], ["CREATE", "UPDATE"], ["targetgroupbindings"])], mutating=True),
    ], labels={"app.kubernetes.io/instance": "aws-load-balancer-controller", "app.kubernetes.io/name": "aws-load-balancer-controller"}),
    config(M, "cert-manager-webhook", [
        hook("webhook.cert-manager.io", svc("cert-manager", "cert-manager-webhook", "/mutate"),
             [rule(["cert-manager.io"], ["v1"], ["CREATE"], ["certificaterequests"])], timeout=30, mutating=True),
    ], labels={"app.kubernetes.io/instance": "cert-manager", "app.kubernetes.io/name": "webhook"},
        annotations={"cert-manager.io/inject-ca-from-secret": "cert-manager/cert-manager-webhook-ca"}),
    config(M, "gatekeeper-mutating-webhook-configuration", [
        hook("mutation.gatekeeper.sh", svc("gatekeeper-system", "gatekeeper-webhook-service", "/v1/mutate"),
             [rule(["*"], ["*"], ["CREATE", "UPDATE"], ["*"])], failure="Ignore", timeout=1, ns=gk_ns, match="Exact", mutating=True),
    ], labels={"gatekeeper.sh/system": "yes"}),
    config(M, "istio-sidecar-injector", [
        hook("namespace.sidecar-injector.istio.io", istio_client, [rule([""], ["v1"], ["CREATE"], ["pods"])],
             ns={"matchExpressions": [{"key": "istio-injection", "operator": "In", "values": ["enabled"]}]},
             obj={"matchExpressions": [{"key": "sidecar.istio.io/inject", "operator": "NotIn", "values": ["false"]}]},
             mutating=True),
        hook("object.sidecar-injector.istio.io", istio_client, [rule([""], ["v1"], ["CREATE"], ["pods"])],
             ns={"matchExpressions": [{"key": "istio-injection", "operator": "DoesNotExist"},
                                      {"key": "istio.io/rev", "operator": "DoesNotExist"}]},
             obj={"matchExpressions": [{"key": "sidecar.istio.io/inject", "operator": "In", "values": ["true"]},
                                       {"key": "istio.io/rev", "operator": "DoesNotExist"}]},
             mutating=True),
    ], labels={"app": "sidecar-injector", "istio.io/rev": "default", "release": "istio"}),
    config(M, "pod-identity-webhook", [
        hook("iam-for-pods.amazonaws.com", {"caBundle": CA, "url": "https://127.0.0.1:23443/mutate"},
             [rule([""], ["v1"], ["CREATE"], ["pods"])], failure="Ignore", timeout=10, mutating=True),
    ]),
    config(M, "vpc-resource-mutating-webhook", [
        hook("mpod.vpc.k8s.aws", vpc_client("/mutate-v1-pod"), [rule([""], ["v1"], ["CREATE"], ["pods"])], failure="Ignore",
             mutating=True),
    ], labels={"eks.amazonaws.com/component": "vpc-resource-controller"}),
]
doc = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
os.makedirs(os.path.dirname(target), exist_ok=True)
with open(target, "w") as f:
    json.dump(doc, f, indent=4)
    f.write("\n")
print(target)
