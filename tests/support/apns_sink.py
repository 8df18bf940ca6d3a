#!/usr/bin/python3
"""APNs sink for tests: Apple's HTTP/2 provider API, spoken as h2c (HTTP/2 over plain TCP with
prior knowledge; a connection that opens with anything else, such as an HTTP/1.1 request, is
closed unanswered). Serves several connections and several streams on each.

usage: apns_sink.py OUT_FILE ANSWERS_JSON

Listens on a free loopback port and prints it on the first line of stdout.

Takes POST /3/device/<hex device token> with token-based authentication
("authorization: bearer <JWT>"): the JWT must be ES256, verify with "public_key", carry
"kid" = key_id in its header and "iss" = team_id in its claims, and an "iat" neither older
than an hour nor more than a minute ahead. A JWT that is too old is answered 403
ExpiredProviderToken, any other fault 403 InvalidProviderToken. Then, in Apple's order: 404
BadPath, 405 MethodNotAllowed, 400 MissingTopic / DeviceTokenNotForTopic (when "topic" is
given and differs), 413 PayloadTooLarge (over 4096 bytes), 400 BadPayload (not JSON), and
finally the planned answer. Every answer carries an apns-id header (the request's, or a new
UUID); refusals carry {"reason": ...} ({"reason": "Unregistered", "timestamp": ...} for 410).

ANSWERS_JSON, every key optional:
  public_key  PEM of the P-256 public key the JWTs must verify with
  key_id      the expected "kid"
  team_id     the expected "iss"
  topic       the expected apns-topic
  answers     {"<device token>": [answer, ...]} answered in turn, the last repeating; an
              answer is a status or {"status": 400, "reason": "BadDeviceToken"}; a bare status
              takes the reason 400 BadTopic, 403 InvalidProviderToken, 404 BadPath,
              410 Unregistered, 413 PayloadTooLarge, 429 TooManyRequests,
              500 InternalServerError, 503 ServiceUnavailable; others get 200

Records, one JSON line per request in OUT_FILE:
  connection (1, 2, ... in the order connections were opened), stream_id, method, path,
  device_token, headers (every regular request header, lower-case names: authorization,
  apns-topic, apns-push-type, apns-priority, apns-expiration, apns-id, content-type, ...),
  jwt_ok, jwt_error (when not ok), jwt ({"header", "claims"} as decoded, or null),
  payload (parsed, or null), payload_bytes, status, reason (null on 200), apns_id (answered)
"""
import asyncio
import base64
import json
import sys
import time
import uuid

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import ConnectionTerminated, DataReceived, RequestReceived, StreamEnded
from h2.exceptions import ProtocolError

OUT = open(sys.argv[1], "a", encoding="utf-8")
ANSWERS = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
PUBLIC_KEY = (serialization.load_pem_public_key(ANSWERS["public_key"].encode())
              if "public_key" in ANSWERS else None)
PLANS = {k: list(v) for k, v in ANSWERS.get("answers", {}).items()}
REASONS = {400: "BadTopic", 403: "InvalidProviderToken", 404: "BadPath", 405: "MethodNotAllowed",
           410: "Unregistered", 413: "PayloadTooLarge", 429: "TooManyRequests",
           500: "InternalServerError", 503: "ServiceUnavailable"}
MAX_PAYLOAD = 4096
CONNECTIONS = [0]


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_jwt(authorization):
    """Returns (decoded, error, expired)."""
    if not authorization.startswith("bearer "):
        return None, "no bearer token", False
    try:
        head, body, sig = authorization[len("bearer "):].split(".")
        decoded = {"header": json.loads(b64url_decode(head)),
                   "claims": json.loads(b64url_decode(body))}
        raw = b64url_decode(sig)
    except Exception as e:  # noqa: BLE001 - any malformed token is refused alike
        return None, f"malformed JWT: {e}", False
    header, claims = decoded["header"], decoded["claims"]
    if PUBLIC_KEY is None:
        return decoded, "the sink has no public_key", False
    if header.get("alg") != "ES256" or len(raw) != 64:
        return decoded, "not ES256", False
    try:
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                   int.from_bytes(raw[32:], "big"))
        PUBLIC_KEY.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return decoded, "bad signature", False
    if "key_id" in ANSWERS and header.get("kid") != ANSWERS["key_id"]:
        return decoded, "wrong kid", False
    if "team_id" in ANSWERS and claims.get("iss") != ANSWERS["team_id"]:
        return decoded, "wrong iss", False
    iat = claims.get("iat")
    if not isinstance(iat, int) or iat > time.time() + 60:
        return decoded, "iat missing or ahead", False
    if iat < time.time() - 3600:
        return decoded, "older than an hour", True
    return decoded, None, False


def answer_for(method, path, headers, body):
    """Returns (record fields, status, reason)."""
    device = path[len("/3/device/"):] if path.startswith("/3/device/") else None
    decoded, jwt_error, expired = check_jwt(headers.get("authorization", ""))
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        payload = None
    fields = {"device_token": device, "jwt_ok": jwt_error is None, "jwt": decoded,
              "payload": payload, "payload_bytes": len(body)}
    if jwt_error:
        fields["jwt_error"] = jwt_error
        return fields, 403, "ExpiredProviderToken" if expired else "InvalidProviderToken"
    if not device or any(c not in "0123456789abcdefABCDEF" for c in device):
        return fields, 404 if not device else 400, "BadPath" if not device else "BadDeviceToken"
    if method != "POST":
        return fields, 405, "MethodNotAllowed"
    topic = headers.get("apns-topic")
    if not topic:
        return fields, 400, "MissingTopic"
    if "topic" in ANSWERS and topic != ANSWERS["topic"]:
        return fields, 400, "DeviceTokenNotForTopic"
    if len(body) > MAX_PAYLOAD:
        return fields, 413, "PayloadTooLarge"
    if payload is None:
        return fields, 400, "BadPayload"
    plan = PLANS.get(device)
    planned = (plan.pop(0) if len(plan) > 1 else plan[0]) if plan else 200
    if isinstance(planned, dict):
        return fields, planned["status"], planned.get("reason")
    return fields, planned, REASONS.get(planned) if planned != 200 else None


class Connection(asyncio.Protocol):
    def connection_made(self, transport):
        CONNECTIONS[0] += 1
        self.number = CONNECTIONS[0]
        self.transport = transport
        self.h2 = H2Connection(H2Configuration(client_side=False, header_encoding="utf-8"))
        self.streams = {}
        self.h2.initiate_connection()
        self.transport.write(self.h2.data_to_send())

    def data_received(self, data):
        try:
            events = self.h2.receive_data(data)
        except ProtocolError:
            self.transport.write(self.h2.data_to_send())
            self.transport.close()
            return
        for event in events:
            if isinstance(event, RequestReceived):
                self.streams[event.stream_id] = (dict(event.headers), bytearray())
            elif isinstance(event, DataReceived):
                self.streams[event.stream_id][1].extend(event.data)
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, StreamEnded):
                self.respond(event.stream_id)
            elif isinstance(event, ConnectionTerminated):
                self.transport.close()
        self.transport.write(self.h2.data_to_send())

    def respond(self, stream_id):
        headers, body = self.streams.pop(stream_id)
        method, path = headers.get(":method"), headers.get(":path", "")
        fields, status, reason = answer_for(method, path, headers, bytes(body))
        apns_id = headers.get("apns-id") or str(uuid.uuid4())
        entry = {"connection": self.number, "stream_id": stream_id, "method": method,
                 "path": path, **fields,
                 "headers": {k: v for k, v in headers.items() if not k.startswith(":")},
                 "status": status, "reason": reason, "apns_id": apns_id}
        OUT.write(json.dumps(entry) + "\n")
        OUT.flush()
        answer = b""
        if status != 200:
            doc = {"reason": reason}
            if status == 410:
                doc["timestamp"] = int(time.time() * 1000)
            answer = json.dumps(doc).encode()
        response = [(":status", str(status)), ("apns-id", apns_id)]
        if answer:
            response += [("content-type", "application/json"),
                         ("content-length", str(len(answer)))]
        self.h2.send_headers(stream_id, response, end_stream=not answer)
        if answer:
            self.h2.send_data(stream_id, answer, end_stream=True)


async def main():
    server = await asyncio.get_running_loop().create_server(Connection, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
