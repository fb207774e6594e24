#include "ui/BackupDialog.h"

#include "core/service/Backups.h"
#include "ui/SafeText.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace mailkey {

namespace {
// UTF-8 characters of a passphrase as typed.
int characters(const QString &text)
{
    return int(text.toUcs4().size());
}
} // namespace

BackupDialog::BackupDialog(Mode mode, const QString &suggestedPath, QWidget *parent) : QDialog(parent), m_mode(mode)
{
    const bool exporting = mode == Mode::Export;
    setObjectName(exporting ? QStringLiteral("backupDialog") : QStringLiteral("restoreDialog"));
    setWindowTitle(exporting ? tr("Back up to a file") : tr("Restore from a backup"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(
        exporting ? tr("The backup holds every mailbox with its tokens, MailKey's settings and your custom providers, "
                       "encrypted with a passphrase you choose. With the file and the passphrase, MailKey on another "
                       "computer works at once, without signing in again. Anyone who has both can use your "
                       "mailboxes: keep the passphrase apart from the file.")
                  : tr("The mailboxes of the backup are added to MailKey, and those already here get the backup's "
                       "tokens unless the sign-in here is newer. Settings and custom providers this computer does "
                       "not have are restored. It all happens at once or not at all."),
        this);
    intro->setTextFormat(Qt::PlainText);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    auto *pathRow = new QHBoxLayout;
    m_path = new QLineEdit(suggestedPath, this);
    m_path->setObjectName(QStringLiteral("backupPath"));
    auto *choose = new QPushButton(tr("Choose…"), this);
    choose->setObjectName(QStringLiteral("chooseButton"));
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(choose);
    form->addRow(exporting ? tr("Save to:") : tr("Backup file:"), pathRow);
    m_passphrase = new QLineEdit(this);
    m_passphrase->setObjectName(QStringLiteral("passphrase"));
    m_passphrase->setEchoMode(QLineEdit::Password);
    m_passphrase->setAccessibleName(tr("Passphrase"));
    form->addRow(tr("Passphrase:"), m_passphrase);
    if (exporting) {
        m_confirm = new QLineEdit(this);
        m_confirm->setObjectName(QStringLiteral("confirmPassphrase"));
        m_confirm->setEchoMode(QLineEdit::Password);
        m_confirm->setAccessibleName(tr("The same passphrase again"));
        form->addRow(tr("Again:"), m_confirm);
        m_audit = new QCheckBox(tr("Include the activity log"), this);
        m_audit->setObjectName(QStringLiteral("includeAudit"));
        form->addRow(QString(), m_audit);
    }
    layout->addLayout(form);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("problem"));
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setWordWrap(true);
    layout->addWidget(m_problem);

    m_buttons = new QDialogButtonBox(this);
    m_go = m_buttons->addButton(exporting ? tr("Back Up") : tr("Restore"), QDialogButtonBox::AcceptRole);
    m_go->setObjectName(QStringLiteral("goButton"));
    m_go->setDefault(true);
    m_buttons->addButton(QDialogButtonBox::Cancel);
    layout->addWidget(m_buttons);

    connect(choose, &QPushButton::clicked, this, &BackupDialog::choose);
    for (QLineEdit *edit : {m_path, m_passphrase, m_confirm}) {
        if (edit)
            connect(edit, &QLineEdit::textChanged, this, &BackupDialog::validate);
    }
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (!m_working && problem().isEmpty())
            Q_EMIT submitted();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, [this] {
        if (!m_working)
            reject();
    });
    validate();
    setMinimumWidth(480);
}

QString BackupDialog::path() const
{
    return QDir::fromNativeSeparators(m_path->text().trimmed());
}

bool BackupDialog::withAudit() const
{
    return m_audit && m_audit->isChecked();
}

SecureBytes BackupDialog::takePassphrase()
{
    QString typed = m_passphrase->text();
    SecureBytes bytes(typed.toUtf8());
    secureWipe(typed);
    m_passphrase->clear();
    if (m_confirm)
        m_confirm->clear();
    return bytes;
}

QString BackupDialog::problem() const
{
    const QString file = path();
    if (file.isEmpty())
        return m_mode == Mode::Export ? tr("Choose where to save the backup.") : tr("Choose the backup file.");
    const QFileInfo info(file);
    if (m_mode == Mode::Export) {
        if (info.isDir() || !info.absoluteDir().exists())
            return tr("Choose a file in an existing folder.");
        if (characters(m_passphrase->text()) < Backups::MinPassphraseChars)
            return tr("The passphrase needs at least %1 characters: the backup holds every token, and a short "
                      "passphrase can be guessed.")
                .arg(Backups::MinPassphraseChars);
        if (m_confirm->text() != m_passphrase->text())
            return tr("Type the same passphrase twice.");
        return {};
    }
    if (!info.isFile())
        return tr("There is no file %1.").arg(SafeText::clean(QDir::toNativeSeparators(file), 300));
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return tr("%1 cannot be read: %2.").arg(SafeText::clean(QDir::toNativeSeparators(file), 300), f.errorString());
    if (const std::optional<Error> refused = Backups::refusal(f.read(BackupFile::HeaderSize + BackupFile::TagSize)))
        return refused->message;
    if (m_passphrase->text().isEmpty())
        return tr("Type the passphrase the backup was made with.");
    return {};
}

void BackupDialog::validate()
{
    if (m_working)
        return;
    const QString why = problem();
    m_problem->setText(why);
    m_go->setEnabled(why.isEmpty());
}

void BackupDialog::choose()
{
    const QString chosen
        = m_mode == Mode::Export
              ? QFileDialog::getSaveFileName(this, tr("Back up to a file"), path(), tr("MailKey backups (*.mkb)"))
              : QFileDialog::getOpenFileName(this, tr("Restore from a backup"), path(),
                                             tr("MailKey backups (*.mkb);;All files (*)"));
    if (!chosen.isEmpty())
        m_path->setText(QDir::toNativeSeparators(chosen));
}

void BackupDialog::setWorking(const QString &what)
{
    m_working = true;
    for (QWidget *w : std::initializer_list<QWidget *>{m_path, m_passphrase, m_confirm, m_audit, m_go}) {
        if (w)
            w->setEnabled(false);
    }
    m_problem->setText(what);
}

void BackupDialog::showFailure(const QString &message)
{
    m_working = false;
    for (QWidget *w : std::initializer_list<QWidget *>{m_path, m_passphrase, m_confirm, m_audit}) {
        if (w)
            w->setEnabled(true);
    }
    validate(); // the passphrase was taken: the button waits for it again
    m_problem->setText(message);
    m_passphrase->setFocus();
}

} // namespace mailkey
