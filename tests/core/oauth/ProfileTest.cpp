// ProfileFetcher::readProfile: the profile answer (Graph /me, OIDC userinfo) without the network,
// as finished() / failed() report it. The same function fuzz/profile.cpp fuzzes.
#include "core/oauth/ProfileFetcher.h"
#include "core/providers/Provider.h"

#include <gtest/gtest.h>

using namespace mailkey;

namespace {

IdTokenClaims claims()
{
    IdTokenClaims c;
    c.subject = QStringLiteral("110169484474386276334");
    c.email = QStringLiteral("jane.doe@gmail.com");
    c.name = QStringLiteral("Jane Doe");
    return c;
}

} // namespace

TEST(ProfileRead, GraphFallsBackToUserPrincipalName)
{
    const Result<AccountInfo> r = ProfileFetcher::readProfile(
        Provider::microsoft().value(), std::nullopt,
        R"({"displayName":"Jane","mail":null,"userPrincipalName":" jane@outlook.com ","id":"0123"})");
    ASSERT_TRUE(r);
    EXPECT_EQ(r.value().email, QStringLiteral("jane@outlook.com"));
    EXPECT_EQ(r.value().subject, QStringLiteral("0123"));
    EXPECT_EQ(r.value().provider, QStringLiteral("microsoft"));
}

TEST(ProfileRead, UserinfoMustDescribeTheSignedInSubject)
{
    const Provider google = Provider::google();
    EXPECT_FALSE(ProfileFetcher::readProfile(google, claims(), R"({"sub":"someone-else","email":"x@example.com"})"));
    const Result<AccountInfo> r = ProfileFetcher::readProfile(google, claims(), R"({"sub":"110169484474386276334"})");
    ASSERT_TRUE(r);
    EXPECT_EQ(r.value().email, QStringLiteral("jane.doe@gmail.com")); // from the id_token
    EXPECT_EQ(r.value().displayName, QStringLiteral("Jane Doe"));
}

TEST(ProfileRead, HostileAnswersAreRefusedOrCleaned)
{
    const Provider google = Provider::google();
    EXPECT_FALSE(ProfileFetcher::readProfile(google, std::nullopt, "<html>"));
    EXPECT_FALSE(
        ProfileFetcher::readProfile(google, std::nullopt, R"({"sub":"a","email":"evil\u001b[2J@example.com"})"));
    EXPECT_FALSE(ProfileFetcher::readProfile(google, std::nullopt, R"({"sub":"a\u202e","email":"a@example.com"})"));
    const Result<AccountInfo> r = ProfileFetcher::readProfile(
        google, std::nullopt, R"({"sub":"a","email":"a@example.com","name":"\u0007Bell \u202eName"})");
    ASSERT_TRUE(r);
    EXPECT_EQ(r.value().displayName, QStringLiteral("Bell Name"));
}
