#include "core/common/ProcessHardening.h"

#include <QtGlobal>

#if defined(Q_OS_UNIX)
#include <sys/resource.h>
#endif
#if defined(Q_OS_LINUX)
#include <sys/prctl.h>
#endif
#ifdef MAILKEY_LINKS_LIBCRYPTO
#include <openssl/crypto.h>
#endif

namespace mailkey {

void keepLibcryptoUntilExit()
{
#ifdef MAILKEY_LINKS_LIBCRYPTO
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
#endif
}

void hardenProcess()
{
    keepLibcryptoUntilExit();
#if defined(Q_OS_UNIX)
    struct rlimit limit {};
    limit.rlim_cur = 0;
    limit.rlim_max = 0;
    setrlimit(RLIMIT_CORE, &limit);
#endif
#if defined(Q_OS_LINUX)
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

bool coreDumpsDisabled()
{
#if defined(Q_OS_UNIX)
    struct rlimit limit {};
    if (getrlimit(RLIMIT_CORE, &limit) != 0)
        return false;
#if defined(Q_OS_LINUX)
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
        return false;
#endif
    return limit.rlim_cur == 0 && limit.rlim_max == 0;
#else
    return true; // Windows: no core files; WER dumps are a system setting.
#endif
}

} // namespace mailkey
