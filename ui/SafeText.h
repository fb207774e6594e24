#pragma once

#include <QString>
#include <Qt>

class QFontMetrics;
class QLabel;

namespace mailkey {

// The one place where text that came from outside (a provider, the network, a providers.json file:
// display names, addresses, folder names, error details) is made safe to show.
//
//  - control characters (C0, C1, DEL) and line/paragraph separators become a space; runs of
//    whitespace collapse; the result is trimmed
//  - bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the directional marks
//    (U+200E, U+200F, U+061C), BOM / zero-width no-break space, interlinear annotation marks and
//    Unicode tag characters are removed, so a name cannot reorder the text around it
//  - unpaired surrogates become U+FFFD
//  - more than MaxCombiningMarks combining marks on one character are dropped ("zalgo" text cannot
//    grow a line's height)
//  - the result is cut to maxLength characters (never inside a surrogate pair) with an ellipsis
//
// Widgets never render it as rich text: labels get Qt::PlainText (setLabelText), painted text goes
// through QPainter::drawText (plain by nature), always elided to the space it has (elided()).
class SafeText {
public:
    static constexpr int MaxLength = 256;
    static constexpr int MaxCombiningMarks = 3;

    static QString clean(const QString &untrusted, int maxLength = MaxLength);
    // clean(), then QFontMetrics::elidedText to `width` pixels, on one line.
    static QString elided(const QString &untrusted, const QFontMetrics &metrics, int width,
                          Qt::TextElideMode mode = Qt::ElideRight);
    // clean(), then elided so that the domain of an address stays whole: the local part loses its
    // end first ("aver…@department.example.com"); only when the domain alone does not fit does it
    // lose its end ("a…@department.exa…"). Text without an '@' is elided at the right.
    static QString elidedAddress(const QString &untrusted, const QFontMetrics &metrics, int width);
    // Qt::PlainText, the cleaned text, and the full cleaned text as tooltip (and as plain accessible
    // description) when it was cut.
    static void setLabelText(QLabel *label, const QString &untrusted, int maxLength = MaxLength);
    // For text written by MailKey itself (core's error messages) that may quote untrusted values:
    // keeps line breaks, cleans each line.
    static QString cleanMultiline(const QString &text, int maxLength = 4 * MaxLength);
    static void setLabelMultiline(QLabel *label, const QString &text, int maxLength = 4 * MaxLength);
    // A tooltip that shows `untrusted` literally: Qt guesses tooltips as rich text, so the cleaned
    // text is HTML-escaped inside an explicit rich-text paragraph. A widget's accessible description
    // defaults to its tooltip: give it a plain setAccessibleDescription() beside this.
    static QString toolTip(const QString &untrusted, int maxLength = 1024);
    // Inserts break opportunities (U+200B) into runs of more than `run` non-space characters, so
    // a word-wrapped label cannot be forced wider than its window by one endless word.
    static QString breakLongWords(const QString &text, int run = 32);

    static bool isBidiControl(char32_t c);
};

} // namespace mailkey
