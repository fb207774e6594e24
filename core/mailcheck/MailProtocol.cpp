#include "core/mailcheck/MailProtocol.h"

#include <QRegularExpression>

#include <cctype>

namespace mailkey::mailprotocol {

namespace {

// The end of the line starting at `from` (the index of its "\n"), or -1.
qsizetype lineEnd(const QByteArray &buffer, qsizetype from)
{
    return buffer.indexOf('\n', from);
}

QByteArray chompLine(QByteArray line)
{
    if (line.endsWith('\n'))
        line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

// A line ending in "{N}" or "{N+}" announces a literal of N bytes: N, else -1.
qint64 literalSize(const QByteArray &line)
{
    if (!line.endsWith('}'))
        return -1;
    const qsizetype open = line.lastIndexOf('{');
    if (open < 0)
        return -1;
    QByteArray n = line.mid(open + 1, line.size() - open - 2);
    if (n.endsWith('+'))
        n.chop(1);
    bool ok = false;
    const qint64 size = n.toLongLong(&ok);
    return ok && size >= 0 ? size : -1;
}

} // namespace

Take takeImapResponse(QByteArray &buffer, ImapResponse &out)
{
    qsizetype pos = 0;
    QByteArray whole;
    for (;;) {
        const qsizetype end = lineEnd(buffer, pos);
        if (end < 0)
            return buffer.size() - pos > MaxLine || buffer.size() > 4 * MaxLine ? Take::TooLong : Take::Incomplete;
        if (end - pos > MaxLine)
            return Take::TooLong;
        const QByteArray line = chompLine(buffer.mid(pos, end + 1 - pos));
        whole += line;
        pos = end + 1;
        const qint64 literal = literalSize(line);
        if (literal < 0)
            break;
        if (literal > MaxLine || whole.size() + literal > 4 * MaxLine)
            return Take::TooLong;
        if (buffer.size() - pos < literal)
            return Take::Incomplete;
        whole += "\r\n";
        whole += buffer.mid(pos, literal);
        pos += literal;
    }
    buffer.remove(0, pos);
    out = parseImapLine(whole);
    return Take::Taken;
}

ImapResponse parseImapLine(const QByteArray &line)
{
    ImapResponse r;
    r.line = line;
    QByteArray rest;
    if (line.startsWith('+')) {
        r.kind = ImapResponse::Kind::Continuation;
        r.text = line.mid(line.startsWith("+ ") ? 2 : 1);
        return r;
    }
    const qsizetype sp = line.indexOf(' ');
    const QByteArray first = sp < 0 ? line : line.left(sp);
    rest = sp < 0 ? QByteArray() : line.mid(sp + 1);
    if (first == "*") {
        r.kind = ImapResponse::Kind::Untagged;
    } else {
        r.kind = ImapResponse::Kind::Tagged;
        r.tag = first;
    }
    const qsizetype sp2 = rest.indexOf(' ');
    r.status = (sp2 < 0 ? rest : rest.left(sp2)).toUpper();
    rest = sp2 < 0 ? QByteArray() : rest.mid(sp2 + 1);
    if (rest.startsWith('[')) {
        const qsizetype close = rest.indexOf(']');
        if (close > 0) {
            r.code = rest.mid(1, close - 1);
            rest = rest.mid(close + 1).trimmed();
        }
    }
    r.text = rest;
    return r;
}

QStringList imapCapabilities(const ImapResponse &r)
{
    QByteArray list;
    if (r.kind == ImapResponse::Kind::Untagged && r.status == "CAPABILITY")
        list = r.text;
    else if (r.code.toUpper().startsWith("CAPABILITY "))
        list = r.code.mid(11);
    else
        return {};
    QStringList caps;
    const QList<QByteArray> words = list.simplified().split(' ');
    for (const QByteArray &w : words) {
        if (!w.isEmpty())
            caps << QString::fromLatin1(w.toUpper());
    }
    return caps;
}

QByteArray SmtpReply::joined() const
{
    QByteArray all;
    for (const QByteArray &t : text) {
        if (!all.isEmpty())
            all += ' ';
        all += t;
    }
    return all;
}

SmtpTake takeSmtpReply(QByteArray &buffer, SmtpReply &out)
{
    SmtpReply reply;
    qsizetype pos = 0;
    for (;;) {
        const qsizetype end = lineEnd(buffer, pos);
        if (end < 0)
            return buffer.size() - pos > MaxLine || buffer.size() > 4 * MaxLine ? SmtpTake::TooLong
                                                                                : SmtpTake::Incomplete;
        if (end - pos > MaxLine)
            return SmtpTake::TooLong;
        const QByteArray line = chompLine(buffer.mid(pos, end + 1 - pos));
        pos = end + 1;
        if (line.size() < 3)
            return SmtpTake::Malformed;
        bool ok = false;
        const int code = line.left(3).toInt(&ok);
        if (!ok || code < 200 || code > 599 || !std::isdigit(static_cast<unsigned char>(line[0])))
            return SmtpTake::Malformed;
        if (reply.code != 0 && reply.code != code)
            return SmtpTake::Malformed;
        reply.code = code;
        const char sep = line.size() > 3 ? line[3] : ' ';
        if (sep != ' ' && sep != '-')
            return SmtpTake::Malformed;
        reply.text << line.mid(4);
        if (sep == ' ')
            break;
        if (reply.text.size() > 256)
            return SmtpTake::TooLong;
    }
    buffer.remove(0, pos);
    out = reply;
    return SmtpTake::Taken;
}

QStringList smtpExtensions(const SmtpReply &ehlo)
{
    QStringList out;
    for (qsizetype i = 1; i < ehlo.text.size(); ++i)
        out << QString::fromLatin1(ehlo.text.at(i).simplified().toUpper());
    return out;
}

QStringList smtpAuthMechanisms(const SmtpReply &ehlo)
{
    for (const QString &ext : smtpExtensions(ehlo)) {
        // "AUTH XOAUTH2 PLAIN", and the old "AUTH=XOAUTH2" form.
        if (ext.startsWith(QLatin1String("AUTH ")) || ext.startsWith(QLatin1String("AUTH=")))
            return ext.mid(5).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    }
    return {};
}

QByteArray enhancedStatus(const QByteArray &text)
{
    static const QRegularExpression re(QStringLiteral("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s|$)"));
    const QRegularExpressionMatch m = re.match(QString::fromLatin1(text.trimmed()));
    return m.hasMatch() ? QStringLiteral("%1.%2.%3").arg(m.captured(1), m.captured(2), m.captured(3)).toLatin1()
                        : QByteArray();
}

} // namespace mailkey::mailprotocol
