#include "core/oauth/OAuthErrorCatalog.h"

#include "core/common/Redactor.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <optional>

namespace mailkey {

namespace {

struct AadstsEntry {
    int code;
    std::optional<OAuthErrorKind> kind; // overrides the kind derived from "error"
    const char *message;
};

// Microsoft Entra ID (AADSTS) numbers: what happened and what to do.
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes
const AadstsEntry kAadsts[] = {
    {50011, OAuthErrorKind::Configuration,
     "The redirect address MailKey uses is not registered for this app in Microsoft Entra. In the "
     "app registration, open Authentication, add the platform \"Mobile and desktop applications\" "
     "with the redirect URI http://localhost, then try again."},
    {7000218, OAuthErrorKind::Configuration,
     "Microsoft expects a client secret because the app's redirect URI is registered as \"Web\". "
     "In the app registration, open Authentication, register http://localhost under \"Mobile and "
     "desktop applications\" instead of \"Web\" (and set \"Allow public client flows\" to Yes), "
     "then try again."},
    {70008, OAuthErrorKind::NeedsSignIn,
     "The sign-in has expired: it was not used for a long time, or the code took too long to "
     "redeem. Sign in again."},
    {700082, OAuthErrorKind::NeedsSignIn,
     "The sign-in has expired because it was not used for a long time (90 days). Sign in again."},
    {54005, OAuthErrorKind::NeedsSignIn, "This sign-in code was already used once. Sign in again."},
    {65001, OAuthErrorKind::NeedsSignIn,
     "MailKey does not have your permission to access this mailbox yet. Sign in again and accept "
     "the permissions MailKey asks for."},
    {65004, OAuthErrorKind::NeedsSignIn,
     "You declined the permissions MailKey needs. Sign in again and accept them to connect the "
     "mailbox."},
    {90094, OAuthErrorKind::Configuration,
     "Your organisation requires an administrator to approve MailKey before it can be used. Ask "
     "your administrator to grant admin consent for the app, then sign in again."},
    {90008, OAuthErrorKind::Configuration,
     "Your organisation requires an administrator to approve MailKey's access before you can use "
     "it. Ask your administrator to grant consent for the app, then sign in again."},
    {700016, OAuthErrorKind::Configuration,
     "Microsoft Entra cannot find this app in your organisation's directory. Check the client ID "
     "and the tenant in the provider settings (an app registered for one organisation only works "
     "there; use \"common\" or \"organizations\" for others)."},
    {50076, OAuthErrorKind::NeedsSignIn,
     "Your organisation requires multi-factor authentication for this sign-in. Sign in again and "
     "complete the extra verification step."},
    {50079, OAuthErrorKind::NeedsSignIn,
     "Your organisation requires you to set up multi-factor authentication. Sign in again and "
     "follow the steps to register a verification method."},
    {53003, OAuthErrorKind::NeedsSignIn,
     "Access was blocked by a Conditional Access policy of your organisation (for example for "
     "this device, app or location). Contact your administrator; once it is allowed, sign in "
     "again."},
    {50020, OAuthErrorKind::NeedsSignIn,
     "This account is not part of the organisation the app is registered in. Sign in with an "
     "account of that organisation, or ask its administrator to invite you as a guest."},
    {50034, OAuthErrorKind::NeedsSignIn,
     "This account does not exist in the organisation's directory. Check the e-mail address and "
     "sign in again with the right account."},
    {9002313, OAuthErrorKind::Configuration,
     "Microsoft rejected the request as malformed or invalid. This usually means a setup problem "
     "(scopes, tenant or client ID in the provider settings). Check them and try again."},
    {50126, OAuthErrorKind::NeedsSignIn, "The user name or password was not accepted. Sign in again."},
    {50173, OAuthErrorKind::NeedsSignIn,
     "The sign-in was revoked, for example because the password was changed. Sign in again."},
    {50133, OAuthErrorKind::NeedsSignIn,
     "The sign-in was revoked because the password was changed or expired. Sign in again."},
    {50105, OAuthErrorKind::Configuration,
     "Your administrator has not given you access to this app. Ask your administrator to assign "
     "your account to MailKey."},
    {500011, OAuthErrorKind::Configuration,
     "The requested service (for example Exchange Online) does not exist in your organisation. "
     "Check the scopes in the provider settings, or ask your administrator."},
    {7000215, OAuthErrorKind::Configuration,
     "Microsoft did not accept the app's client secret. Desktop apps normally do not use one: "
     "remove it from the provider settings, or register the app as \"Mobile and desktop "
     "applications\"."},
    {501481, OAuthErrorKind::Configuration,
     "The sign-in proof (PKCE code verifier) did not match. Sign in again; if it keeps "
     "happening, please report it."},
};

const AadstsEntry *findAadsts(int code)
{
    for (const AadstsEntry &e : kAadsts)
        if (e.code == code)
            return &e;
    return nullptr;
}

bool is(const QString &error, const char *code)
{
    return error.compare(QLatin1String(code), Qt::CaseInsensitive) == 0;
}

bool isOneOf(const QString &error, std::initializer_list<const char *> codes)
{
    for (const char *c : codes)
        if (is(error, c))
            return true;
    return false;
}

struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::OAuthErrorCatalog)
};

QString baseMessage(const QString &error, const QString &description, int httpStatus, OAuthErrorCatalog::Endpoint where)
{
    const bool atSignIn = where == OAuthErrorCatalog::Endpoint::Authorization;

    // Google's wording for an expired / revoked refresh token.
    if (is(error, "invalid_grant") && description.contains(QLatin1String("expired or revoked"), Qt::CaseInsensitive))
        return Text::tr("Google says the sign-in has expired or was revoked (for example MailKey's "
                        "access was removed in the Google account, the password was changed, or the "
                        "Google Cloud project is in \"Testing\" mode, where sign-ins expire after 7 "
                        "days). Sign in again. To stop the 7-day expiry, set the OAuth consent screen "
                        "of the project to \"In production\".");
    if (where == OAuthErrorCatalog::Endpoint::Device) {
        // RFC 8628 3.5, and what a provider says about a client that may not use the flow.
        if (is(error, "access_denied"))
            return Text::tr("The sign-in was declined on the other device, so MailKey did not connect this "
                            "mailbox. To connect it, start again and allow the requested access there.");
        if (is(error, "expired_token"))
            return Text::tr("The code for signing in on another device expired before the sign-in was "
                            "finished there. Start again and enter the new code within the time shown.");
        if (isOneOf(error, {"authorization_pending", "slow_down"}))
            return Text::tr("The sign-in on the other device is not finished yet. Finish it there, or start "
                            "again.");
        if (is(error, "unauthorized_client"))
            return Text::tr("This app may not use the sign-in on another device (the device code flow). For "
                            "Microsoft, set \"Allow public client flows\" to Yes under Authentication in the "
                            "app registration; for other providers, allow the device code grant for this "
                            "client. Or sign in with a browser instead.");
        if (is(error, "unsupported_grant_type"))
            return Text::tr("The provider does not support signing in on another device. Sign in with a "
                            "browser instead.");
    }
    if (is(error, "invalid_grant"))
        return Text::tr("The sign-in is no longer valid (it expired, was revoked, or the code was "
                        "already used). Sign in again.");
    if (is(error, "access_denied"))
        return atSignIn ? Text::tr("You declined access, so MailKey cannot connect this mailbox. To "
                                   "connect it, sign in again and allow the requested access.")
                        : Text::tr("The provider denied access. Sign in again and allow the requested "
                                   "access.");
    if (is(error, "interaction_required"))
        return Text::tr("The provider needs you to sign in interactively (for example to confirm an "
                        "extra security step). Sign in again.");
    if (is(error, "login_required"))
        return Text::tr("You need to sign in again.");
    if (is(error, "consent_required"))
        return Text::tr("MailKey needs your permission to access this mailbox. Sign in again and accept "
                        "the requested permissions.");
    if (is(error, "account_selection_required"))
        return Text::tr("The provider needs you to choose an account. Sign in again and pick the "
                        "account of this mailbox.");
    if (is(error, "redirect_uri_mismatch"))
        return Text::tr("The provider does not accept MailKey's redirect address for this client ID. "
                        "For Google, the OAuth client must be of type \"Desktop app\" (it allows "
                        "http://127.0.0.1 on any port); check the client ID in the provider settings.");
    if (is(error, "invalid_client"))
        return Text::tr("The provider does not recognise the app's client ID or secret. Check the "
                        "client ID (and the client secret, if the provider needs one) in the provider "
                        "settings.");
    if (is(error, "deleted_client"))
        return Text::tr("The app's OAuth client was deleted at the provider. Create a new client and "
                        "enter its ID in the provider settings.");
    if (is(error, "unauthorized_client"))
        return Text::tr("This app is not allowed to use this kind of sign-in. Check the app "
                        "registration: it must be a desktop / public client that may use the "
                        "authorization code flow.");
    if (is(error, "invalid_scope") && where == OAuthErrorCatalog::Endpoint::Refresh) {
        QString text = Text::tr("The provider would not renew MailKey's access with the permissions "
                                "(scopes) it granted at sign-in: it has withdrawn or narrowed some of "
                                "them since. This is not caused by your settings. Sign in again to "
                                "grant MailKey access anew.");
        if (!description.isEmpty())
            text += QLatin1Char(' ') + Text::tr("The provider said: %1").arg(description);
        return text;
    }
    if (is(error, "invalid_scope"))
        return Text::tr("The provider does not accept the permissions (scopes) MailKey asked for. Check "
                        "the scopes in the provider settings.");
    if (is(error, "unsupported_grant_type"))
        return Text::tr("The provider does not support this kind of token request. Check the token "
                        "address in the provider settings.");
    if (is(error, "unsupported_response_type"))
        return Text::tr("The provider does not allow this app to request an authorization code. Check "
                        "the app registration and the provider settings.");
    if (is(error, "invalid_request"))
        return Text::tr("The provider rejected the request as incomplete or malformed. Check the "
                        "provider settings; if it keeps happening, please report it.");
    if (is(error, "admin_policy_enforced"))
        return Text::tr("Your Google Workspace administrator does not allow MailKey, or one of the "
                        "permissions it needs. Ask your administrator to trust the app (Admin console, "
                        "Security, API controls).");
    if (is(error, "org_internal"))
        return Text::tr("This OAuth client may only be used by accounts of the organisation that owns "
                        "it. Sign in with an account of that organisation, or make the app's consent "
                        "screen \"External\".");
    if (is(error, "disallowed_useragent"))
        return Text::tr("The provider refused sign-in from this browser. Open the sign-in page in your "
                        "normal web browser and try again.");
    if (is(error, "server_error"))
        return Text::tr("The sign-in service had an internal error. Try again in a few minutes.");
    if (is(error, "temporarily_unavailable"))
        return Text::tr("The sign-in service is temporarily unavailable. MailKey will try again later.");
    if (httpStatus == 429)
        return Text::tr("The sign-in service received too many requests. MailKey will try again later.");
    if (httpStatus >= 500)
        return Text::tr("The sign-in service is unavailable (HTTP %1). MailKey will try again later.").arg(httpStatus);

    // Whole sentences, so that a translation can order its words freely.
    QString text;
    if (error.isEmpty())
        text = atSignIn ? Text::tr("The provider refused the sign-in.") : Text::tr("The provider refused the request.");
    else
        text = (atSignIn ? Text::tr("The provider refused the sign-in with the error \"%1\".")
                         : Text::tr("The provider refused the request with the error \"%1\"."))
                   .arg(error);
    if (!description.isEmpty()) {
        text += QLatin1Char(' ') + Text::tr("It said: %1").arg(description);
        if (!text.endsWith(QLatin1Char('.')))
            text += QLatin1Char('.');
    }
    text += QLatin1Char(' ') + Text::tr("Sign in again; if it keeps happening, check the provider settings.");
    return text;
}

} // namespace

QString OAuthErrorCatalog::sanitize(const QString &text, int maxChars)
{
    QString s = redact(text).simplified();
    if (maxChars > 1 && s.size() > maxChars) {
        s.truncate(maxChars - 1);
        s += QChar(0x2026); // ellipsis
    }
    return s;
}

int OAuthErrorCatalog::aadstsFromDescription(const QString &description)
{
    static const QRegularExpression re(QStringLiteral("\\bAADSTS(\\d{1,9})\\b"));
    const QRegularExpressionMatch m = re.match(description);
    return m.hasMatch() ? m.captured(1).toInt() : 0;
}

OAuthErrorKind OAuthErrorCatalog::classify(const QString &error, int aadsts, int httpStatus)
{
    if (const AadstsEntry *e = findAadsts(aadsts); e && e->kind)
        return *e->kind;
    if (isOneOf(error, {"invalid_grant", "interaction_required", "consent_required", "login_required",
                        "account_selection_required", "access_denied", "expired_token"}))
        return OAuthErrorKind::NeedsSignIn;
    if (isOneOf(error, {"invalid_client", "unauthorized_client", "invalid_scope", "unsupported_grant_type",
                        "unsupported_response_type", "redirect_uri_mismatch", "invalid_request", "deleted_client",
                        "admin_policy_enforced", "org_internal", "disallowed_useragent"}))
        return OAuthErrorKind::Configuration;
    if (isOneOf(error, {"temporarily_unavailable", "server_error"}))
        return OAuthErrorKind::Transient;
    if (httpStatus == 429 || httpStatus >= 500)
        return OAuthErrorKind::Transient;
    return OAuthErrorKind::Provider;
}

QString OAuthErrorCatalog::message(const QString &error, const QString &description, int aadsts, int httpStatus,
                                   Endpoint where)
{
    QString text;
    if (const AadstsEntry *e = findAadsts(aadsts))
        text = QString::fromUtf8(e->message);
    else
        text = baseMessage(error, sanitize(description, 300), httpStatus, where);
    if (aadsts > 0)
        text += QStringLiteral(" (Microsoft error AADSTS%1)").arg(aadsts);
    else if (!error.isEmpty())
        text += QStringLiteral(" (error: %1)").arg(sanitize(error, 60));
    return text;
}

void OAuthErrorCatalog::describe(OAuthError &e, Endpoint where)
{
    if (e.aadsts == 0)
        e.aadsts = e.errorCodes.isEmpty() ? aadstsFromDescription(e.description) : e.errorCodes.first();
    e.kind = classify(e.error, e.aadsts, e.httpStatus);
    e.userMessage = message(e.error, e.description, e.aadsts, e.httpStatus, where);
}

OAuthError OAuthErrorCatalog::fromAuthorizationResponse(const QString &error, const QString &description)
{
    OAuthError e;
    e.error = sanitize(error, 60);
    e.description = sanitize(description);
    describe(e, Endpoint::Authorization);
    return e;
}

Error OAuthErrorCatalog::toError(const OAuthError &e)
{
    ErrorCode code = ErrorCode::Provider;
    switch (e.kind) {
    case OAuthErrorKind::Transient:
        code = ErrorCode::Network;
        break;
    case OAuthErrorKind::NeedsSignIn:
        code = ErrorCode::NeedsSignIn;
        break;
    case OAuthErrorKind::Configuration:
        code = ErrorCode::Config;
        break;
    case OAuthErrorKind::Provider:
    case OAuthErrorKind::Malformed:
        code = ErrorCode::Provider;
        break;
    }
    if (is(e.error, "access_denied") && (e.aadsts == 0 || e.aadsts == 65004))
        code = ErrorCode::Cancelled;
    return Error(code, e.userMessage);
}

} // namespace mailkey
