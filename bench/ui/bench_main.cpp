// mailkey-bench-ui: how fast the window is with a large vault (issue 17: 1,000 mailboxes and
// 1,000,000 audit rows).
//
//   bench/ui/run.sh BUILD_DIR [ACCOUNTS] [AUDIT_ROWS] [RUNS], which runs
//   xvfb-run -a sh tests/support/with-keyring.sh build/bench/ui/mailkey-bench-ui
//       [--runs 5] [--accounts 1000] [--audit-rows 1000000] [--refresh-runs 2]
//
// The parent runs the fake authorization server, connects --accounts mailboxes through
// AccountService (real sign-ins: PKCE, loopback callback, token exchange, vault), appends
// --audit-rows audit rows through the real Vault::appendAudit (round-robin over the mailboxes,
// spread over a year; the connection runs with synchronous = OFF while seeding, durability only),
// then launches itself --runs times as a child that builds what app/gui/main.cpp builds
// (AccountService + MainWindow) and reports, on CLOCK_MONOTONIC:
//   painted - the first frame of the window has been painted and flushed
//   filled  - the list holds every mailbox and has been painted with them
// Launch = just before the parent starts the child process (exec and dynamic linking included).
// A 1 ms timer on the GUI thread, started before the window is built, records the longest gap
// between its ticks (a stall) from the first turn of the event loop until 3 s after "filled"
// (the scheduler's first pass and the list update after it included): "start-up to idle". Then
// the details of a few mailboxes are opened (the selection changed; the synchronous part timed,
// and until the Activity tab shows the rows read off the GUI thread),
// and on the first --refresh-runs children every mailbox is refreshed at once against the fake
// server (TokenManager::refreshNow) while the same timer records the longest stall. The child's
// peak resident memory (VmHWM) is reported at the end. Prints medians (stalls: the worst run)
// against the targets of issue 17.
#include "bench/ui/DemoSeeder.h"
#include "core/common/ProcessHardening.h"
#include "core/common/Profile.h"
#include "core/lifecycle/TokenManager.h"
#include "core/providers/ProviderFile.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountService.h"
#include "core/service/AccountServiceTestAccess.h"
#include "core/service/AppSettings.h"
#include "core/vault/Vault.h"
#include "tests/support/fakeidp/FakeAuthServer.h"
#include "ui/AccountDetails.h"
#include "ui/AccountFilterModel.h"
#include "ui/AccountModel.h"
#include "ui/MainWindow.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QListView>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <sqlcipher/sqlite3.h>

#include <algorithm>
#include <ctime>
#include <memory>

using namespace mailkey;

namespace {

qint64 monotonicNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

double median(QList<double> v)
{
    if (v.isEmpty())
        return -1;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v.at(v.size() / 2) : (v.at(v.size() / 2 - 1) + v.at(v.size() / 2)) / 2.0;
}

// The longest gap between the ticks of a 1 ms timer on the GUI thread, and every gap over 16 ms
// (when it ended, for finding its cause).
class StallMeter {
public:
    StallMeter()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = monotonicNs();
            if (m_last) {
                const qint64 gap = now - m_last;
                m_worst = std::max(m_worst, gap);
                if (gap > 16000000 && m_gaps.size() < 40)
                    m_gaps.append({now, gap});
            }
            m_last = now;
        });
    }
    void start() { m_timer.start(); }
    void stop() { m_timer.stop(); }
    // Forget what was measured; the next tick starts a new gap.
    void reset()
    {
        m_worst = 0;
        m_last = 0;
        m_gaps.clear();
    }
    qint64 worstNs() const { return m_worst; }
    QList<std::pair<qint64, qint64>> gaps() const { return m_gaps; } // (end, length) in ns

private:
    QTimer m_timer;
    qint64 m_last = 0;
    qint64 m_worst = 0;
    QList<std::pair<qint64, qint64>> m_gaps;
};

// VmHWM of this process in kB (-1 when unknown).
qint64 peakResidentKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// Records the end of the first frame and of the first frame with every row.
class PaintProbe : public QObject {
public:
    PaintProbe(MainWindow *window, int expectedRows) : m_window(window), m_rows(expectedRows) {}
    qint64 paintedNs = 0;
    qint64 filledNs = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::Paint || !watched->isWidgetType())
            return false;
        auto *w = static_cast<QWidget *>(watched);
        if (w->window() != m_window)
            return false;
        if (!m_paintSeen) {
            m_paintSeen = true;
            // After this paint pass has been flushed.
            QTimer::singleShot(0, this, [this] { paintedNs = monotonicNs(); });
        }
        if (!m_fillSeen && w == m_window->accountList()->viewport() && m_window->model()->rowCount() >= m_rows) {
            m_fillSeen = true;
            QTimer::singleShot(0, this, [this] { filledNs = monotonicNs(); });
        }
        return false;
    }

private:
    MainWindow *m_window;
    int m_rows;
    bool m_paintSeen = false;
    bool m_fillSeen = false;
};

int runChild(int accounts, bool refresh)
{
    QTextStream out(stdout);
    StallMeter meter; // ticks from the first turn of the event loop
    meter.start();
    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    ProviderRegistry registry(ProviderRegistry::Settings{}, QProcessEnvironment());
    AccountService service(Profile(), &nam, &registry);
    MainWindow window(&service);
    PaintProbe probe(&window, accounts);
    qApp->installEventFilter(&probe);
    window.show();
    if (!bench::spinUntil([&] { return probe.paintedNs && probe.filledNs; }, 60000)) {
        out << "error the list did not fill (" << window.model()->rowCount() << " rows, vault state "
            << int(service.vaultState()) << ")\n";
        return 1;
    }
    out << "painted " << probe.paintedNs << "\nfilled " << probe.filledNs << '\n';
    // Until idle: the scheduler's first pass and the list update that follows it run within
    // about a second of the vault opening.
    bench::spinUntil([] { return false; }, 3000);
    out << "startstall " << meter.worstNs() << '\n';
    for (const auto &[endNs, gapNs] : meter.gaps())
        out << "startgap " << endNs << ' ' << gapNs << '\n';
    out.flush();

    // Opening the details of a mailbox: the synchronous part of changing the selection (the GUI
    // thread is busy), then until its Activity tab shows the rows read off the GUI thread.
    QList<double> details;
    QList<double> detailsShown;
    // Rows of the list's own model (the filter over window.model()): an index of another model
    // would not change the selection at all.
    const int rows = window.listModel()->rowCount();
    for (int i = 1; i <= 5 && rows > 1; ++i) {
        const QModelIndex index = window.listModel()->index(rows * i / 6, 0);
        QElapsedTimer t;
        t.start();
        window.accountList()->setCurrentIndex(index);
        details.append(double(t.nsecsElapsed()) / 1e6);
        if (window.details()->accountId() != index.data(AccountModel::IdRole).toLongLong()) {
            out << "error the details did not follow the selection\n";
            return 1;
        }
        bench::spinUntil([&] { return !window.details()->isActivityLoading(); }, 10000);
        detailsShown.append(double(t.nsecsElapsed()) / 1e6);
        bench::spinUntil([] { return false; }, 100);
    }
    out << "details " << median(details) << "\ndetailsshown " << median(detailsShown) << '\n';
    out.flush();
    if (!refresh) {
        out << "peakkb " << peakResidentKb() << '\n';
        return 0;
    }

    TokenManager *tokens = AccountServiceTestAccess::tokens(service);
    std::unique_ptr<TokenManager> own;
    if (!tokens) {
        own = std::make_unique<TokenManager>(AccountServiceTestAccess::vault(service), &registry, &nam,
                                             service.profile());
        tokens = own.get();
    }
    // Measure the heartbeat idle for a second (the machine's own noise), then refresh every
    // mailbox at once.
    meter.reset();
    bench::spinUntil([] { return false; }, 1000);
    const qint64 idleWorst = meter.worstNs();
    meter.reset();
    int done = 0;
    int failed = 0;
    QElapsedTimer elapsed;
    elapsed.start();
    const QList<Account> list = window.model()->accounts();
    for (const Account &a : list) {
        tokens->refreshNow(a.id, QString::fromLatin1(DefaultResource), [&](Status s) {
            ++done;
            if (!s)
                ++failed;
        });
    }
    const bool finished = bench::spinUntil([&] { return done == int(list.size()); }, 180000);
    const qint64 refreshMs = elapsed.elapsed();
    // The list updates that follow the last refreshes.
    bench::spinUntil([] { return false; }, 2000);
    meter.stop();
    out << "refreshed " << done << " failed " << failed << " in " << refreshMs << " ms"
        << (finished ? "" : " (timeout)") << "\nstall " << meter.worstNs() << "\nidle " << idleWorst << '\n';
    for (const auto &[endNs, gapNs] : meter.gaps())
        out << "refreshgap " << endNs << ' ' << gapNs << '\n';
    out << "peakkb " << peakResidentKb() << '\n';
    return finished && failed == 0 ? 0 : 3;
}

// Appends `rows` audit rows through Vault::appendAudit, as bench/scale does: round-robin over the
// accounts, spread evenly over the last 365 days, each a token hand-out as TokenManager writes it.
Status seedAudit(Vault *vault, const QList<Account> &accounts, qint64 rows)
{
    if (rows <= 0 || accounts.isEmpty())
        return Status();
    if (sqlite3_exec(vault->handle(), "PRAGMA synchronous = OFF", nullptr, nullptr, nullptr) != SQLITE_OK)
        return Error(ErrorCode::Internal, QStringLiteral("PRAGMA synchronous = OFF failed"));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 spanMs = qint64(365) * 24 * 3600 * 1000;
    const qint64 startMs = now.toMSecsSinceEpoch() - spanMs;
    for (qint64 i = 0; i < rows; ++i) {
        const Account &a = accounts.at(int(i % accounts.size()));
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(startMs + spanMs * (i + 1) / rows, utcZone());
        AuditEntry e;
        e.at = at;
        e.accountId = a.id;
        e.accountEmail = a.email;
        e.action = QStringLiteral("token.handed-out");
        e.outcome = QStringLiteral("ok");
        e.detail = QStringLiteral("resource=imap; valid until %1").arg(at.addSecs(3600).toString(Qt::ISODate));
        e.actor = QStringLiteral("/usr/bin/mutt");
        if (Status s = vault->appendAudit(e); !s)
            return s;
    }
    sqlite3_exec(vault->handle(), "PRAGMA synchronous = FULL", nullptr, nullptr, nullptr);
    return vault->checkpoint();
}

} // namespace

namespace {

// "median 12.3 ms (target <= 100) OK"
QString verdict(double value, double target)
{
    return QStringLiteral("(target <= %1) %2")
        .arg(target)
        .arg(value >= 0 && value <= target ? QStringLiteral("OK") : QStringLiteral("MISSED"));
}

QString ms(double value)
{
    return value < 0 ? QStringLiteral("not measured") : QString::number(value, 'f', 1) + QStringLiteral(" ms");
}

double worst(const QList<double> &values)
{
    return values.isEmpty() ? -1 : *std::max_element(values.begin(), values.end());
}

} // namespace

int main(int argc, char **argv)
{
    hardenProcess();
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("MailKey"));
    QCoreApplication::setOrganizationName(QStringLiteral("MailKey"));
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption runsOpt(QStringLiteral("runs"), QStringLiteral("Launches to time."), QStringLiteral("N"),
                                     QStringLiteral("5"));
    const QCommandLineOption accountsOpt(QStringLiteral("accounts"), QStringLiteral("Mailboxes in the vault."),
                                         QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption auditOpt(QStringLiteral("audit-rows"), QStringLiteral("Audit rows in the vault."),
                                      QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption refreshRunsOpt(QStringLiteral("refresh-runs"),
                                            QStringLiteral("Launches that also refresh every mailbox."),
                                            QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption childOpt(QStringLiteral("child"), QStringLiteral("(internal) one timed launch."));
    const QCommandLineOption refreshOpt(QStringLiteral("refresh"), QStringLiteral("(internal) also refresh all."));
    parser.addOptions({runsOpt, accountsOpt, auditOpt, refreshRunsOpt, childOpt, refreshOpt});
    parser.process(app);
    const int accounts = qMax(1, parser.value(accountsOpt).toInt());
    if (parser.isSet(childOpt))
        return runChild(accounts, parser.isSet(refreshOpt));

    QTextStream out(stdout);
    QTextStream err(stderr);
    const int runs = qMax(1, parser.value(runsOpt).toInt());
    const qint64 auditRows = qMax(0LL, parser.value(auditOpt).toLongLong());
    const int refreshRuns = qMax(0, parser.value(refreshRunsOpt).toInt());
    QTemporaryDir dir;
    qputenv("MAILKEY_DATA_DIR", QFile::encodeName(dir.filePath(QStringLiteral("data"))));
    qputenv("MAILKEY_CONFIG_DIR", QFile::encodeName(dir.filePath(QStringLiteral("config"))));

    test::FakeAuthServer server;
    if (!server.listen()) {
        err << "cannot start the fake server\n";
        return 1;
    }
    const QString client = QStringLiteral("mailkey-bench-client");
    const QString secret = QStringLiteral("bench-secret");
    server.addClient({client, secret, {}});
    if (Status s = bench::writeProvidersFile(ProviderFile::defaultPath(), server.issuer(), client, secret); !s) {
        err << s.error().message << '\n';
        return 1;
    }

    // Seed: real sign-ins, one per mailbox, then the audit rows.
    QElapsedTimer seedTimer;
    seedTimer.start();
    {
        QNetworkAccessManager nam;
        nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
        ProviderRegistry registry(ProviderRegistry::Settings{}, QProcessEnvironment());
        AppSettings settings;
        (void)settings.applyTo(&registry);
        AccountService service(Profile(), &nam, &registry);
        service.setAutoRefresh(false); // the seeding process only signs in
        if (Status s = bench::openVault(&service); !s) {
            err << "the vault did not open: " << s.error().message << "\n(run under tests/support/with-keyring.sh)\n";
            return 1;
        }
        for (int i = 0; i < accounts; ++i) {
            const QString email = QStringLiteral("user%1@bench.example").arg(i, 4, 10, QLatin1Char('0'));
            server.setUser({QStringLiteral("sub-%1").arg(i), email, QStringLiteral("Bench User %1").arg(i), email});
            const Result<Account> a = bench::signIn(&service, &nam, QStringLiteral("fake"));
            if (!a) {
                err << "sign-in " << i << " failed: " << a.error().message << '\n';
                return 1;
            }
        }
        const QList<Account> seeded = service.accounts();
        if (int(seeded.size()) != accounts) {
            err << "expected " << accounts << " mailboxes, have " << seeded.size() << '\n';
            return 1;
        }
        out << "seeded " << accounts << " mailboxes with real sign-ins in " << seedTimer.elapsed() << " ms\n";
        out.flush();
        seedTimer.restart();
        if (Status s = seedAudit(AccountServiceTestAccess::vault(service).get(), seeded, auditRows); !s) {
            err << "seeding the audit log failed: " << s.error().message << '\n';
            return 1;
        }
        if (auditRows > 0)
            out << "seeded " << auditRows << " audit rows through Vault::appendAudit in " << seedTimer.elapsed()
                << " ms\n";
    }

    QList<double> painted;
    QList<double> filled;
    QList<double> startStalls;
    QList<double> details;
    QList<double> detailsShown;
    QList<double> stalls;
    QList<double> idles;
    QList<double> peaks;
    for (int run = 0; run < runs; ++run) {
        QProcess child;
        child.setProcessChannelMode(QProcess::SeparateChannels);
        QStringList args{QStringLiteral("--child"), QStringLiteral("--accounts"), QString::number(accounts)};
        const bool refresh = run < refreshRuns; // the refresh part on the first runs (it changes the tokens)
        if (refresh)
            args.append(QStringLiteral("--refresh"));
        const qint64 t0 = monotonicNs();
        child.start(QCoreApplication::applicationFilePath(), args);
        // Serve the child's refresh requests meanwhile.
        bench::spinUntil([&] { return child.state() == QProcess::NotRunning; }, 300000);
        if (child.state() != QProcess::NotRunning) {
            child.kill();
            child.waitForFinished();
        }
        const QString text = QString::fromLocal8Bit(child.readAllStandardOutput());
        qint64 p = 0;
        qint64 f = 0;
        QStringList gaps;
        for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const QStringList parts = line.split(QLatin1Char(' '));
            const QString key = parts.value(0);
            if (key == QLatin1String("painted"))
                p = parts.value(1).toLongLong();
            else if (key == QLatin1String("filled"))
                f = parts.value(1).toLongLong();
            else if (key == QLatin1String("startstall"))
                startStalls.append(parts.value(1).toDouble() / 1e6);
            else if (key == QLatin1String("details"))
                details.append(parts.value(1).toDouble());
            else if (key == QLatin1String("detailsshown"))
                detailsShown.append(parts.value(1).toDouble());
            else if (key == QLatin1String("stall"))
                stalls.append(parts.value(1).toDouble() / 1e6);
            else if (key == QLatin1String("idle"))
                idles.append(parts.value(1).toDouble() / 1e6);
            else if (key == QLatin1String("peakkb"))
                peaks.append(parts.value(1).toDouble() * 1024 / 1e6);
            else if (key == QLatin1String("startgap") || key == QLatin1String("refreshgap"))
                gaps.append(
                    QStringLiteral("%1 +%2 ms: %3 ms")
                        .arg(key == QLatin1String("startgap") ? QStringLiteral("start-up") : QStringLiteral("refresh"))
                        .arg((parts.value(1).toLongLong() - t0) / 1e6, 0, 'f', 0)
                        .arg(parts.value(2).toDouble() / 1e6, 0, 'f', 1));
            else if (key == QLatin1String("refreshed") || key == QLatin1String("error"))
                out << "  run " << run + 1 << ": " << line << '\n';
        }
        if (child.exitCode() != 0 || !p || !f) {
            err << "run " << run + 1 << " failed (exit " << child.exitCode()
                << "): " << QString::fromLocal8Bit(child.readAllStandardError()).right(2000) << '\n';
            if (!p || !f)
                continue;
        }
        painted.append((p - t0) / 1e6);
        filled.append((f - t0) / 1e6);
        out << "  run " << run + 1 << ": painted " << QString::number(painted.last(), 'f', 1) << " ms, filled "
            << QString::number(filled.last(), 'f', 1) << " ms, longest stall to idle "
            << ms(startStalls.isEmpty() ? -1 : startStalls.last())
            << (refresh && !stalls.isEmpty() && !idles.isEmpty()
                    ? QStringLiteral(", during refresh %1 (idle: %2)").arg(ms(stalls.last()), ms(idles.last()))
                    : QString())
            << ", peak " << QString::number(peaks.isEmpty() ? -1 : peaks.last(), 'f', 1) << " MB\n";
        if (!gaps.isEmpty())
            out << "    stalls over 16 ms (time since launch): " << gaps.join(QStringLiteral("; ")) << '\n';
        out.flush();
    }
    const double mp = median(painted);
    const double mf = median(filled);
    const double ws = worst(startStalls);
    const double wr = worst(stalls);
    const double md = median(details);
    const double pk = worst(peaks);
    out << "with " << accounts << " mailboxes and " << auditRows << " audit rows, " << painted.size() << " launches:\n";
    out << "  median launch -> window painted: " << ms(mp) << ' ' << verdict(mp, 100) << '\n';
    out << "  median launch -> list filled: " << ms(mf) << ' ' << verdict(mf, 300) << '\n';
    out << "  longest GUI-thread stall, start-up to idle (worst launch): " << ms(ws) << ' ' << verdict(ws, 16) << '\n';
    out << "  longest GUI-thread stall while every mailbox refreshes (worst launch): " << ms(wr) << ' '
        << verdict(wr, 16) << '\n';
    if (!idles.isEmpty())
        out << "    (the same heartbeat with nothing to do: " << ms(worst(idles)) << ")\n";
    out << "  opening a mailbox's details (median): " << ms(md) << ' ' << verdict(md, 20) << '\n';
    out << "    (until its activity, read off the GUI thread, is shown: " << ms(median(detailsShown)) << ")\n";
    out << "  peak memory of the window (VmHWM, worst launch): " << QString::number(pk, 'f', 1) << " MB (target <= 60) "
        << (pk >= 0 && pk <= 60 ? "OK" : "MISSED") << '\n';
    return 0;
}
