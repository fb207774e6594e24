#include "ui/EmptyState.h"

#include "core/providers/ProviderRegistry.h"
#include "ui/SafeText.h"
#include "ui/WrappingContent.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

namespace mailkey {

EmptyState::EmptyState(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("emptyState"));
    // Everything sits in a scroll area: word-wrapped help can be taller than a small window,
    // and must then scroll rather than overlap.
    auto *root = new QVBoxLayout(this);
    root->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    root->addWidget(scroll);
    auto *content = new WrappingContent(scroll);
    content->setObjectName(QStringLiteral("emptyContent"));
    scroll->setWidget(content);
    // A centred column of bounded width, centred by stretches: widgets added to a box layout
    // with an alignment flag get their sizeHint() size, which clips word-wrapped labels.
    auto *outer = new QVBoxLayout(content);
    outer->addStretch(1);
    auto *row = new QHBoxLayout;
    outer->addLayout(row);
    outer->addStretch(2);
    auto *column = new QWidget(content);
    column->setMaximumWidth(fontMetrics().averageCharWidth() * 90);
    row->addStretch(1);
    row->addWidget(column, 100);
    row->addStretch(1);
    auto *col = new QVBoxLayout(column);
    col->setContentsMargins(0, 0, 0, 0);

    auto *title = new QLabel(tr("No mailboxes connected yet"), column);
    title->setTextFormat(Qt::PlainText);
    title->setObjectName(QStringLiteral("emptyTitle"));
    QFont big = title->font();
    big.setBold(true);
    if (big.pointSizeF() > 0)
        big.setPointSizeF(big.pointSizeF() * 1.4);
    title->setFont(big);
    title->setAlignment(Qt::AlignCenter);
    col->addWidget(title);

    auto *explain = new QLabel(
        tr("MailKey signs in to your mailboxes with your provider's own sign-in page and keeps their tokens "
           "in an encrypted vault on this computer.\n"
           "Your mail programs then get a fresh access token from MailKey instead of your password."),
        column);
    explain->setObjectName(QStringLiteral("emptyExplanation"));
    explain->setTextFormat(Qt::PlainText);
    explain->setWordWrap(true);
    explain->setAlignment(Qt::AlignCenter);
    col->addWidget(explain);
    col->addSpacing(fontMetrics().height() / 2);

    m_buttons = new QWidget(column);
    new QHBoxLayout(m_buttons);
    col->addWidget(m_buttons, 0, Qt::AlignHCenter); // buttons do not wrap: alignment is harmless

    m_hintBox = new QWidget(column);
    m_hints = new QVBoxLayout(m_hintBox);
    col->addWidget(m_hintBox);
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
            // One line says what is missing; the full registration steps open on request.
            auto *summary = new QLabel(m_hintBox);
            summary->setObjectName(QStringLiteral("clientIdSummary-") + p.id);
            summary->setWordWrap(true);
            SafeText::setLabelText(summary, tr("%1 needs a client ID before you can connect it.").arg(name));
            auto *toggle = new QToolButton(m_hintBox);
            toggle->setObjectName(QStringLiteral("clientIdHowTo-") + p.id);
            toggle->setText(tr("How do I get one?"));
            toggle->setCheckable(true);
            toggle->setAutoRaise(true);
            // The steps only: the summary above already says what is missing. Plain text (they
            // quote the provider's name and issuer).
            auto *hint = new QLabel(m_hintBox);
            hint->setObjectName(QStringLiteral("clientIdHint-") + p.id);
            hint->setWordWrap(true);
            hint->setTextInteractionFlags(Qt::TextSelectableByMouse);
            SafeText::setLabelMultiline(hint, ProviderRegistry::missingClientIdSteps(p).join(QLatin1Char('\n')), 2000);
            hint->setVisible(false);
            connect(toggle, &QToolButton::toggled, hint, &QLabel::setVisible);
            auto *line = new QHBoxLayout;
            line->addWidget(summary, 1);
            line->addWidget(toggle, 0, Qt::AlignTop);
            m_hints->addLayout(line);
            m_hints->addWidget(hint);
            // The registration site as a real link. The only rich-text label here: its text is
            // MailKey's own (a fixed address and a translated phrase), nothing from a provider.
            const QUrl site = ProviderRegistry::registrationUrl(p);
            if (site.isValid() && site.scheme() == QLatin1String("https")) {
                auto *link = new QLabel(m_hintBox);
                link->setObjectName(QStringLiteral("clientIdLink-") + p.id);
                link->setTextFormat(Qt::RichText);
                link->setProperty("mailkeyUrl", site);
                setLinkText(link);
                link->setTextInteractionFlags(Qt::TextBrowserInteraction);
                link->setOpenExternalLinks(true);
                link->setAccessibleName(tr("Open %1 in your browser").arg(site.host()));
                link->setVisible(false);
                connect(toggle, &QToolButton::toggled, link, &QLabel::setVisible);
                m_hints->addWidget(link);
            }
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

void EmptyState::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() != QEvent::PaletteChange)
        return;
    // The link colour follows the palette (setLinkText).
    const auto links = m_hintBox->findChildren<QLabel *>();
    for (QLabel *link : links) {
        if (link->property("mailkeyUrl").isValid())
            setLinkText(link);
    }
}

void EmptyState::setLinkText(QLabel *link) const
{
    // Qt's HTML import colours links from the application palette, not the label's: name the
    // label's link colour, so the link is readable on a dark palette too.
    const QUrl site = link->property("mailkeyUrl").toUrl();
    link->setText(QStringLiteral("<a href=\"%1\" style=\"color:%2\">%3</a>")
                      .arg(site.toString(QUrl::FullyEncoded).toHtmlEscaped(),
                           palette().color(QPalette::Link).name(), // the children get it after this widget
                           tr("Open %1 in your browser").arg(site.host()).toHtmlEscaped()));
}

} // namespace mailkey
