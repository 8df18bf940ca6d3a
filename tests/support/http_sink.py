#!/usr/bin/python3
"""HTTP sink for end-to-end tests: an SMS provider speaking Twilio's Messages API.

usage: http_sink.py OUT_FILE [ANSWERS_JSON]

Listens on a free loopback port and prints it on the first line of stdout. Every POST is
appended to OUT_FILE as one JSON line: path, authorization, content_type and the form
fields. ANSWERS_JSON maps a "To" number to the HTTP statuses it gets in turn, the last one
repeating: {"+15550000001": [503, 201], "+15550000002": [400]}; others get 201.
"""
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OUT = open(sys.argv[1], "a", encoding="utf-8")
ANSWERS = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
LOCK = threading.Lock()
COUNT = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
        with LOCK:
            codes = ANSWERS.get(form.get("To"))
            status = 201
            if codes:
                status = codes.pop(0) if len(codes) > 1 else codes[0]
            if status == 201:
                COUNT[0] += 1
                OUT.write(json.dumps({
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "content_type": self.headers.get("Content-Type"),
                    "form": form,
                }) + "\n")
                OUT.flush()
            sid = f"SM{COUNT[0]:032d}"
        answer = json.dumps({"sid": sid, "status": "queued"} if status == 201
                            else {"code": status, "message": "test answer"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
