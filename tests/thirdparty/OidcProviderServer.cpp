#include "tests/thirdparty/OidcProviderServer.h"

#include "tests/support/TestUtil.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcessEnvironment>
#include <QStandardPaths>

#ifndef MAILKEY_OIDC_PROVIDER_DIR
#error "MAILKEY_OIDC_PROVIDER_DIR must name tests/thirdparty/oidc-provider"
#endif

namespace mailkey::test {

QByteArray OidcProviderServer::formBody(const QList<std::pair<const char *, QString>> &fields)
{
    QByteArray out;
    for (const auto &[name, value] : fields) {
        if (!out.isEmpty())
            out += '&';
        out += name;
        out += '=';
        out += QUrl::toPercentEncoding(value);
    }
    return out;
}

OidcProviderServer::OidcProviderServer()
{
    m_nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
}

OidcProviderServer::~OidcProviderServer()
{
    stop();
}

QString OidcProviderServer::start(const QStringList &options)
{
    const QDir dir(QStringLiteral(MAILKEY_OIDC_PROVIDER_DIR));
    QString node = QProcessEnvironment::systemEnvironment().value(QStringLiteral("MAILKEY_NODE"));
    if (node.isEmpty())
        node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty())
        node = QStandardPaths::findExecutable(QStringLiteral("nodejs"));
    if (node.isEmpty())
        return QStringLiteral(
            "node is not installed: install Debian's nodejs and npm (scripts/install-deps.sh test does), "
            "or set MAILKEY_NODE to a node program");
    if (!QFileInfo::exists(dir.filePath(QStringLiteral("node_modules/oidc-provider/package.json"))))
        return QStringLiteral("%1/node_modules has no oidc-provider: run `npm ci` in that folder "
                              "(scripts/install-deps.sh test does)")
            .arg(dir.path());

    m_process.setWorkingDirectory(dir.path());
    m_process.setProgram(node);
    m_process.setArguments(QStringList{QStringLiteral("server.mjs")} + options);
    m_process.start();
    if (!m_process.waitForStarted(10000))
        return QStringLiteral("%1 did not start: %2").arg(node, m_process.errorString());

    // The first line on stdout: {"issuer": "http://127.0.0.1:PORT", "port": PORT}.
    QByteArray line;
    const QDeadlineTimer deadline(30000);
    while (!line.contains('\n') && !deadline.hasExpired() && m_process.state() == QProcess::Running) {
        m_process.waitForReadyRead(100);
        line += m_process.readAllStandardOutput();
        m_stderr += m_process.readAllStandardError();
    }
    const QJsonObject first = QJsonDocument::fromJson(line.left(line.indexOf('\n'))).object();
    m_issuer = first.value(QStringLiteral("issuer")).toString();
    if (m_issuer.isEmpty()) {
        m_stderr += m_process.readAllStandardError();
        const QString why = QStringLiteral("oidc-provider did not report its issuer (exit code %1). Its output: %2")
                                .arg(m_process.state() == QProcess::Running ? QStringLiteral("none, still running")
                                                                            : QString::number(m_process.exitCode()),
                                     QString::fromUtf8(m_stderr.right(2000)));
        stop();
        return why;
    }
    return {};
}

void OidcProviderServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.closeWriteChannel(); // the server ends when its stdin closes
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QString OidcProviderServer::serverLog() const
{
    return QString::fromUtf8(m_stderr);
}

std::pair<int, QJsonObject> OidcProviderServer::post(const QString &path, const QByteArray &body,
                                                     const QByteArray &authorization)
{
    QNetworkRequest request(url(path));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    request.setRawHeader("Accept", "application/json");
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    QNetworkReply *reply = m_nam.post(request, body);
    if (!waitFor([reply] { return reply->isFinished(); }, 15000)) {
        reply->abort();
        reply->deleteLater();
        return {0, {}};
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return {status, json};
}

QJsonObject OidcProviderServer::introspect(const QString &token, const QString &hint)
{
    QList<std::pair<const char *, QString>> fields{{"token", token}};
    if (!hint.isEmpty())
        fields.append({"token_type_hint", hint});
    const QByteArray credentials = QByteArray(IntrospectionClientId) + ':' + QByteArray(IntrospectionClientSecret);
    const QByteArray basic = QByteArray("Basic ") + credentials.toBase64();
    const auto [status, json] = post(QStringLiteral("/token/introspection"), formBody(fields), basic);
    return status == 200 ? json : QJsonObject();
}

std::pair<int, QJsonObject> OidcProviderServer::refresh(const QString &refreshToken, const QString &scope)
{
    QList<std::pair<const char *, QString>> fields{{"grant_type", QStringLiteral("refresh_token")},
                                                   {"refresh_token", refreshToken},
                                                   {"client_id", QString::fromLatin1(PublicClientId)}};
    if (!scope.isEmpty())
        fields.append({"scope", scope});
    return post(QStringLiteral("/token"), formBody(fields), {});
}

} // namespace mailkey::test
