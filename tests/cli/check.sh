#!/bin/sh
# `mailkey-cli check` against a real mail server, as a new user runs it: Debian's Dovecot
# (tests/cli/dovecot.sh), which checks every XOAUTH2 / OAUTHBEARER token by RFC 7662
# introspection at the authorization server MailKey signed in with (tests/cli/mailtest.sh, the
# setup tests/cli/recipes.sh uses). Checked: a good login on IMAP and submission, over TLS from the
# first byte and over STARTTLS, with XOAUTH2 and with OAUTHBEARER, each confirmed by Dovecot's log;
# the servers taken from imap_host / smtp_host in providers.json; --json; a certificate that does
# not verify (exit 8, and Dovecot saw no login attempt); a token the server refuses (revoked at the
# provider: exit 7); the audit log; and that no token reached the output.
#
# Usage: tests/cli/check.sh BUILD_DIR   (runs itself inside tests/support/with-keyring.sh; as root
# or any user, see tests/cli/dovecot.sh)
#   RECIPES_PROVIDER, RECIPES_OIDC_SERVER as for tests/cli/recipes.sh
set -u

if [ "${1:-}" != "--inside" ]; then
    build=$(cd "${1:?usage: tests/cli/check.sh BUILD_DIR}" && pwd)
    root=$(cd "$(dirname "$0")/../.." && pwd)
    exec sh "$root/tests/support/with-keyring.sh" sh "$root/tests/cli/check.sh" --inside "$build" "$root"
fi
build=$2 root=$3
. "$root/tests/cli/mailtest.sh"

# The token the servers get (the provider's, for every resource of a custom provider): it must
# never reach the output.
token=$(mailkey-cli token "$email" --resource imap)
leaked() { [ -n "$token" ] && grep -qF "$token" "$@"; }

# check NAME ARGS...: runs mailkey-cli check with ARGS; its output in $work/NAME.out and .err,
# its exit code in $rc.
check() {
    name=$1
    shift
    mailkey-cli check "$email" "$@" >"$work/$name.out" 2>"$work/$name.err"
    rc=$?
    if leaked "$work/$name.out" "$work/$name.err"; then fail "$name: the token was printed"; fi
}
explain() { show "$work/$name.out" "$work/$name.err"; since_begin | show; }

# --- good logins: both TLS modes, both mechanisms --------------------------------------------------
for mode in tls starttls; do
    for mech in xoauth2 oauthbearer; do
        MECH=$(echo $mech | tr a-z A-Z)
        if [ $mode = tls ]; then
            imap="imaps://127.0.0.1:$dovecot_imaps" smtp="smtps://127.0.0.1:$dovecot_submissions"
            iport=$dovecot_imaps sport=$dovecot_submissions
        else
            imap="imap://127.0.0.1:$dovecot_imap" smtp="smtp://127.0.0.1:$dovecot_submission"
            iport=$dovecot_imap sport=$dovecot_submission
        fi
        begin
        check "good-$mode-$mech" --imap "$imap" --smtp "$smtp" --ca "$ca" --sasl $mech
        [ $rc = 0 ] && logged_in imap "$MECH" "$iport" && logged_in submission "$MECH" "$sport" &&
            grep -q "Every login works" "$work/$name.out" &&
            grep -q "ok  *command .*EXAMINE INBOX" "$work/$name.out" &&
            grep -q "ok  *command .*RSET: nothing was sent" "$work/$name.out" &&
            pass "check $mode $mech: IMAP and submission logins, Dovecot logged both over TLS with $MECH" ||
            { fail "check $mode $mech (exit $rc)"; explain; }
    done
done
[ $mode = starttls ] && ! since_begin | grep -q "method=PLAIN" # nothing but OAuth was offered anyway

# --- a provider that names no server: not checked, and not "works" --------------------------------
begin
check skipped --ca "$ca" --smtp "smtps://127.0.0.1:$dovecot_submissions"
[ $rc = 1 ] && grep -q "IMAP: not checked: the provider .* names no IMAP server: give --imap" "$work/$name.out" &&
    logged_in submission XOAUTH2 "$dovecot_submissions" && ! grep -q "Every login works" "$work/$name.out" &&
    pass "check without an IMAP server for the provider: SMTP checked, IMAP said to be unchecked, exit 1" ||
    { fail "check with no IMAP server known (exit $rc)"; explain; }

# --- the servers from providers.json, and --json ---------------------------------------------------
/usr/bin/python3 - "$MAILKEY_CONFIG_DIR/providers.json" "127.0.0.1:$dovecot_imap" \
    "smtps://127.0.0.1:$dovecot_submissions" <<'PY'
import json, sys
path, imap, smtp = sys.argv[1:]
doc = json.load(open(path))
for p in doc["providers"]:
    p["imap_host"], p["smtp_host"] = "imap://" + imap, smtp
json.dump(doc, open(path, "w"))
PY
begin
check json --ca "$ca" --json
/usr/bin/python3 - "$work/json.out" "$dovecot_imap" "$dovecot_submissions" <<'PY' && [ $rc = 0 ] &&
import json, sys
doc = json.load(open(sys.argv[1]))
imap, smtp = doc["servers"]
assert doc["ok"] and doc["exit_code"] == 0, doc
assert imap["server"] == "imap://127.0.0.1:%s" % sys.argv[2] and imap["tls"] == "starttls", imap
assert smtp["server"] == "smtps://127.0.0.1:%s" % sys.argv[3] and smtp["tls"] == "implicit", smtp
for s in (imap, smtp):
    assert s["outcome"] == "ok" and s["mechanism"] == "XOAUTH2", s
    steps = [x["step"] for x in s["steps"]]
    assert steps[-3:] == ["authenticate", "command", "logout"], steps
    assert all(x["ok"] and x["ms"] >= 0 for x in s["steps"]), s
    assert s["token"] == {"jwt": False}, s["token"]
assert [x["step"] for x in imap["steps"]][:5] == ["connect", "greeting", "starttls", "tls", "capabilities"]
PY
    logged_in imap XOAUTH2 "$dovecot_imap" && logged_in submission XOAUTH2 "$dovecot_submissions" &&
    pass "check --json with imap_host / smtp_host from providers.json: one object per server and step" ||
    { fail "check --json (exit $rc)"; explain; }

# --- a certificate that does not verify: refused, and no login reached Dovecot ------------------
# Without --ca the system's trust store knows nothing of the run's CA. Dovecot logs each
# connection as closed while "TLS handshaking": 2.3 (Debian 12) as "Disconnected: ... (no auth
# attempts ...)" or "(disconnected before auth was ready ...)", 2.4 (Debian 13) as "Login aborted:
# Connection closed (disconnected during TLS handshake) ... TLS handshaking".
for pair in "imaps://127.0.0.1:$dovecot_imaps smtps://127.0.0.1:$dovecot_submissions" \
    "imap://127.0.0.1:$dovecot_imap smtp://127.0.0.1:$dovecot_submission"; do
    set -- $pair
    begin
    check untrusted --imap "$1" --smtp "$2"
    sleep 0.3 # Dovecot logs the disconnect after the client left
    [ $rc = 8 ] && grep -q "not trusted" "$work/$name.out" &&
        ! since_begin | grep -q "auth failed\|Login:\|Logged in:\|method=[A-Z]" &&
        [ "$(since_begin | grep -c "\(Disconnected\|Login aborted\): .*TLS handshaking")" -ge 2 ] &&
        pass "check $1 $2 without the CA: exit 8, Dovecot saw no auth attempt" ||
        { fail "check with an untrusted certificate (exit $rc)"; explain; }
done

# --- a usage error and an unknown account ----------------------------------------------------------
check usage --imap 127.0.0.1:10000
[ $rc = 2 ] && grep -q "imaps://HOST:10000" "$work/$name.err" && pass "check --imap with a non-standard port and no scheme: exit 2" ||
    { fail "check usage (exit $rc)"; explain; }
mailkey-cli check nobody@example.com --ca "$ca" >"$work/unknown.out" 2>"$work/unknown.err"
[ $? = 3 ] && pass "check of an unknown account: exit 3" || { fail "check unknown account"; show "$work/unknown.err"; }

# --- a token the server refuses --------------------------------------------------------------------
# Revoked at the provider: mailkey-cli still hands it out (it has not expired), Dovecot's
# introspection now answers "active": false.
code=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "token=$token" -d "client_id=$public_client" "$revocation")
[ "$code" = 200 ] || fail "the provider did not revoke the token (HTTP $code)"
for mech in xoauth2 oauthbearer; do
    begin
    check "refused-$mech" --ca "$ca" --sasl $mech --json
    /usr/bin/python3 - "$work/$name.out" <<'PY' && [ $rc = 7 ] && refused imap && refused submission &&
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["exit_code"] == 7, doc
for s in doc["servers"]:
    assert s["outcome"] == "refused" and s["failed_step"] == "authenticate" and s["login_sent"], s
    assert s["diagnosis"], s
PY
        pass "check $mech with a revoked token: exit 7, Dovecot refused both logins" ||
        { fail "check $mech with a revoked token (exit $rc)"; explain; }
done
begin
check refused-text --ca "$ca"
[ $rc = 7 ] && grep -q "FAIL authenticate" "$work/$name.out" && grep -q "Problem:" "$work/$name.out" &&
    pass "check with a revoked token says which step failed and why" || { fail "check refused text"; explain; }
echo "    what a person reads:"
show "$work/refused-text.out"

# --- the audit log ---------------------------------------------------------------------------------
mailkey-cli audit --json >"$work/audit.json" 2>"$work/audit.err"
/usr/bin/python3 - "$work/audit.json" <<'PY' && ! leaked "$work/audit.json" &&
import json, sys
checks = [e for e in json.load(open(sys.argv[1])) if e["action"] == "mail.check"]
outcomes = [e["outcome"] for e in checks]
assert outcomes.count("ok") == 11, outcomes
assert outcomes.count("untrusted") == 4, outcomes
assert outcomes.count("refused") == 6, outcomes
for e in checks:
    assert e["actor"] == "mailkey-cli check", e
    assert e["detail"].startswith(("imap", "smtp")), e
PY
    pass "every check is in the audit log (server, mechanism, outcome), no token there" ||
    { fail "audit log of the checks"; show "$work/audit.json" "$work/audit.err"; }
mailkey-cli audit --verify >/dev/null 2>&1 && pass "the audit log's hash chain holds" || fail "audit --verify"

[ $failures -eq 0 ] && echo "all checks passed" || echo "$failures failure(s)"
exit $failures
