#pragma once

#include "core/providers/Provider.h"

#include <QList>
#include <QWidget>

class QVBoxLayout;
class QLabel;

namespace mailkey {

// What a first run shows: two lines on what MailKey does, a button per provider, and for a
// provider without a client id how to get one (the registration steps of ProviderRegistry, plain
// text, and a link to the provider's registration site: the one rich-text label, objectName
// "clientIdLink-<id>", whose text is MailKey's own).
class EmptyState : public QWidget {
    Q_OBJECT
public:
    explicit EmptyState(QWidget *parent = nullptr);

    void setProviders(const QList<Provider> &providers);

Q_SIGNALS:
    void connectRequested(const QString &providerId);
    void settingsRequested();

protected:
    void changeEvent(QEvent *event) override;

private:
    void setLinkText(QLabel *link) const;

    QWidget *m_buttons = nullptr;
    QVBoxLayout *m_hints = nullptr;
    QWidget *m_hintBox = nullptr;
};

} // namespace mailkey
