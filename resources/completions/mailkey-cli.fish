# fish completion for mailkey-cli (installed as
# /usr/share/fish/vendor_completions.d/mailkey-cli.fish).
#
# Completes the commands, each command's options and their fixed values, provider ids (microsoft,
# google and the "id"s of the providers file) and the addresses of connected accounts. The
# addresses come from `mailkey-cli list --json`, which only reads: it creates no vault on first
# run and never unlocks the keyring (a locked keyring makes it fail, and no address is offered).
# MAILKEY_COMPLETE_ACCOUNTS=0 turns that off. Nothing else is run.

set -l __mailkey_cli_commands connect token check list remove audit export import erase-all serve rotate-key sign-out-everywhere status reset-vault help

# The value after OPTION on the command line so far, if any.
function __mailkey_cli_option_value -a option
    set -l words (commandline -opc)
    for i in (seq 2 (count $words))
        if test "$words[$i]" = "$option"; and test $i -lt (count $words)
            echo $words[(math $i + 1)]
            return
        end
    end
end

# The provider ids: the built-in ones and those of the providers file (--providers FILE on the
# line, else <config>/providers.json).
function __mailkey_cli_providers
    set -l file (__mailkey_cli_option_value --providers)
    if test -z "$file"
        set -l config $XDG_CONFIG_HOME
        test -z "$config"; and set config $HOME/.config
        set file $config/MailKey/providers.json
        set -q MAILKEY_CONFIG_DIR; and test -n "$MAILKEY_CONFIG_DIR"; and set file $MAILKEY_CONFIG_DIR/providers.json
    end
    printf '%s\n' microsoft google
    if test -f "$file" -a -r "$file"
        grep -o '"id"[[:space:]]*:[[:space:]]*"[a-z0-9-]*"' -- $file 2>/dev/null | sed 's/.*"\([a-z0-9-]*\)"$/\1/'
    end
end

# The addresses of the connected accounts of the profile (see above: only reads).
function __mailkey_cli_accounts
    test "$MAILKEY_COMPLETE_ACCOUNTS" = 0; and return
    set -l program (commandline -opc)[1]
    set -l profile (__mailkey_cli_option_value --profile)
    set -l args
    test -n "$profile"; and set args --profile $profile
    $program $args list --json 2>/dev/null </dev/null | sed -n 's/^[[:space:]]*"email":[[:space:]]*"\([^"\\\\]*\)",*$/\1/p'
end

# The profiles that have a folder.
function __mailkey_cli_profiles
    set -l data $MAILKEY_DATA_DIR
    if test -z "$data"
        set data $XDG_DATA_HOME
        test -z "$data"; and set data $HOME/.local/share
        set data $data/MailKey
    end
    echo default
    for dir in $data/profiles/*/
        basename $dir
    end
end

# True when the command is COMMAND and it has no positional argument yet.
function __mailkey_cli_first_argument_of -a command
    set -l words (commandline -opc)
    set -l seen 0
    set -l skip 0
    for word in $words[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
            case --profile --providers --login-hint --resource --sasl --host --port --provider --imap --smtp --ca --since --until --output --passphrase-fd --from --keep-days
                set skip 1
            case '-*'
            case '*'
                set seen (math $seen + 1)
                if test $seen = 1; and test "$word" != "$command"
                    return 1
                end
        end
    end
    test $seen = 1
end

complete -c mailkey-cli -f
# Global options, anywhere.
complete -c mailkey-cli -l profile -x -a '(__mailkey_cli_profiles)' -d 'Use a separate vault with its own key'
complete -c mailkey-cli -l providers -r -F -d 'Custom providers file'
complete -c mailkey-cli -s h -l help -d 'Show help'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -l version -d 'Show the version'

# Commands.
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a connect -d 'Sign in to a mailbox'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a token -d 'Print a valid access token'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a check -d 'Log in to the mail servers as a mail program would'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a list -d 'Connected accounts'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a remove -d 'Revoke and delete an account'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a audit -d 'The audit log'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a export -d 'Encrypted backup of the profile'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a import -d 'Merge a backup or a mutt_oauth2 token file'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a erase-all -d 'Revoke and delete everything MailKey keeps'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a serve -d 'Keep the tokens fresh in the background'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a rotate-key -d 'Re-encrypt the vault with a new key'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a sign-out-everywhere -d 'Revoke and delete every token'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a status -d 'The vault, the keychain, the window'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a reset-vault -d 'Start a new vault beside an unreadable one'
complete -c mailkey-cli -n "not __fish_seen_subcommand_from $__mailkey_cli_commands" -a help -d 'Help on a command'

# Positional arguments.
complete -c mailkey-cli -n '__mailkey_cli_first_argument_of connect' -a '(__mailkey_cli_providers)' -d Provider
for command in token check remove audit
    complete -c mailkey-cli -n "__mailkey_cli_first_argument_of $command" -a '(__mailkey_cli_accounts)' -d Account
end
complete -c mailkey-cli -n '__mailkey_cli_first_argument_of help' -a "$__mailkey_cli_commands"
complete -c mailkey-cli -n '__mailkey_cli_first_argument_of import' -F -d File

# Options of each command.
complete -c mailkey-cli -n '__fish_seen_subcommand_from connect' -l login-hint -x -d 'Account name for the sign-in page'
complete -c mailkey-cli -n '__fish_seen_subcommand_from connect' -l no-browser -d 'Do not start a browser'
complete -c mailkey-cli -n '__fish_seen_subcommand_from connect' -l device -d 'Sign in on another device with a code'
complete -c mailkey-cli -n '__fish_seen_subcommand_from token' -l resource -x -a 'graph imap smtp' -d 'Token for'
complete -c mailkey-cli -n '__fish_seen_subcommand_from token check' -l sasl -x -a 'xoauth2 oauthbearer' -d 'SASL mechanism'
complete -c mailkey-cli -n '__fish_seen_subcommand_from token' -l host -x -d 'Server named in an OAUTHBEARER string'
complete -c mailkey-cli -n '__fish_seen_subcommand_from token' -l port -x -d 'Port named in an OAUTHBEARER string'
complete -c mailkey-cli -n '__fish_seen_subcommand_from token check remove' -l provider -x -a '(__mailkey_cli_providers)' -d 'Which account, when EMAIL has several'
complete -c mailkey-cli -n '__fish_seen_subcommand_from check' -l imap -x -d 'IMAP server'
complete -c mailkey-cli -n '__fish_seen_subcommand_from check' -l smtp -x -d 'SMTP server'
complete -c mailkey-cli -n '__fish_seen_subcommand_from check' -l ca -r -F -d 'Trust only the CAs in this PEM file'
complete -c mailkey-cli -n '__fish_seen_subcommand_from check audit list status' -l json -d 'Machine-readable output'
complete -c mailkey-cli -n '__fish_seen_subcommand_from audit' -l since -x -a '1h 12h 1d 7d 30d' -d 'Entries since a date, a time or an age'
complete -c mailkey-cli -n '__fish_seen_subcommand_from audit' -l until -x -a '1h 12h 1d 7d 30d' -d 'Entries until a date, a time or an age'
complete -c mailkey-cli -n '__fish_seen_subcommand_from audit' -l verify -d 'Check the hash chain'
complete -c mailkey-cli -n '__fish_seen_subcommand_from audit' -l prune -d 'Remove old entries under a checkpoint'
complete -c mailkey-cli -n '__fish_seen_subcommand_from audit' -l keep-days -x -d 'Days of entries to keep'
complete -c mailkey-cli -n '__fish_seen_subcommand_from sign-out-everywhere reset-vault erase-all' -l yes -d 'Confirm'
complete -c mailkey-cli -n '__fish_seen_subcommand_from erase-all' -l all-profiles -d 'Every profile, and the settings'
complete -c mailkey-cli -n '__fish_seen_subcommand_from export' -l output -r -F -d 'The backup file to write'
complete -c mailkey-cli -n '__fish_seen_subcommand_from export' -l with-audit -d 'Include the audit log'
complete -c mailkey-cli -n '__fish_seen_subcommand_from export import' -l passphrase-fd -x -d 'Read the passphrase from this file descriptor'
complete -c mailkey-cli -n '__fish_seen_subcommand_from import' -l from -x -a 'mutt-oauth2' -d 'Another tool\'s token file'
complete -c mailkey-cli -n '__fish_seen_subcommand_from import' -l provider -x -a '(__mailkey_cli_providers)' -d 'Provider of the imported account'
