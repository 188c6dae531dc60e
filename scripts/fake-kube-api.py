#!/usr/bin/env python3
"""A Kubernetes API for tests: serves the admission webhook configurations of a
`kubectl get … -o json` List (Tests/Fixtures/webhooks/eks-cluster.json) as the API server
lists them, one typed list per kind.

Usage: fake-kube-api.py --file LIST.json [--deny] [--token-file F]
Prints "PORT <n>" once listening. GET /apis/admissionregistration.k8s.io/v1/{validating,mutating}webhookconfigurations,
and GET /api/v1/namespaces/default/endpoints/kubernetes (two API servers, as on EKS);
with --deny every request is 403 (a role without list), as the API server answers it; with
--token-file, a request without "Authorization: Bearer <the file's content>" is 401.
"""
import argparse
import http.server
import json
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--file", required=True)
parser.add_argument("--deny", action="store_true")
parser.add_argument("--token-file")
args = parser.parse_args()
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
        token = open(args.token_file).read().strip() if args.token_file else None
        if token is not None and self.headers.get("Authorization", "") != "Bearer " + token:
            code, body = 401, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Unauthorized", "code": 401}
        elif args.deny:
            code, body = 403, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403}
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
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
