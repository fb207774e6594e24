#include "core/mailcheck/MailServer.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QRegularExpression>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::MailServer)
};

bool isHostName(const QString &host)
{
    if (host.isEmpty() || host.size() > 253)
        return false;
    if (!QHostAddress(host).isNull())
        return true;
    static const QRegularExpression label(QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"));
    const QStringList labels = host.split(QLatin1Char('.'));
    for (const QString &l : labels) {
        if (!label.match(l).hasMatch())
            return false;
    }
    return true;
}
} // namespace

QString MailServer::protocolName() const
{
    return protocol == Protocol::Imap ? QStringLiteral("imap") : QStringLiteral("smtp");
}

QString MailServer::display() const
{
    QString scheme = protocolName();
    if (security == Security::ImplicitTls)
        scheme += QLatin1Char('s');
    const QString h = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
    return QStringLiteral("%1://%2:%3").arg(scheme, h, QString::number(port));
}

Result<MailServer> MailServer::parse(Protocol protocol, const QString &input)
{
    MailServer s;
    s.protocol = protocol;
    const QString name = protocol == Protocol::Imap ? QStringLiteral("imap") : QStringLiteral("smtp");
    const int tlsPort = protocol == Protocol::Imap ? 993 : 465;
    const int startTlsPort = protocol == Protocol::Imap ? 143 : 587;
    const auto bad = [&](const QString &why) { return Error(ErrorCode::InvalidInput, why); };

    QString rest = input.trimmed();
    bool schemeGiven = false;
    if (rest.startsWith(name + QStringLiteral("s://"), Qt::CaseInsensitive)) {
        s.security = Security::ImplicitTls;
        rest = rest.mid(name.size() + 4);
        schemeGiven = true;
    } else if (rest.startsWith(name + QStringLiteral("://"), Qt::CaseInsensitive)) {
        s.security = Security::StartTls;
        rest = rest.mid(name.size() + 3);
        schemeGiven = true;
    } else if (rest.contains(QStringLiteral("://"))) {
        return bad(Text::tr("a %1 server is HOST[:PORT], %1s://HOST[:PORT] (TLS from the first byte) or "
                            "%1://HOST[:PORT] (STARTTLS)")
                       .arg(name));
    }
    if (rest.endsWith(QLatin1Char('/')))
        rest.chop(1);

    QString host = rest;
    QString portText;
    if (rest.startsWith(QLatin1Char('['))) {
        const qsizetype close = rest.indexOf(QLatin1Char(']'));
        if (close < 0)
            return bad(Text::tr("an IPv6 address is written in brackets: [ADDRESS]:PORT"));
        host = rest.mid(1, close - 1);
        const QString after = rest.mid(close + 1);
        if (!after.isEmpty()) {
            if (!after.startsWith(QLatin1Char(':')))
                return bad(Text::tr("an IPv6 address is written in brackets: [ADDRESS]:PORT"));
            portText = after.mid(1);
        }
        if (QHostAddress(host).protocol() != QAbstractSocket::IPv6Protocol)
            return bad(Text::tr("an IPv6 address is written in brackets: [ADDRESS]:PORT"));
    } else if (rest.count(QLatin1Char(':')) == 1) {
        const qsizetype colon = rest.indexOf(QLatin1Char(':'));
        host = rest.left(colon);
        portText = rest.mid(colon + 1);
    } else if (rest.count(QLatin1Char(':')) > 1) {
        return bad(Text::tr("an IPv6 address is written in brackets: [ADDRESS]:PORT"));
    }
    if (!isHostName(host))
        return bad(Text::tr("the %1 server needs a host name or an IP address").arg(name));
    s.host = host;

    if (portText.isEmpty()) {
        s.port = schemeGiven ? (s.security == Security::ImplicitTls ? tlsPort : startTlsPort)
                             : (protocol == Protocol::Imap ? tlsPort : startTlsPort);
        if (!schemeGiven)
            s.security = s.port == tlsPort ? Security::ImplicitTls : Security::StartTls;
        return s;
    }
    bool ok = false;
    s.port = portText.toInt(&ok);
    if (!ok || s.port < 1 || s.port > 65535)
        return bad(Text::tr("the port of the %1 server is a number from 1 to 65535").arg(name));
    if (!schemeGiven) {
        if (s.port == tlsPort) {
            s.security = Security::ImplicitTls;
        } else if (s.port == startTlsPort) {
            s.security = Security::StartTls;
        } else {
            return bad(Text::tr("port %1 is not a standard %2 port: write %2s://HOST:%1 for TLS from the first byte "
                                "or %2://HOST:%1 for STARTTLS")
                           .arg(QString::number(s.port), name));
        }
    }
    return s;
}

} // namespace mailkey
