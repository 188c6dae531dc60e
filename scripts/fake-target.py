#!/usr/bin/env python3
"""A scrape target for tests: serves a recorded /metrics (a fixture) over HTTP or HTTPS,
with counters that advance with time, and faults that a test switches on.

Usage: fake-target.py --file FIXTURE[.gz] [--port N] [--tls CERT KEY] [--token-file F] [--timestamps STEP]
Prints "PORT <n>" on its first line once listening. Endpoints:
  GET /metrics            the scrape (gzip when asked); counters grow by 1 % a second
  GET /-/fault?mode=M     switch the next scrapes' fault: none, hang, reset, 500, truncated-gzip,
                          huge (a 64 MiB body), garbage
  GET /-/requests         how many /metrics requests came, and the last Authorization (hashed)
With --token-file, /metrics answers 401 unless "Authorization: Bearer <the file's content>"
(the file is read at every request, so a test rotates the token by rewriting it).
"""
import argparse
import gzip
import hashlib
import http.server
import re
import socket
import ssl
import sys
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--file", required=True)
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
parser.add_argument("--token-file")
parser.add_argument("--timestamps", type=float, metavar="STEP",
                    help="every sample carries an explicit timestamp, the time cut to a multiple of STEP seconds, "
                         "and counters advance with that timestamp: scrapers that scrape more often than STEP "
                         "store the same points, whenever each scrapes")
args = parser.parse_args()

raw = open(args.file, "rb").read()
if raw[:2] == b"\x1f\x8b":
    raw = gzip.decompress(raw)
LINES = raw.decode("utf-8", "replace").split("\n")
START = time.time()
state = {"fault": "none", "requests": 0, "auth": ""}
lock = threading.Lock()

COUNTERISH = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*(_total|_count|_sum|_bucket))(\{.*\})?\s+(\S+)(.*)$")


SAMPLE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+\S+\s*$")


def body():
    """The fixture with every counter-like sample scaled by how long the server has run (with
    --timestamps: by its timestamp's distance from the start, and every sample stamped)."""
    now = time.time()
    stamp = None
    if args.timestamps:
        step = args.timestamps
        now = (now // step) * step
        stamp = " %d" % round(now * 1000)
    factor = 1 + 0.01 * (now - START)
    out = []
    for line in LINES:
        m = COUNTERISH.match(line)
        if m and not line.startswith("#"):
            try:
                v = float(m.group(4))
                line = "%s%s %r%s" % (m.group(1), m.group(3) or "", v * factor, m.group(5))
            except ValueError:
                pass
        if stamp and SAMPLE.match(line):
            line = line.rstrip() + stamp
        out.append(line)
    return "\n".join(out).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path.startswith("/-/fault"):
            mode = self.path.split("mode=", 1)[1] if "mode=" in self.path else "none"
            with lock:
                state["fault"] = mode
            return self.reply(200, b"ok\n")
        if self.path.startswith("/-/requests"):
            with lock:
                text = "%d %s\n" % (state["requests"], state["auth"])
            return self.reply(200, text.encode())
        if not self.path.startswith("/metrics"):
            return self.reply(404, b"not found\n")
        auth = self.headers.get("Authorization", "")
        with lock:
            state["requests"] += 1
            state["auth"] = hashlib.sha256(auth.encode()).hexdigest()[:12] if auth else "-"
            fault = state["fault"]
        if args.token_file:
            expected = open(args.token_file).read().strip()
            if auth != "Bearer " + expected:
                return self.reply(401, b"unauthorized\n")
        if fault == "hang":
            time.sleep(30)
            return
        if fault == "500":
            return self.reply(500, b"internal error\n")
        if fault == "garbage":
            return self.reply(200, b"this is not { a scrape\n", "text/plain; version=0.0.4")
        data = body()
        gz = "gzip" in self.headers.get("Accept-Encoding", "")
        if fault == "huge":
            chunk = b"".join(b'huge_total{i="%d"} 1\n' % i for i in range(100000))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if gz or fault == "truncated-gzip":
            data = gzip.compress(data, 6)
            if fault == "truncated-gzip":
                data = data[: len(data) // 2]
        if fault == "reset":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            if gz:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 3])
            self.wfile.flush()
            # Cut the connection mid-body (a reset as the client sees it: fewer bytes than announced).
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.reply(200, data, "text/plain; version=0.0.4", "gzip" if (gz or fault == "truncated-gzip") else None)

    def reply(self, status, data, ctype="text/plain", encoding=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
server.daemon_threads = True
if args.tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.tls[0], args.tls[1])
    server.socket = context.wrap_socket(server.socket, server_side=True)
print("PORT %d" % server.server_address[1], flush=True)
server.serve_forever()
