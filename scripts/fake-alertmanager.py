#!/usr/bin/env python3
"""An Alertmanager stand-in for tests: records every POST to /api/v2/alerts.

Usage: fake-alertmanager.py [--port N]   (prints "PORT <n>" once listening)
  POST /api/v2/alerts   recorded (415 unless Content-Type is application/json, as Alertmanager;
                        answers 500, or the status set, while failing is switched on;
                        every POST, failed or not, is counted)
  GET  /-/posts         every recorded POST as JSON: [{"time": unix seconds, "alerts": [...]}, ...]
  GET  /-/attempts      how many POSTs came, failed ones included
  GET  /-/fail?on=1|0[&status=N]   switch failing on (with status N, default 500) or off
  GET  /-/ready         200
"""
import argparse
import http.server
import json
import re
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()
posts = []
state = {"fail": False, "status": 500, "attempts": 0}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path != "/api/v2/alerts":
            return self.reply(404, "{}")
        # As Alertmanager's API: JSON only.
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            return self.reply(415, "{}")
        with lock:
            state["attempts"] += 1
            failing = state["fail"]
            status = state["status"]
            if not failing:
                posts.append({"time": time.time(), "alerts": json.loads(body)})
        self.reply(status if failing else 200, "{}")

    def do_GET(self):
        if self.path.startswith("/-/posts"):
            with lock:
                return self.reply(200, json.dumps(posts))
        if self.path.startswith("/-/attempts"):
            with lock:
                return self.reply(200, str(state["attempts"]), "text/plain")
        if self.path.startswith("/-/fail"):
            with lock:
                state["fail"] = "on=1" in self.path
                m = re.search(r"status=(\d+)", self.path)
                state["status"] = int(m.group(1)) if m else 500
            return self.reply(200, "{}")
        if self.path.startswith("/-/ready"):
            return self.reply(200, "ok", "text/plain")
        self.reply(404, "{}")


server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
server.daemon_threads = True
print("PORT %d" % server.server_address[1], flush=True)
server.serve_forever()
