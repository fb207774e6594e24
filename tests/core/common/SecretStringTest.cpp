// SecretString: the move-only holder of tokens. What it promises: its own buffer is wiped when it
// is destroyed, cleared or assigned over; a copy exists only through clone(); a text it was given
// that another QString still shares is copied first, so the wipe never reaches another owner.
#include "core/common/SecretString.h"

#include <gtest/gtest.h>

#include <type_traits>
#include <vector>

using mailkey::SecretString;

namespace {

// Every buffer wiped while a test runs, as (all zeros?, size).
std::vector<std::pair<bool, qsizetype>> g_wiped;

void probe(const char16_t *data, qsizetype size)
{
    bool zero = true;
    for (qsizetype i = 0; i < size; ++i)
        zero = zero && data[i] == 0;
    g_wiped.emplace_back(zero, size);
}

class SecretStringTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        g_wiped.clear();
        SecretString::setWipeProbe(probe);
    }
    void TearDown() override { SecretString::setWipeProbe(nullptr); }
};

QString text(const char *latin1)
{
    return QString::fromLatin1(latin1);
}

} // namespace

static_assert(!std::is_copy_constructible_v<SecretString>);
static_assert(!std::is_copy_assignable_v<SecretString>);
static_assert(std::is_nothrow_move_constructible_v<SecretString>);
static_assert(std::is_nothrow_move_assignable_v<SecretString>);

TEST_F(SecretStringTest, TheBufferIsWipedWhenTheStringIsDestroyed)
{
    {
        const SecretString s(text("eyJ0eXAiOiJKV1Qi.secret"));
        EXPECT_EQ(s.size(), 23);
        EXPECT_TRUE(g_wiped.empty());
    }
    ASSERT_EQ(g_wiped.size(), 1u);
    EXPECT_TRUE(g_wiped[0].first);
    EXPECT_EQ(g_wiped[0].second, 23);
}

TEST_F(SecretStringTest, ClearAndAssignmentWipeTheOldValue)
{
    SecretString s(text("first-token"));
    s = SecretString(text("second"));
    ASSERT_EQ(g_wiped.size(), 1u);
    EXPECT_EQ(g_wiped[0], std::make_pair(true, qsizetype(11)));
    EXPECT_TRUE(s.reveal() == text("second"));
    s.clear();
    ASSERT_EQ(g_wiped.size(), 2u);
    EXPECT_EQ(g_wiped[1], std::make_pair(true, qsizetype(6)));
    EXPECT_TRUE(s.isEmpty());
}

TEST_F(SecretStringTest, AMoveTakesTheBufferAndLeavesNothingBehind)
{
    SecretString a(text("refresh-token"));
    const QChar *buffer = a.reveal().constData();
    SecretString b(std::move(a));
    EXPECT_TRUE(a.isEmpty()); // NOLINT(bugprone-use-after-move): the moved-from state is specified
    EXPECT_EQ(b.reveal().constData(), buffer) << "moved, not copied";
    EXPECT_TRUE(g_wiped.empty());
}

TEST_F(SecretStringTest, ACloneIsAnIndependentBufferWipedOnItsOwn)
{
    const SecretString a(text("access-token"));
    {
        const SecretString b = a.clone();
        EXPECT_TRUE(b.equals(a));
        EXPECT_NE(b.reveal().constData(), a.reveal().constData());
    }
    ASSERT_EQ(g_wiped.size(), 1u);
    EXPECT_TRUE(a.reveal() == text("access-token")) << "wiping the clone left the original alone";
}

TEST_F(SecretStringTest, ATextStillSharedElsewhereIsCopiedNotWipedUnderItsOtherOwner)
{
    const QString shared = text("shared-token");
    {
        const SecretString s(shared); // `shared` keeps its reference
        EXPECT_NE(s.reveal().constData(), shared.constData());
    }
    ASSERT_EQ(g_wiped.size(), 1u);
    EXPECT_TRUE(shared == text("shared-token"));
}

TEST_F(SecretStringTest, ABufferSomeoneStillReadsIsReleasedNotWiped)
{
    QString reader;
    {
        const SecretString s(text("in-a-header"));
        reader = s.reveal(); // e.g. a bound value still alive
    }
    EXPECT_TRUE(g_wiped.empty());
    EXPECT_TRUE(reader == text("in-a-header"));
}

TEST_F(SecretStringTest, EqualsComparesTheWholeTextAndUtf8RoundTrips)
{
    const SecretString s = SecretString::fromUtf8("t\xc3\xb6ken");
    EXPECT_TRUE(s.equals(QStringView(u"t\u00f6ken")));
    EXPECT_FALSE(s.equals(QStringView(u"t\u00f6ke")));
    EXPECT_FALSE(s.equals(QStringView(u"t\u00f6keN")));
    EXPECT_TRUE(s.toUtf8().bytes() == QByteArray("t\xc3\xb6ken"));
    EXPECT_TRUE(SecretString::fromLatin1("abc").equals(SecretString(text("abc"))));
    EXPECT_TRUE(SecretString().isEmpty());
}
