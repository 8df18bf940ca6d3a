#!/usr/bin/python3
"""Web Push sink for tests: a loopback push service (RFC 8030) that checks each message the
way a real one does (VAPID, RFC 8292) and decrypts it the way the browser does (RFC 8291).

usage: webpush_sink.py OUT_FILE [ANSWERS_JSON]

Listens on a free loopback port and prints it on the first line of stdout. ANSWERS_JSON:

  {
    "subscribers": {"/push/a": {"private_key": "<base64url raw 32-byte P-256 scalar>",
                                "auth": "<base64url 16 bytes>"}},
    "answers": {"/push/a": [503, 201]}
  }

"subscribers" holds the browser side of each subscription, by request path: its ECDH
private key (raw scalar in base64url, or a PEM private key) and its auth secret. "answers"
gives the answers a path gets in turn, the last one repeating; others get 201. An answer is
a status, or {"status": 400, "body": "text answered", "delay": 2.5} (seconds to wait
before answering; body and delay optional).

Every POST is appended to OUT_FILE as one JSON line, whatever it is answered:
  path, status (the answer), ttl, urgency, content_encoding, content_type, body_length,
  vapid_ok (the JWT verifies with the k= key, alg ES256, aud is this sink's origin
  http://127.0.0.1:PORT, exp is in the future and at most 24 h ahead, sub starts with
  mailto: or https:), vapid_error (why not, else null), vapid_token, vapid_claims,
  vapid_key, and either payload (the decrypted text parsed as JSON) or decrypt_error.
"""
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

OUT = open(sys.argv[1], "a", encoding="utf-8")
CONFIG = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
SUBSCRIBERS = CONFIG.get("subscribers", {})
ANSWERS = CONFIG.get("answers", {})
LOCK = threading.Lock()
MAX_BODY = 4096


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def private_key(text):
    if text.startswith("-----BEGIN"):
        return serialization.load_pem_private_key(text.encode(), password=None)
    return ec.derive_private_key(int.from_bytes(b64url_decode(text), "big"), ec.SECP256R1())


def hkdf(salt, ikm, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def decrypt(body, subscriber):
    """RFC 8291 §3.4 and RFC 8188 §2 on the receiving side; raises ValueError."""
    if len(body) > MAX_BODY:
        raise ValueError(f"body of {len(body)} bytes exceeds {MAX_BODY}")
    if len(body) < 21:
        raise ValueError("body shorter than the aes128gcm header")
    salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    if idlen != 65:
        raise ValueError(f"keyid of {idlen} bytes, not a 65-byte P-256 point")
    as_public, ciphertext = body[21:86], body[86:]
    if rs < 18 or len(ciphertext) > rs:
        raise ValueError(f"record size {rs} with {len(ciphertext)} bytes of records: not one record")
    ua_key = private_key(subscriber["private_key"])
    ua_public = ua_key.public_key().public_bytes(serialization.Encoding.X962,
                                                 serialization.PublicFormat.UncompressedPoint)
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public)
    secret = ua_key.exchange(ec.ECDH(), peer)
    ikm = hkdf(b64url_decode(subscriber["auth"]), secret,
               b"WebPush: info\x00" + ua_public + as_public, 32)
    cek = hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    try:
        record = AESGCM(cek).decrypt(nonce, ciphertext, None)
    except InvalidTag:
        raise ValueError("AES-GCM authentication failed") from None
    padded = record.rstrip(b"\x00")
    if not padded or padded[-1] != 2:
        raise ValueError("the last record does not end with delimiter 0x02")
    return padded[:-1]


def check_vapid(authorization, origin):
    """Returns (error or None, token, claims, key) for an `Authorization: vapid ...` value."""
    if not authorization or not authorization.startswith("vapid "):
        return "no vapid Authorization", None, None, None
    params = {}
    for part in authorization[len("vapid "):].split(","):
        name, _, value = part.strip().partition("=")
        params[name] = value
    token, key = params.get("t"), params.get("k")
    if not token or not key:
        return "t= or k= missing", token, None, key
    try:
        header_b64, claims_b64, sig_b64 = token.split(".")
        header = json.loads(b64url_decode(header_b64))
        claims = json.loads(b64url_decode(claims_b64))
        sig = b64url_decode(sig_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    except ValueError as e:
        return f"malformed: {e}", token, None, key
    if header.get("alg") != "ES256" or header.get("typ") != "JWT":
        return f"header {header}", token, claims, key
    if len(sig) != 64:
        return "signature is not R||S", token, claims, key
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "signature does not verify with k", token, claims, key
    now = time.time()
    if claims.get("aud") != origin:
        return f"aud {claims.get('aud')!r} is not {origin!r}", token, claims, key
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now or exp > now + 86400:
        return f"exp {exp!r} not within 24 h from now", token, claims, key
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
        return f"sub {sub!r}", token, claims, key
    return None, token, claims, key


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        error, token, claims, key = check_vapid(self.headers.get("Authorization"), origin)
        record = {
            "path": self.path,
            "ttl": self.headers.get("TTL"),
            "urgency": self.headers.get("Urgency"),
            "content_encoding": self.headers.get("Content-Encoding"),
            "content_type": self.headers.get("Content-Type"),
            "body_length": len(body),
            "vapid_ok": error is None,
            "vapid_error": error,
            "vapid_token": token,
            "vapid_claims": claims,
            "vapid_key": key,
        }
        subscriber = SUBSCRIBERS.get(self.path)
        try:
            if record["content_encoding"] != "aes128gcm":
                raise ValueError("Content-Encoding is not aes128gcm")
            if subscriber is None:
                raise ValueError("no subscriber at this path")
            record["payload"] = json.loads(decrypt(body, subscriber))
        except ValueError as e:
            record["decrypt_error"] = str(e)
        with LOCK:
            answers = ANSWERS.get(self.path)
            answer = 201
            if answers:
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
            if not isinstance(answer, dict):
                answer = {"status": answer}
            status = answer["status"]
            record["status"] = status
            OUT.write(json.dumps(record) + "\n")
            OUT.flush()
        time.sleep(answer.get("delay", 0))
        if "body" in answer:
            answer = answer["body"].encode()
        else:
            answer = b"" if status < 300 else json.dumps(
                {"code": status, "errno": 999, "error": "test answer"}).encode()
        self.send_response(status)
        if status == 201:
            self.send_header("Location", f"{origin}/m/{time.monotonic_ns()}")
        if answer:
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
