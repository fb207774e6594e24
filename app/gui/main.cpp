// mailkey: the double-click GUI. Thin: process hardening, the application object, one instance
// per user and profile, the account service and the main window, and (once the vault is open)
// the local socket mailkey-cli delegates token requests to.
#include "core/common/ProcessHardening.h"
#include "core/common/Profile.h"
#include "core/ipc/IpcServer.h"
#include "core/ipc/ServingLock.h"
#include "core/providers/ProviderFile.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountService.h"
#include "ui/MainWindow.h"
#include "ui/SingleInstance.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QIcon>
#include <QNetworkAccessManager>
#include <QTextStream>

#include <memory>

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::app::Main)
};
} // namespace

int main(int argc, char **argv)
{
    mailkey::hardenProcess();
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("MailKey"));
    QCoreApplication::setApplicationName(QStringLiteral("MailKey"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MAILKEY_VERSION));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("MailKey"));
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.mailkey.MailKey"));
    if (QFile::exists(QStringLiteral(":/icons/mailkey.svg")))
        QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/mailkey.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        Text::tr("Connect mailboxes with OAuth 2.0 and keep their tokens in an encrypted vault."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption profileOption(QStringLiteral("profile"),
                                           Text::tr("Use the profile NAME (its own vault). Default: default."),
                                           QStringLiteral("NAME"), QString::fromLatin1(mailkey::Profile::DefaultName));
    parser.addOption(profileOption);
    const QCommandLineOption backgroundOption(
        QStringLiteral("background"),
        Text::tr("Start without showing the window (the login autostart entry uses it); starting MailKey again "
                 "shows it."));
    parser.addOption(backgroundOption);
    const QCommandLineOption providersOption(
        QStringLiteral("providers"),
        Text::tr("Use FILE as the custom providers file for this run (instead of the one in Settings)."),
        QStringLiteral("FILE"));
    parser.addOption(providersOption);
    parser.process(app);
    const bool background = parser.isSet(backgroundOption);
    const QString profileName = parser.value(profileOption);
    if (!mailkey::Profile::isValidName(profileName)) {
        QTextStream(stderr) << Text::tr("mailkey: a profile name has letters, digits, '.', '_' and '-' only "
                                        "(up to 64 characters).\n");
        return 2;
    }
    const mailkey::Profile profile(profileName);
    // --providers FILE: checked now, so a wrong path is said here instead of a window without it.
    QString providersFile;
    if (parser.isSet(providersOption)) {
        providersFile = QFileInfo(parser.value(providersOption)).absoluteFilePath();
        if (const auto loaded = mailkey::ProviderFile::load(providersFile); !loaded) {
            QTextStream(stderr) << "mailkey: " << loaded.error().message << '\n';
            return 2;
        }
    }

    QNetworkAccessManager network;
    mailkey::ProviderRegistry providers;
    std::unique_ptr<mailkey::AccountService> service;
    std::unique_ptr<mailkey::MainWindow> window;
    // The window serves its profile while it runs; a `mailkey-cli serve` hands over to it first
    // (core/ipc/ServingLock.h) and takes over again once this process has ended.
    mailkey::ServingLock servingLock(profile);

    mailkey::SingleInstance instance(mailkey::SingleInstance::socketNameFor(profile.ipcSocketName()));
    QObject::connect(&instance, &mailkey::SingleInstance::alreadyRunning, &app,
                     [] { QMetaObject::invokeMethod(qApp, &QCoreApplication::quit, Qt::QueuedConnection); });
    const auto startWindow = [&] {
        service = std::make_unique<mailkey::AccountService>(profile, &network, &providers);
        // mailkey-cli asks the running window for tokens (one cache, one refresh per account).
        // The IPC server is owned by the service and answers "not ready" until the vault is open
        // (mailkey-cli then opens the vault itself).
        mailkey::IpcServer::attach(service.get());
        window = std::make_unique<mailkey::MainWindow>(service.get());
        if (!providersFile.isEmpty())
            window->setProvidersFileOverride(providersFile);
        QObject::connect(&instance, &mailkey::SingleInstance::activationRequested, window.get(),
                         &mailkey::MainWindow::raiseAndActivate);
        if (background)
            window->startInBackground(); // the service starts all the same
        else
            window->show();
    };
    QObject::connect(&instance, &mailkey::SingleInstance::primary, &app, [&] {
        // Usually a fraction of a second (the service answers once no refresh is in flight); a
        // service that does not step aside within 10 s is worked beside (refreshes are still
        // one at a time per account, under the cross-process lock).
        mailkey::takeOverFromService(&app, &servingLock, profile, 10000, [&](bool) { startWindow(); });
    });
    instance.start();

    const int rc = QApplication::exec();
    window.reset();
    service.reset();
    return rc;
}
