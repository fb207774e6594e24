#include "core/common/NetworkReplies.h"

#include "core/common/SecureBytes.h"

#include <QNetworkReply>

namespace mailkey {

QNetworkRequest bearerJsonRequest(const QUrl &url, const SecretString &accessToken)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setRawHeader("Accept", "application/json");
    QByteArray auth = "Bearer " + accessToken.toUtf8().bytes();
    request.setRawHeader("Authorization", auth);
    secureWipe(auth);
    return request;
}

void dropReply(QPointer<QNetworkReply> &reply, const QObject *receiver)
{
    if (!reply)
        return;
    QNetworkReply *r = reply;
    reply = nullptr;
    r->disconnect(receiver);
    r->abort();
    r->deleteLater();
}

} // namespace mailkey
