#!/usr/bin/python3
"""botocore's SigV4Auth as a test oracle (Debian's python3-botocore): reads one JSON request per
line on stdin -- {"method", "url", "headers": [[name, value], ...], "body_hex", "access",
"secret", "token", "region", "service", "amz_date"} -- and prints, per line, the headers
botocore adds as JSON: {"Authorization": ..., "X-Amz-Date": ..., "X-Amz-Security-Token": ...}.
The signing time is the request's amz_date, not the clock: add_auth's steps, with the
timestamp given."""
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

for line in sys.stdin:
    r = json.loads(line)
    request = AWSRequest(method=r["method"], url=r["url"], data=bytes.fromhex(r["body_hex"]), headers=dict(r["headers"]))
    auth = SigV4Auth(Credentials(r["access"], r["secret"], r.get("token")), r["service"], r["region"])
    request.context["timestamp"] = r["amz_date"]
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    auth._inject_signature_to_request(request, signature)
    out = {k: request.headers[k] for k in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token") if k in request.headers}
    print(json.dumps(out), flush=True)
