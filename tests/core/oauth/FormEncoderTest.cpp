// The form encoder of every token-endpoint request: order, application/x-www-form-urlencoded
// escaping, and that every buffer it used is wiped before it is released.
#include "core/oauth/FormEncoder.h"

#include "tests/support/TestUtil.h"

#include <QRandomGenerator>
#include <QUrl>

#include <gtest/gtest.h>

#include <vector>

using namespace mailkey;

namespace {

QString S(const char *s)
{
    return QString::fromUtf8(s);
}

// Reads a body as a form decoder does (WHATWG URL "application/x-www-form-urlencoded parsing":
// split on '&', then on the first '=', '+' is a space, then percent-decoding as UTF-8).
QList<std::pair<QString, QString>> decodeForm(const QByteArray &body)
{
    QList<std::pair<QString, QString>> out;
    for (QByteArray field : body.split('&')) {
        field.replace('+', ' ');
        const qsizetype eq = field.indexOf('=');
        const QByteArray name = eq < 0 ? field : field.left(eq);
        const QByteArray value = eq < 0 ? QByteArray() : field.mid(eq + 1);
        out.append({QUrl::fromPercentEncoding(name), QUrl::fromPercentEncoding(value)});
    }
    return out;
}

// What the wipe probe saw: one entry per wiped buffer.
struct Wiped {
    qsizetype size = 0;
    bool allZero = false;
};
std::vector<Wiped> g_wiped;

void recordWipe(const char *data, qsizetype size)
{
    bool zero = true;
    for (qsizetype i = 0; i < size; ++i)
        zero = zero && data[i] == 0;
    g_wiped.push_back({size, zero});
}

class FormEncoderWipe : public ::testing::Test {
protected:
    void SetUp() override
    {
        g_wiped.clear();
        FormEncoder::setWipeProbe(recordWipe);
    }
    void TearDown() override { FormEncoder::setWipeProbe(nullptr); }

    static bool wipedOfSize(qsizetype size)
    {
        for (const Wiped &w : g_wiped) {
            if (w.size == size)
                return true;
        }
        return false;
    }
    static bool allWipesZero()
    {
        for (const Wiped &w : g_wiped) {
            if (!w.allZero)
                return false;
        }
        return !g_wiped.empty();
    }
};

} // namespace

TEST(FormEncoder, KeepsTheOrderFieldsWereAddedIn)
{
    FormEncoder form;
    EXPECT_TRUE(form.isEmpty());
    form.add("grant_type", S("refresh_token")).add("refresh_token", S("r")).add("scope", S("b a"));
    form.add("client_id", QByteArray("c"));
    EXPECT_EQ(form.bytes(), QByteArray("grant_type=refresh_token&refresh_token=r&scope=b%20a&client_id=c"));
}

TEST(FormEncoder, SendsARepeatedNameTwiceAndAnEmptyValueAsNothing)
{
    FormEncoder form;
    form.add("a", S("1")).add("b", QString()).add("a", S("2"));
    EXPECT_EQ(form.bytes(), QByteArray("a=1&b=&a=2"));
}

// RFC 6749 appendix B: the value " %&+£€" is sent as "+%25%26%2B%C2%A3%E2%82%AC". The encoder
// writes the space as %20 (what the code always sent), which the same decoding reads as a space.
TEST(FormEncoder, EscapesLikeRfc6749AppendixB)
{
    FormEncoder form;
    form.add("value", S(" %&+£€"));
    EXPECT_EQ(form.bytes(), QByteArray("value=%20%25%26%2B%C2%A3%E2%82%AC"));
    const auto decoded = decodeForm(form.bytes());
    ASSERT_EQ(decoded.size(), 1);
    EXPECT_EQ(decoded.first().second, S(" %&+£€"));
}

TEST(FormEncoder, LeavesOnlyTheUnreservedCharactersAlone)
{
    const QString unreserved = S("ABCXYZabcxyz0189-._~");
    EXPECT_EQ(FormEncoder::encode(unreserved), unreserved.toLatin1());
    // Every other printable ASCII character, tokens' '+' and '/' among them, is escaped with
    // upper-case hex digits.
    EXPECT_EQ(FormEncoder::encode(S("!\"#$%&'()*+,/:;<=>?@[\\]^`{|}")),
              QByteArray("%21%22%23%24%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E%60%7B%7C%7D"));
    EXPECT_EQ(FormEncoder::encode(QByteArray("\x00\x7f\xff", 3)), QByteArray("%00%7F%FF"));
}

TEST(FormEncoder, NamesAreEncodedToo)
{
    FormEncoder form;
    form.add("a b&c=d", S("e"));
    EXPECT_EQ(form.bytes(), QByteArray("a%20b%26c%3Dd=e"));
}

// The encoding the code used before (QUrl::toPercentEncoding), on random values, and the values
// survive a form decoder whatever they hold (a token with '+', '/' and '=' in particular).
TEST(FormEncoder, MatchesQtsPercentEncodingAndRoundTrips)
{
    auto *random = QRandomGenerator::global();
    for (int round = 0; round < 200; ++round) {
        QString value;
        const int length = random->bounded(0, 40);
        for (int i = 0; i < length; ++i) {
            // Mostly ASCII, some Latin-1, some from the BMP beyond (no surrogates).
            const int pick = random->bounded(10);
            const char16_t c = pick < 7   ? char16_t(random->bounded(0x20, 0x7f))
                               : pick < 9 ? char16_t(random->bounded(0xa0, 0x100))
                                          : char16_t(random->bounded(0x100, 0xd800));
            value.append(QChar(c));
        }
        EXPECT_EQ(FormEncoder::encode(value), QUrl::toPercentEncoding(value)) << "round " << round;
        FormEncoder form;
        form.add("v", value).add("w", S("x"));
        const auto decoded = decodeForm(form.bytes());
        ASSERT_EQ(decoded.size(), 2);
        EXPECT_TRUE(decoded.at(0).second == value) << "round " << round;
        EXPECT_EQ(decoded.at(1).second, S("x"));
    }
}

TEST(FormEncoder, AByteArrayValueIsTakenAsUtf8)
{
    FormEncoder a;
    FormEncoder b;
    a.add("v", S("Grüße"));
    b.add("v", S("Grüße").toUtf8());
    EXPECT_EQ(a.bytes(), b.bytes());
}

TEST(FormEncoder, MovingHandsTheBodyOver)
{
    FormEncoder a;
    a.add("token", S("t"));
    FormEncoder b(std::move(a));
    EXPECT_EQ(b.bytes(), QByteArray("token=t"));
    EXPECT_TRUE(a.isEmpty()); // a moved-from encoder is empty
    FormEncoder c;
    c.add("other", S("o"));
    c = std::move(b);
    EXPECT_EQ(c.bytes(), QByteArray("token=t"));
}

TEST_F(FormEncoderWipe, WipesTheBodyWhenDestroyed)
{
    qsizetype size = 0;
    {
        FormEncoder form;
        form.add("refresh_token", QByteArray("secret-refresh-token"));
        size = form.bytes().size();
        g_wiped.clear();
    }
    EXPECT_TRUE(wipedOfSize(size));
    EXPECT_TRUE(allWipesZero());
}

TEST_F(FormEncoderWipe, WipesTheUtf8CopyOfEveryValue)
{
    FormEncoder form;
    const QString secret = S("a-secret-value-of-29-bytes-ok");
    g_wiped.clear();
    form.add("client_secret", secret);
    EXPECT_TRUE(wipedOfSize(secret.toUtf8().size()));
    EXPECT_TRUE(allWipesZero());
}

TEST_F(FormEncoderWipe, WipesWhatItLeavesBehindWhenItGrows)
{
    FormEncoder form;
    form.add("token", QByteArray("first"));
    const qsizetype before = form.bytes().size();
    g_wiped.clear();
    // Far beyond the initial room: the body moves to a bigger buffer.
    form.add("refresh_token", QByteArray(4000, 'x'));
    EXPECT_TRUE(wipedOfSize(before));
    EXPECT_TRUE(allWipesZero());
}

TEST_F(FormEncoderWipe, WipesOnClearAndWhenAssignedTo)
{
    FormEncoder form;
    form.add("token", QByteArray("t1"));
    g_wiped.clear();
    form.clear();
    EXPECT_TRUE(form.isEmpty());
    EXPECT_TRUE(wipedOfSize(8)); // "token=t1"
    EXPECT_TRUE(allWipesZero());

    form.add("token", QByteArray("t2"));
    FormEncoder other;
    g_wiped.clear();
    form = std::move(other);
    EXPECT_TRUE(wipedOfSize(8));
    EXPECT_TRUE(allWipesZero());
}

TEST_F(FormEncoderWipe, EncodeWipesItsUtf8Copy)
{
    const QString secret = S("code-verifier-of-thirty-three-chars");
    g_wiped.clear();
    QByteArray encoded = FormEncoder::encode(secret);
    EXPECT_EQ(encoded, secret.toLatin1());
    EXPECT_TRUE(wipedOfSize(secret.size()));
    EXPECT_TRUE(allWipesZero());
}
