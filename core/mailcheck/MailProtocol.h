#pragma once

#include <QByteArray>
#include <QList>
#include <QStringList>

#include <optional>

// The IMAP (RFC 9051) and SMTP (RFC 5321) replies MailCheck reads, understood without a socket:
// MailCheck reads bytes, these functions take whole replies out of its buffer.
namespace mailkey::mailprotocol {

// Longest reply line accepted; a longer one is a protocol error (a server cannot make MailCheck
// buffer without end).
inline constexpr qsizetype MaxLine = 64 * 1024;

enum class Take {
    Incomplete, // wait for more bytes
    Taken,
    TooLong
};

// ---- IMAP ----------------------------------------------------------------------------------
struct ImapResponse {
    enum class Kind {
        Untagged,    // "* ..."
        Tagged,      // "a1 OK ..."
        Continuation // "+ ..."
    };
    Kind kind = Kind::Untagged;
    QByteArray tag;    // tagged only
    QByteArray status; // "OK", "NO", "BAD", "BYE", "PREAUTH", "CAPABILITY", ... (upper case); "" for +
    QByteArray code;   // the response code inside [...], without the brackets ("AUTHENTICATIONFAILED")
    QByteArray text;   // the human-readable rest (for a continuation: everything after "+ ")
    QByteArray line;   // the whole response, literals included
};

// Takes one response (a line, with any {N} literals it announces and the line that continues
// after them) from the front of `buffer`.
Take takeImapResponse(QByteArray &buffer, ImapResponse &out);
ImapResponse parseImapLine(const QByteArray &line);
// The capabilities of a "* CAPABILITY ..." response or of a [CAPABILITY ...] response code, upper
// case ("IMAP4REV1", "AUTH=XOAUTH2", "SASL-IR", "STARTTLS"). Empty if `r` names none.
QStringList imapCapabilities(const ImapResponse &r);

// ---- SMTP ----------------------------------------------------------------------------------
struct SmtpReply {
    int code = 0;              // 220, 250, 334, 535, ...
    QList<QByteArray> text;    // the text of each line, without the code and separator
    QByteArray joined() const; // the lines joined by a space
};

// Takes one reply ("250-..." lines up to the "250 ..." line) from the front of `buffer`. A line
// that is not "DDD", "DDD-text" or "DDD text", or a continuation with another code, is TooLong's
// sibling: Malformed.
enum class SmtpTake {
    Incomplete,
    Taken,
    TooLong,
    Malformed
};
SmtpTake takeSmtpReply(QByteArray &buffer, SmtpReply &out);
// The EHLO keywords after the first line, upper case ("STARTTLS", "AUTH XOAUTH2 OAUTHBEARER").
QStringList smtpExtensions(const SmtpReply &ehlo);
// The SASL mechanisms of an EHLO reply's AUTH line, upper case.
QStringList smtpAuthMechanisms(const SmtpReply &ehlo);
// The RFC 3463 enhanced status code at the start of `text` ("5.7.139"), or "".
QByteArray enhancedStatus(const QByteArray &text);

} // namespace mailkey::mailprotocol
