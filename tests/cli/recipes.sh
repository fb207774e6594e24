#!/bin/sh
# Tries the README recipes as a new user would, against the fake provider (mailkey-fake-idp) and
# tests/cli/mailstub.py (a tiny IMAP + SMTP server that validates every XOAUTH2 / OAUTHBEARER login
# with the provider). Each mail program is run for real with the configuration from the README;
# a recipe passes when the stub logged a successful login of alice@example.com by that program.
# Programs that are not installed are reported as skipped.
#
# Usage: tests/cli/recipes.sh BUILD_DIR   (runs itself inside tests/support/with-keyring.sh)
set -u

if [ "${1:-}" != "--inside" ]; then
    build=$(cd "${1:?usage: tests/cli/recipes.sh BUILD_DIR}" && pwd)
    root=$(cd "$(dirname "$0")/../.." && pwd)
    exec sh "$root/tests/support/with-keyring.sh" sh "$root/tests/cli/recipes.sh" --inside "$build" "$root"
fi
build=$2 root=$3
email=alice@example.com
export MAILKEY_DATA_DIR="$HOME/data" MAILKEY_CONFIG_DIR="$HOME/config"
mkdir -p "$MAILKEY_CONFIG_DIR" "$HOME/bin"
# mailkey-cli on PATH, as after installing the package.
ln -s "$build/app/mailkey-cli" "$HOME/bin/mailkey-cli"
export PATH="$HOME/bin:$PATH"
work="$HOME/work"
mkdir -p "$work"
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT INT TERM
failures=0
pass() { echo "PASS  $1"; }
fail() { echo "FAIL  $1"; failures=$((failures + 1)); }
skip() { echo "SKIP  $1"; }
wait_for() { i=0; until eval "$1"; do i=$((i + 1)); [ $i -lt 200 ] || return 1; sleep 0.05; done; }
logged() { grep -q "^$1 $2 $email ok$" "$work/stub.log" 2>/dev/null; }
count_ok() { grep -c "^$1 .* ok$" "$work/stub.log" 2>/dev/null || true; }

# --- the provider and the account ---------------------------------------------------------------
"$build/tests/support/fakeidp/mailkey-fake-idp" --port 0 --email "$email" >"$work/idp.out" 2>"$work/idp.err" &
pids="$pids $!"
wait_for 'grep -q "\"providers\"" "$work/idp.out" 2>/dev/null' || { echo "fake provider did not start"; exit 1; }
sleep 0.2
issuer=$(head -n 1 "$work/idp.out")
tail -n +2 "$work/idp.out" | grep -v '"openid",' >"$MAILKEY_CONFIG_DIR/providers.json"
mailkey-cli connect fake --no-browser >"$work/connect.out" 2>"$work/connect.err" &
cpid=$!
wait_for 'grep -qs "http://127.0.0.1" "$work/connect.err"' || { echo "no sign-in address"; exit 1; }
curl -s -L -o /dev/null "$(grep -o 'http://127.0.0.1[^ ]*' "$work/connect.err" | head -n 1)"
wait $cpid
[ "$(cat "$work/connect.out")" = "$email" ] && pass "connect fake --no-browser (curl as the browser)" || { fail "connect"; exit 1; }

# --- the IMAP + SMTP stub -------------------------------------------------------------------------
# A throwaway certificate for 127.0.0.1: mutt and aerc use OAuth only over TLS.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1 || { echo "openssl could not make a certificate"; exit 1; }
/usr/bin/python3 "$root/tests/cli/mailstub.py" "$issuer/userinfo" "$work/stub.log" "$work/ports" \
    "$work/cert.pem" "$work/key.pem" 2>"$work/stub.err" &
pids="$pids $!"
wait_for '[ -s "$work/ports" ]' || { echo "mail stub did not start"; exit 1; }
read imap smtp imaps <"$work/ports"

# --- the token helper itself --------------------------------------------------------------------
t=$(mailkey-cli token "$email") && [ -n "$t" ] && pass "mailkey-cli token $email" || fail "mailkey-cli token"
unset t

# --- msmtp ----------------------------------------------------------------------------------------
if command -v msmtp >/dev/null; then
    for mech in xoauth2 oauthbearer; do
        cat >"$HOME/.msmtprc" <<MSMTP
defaults
logfile $work/msmtp.log

account work
host 127.0.0.1
port $smtp
# The stub has no TLS; with a real server: tls on (port 587 with STARTTLS).
tls off
from $email
user $email
auth $mech
passwordeval "mailkey-cli token $email --resource smtp"

account default : work
MSMTP
        chmod 600 "$HOME/.msmtprc"
        printf 'Subject: msmtp %s\n\nhello\n' "$mech" | msmtp bob@example.com 2>"$work/msmtp.err" &&
            logged SMTP "$(echo $mech | tr a-z A-Z)" && pass "msmtp auth $mech + passwordeval" ||
            { fail "msmtp auth $mech"; cat "$work/msmtp.err"; }
    done
else
    skip "msmtp (not installed)"
fi

# --- mutt -----------------------------------------------------------------------------------------
if command -v mutt >/dev/null; then
    cat >"$HOME/.muttrc" <<MUTT
set my_user = "$email"
set imap_user = \$my_user
set folder = "imaps://127.0.0.1:$imaps/"
set spoolfile = "+INBOX"
set imap_authenticators = "oauthbearer:xoauth2"
set imap_oauth_refresh_command = "mailkey-cli token \$my_user --resource imap"
set smtp_url = "smtp://\$my_user@127.0.0.1:$smtp/"
set smtp_authenticators = "oauthbearer:xoauth2"
set smtp_oauth_refresh_command = "mailkey-cli token \$my_user --resource smtp"
set from = \$my_user
# Only because the stub's SMTP has no TLS and its certificate is self-made:
set ssl_starttls = no
set ssl_force_tls = no
set ssl_ca_certificates_file = "$work/cert.pem"
MUTT
    before=$(count_ok SMTP)
    echo hello | mutt -s "mutt smtp" bob@example.com 2>"$work/mutt-send.err" &&
        [ "$(count_ok SMTP)" -gt "$before" ] && grep -q "^SMTP OAUTHBEARER $email ok" "$work/stub.log" &&
        pass "mutt smtp_authenticators oauthbearer + smtp_oauth_refresh_command (batch send)" ||
        { fail "mutt smtp"; cat "$work/mutt-send.err"; }
    before=$(count_ok IMAP)
    # Interactive mutt needs a terminal: script(1) gives it one; it opens the IMAP INBOX and quits.
    TERM=xterm timeout 20 script -qec "mutt -e 'push <quit>'" /dev/null >"$work/mutt-imap.out" 2>&1
    [ "$(count_ok IMAP)" -gt "$before" ] && grep -q "^IMAP OAUTHBEARER $email ok" "$work/stub.log" &&
        pass "mutt imap_authenticators oauthbearer + imap_oauth_refresh_command" || fail "mutt imap"
    sed -i 's/"oauthbearer:xoauth2"/"xoauth2"/' "$HOME/.muttrc"
    TERM=xterm timeout 20 script -qec "mutt -e 'push <quit>'" /dev/null >"$work/mutt-imap2.out" 2>&1
    logged IMAP XOAUTH2 && pass "mutt imap_authenticators xoauth2" || fail "mutt imap xoauth2"
else
    skip "mutt (not installed)"
fi

# --- mbsync (isync) -------------------------------------------------------------------------------
if command -v mbsync >/dev/null; then
    if [ -e /usr/lib/x86_64-linux-gnu/sasl2/libkdexoauth2.so ] || ls /usr/lib/*/sasl2/*xoauth2* >/dev/null 2>&1; then
        mkdir -p "$HOME/Mail/work"
        cat >"$HOME/.mbsyncrc" <<MBSYNC
IMAPAccount work
Host 127.0.0.1
Port $imap
User $email
PassCmd "mailkey-cli token $email --resource imap"
AuthMechs XOAUTH2
# Only because the stub has no TLS; with a real server: SSLType IMAPS
SSLType None

IMAPStore work-remote
Account work

MaildirStore work-local
Path ~/Mail/work/
Inbox ~/Mail/work/INBOX

Channel work
Far :work-remote:
Near :work-local:
Patterns INBOX
Create Near
MBSYNC
        before=$(count_ok IMAP)
        timeout 30 mbsync -a >"$work/mbsync.out" 2>&1
        [ "$(count_ok IMAP)" -gt "$before" ] && pass "mbsync AuthMechs XOAUTH2 + PassCmd (Cyrus SASL XOAUTH2 plugin)" ||
            { fail "mbsync"; cat "$work/mbsync.out"; }
    else
        skip "mbsync (no Cyrus SASL XOAUTH2 plugin: apt-get install libsasl2-modules-kdexoauth2)"
    fi
else
    skip "mbsync (isync not installed)"
fi

# --- aerc -----------------------------------------------------------------------------------------
if command -v aerc >/dev/null; then
    aercdir="${XDG_CONFIG_HOME:-$HOME/.config}/aerc"
    mkdir -p "$aercdir"
    cat >"$aercdir/accounts.conf" <<AERC
[work]
source = imaps+oauthbearer://alice%40example.com@127.0.0.1:$imaps
source-cred-cmd = mailkey-cli token $email --resource imap
outgoing = smtp+oauthbearer://alice%40example.com@127.0.0.1:$smtp
outgoing-cred-cmd = mailkey-cli token $email --resource smtp
default = INBOX
from = Alice <$email>
AERC
    chmod 600 "$aercdir/accounts.conf"
    before=$(count_ok IMAP)
    # SSL_CERT_FILE: trust the stub's self-made certificate (aerc is a Go program).
    SSL_CERT_FILE="$work/cert.pem" TERM=xterm timeout 8 script -qec "aerc" /dev/null >"$work/aerc.out" 2>&1
    [ "$(count_ok IMAP)" -gt "$before" ] && grep -q "^IMAP OAUTHBEARER $email ok" "$work/stub.log" &&
        pass "aerc source imaps+oauthbearer + source-cred-cmd" || fail "aerc imaps+oauthbearer"
    sed -i 's/^source = imaps+oauthbearer:/source = imaps+xoauth2:/' "$aercdir/accounts.conf"
    before=$(grep -c "^IMAP XOAUTH2 $email ok" "$work/stub.log")
    SSL_CERT_FILE="$work/cert.pem" TERM=xterm timeout 8 script -qec "aerc" /dev/null >"$work/aerc2.out" 2>&1
    [ "$(grep -c "^IMAP XOAUTH2 $email ok" "$work/stub.log")" -gt "$before" ] &&
        pass "aerc source imaps+xoauth2 + source-cred-cmd" || fail "aerc imaps+xoauth2"
else
    skip "aerc (not installed)"
fi

# --- git send-email ---------------------------------------------------------------------------------
# (Not `git send-email --help`: that opens the manual page, and fails where no man is installed.)
if [ -x "$(git --exec-path 2>/dev/null)/git-send-email" ] && command -v msmtp >/dev/null; then
    repo="$work/repo"
    git init -q "$repo" && cd "$repo" && git config user.name Alice && git config user.email "$email" &&
        echo a >a && git add a && git commit -qm "a change" && git format-patch -1 -o "$work/patches" >/dev/null
    before=$(count_ok SMTP)
    # Through msmtp (the recipe for Debian 12, whose Authen::SASL 2.16 has no XOAUTH2).
    git -c sendemail.sendmailcmd="msmtp -a work" send-email --quiet --confirm=never --to=bob@example.com \
        "$work/patches"/*.patch >"$work/git1.out" 2>&1 &&
        [ "$(count_ok SMTP)" -gt "$before" ] && pass "git send-email via sendemail.sendmailcmd = msmtp" ||
        { fail "git send-email via msmtp"; cat "$work/git1.out"; }
    # Native SMTP AUTH XOAUTH2 with a credential helper. Authen::SASL has XOAUTH2 from 2.1700 on;
    # Debian 12 has 2.1600: then the small module of the README is put on PERL5LIB.
    shim=""
    if ! perl -MAuthen::SASL::Perl::XOAUTH2 -e1 2>/dev/null; then
        shim=" (with the README's XOAUTH2 module for Authen::SASL $(perl -MAuthen::SASL -e 'print $Authen::SASL::VERSION'))"
        mkdir -p "$work/perl5/Authen/SASL/Perl"
        sed -n '/^# BEGIN XOAUTH2.pm$/,/^# END XOAUTH2.pm$/p' "$0" | sed '1d;$d;s/^# //' >"$work/perl5/Authen/SASL/Perl/XOAUTH2.pm"
        export PERL5LIB="$work/perl5${PERL5LIB:+:$PERL5LIB}"
    fi
    before=$(count_ok SMTP)
    git -c sendemail.smtpServer=127.0.0.1 -c sendemail.smtpServerPort="$smtp" -c sendemail.smtpUser="$email" \
        -c sendemail.smtpAuth=XOAUTH2 -c sendemail.smtpEncryption= \
        -c "credential.smtp://127.0.0.1:$smtp.helper=" \
        -c "credential.smtp://127.0.0.1:$smtp.helper=!f() { test \"\$1\" = get && printf 'password=%s\\n' \"\$(mailkey-cli token $email --resource smtp)\"; }; f" \
        send-email --quiet --confirm=never --to=bob@example.com "$work/patches"/*.patch >"$work/git2.out" 2>&1
    [ "$(count_ok SMTP)" -gt "$before" ] && grep -q "^SMTP XOAUTH2 $email ok" "$work/stub.log" &&
        pass "git send-email sendemail.smtpAuth XOAUTH2 + credential helper$shim" ||
        { fail "git send-email native XOAUTH2"; cat "$work/git2.out"; }
    cd "$HOME"
else
    skip "git send-email (git-email or msmtp not installed)"
fi

echo
echo "stub log (every login attempt):"
sed 's/^/  /' "$work/stub.log"
if grep -q "refused" "$work/stub.log"; then failures=$((failures + 1)); fi
echo
echo "audit log of mailkey-cli (token hand-outs and who asked):"
mailkey-cli audit --json | /usr/bin/python3 -c '
import json, sys, collections
c = collections.Counter(e["actor"] for e in json.load(sys.stdin) if e["action"] == "token.handed-out")
for actor, n in sorted(c.items()): print("  %3d  %s" % (n, actor))'
[ $failures -eq 0 ] && echo "all recipes passed" || echo "$failures failure(s)"
# RECIPES_KEEP=DIR keeps the programs' output and configuration for a look.
if [ -n "${RECIPES_KEEP:-}" ]; then
    mkdir -p "$RECIPES_KEEP" && cp -r "$work" "$HOME/.muttrc" "$HOME/.mbsyncrc" "$HOME/.msmtprc" "${XDG_CONFIG_HOME:-$HOME/.config}" "$RECIPES_KEEP"/ 2>/dev/null
fi
exit $failures

# The XOAUTH2 mechanism for Authen::SASL < 2.1700 (the README's copy), for git send-email:
# BEGIN XOAUTH2.pm
# package Authen::SASL::Perl::XOAUTH2;
# use strict;
# use warnings;
# our @ISA = qw(Authen::SASL::Perl);
# my %secflags = (noanonymous => 1);
# sub _order { 1 }
# sub _secflags { shift; scalar grep { $secflags{$_} } @_ }
# sub mechanism { 'XOAUTH2' }
# sub client_start {
#     my $self = shift;
#     $self->{stage} = 0;
#     return 'user=' . $self->_call('user') . "\001auth=Bearer " . $self->_call('pass') . "\001\001";
# }
# sub client_step { '' }
# 1;
# END XOAUTH2.pm
