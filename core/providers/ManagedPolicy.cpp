#include "core/providers/ManagedPolicy.h"

#include "core/common/TextSafety.h"
#include "core/providers/Provider.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSettings>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::ManagedPolicy)
};

constexpr qint64 kMaxPolicySize = 64 * 1024;

// A value quoted in a problem: made safe to print and short.
QString safe(const QString &text)
{
    return TextSafety::replaced(text).left(60);
}

QString shown(const QVariant &v)
{
    return QLatin1Char('"') + safe(v.toString()) + QLatin1Char('"');
}

// The built-in ids ("microsoft", "google") have the custom ids' shape too.
bool isProviderId(const QString &id)
{
    return Provider::isValidCustomId(id);
}

bool isClientValue(const QString &v)
{
    return !v.isEmpty() && v.size() <= 512 && !TextSafety::containsUnsafe(v) && !v.contains(QLatin1Char(' '));
}

// A list from JSON (an array) or from the registry / a plist (a string list, or one string with
// entries separated by commas, semicolons or spaces).
std::optional<QStringList> stringList(const QVariant &v)
{
    if (v.typeId() == QMetaType::QVariantList || v.typeId() == QMetaType::QStringList) {
        QStringList out;
        for (const QVariant &item : v.toList()) {
            if (item.typeId() != QMetaType::QString)
                return std::nullopt;
            out << item.toString().trimmed();
        }
        return out;
    }
    if (v.typeId() == QMetaType::QString) {
        static const QRegularExpression sep(QStringLiteral("[,;\\s]+"));
        return v.toString().split(sep, Qt::SkipEmptyParts);
    }
    return std::nullopt;
}

const QList<ManagedPolicy::Feature> kFeatures{ManagedPolicy::Feature::CustomProviders,
                                              ManagedPolicy::Feature::MailCheck};

#if defined(Q_OS_WIN) || defined(Q_OS_MACOS)
// QSettings (registry, plist) gives "providers/microsoft/client_id" keys: made into the nested
// map the JSON gives.
QVariantMap nest(const QSettings &settings)
{
    QVariantMap root;
    for (const QString &key : settings.allKeys()) {
        const QStringList parts = key.split(QLatin1Char('/'));
        if (parts.size() == 1) {
            root.insert(key, settings.value(key));
        } else if (parts.size() == 3 && parts.at(0) == QLatin1String("providers")) {
            QVariantMap providers = root.value(parts.at(0)).toMap();
            QVariantMap one = providers.value(parts.at(1)).toMap();
            one.insert(parts.at(2), settings.value(key));
            providers.insert(parts.at(1), one);
            root.insert(parts.at(0), providers);
        } else {
            root.insert(key, settings.value(key)); // reported as unknown
        }
    }
    return root;
}
#endif

} // namespace

QString ManagedPolicy::featureName(Feature feature)
{
    switch (feature) {
    case Feature::CustomProviders:
        return QStringLiteral("custom_providers");
    case Feature::MailCheck:
        return QStringLiteral("mail_check");
    }
    return QString();
}

QString ManagedPolicy::featureDescription(Feature feature)
{
    switch (feature) {
    case Feature::CustomProviders:
        return Text::tr("custom providers (providers.json) are turned off");
    case Feature::MailCheck:
        return Text::tr("the mail connection test is turned off");
    }
    return QString();
}

QStringList ManagedPolicy::describe() const
{
    QStringList out;
    for (auto it = providers.cbegin(); it != providers.cend(); ++it) {
        if (!it->clientId.isEmpty())
            out << Text::tr("%1: client id %2%3")
                       .arg(it.key(), it->clientId,
                            it->clientSecret.isEmpty() ? QString() : Text::tr(" (with a client secret)"));
        if (!it->tenant.isEmpty())
            out << Text::tr("%1: tenant %2").arg(it.key(), it->tenant);
    }
    if (allowedProviders)
        out << (allowedProviders->isEmpty() ? Text::tr("no provider may be connected")
                                            : Text::tr("only these providers may be connected: %1")
                                                  .arg(allowedProviders->join(QStringLiteral(", "))));
    for (Feature f : disabledFeatures)
        out << featureDescription(f);
    return out;
}

ManagedPolicy ManagedPolicy::fromJson(const QByteArray &json, const QString &source)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        ManagedPolicy p;
        p.source = source;
        p.problems << (error.error != QJsonParseError::NoError
                           ? Text::tr("the file is not valid JSON (%1 at offset %2): nothing of it applies")
                                 .arg(error.errorString())
                                 .arg(error.offset)
                           : Text::tr("the file is not a JSON object: nothing of it applies"));
        return p;
    }
    return fromMap(doc.object().toVariantMap(), source);
}

ManagedPolicy ManagedPolicy::fromMap(const QVariantMap &map, const QString &source)
{
    ManagedPolicy p;
    p.source = source;
    for (auto it = map.cbegin(); it != map.cend(); ++it) {
        const QString &key = it.key();
        const QVariant &value = it.value();
        if (key == QLatin1String("providers")) {
            if (value.typeId() != QMetaType::QVariantMap) {
                p.problems << Text::tr("providers: must be an object of provider ids");
                continue;
            }
            const QVariantMap providers = value.toMap();
            for (auto pit = providers.cbegin(); pit != providers.cend(); ++pit) {
                const QString &id = pit.key();
                if (!isProviderId(id) || pit.value().typeId() != QMetaType::QVariantMap) {
                    p.problems << Text::tr("providers: %1 is not a provider id with settings").arg(shown(id));
                    continue;
                }
                ProviderPreset preset;
                const QVariantMap fields = pit.value().toMap();
                for (auto fit = fields.cbegin(); fit != fields.cend(); ++fit) {
                    const QString &field = fit.key();
                    const QString v
                        = fit.value().typeId() == QMetaType::QString ? fit.value().toString().trimmed() : QString();
                    const QString where = QStringLiteral("providers.%1.%2").arg(id, safe(field));
                    if (field == QLatin1String("client_id") && isClientValue(v)) {
                        preset.clientId = v;
                    } else if (field == QLatin1String("client_secret") && isClientValue(v)) {
                        preset.clientSecret = v;
                    } else if (field == QLatin1String("tenant") && id == QLatin1String(Provider::MicrosoftId)
                               && Provider::isValidMicrosoftTenant(v.toLower())) {
                        preset.tenant = v;
                    } else if (field == QLatin1String("client_secret")) {
                        p.problems << Text::tr("%1: is not a valid client secret").arg(where); // never echoed
                    } else if (field == QLatin1String("client_id") || field == QLatin1String("tenant")) {
                        p.problems << Text::tr("%1: %2 is not a valid value").arg(where, shown(fit.value()));
                    } else {
                        p.problems << Text::tr("%1: unknown setting").arg(where);
                    }
                }
                if (!preset.clientSecret.isEmpty() && preset.clientId.isEmpty()) {
                    p.problems << Text::tr("providers.%1.client_secret: a client secret without a client id is "
                                           "ignored")
                                      .arg(id);
                    preset.clientSecret.clear();
                }
                if (!preset.clientId.isEmpty() || !preset.tenant.isEmpty())
                    p.providers.insert(id, preset);
            }
        } else if (key == QLatin1String("allowed_providers")) {
            const std::optional<QStringList> list = stringList(value);
            if (!list) {
                p.problems << Text::tr("allowed_providers: must be a list of provider ids");
                continue;
            }
            QStringList ids;
            for (const QString &id : *list) {
                if (isProviderId(id))
                    ids << id;
                else
                    p.problems << Text::tr("allowed_providers: %1 is not a provider id").arg(shown(id));
            }
            p.allowedProviders = ids;
        } else if (key == QLatin1String("disabled_features")) {
            const std::optional<QStringList> list = stringList(value);
            if (!list) {
                p.problems << Text::tr("disabled_features: must be a list of feature names");
                continue;
            }
            for (const QString &name : *list) {
                bool known = false;
                for (Feature f : kFeatures) {
                    if (featureName(f) == name) {
                        known = true;
                        if (!p.disabledFeatures.contains(f))
                            p.disabledFeatures << f;
                    }
                }
                if (!known)
                    p.problems << Text::tr("disabled_features: %1 is not a feature MailKey knows (known: "
                                           "custom_providers, mail_check)")
                                      .arg(shown(name));
            }
        } else {
            p.problems << Text::tr("%1: unknown setting").arg(shown(key));
        }
    }
    return p;
}

QStringList ManagedPolicy::searchPaths()
{
    QString dirs = qEnvironmentVariable("XDG_CONFIG_DIRS");
    if (dirs.isEmpty())
        dirs = QStringLiteral("/etc/xdg");
    QStringList paths;
    for (const QString &dir : dirs.split(QLatin1Char(':'), Qt::SkipEmptyParts)) {
        if (QDir::isAbsolutePath(dir))
            paths << QDir::cleanPath(dir + QStringLiteral("/MailKey/policy.json"));
    }
    return paths;
}

ManagedPolicy ManagedPolicy::load()
{
#if defined(Q_OS_WIN)
    const QString key = QStringLiteral("HKEY_LOCAL_MACHINE\\Software\\Policies\\MailKey");
    QSettings registry(key, QSettings::NativeFormat);
    if (registry.allKeys().isEmpty())
        return ManagedPolicy();
    return fromMap(nest(registry), key);
#elif defined(Q_OS_MACOS)
    const QString path = QStringLiteral("/Library/Managed Preferences/org.mailkey.MailKey.plist");
    if (!QFile::exists(path))
        return ManagedPolicy();
    QSettings managed(path, QSettings::NativeFormat);
    return fromMap(nest(managed), path);
#else
    for (const QString &path : searchPaths()) {
        QFile f(path);
        if (!f.exists())
            continue;
        if (!f.open(QIODevice::ReadOnly)) {
            ManagedPolicy p;
            p.source = path;
            p.problems << Text::tr("the file cannot be read (%1): nothing of it applies").arg(f.errorString());
            return p;
        }
        if (f.size() > kMaxPolicySize) {
            ManagedPolicy p;
            p.source = path;
            p.problems << Text::tr("the file is larger than 64 KiB: nothing of it applies");
            return p;
        }
        return fromJson(f.readAll(), path);
    }
    return ManagedPolicy();
#endif
}

} // namespace mailkey
