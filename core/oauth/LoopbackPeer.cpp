#include "core/oauth/LoopbackPeer.h"

#include <QFile>
#include <QList>

#include <cstring>

namespace mailkey {

namespace {

// The kernel prints each 32-bit word of the address as it lies in memory, read as a host-order
// integer, in %08X; the port in host order, %04X.
QByteArray procAddress(const QHostAddress &address, quint16 port)
{
    QByteArray out;
    auto word = [&out](const unsigned char *bytes) {
        quint32 value = 0;
        std::memcpy(&value, bytes, 4);
        out += QByteArray::number(value, 16).rightJustified(8, '0').toUpper();
    };
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 host = address.toIPv4Address();
        const unsigned char bytes[4] = {uchar(host >> 24), uchar(host >> 16), uchar(host >> 8), uchar(host)};
        word(bytes);
    } else {
        const Q_IPV6ADDR v6 = address.toIPv6Address();
        for (int i = 0; i < 16; i += 4)
            word(&v6.c[i]);
    }
    return out + ':' + QByteArray::number(port, 16).rightJustified(4, '0').toUpper();
}

} // namespace

std::optional<uint> loopbackPeerUidIn(const QByteArray &table, const QHostAddress &peer, quint16 peerPort,
                                      const QHostAddress &local, quint16 localPort)
{
    const QByteArray wantLocal = procAddress(peer, peerPort);
    const QByteArray wantRemote = procAddress(local, localPort);
    for (const QByteArray &line : table.split('\n')) {
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
        const QList<QByteArray> f = line.simplified().split(' ');
        if (f.size() < 8 || f[1] != wantLocal || f[2] != wantRemote)
            continue;
        bool ok = false;
        const uint uid = f[7].toUInt(&ok);
        if (ok)
            return uid;
    }
    return std::nullopt;
}

std::optional<uint> loopbackPeerUid(const QHostAddress &peer, quint16 peerPort, const QHostAddress &local,
                                    quint16 localPort)
{
#ifdef Q_OS_LINUX
    // An IPv4 peer on an IPv4 socket is in tcp, anything on [::1] in tcp6.
    const bool v4 = peer.protocol() == QAbstractSocket::IPv4Protocol;
    QFile f(v4 ? QStringLiteral("/proc/net/tcp") : QStringLiteral("/proc/net/tcp6"));
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    return loopbackPeerUidIn(f.readAll(), peer, peerPort, local, localPort);
#else
    Q_UNUSED(peer)
    Q_UNUSED(peerPort)
    Q_UNUSED(local)
    Q_UNUSED(localPort)
    return std::nullopt;
#endif
}

} // namespace mailkey
