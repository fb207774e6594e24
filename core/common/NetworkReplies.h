#pragma once

#include "core/common/SecretString.h"

#include <QNetworkRequest>
#include <QPointer>
#include <QString>
#include <QUrl>

QT_BEGIN_NAMESPACE
class QNetworkReply;
class QObject;
QT_END_NAMESPACE

namespace mailkey {

// A GET for a JSON API that carries an access token: "Authorization: Bearer ...", redirects not
// followed (the token never goes to another host), nothing read from or written to an HTTP cache.
// The temporary header bytes are wiped.
QNetworkRequest bearerJsonRequest(const QUrl &url, const SecretString &accessToken);

// Ends a reply in flight that `receiver` no longer wants: its signals to `receiver` are
// disconnected first (no late finished()), then it is aborted and deleted from the event loop.
// `reply` is null afterwards. Nothing happens when it already is.
void dropReply(QPointer<QNetworkReply> &reply, const QObject *receiver);

} // namespace mailkey
