#!/usr/bin/env python3
"""A recording HTTP sink for observing what tracking SDKs put on the wire.

    python3 tests/sdk/record_sink.py OUT.jsonl [--fail N] [--fail-status 500]
                                               [--retry-after SECONDS]

Listens on 127.0.0.1 on a free port and prints that port as the first line of
stdout. Every request is answered 200 {"success":true}, except the first N
(--fail), which get --fail-status (default 500) with {"success":false}; with
--retry-after those failures also carry a Retry-After header.

Each request is appended to OUT.jsonl as one JSON line:
    {"seq", "time", "method", "path", "headers", "status", "raw_length",
     "gzip", "body"}
where "body" is the request body gunzipped when Content-Encoding is gzip and
then parsed as JSON ("body_text" holds it instead when it is not JSON).
Standard library only. Stops on SIGTERM / SIGINT.
"""

import argparse
import gzip
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="JSON-lines file that each request is appended to")
    ap.add_argument("--fail", type=int, default=0, metavar="N",
                    help="answer the first N requests with --fail-status")
    ap.add_argument("--fail-status", type=int, default=500, metavar="CODE",
                    help="status for the failed requests (default 500; e.g. 429)")
    ap.add_argument("--retry-after", type=int, default=None, metavar="SECONDS",
                    help="send Retry-After: SECONDS with the failed requests")
    args = ap.parse_args()

    lock = threading.Lock()
    state = {"seq": 0}
    out = open(args.out, "a", encoding="utf-8")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):  # keep stderr quiet
            pass

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length > 0 else b""
            encoding = (self.headers.get("Content-Encoding") or "").lower()
            record = {}
            data = raw
            if encoding == "gzip" and raw:
                try:
                    data = gzip.decompress(raw)
                except OSError as e:
                    record["gzip_error"] = str(e)
            text = data.decode("utf-8", errors="replace")
            with lock:
                state["seq"] += 1
                seq = state["seq"]
                failing = seq <= args.fail
                status = args.fail_status if failing else 200
                record.update({
                    "seq": seq,
                    "time": time.time(),
                    "method": self.command,
                    "path": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "status": status,
                    "raw_length": len(raw),
                    "gzip": encoding == "gzip",
                })
                if text:
                    try:
                        record["body"] = json.loads(text)
                    except ValueError:
                        record["body_text"] = text
                out.write(json.dumps(record, sort_keys=True) + "\n")
                out.flush()
            reply = json.dumps({"success": not failing}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            if failing and args.retry_after is not None:
                self.send_header("Retry-After", str(args.retry_after))
            self.end_headers()
            self.wfile.write(reply)

        do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
