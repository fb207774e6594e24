#include "cli/RequestingProgram.h"

#include <QFileInfo>
#include <QStringList>

#if defined(Q_OS_LINUX)
#include <QFile>
#include <unistd.h>
#elif defined(Q_OS_MACOS)
#include <libproc.h>
#include <sys/proc_info.h>
#include <unistd.h>
#elif defined(Q_OS_WIN)
#include <tlhelp32.h>
#include <windows.h>
#endif

namespace mailkey::cli {

namespace {

struct ProcessInfo {
    QString name;
    qint64 parent = 0;
};

#if defined(Q_OS_LINUX)
// The kernel keeps a process's name (comm) to 15 bytes: "dbus-run-session" is "dbus-run-sessio".
// A name of that length may be cut, so the full name is looked for where Linux keeps paths, and
// taken only if it begins with comm (it never replaces comm with something else):
//  1. the executable: /proc/PID/exe, set by the kernel at exec, which the process cannot change
//     (its name is whatever the file was called when it was run);
//  2. argv[0], then argv[1] (a script run through its #! line: exe is the interpreter, comm and
//     argv[1] name the script); the process writes these itself.
// None of this is proof of anything: any program of the same user can copy itself to any name or
// rename its comm (prctl). The audit field says which program claims to ask, for the user's
// information; MailKey never bases a decision on it.
QString fullName(qint64 pid, const QString &comm)
{
    constexpr int CommLength = 15; // TASK_COMM_LEN - 1
    if (comm.toLocal8Bit().size() < CommLength)
        return comm;
    QStringList candidates;
    QString exe = QFile::symLinkTarget(QStringLiteral("/proc/%1/exe").arg(pid));
    if (exe.endsWith(QLatin1String(" (deleted)")))
        exe.chop(10);
    candidates << QFileInfo(exe).fileName();
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (cmdline.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> argv = cmdline.read(8192).split('\0');
        for (qsizetype i = 0; i < argv.size() && i < 2; ++i)
            candidates << QFileInfo(QString::fromLocal8Bit(argv.at(i))).fileName();
    }
    for (const QString &c : std::as_const(candidates)) {
        if (c.size() > comm.size() && c.startsWith(comm))
            return c;
    }
    return comm;
}
#endif

// The name and parent of one process; an empty name when unknown.
ProcessInfo processInfo(qint64 pid)
{
    ProcessInfo info;
#if defined(Q_OS_LINUX)
    QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
    if (comm.open(QIODevice::ReadOnly))
        info.name = fullName(pid, QString::fromLocal8Bit(comm.readAll()).trimmed());
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        // "pid (comm) state ppid ...": comm may contain spaces and parentheses; the last ')' ends it.
        const QByteArray s = stat.readAll();
        const qsizetype close = s.lastIndexOf(')');
        if (close > 0) {
            const QList<QByteArray> fields = s.mid(close + 2).split(' ');
            if (fields.size() > 1)
                info.parent = fields.at(1).toLongLong();
        }
    }
#elif defined(Q_OS_MACOS)
    char path[PROC_PIDPATHINFO_MAXSIZE] = {};
    if (proc_pidpath(int(pid), path, sizeof(path)) > 0)
        info.name = QFileInfo(QString::fromLocal8Bit(path)).fileName();
    struct proc_bsdinfo bsd = {};
    if (proc_pidinfo(int(pid), PROC_PIDTBSDINFO, 0, &bsd, PROC_PIDTBSDINFO_SIZE) == PROC_PIDTBSDINFO_SIZE) {
        info.parent = qint64(bsd.pbi_ppid);
        if (info.name.isEmpty())
            info.name = QString::fromLocal8Bit(bsd.pbi_comm);
    }
#elif defined(Q_OS_WIN)
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snap != INVALID_HANDLE_VALUE) {
        PROCESSENTRY32W entry = {};
        entry.dwSize = sizeof(entry);
        for (BOOL ok = Process32FirstW(snap, &entry); ok; ok = Process32NextW(snap, &entry)) {
            if (qint64(entry.th32ProcessID) == pid) {
                info.name = QFileInfo(QString::fromWCharArray(entry.szExeFile)).completeBaseName();
                info.parent = qint64(entry.th32ParentProcessID);
                break;
            }
        }
        CloseHandle(snap);
    }
#else
    Q_UNUSED(pid)
#endif
    return info;
}

qint64 ownParent()
{
#if defined(Q_OS_UNIX)
    return qint64(::getppid());
#elif defined(Q_OS_WIN)
    return processInfo(qint64(GetCurrentProcessId())).parent;
#else
    return 0;
#endif
}

bool isShell(const QString &name)
{
    static const QStringList shells
        = {QStringLiteral("sh"),         QStringLiteral("bash"), QStringLiteral("dash"), QStringLiteral("zsh"),
           QStringLiteral("fish"),       QStringLiteral("ksh"),  QStringLiteral("mksh"), QStringLiteral("cmd"),
           QStringLiteral("powershell"), QStringLiteral("pwsh")};
    return shells.contains(name);
}

QString printable(const QString &s)
{
    QString out;
    for (const QChar c : s) {
        if (c.isPrint() && out.size() < 64)
            out += c;
    }
    return out;
}

} // namespace

QString requestingProgram()
{
    const qint64 parent = ownParent();
    if (parent <= 0)
        return QString();
    const ProcessInfo p = processInfo(parent);
    const QString name = printable(p.name);
    if (name.isEmpty() || !isShell(name) || p.parent <= 1)
        return name;
    const QString grand = printable(processInfo(p.parent).name);
    if (grand.isEmpty() || isShell(grand))
        return name;
    return QStringLiteral("%1 (via %2)").arg(grand, name);
}

} // namespace mailkey::cli
