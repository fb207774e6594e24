#include "core/oauth/CallbackPage.h"

#include <QFile>

// mailkey_resources is an OBJECT library archived into the static mailkey_core_oauth: nothing would
// pull its qrc object into a program, so the page would be missing. Referencing the initializer
// links it in and registers the resource (once).
static int registerMailKeyResources()
{
    Q_INIT_RESOURCE(mailkey_resources);
    return 0;
}

static void initMailKeyResources()
{
    static const int once = registerMailKeyResources();
    Q_UNUSED(once);
}

namespace {

const char *const kTemplatePath = ":/pages/callback.html";

// Used only if the resource is missing from the build; kept deliberately plain.
const char *const kFallbackTemplate
    = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>MailKey</title></head>"
      "<body class=\"{{KIND}}\"><h1>{{TITLE}}</h1><p>{{MESSAGE}}</p></body></html>";

QString loadTemplate()
{
    initMailKeyResources();
    QFile file(QString::fromLatin1(kTemplatePath));
    if (file.open(QIODevice::ReadOnly))
        return QString::fromUtf8(file.readAll());
    return QString::fromLatin1(kFallbackTemplate);
}

} // namespace

namespace mailkey {

bool CallbackPage::templateAvailable()
{
    initMailKeyResources();
    return QFile::exists(QString::fromLatin1(kTemplatePath));
}

QString CallbackPage::limitText(const QString &text, int maxChars)
{
    QString clean;
    clean.reserve(qMin<qsizetype>(text.size(), qsizetype(maxChars) + 1));
    bool lastWasSpace = true; // also trims leading white space
    for (const QChar ch : text) {
        const bool space
            = ch.isSpace() || ch.category() == QChar::Other_Control || ch.category() == QChar::Other_Format;
        if (space) {
            if (!lastWasSpace)
                clean.append(QLatin1Char(' '));
            lastWasSpace = true;
        } else {
            clean.append(ch);
            lastWasSpace = false;
        }
        if (clean.size() > maxChars)
            break;
    }
    while (clean.endsWith(QLatin1Char(' ')))
        clean.chop(1);
    if (clean.size() > maxChars) {
        clean.truncate(maxChars > 0 ? maxChars - 1 : 0);
        // Do not leave half of a surrogate pair behind.
        if (!clean.isEmpty() && clean.back().isHighSurrogate())
            clean.chop(1);
        clean.append(QChar(0x2026));
    }
    return clean;
}

QByteArray CallbackPage::render(const QString &title, const QString &message, bool success)
{
    static const QString templ = loadTemplate();
    const QString values[]
        = {title.toHtmlEscaped(), message.toHtmlEscaped(), success ? QStringLiteral("ok") : QStringLiteral("fail")};
    const QLatin1String keys[] = {QLatin1String("{{TITLE}}"), QLatin1String("{{MESSAGE}}"), QLatin1String("{{KIND}}")};

    // One pass over the template: text that was substituted is never scanned again.
    QString out;
    out.reserve(templ.size() + title.size() + message.size() + 64);
    qsizetype pos = 0;
    while (pos < templ.size()) {
        const qsizetype open = templ.indexOf(QLatin1String("{{"), pos);
        if (open < 0) {
            out.append(QStringView(templ).mid(pos));
            break;
        }
        out.append(QStringView(templ).mid(pos, open - pos));
        bool replaced = false;
        for (int i = 0; i < 3; ++i) {
            if (QStringView(templ).mid(open).startsWith(keys[i])) {
                out.append(values[i]);
                pos = open + keys[i].size();
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            out.append(QLatin1String("{{"));
            pos = open + 2;
        }
    }
    return out.toUtf8();
}

} // namespace mailkey
