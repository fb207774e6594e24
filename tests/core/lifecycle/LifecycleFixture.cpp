#include "tests/core/lifecycle/LifecycleFixture.h"

#include "core/oauth/TokenReply.h"
#include "core/providers/ProviderFile.h"
#include "tests/support/TestUtil.h"

#include <QCryptographicHash>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QUrlQuery>

namespace mailkey::test {

namespace {

QByteArray encode(const QList<QPair<QString, QString>> &params)
{
    QByteArray out;
    for (const auto &p : params) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(p.first) + '=' + QUrl::toPercentEncoding(p.second);
    }
    return out;
}

QString randomString(int bytes)
{
    QByteArray raw(bytes, '\0');
    for (char &c : raw)
        c = char(QRandomGenerator::system()->bounded(256));
    return QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

void spin(int ms)
{
    QElapsedTimer t;
    t.start();
    waitFor([&] { return t.elapsed() >= ms; }, ms + 1000);
}

void LifecycleFixture::SetUp()
{
    ASSERT_TRUE(m_dir.isValid());
    m_oldDataDir = qgetenv("MAILKEY_DATA_DIR");
    qputenv("MAILKEY_DATA_DIR", QFile::encodeName(m_dir.path()));
    m_profile = Profile(QStringLiteral("default"));
    ASSERT_TRUE(Vault::ensurePrivateDirectory(m_profile.dataDir()).ok());
    m_key = SecureBytes::random(32);
    auto v = Vault::open(m_profile.databasePath(), m_key, Vault::OpenMode::Create);
    ASSERT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message.toStdString());
    m_vault = std::shared_ptr<Vault>(std::move(v).value());

    m_nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    ASSERT_TRUE(m_server.listen());
    m_server.setClock(&m_clock);
    m_server.addClient({QString::fromLatin1(kClientId), QString(), {}});
    installProviders(m_registry);
}

void LifecycleFixture::TearDown()
{
    m_vault.reset();
    if (m_oldDataDir.isEmpty())
        qunsetenv("MAILKEY_DATA_DIR");
    else
        qputenv("MAILKEY_DATA_DIR", m_oldDataDir);
}

ProviderRegistry::Settings LifecycleFixture::providerSettings()
{
    ProviderRegistry::Settings s;
    s.insert(ProviderRegistry::settingsKey(QString::fromLatin1(kMsProvider), QStringLiteral("client_id")),
             QString::fromLatin1(kClientId));
    s.insert(ProviderRegistry::settingsKey(QString::fromLatin1(kGoogleProvider), QStringLiteral("client_id")),
             QString::fromLatin1(kClientId));
    return s;
}

void LifecycleFixture::installProviders(ProviderRegistry &registry) const
{
    Provider ms;
    ms.id = QString::fromLatin1(kMsProvider);
    ms.displayName = QStringLiteral("Fake Microsoft");
    ms.kind = Provider::Kind::Microsoft;
    ms.issuer = m_server.issuer();
    ms.authorizationEndpoint = m_server.authorizeUrl();
    ms.tokenEndpoint = m_server.tokenUrl();
    ms.scopes = {QStringLiteral("openid"),         QStringLiteral("profile"),   QStringLiteral("email"),
                 QStringLiteral("offline_access"), QStringLiteral("User.Read"), QStringLiteral("Mail.ReadWrite")};
    ms.resourceScopes.insert(
        QStringLiteral("imap"),
        {QStringLiteral("https://outlook.office.com/IMAP.AccessAsUser.All"), QStringLiteral("offline_access")});
    ms.resourceScopes.insert(QStringLiteral("smtp"), {QStringLiteral("https://outlook.office.com/SMTP.Send"),
                                                      QStringLiteral("offline_access")});
    // As the built-in Microsoft provider: consent to IMAP and SMTP at sign-in (the fake server
    // refuses a refresh for a resource that was not consented, AADSTS65001).
    ms.consentScopes = {QStringLiteral("https://outlook.office.com/IMAP.AccessAsUser.All"),
                        QStringLiteral("https://outlook.office.com/SMTP.Send")};
    ms.redirectPath = QStringLiteral("/oauth/fake-ms");

    Provider g;
    g.id = QString::fromLatin1(kGoogleProvider);
    g.displayName = QStringLiteral("Fake Google");
    g.kind = Provider::Kind::Google;
    g.issuer = m_server.issuer();
    g.authorizationEndpoint = m_server.authorizeUrl();
    g.tokenEndpoint = m_server.tokenUrl();
    g.revocationEndpoint = m_server.revokeUrl();
    g.scopes = {QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("https://mail.google.com/")};
    g.resourceScopes.insert(QStringLiteral("imap"), {QStringLiteral("https://mail.google.com/")});
    g.redirectPath = QStringLiteral("/oauth/fake-google");

    ProviderFile::Contents contents;
    contents.providers = {ms, g};
    registry.setEnvironment(QProcessEnvironment());
    registry.setSettings(providerSettings());
    registry.setCustomProviders(contents);
}

Grant LifecycleFixture::obtainGrant(const QString &providerId, const QString &email)
{
    Grant grant;
    const Provider p = m_registry.provider(providerId);
    EXPECT_TRUE(p.isValid());
    m_server.setUser({QStringLiteral("sub-") + email, email, QStringLiteral("Test User"), email});

    const QString verifier = randomString(32);
    const QString challenge
        = QString::fromLatin1(QCryptographicHash::hash(verifier.toLatin1(), QCryptographicHash::Sha256)
                                  .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    const QString redirect = QStringLiteral("http://127.0.0.1:9") + p.redirectPath;
    QList<QPair<QString, QString>> q{{QStringLiteral("client_id"), QString::fromLatin1(kClientId)},
                                     {QStringLiteral("redirect_uri"), redirect},
                                     {QStringLiteral("response_type"), QStringLiteral("code")},
                                     {QStringLiteral("state"), randomString(16)},
                                     {QStringLiteral("code_challenge"), challenge},
                                     {QStringLiteral("code_challenge_method"), QStringLiteral("S256")},
                                     {QStringLiteral("scope"), p.authorizationScopes().join(QLatin1Char(' '))}};
    if (p.kind == Provider::Kind::Google)
        q.append({QStringLiteral("access_type"), QStringLiteral("offline")});
    QNetworkRequest authorize(QUrl::fromEncoded(QByteArray(m_server.authorizeUrl().toEncoded() + '?' + encode(q))));
    authorize.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *r1 = m_nam.get(authorize);
    EXPECT_TRUE(waitFor([&] { return r1->isFinished(); }));
    const QUrl location = QUrl::fromEncoded(r1->rawHeader("Location"));
    r1->deleteLater();
    const QString code = QUrlQuery(location).queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    EXPECT_FALSE(code.isEmpty()) << "the fake server gave no code";

    QNetworkRequest token(m_server.tokenUrl());
    token.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    QList<QPair<QString, QString>> form{{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                                        {QStringLiteral("code"), code},
                                        {QStringLiteral("redirect_uri"), redirect},
                                        {QStringLiteral("code_verifier"), verifier},
                                        {QStringLiteral("client_id"), QString::fromLatin1(kClientId)}};
    // Like ConnectSession: the code is redeemed for the sign-in scopes (one resource) only.
    if (!p.consentScopes.isEmpty())
        form.append({QStringLiteral("scope"), p.scopes.join(QLatin1Char(' '))});
    QNetworkReply *r2 = m_nam.post(token, encode(form));
    EXPECT_TRUE(waitFor([&] { return r2->isFinished(); }));
    const int status = r2->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    TokenReplyResult parsed
        = parseTokenReply(status, r2->rawHeader("Content-Type"), r2->readAll(), m_clock.now(), p.scopes);
    r2->deleteLater();
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message.toStdString());
    if (parsed.ok()) {
        grant.accessToken = parsed.tokens().accessToken.reveal();
        grant.refreshToken = parsed.tokens().refreshToken.reveal();
        grant.expiresAt = parsed.tokens().expiresAt;
        grant.scopes = parsed.tokens().scopes;
    }
    EXPECT_FALSE(grant.refreshToken.isEmpty());
    return grant;
}

qint64 LifecycleFixture::connectAccount(const QString &providerId, const QString &email, Grant *out,
                                        const QString &tenant)
{
    const Grant g = obtainGrant(providerId, email);
    TokenRecord t;
    t.accessToken = SecretString(g.accessToken);
    t.refreshToken = SecretString(g.refreshToken);
    t.expiresAt = g.expiresAt;
    t.issuedAt = m_clock.now();
    t.scopes = g.scopes;
    auto r = m_vault->saveConnection(
        AccountInfo{providerId, email, QStringLiteral("Test User"), tenant, QStringLiteral("sub-") + email}, t,
        m_clock.now());
    EXPECT_TRUE(r.ok());
    if (out)
        *out = g;
    return r.ok() ? r->accountId : 0;
}

void LifecycleFixture::setStoredExpiry(qint64 accountId, const QDateTime &expiresAt)
{
    auto t = stored(accountId);
    ASSERT_TRUE(t.has_value());
    // commitRefresh without a new refresh token keeps the refresh token and rewrites the row.
    ASSERT_TRUE(
        m_vault
            ->commitRefresh(accountId, t->resource, t->accessToken, SecretString(), expiresAt, t->scopes, m_clock.now())
            .ok());
}

std::optional<TokenRecord> LifecycleFixture::stored(qint64 accountId, const QString &resource)
{
    auto r = m_vault->token(accountId, resource);
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::move(*r) : std::nullopt;
}

Account LifecycleFixture::account(qint64 accountId)
{
    auto r = m_vault->account(accountId);
    EXPECT_TRUE(r.ok() && r->has_value());
    return (r.ok() && r->has_value()) ? **r : Account();
}

QList<AuditEntry> LifecycleFixture::auditOf(const QString &action)
{
    QList<AuditEntry> out;
    auto r = m_vault->audit();
    EXPECT_TRUE(r.ok());
    if (!r.ok())
        return out;
    for (const AuditEntry &e : *r) {
        if (e.action == action)
            out.append(e);
    }
    return out;
}

} // namespace mailkey::test
