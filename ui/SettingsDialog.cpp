#include "ui/SettingsDialog.h"

#include "core/providers/ProviderFile.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AppSettings.h"
#include "core/service/Autostart.h"
#include "ui/SafeText.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSystemTrayIcon>
#include <QVBoxLayout>

namespace mailkey {

namespace {

QLabel *formLabel(const QString &text, QWidget *parent)
{
    auto *l = new QLabel(text, parent);
    l->setTextFormat(Qt::PlainText); // custom provider names come from a file
    return l;
}

QLabel *problemLabelFor(QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setTextFormat(Qt::PlainText);
    l->setWordWrap(true);
    QPalette pal = l->palette();
    const bool dark = pal.color(QPalette::Window).lightness() < 128;
    pal.setColor(QPalette::WindowText, dark ? QColor(0xEF, 0x9A, 0x9A) : QColor(0xB7, 0x1C, 0x1C));
    l->setPalette(pal);
    l->hide();
    return l;
}

} // namespace

SettingsDialog::SettingsDialog(AppSettings *settings, const QProcessEnvironment &environment, QWidget *parent)
    : QDialog(parent), m_settings(settings), m_env(environment)
{
    setWindowTitle(tr("MailKey Settings"));
    setObjectName(QStringLiteral("settingsDialog"));
    auto *outer = new QVBoxLayout(this);
    auto *scroll = new QScrollArea(this);
    scroll->setAccessibleName(tr("Settings"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *page = new QWidget(scroll);
    auto *layout = new QVBoxLayout(page);
    scroll->setWidget(page);
    outer->addWidget(scroll, 1);

    const QString ms = QString::fromLatin1(Provider::MicrosoftId);
    const QString google = QString::fromLatin1(Provider::GoogleId);
    const ManagedPolicy &policy = settings->policy();
    if (!policy.isEmpty())
        addPolicyBox(page, layout);

    // Microsoft.
    auto *msBox = new QGroupBox(tr("Outlook / Microsoft 365"), page);
    auto *msForm = new QFormLayout(msBox);
    addField(msForm, tr("Client id"), QStringLiteral("microsoftClientId"),
             settings->providerValue(ms, QStringLiteral("client_id")), &SettingsDialog::clientIdProblem,
             tr("Application (client) ID from Microsoft Entra"));
    addEnvironmentNote(msForm, ms);
    addField(msForm, tr("Tenant"), QStringLiteral("microsoftTenant"),
             settings->providerValue(ms, QStringLiteral("tenant")), &SettingsDialog::tenantProblem,
             QStringLiteral("common"));
    addField(msForm, tr("Authority host"), QStringLiteral("microsoftAuthorityHost"),
             settings->providerValue(ms, QStringLiteral("authority_host")), &SettingsDialog::authorityHostProblem,
             QString::fromLatin1(Provider::DefaultMicrosoftAuthorityHost));
    if (Result<Provider> p = Provider::microsoft())
        addNote(msForm, tr("Redirect URI to register (platform \"Mobile and desktop applications\"): %1")
                            .arg(ProviderRegistry::redirectUriToRegister(*p)));
    layout->addWidget(msBox);

    // Google.
    auto *gBox = new QGroupBox(tr("Gmail"), page);
    auto *gForm = new QFormLayout(gBox);
    addField(gForm, tr("Client id"), QStringLiteral("googleClientId"),
             settings->providerValue(google, QStringLiteral("client_id")), &SettingsDialog::clientIdProblem,
             tr("OAuth client ID of a \"Desktop app\" client"));
    QLineEdit *secret = addField(gForm, tr("Client secret"), QStringLiteral("googleClientSecret"),
                                 settings->providerValue(google, QStringLiteral("client_secret")),
                                 &SettingsDialog::clientIdProblem, tr("The desktop client's secret"));
    secret->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    addEnvironmentNote(gForm, google);
    addNote(gForm, tr("A desktop client's secret is not confidential, but MailKey never shows it in logs. "
                      "Redirect: %1 with any port (nothing to register).")
                       .arg(ProviderRegistry::redirectUriToRegister(Provider::google())));
    layout->addWidget(gBox);

    // Custom providers.
    m_customBox = new QGroupBox(tr("Custom providers"), page);
    m_customForm = new QFormLayout(m_customBox);
    auto *fileRow = new QWidget(m_customBox);
    auto *fileLayout = new QHBoxLayout(fileRow);
    fileLayout->setContentsMargins(0, 0, 0, 0);
    auto *fileEdit = new QLineEdit(settings->customProvidersFile(), fileRow);
    fileEdit->setObjectName(QStringLiteral("providersFile"));
    fileEdit->setPlaceholderText(ProviderFile::defaultPath());
    fileEdit->setClearButtonEnabled(true);
    auto *browse = new QPushButton(tr("Browse…"), fileRow);
    fileLayout->addWidget(fileEdit, 1);
    fileLayout->addWidget(browse);
    QLabel *fileLabel = formLabel(tr("Providers file"), m_customBox);
    m_customForm->addRow(fileLabel, fileRow);
    fileLabel->setBuddy(fileEdit); // the field, not its row (Alt+letter)
    // Qt finds a label by its buddy only among the field's siblings; the field sits in a row.
    fileEdit->setAccessibleName(tr("Providers file"));
    m_fileProblems = problemLabelFor(m_customBox);
    m_fileProblems->setObjectName(QStringLiteral("providersFileProblem"));
    m_customForm->addRow(m_fileProblems);
    m_fields.insert(QStringLiteral("providersFile"),
                    Field{fileEdit, m_fileProblems, [](const QString &path) {
                              const QString effective = path.trimmed().isEmpty() ? QString() : path.trimmed();
                              return providersFileProblem(effective);
                          }});
    addNote(m_customForm, tr("A JSON file with RFC 8414 field names; see the README. Empty: %1 if it exists.")
                              .arg(ProviderFile::defaultPath()));
    auto *editProviders = new QPushButton(tr("Add or edit providers…"), m_customBox);
    editProviders->setObjectName(QStringLiteral("editProviders"));
    editProviders->setToolTip(tr("A form for the providers in the file: discover the endpoints from an issuer, or "
                                 "fill them in"));
    connect(editProviders, &QPushButton::clicked, this, &SettingsDialog::editProvidersRequested);
    m_customForm->addRow(QString(), editProviders);
    connect(browse, &QPushButton::clicked, this, [this, fileEdit] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Custom providers file"), fileEdit->text(),
                                                          tr("JSON files (*.json);;All files (*)"));
        if (!path.isEmpty()) {
            fileEdit->setText(path);
            rebuildCustomClientIds();
        }
    });
    connect(fileEdit, &QLineEdit::editingFinished, this, &SettingsDialog::rebuildCustomClientIds);
    connect(fileEdit, &QLineEdit::textChanged, this, &SettingsDialog::validateAll);
    layout->addWidget(m_customBox);

    // Audit retention.
    auto *auditBox = new QGroupBox(tr("Activity log"), page);
    auto *auditForm = new QFormLayout(auditBox);
    m_retention = new QSpinBox(auditBox);
    m_retention->setObjectName(QStringLiteral("auditRetentionDays"));
    m_retention->setRange(0, 36500);
    m_retention->setSuffix(tr(" days"));
    m_retention->setSpecialValueText(tr("forever"));
    m_retention->setValue(settings->auditRetentionDays());
    auditForm->addRow(formLabel(tr("Keep entries for"), auditBox), m_retention);
    addNote(auditForm, tr("Older entries are removed when MailKey starts, under a hash checkpoint, so "
                          "\"mailkey-cli audit --verify\" still proves the rest of the log."));
    layout->addWidget(auditBox);

    // Running in the background.
    auto *backgroundBox = new QGroupBox(tr("In the background"), page);
    auto *backgroundLayout = new QVBoxLayout(backgroundBox);
    m_keepRunning = new QCheckBox(tr("Keep MailKey running when the window is closed"), backgroundBox);
    m_keepRunning->setObjectName(QStringLiteral("keepRunning"));
    m_keepRunning->setChecked(settings->keepRunningWhenClosed());
    backgroundLayout->addWidget(m_keepRunning);
    m_startAtLogin = new QCheckBox(tr("Start MailKey in the background when you log in"), backgroundBox);
    m_startAtLogin->setObjectName(QStringLiteral("startAtLogin"));
    m_startAtLogin->setChecked(Autostart::isEnabled());
    backgroundLayout->addWidget(m_startAtLogin);
    auto *backgroundNote = new QLabel(
        QSystemTrayIcon::isSystemTrayAvailable()
            ? tr("Tokens stay fresh and mail programs get theirs while the window is closed. Open the window "
                 "again from the MailKey icon in the system tray, or by starting MailKey again.")
            : tr("Tokens stay fresh and mail programs get theirs while the window is closed. This desktop has no "
                 "system tray: open the window again by starting MailKey again."),
        backgroundBox);
    backgroundNote->setTextFormat(Qt::PlainText);
    backgroundNote->setWordWrap(true);
    backgroundNote->setForegroundRole(QPalette::PlaceholderText);
    backgroundLayout->addWidget(backgroundNote);
    m_backgroundProblem = problemLabelFor(backgroundBox);
    backgroundLayout->addWidget(m_backgroundProblem);
    layout->addWidget(backgroundBox);
    layout->addStretch(1);

    // What the administrator set cannot be changed here; built-in ids are the fallback.
    for (const auto &[id, idField] :
         {std::pair{ms, QStringLiteral("microsoftClientId")}, std::pair{google, QStringLiteral("googleClientId")}}) {
        const QString builtIn = ProviderRegistry::builtInClientId(id);
        if (!builtIn.isEmpty())
            field(idField)->setPlaceholderText(tr("Built into this MailKey: %1").arg(builtIn));
    }
    const ManagedPolicy::ProviderPreset msPreset = policy.providers.value(ms);
    const ManagedPolicy::ProviderPreset googlePreset = policy.providers.value(google);
    if (!msPreset.clientId.isEmpty())
        lockField(QStringLiteral("microsoftClientId"), msPreset.clientId);
    if (!msPreset.tenant.isEmpty())
        lockField(QStringLiteral("microsoftTenant"), msPreset.tenant);
    if (!googlePreset.clientId.isEmpty()) {
        lockField(QStringLiteral("googleClientId"), googlePreset.clientId);
        lockField(QStringLiteral("googleClientSecret"), googlePreset.clientSecret);
    }
    if (!settings->providersFileOverride().isEmpty()) {
        // mailkey --providers FILE: this run's file, not a setting.
        lockField(QStringLiteral("providersFile"), settings->providersFileOverride());
        field(QStringLiteral("providersFile"))
            ->setToolTip(tr("Given with --providers for this run; the saved setting is not changed."));
        field(QStringLiteral("providersFile"))->setAccessibleDescription(tr("Given with --providers for this run"));
        browse->setEnabled(false);
    }
    if (policy.disables(ManagedPolicy::Feature::CustomProviders)) {
        m_customBox->setEnabled(false);
        m_customBox->setTitle(tr("Custom providers (turned off by your administrator)"));
        m_locked.insert(QStringLiteral("providersFile"));
    }

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    outer->addWidget(m_buttons);

    rebuildCustomClientIds();
    validateAll();
    resize(fontMetrics().averageCharWidth() * 90, fontMetrics().height() * 36);
}

QString SettingsDialog::clientIdProblem(const QString &value)
{
    const QString v = value.trimmed();
    if (v.isEmpty())
        return QString();
    if (v.size() > 512)
        return tr("This is too long to be a client id.");
    for (const QChar c : v) {
        if (c.isSpace() || c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            return tr("A client id has no spaces or invisible characters; copy it again from the provider's console.");
    }
    return QString();
}

QString SettingsDialog::tenantProblem(const QString &value)
{
    const QString v = value.trimmed();
    if (v.isEmpty() || Provider::isValidMicrosoftTenant(v.toLower()))
        return QString();
    return tr("Use common, organizations, consumers, your tenant id (a GUID) or your domain "
              "(for example contoso.onmicrosoft.com).");
}

QString SettingsDialog::authorityHostProblem(const QString &value)
{
    const QString v = value.trimmed();
    if (v.isEmpty() || Provider::isValidAuthorityHost(v))
        return QString();
    return tr("Enter a host name only, such as login.microsoftonline.com or login.microsoftonline.us "
              "(no https://, no path, no port).");
}

QString SettingsDialog::providersFileProblem(const QString &path, QList<Provider> *providers)
{
    Result<ProviderFile::Contents> loaded = path.isEmpty() ? ProviderFile::loadDefault() : ProviderFile::load(path);
    if (!loaded)
        return loaded.error().message;
    if (providers)
        *providers = loaded->providers;
    QStringList lines;
    for (const ProviderProblem &p : loaded->problems)
        lines.append(p.message());
    return lines.join(QLatin1Char('\n'));
}

QLineEdit *SettingsDialog::addField(QFormLayout *form, const QString &label, const QString &objectName,
                                    const QString &value, std::function<QString(const QString &)> validate,
                                    const QString &placeholder)
{
    auto *edit = new QLineEdit(value, form->parentWidget());
    edit->setObjectName(objectName);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    QLabel *problem = problemLabelFor(form->parentWidget());
    problem->setObjectName(objectName + QStringLiteral("Problem"));
    form->addRow(formLabel(label, form->parentWidget()), edit);
    form->addRow(problem);
    m_fields.insert(objectName, Field{edit, problem, std::move(validate)});
    connect(edit, &QLineEdit::textChanged, this, &SettingsDialog::validateAll);
    return edit;
}

void SettingsDialog::addNote(QFormLayout *form, const QString &text, const QString &objectName)
{
    auto *note = new QLabel(form->parentWidget());
    note->setObjectName(objectName);
    note->setWordWrap(true);
    note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    SafeText::setLabelMultiline(note, text, 2000);
    QFont small = note->font();
    if (small.pointSizeF() > 0)
        small.setPointSizeF(small.pointSizeF() * 0.9);
    note->setFont(small);
    form->addRow(note);
}

void SettingsDialog::addEnvironmentNote(QFormLayout *form, const QString &providerId)
{
    const QString var = ProviderRegistry::clientIdVariable(providerId);
    if (m_env.value(var).trimmed().isEmpty())
        return;
    addNote(form, tr("The environment variable %1 is set; it takes precedence over this setting.").arg(var),
            QStringLiteral("envNote-") + providerId);
}

void SettingsDialog::addPolicyBox(QWidget *page, QVBoxLayout *layout)
{
    const ManagedPolicy &policy = m_settings->policy();
    auto *box = new QGroupBox(tr("Set by your administrator"), page);
    box->setObjectName(QStringLiteral("policyBox"));
    auto *form = new QFormLayout(box);
    QStringList lines;
    lines << tr("These settings come from %1 and cannot be changed here.").arg(policy.source);
    for (const QString &line : policy.describe())
        lines << QStringLiteral("• ") + line;
    addNote(form, lines.join(QLatin1Char('\n')), QStringLiteral("policySettings"));
    if (!policy.problems.isEmpty()) {
        QStringList problems;
        problems << tr("Left out of the policy (tell your administrator):");
        for (const QString &p : policy.problems)
            problems << QStringLiteral("• ") + p;
        QLabel *label = problemLabelFor(box);
        label->setObjectName(QStringLiteral("policyProblems"));
        SafeText::setLabelMultiline(label, problems.join(QLatin1Char('\n')), 4000);
        label->show();
        form->addRow(label);
    }
    layout->addWidget(box);
}

void SettingsDialog::lockField(const QString &objectName, const QString &value)
{
    QLineEdit *edit = field(objectName);
    if (!edit)
        return;
    edit->setText(value);
    edit->setReadOnly(true);
    edit->setClearButtonEnabled(false);
    edit->setToolTip(tr("Set by your administrator (%1).").arg(m_settings->policy().source));
    edit->setAccessibleDescription(tr("Set by your administrator"));
    m_locked.insert(objectName);
}

void SettingsDialog::rebuildCustomClientIds()
{
    // Remove the rows of the previous file's providers.
    for (const QString &name : std::as_const(m_customFieldNames)) {
        const Field f = m_fields.take(name);
        if (f.edit)
            m_customForm->removeRow(f.edit);
        if (f.problem)
            m_customForm->removeRow(f.problem);
    }
    m_customFieldNames.clear();
    m_customProviders.clear();
    const QString path = field(QStringLiteral("providersFile"))->text().trimmed();
    providersFileProblem(path, &m_customProviders);
    for (const Provider &p : std::as_const(m_customProviders)) {
        const QString name = QStringLiteral("customClientId-") + p.id;
        const QString label
            = tr("%1 client id").arg(SafeText::clean(p.displayName.isEmpty() ? p.id : p.displayName, 40));
        addField(m_customForm, label, name, m_settings->providerValue(p.id, QStringLiteral("client_id")),
                 &SettingsDialog::clientIdProblem,
                 p.clientId.isEmpty() ? tr("Client id") : tr("From the providers file"));
        m_customFieldNames.append(name);
        const QString preset = m_settings->policy().providers.value(p.id).clientId;
        if (!preset.isEmpty())
            lockField(name, preset);
    }
    validateAll();
}

void SettingsDialog::reloadCustomProviders()
{
    rebuildCustomClientIds();
}

void SettingsDialog::validateAll()
{
    bool ok = true;
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
        const QString problem = it->validate ? it->validate(it->edit->text()) : QString();
        SafeText::setLabelMultiline(it->problem, problem, 2000);
        it->problem->setVisible(!problem.isEmpty());
        // The providers file: per-provider problems only leave those providers out (a warning);
        // a file that cannot be used at all blocks saving.
        if (!problem.isEmpty() && it.key() == QLatin1String("providersFile")) {
            const QString path = it->edit->text().trimmed();
            Result<ProviderFile::Contents> c = path.isEmpty() ? ProviderFile::loadDefault() : ProviderFile::load(path);
            if (!c)
                ok = false;
            continue;
        }
        if (!problem.isEmpty())
            ok = false;
    }
    if (m_buttons)
        m_buttons->button(QDialogButtonBox::Save)->setEnabled(ok);
}

bool SettingsDialog::hasProblems() const
{
    return m_buttons && !m_buttons->button(QDialogButtonBox::Save)->isEnabled();
}

QLineEdit *SettingsDialog::field(const QString &objectName) const
{
    return m_fields.value(objectName).edit;
}

QLabel *SettingsDialog::problemLabel(const QString &objectName) const
{
    return m_fields.value(objectName).problem;
}

void SettingsDialog::accept()
{
    validateAll();
    if (hasProblems())
        return;
    const QString ms = QString::fromLatin1(Provider::MicrosoftId);
    const QString google = QString::fromLatin1(Provider::GoogleId);
    // The person's own settings only: what the policy sets (read-only fields) is not copied in.
    const auto save = [this](const QString &providerId, const QString &name, const QString &objectName, bool lower) {
        if (m_locked.contains(objectName))
            return;
        const QString text = field(objectName)->text();
        m_settings->setProviderValue(providerId, name, lower ? text.toLower() : text);
    };
    save(ms, QStringLiteral("client_id"), QStringLiteral("microsoftClientId"), false);
    save(ms, QStringLiteral("tenant"), QStringLiteral("microsoftTenant"), true);
    save(ms, QStringLiteral("authority_host"), QStringLiteral("microsoftAuthorityHost"), true);
    save(google, QStringLiteral("client_id"), QStringLiteral("googleClientId"), false);
    save(google, QStringLiteral("client_secret"), QStringLiteral("googleClientSecret"), false);
    if (!m_locked.contains(QStringLiteral("providersFile")))
        m_settings->setCustomProvidersFile(field(QStringLiteral("providersFile"))->text());
    for (const Provider &p : std::as_const(m_customProviders))
        save(p.id, QStringLiteral("client_id"), QStringLiteral("customClientId-") + p.id, false);
    m_settings->setAuditRetentionDays(m_retention->value());
    m_settings->setKeepRunningWhenClosed(m_keepRunning->isChecked());
    if (m_startAtLogin->isChecked() != Autostart::isEnabled()) {
        // This program (the installed mailkey), started with --background.
        if (Status written
            = Autostart::setEnabled(m_startAtLogin->isChecked(), QCoreApplication::applicationFilePath());
            !written) {
            m_backgroundProblem->setText(written.error().message);
            m_backgroundProblem->show();
            return;
        }
    }
    m_settings->setStartAtLogin(m_startAtLogin->isChecked());
    m_settings->sync();
    QDialog::accept();
}

} // namespace mailkey
