#pragma once

#include "core/providers/ProviderRegistry.h"
#include "core/service/Hooks.h"

#include <QByteArray>
#include <QString>

#include <memory>

class QSettings;

namespace mailkey {

// MailKey's non-secret settings, in <Profile::configRoot()>/settings.ini (so MAILKEY_CONFIG_DIR
// moves them too):
//   provider/<id>/client_id, provider/<id>/client_secret (a desktop client's secret: not
//   confidential, but never logged), provider/microsoft/tenant, provider/microsoft/authority_host,
//   provider/<id>/mail_api_base    - the keys ProviderRegistry reads
//   providers/file                 - the custom providers file (empty: the default providers.json)
//   window/geometry, window/splitter
//   window/account_order           - "attention" (default: needs attention first) or "name" (A–Z)
//   window/keep_running            - closing the window leaves MailKey running (default false)
//   window/start_at_login          - start MailKey (in the background) at login (default false;
//                                    the autostart entry itself: core/service/Autostart)
//   hooks/needs_sign_in, hooks/refresh_failed, hooks/token_refreshed, hooks/account_removed,
//   hooks/expiring_soon            - a command line run on that event (core/service/Hooks; no
//                                    shell: split like QProcess::splitCommand); empty: none
//   hooks/any                      - a command line run on every event, after the event's own
//   hooks/timeout_seconds          - a hook's time limit (default 30; 1 to 3600)
//   provider/google/testing_status - the Google app is in "Testing" publishing status, so its
//                                    sign-ins end after 7 days (default false; the person states
//                                    it, MailKey cannot learn it) (core/lifecycle/HealthClock)
//   health/warn_days               - warn this many days before a sign-in is expected to be needed
//                                    (default 3; 0 to 365)
// Tokens and keys never go here.
class AppSettings {
public:
    AppSettings();                             // the default file
    explicit AppSettings(const QString &path); // tests

    // The administrator's policy (ManagedPolicy::load() when made; tests set their own). It wins
    // over these settings: applyTo() gives it to the registry, the Settings dialog shows it.
    const ManagedPolicy &policy() const { return m_policy; }
    void setPolicy(const ManagedPolicy &policy) { m_policy = policy; }
    ~AppSettings();

    static QString defaultPath();
    QString path() const;

    ProviderRegistry::Settings providerSettings() const;
    QString providerValue(const QString &providerId, const QString &name) const;
    // An empty value removes the key.
    void setProviderValue(const QString &providerId, const QString &name, const QString &value);

    QString customProvidersFile() const; // empty = default
    void setCustomProvidersFile(const QString &path);
    // `mailkey --providers FILE`: this file instead of the setting, for this run only (not saved).
    void setProvidersFileOverride(const QString &path) { m_providersOverride = path; }
    QString providersFileOverride() const { return m_providersOverride; }
    // The providers file in use: the override, else the setting, else ProviderFile::defaultPath().
    QString effectiveProvidersFile() const;

    // Audit retention: the days of audit log to keep (audit/retention_days), default 365; 0 keeps
    // it forever. Applied by the window at start and by `mailkey-cli audit --prune`.
    int auditRetentionDays() const;
    void setAuditRetentionDays(int days);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray splitterState() const;
    void setSplitterState(const QByteArray &state);
    // How the window orders the mailboxes: needs attention first (the default), or by name.
    enum class AccountOrder {
        NeedsAttentionFirst,
        ByName
    };
    AccountOrder accountOrder() const;
    void setAccountOrder(AccountOrder order);

    // The health clock (core/lifecycle/HealthClock): provider/google/testing_status and
    // health/warn_days.
    bool googleTestingStatus() const;
    void setGoogleTestingStatus(bool testing);
    int healthWarnDays() const;
    void setHealthWarnDays(int days);

    bool keepRunningWhenClosed() const;
    void setKeepRunningWhenClosed(bool keep);
    bool startAtLogin() const;
    void setStartAtLogin(bool start);

    // The hooks (hooks/<event>, hooks/any, hooks/timeout_seconds). The window passes them to
    // AccountService::setHooks at start. setHookSettings writes every key (an empty command
    // removes its key).
    HookSettings hookSettings() const;
    void setHookSettings(const HookSettings &hooks);

    void sync();

    // Applies the policy and these settings to a registry and (re)loads the custom providers file
    // (not when the policy turns custom providers off). Returns the whole-file error, if any;
    // per-provider problems are in registry->problems().
    Status applyTo(ProviderRegistry *registry) const;

private:
    std::unique_ptr<QSettings> m_settings;
    ManagedPolicy m_policy;
    QString m_providersOverride;
};

} // namespace mailkey
