# The mail setup that tests/cli/recipes.sh and tests/cli/check.sh share, as a new user has it: a
# fresh HOME with mailkey-cli on PATH, an authorization server (node's oidc-provider from
# tests/thirdparty/oidc-provider when the tree has it, else the fake provider mailkey-fake-idp;
# RECIPES_PROVIDER=fake|oidc-provider chooses, RECIPES_OIDC_SERVER=FILE names oidc-provider's
# server.mjs), the account $email connected with `mailkey-cli connect PROVIDER --no-browser` (curl
# as the browser), a CA and a server certificate for 127.0.0.1 made for the run, the relay host,
# and Dovecot (tests/cli/dovecot.sh), which checks every token by introspection at that server.
# Source it (POSIX sh) inside tests/support/with-keyring.sh with $build and $root set. It sets
# $work, $srv, $ca, $issuer, $introspection, $revocation, $public_client, the dovecot_* ports,
# pass/fail/skip/wait_for and $failures, and a trap that stops everything at exit.
. "$root/tests/cli/dovecot.sh"
email=you@outlook.com # the README's address: the provider signs in as this user
export MAILKEY_DATA_DIR="$HOME/data" MAILKEY_CONFIG_DIR="$HOME/config"
mkdir -p "$MAILKEY_CONFIG_DIR" "$HOME/bin"
# mailkey-cli on PATH, as after installing the package.
ln -s "$build/app/mailkey-cli" "$HOME/bin/mailkey-cli"
export PATH="$HOME/bin:$PATH"
work="$HOME/work"
mkdir -p "$work"
# Dovecot's own users (dovenull, nobody) must reach its files: not under the private $HOME.
srv=$(mktemp -d /tmp/mailkey-dovecot.XXXXXX)
pids=""
cleanup() {
    dovecot_stop
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$srv"
}
trap cleanup EXIT INT TERM
failures=0
pass() { echo "PASS  $1"; }
fail() { echo "FAIL  $1"; failures=$((failures + 1)); }
# A missing mail program is a failure: the README's test command installs every one of them.
# RECIPES_ALLOW_MISSING=1 (by hand, on a machine without some of them) only reports it.
skip() {
    if [ -n "${RECIPES_ALLOW_MISSING:-}" ]; then echo "SKIP  $1"; else fail "$1"; fi
}
wait_for() { i=0; until eval "$1"; do i=$((i + 1)); [ $i -lt 200 ] || return 1; sleep 0.05; done; }

# --- the authorization server and the account ----------------------------------------------------
# node's oidc-provider (tests/thirdparty/oidc-provider) when the tree has it, else the fake
# provider; RECIPES_PROVIDER=fake|oidc-provider chooses. Either way Dovecot asks it about each
# token at $introspection as the confidential client $rs_id, and the user signs in as $email.
oidc_server=${RECIPES_OIDC_SERVER:-$root/tests/thirdparty/oidc-provider/server.mjs}
if [ -e "$oidc_server" ]; then provider=${RECIPES_PROVIDER:-oidc-provider}; else provider=${RECIPES_PROVIDER:-fake}; fi
case "$provider" in
fake)
    rs_id=dovecot rs_secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    "$build/tests/support/fakeidp/mailkey-fake-idp" --port 0 --email "$email" \
        --introspection-client "$rs_id:$rs_secret" >"$work/idp.out" 2>"$work/idp.err" &
    pids="$pids $!"
    wait_for 'grep -q "\"providers\"" "$work/idp.out" 2>/dev/null' || { echo "fake provider did not start"; exit 1; }
    sleep 0.2
    issuer=$(sed -n 's/^ *"issuer": "\([^"]*\)",*$/\1/p' "$work/idp.out")
    introspection="$issuer/introspect" revocation="$issuer/revoke" public_client=mailkey-fake-client
    grep -v '"openid",' "$work/idp.out" >"$MAILKEY_CONFIG_DIR/providers.json"
    # The fake provider signs everyone in at once: curl follows it back to mailkey-cli.
    browse() { curl -s -L -o /dev/null "$1"; }
    ;;
oidc-provider)
    node "$oidc_server" </dev/null >"$work/idp.out" 2>"$work/idp.err" &
    pids="$pids $!"
    wait_for 'grep -q "\"issuer\"" "$work/idp.out" 2>/dev/null' || { echo "oidc-provider did not start:"; cat "$work/idp.err"; exit 1; }
    issuer=$(sed -n '1s/.*"issuer":"\([^"]*\)".*/\1/p' "$work/idp.out")
    rs_id=mailkey-introspect rs_secret=mailkey-introspect-secret # its test client (not a secret)
    introspection="$issuer/token/introspection" revocation="$issuer/token/revocation" public_client=mailkey-test
    cat >"$MAILKEY_CONFIG_DIR/providers.json" <<JSON
{"providers": [{"id": "$provider", "name": "oidc-provider", "issuer": "$issuer",
                "authorization_endpoint": "$issuer/auth", "token_endpoint": "$issuer/token",
                "userinfo_endpoint": "$issuer/me", "revocation_endpoint": "$revocation",
                "client_id": "$public_client",
                "scopes": ["openid", "email", "profile", "offline_access"]}]}
JSON
    # Its development login and consent pages: curl posts each form (hidden fields, and the
    # login as $email) until the redirect reaches mailkey-cli.
    browse() {
        page=$(curl -s -c "$work/jar" -b "$work/jar" -L "$1")
        while action=$(echo "$page" | sed -n 's/.*<form[^>]* action="\([^"]*\)".*/\1/p' | head -n 1) && [ -n "$action" ]; do
            set -- $(echo "$page" | sed -n 's/.*<input type="hidden" name="\([^"]*\)" value="\([^"]*\)".*/-d \1=\2/p')
            echo "$page" | grep -q 'name="login"' && set -- "$@" -d "login=$email" -d password=any
            page=$(curl -s -c "$work/jar" -b "$work/jar" -L "$@" "$action")
        done
    }
    ;;
*) echo "RECIPES_PROVIDER must be fake or oidc-provider"; exit 2 ;;
esac
mailkey-cli connect "$provider" --no-browser >"$work/connect.out" 2>"$work/connect.err" &
cpid=$!
wait_for 'grep -qs "http://127.0.0.1" "$work/connect.err"' || { echo "no sign-in address"; exit 1; }
browse "$(grep -o 'http://127.0.0.1[^ ]*' "$work/connect.err" | head -n 1)"
wait $cpid
[ "$(cat "$work/connect.out")" = "$email" ] && pass "connect $provider --no-browser (curl as the browser)" ||
    { fail "connect $provider"; cat "$work/connect.err"; exit 1; }
t=$(mailkey-cli token "$email") && [ -n "$t" ] && pass "mailkey-cli token $email" || fail "mailkey-cli token"
unset t

# --- a CA, a server certificate for 127.0.0.1, Dovecot and its relay host ------------------------
ca="$work/ca.pem"
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$work/server.ext"
{ openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=MailKey recipes CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout "$work/ca.key" -out "$ca" &&
  openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$srv/server.key" -out "$work/server.csr" &&
  openssl x509 -req -in "$work/server.csr" -CA "$ca" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
      -extfile "$work/server.ext" -out "$srv/server.pem"; } >"$work/openssl.out" 2>&1 ||
    { echo "openssl could not make the certificates:"; cat "$work/openssl.out"; exit 1; }
/usr/bin/python3 "$root/tests/cli/smtpsink.py" "$work/relay.port" "$work/relay.log" \
    "$dovecot_lda" -c "$srv/dovecot.conf" 2>"$work/relay.err" &
pids="$pids $!"
wait_for '[ -s "$work/relay.port" ]' || { echo "the relay host did not start"; exit 1; }
dovecot_start "$srv" "$introspection" "$rs_id" "$rs_secret" "$(cat "$work/relay.port")" "$srv/server.pem" "$srv/server.key" ||
    { fail "Dovecot $(dovecot --version 2>/dev/null) did not start"; exit 1; }
pass "Dovecot $(dovecot --version | cut -d' ' -f1): IMAP $dovecot_imap (STARTTLS) $dovecot_imaps (TLS), submission $dovecot_submission (STARTTLS) $dovecot_submissions (TLS)"

# begin: remember where the logs are; then logged_in SERVICE MECH PORT: since begin, Dovecot logged
# a login of $email over TLS on PORT with MECH, that is a token it had verified by introspection
# (its only way to let anyone in here). 2.3 logs "Login:", 2.4 "Logged in:".
begin() { log_mark=$(wc -l <"$srv/dovecot.log"); touch "$work/mark"; }
since_begin() { tail -n +"$((log_mark + 1))" "$srv/dovecot.log"; }
logged_in() {
    since_begin | grep -q "$1-login: Info: \(Login\|Logged in\): user=<$email>, method=$2, .*lport=$3, .*TLS"
}
refused() { # SERVICE: since begin, Dovecot refused the token and let nobody in
    ! since_begin | grep -q "$1-login: Info: \(Login\|Logged in\):" &&
        since_begin | grep -q "$1-login: .*auth failed"
}
show() { sed 's/^/    /' "$@"; }
