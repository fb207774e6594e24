# bash completion for mailkey-cli (installed as
# /usr/share/bash-completion/completions/mailkey-cli; or `source` this file).
#
# Completes the commands, each command's options and their fixed values, provider ids (microsoft,
# google and the "id"s of the providers file) and the addresses of connected accounts. The
# addresses come from `mailkey-cli list --json`, which only reads: it creates no vault on first
# run and never unlocks the keyring (a locked keyring makes it fail, and no address is offered).
# MAILKEY_COMPLETE_ACCOUNTS=0 turns that off. Nothing else is run.
# Needs no bash-completion helper functions.

_mailkey_cli_commands='connect token check list remove audit export import erase-all serve rotate-key sign-out-everywhere status reset-vault help'

# The provider ids: the built-in ones and those of the providers file (--providers FILE on the
# line, else <config>/providers.json).
_mailkey_cli_providers()
{
    local file=$1
    if [[ -z $file ]]; then
        file=${MAILKEY_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/MailKey}/providers.json
    fi
    printf '%s\n' microsoft google
    if [[ -f $file && -r $file ]]; then
        grep -o '"id"[[:space:]]*:[[:space:]]*"[a-z0-9-]*"' -- "$file" 2>/dev/null |
            sed 's/.*"\([a-z0-9-]*\)"$/\1/'
    fi
}

# The addresses of the connected accounts of the profile (see above: only reads).
_mailkey_cli_accounts()
{
    [[ ${MAILKEY_COMPLETE_ACCOUNTS:-1} == 0 ]] && return
    local -a profileArgs=()
    [[ -n $1 ]] && profileArgs=(--profile "$1")
    "${_mailkey_cli_program:-mailkey-cli}" "${profileArgs[@]}" list --json 2>/dev/null </dev/null |
        sed -n 's/^[[:space:]]*"email":[[:space:]]*"\([^"\\]*\)",*$/\1/p'
}

# The profiles that have a folder.
_mailkey_cli_profiles()
{
    local dir=${MAILKEY_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/MailKey}/profiles
    [[ -d $dir ]] && (cd -- "$dir" 2>/dev/null && printf '%s\n' *) | grep -v '^\*$'
    printf '%s\n' default
}

_mailkey_cli()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local command='' profile='' providers='' i word
    local -i positionals=0
    _mailkey_cli_program=${COMP_WORDS[0]}
    COMPREPLY=()

    # The command, the --profile and --providers given so far (anywhere), and how many positional
    # arguments the command already has.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
        --profile | --providers)
            if [[ $word == --profile ]]; then profile=${COMP_WORDS[i + 1]}; else providers=${COMP_WORDS[i + 1]}; fi
            ((i++))
            ;;
        --login-hint | --resource | --sasl | --host | --port | --provider | --imap | --smtp | --ca | --since | --until | --output | --passphrase-fd | --from | --keep-days)
            ((i++))
            ;;
        -*) ;;
        *)
            if [[ -z $command ]]; then command=$word; else positionals+=1; fi
            ;;
        esac
    done
    # Tilde in a file name the user typed (a literal "~/" on the line).
    # shellcheck disable=SC2088
    [[ $providers == '~/'* ]] && providers=$HOME/${providers#'~/'}

    # The value of an option.
    case $prev in
    --providers | --ca | --output)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return
        ;;
    --profile)
        mapfile -t COMPREPLY < <(compgen -W "$(_mailkey_cli_profiles)" -- "$cur")
        return
        ;;
    --resource)
        mapfile -t COMPREPLY < <(compgen -W 'graph imap smtp' -- "$cur")
        return
        ;;
    --sasl)
        mapfile -t COMPREPLY < <(compgen -W 'xoauth2 oauthbearer' -- "$cur")
        return
        ;;
    --provider)
        mapfile -t COMPREPLY < <(compgen -W "$(_mailkey_cli_providers "$providers")" -- "$cur")
        return
        ;;
    --since | --until)
        mapfile -t COMPREPLY < <(compgen -W '1h 12h 1d 7d 30d' -- "$cur")
        return
        ;;
    --from)
        mapfile -t COMPREPLY < <(compgen -W 'mutt-oauth2' -- "$cur")
        return
        ;;
    --passphrase-fd | --keep-days)
        return
        ;;
    --login-hint | --host | --port | --imap | --smtp)
        return
        ;;
    esac

    local global='--profile --providers --help'
    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "$global --version" -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -W "$_mailkey_cli_commands" -- "$cur")
        fi
        return
    fi

    # The options of the command, and what its first positional argument is.
    local options='' first=''
    case $command in
    connect) options='--login-hint --no-browser --device' first=provider ;;
    token) options='--resource --sasl --host --port --provider' first=account ;;
    check) options='--imap --smtp --ca --sasl --json --provider' first=account ;;
    remove) options='--provider' first=account ;;
    audit) options='--json --since --until --verify --prune --keep-days' first=account ;;
    export) options='--output --passphrase-fd --with-audit' ;;
    import) options='--passphrase-fd --from --provider' first=file ;;
    list | status) options='--json' ;;
    sign-out-everywhere | reset-vault) options='--yes' ;;
    erase-all) options='--yes --all-profiles' ;;
    rotate-key) ;;
    serve) ;;
    help) first=commands ;;
    *) return ;;
    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$options $global" -- "$cur")
        return
    fi
    ((positionals == 0)) || return
    local values=''
    case $first in
    provider) values=$(_mailkey_cli_providers "$providers") ;;
    account) values=$(_mailkey_cli_accounts "$profile") ;;
    commands) values=$_mailkey_cli_commands ;;
    file)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return
        ;;
    *) return ;;
    esac
    mapfile -t COMPREPLY < <(compgen -W "$values" -- "$cur")
}

complete -F _mailkey_cli mailkey-cli
