#include "core/service/AppSettings.h"

#include "core/common/Profile.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace mailkey {

AppSettings::AppSettings() : AppSettings(defaultPath())
{
    m_policy = ManagedPolicy::load();
}

AppSettings::AppSettings(const QString &path) : m_settings(std::make_unique<QSettings>(path, QSettings::IniFormat)) {}

AppSettings::~AppSettings() = default;

QString AppSettings::defaultPath()
{
    return Profile::configRoot() + QStringLiteral("/settings.ini");
}

QString AppSettings::path() const
{
    return m_settings->fileName();
}

ProviderRegistry::Settings AppSettings::providerSettings() const
{
    ProviderRegistry::Settings out;
    m_settings->beginGroup(QStringLiteral("provider"));
    const QStringList keys = m_settings->allKeys();
    for (const QString &key : keys)
        out.insert(QStringLiteral("provider/") + key, m_settings->value(key).toString());
    m_settings->endGroup();
    return out;
}

QString AppSettings::providerValue(const QString &providerId, const QString &name) const
{
    return m_settings->value(ProviderRegistry::settingsKey(providerId, name)).toString();
}

void AppSettings::setProviderValue(const QString &providerId, const QString &name, const QString &value)
{
    const QString key = ProviderRegistry::settingsKey(providerId, name);
    if (value.trimmed().isEmpty())
        m_settings->remove(key);
    else
        m_settings->setValue(key, value.trimmed());
}

QString AppSettings::customProvidersFile() const
{
    return m_settings->value(QStringLiteral("providers/file")).toString();
}

QString AppSettings::effectiveProvidersFile() const
{
    if (!m_providersOverride.isEmpty())
        return m_providersOverride;
    const QString configured = customProvidersFile().trimmed();
    return configured.isEmpty() ? ProviderFile::defaultPath() : configured;
}

void AppSettings::setCustomProvidersFile(const QString &path)
{
    if (path.trimmed().isEmpty())
        m_settings->remove(QStringLiteral("providers/file"));
    else
        m_settings->setValue(QStringLiteral("providers/file"), path.trimmed());
}

QByteArray AppSettings::windowGeometry() const
{
    return m_settings->value(QStringLiteral("window/geometry")).toByteArray();
}

void AppSettings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings->setValue(QStringLiteral("window/geometry"), geometry);
}

QByteArray AppSettings::splitterState() const
{
    return m_settings->value(QStringLiteral("window/splitter")).toByteArray();
}

void AppSettings::setSplitterState(const QByteArray &state)
{
    m_settings->setValue(QStringLiteral("window/splitter"), state);
}

AppSettings::AccountOrder AppSettings::accountOrder() const
{
    const QString order = m_settings->value(QStringLiteral("window/account_order")).toString();
    return order == QLatin1String("name") ? AccountOrder::ByName : AccountOrder::NeedsAttentionFirst;
}

void AppSettings::setAccountOrder(AccountOrder order)
{
    m_settings->setValue(QStringLiteral("window/account_order"),
                         order == AccountOrder::ByName ? QStringLiteral("name") : QStringLiteral("attention"));
}

int AppSettings::auditRetentionDays() const
{
    bool ok = false;
    const int days = m_settings->value(QStringLiteral("audit/retention_days"), 365).toInt(&ok);
    return ok && days >= 0 && days <= 36500 ? days : 365;
}

void AppSettings::setAuditRetentionDays(int days)
{
    m_settings->setValue(QStringLiteral("audit/retention_days"), days);
}

bool AppSettings::googleTestingStatus() const
{
    return m_settings->value(QStringLiteral("provider/google/testing_status"), false).toBool();
}

void AppSettings::setGoogleTestingStatus(bool testing)
{
    m_settings->setValue(QStringLiteral("provider/google/testing_status"), testing);
}

int AppSettings::healthWarnDays() const
{
    bool ok = false;
    const int days = m_settings->value(QStringLiteral("health/warn_days"), 3).toInt(&ok);
    return ok && days >= 0 && days <= 365 ? days : 3;
}

void AppSettings::setHealthWarnDays(int days)
{
    m_settings->setValue(QStringLiteral("health/warn_days"), days);
}

bool AppSettings::keepRunningWhenClosed() const
{
    return m_settings->value(QStringLiteral("window/keep_running"), false).toBool();
}

void AppSettings::setKeepRunningWhenClosed(bool keep)
{
    m_settings->setValue(QStringLiteral("window/keep_running"), keep);
}

bool AppSettings::startAtLogin() const
{
    return m_settings->value(QStringLiteral("window/start_at_login"), false).toBool();
}

void AppSettings::setStartAtLogin(bool start)
{
    m_settings->setValue(QStringLiteral("window/start_at_login"), start);
}

HookSettings AppSettings::hookSettings() const
{
    // An unquoted comma makes QSettings read a list: the command line is the whole of it.
    const auto command = [this](const QString &key) {
        const QVariant v = m_settings->value(key);
        if (v.typeId() == QMetaType::QStringList)
            return v.toStringList().join(QStringLiteral(", ")).trimmed();
        return v.toString().trimmed();
    };
    HookSettings out;
    const QList<HookEvent> events = allHookEvents();
    for (const HookEvent event : events) {
        const QString line = command(QStringLiteral("hooks/") + hookEventName(event));
        if (!line.isEmpty())
            out.commands.insert(event, line);
    }
    out.any = command(QStringLiteral("hooks/any"));
    bool ok = false;
    const int timeout = m_settings->value(QStringLiteral("hooks/timeout_seconds"), out.timeoutSeconds).toInt(&ok);
    if (ok && timeout >= 1 && timeout <= 3600)
        out.timeoutSeconds = timeout;
    return out;
}

void AppSettings::setHookSettings(const HookSettings &hooks)
{
    const auto put = [this](const QString &key, const QString &command) {
        if (command.trimmed().isEmpty())
            m_settings->remove(key);
        else
            m_settings->setValue(key, command.trimmed());
    };
    const QList<HookEvent> events = allHookEvents();
    for (const HookEvent event : events)
        put(QStringLiteral("hooks/") + hookEventName(event), hooks.commands.value(event));
    put(QStringLiteral("hooks/any"), hooks.any);
    m_settings->setValue(QStringLiteral("hooks/timeout_seconds"), hooks.timeoutSeconds);
}

void AppSettings::sync()
{
    // Only writing creates the folder: reading (every mailkey-cli call) leaves no trace.
    QDir().mkpath(QFileInfo(path()).absolutePath());
    m_settings->sync();
    QFile::setPermissions(path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

Status AppSettings::applyTo(ProviderRegistry *registry) const
{
    registry->setPolicy(m_policy);
    registry->setSettings(providerSettings());
    if (m_policy.disables(ManagedPolicy::Feature::CustomProviders)) {
        registry->setCustomProviders(ProviderFile::Contents());
        return {};
    }
    if (!m_providersOverride.isEmpty())
        return registry->loadCustomProviders(m_providersOverride);
    return registry->loadCustomProviders(customProvidersFile());
}

} // namespace mailkey
