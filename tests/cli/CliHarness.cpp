#include "tests/cli/CliHarness.h"

#include "core/vault/VaultAccess.h"
#include "tests/support/TestUtil.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>

#include <optional>

namespace mailkey::test {

QStringList args(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *a : list)
        out << QString::fromUtf8(a);
    return out;
}

const QString CliHarness::Email = QStringLiteral("alice@example.com");
const QString CliHarness::Client = QStringLiteral("mailkey-test-client");

CliHarness::CliHarness() : m_profile(uniqueName(QStringLiteral("cli")))
{
    if (!m_dir.isValid())
        return;
    QDir().mkpath(dataDir());
    QDir().mkpath(configDir());
    // This process (the IpcServer of the delegation tests, vault checks) and every mailkey-cli use
    // the same folders.
    qputenv("MAILKEY_DATA_DIR", dataDir().toUtf8());
    qputenv("MAILKEY_CONFIG_DIR", configDir().toUtf8());
    m_env = QProcessEnvironment::systemEnvironment();
    m_env.remove(QStringLiteral("MAILKEY_DEBUG"));
    m_server.addClient({Client, QString(), {}});
    m_server.setUser({QStringLiteral("sub-alice-0001"), Email, QStringLiteral("Alice Example"), Email});
    m_ok = m_server.listen();
    writeProviders();
}

CliHarness::~CliHarness()
{
    qunsetenv("MAILKEY_DATA_DIR");
    qunsetenv("MAILKEY_CONFIG_DIR");
}

QString CliHarness::configDir() const
{
    return m_dir.path() + QStringLiteral("/config");
}

QString CliHarness::dataDir() const
{
    return m_dir.path() + QStringLiteral("/data");
}

QString CliHarness::providersFile() const
{
    return configDir() + QStringLiteral("/providers.json");
}

void CliHarness::writeProviders(bool revocation)
{
    QJsonObject p{
        {QStringLiteral("id"), QStringLiteral("fake")},
        {QStringLiteral("name"), QStringLiteral("Fake IdP")},
        {QStringLiteral("issuer"), m_server.issuer()},
        {QStringLiteral("authorization_endpoint"), m_server.authorizeUrl().toString()},
        {QStringLiteral("token_endpoint"), m_server.tokenUrl().toString()},
        {QStringLiteral("userinfo_endpoint"), m_server.userinfoUrl().toString()},
        {QStringLiteral("device_authorization_endpoint"), m_server.deviceAuthorizationUrl().toString()},
        {QStringLiteral("client_id"), Client},
        // No openid: the mailbox comes from userinfo (the fake server's id_tokens are unsigned).
        {QStringLiteral("scopes"),
         QJsonArray{QStringLiteral("email"), QStringLiteral("profile"), QStringLiteral("offline_access")}},
    };
    if (revocation)
        p.insert(QStringLiteral("revocation_endpoint"), m_server.revokeUrl().toString());
    QFile f(providersFile());
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("providers"), QJsonArray{p}}}).toJson());
}

std::unique_ptr<QProcess> CliHarness::start(const QStringList &args)
{
    auto p = std::make_unique<QProcess>();
    p->setProcessEnvironment(m_env);
    p->start(qEnvironmentVariable("MAILKEY_CLI"), QStringList{QStringLiteral("--profile"), m_profile.name()} + args);
    return p;
}

CliRun CliHarness::finish(QProcess &p, int timeoutMs)
{
    CliRun r;
    if (!waitFor([&] { return p.state() == QProcess::NotRunning; }, timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.exitCode = -3;
    } else {
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

CliRun CliHarness::run(const QStringList &args, int timeoutMs)
{
    std::unique_ptr<QProcess> p = start(args);
    CliRun r = finish(*p, timeoutMs);
    collect();
    return r;
}

QUrl CliHarness::signInUrl(const QByteArray &stderrText)
{
    static const QRegularExpression re(QStringLiteral("(http://127\\.0\\.0\\.1:\\d+/authorize\\?\\S+)"));
    const auto m = re.match(QString::fromUtf8(stderrText));
    return m.hasMatch() ? QUrl(m.captured(1), QUrl::StrictMode) : QUrl();
}

CliRun CliHarness::connect(const QStringList &extraArgs)
{
    std::unique_ptr<QProcess> p = start(
        QStringList{QStringLiteral("connect"), QStringLiteral("fake"), QStringLiteral("--no-browser")} + extraArgs);
    QByteArray err;
    QUrl url;
    waitFor(
        [&] {
            err += p->readAllStandardError();
            url = signInUrl(err);
            return url.isValid() || p->state() == QProcess::NotRunning;
        },
        20000);
    FakeBrowser browser;
    if (url.isValid())
        browser.open(url);
    CliRun r = finish(*p);
    r.err.prepend(err);
    collect();
    return r;
}

std::shared_ptr<Vault> CliHarness::openVault(KeyStore *store) const
{
    std::optional<Result<OpenedVault>> opened;
    VaultAccess::unlock(m_profile, store, [&](Result<OpenedVault> r) { opened.emplace(std::move(r)); });
    if (!waitFor([&] { return opened.has_value(); }, 20000) || !opened->ok())
        return nullptr;
    return opened->value().vault;
}

void CliHarness::collect()
{
    const QStringList issued = {m_server.lastIssuedAccessToken(), m_server.lastIssuedRefreshToken(),
                                m_server.lastIssuedCode(), m_server.lastIssuedIdToken(), m_server.lastDeviceCode()};
    for (const QString &s : issued) {
        if (s.size() >= 8)
            m_secrets.insert(s.toUtf8());
    }
    const auto requests = m_server.tokenRequests();
    for (const auto &body : requests) {
        for (const char *key : {"refresh_token", "code", "code_verifier", "device_code"}) {
            const QString v = body.value(QString::fromLatin1(key));
            if (v.size() >= 8)
                m_secrets.insert(v.toUtf8());
        }
    }
}

QList<QByteArray> CliHarness::secrets()
{
    collect();
    return m_secrets.values();
}

bool CliHarness::containsNoSecret(const QByteArray &text)
{
    collect();
    for (const QByteArray &s : std::as_const(m_secrets)) {
        if (text.contains(s))
            return false;
    }
    // Decoded base64 runs (a SASL string would carry a token that way).
    static const QRegularExpression b64(QStringLiteral("[A-Za-z0-9+/=]{24,}"));
    auto it = b64.globalMatch(QString::fromLatin1(text));
    while (it.hasNext()) {
        const QByteArray decoded = QByteArray::fromBase64(it.next().captured(0).toLatin1());
        for (const QByteArray &s : std::as_const(m_secrets)) {
            if (decoded.contains(s))
                return false;
        }
    }
    return true;
}

} // namespace mailkey::test
