#pragma once

// Runs the real mailkey-cli as a subprocess against the in-process fake authorization server,
// with a private data and config folder (and the private keyring of tests/support/with-keyring.sh).
// Secrets the fake server issued are collected so each test can prove that no command printed
// one where it was not asked for.

#include "core/common/Profile.h"
#include "tests/support/fakeidp/FakeAuthServer.h"
#include "tests/support/fakeidp/FakeBrowser.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

class QProcess;

namespace mailkey {
class KeyStore;
class Vault;
} // namespace mailkey

namespace mailkey::test {

struct CliRun {
    int exitCode = -1; // -2: crashed, -3: timed out
    QByteArray out;
    QByteArray err;
    QString outText() const { return QString::fromUtf8(out); }
    QString errText() const { return QString::fromUtf8(err); }
    // stderr as one string for failure messages; only used where it cannot hold a token.
    std::string errForMessage() const { return err.toStdString(); }
};

// A command line from literals: args({"status", "--json"}).
QStringList args(std::initializer_list<const char *> list);

class CliHarness {
public:
    static const QString Email;  // alice@example.com
    static const QString Client; // the fake server's client id

    CliHarness();
    ~CliHarness();

    bool ok() const { return m_ok; }
    FakeAuthServer &server() { return m_server; }
    const Profile &profile() const { return m_profile; }
    QString profileName() const { return m_profile.name(); }
    QString configDir() const;
    QString dataDir() const;
    QString providersFile() const;
    QProcessEnvironment environment() const { return m_env; }
    void setEnvironment(const QProcessEnvironment &env) { m_env = env; }

    // Writes providers.json for the fake server ("fake"); with revocation if `revocation`.
    void writeProviders(bool revocation = true);

    // mailkey-cli --profile NAME ARGS..., waiting on the event loop (the fake server runs here).
    CliRun run(const QStringList &args, int timeoutMs = 30000);
    // Starts it and returns at once (the caller owns the process).
    std::unique_ptr<QProcess> start(const QStringList &args);
    static CliRun finish(QProcess &process, int timeoutMs = 30000);

    // connect fake --no-browser, following the printed address with a FakeBrowser.
    CliRun connect(const QStringList &extraArgs = {});
    // The sign-in address in a connect's stderr.
    static QUrl signInUrl(const QByteArray &stderrText);

    // The vault as this process sees it (same folders, same keyring), unlocked through `store`;
    // nullptr if it cannot be opened.
    std::shared_ptr<Vault> openVault(KeyStore *store) const;

    // Every secret the fake server issued or was sent so far (tokens, codes, verifiers).
    QList<QByteArray> secrets();
    // True when `text` contains none of them (also checked base64-encoded, as in SASL strings).
    bool containsNoSecret(const QByteArray &text);

private:
    void collect();

    QTemporaryDir m_dir;
    Profile m_profile;
    FakeAuthServer m_server;
    QProcessEnvironment m_env;
    QSet<QByteArray> m_secrets;
    bool m_ok = false;
};

} // namespace mailkey::test
