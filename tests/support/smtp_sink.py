#!/usr/bin/python3
"""SMTP sink for end-to-end tests (Debian's python3-aiosmtpd).

usage: smtp_sink.py OUT_FILE [ANSWERS_JSON [OPTIONS_JSON]]

Listens on a free loopback port and prints it on the first line of stdout. Every accepted
mail is appended to OUT_FILE as one JSON line: from, to, subject, message_id, reply_to,
list_unsubscribe, list_unsubscribe_post, text, html. ANSWERS_JSON maps a recipient address to the SMTP codes its RCPT gets in turn,
the last one repeating: {"a@x.test": [451, 250], "b@x.test": [550]}. OPTIONS_JSON:
  "pipelining": false   do not advertise PIPELINING (advertised by default)
  "ehlo": false         refuse EHLO with 502, so that clients fall back to HELO
  "tls": "starttls" | "tls", "cert": PEM file, "key": PEM file
                        offer STARTTLS, or speak TLS from the start
  "auth": {"user": "password", ...}, "mechanisms": ["LOGIN"]
                        accept these logins (after TLS), with the mechanisms named (default
                        PLAIN and LOGIN); records then carry "login"
  "close_after": N      close each connection (421) 0.2 s after answering its N-th message
"""
import asyncio
import email
import email.policy
import json
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult


class Sink:
    def __init__(self, out_path, answers, options):
        self.out = open(out_path, "a", encoding="utf-8")
        self.answers = answers
        self.options = options

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if not self.options.get("ehlo", True):
            return ["502 EHLO not implemented"]
        session.host_name = hostname
        if self.options.get("pipelining", True):
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        codes = self.answers.get(address)
        if codes:
            code = codes.pop(0) if len(codes) > 1 else codes[0]
            if code != 250:
                return f"{code} {'try again later' if code < 500 else 'no such mailbox'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {"text": None, "html": None}
        for part in msg.walk():
            kind = part.get_content_type()
            # Line breaks as a reader sees them (on the wire they are CRLF).
            if kind == "text/plain":
                parts["text"] = part.get_content().replace("\r\n", "\n")
            elif kind == "text/html":
                parts["html"] = part.get_content().replace("\r\n", "\n")
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "message_id": str(msg["message-id"]),
            "reply_to": str(msg["reply-to"]) if msg["reply-to"] else None,
            "list_unsubscribe": msg["list-unsubscribe"] and str(msg["list-unsubscribe"]),
            "list_unsubscribe_post":
                msg["list-unsubscribe-post"] and str(msg["list-unsubscribe-post"]),
            **parts,
        }
        if session.auth_data is not None:
            record["login"] = session.auth_data.login.decode()
        self.out.write(json.dumps(record) + "\n")
        self.out.flush()
        session.messages = getattr(session, "messages", 0) + 1
        if session.messages == self.options.get("close_after"):
            def close():  # as Postfix does when a client keeps it waiting too long
                server.transport.write(b"421 4.4.2 sink.test Error: timeout exceeded\r\n")
                server.transport.close()
            asyncio.get_running_loop().call_later(0.2, close)
        return "250 Message accepted"


def authenticator(logins):
    def check(server, session, envelope, mechanism, auth_data):
        ok = logins.get(auth_data.login.decode()) == auth_data.password.decode()
        return AuthResult(success=ok, handled=False, auth_data=auth_data)
    return check


async def main():
    answers = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    options = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    sink = Sink(sys.argv[1], answers, options)
    context = None
    if options.get("tls"):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(options["cert"], options["key"])
    smtp_args = {"hostname": "sink.test"}
    if options.get("tls") == "starttls":
        smtp_args["tls_context"] = context
    if "auth" in options:
        smtp_args["authenticator"] = authenticator(options["auth"])
        mechanisms = options.get("mechanisms", ["PLAIN", "LOGIN"])
        smtp_args["auth_exclude_mechanism"] = [
            m for m in ("PLAIN", "LOGIN") if m not in mechanisms]
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, **smtp_args), "127.0.0.1", 0,
        ssl=context if options.get("tls") == "tls" else None)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
