#pragma once

#include <QHostAddress>
#include <QString>

#include <optional>

namespace mailkey {

// Which local user opened a TCP connection to one of our loopback ports. Linux only: the peer's
// socket is looked up in /proc/net/tcp or /proc/net/tcp6 (local = the peer's address and port,
// remote = ours), whose uid column the kernel fills and no process can change. std::nullopt
// elsewhere, and when the socket is already gone.
//
// The loopback listener uses it so that other users of the computer, who can see the port in
// /proc/net/tcp and connect to it, cannot take the connection slots the browser needs.
std::optional<uint> loopbackPeerUid(const QHostAddress &peer, quint16 peerPort, const QHostAddress &local,
                                    quint16 localPort);

// The same lookup in a given /proc/net/tcp-style text (tests).
std::optional<uint> loopbackPeerUidIn(const QByteArray &table, const QHostAddress &peer, quint16 peerPort,
                                      const QHostAddress &local, quint16 localPort);

} // namespace mailkey
