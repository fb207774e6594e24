#include "core/providers/ProviderFile.h"

#include "core/common/Profile.h"
#include "core/mailcheck/MailServer.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QRegularExpression>
#include <QSet>

#include <optional>

#if defined(Q_OS_UNIX)
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::ProviderFile)
};
} // namespace

namespace {

const char *const KnownFields[] = {
    "id",
    "name",
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "revocation_endpoint",
    "device_authorization_endpoint",
    "client_id",
    "client_secret",
    "scopes",
    "redirect_host",
    "redirect_path",
    "authorization_response_iss_parameter_supported",
    "imap_host",
    "smtp_host",
};

QString jsonTypeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("undefined");
}

bool hasControlCharacters(const QString &s)
{
    for (QChar c : s) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            return true;
    }
    return false;
}

// RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
bool isScopeToken(const QString &s)
{
    if (s.isEmpty() || s.size() > 512)
        return false;
    for (QChar c : s) {
        const ushort u = c.unicode();
        if (u < 0x21 || u > 0x7E || u == 0x22 || u == 0x5C)
            return false;
    }
    return true;
}

// Shortened and stripped of control characters, for quoting a user-typed name in a message.
QString quoted(const QString &s)
{
    QString out;
    for (QChar c : s.left(40)) {
        if (c.isPrint())
            out.append(c);
    }
    if (s.size() > 40)
        out.append(QStringLiteral("..."));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

class EntryParser {
public:
    EntryParser(int index, const QJsonObject &obj, QList<ProviderProblem> &problems)
        : m_index(index), m_obj(obj), m_problems(problems)
    {}

    std::optional<Provider> parse()
    {
        // The id first, so every other problem of this entry can name it.
        const QJsonValue idValue = m_obj.value(QStringLiteral("id"));
        if (idValue.isUndefined()) {
            problem(QStringLiteral("id"), QStringLiteral("is required"));
        } else if (!idValue.isString()) {
            wrongType(QStringLiteral("id"), QStringLiteral("a string"), idValue);
        } else if (!Provider::isValidCustomId(idValue.toString())) {
            problem(
                QStringLiteral("id"),
                QStringLiteral("%1 must be 1 to 32 characters of a-z, 0-9 and \"-\"").arg(quoted(idValue.toString())));
        } else if (idValue.toString() == QLatin1String(Provider::MicrosoftId)
                   || idValue.toString() == QLatin1String(Provider::GoogleId)) {
            m_id = idValue.toString();
            problem(QStringLiteral("id"), QStringLiteral("\"%1\" is a built-in provider; choose another id").arg(m_id));
            m_id.clear();
        } else {
            m_id = idValue.toString();
        }

        for (auto it = m_obj.begin(); it != m_obj.end(); ++it) {
            bool known = false;
            for (const char *f : KnownFields)
                known = known || it.key() == QLatin1String(f);
            if (!known)
                problem(it.key().left(64), QStringLiteral("is not a known field"));
        }

        Provider p;
        p.kind = Provider::Kind::Custom;
        p.id = m_id;

        const std::optional<QString> name = string(QStringLiteral("name"));
        if (name) {
            if (name->trimmed().isEmpty())
                problem(QStringLiteral("name"), QStringLiteral("must not be empty"));
            else if (name->size() > 64)
                problem(QStringLiteral("name"), QStringLiteral("is longer than 64 characters"));
            else if (hasControlCharacters(*name))
                problem(QStringLiteral("name"), QStringLiteral("must not contain control characters"));
            else
                p.displayName = name->trimmed();
        }
        if (p.displayName.isEmpty())
            p.displayName = m_id;

        const std::optional<QString> issuer = string(QStringLiteral("issuer"));
        if (!issuer) {
            if (m_obj.value(QStringLiteral("issuer")).isUndefined())
                problem(QStringLiteral("issuer"), QStringLiteral("is required"));
        } else {
            const QString why = Provider::issuerProblem(*issuer);
            if (!why.isEmpty())
                problem(QStringLiteral("issuer"), why);
            else
                p.issuer = *issuer;
        }

        const std::optional<QUrl> authz = endpoint(QStringLiteral("authorization_endpoint"));
        const std::optional<QUrl> token = endpoint(QStringLiteral("token_endpoint"));
        const bool hasAuthz = m_obj.contains(QStringLiteral("authorization_endpoint"));
        const bool hasToken = m_obj.contains(QStringLiteral("token_endpoint"));
        if (hasAuthz && !hasToken)
            problem(QStringLiteral("token_endpoint"), QStringLiteral("is required when authorization_endpoint is set "
                                                                     "(or leave both out to use OpenID discovery)"));
        if (hasToken && !hasAuthz)
            problem(QStringLiteral("authorization_endpoint"),
                    QStringLiteral("is required when token_endpoint is set "
                                   "(or leave both out to use OpenID discovery)"));
        if (authz)
            p.authorizationEndpoint = *authz;
        if (token)
            p.tokenEndpoint = *token;
        p.needsDiscovery = !hasAuthz && !hasToken;
        if (const std::optional<QUrl> u = endpoint(QStringLiteral("userinfo_endpoint")))
            p.userinfoEndpoint = *u;
        if (const std::optional<QUrl> u = endpoint(QStringLiteral("revocation_endpoint")))
            p.revocationEndpoint = *u;
        if (const std::optional<QUrl> u = endpoint(QStringLiteral("device_authorization_endpoint")))
            p.deviceAuthorizationEndpoint = *u;
        p.profileEndpoint = p.userinfoEndpoint;

        if (const std::optional<QString> clientId = string(QStringLiteral("client_id"))) {
            if (clientId->isEmpty() || clientId->size() > 512 || hasControlCharacters(*clientId)
                || clientId->contains(QLatin1Char(' ')))
                problem(QStringLiteral("client_id"),
                        QStringLiteral("must be 1 to 512 characters without spaces or control characters"));
            else
                p.clientId = *clientId;
        }
        // The secret's value never appears in a message.
        if (const std::optional<QString> secret = string(QStringLiteral("client_secret"))) {
            if (secret->isEmpty() || secret->size() > 512 || hasControlCharacters(*secret))
                problem(QStringLiteral("client_secret"),
                        QStringLiteral("must be 1 to 512 characters without control characters"));
            else
                p.clientSecret = *secret;
        }
        if (!p.clientId.isEmpty())
            p.credentialSource = Provider::CredentialSource::File;

        const QJsonValue scopes = m_obj.value(QStringLiteral("scopes"));
        if (scopes.isUndefined()) {
            p.scopes = QStringList{QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("offline_access")};
        } else if (!scopes.isArray()) {
            wrongType(QStringLiteral("scopes"), QStringLiteral("an array of strings"), scopes);
        } else {
            const QJsonArray arr = scopes.toArray();
            if (arr.isEmpty())
                problem(QStringLiteral("scopes"), QStringLiteral("must not be empty"));
            for (qsizetype i = 0; i < arr.size(); ++i) {
                const QString field = QStringLiteral("scopes[%1]").arg(i);
                if (!arr.at(i).isString())
                    wrongType(field, QStringLiteral("a string"), arr.at(i));
                else if (!isScopeToken(arr.at(i).toString()))
                    problem(field, QStringLiteral("is not a valid scope (no spaces, quotes or backslashes)"));
                else if (!p.scopes.contains(arr.at(i).toString()))
                    p.scopes.append(arr.at(i).toString());
            }
        }
        // One token serves IMAP and SMTP as well.
        p.resourceScopes.insert(QString::fromLatin1(Provider::ResourceImap), p.scopes);
        p.resourceScopes.insert(QString::fromLatin1(Provider::ResourceSmtp), p.scopes);

        if (const std::optional<QString> host = string(QStringLiteral("redirect_host"))) {
            const QString why = Provider::redirectHostProblem(*host);
            if (!why.isEmpty())
                problem(QStringLiteral("redirect_host"), why);
            else
                p.redirectHost = *host;
        }
        if (const std::optional<QString> path = string(QStringLiteral("redirect_path"))) {
            const QString why = Provider::redirectPathProblem(*path);
            if (!why.isEmpty())
                problem(QStringLiteral("redirect_path"), why);
            else
                p.redirectPath = *path;
        } else if (!m_id.isEmpty()) {
            p.redirectPath = QStringLiteral("/oauth/") + m_id;
        }

        const QJsonValue iss = m_obj.value(QStringLiteral("authorization_response_iss_parameter_supported"));
        if (!iss.isUndefined()) {
            if (!iss.isBool())
                wrongType(QStringLiteral("authorization_response_iss_parameter_supported"), QStringLiteral("a boolean"),
                          iss);
            else
                p.issRequired = iss.toBool();
        }

        // The mail servers of `mailkey-cli check`, read as that command reads --imap and --smtp.
        const auto mailServer = [this](const char *field, MailServer::Protocol protocol) -> QString {
            const std::optional<QString> value = string(QString::fromLatin1(field));
            if (!value)
                return QString();
            const Result<MailServer> server = MailServer::parse(protocol, *value);
            if (!server) {
                problem(QString::fromLatin1(field), server.error().message);
                return QString();
            }
            return *value;
        };
        p.imapServer = mailServer("imap_host", MailServer::Protocol::Imap);
        p.smtpServer = mailServer("smtp_host", MailServer::Protocol::Smtp);

        if (m_failed)
            return std::nullopt;
        return p;
    }

private:
    void problem(const QString &field, const QString &reason)
    {
        m_failed = true;
        m_problems.append(ProviderProblem{m_index, m_id, field, reason});
    }

    void wrongType(const QString &field, const QString &expected, const QJsonValue &v)
    {
        problem(field, QStringLiteral("must be %1, not %2").arg(expected, jsonTypeName(v)));
    }

    std::optional<QString> string(const QString &field)
    {
        const QJsonValue v = m_obj.value(field);
        if (v.isUndefined())
            return std::nullopt;
        if (!v.isString()) {
            wrongType(field, QStringLiteral("a string"), v);
            return std::nullopt;
        }
        return v.toString();
    }

    std::optional<QUrl> endpoint(const QString &field)
    {
        const std::optional<QString> s = string(field);
        if (!s)
            return std::nullopt;
        const QUrl url(*s, QUrl::StrictMode);
        const QString why = Provider::endpointProblem(url);
        if (!why.isEmpty()) {
            problem(field, why);
            return std::nullopt;
        }
        return url;
    }

    int m_index;
    const QJsonObject &m_obj;
    QList<ProviderProblem> &m_problems;
    QString m_id;
    bool m_failed = false;
};

Error fileError(const QString &source, const QString &what)
{
    return Error(ErrorCode::Config, Text::tr("The custom providers file %1 %2. Fix or remove the file; the built-in "
                                             "providers are still available.")
                                        .arg(source.isEmpty() ? QStringLiteral("(providers.json)") : source, what));
}

} // namespace

QString ProviderProblem::message() const
{
    QString where;
    if (providerIndex >= 0) {
        where = QStringLiteral("providers[%1]").arg(providerIndex);
        if (!id.isEmpty())
            where += QStringLiteral(" (\"%1\")").arg(id);
    } else if (!id.isEmpty()) {
        where = QStringLiteral("provider \"%1\"").arg(id);
    }
    QString out = where;
    if (!field.isEmpty())
        out += (out.isEmpty() ? QString() : QStringLiteral(": ")) + field;
    out += (out.isEmpty() ? QString() : QStringLiteral(": ")) + reason;
    return out;
}

QString ProviderFile::defaultPath()
{
    return Profile::configRoot() + QLatin1Char('/') + QLatin1String(FileName);
}

namespace {

enum class IfMissing {
    Error,
    NoProviders
};

QString tooLarge()
{
    return QStringLiteral("is larger than %1 KiB").arg(ProviderFile::MaxFileSize / 1024);
}

#if defined(Q_OS_UNIX)
// What a file that is not a regular file is, for the message.
QString kindOf(mode_t mode)
{
    if (S_ISDIR(mode))
        return QStringLiteral("a folder");
    if (S_ISFIFO(mode))
        return QStringLiteral("a named pipe (FIFO)");
    if (S_ISSOCK(mode))
        return QStringLiteral("a socket");
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return QStringLiteral("a device");
    return QStringLiteral("not a regular file");
}
#endif

// The bytes of a providers file, never blocking: `token` reads this file at every mail login, and a
// FIFO or device there must not hang the mail program that called it. The file is opened without
// blocking (O_NONBLOCK: opening a FIFO no one writes to returns at once) and the opened descriptor
// is checked (fstat), so what is read is the regular file that was checked. Sets `missing` for a
// file that does not exist.
Result<QByteArray> readProvidersFile(const QString &path, bool &missing)
{
    missing = false;
#if defined(Q_OS_UNIX)
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        const int e = errno;
        if (e == ENOENT) {
            missing = true;
            return fileError(path, QStringLiteral("does not exist"));
        }
        if (e == ENXIO) // a socket, or a device without its driver
            return fileError(path, QStringLiteral("is not a regular file"));
        return fileError(path, QStringLiteral("cannot be read (%1)").arg(QString::fromLocal8Bit(std::strerror(e))));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const mode_t mode = st.st_mode;
        ::close(fd);
        return fileError(path, QStringLiteral("is %1, not a regular file").arg(kindOf(mode)));
    }
    if (st.st_size > ProviderFile::MaxFileSize) {
        ::close(fd);
        return fileError(path, tooLarge());
    }
    QFile file;
    if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return fileError(path, QStringLiteral("cannot be read (%1)").arg(file.errorString()));
    }
#else
    const QFileInfo info(path);
    if (!info.exists()) {
        missing = true;
        return fileError(path, QStringLiteral("does not exist"));
    }
    if (!info.isFile())
        return fileError(path, QStringLiteral("is not a regular file"));
    if (info.size() > ProviderFile::MaxFileSize)
        return fileError(path, tooLarge());
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fileError(path, QStringLiteral("cannot be read (%1)").arg(file.errorString()));
#endif
    QByteArray data = file.read(ProviderFile::MaxFileSize + 1);
    if (data.size() > ProviderFile::MaxFileSize)
        return fileError(path, tooLarge());
    return data;
}

Result<ProviderFile::Contents> loadFile(const QString &path, IfMissing ifMissing)
{
    bool missing = false;
    const Result<QByteArray> data = readProvidersFile(path, missing);
    if (!data && missing && ifMissing == IfMissing::NoProviders) {
        ProviderFile::Contents empty;
        empty.path = path;
        return empty;
    }
    if (!data)
        return data.error();
    Result<ProviderFile::Contents> r = ProviderFile::parse(*data, path);
    if (r)
        r->path = path;
    return r;
}

} // namespace

Result<ProviderFile::Contents> ProviderFile::load(const QString &path)
{
    return loadFile(path, IfMissing::Error);
}

Result<ProviderFile::Contents> ProviderFile::loadDefault()
{
    return loadFile(defaultPath(), IfMissing::NoProviders);
}

Result<ProviderFile::Contents> ProviderFile::parse(const QByteArray &json, const QString &sourceName)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError)
        return fileError(sourceName,
                         QStringLiteral("is not valid JSON (%1 at byte %2)").arg(err.errorString()).arg(err.offset));
    if (!doc.isObject())
        return fileError(sourceName, QStringLiteral("must contain a JSON object: {\"providers\": [...]}"));
    const QJsonObject root = doc.object();
    const QJsonValue list = root.value(QStringLiteral("providers"));
    if (list.isUndefined())
        return fileError(sourceName, QStringLiteral("has no \"providers\" array: expected {\"providers\": [...]}"));
    if (!list.isArray())
        return fileError(sourceName,
                         QStringLiteral("has \"providers\" as %1; it must be an array").arg(jsonTypeName(list)));

    Contents out;
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (it.key() != QLatin1String("providers"))
            out.problems.append(
                ProviderProblem{-1, QString(), it.key().left(64), QStringLiteral("is not a known field")});
    }

    const QJsonArray arr = list.toArray();
    QList<std::optional<Provider>> parsed;
    for (qsizetype i = 0; i < arr.size(); ++i) {
        const int index = static_cast<int>(i);
        if (!arr.at(i).isObject()) {
            out.problems.append(
                ProviderProblem{index, QString(), QString(),
                                QStringLiteral("must be a JSON object, not %1").arg(jsonTypeName(arr.at(i)))});
            parsed.append(std::nullopt);
            continue;
        }
        const QJsonObject obj = arr.at(i).toObject();
        EntryParser parser(index, obj, out.problems);
        parsed.append(parser.parse());
    }

    // Ids and redirect paths must be unique. An id used twice is ambiguous: neither entry is used.
    QHash<QString, QList<int>> byId;
    QHash<QString, QList<int>> byPath;
    for (qsizetype i = 0; i < parsed.size(); ++i) {
        if (!parsed.at(i))
            continue;
        byId[parsed.at(i)->id].append(static_cast<int>(i));
        byPath[parsed.at(i)->redirectPath].append(static_cast<int>(i));
    }
    const QStringList reservedPaths{Provider::google().redirectPath, QStringLiteral("/oauth/microsoft")};
    QSet<int> rejected;
    for (qsizetype i = 0; i < parsed.size(); ++i) {
        if (!parsed.at(i))
            continue;
        const Provider &p = *parsed.at(i);
        const int index = static_cast<int>(i);
        const QList<int> &sameId = byId.value(p.id);
        if (sameId.size() > 1) {
            QStringList others;
            for (int j : sameId) {
                if (j != index)
                    others.append(QStringLiteral("providers[%1]").arg(j));
            }
            out.problems.append(ProviderProblem{
                index, p.id, QStringLiteral("id"),
                QStringLiteral("is also used by %1; ids must be unique").arg(others.join(QStringLiteral(", ")))});
            rejected.insert(index);
        }
        const QList<int> &samePath = byPath.value(p.redirectPath);
        if (reservedPaths.contains(p.redirectPath)) {
            out.problems.append(
                ProviderProblem{index, p.id, QStringLiteral("redirect_path"),
                                QStringLiteral("is the redirect path of a built-in provider; each provider "
                                               "needs its own path")});
            rejected.insert(index);
        } else if (samePath.size() > 1) {
            QStringList others;
            for (int j : samePath) {
                if (j != index)
                    others.append(QStringLiteral("providers[%1]").arg(j));
            }
            out.problems.append(ProviderProblem{index, p.id, QStringLiteral("redirect_path"),
                                                QStringLiteral("is also used by %1; each provider needs its own path")
                                                    .arg(others.join(QStringLiteral(", ")))});
            rejected.insert(index);
        }
    }
    for (qsizetype i = 0; i < parsed.size(); ++i) {
        if (parsed.at(i) && !rejected.contains(static_cast<int>(i)))
            out.providers.append(*parsed.at(i));
    }
    return out;
}

} // namespace mailkey
