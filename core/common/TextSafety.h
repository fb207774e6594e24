#pragma once

#include <QString>
#include <QStringView>

namespace mailkey {

// Which characters of text from outside (a provider's answer, the command line, a file) are unsafe
// to hand to a terminal or to compare as an identifier, for core (no widgets; the window cleans
// what it shows with ui/SafeText).
//
// Unsafe: C0 controls, DEL and C1 controls (ESC, BEL, CSI ... drive a terminal), the line and
// paragraph separators, every format character of Unicode category Cf (the bidi embeddings,
// overrides and isolates U+202A-U+202E and U+2066-U+2069, the directional marks U+200E, U+200F and
// U+061C, zero-width characters, the BOM, interlinear annotation and tag characters: they reorder
// or hide the text around them), and unpaired surrogates.
class TextSafety {
public:
    static bool isUnsafe(char32_t c);
    // True if `text` holds an unsafe character (an unpaired surrogate counts as one).
    static bool containsUnsafe(QStringView text);
    // Each unsafe character, except those in `keep`, written as the escape \uXXXX (a character
    // above U+FFFF as its two surrogate escapes, as JSON writes them), so the terminal shows what
    // was there instead of obeying it. Text without unsafe characters comes back unchanged.
    static QString escaped(const QString &text, QStringView keep = u"\n\t");
    // Each unsafe character replaced by `with` (empty: removed): one harmless line for quoting a
    // value in a message.
    static QString replaced(const QString &text, QStringView with = u"?");
};

} // namespace mailkey
