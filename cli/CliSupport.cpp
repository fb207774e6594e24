#include "cli/CliSupport.h"

#include "core/service/AppSettings.h"

#include "core/common/MailAddress.h"
#include "core/common/Redactor.h"
#include "core/common/SecureBytes.h"
#include "core/common/TextSafety.h"
#include "core/keychain/KeyStore.h"
#include "core/lifecycle/TokenManager.h"
#include "core/providers/ProviderRegistry.h"
#include "core/vault/VaultAccess.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QNetworkAccessManager>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace mailkey::cli {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::cli::CliSupport)
};
} // namespace

Q_LOGGING_CATEGORY(lcCli, "mailkey.cli")

namespace {
QElapsedTimer &clock()
{
    static QElapsedTimer timer;
    return timer;
}
const bool g_started = (clock().start(), true);
} // namespace

qint64 elapsedMs()
{
    Q_UNUSED(g_started)
    return clock().elapsed();
}

namespace {

// The one way mailkey-cli writes to its standard output and error (which are often a terminal):
// every control, bidi or other format character but newline and tab is written as a visible
// \uXXXX escape (TextSafety::escaped), whoever put it into the text (a provider's answer, the
// vault, an argument), so nothing printed can set the terminal's title, clear it, move its cursor
// or reorder the line. One write, flushed. `wipe`: the text may hold a token.
void write(std::FILE *stream, const QString &text, bool wipe)
{
    QString safe = TextSafety::escaped(text);
    QByteArray b = safe.toUtf8();
    std::fwrite(b.constData(), 1, size_t(b.size()), stream);
    std::fflush(stream);
    if (wipe) {
        secureWipe(b);
        secureWipe(safe);
    }
}

} // namespace

void out(const QString &text)
{
    write(stdout, text, true);
}

void err(const QString &text)
{
    write(stderr, redact(text), false);
}

QString oneLine(const QString &text)
{
    return TextSafety::replaced(text);
}

void errVerbatim(const QString &text)
{
    write(stderr, text, false);
}

struct Context::Owned {
    std::unique_ptr<QNetworkAccessManager> network;
    std::unique_ptr<IpcClient> ipc;
    std::unique_ptr<ProviderRegistry> registry;
    std::unique_ptr<TokenManager> tokens;
    std::unique_ptr<QObject> objects; // parent of the command's long-lived objects (serve)
};

Context::Context() : m_owned(std::make_unique<Owned>()) {}

Context::~Context()
{
    // The command's objects and the token manager first: they cancel their work and call back
    // with Cancelled.
    m_owned->objects.reset();
    m_owned->tokens.reset();
    m_owned->ipc.reset();
    m_owned->network.reset();
}

QObject *Context::objects()
{
    if (!m_owned->objects)
        m_owned->objects = std::make_unique<QObject>();
    return m_owned->objects.get();
}

QNetworkAccessManager *Context::network()
{
    if (!m_owned->network)
        m_owned->network = std::make_unique<QNetworkAccessManager>();
    return m_owned->network.get();
}

IpcClient *Context::ipc()
{
    if (!m_owned->ipc)
        m_owned->ipc = std::make_unique<IpcClient>(profile.ipcSocketName());
    return m_owned->ipc.get();
}

Result<ProviderRegistry *> Context::providers(const QString &providersFile)
{
    if (m_owned->registry)
        return m_owned->registry.get();
    // The same settings.ini the window reads and writes.
    const AppSettings settings;
    ProviderRegistry::Settings values = settings.providerSettings();
    QString file = providersFile;
    if (file.isEmpty())
        file = settings.customProvidersFile();
    else if (!QFileInfo::exists(file))
        return Error(ErrorCode::InvalidInput, Text::tr("--providers: there is no file %1.").arg(file.left(300)));
    auto registry = std::make_unique<ProviderRegistry>(values);
    registry->setPolicy(settings.policy());
    if (settings.policy().disables(ManagedPolicy::Feature::CustomProviders)) {
        if (!providersFile.isEmpty())
            return Error(ErrorCode::Config,
                         Text::tr("--providers: custom providers are turned off by your administrator (%1).")
                             .arg(settings.policy().source));
    } else if (Status s = registry->loadCustomProviders(file); !s) {
        return s.error();
    }
    m_owned->registry = std::move(registry);
    return m_owned->registry.get();
}

TokenManager *Context::tokens(const std::shared_ptr<Vault> &vault, ProviderRegistry *registry)
{
    if (!m_owned->tokens)
        m_owned->tokens = std::make_unique<TokenManager>(vault, registry, network(), profile);
    return m_owned->tokens.get();
}

ParsedArgs parseArgs(const QStringList &args, const QStringList &flagNames, const QStringList &valueNames)
{
    ParsedArgs p;
    bool onlyPositional = false;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (onlyPositional || !a.startsWith(QLatin1Char('-')) || a == QLatin1String("-")) {
            p.positional << a;
            continue;
        }
        if (a == QLatin1String("--")) {
            onlyPositional = true;
            continue;
        }
        QString name = a;
        QString value;
        const bool inlineValue = a.startsWith(QLatin1String("--")) && a.contains(QLatin1Char('='));
        if (inlineValue) {
            name = a.section(QLatin1Char('='), 0, 0);
            value = a.section(QLatin1Char('='), 1);
        }
        if (flagNames.contains(name) && !inlineValue) {
            p.flags.insert(name);
        } else if (valueNames.contains(name)) {
            if (!inlineValue) {
                if (i + 1 >= args.size()) {
                    p.error = Text::tr("%1 needs a value").arg(name);
                    return p;
                }
                value = args[++i];
            }
            if (p.values.contains(name)) {
                p.error = Text::tr("%1 is given twice").arg(name);
                return p;
            }
            p.values.insert(name, value);
        } else {
            p.error = Text::tr("unknown option '%1'").arg(a.left(80));
            return p;
        }
    }
    return p;
}

void failWith(Context &ctx, const Error &e)
{
    if (ctx.finished)
        return;
    // Set-up help from core (the missing-client-id steps) comes one step a line: keep the lines,
    // each cleaned and indented under the first, so a terminal shows it readably. Every other
    // error stays on one line.
    const QStringList lines = e.message.trimmed().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (e.code == ErrorCode::Config && lines.size() > 1) {
        QString text = QStringLiteral("mailkey-cli: %1\n").arg(oneLine(lines.first().trimmed()));
        for (qsizetype i = 1; i < lines.size(); ++i)
            text += QStringLiteral("  %1\n").arg(oneLine(lines.at(i)));
        err(text);
        ctx.finish(exitCodeFor(e.code));
        return;
    }
    QString message = e.message.trimmed();
    message.replace(QLatin1Char('\n'), QLatin1Char(' '));
    err(QStringLiteral("mailkey-cli: %1\n").arg(oneLine(message)));
    ctx.finish(exitCodeFor(e.code));
}

std::optional<QString> singleAddress(Context &ctx, const QString &command, const ParsedArgs &p)
{
    if (!p.error.isEmpty()) {
        usageError(ctx, command, p.error);
        return std::nullopt;
    }
    if (p.positional.size() != 1) {
        usageError(ctx, command,
                   p.positional.isEmpty() ? Text::tr("needs the address of an account")
                                          : Text::tr("takes one address"));
        return std::nullopt;
    }
    const QString email = p.positional.first().trimmed();
    if (!MailAddress::isPlausible(email)) {
        usageError(ctx, command, Text::tr("'%1' is not an e-mail address").arg(email.left(80)));
        return std::nullopt;
    }
    return email;
}

bool usageError(Context &ctx, const QString &command, const QString &problem)
{
    if (ctx.finished)
        return false;
    err(Text::tr("mailkey-cli %1: %2. See: mailkey-cli %1 --help\n").arg(command, oneLine(problem)));
    ctx.finish(Usage);
    return false;
}

QString isoTime(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QString();
}

int editDistance(const QString &a, const QString &b)
{
    // Optimal string alignment: Levenshtein plus adjacent transpositions ("lsit" -> "list" is one).
    const qsizetype n = a.size(), m = b.size();
    std::vector<std::vector<int>> d(size_t(n + 1), std::vector<int>(size_t(m + 1)));
    for (qsizetype i = 0; i <= n; ++i)
        d[size_t(i)][0] = int(i);
    for (qsizetype j = 0; j <= m; ++j)
        d[0][size_t(j)] = int(j);
    for (qsizetype i = 1; i <= n; ++i) {
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = a.at(i - 1) == b.at(j - 1) ? 0 : 1;
            int v = std::min({d[size_t(i - 1)][size_t(j)] + 1, d[size_t(i)][size_t(j - 1)] + 1,
                              d[size_t(i - 1)][size_t(j - 1)] + cost});
            if (i > 1 && j > 1 && a.at(i - 1) == b.at(j - 2) && a.at(i - 2) == b.at(j - 1))
                v = std::min(v, d[size_t(i - 2)][size_t(j - 2)] + 1);
            d[size_t(i)][size_t(j)] = v;
        }
    }
    return d[size_t(n)][size_t(m)];
}

QString closestMatch(const QString &typed, const QStringList &candidates)
{
    const QString name = typed.toLower();
    if (name.isEmpty() || name.size() > 40)
        return {};
    QString best;
    int bestDistance = name.size() <= 4 ? 2 : 3;
    bool tie = false;
    QStringList prefixed;
    for (const QString &candidate : candidates) {
        const QString lower = candidate.toLower();
        if (lower.startsWith(name))
            prefixed << candidate;
        const int d = editDistance(name, lower);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
            tie = false;
        } else if (d == bestDistance) {
            tie = true;
        }
    }
    if (!best.isEmpty() && !tie)
        return best;
    return prefixed.size() == 1 ? prefixed.first() : QString();
}

namespace {

// Columns of one code point, as wcwidth() counts them for the common cases: combining marks,
// format characters and the variation selectors take none; East Asian wide and fullwidth
// characters and emoji take two.
int codePointWidth(char32_t c)
{
    if (c == 0x200B || (c >= 0xFE00 && c <= 0xFE0F) || c == 0x200D)
        return 0;
    switch (QChar::category(c)) {
    case QChar::Mark_NonSpacing:
    case QChar::Mark_Enclosing:
    case QChar::Other_Format:
        return 0;
    default:
        break;
    }
    const bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF)
                      || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF)
                      || (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F)
                      || (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F)
                      || (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
    return wide ? 2 : 1;
}

} // namespace

int displayWidth(const QString &text)
{
    int width = 0;
    for (const char32_t c : text.toUcs4())
        width += codePointWidth(c);
    return width;
}

QString padToWidth(const QString &text, int width)
{
    const int have = displayWidth(text);
    return have >= width ? text : text + QString(width - have, QLatin1Char(' '));
}

QJsonObject withJsonVersion(QJsonObject object)
{
    object.insert(QStringLiteral("format"), JsonFormat);
    object.insert(QStringLiteral("mailkey_version"), QStringLiteral(MAILKEY_VERSION));
    return object;
}

bool noVaultYet(const Profile &profile)
{
    const QFileInfo vault(profile.databasePath());
    return !vault.exists() && !vault.isSymLink();
}

void withVault(Context &ctx, std::function<void(const std::shared_ptr<Vault> &)> then)
{
    qCDebug(lcCli, "%lld ms: unlocking the vault", elapsedMs());
    // Header check only: this runs at every mail login, and a full check reads the whole file
    // (which grows with the audit log). Damage still shows as VaultDamaged when a page is read;
    // `mailkey-cli status` and the window check every page.
    VaultAccess::unlock(
        ctx.profile, ctx.store,
        [&ctx, then = std::move(then)](Result<OpenedVault> opened) {
            qCDebug(lcCli, "%lld ms: vault %s", elapsedMs(), opened ? "open" : "not open");
            if (!opened) {
                failWith(ctx, opened.error());
                return;
            }
            then(opened->vault);
        },
        Vault::IntegrityCheck::Header);
}

void askWindowJson(Context &ctx, const QJsonObject &request, int timeoutMs, bool fallbackAfterSend,
                   std::function<void(const QJsonObject &reply)> answered, std::function<void()> notReachable)
{
    qCDebug(lcCli, "%lld ms: asking the MailKey window", elapsedMs());
    ctx.ipc()->send(
        request, timeoutMs,
        [answered = std::move(answered), notReachable = std::move(notReachable),
         fallbackAfterSend](IpcClient::Reply reply) {
            qCDebug(lcCli, "%lld ms: window %s (%s)", elapsedMs(), reply.answered ? "answered" : "did not answer",
                    qPrintable(reply.problem));
            if (reply.foreignPeer)
                err(Text::tr("mailkey-cli: warning: %1.\n").arg(reply.problem));
            if (reply.answered) {
                const QString code = ipc::replyErrorCode(reply.body);
                if (code == QLatin1String(ipc::NotReadyCode) || code == QLatin1String(ipc::UnsupportedVersionCode)
                    || code == QLatin1String(ipc::UnknownOpCode)) {
                    notReachable();
                    return;
                }
                answered(reply.body);
                return;
            }
            if (!reply.sent || fallbackAfterSend) {
                notReachable();
                return;
            }
            answered(ipc::errorReply(ipc::errorCodeName(ErrorCode::Internal),
                                     Text::tr("The MailKey window took the request but stopped answering (%1). "
                                              "Check the result with: mailkey-cli list")
                                         .arg(reply.problem)));
        });
}

} // namespace mailkey::cli
