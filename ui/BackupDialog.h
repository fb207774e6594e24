#pragma once

#include "core/common/SecureBytes.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace mailkey {

// File → Back up to a file… / Restore from a backup…: the file, the passphrase (typed twice to back
// up, at least Backups::MinPassphraseChars characters) and, to back up, whether the activity log
// goes with it. Checked as you type, with the reason under the fields; the action button is enabled
// only when it can go ahead. A file to restore from is looked at (its first bytes) as soon as it is
// named: one that is not a MailKey backup, or is from a newer MailKey, is refused before a
// passphrase is typed.
//
// The dialog does not do the work: submitted() hands the values to the window, which calls
// AccountService (the key derivation runs off the GUI thread) and then either closes the dialog
// (accept()) or shows why it failed in it (showFailure(): a wrong passphrase can be typed again).
// While the work runs (setWorking) the fields are disabled and Cancel only closes the dialog once
// the work is done. passphrase() takes the typed passphrase out of the fields (they are cleared).
class BackupDialog : public QDialog {
    Q_OBJECT
public:
    enum class Mode {
        Export,
        Restore
    };
    BackupDialog(Mode mode, const QString &suggestedPath, QWidget *parent = nullptr);

    Mode mode() const { return m_mode; }
    QString path() const;
    bool withAudit() const;
    SecureBytes takePassphrase();

    // The reason the values cannot be used yet, or an empty string.
    QString problem() const;

    void setWorking(const QString &what);
    void showFailure(const QString &message);

    // For tests.
    QLineEdit *pathField() const { return m_path; }
    QLineEdit *passphraseField() const { return m_passphrase; }
    QLineEdit *confirmField() const { return m_confirm; }
    QCheckBox *auditCheck() const { return m_audit; }
    QPushButton *goButton() const { return m_go; }
    QLabel *problemLabel() const { return m_problem; }

Q_SIGNALS:
    void submitted();

private:
    void validate();
    void choose();

    Mode m_mode;
    QLineEdit *m_path = nullptr;
    QLineEdit *m_passphrase = nullptr;
    QLineEdit *m_confirm = nullptr;
    QCheckBox *m_audit = nullptr;
    QLabel *m_problem = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_go = nullptr;
    bool m_working = false;
};

} // namespace mailkey
