#include "cli/FaultInjection.h"

#ifdef MAILKEY_FAULT_INJECTION
#include "core/keychain/KeyStore.h"
#include "core/vault/Vault.h"

#include <QByteArray>
#include <QString>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#endif

namespace mailkey::cli {

#ifdef MAILKEY_FAULT_INJECTION
namespace {

int g_count = 0;
int g_killAt = 0;
KeyStore::Phase g_killPhase = KeyStore::Phase::Before;
QByteArray g_tracePath;

const char *name(KeyStore::Operation op)
{
    switch (op) {
    case KeyStore::Operation::Read:
        return "read";
    case KeyStore::Operation::Write:
        return "write";
    case KeyStore::Operation::Remove:
        return "remove";
    }
    return "?";
}

void observe(KeyStore::Operation op, const QString &entry, KeyStore::Phase phase)
{
    if (phase == KeyStore::Phase::Before)
        ++g_count;
    if (!g_tracePath.isEmpty()) {
        if (FILE *f = std::fopen(g_tracePath.constData(), "a")) {
            std::fprintf(f, "%d %s %s %s\n", g_count, phase == KeyStore::Phase::Before ? "before" : "after", name(op),
                         entry.toUtf8().constData());
            std::fclose(f);
        }
    }
    if (g_count == g_killAt && phase == g_killPhase)
        std::raise(SIGKILL);
}

int g_importKillAt = -1;

void observeImport(int accountsWritten)
{
    if (accountsWritten == g_importKillAt)
        std::raise(SIGKILL);
}

} // namespace

void installFaultInjection()
{
    const QByteArray importKill = qgetenv("MAILKEY_FAULT_IMPORT_KILL");
    if (!importKill.isEmpty()) {
        g_importKillAt = importKill == "commit" ? 0 : importKill.toInt();
        Vault::setImportObserver(observeImport);
    }
    g_tracePath = qgetenv("MAILKEY_FAULT_KEYCHAIN_TRACE");
    const QByteArray kill = qgetenv("MAILKEY_FAULT_KEYCHAIN_KILL");
    if (!kill.isEmpty()) {
        const QList<QByteArray> parts = kill.split(':');
        g_killAt = parts.value(0).toInt();
        g_killPhase = parts.value(1) == "after" ? KeyStore::Phase::After : KeyStore::Phase::Before;
    }
    if (!g_tracePath.isEmpty() || g_killAt > 0)
        KeyStore::setOperationObserver(observe);
}
#else
void installFaultInjection() {}
#endif

} // namespace mailkey::cli
