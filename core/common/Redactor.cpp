#include "core/common/Redactor.h"

#include <QRegularExpression>
#include <QStringList>

#include <functional>

namespace mailkey {

namespace {

// Every pattern and word list below is made once and never destroyed: Qt and its plugins log
// while the process tears down (after main() returned, from static destructors and from threads
// being joined), and those messages still pass through redact(). A function-static object would
// be destroyed by then (a use after free: heap corruption at exit with debug logging).

const QString &placeholder()
{
    static const QString &p = *new QString(QString::fromLatin1(kRedacted));
    return p;
}

using Replacer = std::function<QString(const QRegularExpressionMatch &)>;

// Replaces every match of re in text by f(match). Returns text unchanged (shared) when nothing
// matched.
QString replaceAll(const QString &text, const QRegularExpression &re, const Replacer &f)
{
    QRegularExpressionMatchIterator it = re.globalMatch(text);
    if (!it.hasNext())
        return text;
    QString out;
    out.reserve(text.size());
    qsizetype last = 0;
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        out += QStringView(text).mid(last, m.capturedStart() - last);
        out += f(m);
        last = m.capturedEnd();
    }
    out += QStringView(text).mid(last);
    return out;
}

// Keeps capture group 1 (the name and separator), masks the rest of the match.
QString keepFirstGroup(const QRegularExpressionMatch &m)
{
    return QString(m.captured(1) + placeholder());
}

QRegularExpression re(const QString &pattern, bool caseInsensitive = false)
{
    QRegularExpression::PatternOptions o = QRegularExpression::NoPatternOption;
    if (caseInsensitive)
        o |= QRegularExpression::CaseInsensitiveOption;
    QRegularExpression r(pattern, o);
    Q_ASSERT_X(r.isValid(), "Redactor", qPrintable(r.errorString()));
    r.optimize();
    return r;
}

// Names whose values are secrets. Case-insensitive; camelCase and kebab-case variants match too.
const QString kSecretNames = QStringLiteral("(?:access|refresh|id)[_-]?token(?:[_-]?hint)?"
                                            "|code(?:[_-]?verifier|[_-]?challenge)?"
                                            "|client[_-]?(?:secret|assertion)"
                                            "|assertion"
                                            "|(?:subject|actor|oauth)[_-]?token"
                                            "|device[_-]?code"
                                            "|state|nonce|token"
                                            "|password|passwd|passphrase|secret"
                                            "|(?:vault|api|private|encryption)[_-]?key");

// Names that are unmistakably secrets even in loose "name: value" / "name = value" log text.
const QString kStrongNames = QStringLiteral("(?:access|refresh|id)[_-]?token"
                                            "|code[_-]?verifier"
                                            "|client[_-]?(?:secret|assertion)"
                                            "|password|passwd|passphrase"
                                            "|(?:vault|api|private|encryption)[_-]?key");

bool isGuid(QStringView s)
{
    static const QRegularExpression &guid = *new QRegularExpression(
        re(QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")));
    return guid.match(s.toString()).hasMatch();
}

bool isAsciiLetter(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'));
}

bool isLowerWord(QStringView s)
{
    if (s.isEmpty())
        return false;
    for (QChar c : s)
        if (c < QLatin1Char('a') || c > QLatin1Char('z'))
            return false;
    return true;
}

// Does a run of 32+ base64/base64url/hex characters look like a random secret rather than an
// identifier ("InvalidAuthenticationTokenAudience") or a GUID?
bool looksRandom(QStringView s)
{
    if (s.size() < 32 || isGuid(s))
        return false;
    bool hexOnly = true;
    bool hasDigit = false, hasUpper = false, hasLower = false;
    int transitions = 0, letters = 0;
    int prevCase = 0; // 1 lower, 2 upper
    for (QChar c : s) {
        const bool digit = c >= QLatin1Char('0') && c <= QLatin1Char('9');
        const bool lower = c >= QLatin1Char('a') && c <= QLatin1Char('z');
        const bool upper = c >= QLatin1Char('A') && c <= QLatin1Char('Z');
        hasDigit |= digit;
        hasLower |= lower;
        hasUpper |= upper;
        if (!(digit || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))
              || (c >= QLatin1Char('A') && c <= QLatin1Char('F'))))
            hexOnly = false;
        if (lower || upper) {
            ++letters;
            const int cs = lower ? 1 : 2;
            if (prevCase != 0 && cs != prevCase)
                ++transitions;
            prevCase = cs;
        }
    }
    if (hexOnly)
        return true;
    if (hasDigit && (hasLower || hasUpper))
        return true;
    // Letters only: random base64 flips case about every other letter, CamelCase names rarely.
    return hasUpper && hasLower && letters > 0 && transitions * 100 / letters >= 35;
}

// A run of [A-Za-z0-9_-+/] of 32+ characters (trailing '=' included).
QString maskRun(const QRegularExpressionMatch &m)
{
    const QString run = m.captured(0);
    QStringView core(run);
    while (core.endsWith(QLatin1Char('=')))
        core.chop(1);
    if (!core.contains(QLatin1Char('/')))
        return looksRandom(core) ? placeholder() : run;

    // Contains '/': either standard base64 or a URL path.
    const QList<QStringView> segments = core.split(QLatin1Char('/'));
    bool pathLike = false;
    for (QStringView seg : segments) {
        // A word-like segment ("users", "oauth2", "mailFolders") or a GUID makes it a path.
        if (isGuid(seg)) {
            pathLike = true;
            continue;
        }
        if (seg.size() < 3 || seg.size() >= 24 || seg.front() < QLatin1Char('a') || seg.front() > QLatin1Char('z'))
            continue;
        int digits = 0, upper = 0, other = 0;
        for (QChar c : seg) {
            if (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
                ++digits;
            else if (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
                ++upper;
            else if (c < QLatin1Char('a') || c > QLatin1Char('z'))
                ++other;
        }
        if (digits <= 2 && upper * 4 <= seg.size() && other == 0)
            pathLike = true;
    }
    const bool base64ish = core.contains(QLatin1Char('+')) || run.endsWith(QLatin1Char('='));
    if (!pathLike || base64ish) {
        QString joined = core.toString();
        joined.remove(QLatin1Char('/'));
        joined.remove(QLatin1Char('+'));
        if (looksRandom(joined))
            return placeholder();
    }
    // A path: mask only the segments that look like tokens.
    QStringList out;
    bool changed = false;
    for (QStringView seg : segments) {
        if (looksRandom(seg)) {
            out.append(placeholder());
            changed = true;
        } else {
            out.append(seg.toString());
        }
    }
    if (!changed)
        return run;
    return out.join(QLatin1Char('/')) + QStringView(run).mid(core.size());
}

// Words that follow "Bearer"/"Basic" in prose or in WWW-Authenticate headers.
bool isSchemeProse(const QString &value)
{
    static const QStringList &words = *new QStringList{
        QStringLiteral("token"),
        QStringLiteral("tokens"),
        QStringLiteral("realm"),
        QStringLiteral("scheme"),
        QStringLiteral("schemes"),
        QStringLiteral("auth"),
        QStringLiteral("header"),
        QStringLiteral("headers"),
        QStringLiteral("error"),
        QStringLiteral("type"),
        QStringLiteral("authentication"),
        QStringLiteral("authorization"),
        QStringLiteral("access"),
        QStringLiteral("credentials"),
        QStringLiteral("is"),
        QStringLiteral("was"),
        QStringLiteral("and"),
        QStringLiteral("or"),
        QStringLiteral("not"),
        QStringLiteral("the"),
        QStringLiteral("with"),
    };
    static const QRegularExpression &authParam = *new QRegularExpression(re(QStringLiteral("^[a-z_]+=$")));
    if (authParam.match(value).hasMatch())
        return true;
    for (QChar c : value)
        if (!isAsciiLetter(c))
            return false;
    return words.contains(value.toLower());
}

QString redactImpl(const QString &input)
{
    QString s = input;

    // 1. SQLCipher keys: PRAGMA key = "x'...'", PRAGMA rekey = 'passphrase', PRAGMA key('...').
    static const QRegularExpression &pragmaKey
        = *new QRegularExpression(re(QStringLiteral("(\\bPRAGMA\\s+(?:\\w+\\.)?(?:hex)?(?:re)?key\\s*(?:=\\s*|\\(\\s*))"
                                                    "(\"[^\"]*\"|'(?:[^']|'')*'|[^\\s;)]+)"),
                                     true));
    s = replaceAll(s, pragmaKey, keepFirstGroup);

    // 2. Raw key blobs anywhere: x'<hex>'.
    static const QRegularExpression &hexBlob
        = *new QRegularExpression(re(QStringLiteral("\\b([xX]')[0-9a-fA-F]{16,}'")));
    s = replaceAll(s, hexBlob, [](const QRegularExpressionMatch &m) -> QString {
        return m.captured(1) + placeholder() + QLatin1Char('\'');
    });

    // 3. Passwords in URLs: scheme://user:password@host.
    static const QRegularExpression &urlPassword = *new QRegularExpression(
        re(QStringLiteral("(\\b[a-zA-Z][a-zA-Z0-9+.\\-]*://[^\\s/:@?#\"']+:)[^\\s@/?#\"']+(?=@)")));
    s = replaceAll(s, urlPassword, keepFirstGroup);

    // 4. HTTP headers that carry credentials: mask the value up to the end of the line (or the
    //    closing quote when the headers are printed as JSON / a Qt debug string).
    static const QRegularExpression &header = *new QRegularExpression(
        re(QStringLiteral("(\\b(?:Proxy-)?Authorization\"?\\s*[:=]\\s*\"?"
                          "(?:(?:Bearer|Basic|Digest|Negotiate|NTLM|MAC|DPoP|Token|OAuth|PoP)\\s+)?"
                          "|\\bCookie\"?\\s*[:=]\\s*\"?)"
                          "([^\\r\\n\"]+)"),
           true));
    s = replaceAll(s, header, [](const QRegularExpressionMatch &m) -> QString {
        if (m.captured(2).endsWith(placeholder())) // already redacted ("Bearer [redacted]")
            return m.captured(0);
        return m.captured(1) + placeholder();
    });

    // 5. SASL: AUTHENTICATE XOAUTH2 <base64>, AUTH PLAIN <base64>, and base64 continuations
    //    ("user=..." -> dXNlcj0, "n,a=..." -> bixh, "n,,..." -> biws).
    static const QRegularExpression &sasl = *new QRegularExpression(
        re(QStringLiteral("(\\b(?:AUTHENTICATE|AUTH)\\s+(?:XOAUTH2|OAUTHBEARER|PLAIN|LOGIN|CRAM-MD5)"
                          "\\s+)(?!\\[redacted\\])[^\\s\"]+"),
           true));
    s = replaceAll(s, sasl, keepFirstGroup);
    static const QRegularExpression &saslBase64 = *new QRegularExpression(
        re(QStringLiteral("(?<![A-Za-z0-9+/])(?:dXNlcj0|bixh|biws)[A-Za-z0-9+/]{12,}={0,2}")));
    s = replaceAll(s, saslBase64, [](const QRegularExpressionMatch &) -> QString { return placeholder(); });

    // 6. Bare "Bearer <token>" / "Basic <base64>" (raw XOAUTH2 "auth=Bearer ...", log text).
    static const QRegularExpression &scheme
        = *new QRegularExpression(re(QStringLiteral("\\b(Bearer|Basic)(\\s+)([A-Za-z0-9\\-._~+/!*$%]+=*)"), true));
    s = replaceAll(s, scheme, [](const QRegularExpressionMatch &m) -> QString {
        const QString value = m.captured(3);
        const bool basic = m.captured(1).compare(QLatin1String("basic"), Qt::CaseInsensitive) == 0;
        if (isSchemeProse(value) || (basic && isLowerWord(value)))
            return m.captured(0);
        return QString(m.captured(1) + m.captured(2) + placeholder());
    });

    // 7. JSON fields: "access_token":"...", also JSON inside a JSON string (\"code\":\"...\").
    //    A JSON "code" that is an identifier ("InvalidAuthenticationToken") is an error code.
    static const QRegularExpression &identifier = *new QRegularExpression(re(QStringLiteral("^[A-Za-z_]{1,48}$")));
    static const QRegularExpression &jsonField = *new QRegularExpression(
        re(QStringLiteral("(\"(") + kSecretNames + QStringLiteral(")\"\\s*:\\s*\")((?:[^\"\\\\]|\\\\.)*)\""), true));
    s = replaceAll(s, jsonField, [](const QRegularExpressionMatch &m) -> QString {
        const QString value = m.captured(3);
        if (value.isEmpty() || value == placeholder())
            return m.captured(0);
        if (m.captured(2).compare(QLatin1String("code"), Qt::CaseInsensitive) == 0
            && identifier.match(value).hasMatch())
            return m.captured(0);
        return QString(m.captured(1) + placeholder() + QLatin1Char('"'));
    });
    static const QRegularExpression &escapedJsonField
        = *new QRegularExpression(re(QStringLiteral("(\\\\\"(") + kSecretNames
                                         + QStringLiteral(")\\\\\"\\s*:\\s*\\\\\")((?:[^\"\\\\]|\\\\[^\"])*)\\\\\""),
                                     true));
    s = replaceAll(s, escapedJsonField, [](const QRegularExpressionMatch &m) -> QString {
        const QString value = m.captured(3);
        if (value.isEmpty() || value == placeholder())
            return m.captured(0);
        if (m.captured(2).compare(QLatin1String("code"), Qt::CaseInsensitive) == 0
            && identifier.match(value).hasMatch())
            return m.captured(0);
        return QString(m.captured(1) + placeholder() + QStringLiteral("\\\""));
    });

    // Single-quoted (Python / JavaScript style): 'access_token': '...'.
    static const QRegularExpression &quotedField = *new QRegularExpression(
        re(QStringLiteral("('(") + kSecretNames + QStringLiteral(")'\\s*:\\s*')([^'\\\\]*)'"), true));
    s = replaceAll(s, quotedField, [](const QRegularExpressionMatch &m) -> QString {
        const QString value = m.captured(3);
        if (value.isEmpty() || value == placeholder())
            return m.captured(0);
        if (m.captured(2).compare(QLatin1String("code"), Qt::CaseInsensitive) == 0
            && identifier.match(value).hasMatch())
            return m.captured(0);
        return m.captured(1) + placeholder() + QLatin1Char('\'');
    });

    // 8. Form bodies, URL queries and fragments: name=value. A numeric "code" is an error code
    //    (https://login.microsoftonline.com/error?code=70008).
    static const QRegularExpression &digits = *new QRegularExpression(re(QStringLiteral("^\\d{1,9}$")));
    static const QRegularExpression &formField = *new QRegularExpression(re(
        QStringLiteral("(?<![\\w.\\-])((") + kSecretNames + QStringLiteral(")=)([^&\\s\"'#<>\\\\,;)\\[\\]]*)"), true));
    s = replaceAll(s, formField, [](const QRegularExpressionMatch &m) -> QString {
        const QString value = m.captured(3);
        if (value.isEmpty())
            return m.captured(0);
        if (m.captured(2).compare(QLatin1String("code"), Qt::CaseInsensitive) == 0 && digits.match(value).hasMatch())
            return m.captured(0);
        return QString(m.captured(1) + placeholder());
    });
    // Loose log text for unmistakable names: "refresh_token: abc", "password = hunter2".
    static const QRegularExpression &looseField
        = *new QRegularExpression(re(QStringLiteral("(?<![\\w.\\-])((?:") + kStrongNames
                                         + QStringLiteral(")\\s*[:=]\\s*\"?)(?![\\[\"])([^\\s\"',;&)\\]}]+)"),
                                     true));
    s = replaceAll(s, looseField, [](const QRegularExpressionMatch &m) -> QString {
        static const QStringList &nothing
            = *new QStringList{QStringLiteral("null"),   QStringLiteral("none"), QStringLiteral("(null)"),
                               QStringLiteral("<none>"), QStringLiteral("true"), QStringLiteral("false")};
        if (nothing.contains(m.captured(2), Qt::CaseInsensitive))
            return m.captured(0);
        return m.captured(1) + placeholder();
    });
    // Loose text for the short names, only when the value looks like a secret (letters and
    // digits, 12+ characters): "token: 7dG3...", but not "refresh token: invalid_grant".
    static const QRegularExpression &weakField
        = *new QRegularExpression(re(QStringLiteral("(?<![\\w.\\-])((?:token|state|code|nonce|secret)\\s*:\\s*\"?)"
                                                    "([^\\s\"',;&\\[]{12,})"),
                                     true));
    static const QRegularExpression &letterAndDigit
        = *new QRegularExpression(re(QStringLiteral("[A-Za-z].*\\d|\\d.*[A-Za-z]")));
    s = replaceAll(s, weakField, [](const QRegularExpressionMatch &m) -> QString {
        if (!letterAndDigit.match(m.captured(2)).hasMatch())
            return m.captured(0);
        return m.captured(1) + placeholder();
    });
    // Percent-encoded query inside a parameter: state%3D...%26code%3D...
    static const QRegularExpression &encodedField
        = *new QRegularExpression(re(QStringLiteral("(?:(?<![\\w.\\-])|(?<=%26)|(?<=%3F)|(?<=%23))((") + kSecretNames
                                         + QStringLiteral(")%3D)((?:(?!%26)[^&\\s\"'#<>\\\\,;)\\[\\]])+)"),
                                     true));
    s = replaceAll(s, encodedField, keepFirstGroup);

    // 9. JWT / JWE: eyJ<header>.<payload>.<signature>[.<x>.<y>].
    static const QRegularExpression &jwt = *new QRegularExpression(
        re(QStringLiteral("(?<![A-Za-z0-9_\\-])eyJ[A-Za-z0-9_\\-]*(?:\\.[A-Za-z0-9_\\-]*){2,4}")));
    s = replaceAll(s, jwt, [](const QRegularExpressionMatch &) -> QString { return placeholder(); });

    // 10. Provider token shapes without a field name.
    static const QRegularExpression &shapes = *new QRegularExpression(
        re(QStringLiteral("(?<![\\w.\\-/])(?:"
                          "ya29\\.[A-Za-z0-9_\\-.~+/]+"  // Google access token
                          "|1//[A-Za-z0-9_\\-.~+/]{10,}" // Google refresh token
                          "|4/[A-Za-z0-9_\\-]{20,}"      // Google authorization code
                          "|GOCSPX-[A-Za-z0-9_\\-]+"     // Google client secret
                          "|AIza[A-Za-z0-9_\\-]{30,}"    // Google API key
                          "|M\\.[A-Z][A-Za-z0-9]*_[A-Za-z0-9]+\\.[A-Za-z0-9!*$._~+/=\\-]{8,}" // MSA code / RT
                          "|Ew[A-D][A-Za-z0-9+/=_\\-!*$.]{20,}"                               // MSA access token
                          "|[01]\\.A[A-Za-z0-9_\\-.!*$+/=]{20,}" // Entra v2 code / refresh token
                          "|AQAB[A-Za-z0-9_\\-+/=.!*$]{20,}"     // Entra v1 refresh token
                          ")")));
    s = replaceAll(s, shapes, [](const QRegularExpressionMatch &) -> QString { return placeholder(); });

    // 11. Long unbroken base64/base64url/hex runs (not GUIDs, not e-mail local parts, not
    //     Google client ids, which are public).
    static const QRegularExpression &longRun = *new QRegularExpression(
        re(QStringLiteral("(?<![A-Za-z0-9_\\-+/~])[A-Za-z0-9_\\-+/~]{32,}={0,2}(?![A-Za-z0-9_\\-+/~@])"
                          "(?!\\.apps\\.googleusercontent\\.com)")));
    s = replaceAll(s, longRun, maskRun);

    return s;
}

// True when no pattern of redactImpl can match `text`, so redactImpl would return it unchanged
// and its regular expressions need not be compiled (about 4 ms per process, paid by every token
// hand-out for an audit detail such as "resource=imap; valid until 2026-12-02T07:00:00Z").
// Each pattern above needs at least one of the features below, so any text that has none of them
// matches none (the patterns run one after the other, but each leaves text it did not match
// unchanged, so each sees the original). Checked superset by superset:
//  - a character outside ASCII: caseless matching folds some to ASCII letters (U+212A KELVIN
//    SIGN matches k, U+017F matches s), so such text always takes the full path;
//  - a single quote: x'<hex>' (2), 'name': '...' (7);
//  - "://": passwords in URLs (3);
//  - 16 or more characters in a row from [A-Za-z0-9_+/~-]: SASL base64 (5: prefix + 12), 4/... (10:
//    2 + 20), AIza... (10: 4 + 30), long runs (11: 32);
//  - in any case, the words PRAGMA (1), auth: Authorization, AUTH, AUTHENTICATE (4, 5), cookie (4),
//    bearer and basic (6), and the parts every secret field name contains (7, 8: kSecretNames and
//    kStrongNames, and the loose short names): token, code, secret, assertion, state, nonce, pass,
//    key;
//  - exactly as written (those patterns are case-sensitive): eyJ (9), and the token shapes of (10):
//    ya29, 1//, GOCSPX, AIza, M., Ew, 0.A, 1.A, AQAB.
// tests/core/common/RedactorTest.cpp compares this with the full pass on generated text.
bool cannotContainSecret(QStringView text)
{
    int run = 0;
    for (QChar c : text) {
        const char16_t u = c.unicode();
        if (u >= 0x80 || u == u'\'')
            return false;
        const bool runChar = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')
                             || u == u'_' || u == u'-' || u == u'+' || u == u'/' || u == u'~';
        run = runChar ? run + 1 : 0;
        if (run >= 16)
            return false;
    }
    static constexpr const char *anyCase[] = {"pragma", "auth",      "cookie", "bearer", "basic", "token", "code",
                                              "secret", "assertion", "state",  "nonce",  "pass",  "key"};
    for (const char *w : anyCase)
        if (text.contains(QLatin1String(w), Qt::CaseInsensitive))
            return false;
    static constexpr const char *exact[]
        = {"://", "eyJ", "ya29", "1//", "GOCSPX", "AIza", "M.", "Ew", "0.A", "1.A", "AQAB"};
    for (const char *w : exact)
        if (text.contains(QLatin1String(w), Qt::CaseSensitive))
            return false;
    return true;
}

} // namespace

namespace detail {

bool redactFastPathApplies(QStringView text)
{
    return cannotContainSecret(text);
}

QString redactAllPatterns(const QString &text)
{
    return redactImpl(text);
}

} // namespace detail

QString redact(const QString &text)
{
    if (text.isEmpty() || cannotContainSecret(text))
        return text;
    return redactImpl(text);
}

QByteArray redact(const QByteArray &text)
{
    if (text.isEmpty())
        return text;
    // Latin-1 maps every byte to one code unit and back, so the bytes around a secret are kept
    // exactly (also when they are not UTF-8). The patterns only look at ASCII.
    const QString latin1 = QString::fromLatin1(text);
    if (cannotContainSecret(latin1))
        return text;
    return redactImpl(latin1).toLatin1();
}

} // namespace mailkey
