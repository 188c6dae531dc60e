#!/usr/bin/env python3
"""Stand-ins for AWS's credential endpoints, on 127.0.0.1, for the sigv4 tests:
  GET  /pod-identity  EKS Pod Identity's agent: needs `Authorization: <--pod-token>`; answers JSON
                      credentials (AccessKeyId ASIAPOD<n>) that expire --ttl seconds after --now (the clock by default).
  POST /sts           STS: Action=AssumeRoleWithWebIdentity needs WebIdentityToken=<--web-token>
                      (ASIAIRSA<n>); Action=AssumeRole needs a SigV4 Authorization for the service
                      sts (ASIAROLE<n>). XML answers, as STS gives them.
  GET  /counts        how many credentials each has handed out, as JSON.
Prints `PORT <n>` once listening."""
import argparse
import datetime
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {"pod": 0, "irsa": 0, "role": 0}
lock = threading.Lock()


def expiry(args):
    """--now (Unix seconds, pinned by the tests) or the clock, plus --ttl, in RFC 3339."""
    now = datetime.datetime.fromtimestamp(args.now, datetime.timezone.utc) if args.now is not None else datetime.datetime.now(datetime.timezone.utc)
    return (now + datetime.timedelta(seconds=args.ttl)).strftime("%Y-%m-%dT%H:%M:%SZ")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, kind="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/counts":
            with lock:
                return self.answer(200, json.dumps(counts))
        if self.path == "/pod-identity":
            if self.headers.get("Authorization") != self.server.args.pod_token:
                return self.answer(401, '{"message": "bad token"}')
            with lock:
                counts["pod"] += 1
                n = counts["pod"]
            return self.answer(200, json.dumps({
                "AccessKeyId": "ASIAPOD%d" % n, "SecretAccessKey": "pod-secret-%d" % n, "Token": "pod-token-%d" % n,
                "AccountId": "111122223333", "Expiration": expiry(self.server.args)}))
        self.answer(404, "{}")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        action = form.get("Action", [""])[0]
        if self.path != "/sts":
            return self.answer(404, "{}")
        if action == "AssumeRoleWithWebIdentity":
            if form.get("WebIdentityToken", [""])[0] != self.server.args.web_token or not form.get("RoleArn"):
                return self.answer(403, "<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>", "text/xml")
            kind, prefix = "irsa", "ASIAIRSA"
        elif action == "AssumeRole":
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("AWS4-HMAC-SHA256 Credential=") or "/sts/aws4_request" not in auth:
                return self.answer(403, "<ErrorResponse><Error><Code>MissingAuthenticationToken</Code></Error></ErrorResponse>", "text/xml")
            kind, prefix = "role", "ASIAROLE"
        else:
            return self.answer(400, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>", "text/xml")
        with lock:
            counts[kind] += 1
            n = counts[kind]
        self.answer(200, (
            "<%sResponse><%sResult><Credentials><AccessKeyId>%s%d</AccessKeyId><SecretAccessKey>%s-secret-%d</SecretAccessKey>"
            "<SessionToken>%s-token-%d</SessionToken><Expiration>%s</Expiration></Credentials></%sResult></%sResponse>")
            % (action, action, prefix, n, kind, n, kind, n, expiry(self.server.args), action, action), "text/xml")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pod-token", default="pod-identity-token")
    p.add_argument("--web-token", default="web-identity-token")
    p.add_argument("--ttl", type=int, default=3600)
    p.add_argument("--now", type=int, default=None, help="the time credentials are issued at (Unix seconds); default: the clock")
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.args = args
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
