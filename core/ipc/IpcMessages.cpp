#include "core/ipc/IpcMessages.h"

#include "core/common/SecureBytes.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonValue>

#include <cmath>
#include <limits>

namespace mailkey::ipc {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::ipc::IpcMessages)
};

// Reads the fields of one message by the rules in IpcMessages.h; remembers the first problem.
class FieldReader {
public:
    explicit FieldReader(const QJsonObject &json) : m_json(json) {}

    QString text(const char *name, int maxChars = std::numeric_limits<int>::max())
    {
        const QJsonValue v = value(name);
        if (v.isUndefined())
            return QString();
        if (!v.isString() || v.toString().size() > maxChars) {
            fail(name, maxChars == std::numeric_limits<int>::max()
                           ? Text::tr("text")
                           : Text::tr("text of at most %1 characters").arg(maxChars));
            return QString();
        }
        return v.toString();
    }

    bool flag(const char *name, bool fallback)
    {
        const QJsonValue v = value(name);
        if (v.isUndefined())
            return fallback;
        if (!v.isBool()) {
            fail(name, Text::tr("true or false"));
            return fallback;
        }
        return v.toBool();
    }

    // A whole number, clamped to [min, max].
    qint64 number(const char *name, qint64 fallback, qint64 min = 0, qint64 max = std::numeric_limits<int>::max())
    {
        const QJsonValue v = value(name);
        if (v.isUndefined())
            return fallback;
        const double d = v.toDouble();
        if (!v.isDouble() || d != std::trunc(d)) {
            fail(name, Text::tr("a whole number"));
            return fallback;
        }
        if (d <= double(min))
            return min;
        if (d >= double(max))
            return max;
        return qint64(d);
    }

    QStringList texts(const char *name)
    {
        const QJsonValue v = value(name);
        if (v.isUndefined())
            return QStringList();
        QStringList out;
        const QJsonArray array = v.toArray();
        for (const QJsonValue &item : array) {
            if (!item.isString())
                break;
            out << item.toString();
        }
        if (!v.isArray() || out.size() != array.size()) {
            fail(name, Text::tr("a list of texts"));
            return QStringList();
        }
        return out;
    }

    // ISO 8601; "" is an invalid time.
    QDateTime time(const char *name)
    {
        const QString t = text(name, 64);
        if (t.isEmpty())
            return QDateTime();
        const QDateTime parsed = QDateTime::fromString(t, Qt::ISODate);
        if (!parsed.isValid())
            fail(name, Text::tr("an ISO 8601 time"));
        return parsed.toUTC();
    }

    // `message` when every field was read, else the error of a malformed request or reply.
    template <class T>
    Result<T> request(T message) const
    {
        if (m_problem.isEmpty())
            return message;
        return Error(ErrorCode::InvalidInput, Text::tr("Malformed request: %1.").arg(m_problem));
    }
    template <class T>
    Result<T> reply(T message) const
    {
        if (m_problem.isEmpty())
            return message;
        return Error(ErrorCode::Internal, Text::tr("The MailKey window sent a malformed reply: %1.").arg(m_problem));
    }

private:
    // Absent and null are the same.
    QJsonValue value(const char *name) const
    {
        const QJsonValue v = m_json.value(QLatin1String(name));
        return v.isNull() ? QJsonValue(QJsonValue::Undefined) : v;
    }

    void fail(const char *name, const QString &expected)
    {
        if (m_problem.isEmpty())
            m_problem = Text::tr("\"%1\" must be %2").arg(QLatin1String(name), expected);
    }

    const QJsonObject &m_json;
    QString m_problem;
};

QString isoUtc(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

// The address and provider of token and remove requests: the same names and limits.
void insertAccount(QJsonObject &json, const QString &email, const QString &provider)
{
    json.insert(QStringLiteral("email"), email);
    if (!provider.isEmpty())
        json.insert(QStringLiteral("provider"), provider);
}

} // namespace

QJsonObject requestJson(const char *op)
{
    return QJsonObject{{QStringLiteral("v"), ProtocolVersion}, {QStringLiteral("op"), QLatin1String(op)}};
}

RequestHeader requestHeader(const QJsonObject &request)
{
    RequestHeader h;
    h.version = request.value(QStringLiteral("v")).toInt(-1);
    h.op = request.value(QStringLiteral("op")).toString().left(32);
    return h;
}

// ---- hello ------------------------------------------------------------------------------------

QJsonObject HelloReply::toJson() const
{
    QJsonObject o = okReply();
    o.insert(QStringLiteral("app"), app);
    o.insert(QStringLiteral("version"), version);
    o.insert(QStringLiteral("protocol"), protocol);
    o.insert(QStringLiteral("profile"), profile);
    o.insert(QStringLiteral("ready"), ready);
    o.insert(QStringLiteral("pid"), pid);
    o.insert(QStringLiteral("role"), role);
    return o;
}

Result<HelloReply> HelloReply::fromJson(const QJsonObject &json)
{
    FieldReader f(json);
    HelloReply r;
    r.app = f.text("app");
    r.version = f.text("version");
    r.protocol = int(f.number("protocol", 0));
    r.profile = f.text("profile");
    r.ready = f.flag("ready", false);
    r.pid = f.number("pid", 0, 0, std::numeric_limits<qint64>::max());
    const QString role = f.text("role", 16);
    if (!role.isEmpty())
        r.role = role;
    return f.reply(std::move(r));
}

// ---- token ------------------------------------------------------------------------------------

bool TokenReply::operator==(const TokenReply &other) const
{
    return email == other.email && provider == other.provider && resource == other.resource && token.equals(other.token)
           && expiresAt == other.expiresAt && refreshed == other.refreshed;
}

QJsonObject TokenReply::toJson() const
{
    QJsonObject o = okReply();
    o.insert(QStringLiteral("email"), email);
    o.insert(QStringLiteral("provider"), provider);
    o.insert(QStringLiteral("resource"), resource);
    o.insert(QStringLiteral("token"), token.reveal());
    o.insert(QStringLiteral("expires_at"), isoUtc(expiresAt));
    o.insert(QStringLiteral("refreshed"), refreshed);
    return o;
}

Result<TokenReply> TokenReply::fromJson(const QJsonObject &json)
{
    FieldReader f(json);
    TokenReply r;
    r.email = f.text("email");
    r.provider = f.text("provider");
    r.resource = f.text("resource");
    r.token = SecretString(f.text("token"));
    r.expiresAt = f.time("expires_at");
    r.refreshed = f.flag("refreshed", false);
    Result<TokenReply> out = f.reply(std::move(r));
    if (out && out->token.isEmpty())
        return Error(ErrorCode::Internal, Text::tr("The MailKey window sent no token."));
    return out;
}

QJsonObject TokenRequest::toJson() const
{
    QJsonObject o = requestJson(Op);
    insertAccount(o, email, provider);
    o.insert(QStringLiteral("resource"), resource);
    o.insert(QStringLiteral("min_validity"), minValiditySeconds);
    o.insert(QStringLiteral("actor"), actor);
    return o;
}

Result<TokenRequest> TokenRequest::fromJson(const QJsonObject &json)
{
    FieldReader f(json);
    TokenRequest r;
    r.email = f.text("email", MaxEmailChars);
    r.provider = f.text("provider", MaxProviderChars);
    r.resource = f.text("resource", MaxResourceChars);
    r.actor = f.text("actor", MaxActorChars);
    r.minValiditySeconds = int(f.number("min_validity", r.minValiditySeconds, 0, MaxMinValiditySeconds));
    return f.request(std::move(r));
}

// ---- remove -----------------------------------------------------------------------------------

QJsonObject RemoveReply::toJson() const
{
    QJsonObject o = okReply();
    o.insert(QStringLiteral("email"), email);
    o.insert(QStringLiteral("provider"), provider);
    o.insert(QStringLiteral("revoked_at_provider"), revokedAtProvider);
    o.insert(QStringLiteral("pending"), pending);
    o.insert(QStringLiteral("supported"), supported);
    o.insert(QStringLiteral("message"), message);
    return o;
}

Result<RemoveReply> RemoveReply::fromJson(const QJsonObject &json)
{
    FieldReader f(json);
    RemoveReply r;
    r.email = f.text("email");
    r.provider = f.text("provider");
    r.revokedAtProvider = f.flag("revoked_at_provider", r.revokedAtProvider);
    r.pending = f.flag("pending", r.pending);
    r.supported = f.flag("supported", r.supported);
    r.message = f.text("message");
    return f.reply(std::move(r));
}

QJsonObject RemoveRequest::toJson() const
{
    QJsonObject o = requestJson(Op);
    insertAccount(o, email, provider);
    return o;
}

Result<RemoveRequest> RemoveRequest::fromJson(const QJsonObject &json)
{
    FieldReader f(json);
    RemoveRequest r;
    r.email = f.text("email", TokenRequest::MaxEmailChars);
    r.provider = f.text("provider", TokenRequest::MaxProviderChars);
    return f.request(std::move(r));
}

// ---- sign-out-everywhere ----------------------------------------------------------------------

QJsonObject SignOutEverywhereReply::toJson() const
{
    QJsonObject o = okReply();
    o.insert(QStringLiteral("accounts"), accounts);
    o.insert(QStringLiteral("revoked"), revoked);
    o.insert(QStringLiteral("pending"), pending);
    o.insert(QStringLiteral("not_revocable"), notRevocable);
    o.insert(QStringLiteral("failed"), failed);
    o.insert(QStringLiteral("tokens_wiped"), tokensWiped);
    o.insert(QStringLiteral("key_rotated"), keyRotated);
    o.insert(QStringLiteral("summary"), summary);
    o.insert(QStringLiteral("messages"), QJsonArray::fromStringList(messages));
    return o;
}

Result<SignOutEverywhereReply> SignOutEverywhereReply::fromJson(const QJsonObject &json)
{
    FieldReader f(json);
    SignOutEverywhereReply r;
    r.accounts = int(f.number("accounts", 0));
    r.revoked = int(f.number("revoked", 0));
    r.pending = int(f.number("pending", 0));
    r.notRevocable = int(f.number("not_revocable", 0));
    r.failed = int(f.number("failed", 0));
    r.tokensWiped = f.flag("tokens_wiped", false);
    r.keyRotated = f.flag("key_rotated", false);
    r.summary = f.text("summary");
    r.messages = f.texts("messages");
    return f.reply(std::move(r));
}

// ---- list -------------------------------------------------------------------------------------

QJsonObject ListReply::toJson() const
{
    QJsonObject o = okReply();
    QJsonArray rows;
    for (const Row &r : accounts) {
        rows.append(QJsonObject{
            {QStringLiteral("email"), r.email},
            {QStringLiteral("provider"), r.provider},
            {QStringLiteral("display_name"), r.displayName},
            {QStringLiteral("status"), r.status},
            {QStringLiteral("status_reason"), r.statusReason},
            {QStringLiteral("expires_at"), isoUtc(r.expiresAt)},
            {QStringLiteral("last_refresh_at"), isoUtc(r.lastRefreshAt)},
            {QStringLiteral("connected_since"), isoUtc(r.createdAt)},
        });
    }
    o.insert(QStringLiteral("accounts"), rows);
    return o;
}

Result<ListReply> ListReply::fromJson(const QJsonObject &json)
{
    const QJsonValue rows = json.value(QStringLiteral("accounts"));
    if (!rows.isArray())
        return Error(ErrorCode::Internal,
                     Text::tr("The MailKey window sent a malformed reply: %1.").arg(QStringLiteral("accounts")));
    ListReply list;
    const QJsonArray array = rows.toArray();
    for (const QJsonValue &item : array) {
        const QJsonObject object = item.toObject(); // FieldReader keeps a reference
        FieldReader f(object);
        Row r;
        r.email = f.text("email");
        r.provider = f.text("provider");
        r.displayName = f.text("display_name");
        r.status = f.text("status");
        r.statusReason = f.text("status_reason");
        r.expiresAt = f.time("expires_at");
        r.lastRefreshAt = f.time("last_refresh_at");
        r.createdAt = f.time("connected_since");
        Result<Row> read = f.reply(std::move(r));
        if (!read || !item.isObject())
            return read ? Error(
                       ErrorCode::Internal,
                       Text::tr("The MailKey window sent a malformed reply: %1.").arg(QStringLiteral("accounts")))
                        : read.error();
        list.accounts.append(std::move(*read));
    }
    return list;
}

} // namespace mailkey::ipc
