#include "core/service/Hooks.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QPointer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTimer>

#include <memory>

namespace mailkey {

namespace {

Q_LOGGING_CATEGORY(lcHooks, "mailkey.hooks")

// After SIGTERM at the time limit, a hook has this long to end before SIGKILL.
constexpr int kKillGraceMs = 2000;
constexpr int kMaxReasonChars = 500;

// Variables of MailKey's own environment a hook never inherits: every MAILKEY_* one but the two
// folders (a hook may call mailkey-cli on the same profile), and any whose name says it holds a
// secret.
bool withheld(const QString &name)
{
    const QString upper = name.toUpper();
    if (upper.startsWith(QLatin1String("MAILKEY_")))
        return upper != QLatin1String("MAILKEY_CONFIG_DIR") && upper != QLatin1String("MAILKEY_DATA_DIR");
    static const char *const secretWords[] = {"TOKEN", "SECRET", "PASSWORD", "PASSPHRASE", "PASSWD"};
    for (const char *word : secretWords) {
        if (upper.contains(QLatin1String(word)))
            return true;
    }
    return false;
}

// One line of plain text: control characters become spaces, bounded.
QString oneLine(const QString &text)
{
    QString out = text.left(kMaxReasonChars);
    for (QChar &c : out) {
        if (c.category() == QChar::Other_Control || c == QChar::LineSeparator || c == QChar::ParagraphSeparator)
            c = QLatin1Char(' ');
    }
    return out.trimmed();
}

} // namespace

QString hookEventName(HookEvent event)
{
    switch (event) {
    case HookEvent::NeedsSignIn:
        return QStringLiteral("needs_sign_in");
    case HookEvent::RefreshFailed:
        return QStringLiteral("refresh_failed");
    case HookEvent::TokenRefreshed:
        return QStringLiteral("token_refreshed");
    case HookEvent::AccountRemoved:
        return QStringLiteral("account_removed");
    case HookEvent::ExpiringSoon:
        break;
    }
    return QStringLiteral("expiring_soon");
}

QList<HookEvent> allHookEvents()
{
    return {HookEvent::NeedsSignIn, HookEvent::RefreshFailed, HookEvent::TokenRefreshed, HookEvent::AccountRemoved,
            HookEvent::ExpiringSoon};
}

bool HookSettings::isEmpty() const
{
    if (!any.trimmed().isEmpty())
        return false;
    for (const QString &c : commands) {
        if (!c.trimmed().isEmpty())
            return false;
    }
    return true;
}

QStringList HookSettings::commandsFor(HookEvent event) const
{
    QStringList out;
    const QString own = commands.value(event).trimmed();
    if (!own.isEmpty())
        out.append(own);
    if (!any.trimmed().isEmpty())
        out.append(any.trimmed());
    return out;
}

Hooks::Hooks(QObject *parent) : QObject(parent) {}

Hooks::~Hooks()
{
    // Nothing is reported from here on (the audit sink may already be gone): the running hooks
    // are killed quietly.
    m_destroying = true;
    m_queue.clear();
    const QList<QProcess *> processes = findChildren<QProcess *>(QString(), Qt::FindDirectChildrenOnly);
    for (QProcess *p : processes) {
        p->disconnect(this);
        p->disconnect();
        delete p; // kills a running one
    }
}

void Hooks::setSettings(const HookSettings &settings)
{
    m_settings = settings;
}

void Hooks::setAuditSink(AuditSink sink)
{
    m_sink = std::move(sink);
}

QStringList Hooks::environmentFor(const HookContext &context)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QStringList keys = env.keys();
    for (const QString &key : keys) {
        if (withheld(key))
            env.remove(key);
    }
    env.insert(QStringLiteral("MAILKEY_EVENT"), hookEventName(context.event));
    env.insert(QStringLiteral("MAILKEY_ACCOUNT"), oneLine(context.account));
    env.insert(QStringLiteral("MAILKEY_PROVIDER"), oneLine(context.provider));
    env.insert(QStringLiteral("MAILKEY_PROFILE"), oneLine(context.profile));
    if (!context.reason.isEmpty())
        env.insert(QStringLiteral("MAILKEY_REASON"), oneLine(context.reason));
    if (context.expiresAt.isValid())
        env.insert(QStringLiteral("MAILKEY_EXPIRES_AT"), context.expiresAt.toUTC().toString(Qt::ISODate));
    return env.toStringList();
}

void Hooks::fire(const HookContext &context)
{
    if (m_destroying)
        return;
    const QStringList commands = m_settings.commandsFor(context.event);
    for (const QString &command : commands) {
        if (int(m_queue.size()) >= qMax(0, m_settings.maxQueued)) {
            const QStringList args = QProcess::splitCommand(command);
            const QString program = args.isEmpty() ? QString() : QFileInfo(args.first()).fileName();
            qCWarning(lcHooks, "too many hooks at once: the %s hook was dropped",
                      qPrintable(hookEventName(context.event)));
            record(
                context, program, QStringLiteral("dropped"),
                QStringLiteral("%1 hooks were running and %2 waiting").arg(m_running).arg(qulonglong(m_queue.size())));
            continue;
        }
        m_queue.push_back(Run{context, command});
    }
    startNext();
}

void Hooks::startNext()
{
    while (!m_destroying && !m_queue.empty() && m_running < qMax(1, m_settings.maxConcurrent)) {
        const Run run = m_queue.front();
        m_queue.pop_front();
        launch(run);
    }
}

void Hooks::launch(const Run &run)
{
    QStringList args = QProcess::splitCommand(run.command);
    if (args.isEmpty() || args.first().isEmpty()) {
        record(run.context, QString(), QStringLiteral("not-started"), QStringLiteral("the command line is empty"));
        return;
    }
    const QString program = QFileInfo(args.first()).fileName();
    // Found before it is started: how a missing program is reported differs between Qt versions
    // (6.8 with the Unix process parameters below reports a child that exited with 255).
    const QString named = args.takeFirst();
    const QString path = named.contains(QLatin1Char('/')) ? named : QStandardPaths::findExecutable(named);
    const QFileInfo file(path);
    if (path.isEmpty() || !file.isFile() || !file.isExecutable()) {
        record(run.context, program, QStringLiteral("not-started"), QStringLiteral("could not start; 0 ms"));
        Q_EMIT runFinished(run.context.event, program, QStringLiteral("not-started"));
        return;
    }
    auto *process = new QProcess(this);
    process->setProgram(path);
    process->setArguments(args);
    process->setEnvironment(environmentFor(run.context));
    process->setWorkingDirectory(QDir::homePath());
    process->setStandardInputFile(QProcess::nullDevice());
    process->setStandardOutputFile(QProcess::nullDevice());
    process->setStandardErrorFile(QProcess::nullDevice());
#if defined(Q_OS_UNIX) && QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    process->setUnixProcessParameters(QProcess::UnixProcessFlag::CloseFileDescriptors
                                      | QProcess::UnixProcessFlag::ResetSignalHandlers);
#endif
    struct State {
        QElapsedTimer clock;
        bool timedOut = false;
        bool ended = false;
    };
    auto state = std::make_shared<State>();
    auto *limit = new QTimer(process);
    limit->setSingleShot(true);
    const int timeoutMs = qBound(1, m_settings.timeoutSeconds, 24 * 3600) * 1000;

    const HookContext context = run.context;
    const auto end = [this, process, state, context, program, limit](const QString &outcome, const QString &what) {
        if (state->ended || m_destroying)
            return;
        state->ended = true;
        limit->stop();
        --m_running;
        const qint64 ms = state->clock.elapsed();
        record(context, program, outcome, QStringLiteral("%1; %2 ms").arg(what).arg(ms));
        process->deleteLater();
        Q_EMIT runFinished(context.event, program, outcome);
        startNext();
    };
    connect(limit, &QTimer::timeout, process, [process, state, program, timeoutMs] {
        state->timedOut = true;
        qCWarning(lcHooks, "the hook %s ran longer than %d s: stopping it", qPrintable(program), timeoutMs / 1000);
        process->terminate();
        QTimer::singleShot(kKillGraceMs, process, [process] {
            if (process->state() != QProcess::NotRunning)
                process->kill();
        });
    });
    connect(process, &QProcess::finished, this, [state, end, timeoutMs](int exitCode, QProcess::ExitStatus status) {
        if (state->timedOut)
            end(QStringLiteral("timed-out"), QStringLiteral("stopped at the time limit of %1 s").arg(timeoutMs / 1000));
        else if (status == QProcess::CrashExit)
            end(QStringLiteral("failed"), QStringLiteral("ended by a signal"));
        else if (exitCode != 0)
            end(QStringLiteral("failed"), QStringLiteral("exit code %1").arg(exitCode));
        else
            end(QStringLiteral("ok"), QStringLiteral("exit code 0"));
    });
    connect(process, &QProcess::errorOccurred, this, [end](QProcess::ProcessError error) {
        // Only a failed start ends a run here; for the others finished() follows.
        if (error == QProcess::FailedToStart)
            end(QStringLiteral("not-started"), QStringLiteral("could not start"));
    });
    ++m_running;
    state->clock.start();
    limit->start(timeoutMs);
    process->start();
}

void Hooks::record(const HookContext &context, const QString &program, const QString &outcome, const QString &detail)
{
    qCInfo(lcHooks, "hook for %s: %s (%s)", qPrintable(hookEventName(context.event)), qPrintable(outcome),
           qPrintable(program));
    if (!m_sink)
        return;
    AuditEntry e;
    e.at = QDateTime::currentDateTimeUtc();
    e.accountId = context.accountId;
    e.accountEmail = context.account;
    e.action = QStringLiteral("hook.run");
    e.outcome = outcome;
    e.detail
        = QStringLiteral("event=%1; program=%2; %3")
              .arg(hookEventName(context.event), program.isEmpty() ? QStringLiteral("-") : program.left(80), detail);
    e.actor = QStringLiteral("mailkey");
    m_sink(e);
}

} // namespace mailkey
