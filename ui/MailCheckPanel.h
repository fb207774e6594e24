#pragma once

#include "core/common/Clock.h"
#include "core/mailcheck/MailCheck.h"
#include "core/mailcheck/MailServer.h"
#include "core/service/MailDoctor.h"
#include "core/vault/VaultTypes.h"

#include <QHash>
#include <QList>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace mailkey {

// "Mail login", a tab of the account's details: does a mail program get in with MailKey's
// tokens? Shows the last check of IMAP and SMTP (when, which server, the outcome), runs a new one
// on "Test mail connection" (testRequested(); MainWindow asks the service and feeds the progress
// back here), shows each step with its time as it comes, then what went wrong in plain words,
// what the person can do, and what an administrator must do, with "Copy for administrator".
// No service and no network here; server text arrives already made safe and is shown as plain
// text only.
class MailCheckPanel : public QWidget {
    Q_OBJECT
public:
    explicit MailCheckPanel(QWidget *parent = nullptr);

    void setClock(const Clock *clock);
    // Another account: forget the shown results; `last` are its stored last checks.
    void showAccount(qint64 accountId, const QList<MailCheckRecord> &last);
    void clearAccount();
    // Enables "Test mail connection" (false while the account needs a new sign-in, with why).
    void setTestable(bool testable, const QString &why = QString());

    // Progress of a running check of the shown account.
    void checkStarted();
    void serverStarted(MailServer::Protocol protocol, const MailServer &server);
    void stepFinished(MailServer::Protocol protocol, const MailCheck::StepReport &step);
    void serverFinished(const MailDoctor::ServerResult &result);
    void checkFinished(const MailDoctor::Summary &summary);

    bool isRunning() const { return m_running; }
    QString summaryText() const;
    QString adviceText() const;
    QString adminText() const { return m_adminText; }
    QTreeWidget *resultList() const { return m_results; }
    QPushButton *testButton() const { return m_test; }
    QPushButton *copyAdminButton() const { return m_copyAdmin; }

Q_SIGNALS:
    void testRequested(qint64 accountId);
    void copyRequested(const QString &text, const QString &what); // text for the clipboard

private:
    QTreeWidgetItem *serverItem(MailServer::Protocol protocol);
    void showLast(const QList<MailCheckRecord> &last);
    void setAdvice(const QString &advice, const QString &admin);
    void updateButtons();
    QString when(const QDateTime &at) const;

    const Clock *m_clock = nullptr;
    qint64 m_accountId = 0;
    bool m_running = false;
    bool m_live = false; // showing a check run here, not the stored last one
    bool m_testable = true;
    QString m_notTestableWhy;
    QString m_adminText;
    QStringList m_advice;
    QStringList m_admin;

    QLabel *m_summary = nullptr;
    QPushButton *m_test = nullptr;
    QProgressBar *m_progress = nullptr;
    QTreeWidget *m_results = nullptr;
    QLabel *m_adviceLabel = nullptr;
    QLabel *m_adminLabel = nullptr;
    QPushButton *m_copyAdmin = nullptr;
    QHash<int, QTreeWidgetItem *> m_items; // by protocol, while a check runs
};

} // namespace mailkey
