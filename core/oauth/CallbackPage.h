#pragma once

#include <QByteArray>
#include <QString>

namespace mailkey {

// The page the browser shows after the provider redirected it back to MailKey's loopback
// listener. Fills resources/pages/callback.html ({{TITLE}}, {{MESSAGE}}, {{KIND}}); every value
// is HTML-escaped, so callers may pass text that came from the network (after limitText()).
class CallbackPage {
public:
    // UTF-8 HTML. `success` selects the look of the card ("ok" or "fail").
    static QByteArray render(const QString &title, const QString &message, bool success);

    // Makes untrusted text (a provider's error_description) safe to show: control characters
    // become spaces, runs of white space collapse, and the text is cut to maxChars characters
    // (an ellipsis marks the cut). Escaping is done by render().
    static QString limitText(const QString &text, int maxChars);

    // True when the page template is found in the resources (else a built-in fallback is used).
    static bool templateAvailable();
};

} // namespace mailkey
