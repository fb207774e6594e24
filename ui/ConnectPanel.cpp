#include "ui/ConnectPanel.h"

#include "core/oauth/DeviceAuthorization.h"
#include "ui/QrCode.h"
#include "ui/SafeText.h"

#include <QClipboard>
#include <QEvent>
#include <QGridLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace mailkey {

namespace {

QProgressBar *busyBar(QWidget *parent, const QString &name)
{
    auto *progress = new QProgressBar(parent);
    progress->setRange(0, 0);
    progress->setTextVisible(false);
    progress->setMaximumHeight(parent->fontMetrics().height() / 2 + 4);
    progress->setAccessibleName(name);
    return progress;
}

QLabel *plainLabel(const QString &text, QWidget *parent, bool wrap = true)
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(wrap);
    return label;
}

// Pixels per QR module: big enough for a phone camera at arm's length, small enough that the
// panel stays a panel (a 33-module code: 164 px at 4).
int modulePixelsFor(int modules)
{
    return modules <= 45 ? 4 : 3;
}

} // namespace

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

    m_pages = new QStackedWidget(this);
    m_pages->addWidget(makeBrowserPage());
    m_pages->addWidget(makeDevicePage());
    layout->addWidget(m_pages);

    setUrl(QUrl());
    hide();
}

QWidget *ConnectPanel::makeBrowserPage()
{
    auto *page = new QWidget(this);
    page->setObjectName(QStringLiteral("browserSignInPage"));
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);

    m_wait = plainLabel(tr("Waiting for you to sign in in your browser…"), page, false);
    m_wait->setObjectName(QStringLiteral("waitingLabel"));
    layout->addWidget(m_wait);
    m_problem = plainLabel(QString(), page);
    m_problem->setObjectName(QStringLiteral("signInProblem"));
    m_problem->hide();
    layout->addWidget(m_problem);
    layout->addWidget(busyBar(page, tr("Waiting for the browser")));

    m_hint = plainLabel(tr("If no browser opened, copy this address into one:"), page);
    layout->addWidget(m_hint);

    auto *row = new QHBoxLayout;
    m_urlField = new QLineEdit(page);
    m_urlField->setReadOnly(true);
    m_urlField->setObjectName(QStringLiteral("signInUrl"));
    m_urlField->setAccessibleName(tr("Sign-in address"));
    m_urlField->setPlaceholderText(tr("Preparing the sign-in…"));
    row->addWidget(m_urlField, 1);
    m_copy = new QPushButton(tr("Copy"), page);
    m_copy->setObjectName(QStringLiteral("copyUrlButton"));
    m_open = new QPushButton(tr("Open again"), page);
    m_open->setObjectName(QStringLiteral("openUrlButton"));
    m_cancel = new QPushButton(tr("Cancel"), page);
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
    return page;
}

QWidget *ConnectPanel::makeDevicePage()
{
    auto *page = new QWidget(this);
    page->setObjectName(QStringLiteral("deviceSignInPage"));
    auto *grid = new QGridLayout(page);
    grid->setContentsMargins(0, 0, 0, 0);

    auto *steps = new QVBoxLayout;
    m_deviceIntro = plainLabel(QString(), page);
    m_deviceIntro->setObjectName(QStringLiteral("deviceIntro"));
    steps->addWidget(m_deviceIntro);

    // The address, in plain text to be read off the screen and typed in elsewhere (the provider
    // chose it: shown, never rendered as markup), selectable for copying.
    m_verifyAddress = new QLabel(page);
    m_verifyAddress->setObjectName(QStringLiteral("verificationAddress"));
    m_verifyAddress->setTextFormat(Qt::PlainText);
    m_verifyAddress->setWordWrap(true);
    m_verifyAddress->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    // Its name is the address itself (what a screen reader must read); what it is, the description.
    m_verifyAddress->setAccessibleDescription(tr("The address to open on the other device"));
    QFont addressFont = m_verifyAddress->font();
    addressFont.setBold(true);
    m_verifyAddress->setFont(addressFont);
    steps->addWidget(m_verifyAddress);

    steps->addWidget(plainLabel(tr("and enter this code:"), page));
    auto *codeRow = new QHBoxLayout;
    m_codeLabel = new QLabel(page);
    m_codeLabel->setObjectName(QStringLiteral("userCodeLabel"));
    m_codeLabel->setTextFormat(Qt::PlainText);
    m_codeLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_codeLabel->setAccessibleDescription(tr("The code to enter on the other device"));
    QFont codeFont = QFont(QStringLiteral("monospace"));
    codeFont.setStyleHint(QFont::Monospace);
    codeFont.setBold(true);
    codeFont.setPointSizeF(font().pointSizeF() * 1.8);
    codeFont.setLetterSpacing(QFont::PercentageSpacing, 110);
    m_codeLabel->setFont(codeFont);
    codeRow->addWidget(m_codeLabel);
    m_copyCode = new QPushButton(tr("Copy code"), page);
    m_copyCode->setObjectName(QStringLiteral("copyCodeButton"));
    codeRow->addWidget(m_copyCode);
    codeRow->addStretch(1);
    steps->addLayout(codeRow);

    m_deviceWait = plainLabel(QString(), page);
    m_deviceWait->setObjectName(QStringLiteral("deviceWaitingLabel"));
    steps->addWidget(m_deviceWait);
    steps->addWidget(busyBar(page, tr("Waiting for the sign-in on the other device")));
    m_expiry = plainLabel(QString(), page);
    m_expiry->setObjectName(QStringLiteral("deviceExpiryLabel"));
    steps->addWidget(m_expiry);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    m_deviceCancel = new QPushButton(tr("Cancel"), page);
    m_deviceCancel->setObjectName(QStringLiteral("cancelDeviceSignInButton"));
    buttons->addWidget(m_deviceCancel);
    steps->addLayout(buttons);
    steps->addStretch(1);
    grid->addLayout(steps, 0, 0);

    auto *qrColumn = new QVBoxLayout;
    m_qr = new QLabel(page);
    m_qr->setObjectName(QStringLiteral("qrCode"));
    m_qr->setTextFormat(Qt::PlainText);
    m_qr->setAlignment(Qt::AlignCenter);
    m_qr->setAccessibleName(tr("QR code of the sign-in address"));
    qrColumn->addWidget(m_qr, 0, Qt::AlignHCenter);
    m_qrCaption = plainLabel(QString(), page);
    m_qrCaption->setMaximumWidth(m_qrCaption->fontMetrics().averageCharWidth() * 28);
    m_qrCaption->setAlignment(Qt::AlignHCenter);
    qrColumn->addWidget(m_qrCaption);
    qrColumn->addStretch(1);
    grid->addLayout(qrColumn, 0, 1);
    grid->setColumnStretch(0, 1);

    connect(m_copyCode, &QPushButton::clicked, this, [this] {
        if (!m_userCode.isEmpty()) {
            QGuiApplication::clipboard()->setText(m_userCode);
            Q_EMIT codeCopied();
        }
    });
    connect(m_deviceCancel, &QPushButton::clicked, this, &ConnectPanel::cancelRequested);
    return page;
}

void ConnectPanel::start(const QString &what, Mode mode)
{
    m_mode = mode;
    m_title->setText(SafeText::breakLongWords(SafeText::clean(what, 160)));
    setUrl(QUrl());
    setProblem(QString());
    m_userCode.clear();
    m_qrUrl.clear();
    m_deviceIntro->setText(tr("Asking the provider for a sign-in code…"));
    m_verifyAddress->clear();
    m_verifyAddress->hide();
    m_codeLabel->setText(QStringLiteral("…"));
    m_copyCode->setEnabled(false);
    m_deviceWait->clear();
    m_expiry->clear();
    m_qr->clear();
    m_qr->hide();
    m_qrCaption->hide();
    m_pages->setCurrentIndex(mode == Mode::Device ? 1 : 0);
    QPushButton *cancel = cancelButton();
    cancel->setEnabled(true);
    show();
    cancel->setFocus();
}

QPushButton *ConnectPanel::cancelButton() const
{
    return m_mode == Mode::Device ? m_deviceCancel : m_cancel;
}

void ConnectPanel::setUrl(const QUrl &url)
{
    m_url = url;
    m_urlField->setText(url.isValid() ? url.toString(QUrl::FullyEncoded) : QString());
    m_urlField->setCursorPosition(0);
    m_copy->setEnabled(url.isValid());
    m_open->setEnabled(url.isValid());
}

void ConnectPanel::setDeviceCode(const DeviceCodePrompt &prompt)
{
    // What the provider sent is shown, not trusted: the code is cleaned like any other text, the
    // address is shown only as an https (or, for a test server, loopback http) link.
    m_userCode = SafeText::clean(prompt.userCode, 64);
    const QUrl verify = prompt.verificationUri;
    m_deviceIntro->setText(tr("On your phone or another computer, open"));
    const QString shown = SafeText::clean(verify.toDisplayString(), 300);
    m_verifyAddress->setText(SafeText::breakLongWords(shown));
    m_verifyAddress->setAccessibleName(shown); // without the soft breaks for wrapping
    m_verifyAddress->show();
    m_codeLabel->setText(m_userCode);
    m_copyCode->setEnabled(!m_userCode.isEmpty());
    m_deviceWait->setText(tr("Waiting for you to finish signing in there…"));
    if (prompt.expiresAt.isValid()) {
        const QString until = QLocale().toString(prompt.expiresAt.toLocalTime().time(), QLocale::ShortFormat);
        m_expiry->setText(tr("The code works until %1.").arg(until));
    }
    m_qrUrl = prompt.verificationUriComplete.isValid() ? prompt.verificationUriComplete : verify;
    m_qrCaption->setText(prompt.verificationUriComplete.isValid() ? tr("Or scan this with a phone: the code is in it")
                                                                  : tr("Or scan the address with a phone"));
    showQrCode();
}

void ConnectPanel::showQrCode()
{
    if (!m_qrUrl.isValid()) {
        m_qr->clear();
        m_qr->hide();
        m_qrCaption->hide();
        return;
    }
    const QByteArray data = m_qrUrl.toString(QUrl::FullyEncoded).toUtf8();
    const int modules = qrCodeModules(data);
    const qreal dpr = devicePixelRatioF();
    const int pixels = qMax(1, qRound(modulePixelsFor(modules) * dpr));
    QImage image = qrCodeImage(data, pixels);
    if (image.isNull()) {
        m_qr->hide();
        m_qrCaption->hide();
        return;
    }
    QPixmap pixmap = QPixmap::fromImage(image);
    pixmap.setDevicePixelRatio(pixels / qreal(modulePixelsFor(modules)));
    m_qr->setPixmap(pixmap);
    m_qr->setAccessibleDescription(SafeText::clean(m_qrUrl.toDisplayString(), 300));
    m_qr->show();
    m_qrCaption->show();
}

void ConnectPanel::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    // Moved to a screen with another scale: the QR code is drawn again, sharp.
    if (event->type() == QEvent::DevicePixelRatioChange && m_qr->isVisible())
        showQrCode();
#endif
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
    m_userCode.clear();
    m_qrUrl.clear();
    m_qr->clear();
    hide();
}

} // namespace mailkey
