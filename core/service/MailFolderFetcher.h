#pragma once

#include "core/common/Result.h"
#include "core/providers/Provider.h"
#include "core/service/AccountService.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QNetworkReply;
QT_END_NAMESPACE

namespace mailkey {

// Lists the mail folders of one mailbox with its access token, asynchronously and bounded:
//  - Microsoft Graph: GET <mailApiBase>/me/mailFolders (top-level folders: displayName,
//    unreadItemCount, totalItemCount), following @odata.nextLink up to MaxPages pages, and only
//    to the same scheme, host and port as the mail API base (the token never goes elsewhere).
//  - Gmail: GET <mailApiBase>/users/me/labels; kept are INBOX, the system labels people look at
//    (SENT, DRAFT, STARRED, IMPORTANT, SPAM, TRASH) and the user's labels. Counts come from the
//    list when it has them, otherwise from GET .../labels/<id>, one at a time, for at most
//    MaxLabels labels.
// Providers without a mail API fail at once. Emits exactly one of finished() / failed() per
// start(); nothing after cancel(). No token or URL is logged.
class MailFolderFetcher : public QObject {
    Q_OBJECT
public:
    static constexpr int MaxPages = 10;
    static constexpr int MaxLabels = 40;
    static constexpr int DefaultRequestTimeoutMs = 15000;
    static constexpr qint64 MaxBodySize = 4 * 1024 * 1024;

    explicit MailFolderFetcher(QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~MailFolderFetcher() override;

    void setRequestTimeout(int ms) { m_timeoutMs = ms; }
    void start(const Provider &provider, const SecretString &accessToken);
    void cancel();
    bool isRunning() const { return m_running; }
    int requestCount() const { return m_requests; }

    // Human names for Gmail system labels ("INBOX" -> "Inbox"); empty for others.
    static QString gmailSystemLabelName(const QString &id);

Q_SIGNALS:
    void finished(const QList<mailkey::MailFolder> &folders);
    void failed(const mailkey::Error &error);

private:
    enum class Step {
        GraphPage,
        GmailList,
        GmailLabel
    };

    void get(const QUrl &url, Step step);
    void onReply(QNetworkReply *reply);
    void onTimeout();
    void handleGraphPage(const QJsonObject &o);
    void handleGmailList(const QJsonObject &o);
    void handleGmailLabel(const QJsonObject &o);
    void nextGmailLabel();
    void finishWith(const Result<QList<MailFolder>> &result);
    bool sameOrigin(const QUrl &url) const;
    Error httpError(int status) const;

    QNetworkAccessManager *m_nam;
    Provider m_provider;
    SecretString m_accessToken;
    QPointer<QNetworkReply> m_reply;
    Step m_step = Step::GraphPage;
    QTimer m_timer;
    int m_timeoutMs = DefaultRequestTimeoutMs;
    int m_pages = 0;
    int m_requests = 0;
    bool m_running = false;
    QList<MailFolder> m_folders;
    struct PendingLabel {
        QString id;
        QString name;
        int rank = 0;
    };
    QList<PendingLabel> m_pendingLabels;
    PendingLabel m_currentLabel;
    QList<std::pair<int, MailFolder>> m_ranked; // Gmail: sort key, folder
};

} // namespace mailkey
