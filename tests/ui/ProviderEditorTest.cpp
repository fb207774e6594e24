// The provider editor (ui/ProviderEditor): validation as you type by ProviderFile's rules, Save
// enabled only for a valid entry, what it writes (read back with ProviderFile), editing and
// removing, and discovery against the fake authorization server over real loopback.
#include "ui/ProviderEditor.h"
#include "core/providers/IssuerDiscovery.h"
#include "core/providers/ProviderFile.h"
#include "tests/support/HttpTestServer.h"
#include "tests/support/TestUtil.h"
#include "tests/support/fakeidp/FakeAuthServer.h"

#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

using namespace mailkey;
using mailkey::test::waitFor;

namespace {

void dumpShot(QWidget *w, const QString &name)
{
    QTest::qWait(50); // the layout settles (reasons that came and went)
    if (qEnvironmentVariableIsSet("MAILKEY_UI_DUMP_DIR"))
        w->grab().save(qEnvironmentVariable("MAILKEY_UI_DUMP_DIR") + QLatin1Char('/') + name);
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Types as a person does (textEdited and textChanged both fire).
void type(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    edit->del();
    QTest::keyClicks(edit, text);
}

bool shows(const ProviderEditor &editor, const QString &field, const QString &part)
{
    const QLabel *l = editor.problemLabel(field);
    return l && !l->isHidden() && l->text().contains(part);
}

std::optional<Provider> providerIn(const ProviderFile::Contents &c, const QString &id)
{
    for (const Provider &p : c.providers) {
        if (p.id == id)
            return p;
    }
    return std::nullopt;
}

const QByteArray kExisting = R"({"comment": "kept by the editor",
  "providers": [{"id": "other", "name": "Other", "issuer": "https://other.example.com",
                 "redirect_path": "/oauth/other-app", "client_id": "other-client"}]})";

} // namespace

TEST(ProviderEditor, ValidatesAsYouTypeAndWritesWhatTheLoaderReads)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("providers.json"));
    writeFile(path, kExisting);
    ProviderEditor editor(path, nullptr);
    editor.show();
    EXPECT_TRUE(editor.discoverButton()->isHidden());                       // no discovery given: by hand only
    EXPECT_FALSE(editor.canSave());                                         // nothing entered yet
    EXPECT_TRUE(editor.problemLabel(QStringLiteral("issuer"))->isHidden()); // not reached yet: no red text
    EXPECT_EQ(editor.providerChoice()->count(), 2);                         // New provider, Other

    type(editor.field(QStringLiteral("name")), QStringLiteral("Example Mail"));
    EXPECT_EQ(editor.field(QStringLiteral("id"))->text(), QStringLiteral("example-mail"));
    EXPECT_FALSE(editor.canSave()); // no issuer yet

    type(editor.field(QStringLiteral("issuer")), QStringLiteral("http://id.example.com"));
    EXPECT_TRUE(shows(editor, QStringLiteral("issuer"), QStringLiteral("https")));
    EXPECT_EQ(editor.field(QStringLiteral("issuer"))->accessibleDescription(),
              editor.problemLabel(QStringLiteral("issuer"))->text()); // a screen reader hears it with the field
    EXPECT_FALSE(editor.canSave());
    type(editor.field(QStringLiteral("issuer")), QStringLiteral("https://id.example.com"));
    EXPECT_TRUE(editor.problemLabel(QStringLiteral("issuer"))->isHidden());
    EXPECT_TRUE(editor.canSave()); // issuer only: endpoints are discovered at sign-in

    // Both endpoints or neither, as ProviderFile requires.
    type(editor.field(QStringLiteral("authorization_endpoint")), QStringLiteral("https://id.example.com/authorize"));
    EXPECT_TRUE(shows(editor, QStringLiteral("token_endpoint"), QStringLiteral("is required")));
    EXPECT_FALSE(editor.canSave());
    type(editor.field(QStringLiteral("token_endpoint")), QStringLiteral("https://id.example.com:8443/token#x"));
    EXPECT_TRUE(shows(editor, QStringLiteral("token_endpoint"), QStringLiteral("fragment")));
    type(editor.field(QStringLiteral("token_endpoint")), QStringLiteral("http://127.0.0.1:8080/token"));
    EXPECT_TRUE(editor.problemLabel(QStringLiteral("token_endpoint"))->isHidden()) << "loopback http is allowed";
    type(editor.field(QStringLiteral("token_endpoint")), QStringLiteral("https://id.example.com/token"));
    EXPECT_TRUE(editor.canSave());

    // A taken id is refused.
    type(editor.field(QStringLiteral("id")), QStringLiteral("other"));
    EXPECT_TRUE(shows(editor, QStringLiteral("id"), QStringLiteral("already has the id")));
    EXPECT_FALSE(editor.canSave());
    type(editor.field(QStringLiteral("id")), QStringLiteral("Not An Id"));
    EXPECT_TRUE(shows(editor, QStringLiteral("id"), QStringLiteral("a-z, 0-9")));
    type(editor.field(QStringLiteral("id")), QStringLiteral("google"));
    EXPECT_TRUE(shows(editor, QStringLiteral("id"), QStringLiteral("built-in")));
    type(editor.field(QStringLiteral("id")), QStringLiteral("example"));
    // Typing the name again no longer changes an id the person typed.
    type(editor.field(QStringLiteral("name")), QStringLiteral("Example"));
    EXPECT_EQ(editor.field(QStringLiteral("id"))->text(), QStringLiteral("example"));

    type(editor.field(QStringLiteral("scopes")), QStringLiteral("openid email offline_access bad\"scope"));
    EXPECT_TRUE(shows(editor, QStringLiteral("scopes"), QStringLiteral("The scope bad\"scope is not a valid scope")));
    EXPECT_FALSE(editor.canSave());
    dumpShot(&editor, QStringLiteral("provider-editor-error.png"));
    type(editor.field(QStringLiteral("scopes")), QStringLiteral("openid  email offline_access"));

    type(editor.field(QStringLiteral("client_id")), QStringLiteral("has space"));
    EXPECT_TRUE(shows(editor, QStringLiteral("client_id"), QStringLiteral("without spaces")));
    type(editor.field(QStringLiteral("client_id")), QStringLiteral("example-desktop"));
    type(editor.field(QStringLiteral("client_secret")), QStringLiteral("desktop-secret-1"));
    type(editor.field(QStringLiteral("revocation_endpoint")), QStringLiteral("https://id.example.com/revoke"));
    type(editor.field(QStringLiteral("imap_host")), QStringLiteral("imap.example.com"));
    editor.portField(QStringLiteral("imap_port"))->setValue(993);
    type(editor.field(QStringLiteral("smtp_host")), QStringLiteral("smtp.example.com"));
    editor.portField(QStringLiteral("smtp_port"))->setValue(465);
    EXPECT_TRUE(editor.canSave());
    EXPECT_TRUE(editor.findChild<QLabel *>(QStringLiteral("redirectNote"))
                    ->text()
                    .contains(QStringLiteral("http://127.0.0.1/oauth/example")));
    dumpShot(&editor, QStringLiteral("provider-editor-filled.png"));

    QSignalSpy changed(&editor, &ProviderEditor::fileChanged);
    editor.saveButton()->click();
    EXPECT_EQ(changed.count(), 1);
    EXPECT_EQ(editor.result(), QDialog::Accepted);

    // What the loader reads: both providers, the other one as it was.
    const Result<ProviderFile::Contents> loaded = ProviderFile::load(path);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message.toStdString();
    // The only problem is the file's own unknown top-level field, which the editor kept as it was.
    ASSERT_EQ(loaded->problems.size(), 1);
    EXPECT_EQ(loaded->problems.first().providerIndex, -1);
    EXPECT_EQ(loaded->problems.first().field, QStringLiteral("comment"));
    ASSERT_EQ(loaded->providers.size(), 2);
    EXPECT_EQ(loaded->providers.at(0).id, QStringLiteral("other"));
    EXPECT_EQ(loaded->providers.at(0).redirectPath, QStringLiteral("/oauth/other-app"));
    const std::optional<Provider> p = providerIn(*loaded, QStringLiteral("example"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->displayName, QStringLiteral("Example"));
    EXPECT_EQ(p->issuer, QStringLiteral("https://id.example.com"));
    EXPECT_EQ(p->authorizationEndpoint, QUrl(QStringLiteral("https://id.example.com/authorize")));
    EXPECT_EQ(p->tokenEndpoint, QUrl(QStringLiteral("https://id.example.com/token")));
    EXPECT_EQ(p->revocationEndpoint, QUrl(QStringLiteral("https://id.example.com/revoke")));
    EXPECT_TRUE(p->deviceAuthorizationEndpoint.isEmpty());
    EXPECT_FALSE(p->needsDiscovery);
    EXPECT_EQ(p->clientId, QStringLiteral("example-desktop"));
    EXPECT_EQ(p->clientSecret, QStringLiteral("desktop-secret-1"));
    EXPECT_EQ(p->scopes,
              (QStringList{QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("offline_access")}));
    EXPECT_EQ(p->imapServer, QStringLiteral("imap.example.com:993"));
    EXPECT_EQ(p->smtpServer, QStringLiteral("smtp.example.com:465"));
    // The file's own top-level field is kept; empty optional fields are left out, not written as "".
    const QJsonObject root = QJsonDocument::fromJson(readFile(path)).object();
    EXPECT_EQ(root.value(QStringLiteral("comment")).toString(), QStringLiteral("kept by the editor"));
    const QJsonObject written = root.value(QStringLiteral("providers")).toArray().at(1).toObject();
    EXPECT_FALSE(written.contains(QStringLiteral("userinfo_endpoint")));
    EXPECT_FALSE(written.contains(QStringLiteral("device_authorization_endpoint")));
}

TEST(ProviderEditor, ANewFileIsCreatedForItsOwnerOnly)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("config/MailKey/providers.json"));
    ProviderEditor editor(path, nullptr);
    type(editor.field(QStringLiteral("name")), QStringLiteral("Solo"));
    type(editor.field(QStringLiteral("issuer")), QStringLiteral("https://solo.example.com"));
    ASSERT_TRUE(editor.canSave());
    editor.saveButton()->click();
    const Result<ProviderFile::Contents> loaded = ProviderFile::load(path);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message.toStdString();
    ASSERT_EQ(loaded->providers.size(), 1);
    EXPECT_EQ(loaded->providers.first().id, QStringLiteral("solo"));
    EXPECT_TRUE(loaded->providers.first().needsDiscovery);
    EXPECT_EQ(
        QFile::permissions(path)
            & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
        QFileDevice::Permissions());
}

TEST(ProviderEditor, EditsAndRemovesAnExistingProviderKeepingWhatItDoesNotShow)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("providers.json"));
    writeFile(path, kExisting);
    ProviderEditor editor(path, nullptr);
    ASSERT_FALSE(editor.editProvider(QStringLiteral("missing")));
    ASSERT_TRUE(editor.editProvider(QStringLiteral("other")));
    EXPECT_EQ(editor.field(QStringLiteral("name"))->text(), QStringLiteral("Other"));
    EXPECT_EQ(editor.field(QStringLiteral("client_id"))->text(), QStringLiteral("other-client"));
    EXPECT_TRUE(editor.field(QStringLiteral("id"))->isReadOnly());
    EXPECT_TRUE(editor.canSave());
    // The redirect path of the file is what the note tells to register.
    EXPECT_TRUE(editor.findChild<QLabel *>(QStringLiteral("redirectNote"))
                    ->text()
                    .contains(QStringLiteral("/oauth/other-app")));
    type(editor.field(QStringLiteral("name")), QStringLiteral("Other Mail"));
    EXPECT_EQ(editor.field(QStringLiteral("id"))->text(), QStringLiteral("other")); // an existing id stays
    editor.saveButton()->click();
    Result<ProviderFile::Contents> loaded = ProviderFile::load(path);
    ASSERT_TRUE(loaded.ok());
    ASSERT_EQ(loaded->providers.size(), 1);
    EXPECT_EQ(loaded->providers.first().displayName, QStringLiteral("Other Mail"));
    EXPECT_EQ(loaded->providers.first().redirectPath, QStringLiteral("/oauth/other-app"));

    ProviderEditor again(path, nullptr);
    QSignalSpy changed(&again, &ProviderEditor::fileChanged);
    ASSERT_TRUE(again.removeProvider(QStringLiteral("other")));
    EXPECT_EQ(changed.count(), 1);
    loaded = ProviderFile::load(path);
    ASSERT_TRUE(loaded.ok());
    EXPECT_TRUE(loaded->providers.isEmpty());
    EXPECT_EQ(again.providerChoice()->count(), 1); // only "New provider"
    EXPECT_FALSE(again.removeProvider(QStringLiteral("other")));
}

TEST(ProviderEditor, UnsavedChangesAreNotLostBySwitchingEntriesOrClosing)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("providers.json"));
    writeFile(path, kExisting);
    ProviderEditor editor(path, nullptr);
    editor.show();
    QComboBox *choice = editor.providerChoice();
    const auto question = [&]() -> QMessageBox * {
        QMessageBox *box = nullptr;
        waitFor(
            [&] {
                box = editor.findChild<QMessageBox *>(QStringLiteral("discardProviderChanges"));
                return box && box->isVisible();
            },
            3000);
        return box && box->isVisible() ? box : nullptr;
    };
    const auto answer = [&](const char *button) {
        QMessageBox *box = question();
        ASSERT_TRUE(box) << "the editor asks before changes are lost";
        box->findChild<QPushButton *>(QString::fromLatin1(button))->click();
        ASSERT_TRUE(
            waitFor([&] { return !editor.findChild<QMessageBox *>(QStringLiteral("discardProviderChanges")); }, 3000));
    };

    // Nothing changed: switching is immediate.
    EXPECT_FALSE(editor.hasUnsavedChanges());
    Q_EMIT choice->activated(choice->findData(QStringLiteral("other")));
    EXPECT_EQ(editor.field(QStringLiteral("name"))->text(), QStringLiteral("Other"));
    EXPECT_FALSE(editor.hasUnsavedChanges());
    EXPECT_EQ(question(), nullptr);

    // A change, then another entry chosen: asked; "Keep editing" keeps the typing and the choice.
    type(editor.field(QStringLiteral("name")), QStringLiteral("Other Mail"));
    EXPECT_TRUE(editor.hasUnsavedChanges());
    Q_EMIT choice->activated(choice->findData(QString()));
    EXPECT_EQ(choice->currentData().toString(), QStringLiteral("other")) << "the list shows what the form shows";
    answer("keepEditingButton");
    EXPECT_EQ(editor.field(QStringLiteral("name"))->text(), QStringLiteral("Other Mail"));
    EXPECT_EQ(choice->currentData().toString(), QStringLiteral("other"));

    // "Discard changes": the new entry is shown, and the file was not touched.
    Q_EMIT choice->activated(choice->findData(QString()));
    answer("discardChangesButton");
    EXPECT_EQ(choice->currentData().toString(), QString());
    EXPECT_TRUE(editor.field(QStringLiteral("name"))->text().isEmpty());
    Result<ProviderFile::Contents> loaded = ProviderFile::load(path);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->providers.first().displayName, QStringLiteral("Other"));

    // Closing with changes asks too; Keep editing leaves the dialog open.
    type(editor.field(QStringLiteral("name")), QStringLiteral("Typed"));
    editor.reject();
    answer("keepEditingButton");
    EXPECT_TRUE(editor.isVisible());
    EXPECT_EQ(editor.field(QStringLiteral("name"))->text(), QStringLiteral("Typed"));
    editor.reject();
    answer("discardChangesButton");
    EXPECT_FALSE(editor.isVisible());
    EXPECT_EQ(editor.result(), QDialog::Rejected);
}

TEST(ProviderEditor, ABrokenFileIsNeverOverwritten)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("providers.json"));
    const QByteArray broken = R"({"providers": [{"id": "half")";
    writeFile(path, broken);
    ProviderEditor editor(path, nullptr);
    EXPECT_FALSE(editor.fileProblemLabel()->isHidden());
    EXPECT_TRUE(editor.fileProblemLabel()->text().contains(QStringLiteral("not valid JSON")));
    type(editor.field(QStringLiteral("name")), QStringLiteral("New"));
    type(editor.field(QStringLiteral("issuer")), QStringLiteral("https://new.example.com"));
    EXPECT_FALSE(editor.canSave());
    editor.accept();
    EXPECT_EQ(readFile(path), broken);
}

TEST(ProviderEditor, DiscoverFillsTheEndpointsFromTheFakeServer)
{
    test::FakeAuthServer server;
    ASSERT_TRUE(server.listen());
    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    IssuerDiscovery discovery(&nam);
    QTemporaryDir dir;
    ProviderEditor editor(dir.filePath(QStringLiteral("providers.json")), &discovery);
    editor.show();
    EXPECT_FALSE(editor.discoverButton()->isHidden());

    type(editor.field(QStringLiteral("name")), QStringLiteral("Fake"));
    type(editor.field(QStringLiteral("issuer")), server.issuer());
    editor.discoverButton()->click();
    // Progress while it runs.
    EXPECT_FALSE(editor.discoverButton()->isEnabled());
    EXPECT_FALSE(editor.findChild<QProgressBar *>(QStringLiteral("discoveryBusy"))->isHidden());
    EXPECT_TRUE(editor.discoveryStatus()->text().contains(QStringLiteral("Looking up")));
    ASSERT_TRUE(waitFor([&] { return editor.discoverButton()->isEnabled(); }, 20000));
    EXPECT_TRUE(editor.findChild<QProgressBar *>(QStringLiteral("discoveryBusy"))->isHidden());
    EXPECT_TRUE(editor.discoveryStatus()->text().startsWith(QStringLiteral("Found")))
        << editor.discoveryStatus()->text().toStdString();
    EXPECT_GE(server.requestCount(test::FakeAuthServer::Endpoint::Discovery), 1);
    EXPECT_EQ(editor.field(QStringLiteral("authorization_endpoint"))->text(), server.authorizeUrl().toString());
    EXPECT_EQ(editor.field(QStringLiteral("token_endpoint"))->text(), server.tokenUrl().toString());
    EXPECT_EQ(editor.field(QStringLiteral("revocation_endpoint"))->text(), server.revokeUrl().toString());
    EXPECT_TRUE(editor.canSave());
    dumpShot(&editor, QStringLiteral("provider-editor-discovered.png"));
    editor.saveButton()->click();
    const Result<ProviderFile::Contents> loaded = ProviderFile::load(editor.path());
    ASSERT_TRUE(loaded.ok());
    ASSERT_EQ(loaded->providers.size(), 1);
    EXPECT_EQ(loaded->providers.first().tokenEndpoint, server.tokenUrl());
    EXPECT_FALSE(loaded->providers.first().needsDiscovery);
}

TEST(ProviderEditor, DiscoveryFailuresSayWhatIsWrong)
{
    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    IssuerDiscovery discovery(&nam);
    discovery.setTimeout(10000);
    QTemporaryDir dir;
    ProviderEditor editor(dir.filePath(QStringLiteral("providers.json")), &discovery);
    const auto discoverWith = [&](const QString &issuer) {
        type(editor.field(QStringLiteral("issuer")), issuer);
        editor.discoverButton()->click();
        EXPECT_TRUE(waitFor([&] { return editor.discoverButton()->isEnabled(); }, 20000));
        return editor.discoveryStatus()->text();
    };

    // Not https (and not loopback): refused before any request.
    EXPECT_TRUE(discoverWith(QStringLiteral("http://id.example.com")).contains(QStringLiteral("https")));

    // Not reachable: a loopback port nobody listens on.
    quint16 closedPort = 0;
    {
        test::HttpTestServer gone;
        ASSERT_TRUE(gone.listen());
        closedPort = gone.port();
    }
    EXPECT_TRUE(discoverWith(QStringLiteral("http://127.0.0.1:%1").arg(closedPort))
                    .contains(QStringLiteral("Could not reach")));

    test::HttpTestServer server;
    ASSERT_TRUE(server.listen());
    // Not an OpenID configuration: the default 404.
    const QString notFound = discoverWith(server.baseUrl());
    EXPECT_TRUE(notFound.contains(QStringLiteral("HTTP 404"))) << notFound.toStdString();
    EXPECT_TRUE(notFound.contains(QStringLiteral("Check the issuer address, or fill in the endpoints below")))
        << notFound.toStdString();
    EXPECT_FALSE(notFound.contains(QStringLiteral("providers.json"))) << "the editor is where it is fixed";
    // An OpenID configuration of another issuer.
    server.on("GET", QStringLiteral("/.well-known/openid-configuration"),
              test::HttpTestServer::Reply::json(
                  200, QJsonDocument(
                           QJsonObject{
                               {QStringLiteral("issuer"), QStringLiteral("https://evil.example.com")},
                               {QStringLiteral("authorization_endpoint"), QStringLiteral("https://evil.example.com/a")},
                               {QStringLiteral("token_endpoint"), QStringLiteral("https://evil.example.com/t")}})
                           .toJson()));
    const QString mismatch = discoverWith(server.baseUrl());
    EXPECT_TRUE(mismatch.contains(QStringLiteral("https://evil.example.com"))) << mismatch.toStdString();
    EXPECT_TRUE(editor.field(QStringLiteral("token_endpoint"))->text().isEmpty()); // nothing filled in
    dumpShot(&editor, QStringLiteral("provider-editor-discovery-failed.png"));
}
