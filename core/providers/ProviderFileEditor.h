#pragma once

#include "core/common/Result.h"
#include "core/providers/ProviderFile.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace mailkey {

// Edits the entries of a providers.json (the window's provider editor). Entries are JSON objects
// in ProviderFile's format; every check is ProviderFile::parse on the document as it would be
// written, so the editor and the loader never disagree. Other entries, their order and fields
// this editor does not know are kept as they are. A file that is not a providers file
// (not JSON, no "providers" array) is never overwritten: save() and remove() refuse.
class ProviderFileEditor {
public:
    explicit ProviderFileEditor(QString path);

    const QString &path() const { return m_path; }

    // Reads the file; a missing file is an empty list of providers.
    Status load();
    const QList<QJsonObject> &entries() const { return m_entries; }
    // The ids of the entries that have a string id.
    QStringList ids() const;
    QJsonObject entry(const QString &id) const; // empty if none

    // The problems `entry` would have in the file, replacing the entry with id `replacingId` (empty:
    // added at the end): ProviderFile's per-field problems of that entry, including an id or a
    // redirect path used by another entry. Empty = it can be saved.
    QList<ProviderProblem> check(const QJsonObject &entry, const QString &replacingId = QString()) const;

    // Re-reads the file (so changes made meanwhile are kept), puts `entry` in place of
    // `replacingId` (or at the end), checks it, and replaces the file atomically (a new file is
    // created readable by its owner only: it may hold a client secret).
    Status save(const QJsonObject &entry, const QString &replacingId = QString());
    // Re-reads the file and removes the entry with id `id`.
    Status remove(const QString &id);

private:
    Status write(const QList<QJsonObject> &entries);
    QList<QJsonObject> withEntry(const QJsonObject &entry, const QString &replacingId, int *index) const;

    QString m_path;
    QJsonObject m_root; // the top level, for fields other than "providers"
    QList<QJsonObject> m_entries;
    QList<QJsonValue> m_nonObjects; // array items that are not objects, kept at the end
};

} // namespace mailkey
