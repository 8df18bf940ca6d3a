#!/usr/bin/env python3
"""A proxy in front of cdp that loses answers, so that the SDKs retry what was stored.

    /usr/bin/python3 tests/sdk/lossy_proxy.py UPSTREAM_PORT [--lose N]

Listens on 127.0.0.1 on a free port and prints that port as the first line of stdout.
Every request is forwarded to 127.0.0.1:UPSTREAM_PORT as it came (headers and body
bytes); for the first N (--lose, default 1) requests, cdp's answer is thrown away and the
SDK gets 503 instead, as if the answer had been lost on the way back. The number of
requests forwarded so far is printed on stderr after each. Standard library only.
"""

import argparse
import http.client
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("upstream", type=int)
    ap.add_argument("--lose", type=int, default=1)
    args = ap.parse_args()
    lock = threading.Lock()
    state = {"seen": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            conn = http.client.HTTPConnection("127.0.0.1", args.upstream, timeout=30)
            conn.request("POST", self.path, body=body, headers=headers)
            answer = conn.getresponse()
            payload = answer.read()
            conn.close()
            with lock:
                state["seen"] += 1
                lose = state["seen"] <= args.lose
                print(f"forwarded {state['seen']}", file=sys.stderr, flush=True)
            status, payload = (503, b'{"lost":true}') if lose else (answer.status, payload)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
