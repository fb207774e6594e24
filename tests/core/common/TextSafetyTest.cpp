// TextSafety: which characters are unsafe for a terminal or an identifier, and how they are shown.
#include "core/common/TextSafety.h"

#include <gtest/gtest.h>

using mailkey::TextSafety;

namespace {
QString s(const char *utf8)
{
    return QString::fromUtf8(utf8);
}
} // namespace

TEST(TextSafety, ControlBidiAndFormatCharactersAreUnsafe)
{
    for (char32_t c :
         {0x00,   0x07,   0x08,   0x0A,   0x0D,   0x1B,   0x7F,   0x85,   0x9B,   0x9F,    0x2028,  0x2029, 0x202A,
          0x202E, 0x2066, 0x2069, 0x200B, 0x200E, 0x200F, 0x061C, 0xFEFF, 0xFFF9, 0xE0001, 0xE0041, 0xD800, 0xDFFF})
        EXPECT_TRUE(TextSafety::isUnsafe(c)) << std::hex << uint(c);
    for (char32_t c : {0x20, 0x41, 0x7E, 0xA0, 0xDC, 0x4E2D, 0x1F600})
        EXPECT_FALSE(TextSafety::isUnsafe(c)) << std::hex << uint(c);
    EXPECT_FALSE(TextSafety::containsUnsafe(s("Ünï@exämple.org 😀")));
    EXPECT_TRUE(TextSafety::containsUnsafe(s("a\u202eb")));
    EXPECT_TRUE(TextSafety::containsUnsafe(QString(QString(QChar(0xD800)) + QLatin1Char('a')))); // unpaired
}

TEST(TextSafety, EscapedShowsWhatWasThereAndKeepsNewlinesAndTabs)
{
    EXPECT_EQ(TextSafety::escaped(s("mallory\x1b]0;owned\x07\x1b[2J@example.com\n")),
              s("mallory\\u001b]0;owned\\u0007\\u001b[2J@example.com\n"));
    EXPECT_EQ(TextSafety::escaped(s("a\tb\r\n")), s("a\tb\\u000d\n"));
    EXPECT_EQ(TextSafety::escaped(s("a\tb"), {}), s("a\\u0009b"));
    EXPECT_EQ(TextSafety::escaped(s("x\u202egpj.exe\u2066")), s("x\\u202egpj.exe\\u2066"));
    EXPECT_EQ(TextSafety::escaped(s("\xc2\x9b"
                                    "2J")),
              s("\\u009b2J"));
    // Above U+FFFF: the two surrogate escapes, as JSON writes them.
    EXPECT_EQ(TextSafety::escaped(s("tag\U000E0041")), s("tag\\udb40\\udc41"));
    EXPECT_EQ(TextSafety::escaped(QString(QChar(0xDC00))), s("\\udc00"));
    const QString plain = s("Ünï@exämple.org 😀 → ok");
    EXPECT_EQ(TextSafety::escaped(plain), plain);
}

TEST(TextSafety, ReplacedMakesOneHarmlessLine)
{
    EXPECT_EQ(TextSafety::replaced(s("a\nb\x1b[2J\u202ec")), s("a?b?[2J?c"));
    EXPECT_EQ(TextSafety::replaced(s("Mallory \u202eEvil\u2069"), {}), s("Mallory Evil"));
    EXPECT_EQ(TextSafety::replaced(s("😀\U000E0041")), s("😀?"));
}
