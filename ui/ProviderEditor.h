#pragma once

#include "core/providers/Provider.h"
#include "core/providers/ProviderFileEditor.h"

#include <QDialog>
#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QSet>

#include <functional>

class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace mailkey {

class IssuerDiscovery;

// Adds, edits and removes the custom providers of a providers.json without writing JSON by hand.
// The person enters an issuer and presses Discover (IssuerDiscovery fills in the endpoints), or
// fills in the fields. Each field is checked as it is typed, by ProviderFile's own rules
// (ProviderFileEditor::check), with the reason next to it; Save stays disabled until the entry is
// valid and writes the file atomically, keeping the other entries and fields it does not show.
// Field widgets are named after their providers.json fields ("issuer", "token_endpoint", ...;
// the ports "imap_port" / "smtp_port"), their reasons "<field>Problem".
class ProviderEditor : public QDialog {
    Q_OBJECT
public:
    // `discovery`: nullptr = no Discover button (filling in by hand only).
    ProviderEditor(const QString &path, IssuerDiscovery *discovery, QWidget *parent = nullptr);

    const QString &path() const { return m_file.path(); }
    // Shows the entry with this id for editing ("" = a new provider). False if there is none.
    bool editProvider(const QString &id);
    // Removes the entry with this id from the file at once (the Remove button asks first).
    bool removeProvider(const QString &id);

    // What Save would write for the entry.
    QJsonObject entryFromForm() const;
    bool canSave() const;

    QLineEdit *field(const QString &name) const { return m_edits.value(name); }
    QSpinBox *portField(const QString &name) const;
    QLabel *problemLabel(const QString &name) const { return m_problems.value(name); }
    QLabel *fileProblemLabel() const { return m_fileProblem; }
    QLabel *discoveryStatus() const { return m_discoveryStatus; }
    QPushButton *discoverButton() const { return m_discover; }
    QPushButton *saveButton() const;
    QComboBox *providerChoice() const { return m_choice; }

    // The form differs from the entry as it was loaded (or from an empty form for a new one).
    bool hasUnsavedChanges() const;

public Q_SLOTS:
    void discover();
    void accept() override;
    // Cancel, Escape, the window's close button: asks first when there are unsaved changes.
    void reject() override;

Q_SIGNALS:
    // The file was written (saved or an entry removed); the registry should reload it.
    void fileChanged(const QString &path);

private:
    QLineEdit *addField(QFormLayout *form, const QString &label, const QString &name, const QString &placeholder,
                        QWidget *extra = nullptr);
    QLabel *addProblem(QFormLayout *form, const QString &name);
    void reloadChoices(const QString &select);
    void fillFrom(const QJsonObject &entry);
    void validate();
    void setDiscoveryStatus(const QString &text, bool problem);
    void onDiscovered(const Provider &provider);
    void confirmRemove();
    // Runs `then` at once, or after the person chose "Discard changes" (window-modal; "Keep
    // editing" runs nothing).
    void whenChangesSettled(std::function<void()> then);

    ProviderFileEditor m_file;
    QPointer<IssuerDiscovery> m_discovery;
    QString m_editingId;     // the id of the entry being edited; "" = new
    QJsonObject m_original;  // that entry as read (fields this form does not show are kept)
    QJsonObject m_asLoaded;  // entryFromForm() right after it was filled: the unsaved-changes baseline
    bool m_idEdited = false; // the id was typed, not derived from the name
    bool m_filling = false;  // fillFrom() is setting the fields
    QSet<QString> m_touched; // fields the person changed (an empty untouched field shows no reason)
    QHash<QString, QLineEdit *> m_edits;
    QHash<QString, QLabel *> m_problems;
    QHash<QString, QString> m_labels;
    QSpinBox *m_imapPort = nullptr;
    QSpinBox *m_smtpPort = nullptr;
    QComboBox *m_choice = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_discover = nullptr;
    QProgressBar *m_discoveryBusy = nullptr;
    QLabel *m_discoveryStatus = nullptr;
    QLabel *m_redirectNote = nullptr;
    QLabel *m_fileProblem = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    bool m_fileUsable = true;
};

} // namespace mailkey
