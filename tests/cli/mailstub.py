#!/usr/bin/python3
"""A tiny IMAP + SMTP server for trying the mail-program recipes against the fake provider.

It speaks just enough IMAP4rev1 and ESMTP for mutt, mbsync, msmtp, aerc and git send-email to log
in with SASL XOAUTH2 or OAUTHBEARER (no TLS, no passwords: LOGIN and AUTH PLAIN/LOGIN are refused),
checks the exact SASL string format, and validates the bearer token for real by calling the fake
provider's userinfo endpoint with it. Every login attempt is appended to the log file as one line:
    IMAP XOAUTH2 alice@example.com ok
    SMTP OAUTHBEARER alice@example.com refused: <reason>
Mail sent over SMTP is accepted and dropped. Tokens are never logged.

Usage: mailstub.py USERINFO_URL LOGFILE PORTFILE [CERT KEY]
Listens on 127.0.0.1 on free ports and writes "IMAP_PORT SMTP_PORT IMAPS_PORT" to PORTFILE; with a
certificate and key, the third one is IMAP over TLS (mutt and aerc only use OAuth over TLS),
otherwise it is 0.
"""
import base64
import os
import socketserver
import ssl
import sys
import threading
import urllib.request

USERINFO, LOGFILE, PORTFILE = sys.argv[1:4]
_log_lock = threading.Lock()


def log(line):
    with _log_lock, open(LOGFILE, "a") as f:
        f.write(line + "\n")


def check_sasl(mech, b64):
    """Returns (user, None) for a valid string whose token the provider accepts, else (user, reason)."""
    try:
        raw = base64.b64decode(b64.strip(), validate=True)
    except Exception:
        return None, "not base64"
    user = None
    token = None
    if mech == "XOAUTH2":
        parts = raw.split(b"\x01")
        if len(parts) != 4 or parts[2:] != [b"", b""] or not parts[0].startswith(b"user=") \
                or not parts[1].startswith(b"auth=Bearer "):
            return None, "malformed XOAUTH2 string"
        user = parts[0][5:].decode()
        token = parts[1][len(b"auth=Bearer "):].decode()
    elif mech == "OAUTHBEARER":
        if not raw.endswith(b"\x01\x01"):
            return None, "malformed OAUTHBEARER string"
        gs2, _, rest = raw.partition(b"\x01")
        fields = gs2.split(b",")
        if len(fields) < 3 or fields[0] not in (b"n", b"y"):
            return None, "malformed gs2 header"
        if fields[1].startswith(b"a="):
            user = fields[1][2:].replace(b"=2C", b",").replace(b"=3D", b"=").decode()
        for kv in rest[:-2].split(b"\x01"):
            key, _, value = kv.partition(b"=")
            if key == b"auth" and value.startswith(b"Bearer "):
                token = value[len(b"Bearer "):].decode()
            elif key not in (b"host", b"port"):
                return user, "unknown key %r" % key
        if token is None:
            return user, "no auth=Bearer"
    else:
        return None, "unsupported mechanism"
    req = urllib.request.Request(USERINFO, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            if r.status != 200:
                return user, "provider said %d" % r.status
    except Exception as e:  # 401 for an invalid token
        return user, "provider refused the token (%s)" % getattr(e, "code", type(e).__name__)
    return user, None


class Imap(socketserver.StreamRequestHandler):
    CAPS = "IMAP4rev1 AUTH=XOAUTH2 AUTH=OAUTHBEARER SASL-IR LITERAL+ ID ENABLE IDLE UIDPLUS"

    def send(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.send("* OK [CAPABILITY %s] mailstub ready" % self.CAPS)
        authed = False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            words = line.decode(errors="replace").rstrip("\r\n").split(" ")
            tag, cmd, args = words[0], (words[1].upper() if len(words) > 1 else ""), words[2:]
            if cmd == "UID" and args:
                cmd, args = "UID " + args[0].upper(), args[1:]
            if cmd == "CAPABILITY":
                self.send("* CAPABILITY " + (self.CAPS if not authed else "IMAP4rev1 IDLE UIDPLUS ENABLE"))
                self.send(tag + " OK done")
            elif cmd == "AUTHENTICATE":
                mech = args[0].upper() if args else ""
                if len(args) > 1:
                    data = args[1]
                else:
                    self.send("+ ")
                    data = self.rfile.readline().decode().strip()
                user, why = check_sasl(mech, data)
                log("IMAP %s %s %s" % (mech, user, "ok" if why is None else "refused: " + why))
                if why is None:
                    authed = True
                    self.send(tag + " OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS ENABLE] authenticated")
                else:
                    self.send(tag + " NO [AUTHENTICATIONFAILED] " + why)
            elif cmd == "LOGIN":
                log("IMAP LOGIN refused (passwords are not accepted)")
                self.send(tag + " NO [AUTHENTICATIONFAILED] use OAuth")
            elif cmd == "LOGOUT":
                self.send("* BYE bye")
                self.send(tag + " OK bye")
                return
            elif not authed and cmd not in ("NOOP", "ID", "ENABLE"):
                self.send(tag + " BAD authenticate first")
            elif cmd in ("LIST", "LSUB"):
                self.send('* %s (\\HasNoChildren) "/" INBOX' % cmd)
                self.send(tag + " OK done")
            elif cmd in ("SELECT", "EXAMINE"):
                for l in ("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)", "* 0 EXISTS", "* 0 RECENT",
                          "* OK [UIDVALIDITY 1] ok", "* OK [UIDNEXT 1] ok",
                          "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)] ok"):
                    self.send(l)
                self.send(tag + " OK [READ-WRITE] selected")
            elif cmd == "STATUS":
                self.send("* STATUS INBOX (MESSAGES 0 RECENT 0 UIDNEXT 1 UIDVALIDITY 1 UNSEEN 0)")
                self.send(tag + " OK done")
            elif cmd in ("SEARCH", "UID SEARCH"):
                self.send("* SEARCH")
                self.send(tag + " OK done")
            elif cmd == "NAMESPACE":
                self.send('* NAMESPACE (("" "/")) NIL NIL')
                self.send(tag + " OK done")
            elif cmd == "ID":
                self.send('* ID ("name" "mailstub")')
                self.send(tag + " OK done")
            elif cmd == "IDLE":
                self.send("+ idling")
                self.rfile.readline()
                self.send(tag + " OK done")
            else:  # NOOP, CHECK, CLOSE, EXPUNGE, FETCH, UID FETCH, ENABLE, CREATE, SUBSCRIBE ...
                self.send(tag + " OK done")


class Smtp(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.send("220 mailstub ESMTP ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            text = line.decode(errors="replace").rstrip("\r\n")
            cmd = text.split(" ")[0].upper()
            if cmd == "EHLO":
                self.send("250-mailstub")
                self.send("250-AUTH XOAUTH2 OAUTHBEARER")
                self.send("250-8BITMIME")
                self.send("250 SIZE 10000000")
            elif cmd == "HELO":
                self.send("250 mailstub")
            elif cmd == "AUTH":
                parts = text.split(" ")
                mech = parts[1].upper() if len(parts) > 1 else ""
                if mech not in ("XOAUTH2", "OAUTHBEARER"):
                    log("SMTP %s refused (only XOAUTH2 and OAUTHBEARER)" % mech)
                    self.send("504 5.5.4 only XOAUTH2 and OAUTHBEARER")
                    continue
                if len(parts) > 2:
                    data = parts[2]
                else:
                    self.send("334 ")
                    data = self.rfile.readline().decode().strip()
                user, why = check_sasl(mech, data)
                log("SMTP %s %s %s" % (mech, user, "ok" if why is None else "refused: " + why))
                self.send("235 2.7.0 authenticated" if why is None else "535 5.7.8 " + why)
            elif cmd == "DATA":
                self.send("354 go ahead")
                while True:
                    l = self.rfile.readline()
                    if not l or l.rstrip(b"\r\n") == b".":
                        break
                log("SMTP message accepted")
                self.send("250 2.0.0 accepted")
            elif cmd == "QUIT":
                self.send("221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.send("250 ok")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class TlsServer(Server):
    def __init__(self, address, handler, context):
        super().__init__(address, handler)
        self.context = context

    def get_request(self):
        sock, addr = super().get_request()
        return self.context.wrap_socket(sock, server_side=True), addr


imap = Server(("127.0.0.1", 0), Imap)
smtp = Server(("127.0.0.1", 0), Smtp)
servers = [imap, smtp]
imaps_port = 0
if len(sys.argv) > 5:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[4], sys.argv[5])
    imaps = TlsServer(("127.0.0.1", 0), Imap, context)
    servers.append(imaps)
    imaps_port = imaps.server_address[1]
for s in servers[1:]:
    threading.Thread(target=s.serve_forever, daemon=True).start()
with open(PORTFILE + ".tmp", "w") as f:
    f.write("%d %d %d\n" % (imap.server_address[1], smtp.server_address[1], imaps_port))
os.replace(PORTFILE + ".tmp", PORTFILE)
imap.serve_forever()
