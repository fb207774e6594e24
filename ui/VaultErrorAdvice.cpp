#include "ui/VaultErrorAdvice.h"

#include <QCoreApplication>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::VaultErrorAdvice)
};
} // namespace

QString VaultErrorAdvice::fullText() const
{
    if (nextSteps.isEmpty())
        return message;
    if (message.isEmpty())
        return nextSteps;
    return message + QStringLiteral("\n\n") + nextSteps;
}

VaultErrorAdvice VaultErrorAdvice::forError(const Error &error, bool canUnlock)
{
    VaultErrorAdvice a;
    a.message = error.message;
    switch (error.code) {
    case ErrorCode::NoKeychain:
        a.title = Text::tr("No keychain is available");
        a.nextSteps = Text::tr("MailKey keeps the key of its vault in your system keychain and does not store it "
                               "anywhere else. Start or install a keyring (GNOME Keyring, KWallet or another "
                               "Secret Service), make sure you are in a desktop session, then press Retry.");
        break;
    case ErrorCode::KeychainLocked:
        // The message already says how to unlock it: the next step is only what to press after.
        a.title = Text::tr("Your keyring is locked");
        a.offerUnlock = canUnlock;
        a.nextSteps = canUnlock ? Text::tr("Press Unlock to type your keyring's password in its own window; MailKey "
                                           "then opens the vault. Nothing was changed.")
                                : Text::tr("Once it is unlocked, press Retry. Nothing was changed.");
        break;
    case ErrorCode::KeyMissing:
        a.title = Text::tr("The key of your vault is missing");
        a.nextSteps = Text::tr("Your vault is still on disk, but its key is not in the keychain. If you can restore "
                               "the keychain (for example from a backup), do that and press Retry. Otherwise, "
                               "\"Reset vault…\" moves the old vault aside (it is not deleted) and starts an empty "
                               "one; every mailbox then has to be connected again.");
        a.offerReset = true;
        break;
    case ErrorCode::KeychainFailed:
        a.title = Text::tr("The keychain did not answer");
        a.nextSteps = Text::tr("Check that your keyring is running and unlocked, then press Retry.");
        break;
    case ErrorCode::VaultWrongKey:
        a.title = Text::tr("The vault does not open with the key in your keychain");
        a.nextSteps = Text::tr("The keychain holds a different key than the one this vault was made with. Restore "
                               "the right keychain entry and press Retry, or \"Reset vault…\" to move this vault "
                               "aside and start an empty one.");
        a.offerReset = true;
        break;
    case ErrorCode::VaultDamaged:
        a.title = Text::tr("The vault is damaged");
        a.nextSteps = Text::tr("Restore the vault file from a backup and press Retry, or \"Reset vault…\" to move the "
                               "damaged file aside (it is kept for recovery) and start an empty vault.");
        a.offerReset = true;
        break;
    case ErrorCode::VaultReadOnly:
        a.title = Text::tr("The vault cannot be written");
        a.nextSteps = Text::tr("Check the permissions of the vault's folder, then press Retry.");
        break;
    case ErrorCode::VaultUnsafe:
        a.title = Text::tr("The vault's folder is not private");
        a.nextSteps = Text::tr("Another user of this computer could change the vault's folder or files. Follow the "
                               "advice above, then press Retry.");
        break;
    case ErrorCode::DiskFull:
        a.title = Text::tr("The disk is full");
        a.nextSteps = Text::tr("Free some disk space, then press Retry.");
        break;
    case ErrorCode::VaultBusy:
        a.title = Text::tr("The vault is busy");
        a.nextSteps = Text::tr("Another MailKey program is using the vault. Wait a moment, then press Retry.");
        break;
    case ErrorCode::VaultNewerFormat:
        a.title = Text::tr("The vault was written by a newer MailKey");
        a.nextSteps = Text::tr("Open it with the MailKey that wrote it (one built with SQLCipher 4), or install that "
                               "version here. Nothing was changed.");
        break;
    case ErrorCode::NotACipherBuild:
        a.title = Text::tr("This MailKey build cannot encrypt");
        a.nextSteps = Text::tr("It was built without SQLCipher and will not write anything. Install an official "
                               "MailKey package.");
        a.canRetry = false;
        break;
    case ErrorCode::VaultIo:
        a.title = Text::tr("The vault could not be read");
        a.nextSteps = Text::tr("Check the disk and the permissions of the vault's folder, then press Retry.");
        break;
    default:
        a.title = Text::tr("The vault could not be opened");
        a.nextSteps
            = Text::tr("Press Retry. If this keeps happening, start MailKey from a terminal to see more details.");
        break;
    }
    if (a.message.isEmpty())
        a.message = a.title;
    return a;
}

} // namespace mailkey
