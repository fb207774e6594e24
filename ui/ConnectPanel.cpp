#include "ui/ConnectPanel.h"

#include "ui/SafeText.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace mailkey {

ConnectPanel::ConnectPanel(QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("connectPanel"));
    setFrameShape(QFrame::StyledPanel);
    setAccessibleName(tr("Sign-in in progress"));

    auto *layout = new QVBoxLayout(this);
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("signInTitle"));
    m_title->setTextFormat(Qt::PlainText);
    // It names the address being signed in: wrapped, so a long one cannot widen the window.
    m_title->setWordWrap(true);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    layout->addWidget(m_title);

    auto *wait = new QLabel(tr("Waiting for you to sign in in your browser…"), this);
    wait->setTextFormat(Qt::PlainText);
    wait->setObjectName(QStringLiteral("waitingLabel"));
    layout->addWidget(wait);
    m_wait = wait;
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("signInProblem"));
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setWordWrap(true);
    m_problem->hide();
    layout->addWidget(m_problem);

    auto *progress = new QProgressBar(this);
    progress->setRange(0, 0);
    progress->setTextVisible(false);
    progress->setMaximumHeight(fontMetrics().height() / 2 + 4);
    progress->setAccessibleName(tr("Waiting for the browser"));
    layout->addWidget(progress);

    m_hint = new QLabel(tr("If no browser opened, copy this address into one:"), this);
    m_hint->setTextFormat(Qt::PlainText);
    m_hint->setWordWrap(true);
    layout->addWidget(m_hint);

    auto *row = new QHBoxLayout;
    m_urlField = new QLineEdit(this);
    m_urlField->setReadOnly(true);
    m_urlField->setObjectName(QStringLiteral("signInUrl"));
    m_urlField->setAccessibleName(tr("Sign-in address"));
    m_urlField->setPlaceholderText(tr("Preparing the sign-in…"));
    row->addWidget(m_urlField, 1);
    m_copy = new QPushButton(tr("Copy"), this);
    m_copy->setObjectName(QStringLiteral("copyUrlButton"));
    m_open = new QPushButton(tr("Open again"), this);
    m_open->setObjectName(QStringLiteral("openUrlButton"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelSignInButton"));
    row->addWidget(m_copy);
    row->addWidget(m_open);
    row->addWidget(m_cancel);
    layout->addLayout(row);

    connect(m_copy, &QPushButton::clicked, this, [this] {
        if (m_url.isValid()) {
            QGuiApplication::clipboard()->setText(m_url.toString(QUrl::FullyEncoded));
            Q_EMIT urlCopied();
        }
    });
    connect(m_open, &QPushButton::clicked, this, [this] {
        if (m_url.isValid())
            Q_EMIT openAgainRequested(m_url);
    });
    connect(m_cancel, &QPushButton::clicked, this, &ConnectPanel::cancelRequested);

    setUrl(QUrl());
    hide();
}

void ConnectPanel::start(const QString &what)
{
    m_title->setText(SafeText::breakLongWords(SafeText::clean(what, 160)));
    setUrl(QUrl());
    setProblem(QString());
    m_cancel->setEnabled(true);
    show();
    m_cancel->setFocus();
}

void ConnectPanel::setUrl(const QUrl &url)
{
    m_url = url;
    m_urlField->setText(url.isValid() ? url.toString(QUrl::FullyEncoded) : QString());
    m_urlField->setCursorPosition(0);
    m_copy->setEnabled(url.isValid());
    m_open->setEnabled(url.isValid());
}

void ConnectPanel::setProblem(const QString &problem)
{
    m_problem->setText(SafeText::cleanMultiline(problem, 600));
    m_problem->setVisible(!problem.isEmpty());
    m_wait->setVisible(problem.isEmpty());
}

QString ConnectPanel::problem() const
{
    return m_problem->isVisible() ? m_problem->text() : QString();
}

void ConnectPanel::finish()
{
    setUrl(QUrl());
    hide();
}

} // namespace mailkey
