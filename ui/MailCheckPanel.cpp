#include "ui/MailCheckPanel.h"

#include "ui/AccountModel.h"
#include "ui/SafeText.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace mailkey {

namespace {

QLabel *wrappingLabel(QWidget *parent, const QString &objectName)
{
    auto *l = new QLabel(parent);
    l->setObjectName(objectName);
    l->setTextFormat(Qt::PlainText);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    l->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    return l;
}

QString protocolLabel(const QString &protocol)
{
    return protocol.toUpper();
}

} // namespace

MailCheckPanel::MailCheckPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("mailCheckPanel"));
    // Everything scrolls together: the steps, the advice and the administrator's text are never
    // squeezed or clipped, whatever the window's size.
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("mailCheckScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    outer->addWidget(scroll);
    auto *content = new QWidget(scroll);
    scroll->setWidget(content);
    auto *layout = new QVBoxLayout(content);

    m_summary = wrappingLabel(content, QStringLiteral("mailCheckSummary"));
    layout->addWidget(m_summary);

    auto *row = new QHBoxLayout;
    m_test = new QPushButton(tr("Test mail connection"), content);
    m_test->setObjectName(QStringLiteral("testMailButton"));
    m_test->setToolTip(tr("Log in to this mailbox's IMAP and SMTP servers with MailKey's tokens, as a mail "
                          "program would. No message is sent."));
    m_progress = new QProgressBar(content);
    m_progress->setObjectName(QStringLiteral("mailCheckProgress"));
    m_progress->setRange(0, 0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(80);
    m_progress->setMaximumHeight(fontMetrics().height() / 2 + 4);
    m_progress->setAccessibleName(tr("Testing the mail connection"));
    m_progress->hide();
    row->addWidget(m_test);
    row->addWidget(m_progress);
    row->addStretch(1);
    layout->addLayout(row);
    connect(m_test, &QPushButton::clicked, this, [this] {
        if (m_accountId != 0)
            Q_EMIT testRequested(m_accountId);
    });

    m_results = new QTreeWidget(content);
    m_results->setObjectName(QStringLiteral("mailCheckResults"));
    m_results->setAccessibleName(tr("Mail connection results"));
    m_results->setColumnCount(3);
    m_results->setHeaderLabels({tr("Server"), tr("Result"), tr("Time")});
    m_results->setUniformRowHeights(true);
    m_results->setWordWrap(false);
    m_results->setTextElideMode(Qt::ElideMiddle);
    m_results->header()->setStretchLastSection(false);
    m_results->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_results->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_results->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_results->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Room for both servers and their steps (two headers, seven steps each) before it scrolls.
    m_results->setMinimumHeight(m_results->fontMetrics().height() * 12);
    layout->addWidget(m_results);

    m_adviceLabel = wrappingLabel(content, QStringLiteral("mailCheckAdvice"));
    layout->addWidget(m_adviceLabel);

    auto *adminRow = new QHBoxLayout;
    m_adminLabel = wrappingLabel(content, QStringLiteral("mailCheckAdmin"));
    m_copyAdmin = new QPushButton(tr("Copy for administrator"), content);
    m_copyAdmin->setObjectName(QStringLiteral("copyAdminButton"));
    m_copyAdmin->setToolTip(tr("Copies what an administrator of your organization needs: the exact command "
                               "or address, and why."));
    adminRow->addWidget(m_adminLabel, 1);
    adminRow->addWidget(m_copyAdmin, 0, Qt::AlignTop);
    layout->addLayout(adminRow);
    layout->addStretch(1);
    connect(m_copyAdmin, &QPushButton::clicked, this, [this] {
        if (!m_adminText.isEmpty())
            Q_EMIT copyRequested(m_adminText, tr("What your administrator needs"));
    });

    clearAccount();
}

void MailCheckPanel::setClock(const Clock *clock)
{
    m_clock = clock;
}

QString MailCheckPanel::when(const QDateTime &at) const
{
    const qint64 secs = at.secsTo((m_clock ? m_clock : Clock::system())->now());
    if (secs < 60)
        return tr("just now");
    return tr("%1 ago").arg(AccountModel::humanDuration(secs));
}

void MailCheckPanel::clearAccount()
{
    m_accountId = 0;
    m_running = false;
    m_live = false;
    m_items.clear();
    m_results->clear();
    m_summary->clear();
    setAdvice(QString(), QString());
    m_progress->hide();
    updateButtons();
}

void MailCheckPanel::showAccount(qint64 accountId, const QList<MailCheckRecord> &last)
{
    if (accountId != m_accountId) {
        clearAccount();
        m_accountId = accountId;
    }
    // A check run in this view stays shown, with all its advice, until another account is shown.
    if (!m_running && !m_live)
        showLast(last);
    updateButtons();
}

void MailCheckPanel::setTestable(bool testable, const QString &why)
{
    m_testable = testable;
    m_notTestableWhy = why;
    updateButtons();
}

void MailCheckPanel::updateButtons()
{
    m_test->setEnabled(m_accountId != 0 && m_testable && !m_running);
    m_test->setText(m_running ? tr("Testing…") : tr("Test mail connection"));
    if (!m_testable && !m_notTestableWhy.isEmpty())
        m_test->setToolTip(m_notTestableWhy);
    m_copyAdmin->setVisible(!m_adminText.isEmpty());
    m_adminLabel->setVisible(!m_adminText.isEmpty());
    m_adviceLabel->setVisible(!m_adviceLabel->text().isEmpty());
}

void MailCheckPanel::setAdvice(const QString &advice, const QString &admin)
{
    SafeText::setLabelMultiline(m_adviceLabel, advice, 4000);
    m_adminText = admin;
    SafeText::setLabelMultiline(m_adminLabel, admin.isEmpty() ? QString() : tr("For your administrator: %1").arg(admin),
                                4000);
    updateButtons();
}

QString MailCheckPanel::summaryText() const
{
    return m_summary->text();
}

QString MailCheckPanel::adviceText() const
{
    return m_adviceLabel->text();
}

void MailCheckPanel::showLast(const QList<MailCheckRecord> &last)
{
    m_results->clear();
    m_items.clear();
    if (last.isEmpty()) {
        m_summary->setText(tr("Not tested yet. Test whether mail programs can log in to this mailbox's IMAP "
                              "and SMTP servers with MailKey's tokens."));
        setAdvice(QString(), QString());
        return;
    }
    QStringList parts;
    QDateTime newest;
    QStringList problems;
    for (const MailCheckRecord &r : last) {
        auto *item = new QTreeWidgetItem(m_results);
        item->setText(0, tr("%1 %2").arg(protocolLabel(r.protocol), SafeText::clean(r.server, 200)));
        const QString result = r.ok() ? tr("Works") : SafeText::clean(r.summary, 300);
        item->setText(1, result.isEmpty() ? SafeText::clean(r.outcome, 32) : result);
        item->setToolTip(1, SafeText::toolTip(r.summary));
        item->setText(2, when(r.at));
        item->setData(0, Qt::AccessibleTextRole,
                      tr("%1: %2, %3").arg(protocolLabel(r.protocol), item->text(1), item->text(2)));
        parts << (r.ok() ? tr("%1 works").arg(protocolLabel(r.protocol))
                         : tr("%1 failed").arg(protocolLabel(r.protocol)));
        if (!r.ok() && !r.summary.isEmpty())
            problems << tr("%1: %2").arg(protocolLabel(r.protocol), SafeText::clean(r.summary, 300));
        if (!newest.isValid() || r.at > newest)
            newest = r.at;
    }
    m_summary->setText(tr("Last tested %1: %2.").arg(when(newest), parts.join(tr(", "))));
    // The stored record keeps what went wrong, not every fix: test again for the full advice.
    setAdvice(problems.isEmpty() ? QString()
                                 : tr("%1\nTest again to see what to do.").arg(problems.join(QLatin1Char('\n'))),
              QString());
}

void MailCheckPanel::checkStarted()
{
    m_running = true;
    m_live = true;
    m_results->clear();
    m_items.clear();
    m_advice.clear();
    m_admin.clear();
    setAdvice(QString(), QString());
    m_summary->setText(tr("Testing the mail connection… (getting a fresh token for each server, then logging in)"));
    m_progress->show();
    updateButtons();
}

QTreeWidgetItem *MailCheckPanel::serverItem(MailServer::Protocol protocol)
{
    QTreeWidgetItem *&item = m_items[int(protocol)];
    if (!item) {
        item = new QTreeWidgetItem(m_results);
        item->setText(0, MailDoctor::protocolLabel(protocol));
        item->setExpanded(true);
    }
    return item;
}

void MailCheckPanel::serverStarted(MailServer::Protocol protocol, const MailServer &server)
{
    QTreeWidgetItem *item = serverItem(protocol);
    item->setText(0, tr("%1 %2").arg(MailDoctor::protocolLabel(protocol), SafeText::clean(server.display(), 200)));
    item->setText(1, tr("Testing…"));
    item->setExpanded(true);
}

void MailCheckPanel::stepFinished(MailServer::Protocol protocol, const MailCheck::StepReport &step)
{
    auto *child = new QTreeWidgetItem(serverItem(protocol));
    child->setText(0, MailCheck::stepName(step.step));
    const QString detail = SafeText::clean(step.detail, 200);
    child->setText(1, step.ok ? (detail.isEmpty() ? tr("OK") : detail)
                              : (detail.isEmpty() ? tr("Failed") : tr("Failed: %1").arg(detail)));
    child->setToolTip(1, SafeText::toolTip(step.detail));
    child->setText(2, tr("%1 ms").arg(QLocale().toString(step.ms)));
    child->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
}

void MailCheckPanel::serverFinished(const MailDoctor::ServerResult &result)
{
    QTreeWidgetItem *item = serverItem(result.protocol);
    const QString label = MailDoctor::protocolLabel(result.protocol);
    if (!result.checked) {
        item->setText(1, tr("Not tested: %1").arg(SafeText::clean(result.skipped, 300)));
        m_advice << tr("%1 was not tested: %2.").arg(label, SafeText::clean(result.skipped, 300));
    } else {
        const MailCheck::Report &r = result.report;
        QString text;
        switch (r.outcome) {
        case MailCheck::Outcome::Ok:
            text = tr("Works (%1)").arg(r.mechanism);
            break;
        case MailCheck::Outcome::Refused:
            text = tr("Login refused");
            break;
        case MailCheck::Outcome::Untrusted:
            text = tr("Certificate not trusted: nothing was sent");
            break;
        case MailCheck::Outcome::Network:
            text = tr("Could not connect");
            break;
        case MailCheck::Outcome::Unsupported:
            text = tr("Not supported");
            break;
        case MailCheck::Outcome::Aborted:
            text = tr("Stopped");
            break;
        }
        item->setText(1, text);
        item->setText(2, tr("%1 ms").arg(QLocale().toString(r.totalMs)));
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
        item->setData(0, Qt::AccessibleTextRole, tr("%1: %2").arg(label, text));
        item->setExpanded(!result.ok());
        if (!result.ok()) {
            if (result.diagnoses.isEmpty() && !r.problem.isEmpty())
                m_advice << tr("%1: %2").arg(label, SafeText::clean(r.problem, 300));
            for (const MailDiagnosis &d : result.diagnoses) {
                QString line = tr("%1: %2").arg(label, d.what);
                if (!d.fix.isEmpty())
                    line += QLatin1Char('\n') + tr("What to do: %1").arg(d.fix);
                if (!m_advice.contains(line))
                    m_advice << line;
                if (!d.admin.isEmpty() && !m_admin.contains(d.admin))
                    m_admin << d.admin;
            }
            if (!result.adminConsentUrl.isEmpty()) {
                const QString consent = MailDoctor::adminConsentText(result.adminConsentUrl);
                if (!m_admin.contains(consent))
                    m_admin << consent;
            }
        }
    }
    setAdvice(m_advice.join(QStringLiteral("\n\n")), m_admin.join(QLatin1Char('\n')));
}

void MailCheckPanel::checkFinished(const MailDoctor::Summary &summary)
{
    m_running = false;
    m_progress->hide();
    switch (summary.verdict) {
    case MailDoctor::Verdict::Ok:
        m_summary->setText(tr("Every login works: mail programs that get their token from MailKey can read "
                              "and send mail."));
        break;
    case MailDoctor::Verdict::NoToken: {
        const QString why = summary.tokenError ? SafeText::clean(summary.tokenError->message, 600) : QString();
        m_summary->setText(tr("No token could be had for the mail servers, so nothing was tested: %1").arg(why));
        if (!summary.tokenErrorConsentUrl.isEmpty())
            setAdvice(adviceText(), MailDoctor::adminConsentText(summary.tokenErrorConsentUrl));
        break;
    }
    case MailDoctor::Verdict::Incomplete:
        m_summary->setText(tr("Not every server could be tested; see below."));
        break;
    case MailDoctor::Verdict::Refused:
    case MailDoctor::Verdict::Untrusted:
    case MailDoctor::Verdict::Network:
        m_summary->setText(tr("A mail program would not get in; see below for what to do."));
        break;
    }
    updateButtons();
}

} // namespace mailkey
