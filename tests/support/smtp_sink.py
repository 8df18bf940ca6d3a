#!/usr/bin/python3
"""SMTP sink for end-to-end tests (Debian's python3-aiosmtpd).

usage: smtp_sink.py OUT_FILE [ANSWERS_JSON]

Listens on a free loopback port and prints it on the first line of stdout. Every accepted
mail is appended to OUT_FILE as one JSON line: from, to, subject, message_id, reply_to,
list_unsubscribe, list_unsubscribe_post, text, html. ANSWERS_JSON maps a recipient address to the SMTP codes its RCPT gets in turn,
the last one repeating: {"a@x.test": [451, 250], "b@x.test": [550]}.
"""
import asyncio
import email
import email.policy
import json
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, out_path, answers):
        self.out = open(out_path, "a", encoding="utf-8")
        self.answers = answers

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
            if kind == "text/plain":
                parts["text"] = part.get_content()
            elif kind == "text/html":
                parts["html"] = part.get_content()
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
        self.out.write(json.dumps(record) + "\n")
        self.out.flush()
        return "250 Message accepted"


async def main():
    answers = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    sink = Sink(sys.argv[1], answers)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, hostname="sink.test"), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
