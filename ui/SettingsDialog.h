#pragma once

#include "core/providers/Provider.h"

#include <QDialog>
#include <QHash>
#include <QProcessEnvironment>
#include <QSet>

class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QCheckBox;
class QVBoxLayout;
class QGroupBox;

namespace mailkey {

class AppSettings;

// Per-provider client id (and Google's client secret), Microsoft tenant and authority host, the
// custom providers file and the client ids of its providers; validated as you type, with the
// reason next to the field. Saves to AppSettings (never a token or key).
// What the administrator's policy sets (AppSettings::policy()) is shown at the top ("Set by your
// administrator", with what of the policy was ignored and why), and the fields it sets are
// read-only with its value; they are not saved. A client id built into this build is the
// placeholder of its field.
class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    SettingsDialog(AppSettings *settings,
                   const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment(),
                   QWidget *parent = nullptr);

    // Validation rules, one per field: an empty string when the value is fine.
    static QString clientIdProblem(const QString &value);
    static QString tenantProblem(const QString &value);
    static QString authorityHostProblem(const QString &value);
    // Loads the file: the whole-file error, or its per-provider problems, one per line.
    static QString providersFileProblem(const QString &path, QList<Provider> *providers = nullptr);

    bool hasProblems() const;
    bool isLocked(const QString &objectName) const { return m_locked.contains(objectName); }
    QSpinBox *retentionField() const { return m_retention; }
    QCheckBox *keepRunningCheck() const { return m_keepRunning; }
    QCheckBox *startAtLoginCheck() const { return m_startAtLogin; }
    QLineEdit *field(const QString &objectName) const;
    QLabel *problemLabel(const QString &objectName) const;

public Q_SLOTS:
    void accept() override;
    // The providers file was changed (the provider editor saved): its client id rows again.
    void reloadCustomProviders();

Q_SIGNALS:
    // "Add or edit providers…": the window opens the provider editor over this dialog.
    void editProvidersRequested();

private:
    struct Field {
        QLineEdit *edit = nullptr;
        QLabel *problem = nullptr;
        std::function<QString(const QString &)> validate;
    };
    QLineEdit *addField(QFormLayout *form, const QString &label, const QString &objectName, const QString &value,
                        std::function<QString(const QString &)> validate, const QString &placeholder = QString());
    void addNote(QFormLayout *form, const QString &text, const QString &objectName = QString());
    void addEnvironmentNote(QFormLayout *form, const QString &providerId);
    void addPolicyBox(QWidget *page, QVBoxLayout *layout);
    // A field the policy sets: read-only, showing the policy's value.
    void lockField(const QString &objectName, const QString &value);
    void validateAll();
    void rebuildCustomClientIds();

    AppSettings *m_settings;
    QProcessEnvironment m_env;
    QHash<QString, Field> m_fields;
    QGroupBox *m_customBox = nullptr;
    QFormLayout *m_customForm = nullptr;
    QLabel *m_fileProblems = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QList<Provider> m_customProviders;
    QStringList m_customFieldNames;
    QSet<QString> m_locked;
    QSpinBox *m_retention = nullptr;
    QCheckBox *m_keepRunning = nullptr;
    QCheckBox *m_startAtLogin = nullptr;
    QLabel *m_backgroundProblem = nullptr;
};

} // namespace mailkey
