// providers.json: valid providers are loaded, every bad field is reported with field and reason,
// one bad provider does not hide the good ones, whole-file problems are one clear error.
#include "core/providers/ProviderFile.h"

#include "tests/support/TestUtil.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using mailkey::ErrorCode;
using mailkey::Provider;
using mailkey::ProviderFile;
using mailkey::ProviderProblem;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

ProviderFile::Contents parseOk(const char *json)
{
    auto r = ProviderFile::parse(QByteArray(json));
    EXPECT_TRUE(r.ok()) << (r.ok() ? std::string() : r.error().message.toStdString());
    return r.ok() ? *r : ProviderFile::Contents();
}

// The problems reported for one provider index and field.
QList<ProviderProblem> problemsFor(const ProviderFile::Contents &c, int index, const char *field)
{
    QList<ProviderProblem> out;
    for (const ProviderProblem &p : c.problems) {
        if (p.providerIndex == index && p.field == s(field))
            out.append(p);
    }
    return out;
}

void expectProblem(const ProviderFile::Contents &c, int index, const char *field, const char *reasonPart)
{
    const QList<ProviderProblem> found = problemsFor(c, index, field);
    ASSERT_EQ(found.size(), 1) << "index " << index << " field " << field;
    EXPECT_TRUE(found.first().reason.contains(s(reasonPart)))
        << "reason: " << found.first().reason.toStdString() << " expected to contain: " << reasonPart;
    // The message names where and what.
    const QString msg = found.first().message();
    EXPECT_TRUE(msg.contains(QStringLiteral("providers[%1]").arg(index))) << msg.toStdString();
    EXPECT_TRUE(msg.contains(s(field))) << msg.toStdString();
}

QStringList ids(const ProviderFile::Contents &c)
{
    QStringList out;
    for (const Provider &p : c.providers)
        out.append(p.id);
    return out;
}

const char *MixedFile = R"({"providers": [
  {"id": "example", "name": "Example",
   "issuer": "https://id.example.com",
   "authorization_endpoint": "https://id.example.com/authorize",
   "token_endpoint": "https://id.example.com/token",
   "userinfo_endpoint": "https://id.example.com/userinfo",
   "revocation_endpoint": "https://id.example.com/revoke",
   "device_authorization_endpoint": "https://id.example.com/device/code",
   "client_id": "example-client", "client_secret": "file-secret-value-1",
   "scopes": ["openid", "email", "offline_access"],
   "redirect_host": "127.0.0.1", "redirect_path": "/oauth/example"},
  {"id": "plainhttp", "issuer": "https://plain.example.com",
   "authorization_endpoint": "https://plain.example.com/authorize",
   "token_endpoint": "http://plain.example.com/token"},
  {"id": "typo", "issuer": "https://typo.example.com", "authorisation_endpoint": "https://typo.example.com/a"},
  {"id": "types", "issuer": "https://types.example.com", "scopes": "openid email", "client_id": 42,
   "name": ["x"], "authorization_response_iss_parameter_supported": "yes"},
  {"id": "noissuer", "name": "No issuer"},
  {"id": "Bad_Id", "issuer": "https://bad.example.com"},
  {"id": "google", "issuer": "https://accounts.google.com"},
  {"id": "redir", "issuer": "https://redir.example.com", "redirect_host": "0.0.0.0", "redirect_path": "/a/../b"},
  {"id": "urls", "issuer": "https://urls.example.com#x",
   "authorization_endpoint": "https://urls.example.com/authorize",
   "token_endpoint": "https://urls.example.com/token",
   "userinfo_endpoint": "https://user:pw@urls.example.com/userinfo",
   "revocation_endpoint": "https://urls.example.com/revoke#frag",
   "device_authorization_endpoint": "http://urls.example.com/device"},
  17,
  {"id": "half", "issuer": "https://half.example.com", "authorization_endpoint": "https://half.example.com/a"},
  {"id": "query", "issuer": "https://query.example.com", "redirect_path": "/cb?x=1"},
  {"id": "local", "name": "Local test server", "issuer": "http://127.0.0.1:8080",
   "authorization_endpoint": "http://127.0.0.1:8080/authorize",
   "token_endpoint": "http://localhost:8080/token",
   "userinfo_endpoint": "http://[::1]:8080/userinfo"}
]})";

} // namespace

TEST(ProviderFile, GoodProvidersSurviveBadOnes)
{
    const ProviderFile::Contents c = parseOk(MixedFile);
    ASSERT_EQ(ids(c), (QStringList{s("example"), s("local")}));

    const Provider &p = c.providers.at(0);
    EXPECT_EQ(p.displayName, s("Example"));
    EXPECT_EQ(p.kind, Provider::Kind::Custom);
    EXPECT_EQ(p.issuer, s("https://id.example.com"));
    EXPECT_EQ(p.authorizationEndpoint.toString(), s("https://id.example.com/authorize"));
    EXPECT_EQ(p.tokenEndpoint.toString(), s("https://id.example.com/token"));
    EXPECT_EQ(p.userinfoEndpoint.toString(), s("https://id.example.com/userinfo"));
    EXPECT_EQ(p.profileEndpoint, p.userinfoEndpoint);
    EXPECT_EQ(p.revocationEndpoint.toString(), s("https://id.example.com/revoke"));
    EXPECT_EQ(p.deviceAuthorizationEndpoint.toString(), s("https://id.example.com/device/code"));
    EXPECT_EQ(p.clientId, s("example-client"));
    EXPECT_TRUE(p.clientSecret == s("file-secret-value-1"));
    EXPECT_EQ(p.credentialSource, Provider::CredentialSource::File);
    EXPECT_EQ(p.scopes, (QStringList{s("openid"), s("email"), s("offline_access")}));
    EXPECT_EQ(p.scopesFor(s("imap")), p.scopes);
    EXPECT_EQ(p.redirectHost, s("127.0.0.1"));
    EXPECT_EQ(p.redirectPath, s("/oauth/example"));
    EXPECT_FALSE(p.needsDiscovery);
    EXPECT_FALSE(p.issRequired);
    EXPECT_EQ(p.mailApi, Provider::MailApi::None);

    // http is fine on loopback hosts.
    const Provider &local = c.providers.at(1);
    EXPECT_EQ(local.tokenEndpoint.toString(), s("http://localhost:8080/token"));
    EXPECT_EQ(local.userinfoEndpoint.toString(), s("http://[::1]:8080/userinfo"));
    EXPECT_EQ(local.redirectPath, s("/oauth/local"));
}

TEST(ProviderFile, EveryBadFieldIsReported)
{
    const ProviderFile::Contents c = parseOk(MixedFile);
    expectProblem(c, 1, "token_endpoint", "must use https");
    const QList<ProviderProblem> http = problemsFor(c, 1, "token_endpoint");
    ASSERT_EQ(http.size(), 1);
    EXPECT_EQ(http.first().id, s("plainhttp"));
    EXPECT_TRUE(http.first().message().contains(s("\"plainhttp\"")));
    expectProblem(c, 2, "authorisation_endpoint", "not a known field");
    expectProblem(c, 3, "scopes", "must be an array of strings, not a string");
    expectProblem(c, 3, "client_id", "must be a string, not a number");
    expectProblem(c, 3, "name", "must be a string, not an array");
    expectProblem(c, 3, "authorization_response_iss_parameter_supported", "must be a boolean");
    expectProblem(c, 4, "issuer", "is required");
    expectProblem(c, 5, "id", "a-z, 0-9");
    expectProblem(c, 6, "id", "built-in");
    expectProblem(c, 7, "redirect_host", "127.0.0.1");
    expectProblem(c, 7, "redirect_path", "\"..\"");
    expectProblem(c, 8, "issuer", "fragment");
    expectProblem(c, 8, "userinfo_endpoint", "user name");
    expectProblem(c, 8, "revocation_endpoint", "fragment");
    expectProblem(c, 8, "device_authorization_endpoint", "must use https");
    ASSERT_EQ(problemsFor(c, 9, "").size(), 1);
    EXPECT_TRUE(problemsFor(c, 9, "").first().reason.contains(s("JSON object")));
    expectProblem(c, 10, "token_endpoint", "is required when authorization_endpoint is set");
    expectProblem(c, 11, "redirect_path", "\"?\"");

    // Nothing else was reported (each problem exactly once, none for the good providers).
    EXPECT_EQ(c.problems.size(), 18);
    EXPECT_TRUE(problemsFor(c, 0, "id").isEmpty());
    for (const ProviderProblem &pr : c.problems)
        EXPECT_NE(pr.providerIndex, 0);
    for (const ProviderProblem &pr : c.problems)
        EXPECT_NE(pr.providerIndex, 12);
}

TEST(ProviderFile, SecretsNeverInProblems)
{
    const char *json = R"({"providers": [
      {"id": "a", "issuer": "https://a.example.com", "client_secret": "sekrit\u0001value", "bogus": 1},
      {"id": "b", "issuer": "http://b.example.com", "client_secret": "other-sekrit"}]})";
    const ProviderFile::Contents c = parseOk(json);
    EXPECT_TRUE(c.providers.isEmpty());
    expectProblem(c, 0, "client_secret", "control characters");
    for (const ProviderProblem &p : c.problems) {
        EXPECT_FALSE(p.message().contains(s("sekrit")));
        EXPECT_FALSE(p.message().contains(s("other-sekrit")));
    }
}

TEST(ProviderFile, IssuerOnlyNeedsDiscovery)
{
    const ProviderFile::Contents c
        = parseOk(R"({"providers": [{"id": "kc", "issuer": "https://sso.example.org/realms/mail"}]})");
    ASSERT_EQ(c.providers.size(), 1);
    const Provider &p = c.providers.first();
    EXPECT_TRUE(p.needsDiscovery);
    EXPECT_TRUE(p.authorizationEndpoint.isEmpty());
    EXPECT_TRUE(p.tokenEndpoint.isEmpty());
    EXPECT_EQ(p.displayName, s("kc"));
    EXPECT_EQ(p.redirectPath, s("/oauth/kc"));
    EXPECT_EQ(p.redirectHost, s("127.0.0.1"));
    EXPECT_EQ(p.scopes, (QStringList{s("openid"), s("email"), s("offline_access")}));
    EXPECT_TRUE(p.clientId.isEmpty());
    EXPECT_EQ(p.credentialSource, Provider::CredentialSource::None);
    EXPECT_TRUE(c.problems.isEmpty());
}

TEST(ProviderFile, HttpOnlyOnLoopback)
{
    const ProviderFile::Contents c = parseOk(R"({"providers": [
      {"id": "pub", "issuer": "http://id.example.com"},
      {"id": "loop", "issuer": "http://127.0.0.1:9000",
       "authorization_endpoint": "http://127.0.0.1:9000/authorize", "token_endpoint": "http://127.0.0.1:9000/token"},
      {"id": "sneaky", "issuer": "https://id.example.com",
       "authorization_endpoint": "https://id.example.com/authorize", "token_endpoint": "http://127.0.0.1.nip.io/token"}]})");
    EXPECT_EQ(ids(c), QStringList{s("loop")});
    expectProblem(c, 0, "issuer", "must use https");
    expectProblem(c, 2, "token_endpoint", "must use https");
}

TEST(ProviderFile, DuplicateIdsAndRedirectPaths)
{
    const ProviderFile::Contents c = parseOk(R"({"providers": [
      {"id": "dup", "issuer": "https://one.example.com"},
      {"id": "ok", "issuer": "https://ok.example.com"},
      {"id": "dup", "issuer": "https://two.example.com"},
      {"id": "p1", "issuer": "https://p.example.com", "redirect_path": "/cb"},
      {"id": "p2", "issuer": "https://p.example.com", "redirect_path": "/cb"},
      {"id": "p3", "issuer": "https://p.example.com", "redirect_path": "/oauth/google"}]})");
    EXPECT_EQ(ids(c), QStringList{s("ok")});
    expectProblem(c, 0, "id", "providers[2]");
    expectProblem(c, 2, "id", "providers[0]");
    expectProblem(c, 3, "redirect_path", "providers[4]");
    expectProblem(c, 4, "redirect_path", "providers[3]");
    expectProblem(c, 5, "redirect_path", "built-in");
}

TEST(ProviderFile, ScopeValidation)
{
    const ProviderFile::Contents c = parseOk(R"({"providers": [
      {"id": "a", "issuer": "https://a.example.com", "scopes": []},
      {"id": "b", "issuer": "https://b.example.com", "scopes": ["openid", 3, "two words"]}]})");
    EXPECT_TRUE(c.providers.isEmpty());
    expectProblem(c, 0, "scopes", "must not be empty");
    expectProblem(c, 1, "scopes[1]", "must be a string, not a number");
    expectProblem(c, 1, "scopes[2]", "not a valid scope");
}

// imap_host / smtp_host: the mail servers of `mailkey-cli check`, read as its --imap / --smtp.
TEST(ProviderFile, MailServers)
{
    const ProviderFile::Contents c = parseOk(R"({"providers": [
      {"id": "a", "issuer": "https://a.example.com", "imap_host": "imap.a.example.com",
       "smtp_host": "smtps://mail.a.example.com:2465"},
      {"id": "b", "issuer": "https://b.example.com"},
      {"id": "c", "issuer": "https://c.example.com", "imap_host": "imap.c.example.com:1143",
       "smtp_host": 587},
      {"id": "d", "issuer": "https://d.example.com", "imap_host": "smtp://x.example.com",
       "smtp_host": "bad host"}]})");
    ASSERT_EQ(ids(c), (QStringList{s("a"), s("b")}));
    EXPECT_EQ(c.providers.at(0).imapServer, s("imap.a.example.com"));
    EXPECT_EQ(c.providers.at(0).smtpServer, s("smtps://mail.a.example.com:2465"));
    EXPECT_TRUE(c.providers.at(1).imapServer.isEmpty());
    EXPECT_TRUE(c.providers.at(1).smtpServer.isEmpty());
    expectProblem(c, 2, "imap_host", "imaps://HOST:1143");
    expectProblem(c, 2, "smtp_host", "must be a string, not a number");
    expectProblem(c, 3, "imap_host", "imaps://HOST");
    expectProblem(c, 3, "smtp_host", "host name");
    // The built-ins name theirs.
    EXPECT_EQ(Provider::google().imapServer, s("imap.gmail.com:993"));
    EXPECT_EQ(Provider::google().smtpServer, s("smtp.gmail.com:587"));
    EXPECT_EQ(Provider::microsoft()->imapServer, s("outlook.office365.com:993"));
    EXPECT_EQ(Provider::microsoft()->smtpServer, s("smtp.office365.com:587"));
}

TEST(ProviderFile, UnknownTopLevelFieldDoesNotHideProviders)
{
    const ProviderFile::Contents c
        = parseOk(R"({"version": 2, "providers": [{"id": "a", "issuer": "https://a.example.com"}]})");
    EXPECT_EQ(ids(c), QStringList{s("a")});
    ASSERT_EQ(c.problems.size(), 1);
    EXPECT_EQ(c.problems.first().providerIndex, -1);
    EXPECT_EQ(c.problems.first().field, s("version"));
    EXPECT_TRUE(c.problems.first().reason.contains(s("not a known field")));
}

TEST(ProviderFile, WholeFileErrors)
{
    const struct {
        const char *json;
        const char *part;
    } cases[] = {
        {"{\"providers\": [", "not valid JSON"},
        {"", "not valid JSON"},
        {"[1, 2]", "JSON object"},
        {"{}", "no \"providers\" array"},
        {"{\"providers\": {}}", "must be an array"},
        {"{\"providers\": \"x\"}", "must be an array"},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.json);
        auto r = ProviderFile::parse(QByteArray(c.json), s("/tmp/p.json"));
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::Config);
        EXPECT_TRUE(r.error().message.contains(s(c.part))) << r.error().message.toStdString();
        EXPECT_TRUE(r.error().message.contains(s("/tmp/p.json")));
    }
    auto empty = ProviderFile::parse(QByteArray("{\"providers\": []}"));
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->providers.isEmpty());
    EXPECT_TRUE(empty->problems.isEmpty());
}

TEST(ProviderFile, LoadFromDisk)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath(s("providers.json"));

    auto missing = ProviderFile::load(path);
    ASSERT_FALSE(missing.ok());
    EXPECT_TRUE(missing.error().message.contains(s("does not exist")));

    auto folder = ProviderFile::load(dir.path());
    ASSERT_FALSE(folder.ok());

    {
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(MixedFile);
    }
    auto r = ProviderFile::load(path);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->path, path);
    EXPECT_EQ(ids(*r), (QStringList{s("example"), s("local")}));
    EXPECT_FALSE(r->problems.isEmpty());

    const QString big = dir.filePath(s("big.json"));
    {
        QFile f(big);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write("{\"providers\": [], \"pad\": \"");
        f.write(QByteArray(ProviderFile::MaxFileSize, 'x'));
        f.write("\"}");
    }
    auto tooBig = ProviderFile::load(big);
    ASSERT_FALSE(tooBig.ok());
    EXPECT_TRUE(tooBig.error().message.contains(s("larger than")));
}

TEST(ProviderFile, DefaultFileInConfigRoot)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QByteArray previous = qgetenv("MAILKEY_CONFIG_DIR");
    qputenv("MAILKEY_CONFIG_DIR", dir.path().toLocal8Bit());

    EXPECT_EQ(ProviderFile::defaultPath(), QDir::cleanPath(dir.path()) + s("/providers.json"));
    auto none = ProviderFile::loadDefault();
    ASSERT_TRUE(none.ok()); // no file: no custom providers, no error
    EXPECT_TRUE(none->providers.isEmpty());

    {
        QFile f(ProviderFile::defaultPath());
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(R"({"providers": [{"id": "a", "issuer": "https://a.example.com"}]})");
    }
    auto one = ProviderFile::loadDefault();
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(ids(*one), QStringList{s("a")});

    if (previous.isEmpty())
        qunsetenv("MAILKEY_CONFIG_DIR");
    else
        qputenv("MAILKEY_CONFIG_DIR", previous);
}
