#pragma once

#include "core/providers/Provider.h"

#include <QDialog>
#include <QHash>
#include <QProcessEnvironment>

class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QGroupBox;

namespace mailkey {

class AppSettings;

// Per-provider client id (and Google's client secret), Microsoft tenant and authority host, the
// custom providers file and the client ids of its providers; validated as you type, with the
// reason next to the field. Saves to AppSettings (never a token or key).
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
    QLineEdit *field(const QString &objectName) const;
    QLabel *problemLabel(const QString &objectName) const;

public Q_SLOTS:
    void accept() override;

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
};

} // namespace mailkey
