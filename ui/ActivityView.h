#pragma once

#include "core/vault/VaultTypes.h"

#include <QDialog>
#include <QList>

#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QTimer;
class QTreeWidget;

namespace mailkey {

class AccountService;

// The whole activity log of the profile in one window (View → Activity log, and the alerts'
// "Show activity"): every mailbox's entries and those that belong to no mailbox (a refused
// sign-in reply, sign out everywhere, a new vault key), newest first. Filters: the mailbox (all,
// one, or "not about one mailbox"), the kind of event, and words in the entry. Reads the log when
// shown and on Reload; secret-free by construction (the vault redacts every detail before it is
// stored, and the texts are cleaned again for display).
class ActivityView : public QDialog {
    Q_OBJECT
public:
    static constexpr int Limit = 5000; // newest entries read

    explicit ActivityView(AccountService *service, QWidget *parent = nullptr);

    // The mailbox filter: an account id, AllMailboxes or NoMailbox.
    static constexpr qint64 AllMailboxes = -1;
    static constexpr qint64 NoMailbox = 0;
    // Reads the log off the GUI thread (AccountService::readAudit); the rows shown stay until the
    // answer, and the count says "Loading…" meanwhile (at once when nothing is shown yet, else
    // after AccountDetails::ActivityLoadingDelayMs).
    void reload();
    bool isLoading() const { return m_loading; }
    void showMailbox(qint64 accountId);
    qint64 mailboxFilter() const;
    int visibleCount() const;
    int entryCount() const { return int(m_entries.size()); }

private:
    void fill();
    void applyFilter();

    AccountService *m_service;
    QComboBox *m_mailbox = nullptr;
    QComboBox *m_event = nullptr;
    QLineEdit *m_search = nullptr;
    QTreeWidget *m_tree = nullptr;
    QLabel *m_count = nullptr;
    QList<AuditEntry> m_entries;
    bool m_loading = false;
    QTimer *m_loadingDelay = nullptr;
    std::optional<qint64> m_wantedMailbox; // showMailbox() before the entries came
};

} // namespace mailkey
