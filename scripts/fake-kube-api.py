#!/usr/bin/env python3
"""A Kubernetes API for tests: serves the admission webhook configurations of a
`kubectl get … -o json` List (Tests/Fixtures/webhooks/eks-cluster.json) as the API server
lists them, one typed list per kind.

Usage: fake-kube-api.py --file LIST.json [--deny] [--token-file F] [--tls CERT KEY [--client-ca CA]]
                        [--metrics FILE] [--scheduler FILE] [--controller-manager FILE]
Prints "PORT <n>" once listening. GET /apis/admissionregistration.k8s.io/v1/{validating,mutating}webhookconfigurations,
and GET /api/v1/namespaces/default/endpoints/kubernetes (two API servers, as on EKS);
with --deny every request is 403 (a role without list), as the API server answers it; with
--token-file, a request without "Authorization: Bearer <the file's content>" is 401.
With --tls it speaks HTTPS; with --client-ca too, a client certificate that CA signed
authenticates as a token does (either one is enough). --metrics serves GET /metrics (a fixture,
gzip or not); --scheduler and --controller-manager serve EKS's ksh and kcm endpoints (404
without them, as a cluster that is not EKS answers). GET /-/requests: the paths asked so far.
"""
import argparse
import gzip
import http.server
import json
import ssl
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--file", required=True)
parser.add_argument("--deny", action="store_true")
parser.add_argument("--token-file")
parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
parser.add_argument("--client-ca")
parser.add_argument("--metrics")
parser.add_argument("--scheduler")
parser.add_argument("--controller-manager")
args = parser.parse_args()
asked = []


def text(path):
    raw = open(path, "rb").read()
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


scrapes = {}
if args.metrics:
    scrapes["/metrics"] = text(args.metrics)
if args.scheduler:
    scrapes["/apis/metrics.eks.amazonaws.com/v1/ksh/container/metrics"] = text(args.scheduler)
if args.controller_manager:
    scrapes["/apis/metrics.eks.amazonaws.com/v1/kcm/container/metrics"] = text(args.controller_manager)
items = json.load(open(args.file))["items"]
lists = {}
for kind in ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]:
    typed = [{k: v for k, v in i.items() if k not in ("apiVersion", "kind")} for i in items if i["kind"] == kind]
    lists["/apis/admissionregistration.k8s.io/v1/" + kind.lower() + "s"] = {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": kind + "List", "metadata": {"resourceVersion": "1"}, "items": typed}


lists["/api/v1/namespaces/default/endpoints/kubernetes"] = {
    "kind": "Endpoints", "apiVersion": "v1", "metadata": {"name": "kubernetes", "namespace": "default"},
    "subsets": [{"addresses": [{"ip": "10.0.12.208"}, {"ip": "10.0.3.35"}], "ports": [{"name": "https", "port": 443, "protocol": "TCP"}]}]}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/-/requests":
            data = json.dumps(asked).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        asked.append(self.path)
        token = open(args.token_file).read().strip() if args.token_file else None
        certified = args.client_ca is not None and bool(self.connection.getpeercert())
        if token is not None and not certified and self.headers.get("Authorization", "") != "Bearer " + token:
            code, body = 401, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Unauthorized", "code": 401}
        elif args.deny:
            code, body = 403, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403}
        elif self.path.split("?")[0] in scrapes:
            data = scrapes[self.path.split("?")[0]]
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        elif self.path in lists:
            code, body = 200, lists[self.path]
        else:
            code, body = 404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if args.tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.tls[0], args.tls[1])
    if args.client_ca:
        context.verify_mode = ssl.CERT_OPTIONAL
        context.load_verify_locations(args.client_ca)
    server.socket = context.wrap_socket(server.socket, server_side=True)
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
