#!/usr/bin/env python3
"""SMTP sink for tests: accepts mail on loopback and writes it to a spool directory.

Requires Python >= 3.11 and aiosmtpd (pip install aiosmtpd).

    smtp_sink.py --port 0 --spool DIR [--starttls CERT KEY | --implicit-tls CERT KEY] [--auth USER:PASS]
                 [--auth-mechanisms PLAIN,LOGIN] [--refuse SUBSTR] [--tempfail SUBSTR]
                 [--drop-after N]

Once listening it prints "READY <port>" on stdout (flushed). Each accepted message is written to
DIR/<n>.eml (n = 1, 2, ...) exactly as received (dot-stuffing removed), and one JSON line is
appended to DIR/log.jsonl:

    {"n": 1, "file": "1.eml", "mail_from": "...", "rcpt_tos": ["..."], "tls": true,
     "auth": true, "auth_user": "...", "subject": "<decoded>", "text": "<decoded text/plain>",
     "html": "<decoded text/html or null>", "max_line_length": 76}

subject/text/html are decoded with Python's email package, as an independent check of the
client's RFC 2047 / MIME / quoted-printable encoding (line endings normalized to "\n").
max_line_length is the longest line of the raw message, CRLF excluded.
The sink runs until killed (SIGTERM/SIGINT).
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class SinkHandler:
    def __init__(self, args):
        self.spool = args.spool
        self.refuse = args.refuse
        self.tempfail = args.tempfail
        self.drop_after = args.drop_after
        self.count = 0
        os.makedirs(self.spool, exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse and self.refuse in address:
            return "550 5.1.1 mailbox unavailable"
        if self.tempfail and self.tempfail in address:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        n = self.count
        raw = envelope.original_content or b""
        name = f"{n}.eml"
        with open(os.path.join(self.spool, name), "wb") as f:
            f.write(raw)
        entry = {
            "n": n,
            "file": name,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            # session.ssl is set by STARTTLS; implicit TLS shows on the transport.
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "auth": bool(session.authenticated),
            "auth_user": getattr(session.auth_data, "login", b"").decode() if session.authenticated else None,
            "max_line_length": max((len(line) for line in raw.split(b"\r\n")), default=0),
        }
        entry.update(decode_message(raw))
        with open(os.path.join(self.spool, "log.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        if self.drop_after is not None and n == self.drop_after:
            # Simulate a crash: once the 250 below has been written, close the socket without 421.
            asyncio.get_running_loop().call_soon(server.transport.close)
        return f"250 2.0.0 OK queued as {n}"


def decode_message(raw):
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        return {
            "subject": str(msg["subject"]) if msg["subject"] is not None else None,
            "from": str(msg["from"]) if msg["from"] is not None else None,
            "to": str(msg["to"]) if msg["to"] is not None else None,
            "text": text.get_content().replace("\r\n", "\n") if text is not None else None,
            "html": html.get_content().replace("\r\n", "\n") if html is not None else None,
        }
    except Exception as error:  # keep the sink running; the test will see the error
        return {"decode_error": repr(error)}


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode() and auth_data.password == password.encode())
        # handled=False: let aiosmtpd answer (235, or 535 on failure).
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return authenticator


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--spool", required=True)
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"), help="offer STARTTLS; AUTH then requires it")
    tls.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"), help="TLS from the first byte (like port 465)")
    p.add_argument("--auth", metavar="USER:PASS")
    p.add_argument("--auth-mechanisms", default="PLAIN,LOGIN", help="comma-separated subset of PLAIN,LOGIN")
    p.add_argument("--refuse", metavar="SUBSTRING")
    p.add_argument("--tempfail", metavar="SUBSTRING")
    p.add_argument("--drop-after", type=int, metavar="N")
    return p.parse_args(argv)


async def main(argv):
    args = parse_args(argv)
    handler = SinkHandler(args)

    def server_context(cert, key):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        return context

    tls_context = server_context(*args.starttls) if args.starttls else None
    implicit_context = server_context(*args.implicit_tls) if args.implicit_tls else None

    smtp_kwargs = {"hostname": "sink.test", "tls_context": tls_context, "require_starttls": False}
    if args.auth:
        user, _, password = args.auth.partition(":")
        offered = {m.strip().upper() for m in args.auth_mechanisms.split(",") if m.strip()}
        smtp_kwargs.update(
            authenticator=make_authenticator(user, password),
            auth_required=True,
            # With --starttls, AUTH is only accepted once TLS is up. With --implicit-tls the whole
            # session is TLS (aiosmtpd only tracks STARTTLS); with neither, AUTH goes in plain text.
            auth_require_tls=tls_context is not None,
            auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m not in offered],
        )
    else:
        smtp_kwargs["auth_require_tls"] = False

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, loop=loop, **smtp_kwargs), host=args.host, port=args.port, ssl=implicit_context)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # A parent that spawns us from a thread with signals blocked (e.g. a libdispatch worker, as in
    # `swift test`) passes that mask on; unblock so that SIGTERM actually stops the sink.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    async with server:
        await stop.wait()


if __name__ == "__main__":
    import logging
    import warnings
    # aiosmtpd warns about AUTH without TLS (done on purpose in tests) and deprecated attributes.
    warnings.simplefilter("ignore")
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main(sys.argv[1:]))
