#include "core/oauth/TokenEndpointClient.h"

#include <QBuffer>
#include <QNetworkAccessManager>
#include <QNetworkRequest>

namespace mailkey {

namespace {

// The form as the upload device of one request. Qt's post(request, QByteArray) would keep a
// shared copy of the body until the reply is deleted and then free it unwiped; this device
// holds the only copy (Qt reads it in place) and wipes it when the reply, its parent, is deleted.
class FormUpload : public QBuffer {
public:
    explicit FormUpload(FormEncoder form) : m_form(std::move(form))
    {
        m_view = QByteArray::fromRawData(m_form.bytes().constData(), m_form.bytes().size());
        setBuffer(&m_view);
        open(QIODevice::ReadOnly);
    }
    ~FormUpload() override { close(); } // then m_form wipes the body

private:
    FormEncoder m_form;
    QByteArray m_view; // no copy: the bytes of m_form
};

QNetworkRequest formRequest(const QUrl &endpoint, int transferTimeoutMs)
{
    QNetworkRequest request(endpoint);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    request.setRawHeader("Accept", "application/json");
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setTransferTimeout(transferTimeoutMs);
    return request;
}

} // namespace

TokenReplyResult TokenEndpointReply::parse(const QDateTime &now, const QStringList &requestedScopes,
                                           const SecretString &previousRefreshToken) const
{
    return parseTokenReply(httpStatus, contentType, body, now, requestedScopes, previousRefreshToken);
}

QNetworkReply *TokenEndpointClient::post(Request request, const QObject *receiver, Callback done) const
{
    request.form.add("client_id", request.client.clientId);
    if (!request.client.clientSecret.isEmpty())
        request.form.add("client_secret", request.client.clientSecret);

    auto *upload = new FormUpload(std::move(request.form));
    QNetworkReply *reply = m_network->post(formRequest(request.endpoint, request.transferTimeoutMs), upload);
    upload->setParent(reply);
    const qsizetype maxBytes = request.maxReplyBytes;
    QObject::connect(reply, &QNetworkReply::finished, receiver, [reply, maxBytes, done = std::move(done)] {
        reply->deleteLater();
        TokenEndpointReply answer;
        answer.reply = reply;
        answer.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.networkError = reply->error();
        answer.errorString = reply->errorString();
        answer.contentType = reply->rawHeader("Content-Type");
        answer.retryAfter = reply->rawHeader("Retry-After");
        answer.body = reply->isOpen() ? reply->read(maxBytes) : QByteArray();
        if (done)
            done(answer);
    });
    return reply;
}

FormEncoder TokenEndpointClient::refreshGrant(const SecretString &refreshToken, const QStringList &scopes)
{
    FormEncoder form;
    form.add("grant_type", QByteArrayLiteral("refresh_token"));
    form.add("refresh_token", refreshToken);
    if (!scopes.isEmpty())
        form.add("scope", scopes.join(QLatin1Char(' ')));
    return form;
}

FormEncoder TokenEndpointClient::revocation(const SecretString &token, const QString &tokenTypeHint)
{
    FormEncoder form;
    form.add("token", token);
    form.add("token_type_hint", tokenTypeHint);
    return form;
}

} // namespace mailkey
