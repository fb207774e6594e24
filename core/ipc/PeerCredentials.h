#pragma once

#include <QtGlobal>

#include <optional>

namespace mailkey::ipc {

// Whether the process at the other end of a connected local socket runs as the same user as
// this process.
//  - Linux: SO_PEERCRED; macOS and the BSDs: getpeereid().
//  - Windows: std::nullopt (not checked here): the named pipe itself only admits the same user
//    (QLocalServer::UserAccessOption sets its DACL).
// true / false when the OS told; std::nullopt when it cannot be told on this platform or the
// descriptor is not a socket.
std::optional<bool> peerIsCurrentUser(qintptr socketDescriptor);

} // namespace mailkey::ipc
