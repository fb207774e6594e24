#include "ui/EmptyState.h"

#include "core/providers/ProviderRegistry.h"
#include "ui/SafeText.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace mailkey {

EmptyState::EmptyState(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("emptyState"));
    auto *outer = new QVBoxLayout(this);
    outer->addStretch(1);

    auto *title = new QLabel(tr("No mailboxes connected yet"), this);
    title->setTextFormat(Qt::PlainText);
    title->setObjectName(QStringLiteral("emptyTitle"));
    QFont big = title->font();
    big.setBold(true);
    if (big.pointSizeF() > 0)
        big.setPointSizeF(big.pointSizeF() * 1.4);
    title->setFont(big);
    title->setAlignment(Qt::AlignCenter);
    outer->addWidget(title);

    auto *explain = new QLabel(
        tr("MailKey signs in to your mailboxes with your provider's own sign-in page and keeps their tokens "
           "in an encrypted vault on this computer.\n"
           "Your mail programs then get a fresh access token from MailKey instead of your password."),
        this);
    explain->setObjectName(QStringLiteral("emptyExplanation"));
    explain->setTextFormat(Qt::PlainText);
    explain->setWordWrap(true);
    explain->setAlignment(Qt::AlignCenter);
    explain->setMaximumWidth(fontMetrics().averageCharWidth() * 80);
    outer->addWidget(explain, 0, Qt::AlignHCenter);

    m_buttons = new QWidget(this);
    new QHBoxLayout(m_buttons);
    outer->addWidget(m_buttons, 0, Qt::AlignHCenter);

    m_hintBox = new QWidget(this);
    m_hints = new QVBoxLayout(m_hintBox);
    m_hintBox->setMaximumWidth(fontMetrics().averageCharWidth() * 90);
    outer->addWidget(m_hintBox, 0, Qt::AlignHCenter);
    outer->addStretch(2);
}

void EmptyState::setProviders(const QList<Provider> &providers)
{
    const auto clear = [](QLayout *layout) {
        while (QLayoutItem *item = layout->takeAt(0)) {
            if (QWidget *w = item->widget())
                w->deleteLater();
            delete item;
        }
    };
    clear(m_buttons->layout());
    clear(m_hints);

    bool anyMissing = false;
    for (const Provider &p : providers) {
        const QString name = SafeText::clean(p.displayName.isEmpty() ? p.id : p.displayName, 40);
        auto *button = new QPushButton(tr("Connect %1").arg(name), m_buttons);
        button->setObjectName(QStringLiteral("emptyConnect-") + p.id);
        const QString id = p.id;
        connect(button, &QPushButton::clicked, this, [this, id] { Q_EMIT connectRequested(id); });
        m_buttons->layout()->addWidget(button);

        if (p.clientId.isEmpty()) {
            anyMissing = true;
            auto *hint = new QLabel(m_hintBox);
            hint->setObjectName(QStringLiteral("clientIdHint-") + p.id);
            hint->setWordWrap(true);
            SafeText::setLabelMultiline(hint, ProviderRegistry::missingClientIdError(p).message, 2000);
            m_hints->addWidget(hint);
        }
    }
    if (anyMissing) {
        auto *settings = new QPushButton(tr("Open settings…"), m_hintBox);
        settings->setObjectName(QStringLiteral("emptySettingsButton"));
        connect(settings, &QPushButton::clicked, this, &EmptyState::settingsRequested);
        m_hints->addWidget(settings, 0, Qt::AlignLeft);
    }
    m_hintBox->setVisible(anyMissing);
}

} // namespace mailkey
