# Starts Debian's Dovecot (dovecot-imapd, dovecot-submissiond) for tests/cli/recipes.sh, from a
# config file of its own, as a user's mail server would run it: IMAP and submission on 127.0.0.1,
# each with STARTTLS and with TLS from the first byte, passwords refused, and every XOAUTH2 or
# OAUTHBEARER token checked by RFC 7662 introspection at the authorization server
# (passdb oauth2, introspection_mode = post). The introspection answer must carry an "email"
# claim: that is the user name. Messages sent through submission go to a relay host, which hands
# them to dovecot-lda, so they land in the recipient's INBOX. Source this file (POSIX sh).
#
#   dovecot_start DIR INTROSPECTION_URL CLIENT_ID CLIENT_SECRET RELAY_PORT CERT KEY
#     DIR: an empty directory (made world-searchable: Dovecot's own users must enter it).
#     INTROSPECTION_URL, CLIENT_ID, CLIENT_SECRET: the introspection endpoint and Dovecot's
#     credentials there. Dovecot 2.3 sends them as client_secret_post (given as user:password in
#     the URL it sends HTTP Basic plus empty client_id and client_secret parameters, which strict
#     servers refuse as two methods at once); 2.4 sends only HTTP Basic, from the URL.
#     Sets dovecot_imap (STARTTLS), dovecot_imaps, dovecot_submission (STARTTLS),
#     dovecot_submissions, dovecot_conf (for dovecot-lda and doveadm -c) and dovecot_pid.
#     As root, Dovecot's login processes run as dovenull and its mail processes as nobody; as
#     another user everything runs as that user, without chroot. Returns 1 with a message when
#     Dovecot is missing or does not start.
#   dovecot_stop
#   dovecot_lda       the path of dovecot-lda (Debian keeps it in /usr/lib/dovecot)
#   dovecot_version   "2.3" or "2.4"

dovecot_version() {
    dovecot --version 2>/dev/null | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p'
}

dovecot_lda=$(command -v dovecot-lda || echo /usr/lib/dovecot/dovecot-lda)

# Free TCP ports on 127.0.0.1 (the kernel's choice; closed again right away).
dovecot_free_ports() {
    /usr/bin/python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

dovecot_start() {
    dv_dir=$1 dv_introspection=$2 dv_client_id=$3 dv_client_secret=$4 dv_relay=$5 dv_cert=$6 dv_key=$7
    command -v dovecot >/dev/null || { echo "dovecot is not installed (apt-get install dovecot-imapd dovecot-submissiond)"; return 1; }
    mkdir -p "$dv_dir/mail" "$dv_dir/run" "$dv_dir/state" && chmod 755 "$dv_dir" || return 1
    if [ "$(id -u)" = 0 ]; then
        dv_internal=dovecot dv_internal_group=dovecot dv_login=dovenull dv_uid=nobody dv_gid=nogroup
        dv_rootless=
        chown nobody:nogroup "$dv_dir/mail" || return 1
    else
        # Dovecot without root: one user for everything, and no chroot for the login processes.
        dv_internal=$(id -un) dv_internal_group=$(id -gn) dv_login=$(id -un) dv_uid=$(id -un) dv_gid=$(id -gn)
        dv_rootless="first_valid_uid = $(id -u)
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
service submission-login {
  chroot =
}"
    fi
    set -- $(dovecot_free_ports 4)
    dovecot_imap=$1 dovecot_imaps=$2 dovecot_submission=$3 dovecot_submissions=$4
    dovecot_conf="$dv_dir/dovecot.conf"
    case "$(dovecot_version)" in
    2.3) dovecot_config_23 ;;
    2.4) dovecot_config_24 ;;
    *) echo "Dovecot $(dovecot --version) is neither 2.3 (Debian 12) nor 2.4 (Debian 13)"; return 1 ;;
    esac
    dovecot -c "$dovecot_conf" -F >"$dv_dir/dovecot.out" 2>&1 &
    dovecot_pid=$!
    dv_i=0
    until [ -S "$dv_dir/run/auth-userdb" ] && dovecot_listening; do
        dv_i=$((dv_i + 1))
        if [ $dv_i -ge 200 ] || ! kill -0 $dovecot_pid 2>/dev/null; then
            echo "Dovecot did not start:"; cat "$dv_dir/dovecot.out" "$dv_dir/dovecot.log" 2>/dev/null
            return 1
        fi
        sleep 0.05
    done
}

# Every listener is up: a LISTEN (0A) socket on 127.0.0.1 (0100007F) at the port, read from
# /proc/net/tcp so that nothing beyond the minimal system is needed (a minbase root has no ss).
dovecot_listening() {
    for p in $dovecot_imap $dovecot_imaps $dovecot_submission $dovecot_submissions; do
        awk -v a="$(printf '0100007F:%04X' "$p")" '$2 == a && $4 == "0A" { f = 1 } END { exit !f }' \
            /proc/net/tcp || return 1
    done
}

dovecot_stop() {
    [ -n "${dovecot_pid:-}" ] || return 0
    kill "$dovecot_pid" 2>/dev/null
    dv_i=0
    while kill -0 "$dovecot_pid" 2>/dev/null && [ $dv_i -lt 100 ]; do dv_i=$((dv_i + 1)); sleep 0.05; done
    dovecot_pid=
}

# The same in 2.3 and 2.4: STARTTLS and TLS listeners for IMAP and submission.
dovecot_listeners() {
    cat <<EOF
service imap-login {
  inet_listener imap {
    port = $dovecot_imap
  }
  inet_listener imaps {
    port = $dovecot_imaps
    ssl = yes
  }
}
service submission-login {
  inet_listener submission {
    port = $dovecot_submission
  }
  inet_listener submissions {
    port = $dovecot_submissions
    ssl = yes
  }
}
EOF
}

# Dovecot 2.3 (Debian 12).
dovecot_config_23() {
    cat >"$dv_dir/oauth2.conf.ext" <<EOF
introspection_mode = post
introspection_url = $dv_introspection
client_id = $dv_client_id
client_secret = $dv_client_secret
username_attribute = email
active_attribute = active
active_value = true
force_introspection = yes
EOF
    cat >"$dovecot_conf" <<EOF
instance_name = mailkey-recipes-$$
base_dir = $dv_dir/run
state_dir = $dv_dir/state
log_path = $dv_dir/dovecot.log
auth_verbose = yes
login_log_format_elements = user=<%u> method=%m rip=%r lip=%l lport=%a mpid=%e %c session=<%{session}>
protocols = imap submission
listen = 127.0.0.1
ssl = required
ssl_cert = <$dv_cert
ssl_key = <$dv_key
disable_plaintext_auth = yes
auth_mechanisms = xoauth2 oauthbearer
default_internal_user = $dv_internal
default_internal_group = $dv_internal_group
default_login_user = $dv_login
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dv_dir/oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=$dv_uid gid=$dv_gid home=$dv_dir/mail/%u allow_all_users=yes
}
mail_location = maildir:~/Maildir
postmaster_address = postmaster@example.com
hostname = mail.example.com
submission_relay_host = 127.0.0.1
submission_relay_port = $dv_relay
$(dovecot_listeners)
$dv_rootless
EOF
}

# The introspection URL with the client's credentials as user:password, percent-encoded.
dovecot_basic_url() {
    /usr/bin/python3 -c '
import sys, urllib.parse as u
url, user, password = sys.argv[1:]
p = u.urlsplit(url)
print(u.urlunsplit(p._replace(netloc="%s:%s@%s" % (u.quote(user, safe=""), u.quote(password, safe=""), p.netloc))))' \
        "$dv_introspection" "$dv_client_id" "$dv_client_secret"
}

# Dovecot 2.4 (Debian 13): new names for most settings, named filters for the databases, and the
# XOAUTH2 / OAUTHBEARER mechanisms check tokens with the oauth2 settings themselves (no passdb).
dovecot_config_24() {
    cat >"$dovecot_conf" <<EOF
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
instance_name = mailkey-recipes-$$
base_dir = $dv_dir/run
state_dir = $dv_dir/state
log_path = $dv_dir/dovecot.log
auth_verbose = yes
login_log_format_elements = user=<%{user}> method=%{mechanism} rip=%{remote_ip} lip=%{local_ip} lport=%{local_port} mpid=%{mail_pid} %{secured} session=<%{session}>
protocols = imap submission
listen = 127.0.0.1
ssl = required
ssl_server_cert_file = $dv_cert
ssl_server_key_file = $dv_key
auth_allow_cleartext = no
auth_mechanisms = xoauth2 oauthbearer
default_internal_user = $dv_internal
default_internal_group = $dv_internal_group
default_login_user = $dv_login
oauth2 {
  introspection_mode = post
  introspection_url = $(dovecot_basic_url)
  username_attribute = email
  active_attribute = active
  active_value = true
  force_introspection = yes
}
userdb static {
  static_allow_all_users = yes
  fields {
    uid = $dv_uid
    gid = $dv_gid
    home = $dv_dir/mail/%{user}
  }
}
mail_driver = maildir
mail_path = ~/Maildir
postmaster_address = postmaster@example.com
hostname = mail.example.com
submission_relay_host = 127.0.0.1
submission_relay_port = $dv_relay
$(dovecot_listeners)
$dv_rootless
EOF
}
