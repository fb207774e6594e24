// mailkey-fake-idp: the fake authorization server as a program, for clicking through the real app.
//   mailkey-fake-idp [--port N] [--email E] [--name N] [--client-id ID] [--latency MS]
//                    [--introspection-client ID:SECRET]
// Listens on 127.0.0.1, signs everyone in as the configured user, and runs until Ctrl-C / SIGTERM.
// Standard output holds only a providers.json for it (`mailkey-fake-idp > providers.json` is valid
// JSON; its "issuer" is the base URL); standard error says where it listens and logs method, path
// and status of each request, never a token.
#include "tests/support/fakeidp/FakeAuthServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <cstdio>

#ifdef Q_OS_UNIX
#include <QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace {
int g_signalFd[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFd[0], &c, 1);
}

void quitOnSignals(QCoreApplication *app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalFd[1], QSocketNotifier::Read, app);
    QObject::connect(notifier, &QSocketNotifier::activated, app, [] {
        char c = 0;
        [[maybe_unused]] const auto n = ::read(g_signalFd[1], &c, 1);
        QCoreApplication::quit();
    });
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}
} // namespace
#endif

int main(int argc, char **argv)
{
    using mailkey::test::FakeAuthServer;
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mailkey-fake-idp"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A fake OAuth 2.0 / OpenID Connect provider on 127.0.0.1 for trying MailKey "
                       "without a real account. Every sign-in is approved as the configured user."));
    parser.addHelpOption();
    const QCommandLineOption portOpt(QStringLiteral("port"), QStringLiteral("TCP port (0 = any free port)."),
                                     QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption emailOpt(QStringLiteral("email"), QStringLiteral("The user's e-mail address."),
                                      QStringLiteral("E"), QStringLiteral("alice@example.com"));
    const QCommandLineOption nameOpt(QStringLiteral("name"), QStringLiteral("The user's display name."),
                                     QStringLiteral("N"), QStringLiteral("Alice Example"));
    const QCommandLineOption clientOpt(QStringLiteral("client-id"), QStringLiteral("The accepted client ID."),
                                       QStringLiteral("ID"), QStringLiteral("mailkey-fake-client"));
    const QCommandLineOption latencyOpt(QStringLiteral("latency"),
                                        QStringLiteral("Delay added to every response, in milliseconds."),
                                        QStringLiteral("MS"), QStringLiteral("0"));
    const QCommandLineOption introspectOpt(
        QStringLiteral("introspection-client"),
        QStringLiteral("A confidential client that may call /introspect (RFC 7662), e.g. a mail "
                       "server checking tokens."),
        QStringLiteral("ID:SECRET"));
    parser.addOptions({portOpt, emailOpt, nameOpt, clientOpt, latencyOpt, introspectOpt});
    parser.process(app);

    QTextStream err(stderr);
    QTextStream out(stdout);
    bool ok = false;
    const uint port = parser.value(portOpt).toUInt(&ok);
    if (!ok || port > 65535) {
        err << "mailkey-fake-idp: --port must be a number from 0 to 65535.\n";
        return 2;
    }
    const int latency = parser.value(latencyOpt).toInt(&ok);
    if (!ok || latency < 0) {
        err << "mailkey-fake-idp: --latency must be a number of milliseconds (0 or more).\n";
        return 2;
    }
    const QString clientId = parser.value(clientOpt);
    const QString email = parser.value(emailOpt);
    if (clientId.isEmpty()) {
        err << "mailkey-fake-idp: --client-id must not be empty.\n";
        return 2;
    }

    const QString introspection = parser.value(introspectOpt);
    const qsizetype colon = introspection.indexOf(QLatin1Char(':'));
    if (parser.isSet(introspectOpt) && (colon <= 0 || colon == introspection.size() - 1)) {
        err << "mailkey-fake-idp: --introspection-client must be ID:SECRET, both non-empty.\n";
        return 2;
    }

    FakeAuthServer server;
    server.addClient({clientId, QString(), {}});
    if (colon > 0)
        server.addClient({introspection.left(colon), introspection.mid(colon + 1), {}});
    server.setUser({QStringLiteral("00000000-0000-0000-66de-7e57a11ce000"), email, parser.value(nameOpt), email});
    server.setLatency(latency);
    if (!server.listen(static_cast<quint16>(port))) {
        err << "mailkey-fake-idp: cannot listen on 127.0.0.1:" << port
            << " (is the port in use?). Try another --port or 0.\n";
        return 1;
    }

    const QString base = server.issuer();
    const QJsonObject provider{
        {QStringLiteral("id"), QStringLiteral("fake")},
        {QStringLiteral("name"), QStringLiteral("Fake IdP")},
        {QStringLiteral("issuer"), base},
        {QStringLiteral("authorization_endpoint"), server.authorizeUrl().toString()},
        {QStringLiteral("token_endpoint"), server.tokenUrl().toString()},
        {QStringLiteral("userinfo_endpoint"), server.userinfoUrl().toString()},
        {QStringLiteral("device_authorization_endpoint"), server.deviceAuthorizationUrl().toString()},
        {QStringLiteral("revocation_endpoint"), server.revokeUrl().toString()},
        {QStringLiteral("client_id"), clientId},
        {QStringLiteral("scopes"), QJsonArray{QStringLiteral("openid"), QStringLiteral("email"),
                                              QStringLiteral("profile"), QStringLiteral("offline_access")}},
        {QStringLiteral("redirect_host"), QStringLiteral("127.0.0.1")},
        {QStringLiteral("redirect_path"), QStringLiteral("/oauth/fake")},
    };
    out << QJsonDocument(QJsonObject{{QStringLiteral("providers"), QJsonArray{provider}}})
               .toJson(QJsonDocument::Indented);
    out.flush();
    err << "mailkey-fake-idp: listening at " << base << " as " << email
        << "; the providers.json for it is on standard output. Ctrl-C stops.\n";
    err.flush();

    QObject::connect(&server, &FakeAuthServer::requestHandled, &app,
                     [&err](const QString &method, const QString &path, int status) {
                         err << method << ' ' << path << " -> "
                             << (status ? QString::number(status) : QStringLiteral("dropped")) << '\n';
                         err.flush();
                     });
#ifdef Q_OS_UNIX
    quitOnSignals(&app);
#endif
    const int rc = QCoreApplication::exec();
    err << "mailkey-fake-idp: stopped.\n";
    return rc;
}
