// Consent to other resources at sign-in (MSAL's "extra scopes to consent"): a Microsoft sign-in
// through ConnectSession asks at /authorize for the Graph scopes plus the Outlook IMAP/SMTP
// scopes, redeems the code for Graph only, and TokenManager later mints IMAP and SMTP tokens with
// the same refresh token. Without that consent the strict fake server answers like Entra
// (invalid_grant, AADSTS65001, suberror consent_required) and the account needs a new sign-in.
// Token values are compared with EXPECT_TRUE(a == b) and never printed.
#include "core/lifecycle/TokenManager.h"
#include "core/oauth/ConnectSession.h"
#include "core/providers/ProviderFile.h"
#include "core/service/VaultConnectionStore.h"
#include "tests/core/lifecycle/LifecycleFixture.h"
#include "tests/support/TestUtil.h"
#include "tests/support/fakeidp/FakeBrowser.h"

#include <QUrlQuery>

using namespace mailkey;
using namespace mailkey::test;

namespace {

const QString kImap = QStringLiteral("https://outlook.office.com/IMAP.AccessAsUser.All");
const QString kSmtp = QStringLiteral("https://outlook.office.com/SMTP.Send");

} // namespace

class ConsentTest : public LifecycleFixture {
protected:
    void SetUp() override
    {
        LifecycleFixture::SetUp();
        // The built-in Microsoft provider, pointed at the fake server, under the fixture's id
        // (whose client id the registry's settings provide).
        Provider ms = Provider::microsoft().value();
        ms.id = QString::fromLatin1(kMsProvider);
        ms.issuer = m_server.issuer();
        ms.authorizationEndpoint = m_server.authorizeUrl();
        ms.tokenEndpoint = m_server.tokenUrl();
        ms.setMailApiBase(QUrl(m_server.baseUrl().toString() + QStringLiteral("v1.0")));
        ProviderFile::Contents contents;
        contents.providers = {ms};
        m_registry.setCustomProviders(contents);
        m_server.setUser({QStringLiteral("sub-ann"), QStringLiteral("ann@example.com"), QStringLiteral("Ann"),
                          QStringLiteral("ann@example.com")});

        m_manager = std::make_unique<TokenManager>(m_vault, &m_registry, &m_nam, m_profile, &m_clock);
        TokenManager::Options o;
        o.lockRetryMs = 10;
        o.rateLimits = {100, 1000.0};
        m_manager->setOptions(o);
    }
    void TearDown() override
    {
        m_manager.reset();
        expectNotLogged({m_server.lastIssuedAccessToken().toUtf8(), m_server.lastIssuedRefreshToken().toUtf8(),
                         m_server.lastIssuedCode().toUtf8()});
        LifecycleFixture::TearDown();
    }

    Provider microsoft() const { return m_registry.provider(QString::fromLatin1(kMsProvider)); }

    // A real sign-in: ConnectSession + a stand-in browser. Returns the account id (0 on failure).
    qint64 signIn(const Provider &provider)
    {
        ConnectSession session(provider, std::make_shared<VaultConnectionStore>(m_vault), &m_nam);
        ConnectSession::Options o;
        o.openBrowser = false;
        o.profileRetry = RetryPolicy::fast();
        session.setOptions(o);
        session.setClock(&m_clock);
        FakeBrowser browser(&m_nam);
        QObject::connect(&session, &ConnectSession::authorizationUrlReady, &browser, &FakeBrowser::open);
        qint64 id = 0;
        bool done = false;
        QObject::connect(&session, &ConnectSession::succeeded, &session,
                         [&](const Account &a, bool, const QString &) { id = a.id; });
        QObject::connect(&session, &ConnectSession::failed, &session,
                         [&](const Error &e) { ADD_FAILURE() << "sign-in failed: " << e.message.toStdString(); });
        QObject::connect(&session, &ConnectSession::finished, &session, [&] { done = true; });
        session.start();
        EXPECT_TRUE(waitFor([&] { return done; }, 20000));
        waitFor([&] { return !browser.isBusy(); }, 5000);
        return id;
    }

    Result<AccessToken> fetch(qint64 id, const QString &resource)
    {
        std::optional<Result<AccessToken>> result;
        m_manager->accessToken(id, resource, 60, QStringLiteral("test"),
                               [&](Result<AccessToken> r) { result.emplace(std::move(r)); });
        EXPECT_TRUE(waitFor([&] { return result.has_value(); }, 20000)) << "no answer";
        if (!result)
            return Error(ErrorCode::Internal, QStringLiteral("timeout"));
        return std::move(*result);
    }

    std::unique_ptr<TokenManager> m_manager;
};

TEST_F(ConsentTest, MicrosoftSignInConsentsToImapAndSmtpSoTheirTokensCanBeMinted)
{
    const Provider p = microsoft();
    ASSERT_EQ(p.consentScopes, (QStringList{kImap, kSmtp}));
    const qint64 id = signIn(p);
    ASSERT_NE(id, 0);

    // /authorize: Graph + Outlook; code redemption: Graph only.
    const QString authorizeScope
        = m_server.authorizeRequests().last().queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded);
    EXPECT_EQ(authorizeScope, (p.scopes + QStringList{kImap, kSmtp}).join(QLatin1Char(' ')));
    const auto redemption = m_server.tokenRequests().last();
    EXPECT_EQ(redemption.value(QStringLiteral("grant_type")), QStringLiteral("authorization_code"));
    EXPECT_EQ(redemption.value(QStringLiteral("scope")), p.scopes.join(QLatin1Char(' ')));

    auto imap = fetch(id, QStringLiteral("imap"));
    ASSERT_TRUE(imap.ok()) << imap.error().message.toStdString();
    EXPECT_TRUE(m_server.accessTokenScope(imap->token.reveal()).contains(kImap));
    EXPECT_TRUE(m_server.isAccessTokenValid(imap->token.reveal()));
    auto smtp = fetch(id, QStringLiteral("smtp"));
    ASSERT_TRUE(smtp.ok()) << smtp.error().message.toStdString();
    EXPECT_TRUE(m_server.accessTokenScope(smtp->token.reveal()).contains(kSmtp));
    EXPECT_EQ(account(id).status, AccountStatus::Connected);
}

TEST_F(ConsentTest, WithoutConsentAtSignInImapNeedsSignInWithTheConsentMessage)
{
    Provider p = microsoft();
    p.consentScopes.clear();
    const qint64 id = signIn(p);
    ASSERT_NE(id, 0);
    EXPECT_FALSE(m_server.authorizeRequests()
                     .last()
                     .queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded)
                     .contains(QStringLiteral("outlook")));

    auto imap = fetch(id, QStringLiteral("imap"));
    ASSERT_FALSE(imap.ok());
    EXPECT_EQ(imap.error().code, ErrorCode::NeedsSignIn);
    EXPECT_TRUE(imap.error().message.contains(QStringLiteral("AADSTS65001"))) << imap.error().message.toStdString();
    EXPECT_TRUE(imap.error().message.contains(QStringLiteral("accept the permissions")))
        << imap.error().message.toStdString();
    // The server refused that request for lack of consent.
    EXPECT_EQ(m_server.tokenRequests().last().value(QStringLiteral("scope")),
              kImap + QStringLiteral(" offline_access"));
    EXPECT_EQ(account(id).status, AccountStatus::NeedsSignIn);
}
