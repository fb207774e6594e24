#include "ui/ProviderEditor.h"

#include "core/providers/IssuerDiscovery.h"
#include "core/providers/ProviderRegistry.h"
#include "ui/SafeText.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace mailkey {

namespace {

const char *const EndpointFields[] = {"authorization_endpoint", "token_endpoint", "device_authorization_endpoint",
                                      "revocation_endpoint", "userinfo_endpoint"};

QPalette problemPalette(const QWidget *w)
{
    QPalette pal = w->palette();
    const bool dark = pal.color(QPalette::Window).lightness() < 128;
    pal.setColor(QPalette::WindowText, dark ? QColor(0xEF, 0x9A, 0x9A) : QColor(0xB7, 0x1C, 0x1C));
    return pal;
}

QLabel *plainLabel(const QString &text, QWidget *parent)
{
    auto *l = new QLabel(text, parent);
    l->setTextFormat(Qt::PlainText);
    l->setWordWrap(true);
    return l;
}

// "Example Mail" -> "example-mail": what a providers.json id may be ([a-z0-9-]{1,32}).
QString idFromName(const QString &name)
{
    QString out;
    for (const QChar c : name.normalized(QString::NormalizationForm_KD).toLower()) {
        if ((c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('0') && c <= QLatin1Char('9')))
            out.append(c);
        else if (c.isSpace() || c == QLatin1Char('-') || c == QLatin1Char('_') || c == QLatin1Char('.'))
            out.append(QLatin1Char('-'));
    }
    static const QRegularExpression dashes(QStringLiteral("-{2,}"));
    out.replace(dashes, QStringLiteral("-"));
    out = out.left(32);
    while (out.startsWith(QLatin1Char('-')))
        out.remove(0, 1);
    while (out.endsWith(QLatin1Char('-')))
        out.chop(1);
    return out;
}

// "mail.example.com:993" -> host and port; anything else stays whole in the host field.
std::pair<QString, int> splitServer(const QString &value)
{
    static const QRegularExpression hostPort(QStringLiteral("^([^:/\\[\\]]+):(\\d{1,5})$"));
    const QRegularExpressionMatch m = hostPort.match(value);
    if (m.hasMatch() && m.captured(2).toInt() <= 65535)
        return {m.captured(1), m.captured(2).toInt()};
    return {value, 0};
}

} // namespace

ProviderEditor::ProviderEditor(const QString &path, IssuerDiscovery *discovery, QWidget *parent)
    : QDialog(parent), m_file(path), m_discovery(discovery)
{
    setWindowTitle(tr("Custom providers"));
    setObjectName(QStringLiteral("providerEditor"));
    auto *outer = new QVBoxLayout(this);

    auto *top = new QHBoxLayout;
    top->addWidget(plainLabel(tr("Provider"), this));
    m_choice = new QComboBox(this);
    m_choice->setObjectName(QStringLiteral("providerChoice"));
    m_choice->setAccessibleName(tr("Provider to edit"));
    top->addWidget(m_choice, 1);
    m_remove = new QPushButton(tr("Remove…"), this);
    m_remove->setObjectName(QStringLiteral("removeProvider"));
    top->addWidget(m_remove);
    outer->addLayout(top);
    auto *where = plainLabel(tr("Saved in %1").arg(path), this);
    where->setObjectName(QStringLiteral("providersPath"));
    where->setForegroundRole(QPalette::PlaceholderText);
    where->setTextInteractionFlags(Qt::TextSelectableByMouse);
    outer->addWidget(where);
    m_fileProblem = plainLabel(QString(), this);
    m_fileProblem->setObjectName(QStringLiteral("fileProblem"));
    m_fileProblem->setPalette(problemPalette(this));
    m_fileProblem->hide();
    outer->addWidget(m_fileProblem);

    auto *scroll = new QScrollArea(this);
    scroll->setAccessibleName(tr("Provider details"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *page = new QWidget(scroll);
    scroll->setWidget(page);
    auto *form = new QFormLayout(page);
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    outer->addWidget(scroll, 1);

    addField(form, tr("Name"), QStringLiteral("name"), tr("Example Mail"));
    addField(form, tr("Id"), QStringLiteral("id"), tr("Derived from the name"));
    field(QStringLiteral("id"))
        ->setToolTip(tr("Used by mailkey-cli (connect ID) and in the redirect address; a-z, 0-9 and \"-\"."));

    m_discover = new QPushButton(tr("Discover"), page);
    m_discover->setObjectName(QStringLiteral("discover"));
    m_discover->setToolTip(tr("Read the endpoints from the issuer's OpenID configuration"));
    m_discover->setVisible(m_discovery != nullptr);
    addField(form, tr("Issuer"), QStringLiteral("issuer"), QStringLiteral("https://id.example.com"), m_discover);
    auto *statusRow = new QWidget(page);
    auto *statusLayout = new QHBoxLayout(statusRow);
    statusLayout->setContentsMargins(0, 0, 0, 0);
    m_discoveryBusy = new QProgressBar(statusRow);
    m_discoveryBusy->setObjectName(QStringLiteral("discoveryBusy"));
    m_discoveryBusy->setRange(0, 0);
    m_discoveryBusy->setMaximumWidth(fontMetrics().averageCharWidth() * 12);
    m_discoveryBusy->setTextVisible(false);
    m_discoveryBusy->hide();
    statusLayout->addWidget(m_discoveryBusy);
    m_discoveryStatus = plainLabel(QString(), statusRow);
    m_discoveryStatus->setObjectName(QStringLiteral("discoveryStatus"));
    statusLayout->addWidget(m_discoveryStatus, 1);
    statusRow->hide();
    form->addRow(statusRow);
    connect(m_discover, &QPushButton::clicked, this, &ProviderEditor::discover);

    addField(form, tr("Authorization endpoint"), QStringLiteral("authorization_endpoint"),
             tr("Empty with the token endpoint: discovered at sign-in"));
    addField(form, tr("Token endpoint"), QStringLiteral("token_endpoint"),
             tr("Empty with the authorization endpoint: discovered at sign-in"));
    addField(form, tr("Device authorization endpoint"), QStringLiteral("device_authorization_endpoint"),
             tr("Optional: sign-in on another device"));
    addField(form, tr("Revocation endpoint"), QStringLiteral("revocation_endpoint"),
             tr("Optional: Remove revokes the sign-in there"));
    addField(form, tr("User info endpoint"), QStringLiteral("userinfo_endpoint"), tr("Optional"));
    addField(form, tr("Client id"), QStringLiteral("client_id"), tr("From the provider's app registration"));
    QLineEdit *secret = addField(form, tr("Client secret"), QStringLiteral("client_secret"),
                                 tr("Optional: a desktop client's secret"));
    secret->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    addField(form, tr("Scopes"), QStringLiteral("scopes"), QStringLiteral("openid email offline_access"));

    const auto portBox = [this, page](const QString &name) {
        auto *box = new QSpinBox(page);
        box->setObjectName(name);
        box->setRange(0, 65535);
        box->setSpecialValueText(tr("default"));
        box->setAccessibleName(name == QLatin1String("imap_port") ? tr("IMAP port") : tr("SMTP port"));
        connect(box, &QSpinBox::valueChanged, this, [this] { validate(); });
        return box;
    };
    m_imapPort = portBox(QStringLiteral("imap_port"));
    m_smtpPort = portBox(QStringLiteral("smtp_port"));
    addField(form, tr("IMAP server"), QStringLiteral("imap_host"), tr("Optional: imap.example.com"), m_imapPort);
    addField(form, tr("SMTP server"), QStringLiteral("smtp_host"), tr("Optional: smtp.example.com"), m_smtpPort);

    m_redirectNote = plainLabel(QString(), page);
    m_redirectNote->setObjectName(QStringLiteral("redirectNote"));
    m_redirectNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(m_redirectNote);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ProviderEditor::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ProviderEditor::reject);
    outer->addWidget(m_buttons);

    connect(field(QStringLiteral("name")), &QLineEdit::textEdited, this, [this](const QString &name) {
        if (!m_idEdited && m_editingId.isEmpty())
            field(QStringLiteral("id"))->setText(idFromName(name));
    });
    connect(field(QStringLiteral("id")), &QLineEdit::textEdited, this, [this] { m_idEdited = true; });
    connect(m_choice, &QComboBox::activated, this, [this](int index) {
        const QString id = m_choice->itemData(index).toString();
        if (id == m_editingId)
            return;
        // Back to the entry being edited until the person has said what to do with the changes.
        const int current = m_choice->findData(m_editingId);
        if (current >= 0)
            m_choice->setCurrentIndex(current);
        whenChangesSettled([this, id] { editProvider(id); });
    });
    connect(m_remove, &QPushButton::clicked, this, &ProviderEditor::confirmRemove);
    if (m_discovery) {
        connect(m_discovery, &IssuerDiscovery::finished, this, &ProviderEditor::onDiscovered);
        connect(m_discovery, &IssuerDiscovery::failed, this, [this](const QString &message) {
            m_discoveryBusy->hide();
            m_discover->setEnabled(true);
            setDiscoveryStatus(message, true);
        });
    }

    reloadChoices(QString());
    editProvider(QString());
    resize(fontMetrics().averageCharWidth() * 95, fontMetrics().height() * 40);
}

QLineEdit *ProviderEditor::addField(QFormLayout *form, const QString &label, const QString &name,
                                    const QString &placeholder, QWidget *extra)
{
    QWidget *parent = form->parentWidget();
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(name);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    edit->setAccessibleName(label);
    QLabel *title = plainLabel(label, parent);
    title->setWordWrap(false);
    title->setBuddy(edit);
    if (extra) {
        auto *row = new QWidget(parent);
        auto *h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        h->addWidget(edit, 1);
        h->addWidget(extra);
        form->addRow(title, row);
    } else {
        form->addRow(title, edit);
    }
    m_edits.insert(name, edit);
    m_labels.insert(name, label);
    addProblem(form, name);
    connect(edit, &QLineEdit::textChanged, this, [this, name] {
        if (!m_filling)
            m_touched.insert(name);
        validate();
    });
    return edit;
}

QLabel *ProviderEditor::addProblem(QFormLayout *form, const QString &name)
{
    QLabel *problem = plainLabel(QString(), form->parentWidget());
    problem->setObjectName(name + QStringLiteral("Problem"));
    problem->setPalette(problemPalette(this));
    problem->hide();
    form->addRow(QString(), problem);
    m_problems.insert(name, problem);
    return problem;
}

QSpinBox *ProviderEditor::portField(const QString &name) const
{
    if (name == QLatin1String("imap_port"))
        return m_imapPort;
    if (name == QLatin1String("smtp_port"))
        return m_smtpPort;
    return nullptr;
}

QPushButton *ProviderEditor::saveButton() const
{
    return m_buttons->button(QDialogButtonBox::Save);
}

void ProviderEditor::reloadChoices(const QString &select)
{
    const Status loaded = m_file.load();
    m_fileUsable = loaded.ok();
    if (!loaded.ok()) {
        SafeText::setLabelMultiline(
            m_fileProblem,
            loaded.error().message + QLatin1Char('\n')
                + tr("Fix the file in a text editor first; MailKey does not overwrite a file it cannot read."),
            2000);
    }
    m_fileProblem->setVisible(!loaded.ok());
    m_choice->clear();
    m_choice->addItem(tr("New provider"), QString());
    for (const QJsonObject &e : m_file.entries()) {
        const QString id = e.value(QStringLiteral("id")).toString();
        if (id.isEmpty())
            continue;
        const QString name = e.value(QStringLiteral("name")).toString();
        m_choice->addItem(SafeText::clean(name.isEmpty() || name == id ? id : tr("%1 (%2)").arg(name, id), 60), id);
    }
    const int index = m_choice->findData(select);
    m_choice->setCurrentIndex(index < 0 ? 0 : index);
}

bool ProviderEditor::editProvider(const QString &id)
{
    if (!id.isEmpty() && !m_file.ids().contains(id))
        return false;
    const int index = m_choice->findData(id);
    if (index >= 0)
        m_choice->setCurrentIndex(index);
    if (m_discovery)
        m_discovery->cancel();
    m_discoveryBusy->hide();
    m_discover->setEnabled(true);
    m_discoveryStatus->parentWidget()->hide();
    m_editingId = id;
    m_original = id.isEmpty() ? QJsonObject() : m_file.entry(id);
    m_idEdited = !id.isEmpty();
    m_touched.clear();
    fillFrom(m_original);
    m_asLoaded = entryFromForm();
    // An existing provider keeps its id: mailboxes and mail programs refer to it.
    field(QStringLiteral("id"))->setReadOnly(!id.isEmpty());
    m_remove->setEnabled(!id.isEmpty() && m_fileUsable);
    if (!id.isEmpty())
        m_touched = QSet<QString>(m_edits.keyBegin(), m_edits.keyEnd()); // show every reason at once
    validate();
    return true;
}

void ProviderEditor::fillFrom(const QJsonObject &entry)
{
    m_filling = true;
    for (auto it = m_edits.cbegin(); it != m_edits.cend(); ++it) {
        const QJsonValue v = entry.value(it.key());
        it.value()->setText(v.isString() ? v.toString() : QString());
    }
    QStringList scopes;
    for (const QJsonValue &s : entry.value(QStringLiteral("scopes")).toArray())
        scopes.append(s.toString());
    field(QStringLiteral("scopes"))->setText(scopes.join(QLatin1Char(' ')));
    for (const auto &[name, port] :
         {std::pair{QStringLiteral("imap_host"), m_imapPort}, std::pair{QStringLiteral("smtp_host"), m_smtpPort}}) {
        const auto [host, number] = splitServer(entry.value(name).toString());
        field(name)->setText(host);
        port->setValue(number);
    }
    m_filling = false;
}

QJsonObject ProviderEditor::entryFromForm() const
{
    QJsonObject out = m_original;
    for (auto it = m_edits.cbegin(); it != m_edits.cend(); ++it) {
        const QString value = it.value()->text().trimmed();
        if (value.isEmpty())
            out.remove(it.key());
        else
            out.insert(it.key(), value);
    }
    const QStringList scopes
        = field(QStringLiteral("scopes"))->text().split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    if (scopes.isEmpty())
        out.remove(QStringLiteral("scopes"));
    else
        out.insert(QStringLiteral("scopes"), QJsonArray::fromStringList(scopes));
    for (const auto &[name, port] :
         {std::pair{QStringLiteral("imap_host"), m_imapPort}, std::pair{QStringLiteral("smtp_host"), m_smtpPort}}) {
        const QString host = field(name)->text().trimmed();
        if (!host.isEmpty() && port->value() > 0)
            out.insert(name, QString(host + QLatin1Char(':') + QString::number(port->value())));
    }
    return out;
}

void ProviderEditor::validate()
{
    const QJsonObject entry = entryFromForm();
    QHash<QString, QString> reasons;
    QStringList other;
    const QString id = entry.value(QStringLiteral("id")).toString();
    if (!id.isEmpty() && id != m_editingId && m_file.ids().contains(id))
        reasons.insert(QStringLiteral("id"),
                       tr("Another provider in this file already has the id \"%1\"; choose another.").arg(id));
    for (const ProviderProblem &p : m_file.check(entry, m_editingId)) {
        QString name = p.field;
        const qsizetype bracket = name.indexOf(QLatin1Char('['));
        if (bracket > 0)
            name = name.left(bracket);
        if (!m_edits.contains(name)) {
            other.append(p.message());
            continue;
        }
        if (reasons.contains(name))
            continue;
        QString reason = p.reason;
        QString subject = m_labels.value(name);
        if (name == QLatin1String("scopes") && bracket > 0) {
            // "scopes[2]": name the scope itself, as the person typed it.
            const QStringList words
                = field(name)->text().split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
            const int i = p.field.mid(bracket + 1).chopped(1).toInt();
            if (i >= 0 && i < words.size())
                subject = tr("The scope %1").arg(SafeText::clean(words.at(i), 40));
        }
        if (!reason.isEmpty() && reason.at(0).isLower())
            reason = subject + QLatin1Char(' ') + reason;
        if (!reason.endsWith(QLatin1Char('.')))
            reason += QLatin1Char('.');
        reasons.insert(name, reason);
    }
    for (auto it = m_problems.cbegin(); it != m_problems.cend(); ++it) {
        const QString reason = reasons.value(it.key());
        // A required field the person has not reached yet is not an error to show (Save still waits);
        // a field another one made necessary (the token endpoint for an authorization endpoint) is.
        const bool untouchedRequired = (it.key() == QLatin1String("id") || it.key() == QLatin1String("issuer"))
                                       && !m_touched.contains(it.key())
                                       && m_edits.value(it.key())->text().trimmed().isEmpty();
        const bool show = !reason.isEmpty() && !untouchedRequired;
        SafeText::setLabelMultiline(it.value(), show ? reason : QString(), 1000);
        it.value()->setVisible(show);
        m_edits.value(it.key())->setAccessibleDescription(show ? reason : QString()); // read with the field
    }
    if (m_fileUsable) {
        SafeText::setLabelMultiline(m_fileProblem, other.join(QLatin1Char('\n')), 2000);
        m_fileProblem->setVisible(!other.isEmpty());
    }
    saveButton()->setEnabled(m_fileUsable && reasons.isEmpty() && other.isEmpty());

    const QString shownId = Provider::isValidCustomId(id) ? id : QStringLiteral("<id>");
    const QString path = entry.value(QStringLiteral("redirect_path")).toString();
    const QString host = entry.value(QStringLiteral("redirect_host")).toString();
    m_redirectNote->setText(tr("Register this redirect address with the provider (with any port):\nhttp://%1%2")
                                .arg(host.isEmpty() ? QStringLiteral("127.0.0.1") : host,
                                     path.isEmpty() ? QString(QStringLiteral("/oauth/") + shownId) : path));
}

bool ProviderEditor::canSave() const
{
    return saveButton()->isEnabled();
}

void ProviderEditor::setDiscoveryStatus(const QString &text, bool problem)
{
    m_discoveryStatus->setPalette(problem ? problemPalette(this) : palette());
    SafeText::setLabelMultiline(m_discoveryStatus, text, 1000);
    m_discoveryStatus->parentWidget()->show();
}

void ProviderEditor::discover()
{
    if (!m_discovery)
        return;
    const QString issuer = field(QStringLiteral("issuer"))->text().trimmed();
    m_discover->setEnabled(false);
    m_discoveryBusy->show();
    setDiscoveryStatus(tr("Looking up the OpenID configuration of %1…").arg(issuer), false);
    m_discovery->start(issuer);
}

void ProviderEditor::onDiscovered(const Provider &provider)
{
    m_discoveryBusy->hide();
    m_discover->setEnabled(true);
    const QList<std::pair<QString, QUrl>> found{
        {QStringLiteral("authorization_endpoint"), provider.authorizationEndpoint},
        {QStringLiteral("token_endpoint"), provider.tokenEndpoint},
        {QStringLiteral("device_authorization_endpoint"), provider.deviceAuthorizationEndpoint},
        {QStringLiteral("revocation_endpoint"), provider.revocationEndpoint},
        {QStringLiteral("userinfo_endpoint"), provider.userinfoEndpoint},
    };
    QStringList filled;
    for (const auto &[name, url] : found) {
        field(name)->setText(url.isEmpty() ? QString() : url.toString());
        if (!url.isEmpty())
            filled.append(m_labels.value(name).toLower());
    }
    if (provider.issRequired)
        m_original.insert(QStringLiteral("authorization_response_iss_parameter_supported"), true);
    else
        m_original.remove(QStringLiteral("authorization_response_iss_parameter_supported"));
    setDiscoveryStatus(
        tr("Found: %1. Add the client id of your app registration, then Save.").arg(filled.join(QStringLiteral(", "))),
        false);
    validate();
}

void ProviderEditor::accept()
{
    validate();
    if (!canSave())
        return;
    const QJsonObject entry = entryFromForm();
    const Status saved = m_file.save(entry, m_editingId);
    if (!saved) {
        SafeText::setLabelMultiline(m_fileProblem, saved.error().message, 2000);
        m_fileProblem->show();
        return;
    }
    Q_EMIT fileChanged(m_file.path());
    QDialog::accept();
}

bool ProviderEditor::removeProvider(const QString &id)
{
    const Status removed = m_file.remove(id);
    if (!removed) {
        SafeText::setLabelMultiline(m_fileProblem, removed.error().message, 2000);
        m_fileProblem->show();
        return false;
    }
    Q_EMIT fileChanged(m_file.path());
    reloadChoices(QString());
    editProvider(QString());
    return true;
}

bool ProviderEditor::hasUnsavedChanges() const
{
    return entryFromForm() != m_asLoaded;
}

void ProviderEditor::whenChangesSettled(std::function<void()> then)
{
    if (!hasUnsavedChanges()) {
        then();
        return;
    }
    const QString name = field(QStringLiteral("name"))->text().trimmed();
    auto *box = new QMessageBox(QMessageBox::Question, tr("Unsaved changes"),
                                name.isEmpty() ? tr("Discard the changes to this provider?")
                                               : tr("Discard the changes to \"%1\"?").arg(SafeText::clean(name, 40)),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("discardProviderChanges"));
    box->setTextFormat(Qt::PlainText);
    box->setInformativeText(tr("They have not been saved to %1.").arg(m_file.path()));
    QPushButton *discard = box->addButton(tr("Discard changes"), QMessageBox::DestructiveRole);
    discard->setObjectName(QStringLiteral("discardChangesButton"));
    QPushButton *keep = box->addButton(tr("Keep editing"), QMessageBox::RejectRole);
    keep->setObjectName(QStringLiteral("keepEditingButton"));
    box->setDefaultButton(keep);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [discard, then = std::move(then)](QAbstractButton *clicked) {
        if (clicked == discard)
            then();
    });
    box->open();
}

void ProviderEditor::reject()
{
    whenChangesSettled([this] { QDialog::reject(); });
}

void ProviderEditor::confirmRemove()
{
    const QString id = m_editingId;
    if (id.isEmpty())
        return;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove provider"),
                                tr("Remove the provider \"%1\" from %2? Mailboxes signed in with it stay in the list "
                                   "but cannot refresh their tokens until it is added again.")
                                    .arg(SafeText::clean(id, 40), m_file.path()),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmRemoveProvider"));
    box->setTextFormat(Qt::PlainText);
    QPushButton *yes = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, yes, id](QAbstractButton *clicked) {
        if (clicked == yes)
            removeProvider(id);
    });
    box->open();
}

} // namespace mailkey
