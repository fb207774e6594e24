#pragma once

#include "core/common/Result.h"
#include "core/mailcheck/MailCheck.h"
#include "core/mailcheck/MailDiagnosis.h"
#include "core/mailcheck/MailServer.h"
#include "core/service/TokenBroker.h"
#include "core/vault/VaultTypes.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace mailkey {

class ProviderRegistry;

// Does a mail program get in? The connection doctor behind `mailkey-cli check` and the window's
// "Test mail connection": for IMAP, then SMTP, it gets a fresh token for that resource (from
// `TokenSource`: the CLI's own TokenBroker, the window's, or the window's over the local socket),
// logs in with MailCheck, and explains a failure with MailDiagnosis, the token's own claims and,
// for a refused Microsoft login, the admin-consent URL of the organization.
//
// It writes nothing: finished() carries the audit entries and the "last check" records, which the
// caller stores (Vault::recordMailChecks), so the CLI and the window record a check the same way.
// Tokens are moved into MailCheck and wiped there; nothing here keeps, logs or emits one.
//
// Threading: the object's thread; every step is asynchronous. finished() comes once, always (also
// after abort()). Delete the doctor from the event loop (deleteLater), not inside its signals.
class MailDoctor : public QObject {
    Q_OBJECT
public:
    using TokenCallback = std::function<void(Result<TokenBroker::TokenAnswer>)>;
    using TokenSource = std::function<void(const TokenBroker::TokenQuery &, TokenCallback)>;

    struct Request {
        QString email;
        QString provider;               // "" when not known yet: the first token answer says
        std::optional<MailServer> imap; // else the provider's
        std::optional<MailServer> smtp;
        QList<MailServer::Protocol> protocols{MailServer::Protocol::Imap, MailServer::Protocol::Smtp};
        MailCheck::Options check;
        QString actor; // the audit log's actor: "mailkey", "mailkey-cli check"
    };

    // What one server said, explained.
    struct ServerResult {
        MailServer::Protocol protocol = MailServer::Protocol::Imap;
        bool checked = false; // false: no server to check (`skipped` says why)
        QString skipped;
        MailCheck::Report report;
        QList<MailDiagnosis> diagnoses; // empty when it works
        AccessTokenClaims claims;       // what the token said about itself (no token)
        QString adminConsentUrl;        // for a refused Microsoft login, else ""
        bool ok() const { return checked && report.outcome == MailCheck::Outcome::Ok; }
        // One line of plain words for the "last check" record and the list: "" when it works.
        QString summary() const;
    };

    // The overall answer; the CLI's exit codes follow it (Ok 0, Refused 7, Untrusted 8, Network 6,
    // Incomplete 1, NoToken as the token error says).
    enum class Verdict {
        Ok,         // every server checked, every login works
        Refused,    // a server refused the login or the command after it
        Untrusted,  // a server's certificate did not verify
        Network,    // a server could not be reached or stopped answering
        Incomplete, // a server was not checked, spoke no OAuth, or the check was aborted
        NoToken     // no token could be had (`tokenError`): nothing was checked
    };
    Q_ENUM(Verdict)

    struct Summary {
        QString email;
        QString provider;
        Verdict verdict = Verdict::Incomplete;
        QList<ServerResult> servers;
        std::optional<Error> tokenError; // Verdict::NoToken
        QString tokenErrorConsentUrl;    // the admin kit when the token was refused for consent
        QList<AuditEntry> audit;         // one "mail.check" entry per server checked
        QList<MailCheckRecord> records;  // the last-check records (accountId 0: the caller's)
    };

    MailDoctor(Request request, TokenSource tokens, const ProviderRegistry *providers, QObject *parent = nullptr);
    ~MailDoctor() override;

    const Request &request() const { return m_request; }
    void start(); // once
    void abort(); // finished() follows with what was done so far, unless it already came
    bool isFinished() const { return m_finished; }

    static QString protocolLabel(MailServer::Protocol protocol); // "IMAP", "SMTP"
    static QString resourceOf(MailServer::Protocol protocol);    // "imap", "smtp"
    // The sentence that goes with an admin-consent URL.
    static QString adminConsentText(const QString &url);

Q_SIGNALS:
    void providerKnown(const QString &provider);
    void serverStarted(mailkey::MailServer::Protocol protocol, const mailkey::MailServer &server);
    void stepFinished(mailkey::MailServer::Protocol protocol, const mailkey::MailCheck::StepReport &step);
    void serverFinished(const mailkey::MailDoctor::ServerResult &result);
    void finished(const mailkey::MailDoctor::Summary &summary);

private:
    void runNext();
    void checkServer(MailServer::Protocol protocol, SecretString token);
    void serverDone(MailServer::Protocol protocol, const AccessTokenClaims &claims, const MailCheck::Report &r);
    void skip(MailServer::Protocol protocol, const QString &why);
    void finish();
    std::optional<MailServer> serverFor(MailServer::Protocol protocol, QString *why) const;
    QString adminConsentUrl(const QString &providerId, const QString &tenantId) const;

    Request m_request;
    TokenSource m_tokens;
    const ProviderRegistry *m_providers;
    QList<MailServer::Protocol> m_todo;
    Summary m_summary;
    std::unique_ptr<MailCheck> m_running;
    std::shared_ptr<bool> m_alive; // token callbacks that come after the doctor is gone do nothing
    bool m_started = false;
    bool m_finished = false;
    bool m_aborted = false;
};

} // namespace mailkey

Q_DECLARE_METATYPE(mailkey::MailDoctor::ServerResult)
Q_DECLARE_METATYPE(mailkey::MailDoctor::Summary)
