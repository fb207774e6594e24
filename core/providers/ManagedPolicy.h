#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <optional>

namespace mailkey {

// What an administrator set for every user of a machine, in a file or store the user cannot write:
//   Linux    <dir>/MailKey/policy.json for each dir of $XDG_CONFIG_DIRS (default /etc/xdg): the
//            first one that exists is used. Never the user's own ~/.config.
//   Windows  the registry key HKEY_LOCAL_MACHINE\Software\Policies\MailKey (Group Policy).
//   macOS    managed preferences of org.mailkey.MailKey
//            (/Library/Managed Preferences/org.mailkey.MailKey.plist, from a configuration profile).
// The same keys everywhere (docs/policy.md):
//   providers.<id>.client_id / client_secret   a client id (and a desktop client's secret) for a
//                                             provider; wins over the environment and settings
//   providers.microsoft.tenant                the Microsoft tenant (a domain or tenant id)
//   allowed_providers                         the providers people may connect (others are hidden
//                                             and refused at sign-in); absent = all
//   disabled_features                         features turned off: see Feature
//
// A value that is malformed is left out and reported in problems(); the rest still applies. A file
// that is not JSON at all applies nothing and says so. Nothing here is a secret that would need
// hiding from the user: client ids are public, a desktop client's secret is not confidential (it
// is never printed anyway).
struct ManagedPolicy {
    enum class Feature {
        CustomProviders, // "custom_providers": providers.json is not read, no provider can be added
        MailCheck        // "mail_check": no connection test (mailkey-cli check, the window's action)
    };
    struct ProviderPreset {
        QString clientId;
        QString clientSecret;
        QString tenant; // Microsoft only
    };

    QString source;                              // where it came from; "" when there is no policy
    QMap<QString, ProviderPreset> providers;     // by provider id
    std::optional<QStringList> allowedProviders; // nullopt: every provider
    QList<Feature> disabledFeatures;
    QStringList problems; // "allowed_providers: \"x y\" is not a provider id", one per ignored value

    bool isEmpty() const { return source.isEmpty(); }
    bool disables(Feature feature) const { return disabledFeatures.contains(feature); }
    bool allowsProvider(const QString &id) const { return !allowedProviders || allowedProviders->contains(id); }
    // What is set, one line each, for the Settings dialog and `mailkey-cli status` (no secret: a
    // client secret shows as "set").
    QStringList describe() const;

    static QString featureName(Feature feature); // "custom_providers"
    static QString featureDescription(Feature feature);

    // Parses the policy. `source` names where it came from (for messages and describe()).
    static ManagedPolicy fromJson(const QByteArray &json, const QString &source);
    static ManagedPolicy fromMap(const QVariantMap &map, const QString &source);

    // The machine's policy (see above); an empty policy when there is none. Reads at most 64 KiB.
    static ManagedPolicy load();
    // Linux: where load() looks, in order.
    static QStringList searchPaths();
};

} // namespace mailkey
