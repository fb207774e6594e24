#include "core/service/MailFolderFetcher.h"

#include "core/common/NetworkReplies.h"
#include "core/common/Redactor.h"
#include "core/common/SecureBytes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>

namespace mailkey {

namespace {

Q_LOGGING_CATEGORY(lcFolders, "mailkey.folders")

// Gmail system labels worth showing, in display order (INBOX first).
struct SystemLabel {
    const char *id;
    const char *name;
};
constexpr SystemLabel kGmailSystemLabels[] = {
    {"INBOX", "Inbox"},  {"STARRED", "Starred"}, {"IMPORTANT", "Important"}, {"SENT", "Sent"},
    {"DRAFT", "Drafts"}, {"SPAM", "Spam"},       {"TRASH", "Trash"},
};

int systemRank(const QString &id)
{
    int i = 0;
    for (const SystemLabel &l : kGmailSystemLabels) {
        if (id == QLatin1String(l.id))
            return i;
        ++i;
    }
    return -1;
}

int jsonInt(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isDouble() ? std::max(0, v.toInt()) : 0;
}

} // namespace

MailFolderFetcher::MailFolderFetcher(QNetworkAccessManager *nam, QObject *parent) : QObject(parent), m_nam(nam)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &MailFolderFetcher::onTimeout);
}

MailFolderFetcher::~MailFolderFetcher()
{
    cancel();
}

QString MailFolderFetcher::gmailSystemLabelName(const QString &id)
{
    for (const SystemLabel &l : kGmailSystemLabels) {
        if (id == QLatin1String(l.id))
            return QString::fromLatin1(l.name);
    }
    return QString();
}

void MailFolderFetcher::start(const Provider &provider, const SecretString &accessToken)
{
    cancel();
    m_provider = provider;
    m_accessToken = accessToken.clone();
    m_running = true;
    m_pages = 0;
    m_requests = 0;
    m_folders.clear();
    m_pendingLabels.clear();
    m_ranked.clear();

    QUrl base = provider.mailApiBase;
    QString path = base.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    switch (provider.mailApi) {
    case Provider::MailApi::None:
        finishWith(Error(ErrorCode::Config, tr("%1 has no mail folder API, so MailKey cannot list its folders. "
                                               "Its tokens can still be used by mail programs (IMAP/SMTP).")
                                                .arg(provider.displayName)));
        return;
    case Provider::MailApi::MicrosoftGraph:
        base.setPath(path + QStringLiteral("/me/mailFolders"));
        base.setQuery(QStringLiteral("$top=100"));
        get(base, Step::GraphPage);
        return;
    case Provider::MailApi::Gmail:
        base.setPath(path + QStringLiteral("/users/me/labels"));
        get(base, Step::GmailList);
        return;
    }
}

void MailFolderFetcher::cancel()
{
    m_timer.stop();
    dropReply(m_reply, this);
    m_running = false;
    m_accessToken.clear();
}

bool MailFolderFetcher::sameOrigin(const QUrl &url) const
{
    const QUrl &base = m_provider.mailApiBase;
    return url.isValid() && url.scheme() == base.scheme() && url.host() == base.host()
           && url.port(url.scheme() == QLatin1String("https") ? 443 : 80)
                  == base.port(base.scheme() == QLatin1String("https") ? 443 : 80);
}

void MailFolderFetcher::get(const QUrl &url, Step step)
{
    ++m_requests;
    m_step = step;
    QNetworkReply *reply = m_nam->get(bearerJsonRequest(url, m_accessToken));
    m_reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onReply(reply); });
    m_timer.start(std::max(1, m_timeoutMs));
}

void MailFolderFetcher::onTimeout()
{
    if (!m_reply)
        return;
    finishWith(Error(ErrorCode::Network, tr("%1 did not answer in time when MailKey asked for the mail folders. "
                                            "Try again later.")
                                             .arg(m_provider.displayName)));
}

Error MailFolderFetcher::httpError(int status) const
{
    if (status == 401) {
        return Error(ErrorCode::NeedsSignIn, tr("%1 did not accept MailKey's access to this mailbox (HTTP 401): the "
                                                "sign-in has expired or was revoked. Reconnect the account.")
                                                 .arg(m_provider.displayName));
    }
    if (status == 403) {
        return Error(ErrorCode::Provider, tr("%1 does not allow MailKey to read the mail folders (HTTP 403). "
                                             "Reconnect the account and grant the mail permissions MailKey asks for.")
                                              .arg(m_provider.displayName));
    }
    if (status == 429 || status >= 500) {
        return Error(ErrorCode::Network, tr("%1 is busy or unavailable (HTTP %2). Try again in a few minutes.")
                                             .arg(m_provider.displayName, QString::number(status)));
    }
    return Error(
        ErrorCode::Provider,
        tr("%1 refused to list the mail folders (HTTP %2).").arg(m_provider.displayName, QString::number(status)));
}

void MailFolderFetcher::onReply(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_reply)
        return;
    m_reply = nullptr;
    m_timer.stop();
    const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusAttr.isValid()) {
        finishWith(Error(ErrorCode::Network, tr("MailKey could not reach %1 to list the mail folders (%2). Check "
                                                "the connection and try again.")
                                                 .arg(m_provider.displayName, redact(reply->errorString()).left(200))));
        return;
    }
    const int status = statusAttr.toInt();
    if (status < 200 || status > 299) {
        qCInfo(lcFolders, "folder request answered HTTP %d", status);
        finishWith(httpError(status));
        return;
    }
    if (reply->bytesAvailable() > MaxBodySize) {
        finishWith(
            Error(ErrorCode::Provider, tr("%1 sent an unexpectedly large folder list.").arg(m_provider.displayName)));
        return;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        finishWith(
            Error(ErrorCode::Provider,
                  tr("%1 sent a folder list MailKey could not read. Try again later.").arg(m_provider.displayName)));
        return;
    }
    switch (m_step) {
    case Step::GraphPage:
        handleGraphPage(doc.object());
        break;
    case Step::GmailList:
        handleGmailList(doc.object());
        break;
    case Step::GmailLabel:
        handleGmailLabel(doc.object());
        break;
    }
}

void MailFolderFetcher::handleGraphPage(const QJsonObject &o)
{
    ++m_pages;
    const QJsonArray value = o.value(QLatin1String("value")).toArray();
    for (const QJsonValue &v : value) {
        const QJsonObject f = v.toObject();
        MailFolder folder;
        folder.name = f.value(QLatin1String("displayName")).toString();
        if (folder.name.isEmpty())
            continue;
        folder.unread = jsonInt(f, "unreadItemCount");
        folder.total = jsonInt(f, "totalItemCount");
        m_folders.append(folder);
    }
    const QString next = o.value(QLatin1String("@odata.nextLink")).toString();
    if (next.isEmpty() || m_pages >= MaxPages) {
        finishWith(m_folders);
        return;
    }
    const QUrl nextUrl(next, QUrl::StrictMode);
    if (!sameOrigin(nextUrl)) {
        // Never send the token to another host.
        qCWarning(lcFolders, "ignoring a next-page link to another host");
        finishWith(m_folders);
        return;
    }
    get(nextUrl, Step::GraphPage);
}

void MailFolderFetcher::handleGmailList(const QJsonObject &o)
{
    const QJsonArray labels = o.value(QLatin1String("labels")).toArray();
    for (const QJsonValue &v : labels) {
        const QJsonObject l = v.toObject();
        const QString id = l.value(QLatin1String("id")).toString();
        const QString type = l.value(QLatin1String("type")).toString();
        if (id.isEmpty())
            continue;
        int rank = systemRank(id);
        QString name;
        if (rank >= 0) {
            name = gmailSystemLabelName(id);
        } else if (type == QLatin1String("user")) {
            if (l.value(QLatin1String("labelListVisibility")).toString() == QLatin1String("labelHide"))
                continue;
            name = l.value(QLatin1String("name")).toString();
            rank = 1000;
        } else {
            continue; // CATEGORY_*, UNREAD, CHAT ...: not folders people look at
        }
        if (name.isEmpty())
            continue;
        if (l.contains(QLatin1String("messagesTotal")) && l.contains(QLatin1String("messagesUnread"))) {
            m_ranked.append({rank, MailFolder{name, jsonInt(l, "messagesUnread"), jsonInt(l, "messagesTotal")}});
        } else if (m_pendingLabels.size() < MaxLabels) {
            m_pendingLabels.append(PendingLabel{id, name, rank});
        }
    }
    nextGmailLabel();
}

void MailFolderFetcher::nextGmailLabel()
{
    if (m_pendingLabels.isEmpty()) {
        std::stable_sort(m_ranked.begin(), m_ranked.end(), [](const auto &a, const auto &b) {
            if (a.first != b.first)
                return a.first < b.first;
            return a.second.name.compare(b.second.name, Qt::CaseInsensitive) < 0;
        });
        QList<MailFolder> out;
        for (const auto &r : std::as_const(m_ranked))
            out.append(r.second);
        finishWith(out);
        return;
    }
    m_currentLabel = m_pendingLabels.takeFirst();
    QUrl url = m_provider.mailApiBase;
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + QStringLiteral("/users/me/labels/")
                    + QString::fromLatin1(QUrl::toPercentEncoding(m_currentLabel.id)),
                QUrl::TolerantMode);
    get(url, Step::GmailLabel);
}

void MailFolderFetcher::handleGmailLabel(const QJsonObject &o)
{
    m_ranked.append({m_currentLabel.rank,
                     MailFolder{m_currentLabel.name, jsonInt(o, "messagesUnread"), jsonInt(o, "messagesTotal")}});
    nextGmailLabel();
}

void MailFolderFetcher::finishWith(const Result<QList<MailFolder>> &result)
{
    cancel();
    if (result) {
        qCInfo(lcFolders, "%d folder(s) listed with %d request(s)", int(result->size()), m_requests);
        Q_EMIT finished(result.value());
    } else {
        Q_EMIT failed(result.error());
    }
}

} // namespace mailkey
