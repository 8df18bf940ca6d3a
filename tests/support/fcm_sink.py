#!/usr/bin/python3
"""FCM sink for tests: Google's OAuth token endpoint and Firebase Cloud Messaging's HTTP v1
send endpoint, over HTTP/1.1.

usage: fcm_sink.py OUT_FILE ANSWERS_JSON

Listens on a free loopback port and prints it on the first line of stdout.

POST /token takes the service-account flow's form (grant_type=urn:ietf:params:oauth:
grant-type:jwt-bearer, assertion=<JWT>). The assertion must be an RS256 JWT that verifies with
"public_key", whose iss is "client_email", scope is FCM's, aud is this endpoint's URL
(http://<Host>/token), iat is not in the future and exp is after now, at most an hour after
iat. It is answered {"access_token": <random>, "expires_in": ..., "token_type": "Bearer"}, or
400 {"error": "invalid_grant", "error_description": <why>}.

POST /v1/projects/<project_id>/messages:send must carry "Authorization: Bearer <a token this
sink issued, not expired nor revoked>" (else 401 UNAUTHENTICATED) and a JSON body; a wrong
project is answered 403 PERMISSION_DENIED. Accepted messages get 200 {"name":
"projects/<project_id>/messages/<n>"}; errors are in FCM's form {"error": {"code", "message",
"status", "details": [{"@type": ...FcmError, "errorCode"}]}}.

ANSWERS_JSON, every key optional:
  public_key      PEM of the service account's public key (required to issue tokens)
  client_email    the expected iss
  project_id      the expected project (default "test-project")
  expires_in      the lifetime of issued tokens in seconds (default 3600)
  token_answers   statuses the token endpoint answers in turn, the last repeating (default
                  [200]); 200 still requires a valid assertion, others answer
                  {"error": "invalid_grant"} (4xx) or {"error": "internal_failure"} (5xx)
  token_delay_ms  how long the token endpoint waits before answering (default 0)
  revoke          how many sends, counted from the first, find their token revoked: they are
                  answered 401 and the token stays refused (default 0)
  answers         {"<device token>": [answer, ...]} answered in turn, the last repeating;
                  an answer is a status (200, 400, 404, 429, 503, ...) or
                  {"status": 400, "errorCode": "UNREGISTERED"}; others get 200
  unregistered    ["<device token>", ...] always answered 404 NOT_FOUND / UNREGISTERED

Records, one JSON line each in OUT_FILE:
  {"kind": "token", "ok", "status", "error" (when refused), "grant_type", "header",
   "claims"}
  {"kind": "message", "path", "authorization_ok", "content_type", "status",
   "message" (the parsed body)}
"""
import base64
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

OUT = open(sys.argv[1], "a", encoding="utf-8")
ANSWERS = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
PUBLIC_KEY = (serialization.load_pem_public_key(ANSWERS["public_key"].encode())
              if "public_key" in ANSWERS else None)
PROJECT = ANSWERS.get("project_id", "test-project")
SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
                503: "UNAVAILABLE"}
ERROR_CODES = {400: "INVALID_ARGUMENT", 403: "SENDER_ID_MISMATCH", 404: "UNREGISTERED",
               429: "QUOTA_EXCEEDED", 500: "INTERNAL", 503: "UNAVAILABLE"}
LOCK = threading.Lock()
TOKENS = {}  # access token -> expiry (epoch seconds)
REVOKED = set()
STATE = {"sends": 0, "messages": 0, "revoke": int(ANSWERS.get("revoke", 0))}
TOKEN_ANSWERS = list(ANSWERS.get("token_answers", [200]))
PER_TOKEN = {k: list(v) for k, v in ANSWERS.get("answers", {}).items()}


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def next_answer(queue):
    return queue.pop(0) if len(queue) > 1 else queue[0]


def record(entry):
    with LOCK:
        OUT.write(json.dumps(entry) + "\n")
        OUT.flush()


def check_assertion(assertion, audience):
    """Returns (header, claims, error)."""
    try:
        head, body, sig = assertion.split(".")
        header = json.loads(b64url_decode(head))
        claims = json.loads(b64url_decode(body))
    except Exception as e:  # noqa: BLE001 - any malformed assertion is refused alike
        return None, None, f"malformed assertion: {e}"
    if PUBLIC_KEY is None:
        return header, claims, "the sink has no public_key"
    if header.get("alg") != "RS256" or header.get("typ") != "JWT":
        return header, claims, "header must be {alg: RS256, typ: JWT}"
    try:
        PUBLIC_KEY.verify(b64url_decode(sig), f"{head}.{body}".encode(), padding.PKCS1v15(),
                          hashes.SHA256())
    except InvalidSignature:
        return header, claims, "bad signature"
    now = time.time()
    if "client_email" in ANSWERS and claims.get("iss") != ANSWERS["client_email"]:
        return header, claims, "wrong iss"
    if claims.get("scope") != SCOPE:
        return header, claims, "wrong scope"
    if claims.get("aud") != audience:
        return header, claims, f"aud must be {audience}"
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int):
        return header, claims, "iat and exp must be integers"
    if iat > now + 60 or exp <= now or exp - iat > 3600:
        return header, claims, "iat/exp out of range"
    return header, claims, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, doc):
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        if self.path == "/token":
            self.token(body)
        else:
            self.send(body)

    def token(self, body):
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
        header, claims, error = check_assertion(form.get("assertion", ""),
                                                f"http://{self.headers.get('Host')}/token")
        if form.get("grant_type") != GRANT:
            error = error or "wrong grant_type"
        with LOCK:
            status = next_answer(TOKEN_ANSWERS)
        time.sleep(ANSWERS.get("token_delay_ms", 0) / 1000)
        if status != 200:
            error = error or "refused as told"
        elif error:
            status = 400
        entry = {"kind": "token", "ok": error is None, "status": status,
                 "grant_type": form.get("grant_type"), "header": header, "claims": claims}
        if error:
            entry["error"] = error
            record(entry)
            kind = "internal_failure" if status >= 500 else "invalid_grant"
            return self.answer(status, {"error": kind, "error_description": error})
        token = "ya29." + secrets.token_urlsafe(24)
        lifetime = int(ANSWERS.get("expires_in", 3600))
        with LOCK:
            TOKENS[token] = time.time() + lifetime
        record(entry)
        self.answer(200, {"access_token": token, "expires_in": lifetime, "token_type": "Bearer"})

    def send(self, body):
        auth = self.headers.get("Authorization", "")
        bearer = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
        try:
            message = json.loads(body)
        except ValueError:
            message = None
        with LOCK:
            STATE["sends"] += 1
            if STATE["sends"] <= STATE["revoke"] and bearer in TOKENS:
                REVOKED.add(bearer)
            auth_ok = (bearer in TOKENS and bearer not in REVOKED
                       and TOKENS[bearer] > time.time())
        device = ((message or {}).get("message") or {}).get("token")
        if not auth_ok:
            status, code = 401, None
        elif self.path != f"/v1/projects/{PROJECT}/messages:send":
            status, code = 403, None
        elif message is None or not device:
            status, code = 400, "INVALID_ARGUMENT"
        elif device in ANSWERS.get("unregistered", []):
            status, code = 404, "UNREGISTERED"
        else:
            with LOCK:
                queue = PER_TOKEN.get(device)
                planned = next_answer(queue) if queue else 200
            if isinstance(planned, dict):
                status, code = planned["status"], planned.get("errorCode")
            else:
                status, code = planned, ERROR_CODES.get(planned)
        record({"kind": "message", "path": self.path, "authorization_ok": auth_ok,
                "content_type": self.headers.get("Content-Type"), "status": status,
                "message": message})
        if status == 200:
            with LOCK:
                STATE["messages"] += 1
                n = STATE["messages"]
            return self.answer(200, {"name": f"projects/{PROJECT}/messages/0:{n}"})
        error = {"code": status, "message": "test answer",
                 "status": STATUS_NAMES.get(status, "UNKNOWN")}
        if code:
            error["details"] = [{"@type": FCM_ERROR, "errorCode": code}]
        self.answer(status, {"error": error})

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
