#!/bin/sh
# The shell completions of mailkey-cli (resources/completions), run for real:
#   bash: the completion is sourced into bash, COMP_WORDS/COMP_CWORD are set as bash sets them,
#         _mailkey_cli runs and COMPREPLY is compared. Every command of `mailkey-cli --help` must
#         be completed (a command added without its completion fails here). The addresses come
#         from the real mailkey-cli, on a first run: none are offered and nothing is created.
#   fish: the same questions through `complete -C` (when fish is installed; else skipped, said so).
#   zsh:  `zsh -n` only (zsh completion needs an interactive zle to run).
# Addresses of connected accounts are tested in test_cli (CliTest.cpp), against a real vault.
# Usage: completion.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1 src=$2
cli="$build/app/mailkey-cli"
completions="$src/resources/completions"
[ -x "$cli" ] || { echo "completion.sh: $cli is missing: build mailkey-cli" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
export MAILKEY_DATA_DIR="$work/data" MAILKEY_CONFIG_DIR="$work/config"
mkdir -p "$HOME" "$MAILKEY_CONFIG_DIR"
# No keyring is needed: nothing here may unlock one.
unset DBUS_SESSION_BUS_ADDRESS || true
cat >"$MAILKEY_CONFIG_DIR/providers.json" <<'JSON'
{"providers": [{"id": "corp-sso", "name": "Corp", "issuer": "https://sso.corp.example"},
               {"id": "uni", "name": "University", "issuer": "https://login.uni.example"}]}
JSON
cat >"$work/other.json" <<'JSON'
{
  "providers": [
    { "id": "other-idp", "name": "Other", "issuer": "https://other.example" }
  ]
}
JSON

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# bash_complete WORD... : the completions bash offers for the last WORD (the one being typed).
bash_complete() {
    bash --norc --noprofile -c '
        source "$1" || exit 1
        shift
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        _mailkey_cli mailkey-cli "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf "%s\n" "${COMPREPLY[@]}"
    ' bash "$completions/mailkey-cli.bash" "$@" | sort
}

# expect_bash "EXPECTED WORDS" WORD... : exactly these completions (any order).
expect_bash() {
    want=$(printf '%s\n' $1 | sort)
    shift
    got=$(bash_complete "$@")
    [ "$got" = "$want" ] || fail "bash: mailkey-cli $(echo "$@" | cut -d' ' -f2-) -> [$(echo $got)], expected [$(echo $want)]"
}

# contains_bash WORD_EXPECTED WORD... : this completion is among those offered.
contains_bash() {
    want=$1
    shift
    bash_complete "$@" | grep -qx -- "$want" || fail "bash: mailkey-cli $(echo "$@" | cut -d' ' -f2-) does not offer $want"
}

# ---- bash ----------------------------------------------------------------------------------------
bash -n "$completions/mailkey-cli.bash" || fail "bash -n"
bash --norc --noprofile -c 'source "$1" && complete -p mailkey-cli' bash "$completions/mailkey-cli.bash" \
    | grep -q -- '-F _mailkey_cli mailkey-cli' || fail "bash: no 'complete -F _mailkey_cli mailkey-cli'"

# Every command of the overview (its "Commands:" section: lines of two spaces and a name).
commands=$("$cli" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p')
[ -n "$commands" ] || fail "no commands found in mailkey-cli --help"
for c in $commands help; do
    contains_bash "$c" "$cli" ""
done
expect_bash "$commands help" "$cli" ""
expect_bash "connect" "$cli" co
expect_bash "reset-vault remove" "$cli" re
expect_bash "rotate-key" "$cli" ro
expect_bash "--profile --providers --help --version" "$cli" --
# The same after a global option and its value.
expect_bash "serve status sign-out-everywhere" "$cli" --profile work s

# Provider ids: the built-in ones and those of providers.json; of --providers FILE when given.
expect_bash "microsoft google corp-sso uni" "$cli" connect ""
expect_bash "google" "$cli" connect go
expect_bash "microsoft google other-idp" "$cli" --providers "$work/other.json" connect ""
expect_bash "microsoft google other-idp" "$cli" connect --providers "$work/other.json" ""
expect_bash "microsoft google corp-sso uni" "$cli" token a@example.com --provider ""
# After the provider, only options.
expect_bash "" "$cli" connect google ""

# Options of each command, with the global ones.
expect_bash "--login-hint --no-browser --device --profile --providers --help" "$cli" connect google --
expect_bash "--resource --sasl --host --port --provider --profile --providers --help" "$cli" token a@example.com --
expect_bash "--json --profile --providers --help" "$cli" list --
expect_bash "--json --profile --providers --help" "$cli" status --
expect_bash "--yes --profile --providers --help" "$cli" reset-vault --
expect_bash "--json --since --until --verify --prune --keep-days --profile --providers --help" "$cli" audit --
expect_bash "--imap --smtp --ca --sasl --json --provider --profile --providers --help" "$cli" check a@example.com --
# Fixed values.
expect_bash "graph imap smtp" "$cli" token a@example.com --resource ""
expect_bash "imap" "$cli" token a@example.com --resource i
expect_bash "xoauth2 oauthbearer" "$cli" check a@example.com --sasl ""
expect_bash "rotate-key" "$cli" help rot
# Files for --providers and --ca.
contains_bash "$work/other.json" "$cli" connect --providers "$work/oth"

# Addresses on a first run: none (no vault), and asking created nothing: no data folder, no
# config file besides providers.json.
expect_bash "" "$cli" token ""
expect_bash "" "$cli" --profile work remove ""
[ ! -e "$MAILKEY_DATA_DIR" ] || fail "completing an address created $(find "$MAILKEY_DATA_DIR" | head -3 | tr '\n' ' ')"
[ "$(find "$HOME" "$MAILKEY_CONFIG_DIR" -mindepth 1 | sort | tr '\n' ' ')" = "$HOME/.config $HOME/.config/MailKey $MAILKEY_CONFIG_DIR/providers.json " ] ||
    [ "$(find "$HOME" "$MAILKEY_CONFIG_DIR" -mindepth 1 | sort | tr '\n' ' ')" = "$MAILKEY_CONFIG_DIR/providers.json " ] ||
    fail "completion created files: $(find "$HOME" "$MAILKEY_CONFIG_DIR" -mindepth 1 | tr '\n' ' ')"

# ---- fish ----------------------------------------------------------------------------------------
if command -v fish >/dev/null 2>&1; then
    fish -n "$completions/mailkey-cli.fish" || fail "fish -n"
    fish_complete() {
        fish --no-config -c "source '$completions/mailkey-cli.fish'; complete -C '$1'" | cut -f1 | sort
    }
    expect_fish() {
        want=$(printf '%s\n' $1 | sort)
        got=$(fish_complete "$2")
        [ "$got" = "$want" ] || fail "fish: '$2' -> [$(echo $got)], expected [$(echo $want)]"
    }
    expect_fish "connect" "mailkey-cli con"
    expect_fish "microsoft google corp-sso uni" "mailkey-cli connect "
    expect_fish "graph imap smtp" "mailkey-cli token a@example.com --resource "
    expect_fish "--json" "mailkey-cli list --j"
    expect_fish "--device" "mailkey-cli connect microsoft --dev"
    expect_fish "xoauth2 oauthbearer" "mailkey-cli check a@example.com --sasl "
    for c in $commands; do
        fish_complete "mailkey-cli " | grep -qx -- "$c" || fail "fish: mailkey-cli does not offer $c"
    done
    echo "fish: checked"
else
    echo "fish: not installed, its completion was not checked"
fi

# ---- zsh -----------------------------------------------------------------------------------------
if command -v zsh >/dev/null 2>&1; then
    zsh -n "$completions/_mailkey-cli" || fail "zsh -n"
    for c in $commands; do
        grep -q "'$c:" "$completions/_mailkey-cli" || fail "zsh: command $c is not in _mailkey-cli"
    done
    grep -q "'--device\[" "$completions/_mailkey-cli" || fail "zsh: connect --device is not in _mailkey-cli"
    echo "zsh: syntax and command list checked (not run)"
else
    echo "zsh: not installed, its completion was not checked"
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "completion: all checks passed"
