#!/usr/bin/python3
"""The relay host behind Dovecot's submission service in tests/cli/recipes.sh.

Dovecot's submission server (what the mail programs talk to, with OAuth) hands every accepted
message to a relay host over plain SMTP on 127.0.0.1. This is that relay: it accepts ESMTP from
Dovecot and delivers each message to each recipient's mailbox with Dovecot's own LDA, so a message
sent by one recipe can be read back over IMAP by another. One line per recipient is appended to
the log: "delivered FROM -> RCPT" or "failed FROM -> RCPT: <lda status>".

Usage: smtpsink.py PORTFILE LOGFILE LDA [LDA_ARG...]
Listens on a free port of 127.0.0.1 and writes it to PORTFILE. The LDA command is run with
"-f FROM -d RCPT" added and the message on its standard input.
"""
import os
import socketserver
import subprocess
import sys
import threading

PORTFILE, LOGFILE = sys.argv[1:3]
LDA = sys.argv[3:]
_lock = threading.Lock()


def log(line):
    with _lock, open(LOGFILE, "a") as f:
        f.write(line + "\n")


def address(arg):
    """The address of "FROM:<a@b> SIZE=1" / "TO:<a@b>"."""
    start, end = arg.find("<"), arg.find(">")
    return arg[start + 1:end] if 0 <= start < end else ""


class Relay(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.send("220 relay.test ESMTP sink")
        sender, rcpts = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            text = line.decode(errors="replace").rstrip("\r\n")
            verb, _, arg = text.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.send("250-relay.test")
                self.send("250-8BITMIME")
                self.send("250 SIZE 10000000")
            elif verb == "HELO":
                self.send("250 relay.test")
            elif verb == "MAIL":
                sender, rcpts = address(arg), []
                self.send("250 2.1.0 ok")
            elif verb == "RCPT":
                rcpts.append(address(arg))
                self.send("250 2.1.5 ok")
            elif verb == "DATA":
                if sender is None or not rcpts:
                    self.send("503 5.5.1 MAIL and RCPT first")
                    continue
                self.send("354 go ahead")
                body = bytearray()
                while True:
                    l = self.rfile.readline()
                    if not l or l.rstrip(b"\r\n") == b".":
                        break
                    body += l[1:] if l.startswith(b"..") else l
                failed = False
                for rcpt in rcpts:
                    r = subprocess.run(LDA + ["-f", sender, "-d", rcpt], input=bytes(body),
                                       capture_output=True)
                    if r.returncode == 0:
                        log("delivered %s -> %s" % (sender, rcpt))
                    else:
                        failed = True
                        log("failed %s -> %s: %d %s" % (sender, rcpt, r.returncode,
                                                        r.stderr.decode(errors="replace").strip()))
                self.send("451 4.3.0 delivery failed" if failed else "250 2.0.0 delivered")
                sender, rcpts = None, []
            elif verb == "RSET":
                sender, rcpts = None, []
                self.send("250 2.0.0 ok")
            elif verb == "QUIT":
                self.send("221 2.0.0 bye")
                return
            elif verb == "NOOP":
                self.send("250 2.0.0 ok")
            else:
                self.send("502 5.5.2 not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


server = Server(("127.0.0.1", 0), Relay)
with open(PORTFILE + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.replace(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
