#include "core/ipc/PeerCredentials.h"

#if defined(Q_OS_UNIX)
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace mailkey::ipc {

std::optional<bool> peerIsCurrentUser(qintptr socketDescriptor)
{
    if (socketDescriptor < 0)
        return std::nullopt;
#if defined(Q_OS_LINUX)
    struct ucred cred = {};
    socklen_t len = sizeof(cred);
    if (::getsockopt(int(socketDescriptor), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred))
        return std::nullopt;
    return cred.uid == ::geteuid();
#elif defined(Q_OS_UNIX)
    uid_t uid = 0;
    gid_t gid = 0;
    if (::getpeereid(int(socketDescriptor), &uid, &gid) != 0)
        return std::nullopt;
    return uid == ::geteuid();
#else
    return std::nullopt;
#endif
}

} // namespace mailkey::ipc
