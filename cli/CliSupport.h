#pragma once

// Shared plumbing of the mailkey-cli commands (one file per command group: VaultCommands.cpp,
// TokenCommands.cpp, ConnectCommand.cpp). Not a public API.

#include "cli/ExitCode.h"
#include "core/common/Profile.h"
#include "core/common/Result.h"
#include "core/ipc/IpcClient.h"
#include "core/ipc/IpcMessages.h"
#include "core/service/TokenBroker.h"

#include <QDateTime>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>

class QNetworkAccessManager;

namespace mailkey {
class KeyStore;
class ProviderRegistry;
class TokenManager;
class Vault;
} // namespace mailkey

namespace mailkey::cli {

Q_DECLARE_LOGGING_CATEGORY(lcCli)

// Milliseconds since mailkey-cli started (for the MAILKEY_DEBUG timings).
qint64 elapsedMs();

// Everything mailkey-cli prints goes through out(), err() or errVerbatim(): one write, flushed, with
// every control, bidi and other format character except newline and tab shown as a \uXXXX escape
// (TextSafety), so no text from a provider, the vault or an argument can drive the terminal.
// Writes to stdout (only the value that was asked for; the buffers are wiped after the write).
void out(const QString &text);
// Writes a message to stderr, through redact().
void err(const QString &text);
// `text` as one printable line: control, bidi and other format characters (newlines, ESC, U+202E
// ...) become '?', so an echoed value can neither break the one-line error nor reorder it.
QString oneLine(const QString &text);
// Writes to stderr WITHOUT redact(): only for the sign-in address, which must reach the user
// intact (it carries the state and the PKCE challenge by design, never a token).
void errVerbatim(const QString &text);

struct Context {
    Profile profile;
    QString command;
    QStringList args; // after the command name
    KeyStore *store = nullptr;
    std::function<void(int)> finish;
    // Set by a command that can stop cleanly on Ctrl-C; otherwise Ctrl-C ends with 130 at once.
    std::function<void()> onInterrupt;
    // How long a command with onInterrupt may take to end after Ctrl-C / SIGTERM before it is
    // ended with 130 (serve: its refreshes in flight are committed first).
    int interruptGraceMs = 3000;
    // Set by a command whose work is complete and committed when it finishes: the process then
    // ends without tearing down (no vault close with its WAL checkpoint, no D-Bus goodbyes).
    bool quickExit = false;
    // finish() was called: later failures (a cancelled request calling back) print nothing.
    bool finished = false;

    // Created on first use.
    QNetworkAccessManager *network();
    // A parent for objects that live as long as the command (destroyed before the rest).
    QObject *objects();
    IpcClient *ipc();
    // The providers, loaded as the window loads them (settings.ini, environment) plus the
    // custom providers file (`providersFile`, else the configured or default providers.json).
    Result<ProviderRegistry *> providers(const QString &providersFile);
    // A TokenManager over `vault` (standalone: the CLI refreshes itself under the cross-process lock).
    TokenManager *tokens(const std::shared_ptr<Vault> &vault, ProviderRegistry *registry);

    Context();
    ~Context();
    Context(const Context &) = delete;
    Context &operator=(const Context &) = delete;

private:
    struct Owned;
    std::unique_ptr<Owned> m_owned;
};

using Command = std::function<void(Context &)>;

struct CommandInfo {
    const char *help;
    Command run;
};

// Options of a command: flags (--json) and options with a value (--since TIME). Anything else that
// starts with "--" is an error; the rest are positional arguments.
struct ParsedArgs {
    QStringList positional;
    QSet<QString> flags;
    QMap<QString, QString> values;
    QString error;
};
ParsedArgs parseArgs(const QStringList &args, const QStringList &flagNames, const QStringList &valueNames);

void failWith(Context &ctx, const Error &e);
// The one address a command takes (`token EMAIL`, `check EMAIL`) from parsed arguments: trimmed
// and plausible. Otherwise (also for p.error) a usage error ends the command and this is empty.
std::optional<QString> singleAddress(Context &ctx, const QString &command, const ParsedArgs &p);
bool usageError(Context &ctx, const QString &command, const QString &problem);
QString isoTime(const QDateTime &t);

// "Did you mean": the candidate a mistyped name most likely meant, compared case-insensitively: the
// closest by edit distance (with adjacent transpositions), at most 2 edits (1 for names of up to 4
// letters), or else the only candidate the name begins; empty when none is close or two are
// equally close.
QString closestMatch(const QString &typed, const QStringList &candidates);
int editDistance(const QString &a, const QString &b);

// Display width of `text` in a terminal's columns: wide (East Asian) and emoji characters take 2,
// combining marks and other zero-width characters 0, the rest 1. For aligning table columns.
int displayWidth(const QString &text);
// `text` followed by spaces up to `width` columns (as displayWidth() counts them); never cut.
QString padToWidth(const QString &text, int width);

// Every JSON document mailkey-cli prints carries the schema version of its output ("format",
// raised only on an incompatible change) and the version of MailKey that wrote it
// ("mailkey_version"). Objects get both at their top level; each object of an array gets both.
inline constexpr int JsonFormat = 1;
QJsonObject withJsonVersion(QJsonObject object);

// Nothing (no file, no link, nothing else) is at the profile's vault path: there is no vault yet.
// The commands that only look (status, list) then say so instead of unlocking, which would create
// a vault and a key on first run. Makes no folder.
bool noVaultYet(const Profile &profile);

// Unlocks the vault, then runs `then` with it; failures end the command with the right code.
void withVault(Context &ctx, std::function<void(const std::shared_ptr<Vault> &)> then);

// askWindow() below, on the JSON of the request and of the reply.
void askWindowJson(Context &ctx, const QJsonObject &request, int timeoutMs, bool fallbackAfterSend,
                   std::function<void(const QJsonObject &reply)> answered, std::function<void()> notReachable);

// Asks the running MailKey window (if any). `answered` gets the window's reply, read by
// ipc::parseReply(): the window's error or its answer. `notReachable` runs when no window answered
// before the request was sent, or the window said it cannot serve it yet (no vault open, older
// protocol): the caller then does the work itself. A window that took the request and then broke
// off is reported by `answered` as an Internal error only when `fallbackAfterSend` is false; with
// true (idempotent requests such as token), it falls back.
template <ipc::RequestMessage Request>
void askWindow(Context &ctx, const Request &request, int timeoutMs, bool fallbackAfterSend,
               std::function<void(Result<typename Request::Reply>)> answered, std::function<void()> notReachable)
{
    askWindowJson(
        ctx, request.toJson(), timeoutMs, fallbackAfterSend,
        [answered = std::move(answered)](const QJsonObject &reply) {
            answered(ipc::parseReply<typename Request::Reply>(reply));
        },
        std::move(notReachable));
}

// A valid access token, as `mailkey-cli token` gets it: from the running MailKey window (one shared
// cache and refresh), else here, from the vault with a TokenManager of this process under the
// cross-process refresh lock. With a providers file always here. `done` gets the answer (its
// token is a secret: wipe it after use) or the error.
void fetchToken(Context &ctx, const TokenBroker::TokenQuery &query, const QString &providersFile,
                std::function<void(Result<TokenBroker::TokenAnswer>)> done);

// Command tables of each group.
void addVaultCommands(std::map<QString, CommandInfo> &table);
void addTokenCommands(std::map<QString, CommandInfo> &table);
void addConnectCommand(std::map<QString, CommandInfo> &table);
void addCheckCommand(std::map<QString, CommandInfo> &table);
void addBackupCommands(std::map<QString, CommandInfo> &table);
void addEraseCommand(std::map<QString, CommandInfo> &table);
void addServeCommand(std::map<QString, CommandInfo> &table);

} // namespace mailkey::cli
