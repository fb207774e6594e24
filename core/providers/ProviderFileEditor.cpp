#include "core/providers/ProviderFileEditor.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <utility>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::ProviderFileEditor)
};

QJsonDocument documentOf(const QJsonObject &root, const QList<QJsonObject> &entries,
                         const QList<QJsonValue> &nonObjects)
{
    QJsonArray list;
    for (const QJsonObject &e : entries)
        list.append(e);
    for (const QJsonValue &v : nonObjects)
        list.append(v);
    QJsonObject out = root;
    out.insert(QStringLiteral("providers"), list);
    return QJsonDocument(out);
}
} // namespace

ProviderFileEditor::ProviderFileEditor(QString path) : m_path(std::move(path)) {}

Status ProviderFileEditor::load()
{
    m_root = QJsonObject();
    m_entries.clear();
    m_nonObjects.clear();
    if (!QFileInfo::exists(m_path))
        return {};
    // ProviderFile's own reading (regular files only, size limit) and its whole-file checks.
    Result<ProviderFile::Contents> checked = ProviderFile::load(m_path);
    if (!checked)
        return checked.error();
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorCode::Config,
                     Text::tr("The providers file %1 cannot be read (%2).").arg(m_path, file.errorString()));
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(ProviderFile::MaxFileSize + 1));
    if (!doc.isObject() || !doc.object().value(QStringLiteral("providers")).isArray())
        return Error(ErrorCode::Config,
                     Text::tr("The providers file %1 changed while it was read; try again.").arg(m_path));
    m_root = doc.object();
    m_root.remove(QStringLiteral("providers"));
    const QJsonArray list = doc.object().value(QStringLiteral("providers")).toArray();
    for (const QJsonValue &v : list) {
        if (v.isObject())
            m_entries.append(v.toObject());
        else
            m_nonObjects.append(v);
    }
    return {};
}

QStringList ProviderFileEditor::ids() const
{
    QStringList out;
    for (const QJsonObject &e : m_entries) {
        const QJsonValue id = e.value(QStringLiteral("id"));
        if (id.isString())
            out.append(id.toString());
    }
    return out;
}

QJsonObject ProviderFileEditor::entry(const QString &id) const
{
    for (const QJsonObject &e : m_entries) {
        if (e.value(QStringLiteral("id")).toString() == id)
            return e;
    }
    return {};
}

QList<QJsonObject> ProviderFileEditor::withEntry(const QJsonObject &entry, const QString &replacingId, int *index) const
{
    QList<QJsonObject> out = m_entries;
    for (qsizetype i = 0; !replacingId.isEmpty() && i < out.size(); ++i) {
        if (out.at(i).value(QStringLiteral("id")).toString() == replacingId) {
            out[i] = entry;
            *index = static_cast<int>(i);
            return out;
        }
    }
    out.append(entry);
    *index = static_cast<int>(out.size() - 1);
    return out;
}

QList<ProviderProblem> ProviderFileEditor::check(const QJsonObject &entry, const QString &replacingId) const
{
    int index = -1;
    const QList<QJsonObject> entries = withEntry(entry, replacingId, &index);
    const Result<ProviderFile::Contents> parsed
        = ProviderFile::parse(documentOf(m_root, entries, {}).toJson(QJsonDocument::Compact), m_path);
    QList<ProviderProblem> out;
    if (!parsed) {
        out.append(ProviderProblem{index, QString(), QString(), parsed.error().message});
        return out;
    }
    for (const ProviderProblem &p : parsed->problems) {
        if (p.providerIndex == index)
            out.append(p);
    }
    return out;
}

Status ProviderFileEditor::save(const QJsonObject &entry, const QString &replacingId)
{
    if (Status loaded = load(); !loaded)
        return loaded;
    const QList<ProviderProblem> problems = check(entry, replacingId);
    if (!problems.isEmpty())
        return Error(ErrorCode::Config, problems.first().message());
    int index = -1;
    return write(withEntry(entry, replacingId, &index));
}

Status ProviderFileEditor::remove(const QString &id)
{
    if (Status loaded = load(); !loaded)
        return loaded;
    QList<QJsonObject> entries = m_entries;
    const qsizetype before = entries.size();
    entries.removeIf([&id](const QJsonObject &e) { return e.value(QStringLiteral("id")).toString() == id; });
    if (entries.size() == before)
        return Error(ErrorCode::NotFound, Text::tr("The providers file %1 has no provider \"%2\".").arg(m_path, id));
    return write(entries);
}

Status ProviderFileEditor::write(const QList<QJsonObject> &entries)
{
    const QFileInfo info(m_path);
    const bool isNew = !info.exists();
    if (!QDir().mkpath(info.absolutePath()))
        return Error(ErrorCode::Config, Text::tr("The folder %1 cannot be created.").arg(info.absolutePath()));
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return Error(ErrorCode::Config,
                     Text::tr("The providers file %1 cannot be written (%2).").arg(m_path, file.errorString()));
    if (isNew)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(documentOf(m_root, entries, m_nonObjects).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return Error(ErrorCode::Config,
                     Text::tr("The providers file %1 cannot be written (%2).").arg(m_path, file.errorString()));
    m_entries = entries;
    return {};
}

} // namespace mailkey
