<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>mailkey::AccountDetails</name>
    <message>
        <source>Reconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in again for this mailbox; it keeps its place in the list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke MailKey&apos;s access where the provider allows it and delete the tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Renew this mailbox&apos;s access token now instead of waiting for the next scheduled refresh.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Provider</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Granted scopes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token expires</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading folders…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mail folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unread</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reload folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>—</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (in %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 ago)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No tokens stored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No mailbox selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1, %n unread</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>This mailbox has no folders.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browser returned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Callback rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens issued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mailbox added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in renewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mailbox removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token refreshed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token handed out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens revoked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh token rotated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed out everywhere</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alert: failed sign-ins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alert: refreshes failing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alert: callback rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (by %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activity (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mail login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hook run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in reply accepted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in reply rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mail login checked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Old activity removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backup restored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New vault key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New vault key in use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in needed by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mailbox details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folders and activity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading activity…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::AccountListPane</name>
    <message>
        <source>Search mailboxes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filters the list by address, name and provider.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sort</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sort mailboxes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the order of the list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs attention first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mailboxes that need a sign-in, have errors, are offline or failed a mail login come first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name (A–Z)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected mailboxes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find mailbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No mailbox matches “%1”.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::AccountModel</name>
    <message>
        <source>Outlook / Microsoft 365</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gmail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>less than a minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n days</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs sign-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs sign-in: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline · will retry in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline · will retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 login failed · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected · renews in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected · renewal due</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline · works until %1, will retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline · access expired at %1, will retry</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::AccountService</name>
    <message>
        <source>The vault is not unlocked yet. Wait until MailKey has opened it, then try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This account is no longer in MailKey.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only a vault that could not be opened can be reset.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No providers are configured.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider &quot;%1&quot; of this account is no longer configured, so its folders cannot be listed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no mail folder API, so MailKey cannot list its folders. Its tokens can still be used by mail programs (IMAP/SMTP).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey is closing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything MailKey held was erased. Start MailKey again to begin anew.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was imported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything was already erased.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey is still opening the vault. Wait until it has finished, then erase again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in needed soon: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::ActivityView</name>
    <message>
        <source>Activity log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mailbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search the activity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Mailbox:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Event:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All mailboxes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not about one mailbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>—</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n entries</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n entries</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::AlertMonitor</name>
    <message>
        <source>%1 sign-in attempts failed within the last hour. If you did not try to sign in this often, someone may be trying to connect a mailbox on this computer: check the activity log and your accounts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed sign-ins within one hour; last: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey rejected a sign-in reply that it did not expect (%1). This can be a leftover browser tab, or an attempt to slip someone else&apos;s sign-in into MailKey. If you did not just sign in, check the activity log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Renewing this account&apos;s access failed %1 times in a row. MailKey keeps retrying with longer pauses; last reason: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 consecutive refresh failures; last: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::AuditReader</name>
    <message>
        <source>The activity was not read: the vault was closed meanwhile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The activity could not be read off the window&apos;s thread.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::Autostart</name>
    <message>
        <source>The autostart entry %1 could not be removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The autostart entry %1 could not be written (%2).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::BackgroundService</name>
    <message>
        <source>MailKey&apos;s background service is not serving.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A token refresh was still running when the window took over.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::BackupDialog</name>
    <message>
        <source>Back up to a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore from a backup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The backup holds every mailbox with its tokens, MailKey&apos;s settings and your custom providers, encrypted with a passphrase you choose. With the file and the passphrase, MailKey on another computer works at once, without signing in again. Anyone who has both can use your mailboxes: keep the passphrase apart from the file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mailboxes of the backup are added to MailKey, and those already here get the backup&apos;s tokens unless the sign-in here is newer. Settings and custom providers this computer does not have are restored. It all happens at once or not at all.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backup file:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The same passphrase again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Again:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Include the activity log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back Up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose where to save the backup.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the backup file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a file in an existing folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The passphrase needs at least %1 characters: the backup holds every token, and a short passphrase can be guessed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the same passphrase twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no file %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be read: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the passphrase the backup was made with.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey backups (*.mkb)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey backups (*.mkb);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::BackupFile</name>
    <message>
        <source>The backup key could not be derived (out of memory?).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The backup file is damaged or incomplete (truncated, or changed after it was written): it cannot be restored. Use another copy of it. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The backup could not be encrypted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This file is not a MailKey backup (it does not start like one). Give the file that &apos;mailkey-cli export&apos; wrote; to import from another program, use --from. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This backup was written by a newer MailKey (backup format %1; this MailKey reads format %2). Update MailKey, then import it again. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The passphrase does not open this backup (or the start of the file is damaged). Check the passphrase (it is case-sensitive) and try again. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::Backups</name>
    <message>
        <source>This computer has its own %1: the backup&apos;s copy was written to %2 for you to compare.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer has its own %1, and the backup&apos;s copy could not be written beside it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The custom providers were restored to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning: the custom providers could not be written to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings restored: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file could not be written to %1 (%2). Nothing was written there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be read: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is too large to be a MailKey backup.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added:   %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updated: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kept:    %1 (the sign-in here is newer than the imported one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 added, %2 updated, %3 kept as they were.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 audit log entries were added to the audit log (%2 were already in it).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::Banner</name>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Working</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dismiss message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::ConnectPanel</name>
    <message>
        <source>Sign-in in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for you to sign in in your browser…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>If no browser opened, copy this address into one:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preparing the sign-in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>and enter this code:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the sign-in on the other device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>QR code of the sign-in address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the provider for a sign-in code…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On your phone or another computer, open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for you to finish signing in there…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The code works until %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Or scan this with a phone: the code is in it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Or scan the address with a phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The address to open on the other device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The code to enter on the other device</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::ConnectSession</name>
    <message>
        <source>This sign-in took too long and has expired. Please connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not answer the token request in time. Please connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault is not open, so MailKey cannot store a new account. Unlock the vault first, then connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This provider is not known to MailKey.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider &quot;%1&quot; has no authorization or token endpoint. Check its settings in providers.json.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey could not open a local port to receive the answer of the sign-in page. Check that the redirect host and path of &quot;%1&quot; are valid and that local connections are allowed, then connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey could not build the sign-in address for &quot;%1&quot;. Check the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in answer did not come from %1, so MailKey did not use it. Please connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be reached or is unavailable right now%2, so the sign-in could not be completed. Please connect again in a few minutes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (HTTP %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is now connected (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is already connected; sign-in renewed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider &quot;%1&quot; has no token endpoint. Check its settings in providers.json.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the connection was refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the name %1 was not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it did not answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its certificate is not trusted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the connection failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey cannot reach %1, the sign-in page of %2: %3. The browser cannot show the sign-in page either. Check your internet connection (and the provider&apos;s address, for a custom provider); MailKey keeps trying, or cancel and try again later.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::CrossProcessLock</name>
    <message>
        <source>MailKey cannot use its lock file %1 (%2). Check that the folder exists and that you can write to it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::DeviceAuthorization</name>
    <message>
        <source>The sign-in server sent a reply MailKey cannot use to start a sign-in on another device (%1). Try again; if it keeps happening, check the device authorization address in the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in service is unavailable right now (HTTP %1), so the sign-in on another device could not be completed. Start again in a few minutes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in service could not be reached, so the sign-in on another device could not be completed. Check the network connection and start again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gmail cannot be connected by signing in on another device: Google&apos;s sign-in for devices without a browser allows only a few permissions (basic profile, some Drive and YouTube access), and mail access (https://mail.google.com/) is not one of them. Connect the account with &quot;mailkey-cli connect google&quot; on a computer with a browser, save it there with &quot;mailkey-cli export&quot;, and bring it here with &quot;mailkey-cli import&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider &quot;%1&quot; has no device authorization endpoint, so MailKey cannot sign in to it on another device. If the provider supports the device authorization grant (RFC 8628), add &quot;device_authorization_endpoint&quot; to its entry in providers.json; otherwise connect it with a browser.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::EmptyState</name>
    <message>
        <source>No mailboxes connected yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey signs in to your mailboxes with your provider&apos;s own sign-in page and keeps their tokens in an encrypted vault on this computer.
Your mail programs then get a fresh access token from MailKey instead of your password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 needs a client ID before you can connect it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How do I get one?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open %1 in your browser</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::HealthClock</name>
    <message>
        <source>the organisation&apos;s sign-in frequency policy limits how long a sign-in lasts, and that time has passed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in needed now (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Google ends sign-ins to apps in Testing status %1 days after each sign-in; MailKey does not know when the last one was</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Google ends sign-ins to apps in Testing status after %1 days, whatever MailKey does</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in needed by %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft ends sign-ins unused for %1 days; MailKey refreshes every %2 days while it runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in needed by %1 if MailKey does not run before (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Google ends sign-ins unused for %1 months; MailKey refreshes every %2 days while it runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey does not know when this provider ends sign-ins</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::IdToken</name>
    <message>
        <source>The sign-in reply contained an identity token MailKey cannot read (%1). Sign in again; if it keeps happening, check the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The identity token cannot be checked: the expected issuer, client ID or time is missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in reply contained an unsigned identity token. Sign in again; if it keeps happening, the provider settings may point to the wrong server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The identity token does not name its organisation (tid). Sign in again; if it keeps happening, check the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The identity token was issued by &quot;%1&quot;, not by the expected &quot;%2&quot;. Sign in again; if it keeps happening, check the issuer in the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The identity token was issued for a different app. Sign in again; if it keeps happening, check the client ID in the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The identity token names several apps but not which one it was issued to. Sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The identity token was issued to a different app. Sign in again; if it keeps happening, check the client ID in the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The identity token has already expired. Check that this computer&apos;s date and time are correct, then sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The identity token is dated in the future. Check that this computer&apos;s date and time are correct, then sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in reply does not belong to this sign-in attempt. Sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::IpcServer</name>
    <message>
        <source>A local socket named %1 belongs to another user; mailkey-cli will open the vault itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another MailKey window of this profile already answers mailkey-cli.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli cannot reach this window: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This MailKey window speaks protocol version %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown request &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The MailKey window has not opened the vault.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The list of %n account(s) is too long to pass through the MailKey window; unlock your keyring and run the command again.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The MailKey window does not hand over.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::IssuerDiscovery</name>
    <message>
        <source>The issuer %1. Enter the provider&apos;s issuer address, such as https://id.example.com.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the issuer address, or fill in the endpoints below by hand.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::KeyStore</name>
    <message>
        <source>The entry was not found in the keychain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your keyring is locked or denied access to MailKey. Unlock your keyring (for example by logging in to your desktop session, or with your keyring manager such as Seahorse or KWalletManager) and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keychain reported an error. Check that your keyring service (%1) is running and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey could not delete an entry from your keychain. Check that your keyring is unlocked and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keychain reported an unknown error.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>macOS Keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Windows Credential Manager</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secret Service (GNOME Keyring or KWallet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No secure storage is available. MailKey keeps its vault key in a keyring that implements the Secret Service (GNOME Keyring, KeePassXC) or in KWallet, reached through your desktop session&apos;s D-Bus. Log in to a desktop session, or install and start gnome-keyring, then try again. Nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No secure storage is available: %1 could not be reached. Nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::KeyringUnlock</name>
    <message>
        <source>Unlock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asks your keyring to unlock; it shows its own password window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your keyring is asking for its password in a window of its own.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password window was closed, so the keyring stays locked. You can press Unlock again at any time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey could not reach your keyring to ask it to unlock.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keyring did not unlock: it reported an error.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::LoopbackReplyHandler</name>
    <message>
        <source>Sign-in cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access was not granted, so MailKey cannot connect this mailbox. Close this tab and connect again in MailKey if you want to try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider could not complete the sign-in. Close this tab and return to MailKey for what to do next.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> The provider said: “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You can close this tab and return to MailKey.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in link not valid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This sign-in link is not valid for the current attempt. Return to MailKey and connect again if you are still signing in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in not accepted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This sign-in answer did not come from the expected provider, so MailKey did not use it. Please connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This sign-in took too long and has expired. Please connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is nothing here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This request is not supported here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request took too long.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request could not be handled.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::MailCheck</name>
    <message>
        <source>The CA file %1 cannot be read (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CA file %1 holds no PEM certificate (-----BEGIN CERTIFICATE-----).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No server to check.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The address cannot be used in a mail command.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The check was stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 The server said: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server sent more after accepting STARTTLS (bytes that could have been injected on the way). Nothing else was sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 verified; %2, %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server sent more than MailKey reads without an end of line.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server closed the connection.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The certificate of %1 is not trusted (%2). Nothing was sent to the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host name %1 was not found: check the name and your network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refused the connection: no mail server listens on that port, or a firewall blocks it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS with %1 could not be set up (%2). Nothing was sent to the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server closed the connection instead of answering.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to %1 broke (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not answer within %2 seconds (%3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server sent a line longer than MailKey reads.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server ended the session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server turned the connection away.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s greeting is not an IMAP greeting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused STARTTLS. MailKey never logs in without TLS: use TLS from the first byte (port 993) if the server offers it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused the CAPABILITY command.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused the login.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>EXAMINE INBOX: the INBOX opened (read-only).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server accepted the login, then refused to open the INBOX.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server sent a reply longer than MailKey reads.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s reply is not an SMTP reply.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused EHLO.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not offer STARTTLS. MailKey never logs in without TLS: use TLS from the first byte (port 465) if the server offers it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused STARTTLS. MailKey never logs in without TLS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server accepted the login, then refused MAIL FROM (no mail can be sent).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MAIL FROM:&lt;%1&gt; accepted, then RSET: nothing was sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused RSET after MAIL FROM.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server sent a reply nobody asked for.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not offer %1 (it offers: %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server offers no OAuth login (XOAUTH2 or OAUTHBEARER); it offers: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server sent a second SASL challenge.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logged in with %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::MailCheckPanel</name>
    <message>
        <source>Test mail connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log in to this mailbox&apos;s IMAP and SMTP servers with MailKey&apos;s tokens, as a mail program would. No message is sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testing the mail connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mail connection results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy for administrator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copies what an administrator of your organization needs: the exact command or address, and why.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What your administrator needs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>just now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For your administrator: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not tested yet. Test whether mail programs can log in to this mailbox&apos;s IMAP and SMTP servers with MailKey&apos;s tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Works</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2, %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 works</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last tested %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
Test again to see what to do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testing the mail connection… (getting a fresh token for each server, then logging in)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not tested: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was not tested: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Works (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Login refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate not trusted: nothing was sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to do: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every login works: mail programs that get their token from MailKey can read and send mail.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No token could be had for the mail servers, so nothing was tested: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not every server could be tested; see below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A mail program would not get in; see below for what to do.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::MailDiagnosis</name>
    <message>
        <source>Google&apos;s access tokens are opaque: nobody but Google can read whom or what they are for, so MailKey cannot check the token itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This access token is opaque (not a JWT; personal Microsoft accounts and many providers issue such tokens): MailKey cannot read whom or what it is for.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token is for Microsoft Graph (aud %1), not for Outlook&apos;s %2 server: Outlook refuses it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token is for another resource (aud %1), not for Outlook (https://outlook.office.com).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mail programs must ask for the %1 token: mailkey-cli token ADDRESS --resource %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token lacks the permission %1 (it has: %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add the delegated permission Office 365 Exchange Online %1 to the app registration, then sign in again: mailkey-cli connect microsoft --login-hint %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In a work or school tenant an administrator may have to grant consent for %1 to the app.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token names another user (%1 %2) than the address that logs in (%3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in again as %1 (mailkey-cli connect PROVIDER --login-hint %1), or log in with the address %2. An alias of the mailbox only works if it is also its primary address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The certificate of %1 is not trusted, so MailKey sent no login.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the host name. For your own server, give its CA certificate with --ca FILE. On a network that intercepts TLS (a company proxy, a hotel portal) your mail program would be refused too, or worse, would send the token to the interceptor.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be reached or stopped answering.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the host name and port, your network and firewall (outgoing port %1), and try again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not offer what a mail program needs here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the server settings: host, port, and TLS from the first byte (993, 465) or STARTTLS (143, 587).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft accepted the token, then could not open the mailbox (&quot;User is authenticated but not connected&quot;). The signed-in user has no Exchange Online mailbox for this address, the address is another mailbox than the one signed in, or IMAP is turned off for the mailbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in with the account that owns %1 (mailkey-cli connect microsoft --login-hint %1). For a shared mailbox, log in as its user name with your own account&apos;s token only if you have full access to it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An Exchange Online administrator can turn IMAP on for the mailbox: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server accepted the login, then refused to open the INBOX.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mail programs will log in and then fail. Check that the mailbox exists and that IMAP is enabled for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server accepted the login, then refused to send as %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send from the address of the mailbox you signed in with, or ask for the right to send as %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An Exchange Online administrator can grant Send As permission for %1 (Add-RecipientPermission).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SMTP AUTH (&quot;Authenticated SMTP&quot;) is turned off for this mailbox or for the whole organization (535 5.7.139). The token is fine; Microsoft 365 refuses every SMTP login.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask your Microsoft 365 administrator to turn on Authenticated SMTP for %1, or send through another way your organization allows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exchange Online PowerShell (Connect-ExchangeOnline first): %1. For the whole organization: Set-TransportConfig -SmtpClientAuthenticationDisabled $false.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The SMTP server refused the login (535 5.7.3 Authentication unsuccessful). With Microsoft 365 this means SMTP AUTH is off for the mailbox, the token is not for SMTP (SMTP.Send), or it names another mailbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>See what the token says below; sign in again if it names another user: mailkey-cli connect microsoft --login-hint %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An administrator can turn on Authenticated SMTP for the mailbox: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in again: mailkey-cli connect %1 --login-hint %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In Google Workspace an administrator must allow IMAP/SMTP access and the app (Admin console, Security, API controls).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The IMAP server refused the token (NO [AUTHENTICATIONFAILED]).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check what the token says below. If it is right, IMAP may be turned off for the mailbox, or the app may lack IMAP.AccessAsUser.All or consent for it; then sign in again: mailkey-cli connect microsoft --login-hint %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in again (mailkey-cli connect %1 --login-hint %2); if that does not help, check that IMAP is enabled for the mailbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refused the login (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the token is invalid, expired or revoked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the token lacks a scope the server needs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the login request was malformed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>status %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> The server expects the scope %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s %1 error says: %2.%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The SMTP server did not accept the token (535 5.7.8, credentials not accepted): it is expired or revoked, for another account, or lacks the mail scope%1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::MailDoctor</name>
    <message>
        <source>An administrator of the organization can grant MailKey&apos;s permissions for all its users at %1 (signed in as a Global, Privileged Role or Cloud Application Administrator).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the provider %1 names no %2 server: give --%3 HOST[:PORT] (or add &quot;%3_host&quot; to its entry in providers.json)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::MailFolderFetcher</name>
    <message>
        <source>%1 has no mail folder API, so MailKey cannot list its folders. Its tokens can still be used by mail programs (IMAP/SMTP).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not answer in time when MailKey asked for the mail folders. Try again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not accept MailKey&apos;s access to this mailbox (HTTP 401): the sign-in has expired or was revoked. Reconnect the account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not allow MailKey to read the mail folders (HTTP 403). Reconnect the account and grant the mail permissions MailKey asks for.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is busy or unavailable (HTTP %2). Try again in a few minutes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refused to list the mail folders (HTTP %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey could not reach %1 to list the mail folders (%2). Check the connection and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 sent an unexpectedly large folder list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 sent a folder list MailKey could not read. Try again later.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::MailServer</name>
    <message>
        <source>a %1 server is HOST[:PORT], %1s://HOST[:PORT] (TLS from the first byte) or %1://HOST[:PORT] (STARTTLS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an IPv6 address is written in brackets: [ADDRESS]:PORT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the %1 server needs a host name or an IP address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the port of the %1 server is a number from 1 to 65535</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>port %1 is not a standard %2 port: write %2s://HOST:%1 for TLS from the first byte or %2://HOST:%1 for STARTTLS</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::MainWindow</name>
    <message>
        <source>MailKey</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mailboxes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in address copied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening your vault…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening your vault</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign out &amp;everywhere…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mail&amp;box</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reload &amp;folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh &amp;now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Renew the selected mailbox&apos;s access token now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;move…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About MailKey</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About MailKey</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey %1
Connects mailboxes with OAuth 2.0 and keeps their tokens in an encrypted vault (SQLCipher %2), keyed from your system keychain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Some provider settings were not used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (needs a client id)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a provider…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening the vault…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encrypted vault (SQLCipher %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset vault…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your mailboxes are shown here once the vault opens. Nothing has been deleted.
Vault: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vault not open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Renewing the access of %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The access of %1 was renewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 needs to be signed in again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The access of %1 was not renewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 needs a client id first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing in again as %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in could not start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey could not start the sign-in. Check the provider settings and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mailbox connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed in again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not set up yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not reach %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was changed. You can close the browser tab.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in stopped before it began. Check the provider settings and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove mailbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove %1 from MailKey?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey asks %1 to revoke its access where the provider allows it, and deletes the tokens from this computer. Mail programs that get their password from MailKey stop working for this mailbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mailbox removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access of %1 revoked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The access of %1 may still be active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mailbox was not removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign out everywhere</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is for when you think a token or this computer was compromised.

MailKey will ask every provider that supports it to revoke its access, delete every token from the vault, give the vault a new key and record the incident in the activity log.

Every mailbox stays in the list but has to be signed in again, and mail programs that use MailKey stop working until you do. At Microsoft, also remove MailKey under &quot;Apps and services&quot; of your account to end sessions there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I understand that every mailbox has to be signed in again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing out everywhere…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoking access and wiping tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign out everywhere did not finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect each mailbox to use it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed out everywhere</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset vault</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set this vault aside and start an empty one?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault file %1 is moved aside, not deleted, so it can still be recovered if its key turns up. A new, empty vault with a new key is created. Every mailbox has to be connected again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault was not reset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The old vault was set aside</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It is now at %1, and its key stays in your keychain. A new, empty vault was created.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repeated failed sign-ins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token refreshes keep failing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A sign-in response was rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show mailbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Test mail connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log in to the selected mailbox&apos;s IMAP and SMTP servers as a mail program would</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Managed by your administrator: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your administrator&apos;s policy (%1): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the vault…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your administrator has turned the mail connection test off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This mailbox needs a new sign-in first: use Reconnect.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mail connection cannot be tested now: the vault is not open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mail connection of %1 works.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> and </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Back up to a file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Restore from a backup…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Erase e&amp;verything…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Erased</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encrypting the backup… (the passphrase is made slow to guess on purpose: this takes a moment)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The backup was not written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backed up</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es) and the activity log were written to %1, encrypted. Keep your passphrase safe: the backup cannot be restored without it.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es) were written to %1, encrypted. Keep your passphrase safe: the backup cannot be restored without it.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Decrypting the backup… (this takes a moment)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was restored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restored from the backup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Erase everything</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey will ask every provider that supports it to revoke its access, then delete every mailbox and token, the vault with every copy a reset kept, and its keys in the keychain.%1

Mail programs that get their passwords from MailKey stop working. This cannot be undone; a backup (File → Back up to a file…) can be restored later. MailKey quits afterwards.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> Your settings and custom providers are deleted too.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I understand that everything MailKey holds is deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Erase Everything</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Erasing everything…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoking MailKey&apos;s access at the providers, then deleting the vault and its keys.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was erased</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything MailKey held was erased.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything was erased except what is listed under &quot;Not removed&quot;. Remove it by hand.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not removed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey quits now. Starting it again begins anew.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit MailKey</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be renewed now, and still works</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show MailKey</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey keeps running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your mail programs still get fresh tokens. Open MailKey from here, or quit it from this icon&apos;s menu.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The custom providers read from it before are still used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--providers %1 was not used: your administrator turned custom providers off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Activity log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything MailKey did with your mailboxes and their tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show activity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A sign-in will be needed soon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in code copied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in on another device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No provider here offers it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gmail: only with a browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Google&apos;s sign-in for devices without a browser does not allow mail access.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot sign in on another device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to %1 on another device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was changed. The code no longer works; you can close the sign-in page on the other device.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::ManagedPolicy</name>
    <message>
        <source>custom providers (providers.json) are turned off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the mail connection test is turned off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: client id %2%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (with a client secret)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: tenant %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no provider may be connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>only these providers may be connected: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the file is not valid JSON (%1 at offset %2): nothing of it applies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the file is not a JSON object: nothing of it applies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>providers: must be an object of provider ids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>providers: %1 is not a provider id with settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: is not a valid client secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 is not a valid value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: unknown setting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>providers.%1.client_secret: a client secret without a client id is ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>allowed_providers: must be a list of provider ids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>allowed_providers: %1 is not a provider id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>disabled_features: must be a list of feature names</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>disabled_features: %1 is not a feature MailKey knows (known: custom_providers, mail_check)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the file cannot be read (%1): nothing of it applies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the file is larger than 64 KiB: nothing of it applies</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::MuttOAuth2Token</name>
    <message>
        <source>This is not a mutt_oauth2.py token file: it is not one JSON object (JSON error at byte %1). Give the output of its decryption pipe, e.g. &apos;gpg --decrypt FILE&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is not a mutt_oauth2.py token file: it has no &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The &quot;email&quot; of this mutt_oauth2.py token file is not an e-mail address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This mutt_oauth2.py token file has no refresh token (it was never authorized). Run &apos;mutt_oauth2.py --authorize FILE&apos; first, or connect the account with &apos;mailkey-cli connect&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This mutt_oauth2.py token file has no &quot;client_id&quot;: this version of the script keeps it in its &apos;registrations&apos;. The refresh token works only with that client: add &quot;client_id&quot; and &quot;client_secret&quot; from the script to the JSON (see docs/backup-format.md), then import again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::OAuthErrorCatalog</name>
    <message>
        <source>Google says the sign-in has expired or was revoked (for example MailKey&apos;s access was removed in the Google account, the password was changed, or the Google Cloud project is in &quot;Testing&quot; mode, where sign-ins expire after 7 days). Sign in again. To stop the 7-day expiry, set the OAuth consent screen of the project to &quot;In production&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in is no longer valid (it expired, was revoked, or the code was already used). Sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You declined access, so MailKey cannot connect this mailbox. To connect it, sign in again and allow the requested access.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider denied access. Sign in again and allow the requested access.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider needs you to sign in interactively (for example to confirm an extra security step). Sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You need to sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey needs your permission to access this mailbox. Sign in again and accept the requested permissions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider needs you to choose an account. Sign in again and pick the account of this mailbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider does not accept MailKey&apos;s redirect address for this client ID. For Google, the OAuth client must be of type &quot;Desktop app&quot; (it allows http://127.0.0.1 on any port); check the client ID in the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider does not recognise the app&apos;s client ID or secret. Check the client ID (and the client secret, if the provider needs one) in the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The app&apos;s OAuth client was deleted at the provider. Create a new client and enter its ID in the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This app is not allowed to use this kind of sign-in. Check the app registration: it must be a desktop / public client that may use the authorization code flow.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider would not renew MailKey&apos;s access with the permissions (scopes) it granted at sign-in: it has withdrawn or narrowed some of them since. This is not caused by your settings. Sign in again to grant MailKey access anew.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider does not accept the permissions (scopes) MailKey asked for. Check the scopes in the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider does not support this kind of token request. Check the token address in the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider does not allow this app to request an authorization code. Check the app registration and the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider rejected the request as incomplete or malformed. Check the provider settings; if it keeps happening, please report it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your Google Workspace administrator does not allow MailKey, or one of the permissions it needs. Ask your administrator to trust the app (Admin console, Security, API controls).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This OAuth client may only be used by accounts of the organisation that owns it. Sign in with an account of that organisation, or make the app&apos;s consent screen &quot;External&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider refused sign-in from this browser. Open the sign-in page in your normal web browser and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in service had an internal error. Try again in a few minutes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in service is temporarily unavailable. MailKey will try again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in service received too many requests. MailKey will try again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in service is unavailable (HTTP %1). MailKey will try again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider refused the sign-in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider refused the request.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider refused the sign-in with the error &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider refused the request with the error &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It said: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in again; if it keeps happening, check the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider said: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in was declined on the other device, so MailKey did not connect this mailbox. To connect it, start again and allow the requested access there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The code for signing in on another device expired before the sign-in was finished there. Start again and enter the new code within the time shown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in on the other device is not finished yet. Finish it there, or start again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This app may not use the sign-in on another device (the device code flow). For Microsoft, set &quot;Allow public client flows&quot; to Yes under Authentication in the app registration; for other providers, allow the device code grant for this client. Or sign in with a browser instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider does not support signing in on another device. Sign in with a browser instead.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::OidcDiscovery</name>
    <message>
        <source>%1 did not answer within %2 seconds (%3). Check your connection and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not reach %1 (%2): %3. Check your connection and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not available right now (%2). Try again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to %1 failed (%2): %3. Try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey cannot use the OpenID configuration of %1 (%2): %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the issuer of this provider in providers.json, or set its endpoints there.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::PrivateLocation</name>
    <message>
        <source>MailKey will not use the folder %1: other users of this computer can change it (mode %2), so they could have replaced the vault&apos;s files. Check what is in it, then make it private (chmod 700 &quot;%1&quot;) and try again. Nothing was opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey will not use %1: it belongs to another user (uid %2), who could change or replace it. It must belong to you. Nothing was opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey will not use its data folder below %1: other users of this computer can rename what is in %1 (mode %2), so they could swap the vault&apos;s folder. Remove their write permission (chmod o-w,g-w &quot;%1&quot;), or set MAILKEY_DATA_DIR to a private folder, and try again. Nothing was opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey will not open %1: it is a link or not a regular file, which MailKey never makes. Someone may have put it there to make MailKey write elsewhere. Check it, remove it, and try again. Nothing was opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey will not open %1: it has more than one name (a hard link), which MailKey never makes. Check it, remove the other name, and try again. Nothing was opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey cannot reach its data folder %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey could not create its data folder %1. Check that your home folder is writable and not full.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey could not create its data folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey&apos;s data folder %1 is a link that does not lead to a folder. Nothing was opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey&apos;s data folder %1 is not a folder. Nothing was opened.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::ProfileEraser</name>
    <message>
        <source>%1 could not be removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your keyring is locked. Unlock it (for example with Seahorse, or by logging in to your desktop session) and erase again. Nothing was erased.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 Nothing was erased: without the keychain, MailKey can neither revoke the accounts nor remove the vault&apos;s key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not revoked (%2); its tokens are deleted with the vault.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: MailKey&apos;s access revoked at the provider</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: deleted here; %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 could not be removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>keychain entry %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keychain entry %1 could not be removed: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::ProfileFetcher</name>
    <message>
        <source>%1 gave the account&apos;s e-mail address as &quot;%2&quot;, which is not a mailbox address MailKey can use (at most 254 characters, a local part of at most 64, no control, bidi or other invisible characters, no spaces, quotes or brackets). Nothing was stored. Ask the provider&apos;s administrator to correct the address, then connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 described the account with an identifier that holds control or invisible characters, so MailKey did not connect it. Nothing was stored. Please report this to the provider&apos;s administrator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey could not verify the sign-in answer of %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This account belongs to a Microsoft tenant that the provider settings do not allow (tenant &quot;%1&quot;). Sign in with another account or change the tenant setting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not tell MailKey the e-mail address of the account (no &quot;email&quot; claim and no userinfo endpoint). Add the &quot;email&quot; scope to the provider settings and connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey cannot tell which mailbox this is: %1 has neither a userinfo endpoint nor sent an id_token. Add &quot;userinfo_endpoint&quot; or the &quot;openid&quot; scope to the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not answer in time when MailKey asked which mailbox this is. Check the connection and connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey could not reach %1 to find out which mailbox this is (%2). Check the connection and connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 sent an unexpectedly large answer for the account profile. Please connect again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not accept the new sign-in when MailKey asked which mailbox it is (HTTP 401). Please connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not allow MailKey to read the account&apos;s profile (HTTP 403). Make sure the permissions MailKey asks for (User.Read for Microsoft, email and profile otherwise) are granted, then connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is busy or unavailable (HTTP %2), so MailKey could not find out which mailbox this is. Try connecting again in a few minutes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refused to tell MailKey which mailbox this is (HTTP %2). Please connect again; if it keeps happening, check the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 sent an answer MailKey could not read when asked which mailbox this is. Please connect again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 described a different account than the one that signed in, so MailKey did not connect it. Please connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not tell MailKey the e-mail address of this account. Make sure the account has a mailbox and that the &quot;email&quot; permission is granted, then connect again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::Provider</name>
    <message>
        <source>The Microsoft tenant &quot;%1&quot; is not valid. Use common, organizations, consumers, a tenant id (GUID) or a domain such as contoso.onmicrosoft.com.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Microsoft authority host &quot;%1&quot; is not valid. Use a host name such as login.microsoftonline.com (or login.microsoftonline.us, login.partner.microsoftonline.cn for national clouds).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::ProviderEditor</name>
    <message>
        <source>Custom providers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Provider</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Provider to edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Example Mail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Derived from the name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Used by mailkey-cli (connect ID) and in the redirect address; a-z, 0-9 and &quot;-&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discover</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the endpoints from the issuer&apos;s OpenID configuration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authorization endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty with the token endpoint: discovered at sign-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty with the authorization endpoint: discovered at sign-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device authorization endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional: sign-in on another device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revocation endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional: Remove revokes the sign-in there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User info endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From the provider&apos;s app registration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional: a desktop client&apos;s secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scopes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IMAP port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SMTP port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IMAP server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional: imap.example.com</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SMTP server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional: smtp.example.com</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fix the file in a text editor first; MailKey does not overwrite a file it cannot read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New provider</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another provider in this file already has the id &quot;%1&quot;; choose another.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The scope %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register this redirect address with the provider (with any port):
http://%1%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking up the OpenID configuration of %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Found: %1. Add the client id of your app registration, then Save.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove provider</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the provider &quot;%1&quot; from %2? Mailboxes signed in with it stay in the list but cannot refresh their tokens until it is added again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discard the changes to this provider?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discard the changes to &quot;%1&quot;?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>They have not been saved to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discard changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Provider details</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::ProviderFile</name>
    <message>
        <source>The custom providers file %1 %2. Fix or remove the file; the built-in providers are still available.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::ProviderFileEditor</name>
    <message>
        <source>The providers file %1 cannot be read (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The providers file %1 changed while it was read; try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The providers file %1 has no provider &quot;%2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 cannot be created.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The providers file %1 cannot be written (%2).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::ProviderRegistry</name>
    <message>
        <source>The provider &quot;%1&quot; in %2 was left out: %3. Fix the entry and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no provider &quot;%1&quot;. Known providers: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Built-in client id for %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none (set your own)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your administrator does not allow connecting %1 accounts with MailKey (policy: %2). Allowed: %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1. In the Microsoft Entra admin center (https://entra.microsoft.com), open App registrations → New registration.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2. Under Redirect URI choose the &quot;Public client/native (mobile &amp; desktop)&quot; platform (shown as &quot;Mobile and desktop applications&quot; under Authentication → Add a platform) and enter %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>   MailKey adds a free port at each sign-in; Entra ignores the port for http://localhost, but the path must match.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>   Do not use the &quot;Web&quot; platform (AADSTS7000218).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>3. Copy the Application (client) ID and set it in the environment variable %1, in MailKey&apos;s settings (Providers), or as the setting %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1. In the Google Cloud console (https://console.cloud.google.com), enable the Gmail API (APIs &amp; Services → Library).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2. Set up the OAuth consent screen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>3. APIs &amp; Services → Credentials → Create credentials → OAuth client ID → application type &quot;Desktop app&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>   Desktop clients accept the loopback redirect http://127.0.0.1 on any port, so there is no redirect URI to register (MailKey uses %1 with a free port).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>4. Copy the client id and client secret (a desktop client&apos;s secret is not confidential, but Google asks for it).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>   Set them in the environment variables %1 and %2, or in MailKey&apos;s settings (Providers).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>While the app is in &quot;Testing&quot; mode, add your address as a test user; its sign-ins then expire after 7 days.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1. Register MailKey with %1 (issuer %2) as a public (native) client using the authorization code flow with PKCE.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2. Register the redirect URI %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>   MailKey picks a free port at each sign-in, so the server must accept %1, as RFC 8252 section 7.3 requires for loopback redirects.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>3. Set the client id in the environment variable %1, in MailKey&apos;s settings (Providers),</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>   or as &quot;client_id&quot; of provider &quot;%1&quot; in %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey has no client id for %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::RefreshFailurePolicy</name>
    <message>
        <source>Offline, will retry at %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline, will retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (Microsoft error AADSTS%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider&apos;s reply could not be used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 MailKey will try again at %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey could not reach the provider.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline: %1 The mailbox keeps working until %2; MailKey will try again at %3.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::Revoker</name>
    <message>
        <source>MailKey deleted the tokens of %1 from this computer. Microsoft does not let desktop apps revoke their own sign-in, so MailKey&apos;s access stays listed in your Microsoft account until it expires unused (after about 90 days).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To remove it now, open %1, select MailKey and choose &quot;Remove these permissions&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To remove it now, open %1, find MailKey, and choose &quot;Manage&quot; → &quot;Revoke permissions&quot; (if you cannot, ask your organisation&apos;s administrator to remove MailKey&apos;s access for your account).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To remove it now: for a personal Microsoft account open %1 and remove MailKey; for a work or school account open %2, find MailKey and revoke its permissions (or ask your administrator).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault is not open yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That account is not in the vault.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey deleted the tokens of %1 from this computer. %2 offers no way for MailKey to revoke its access, so remove MailKey in your account&apos;s security settings%3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey deleted %1 from this computer. It held no tokens to revoke at %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey deleted the tokens of %1 from this computer, but cannot revoke them at %2 because no client id is configured. Remove MailKey&apos;s access in your account&apos;s security settings (%3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey deleted the tokens of %1 from this computer and %2 confirmed that MailKey&apos;s access was revoked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey deleted the tokens of %1 from this computer. %2 could not confirm the revocation right now (%3); MailKey will keep trying in the background while it runs. To be sure, remove MailKey&apos;s access yourself at %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey deleted the tokens of %1 from this computer, but %2 refused to revoke MailKey&apos;s access (%3). Remove it yourself at %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 asked MailKey to wait</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no answer: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the token was already invalid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in your account settings at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has now confirmed that MailKey&apos;s access to %2 was revoked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 still could not revoke MailKey&apos;s access to %2 (%3), and MailKey has stopped trying. The tokens were already deleted from this computer; remove MailKey&apos;s access yourself %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey deleted the tokens of %1 from this computer. Its provider, &quot;%2&quot;, is not among the providers MailKey knows now (the built-in ones and the providers file in use), so its sign-in was not revoked there: it stays valid at that provider until it expires or you remove MailKey&apos;s access in your account&apos;s security settings there.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::SettingsDialog</name>
    <message>
        <source>MailKey Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outlook / Microsoft 365</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Application (client) ID from Microsoft Entra</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authority host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redirect URI to register (platform &quot;Mobile and desktop applications&quot;): %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gmail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OAuth client ID of a &quot;Desktop app&quot; client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The desktop client&apos;s secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A desktop client&apos;s secret is not confidential, but MailKey never shows it in logs. Redirect: %1 with any port (nothing to register).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom providers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Providers file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A JSON file with RFC 8414 field names; see the README. Empty: %1 if it exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom providers file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is too long to be a client id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A client id has no spaces or invisible characters; copy it again from the provider&apos;s console.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use common, organizations, consumers, your tenant id (a GUID) or your domain (for example contoso.onmicrosoft.com).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter a host name only, such as login.microsoftonline.com or login.microsoftonline.us (no https://, no path, no port).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The environment variable %1 is set; it takes precedence over this setting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 client id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From the providers file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Built into this MailKey: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom providers (turned off by your administrator)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set by your administrator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These settings come from %1 and cannot be changed here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left out of the policy (tell your administrator):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set by your administrator (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activity log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>forever</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep entries for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Older entries are removed when MailKey starts, under a hash checkpoint, so &quot;mailkey-cli audit --verify&quot; still proves the rest of the log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In the background</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep MailKey running when the window is closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start MailKey in the background when you log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens stay fresh and mail programs get theirs while the window is closed. Open the window again from the MailKey icon in the system tray, or by starting MailKey again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens stay fresh and mail programs get theirs while the window is closed. This desktop has no system tray: open the window again by starting MailKey again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add or edit providers…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A form for the providers in the file: discover the endpoints from an issuer, or fill them in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Given with --providers for this run; the saved setting is not changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Given with --providers for this run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::SignOutEverywhere</name>
    <message>
        <source>The vault is not open yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed out everywhere. Sign in again to reconnect this mailbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No keychain is available to store a new vault key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Signed out everywhere: %n account(s) now need to be signed in again.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Every token was deleted from this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleting the tokens FAILED.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault key was replaced.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replacing the vault key FAILED.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-ins revoked at the provider: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revocations still being retried: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-ins MailKey cannot revoke (remove them by hand): %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revocations the provider refused: %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::TokenBroker</name>
    <message>
        <source>The vault is not open yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a resource: use graph, imap or smtp.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an e-mail address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a known provider (known: %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No account with the address %1 is connected. See the connected accounts with: mailkey-cli list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No %1 account with the address %2 is connected. See the connected accounts with: mailkey-cli list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is connected with more than one provider (%2): add --provider ID.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To sign in again: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To connect it: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::TokenManager</name>
    <message>
        <source>The vault is not open yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That account is not in the vault (it may have been removed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 needs to be signed in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no resource &quot;%2&quot; (known: default, imap, smtp).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 asked MailKey to wait before the next request.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey has no refresh token for %1 (the provider did not issue one, or the tokens were wiped). Sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When %1 was signed in, %2 did not grant MailKey the access that &quot;%3&quot; needs (%4). Sign in again and allow that access.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another MailKey program (the window or mailkey-cli) is renewing this account&apos;s access and has not finished. Try again in a minute.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That account is not in the vault.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token address of %1 is not known.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No providers are configured.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider &quot;%1&quot; of %2 is not configured any more. Add it back to providers.json, or remove the account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token address of %1 is not known yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::TokenReply</name>
    <message>
        <source>The sign-in server sent a reply MailKey cannot use (%1). Try again; if it keeps happening, check the token address in the provider settings, and whether a proxy or a Wi-Fi login page is in the way.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token address in the provider settings does not answer like an OAuth token endpoint (HTTP %1). Check the token URL in the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider refused the app (HTTP %1) without saying why. Check the client ID and client secret in the provider settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in server did not answer. Check your internet connection; MailKey will try again later.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::Vault</name>
    <message>
        <source>MailKey cannot unlock its vault (%1): the key in your keychain does not open it, or the start of the file is damaged. If you copied the vault from another computer or profile, its keychain entry must come with it. The file was not changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault file (%1) is damaged and cannot be read. It was not changed. Restore it from a backup, or move it aside and connect your accounts again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault (%1) cannot be written: the file or its folder is read-only or not yours. Check its permissions (it should be yours, mode 0600, in a 0700 folder).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The disk that holds the vault (%1) is full. Free some space and try again; nothing was lost.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault (%1) is busy in another MailKey process. Try again in a moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault file (%1) could not be read or written (input/output error). Check the disk, then try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault (%1) was written in the SQLCipher 4 format (by a MailKey built with SQLCipher 4, such as the Debian 13, Windows or macOS packages), which this build (SQLCipher %2) cannot read. Open it with that MailKey; the file was not changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This MailKey build is linked against a SQLite without encryption. It refuses to open or write the vault. Install a build linked with SQLCipher.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault (%1) reported an unexpected error.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault reported an unexpected error while %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault key has the wrong size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no vault at %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A vault already exists at %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This vault was written by a newer version of MailKey (schema %1). Update MailKey to open it; the file was not changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An account needs a provider and an e-mail address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That account is not in the vault.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entry %1 is missing (deleted)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entry %1 does not follow the entry before it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entry %1 was modified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the newest entries were removed (the log ends before its recorded head)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That setting is reserved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new vault key has the wrong size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the checkpoint of the pruned log is malformed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the checkpoint of the pruned log does not match the pruning that made it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault has schema %1, not %2, so it cannot be read without changing it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::VaultAccess</name>
    <message>
        <source>MailKey&apos;s vault for profile &quot;%1&quot; exists, but its key is not in your keychain. If your keyring is locked, unlock it and try again. If the key was deleted, the vault cannot be opened; MailKey will not replace the key on its own, because that would make the vault unreadable for good. To start over, reset the vault (mailkey-cli --profile %1 reset-vault --yes, or Reset in the window): the old file is kept aside, not deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your keyring is locked, so MailKey cannot read its vault key. Unlock your keyring (for example with Seahorse, or by logging in to your desktop session) and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another MailKey program is changing the vault key right now. Wait a moment and try again; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no vault to reset for profile &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey could not move %1 aside.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault of profile &quot;%1&quot; opens with the key in your keychain, so there is nothing to reset and nothing was changed. To remove accounts, remove them one by one or sign out everywhere.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::VaultErrorAdvice</name>
    <message>
        <source>No keychain is available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey keeps the key of its vault in your system keychain and does not store it anywhere else. Start or install a keyring (GNOME Keyring, KWallet or another Secret Service), make sure you are in a desktop session, then press Retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key of your vault is missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your vault is still on disk, but its key is not in the keychain. If you can restore the keychain (for example from a backup), do that and press Retry. Otherwise, &quot;Reset vault…&quot; moves the old vault aside (it is not deleted) and starts an empty one; every mailbox then has to be connected again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keychain did not answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that your keyring is running and unlocked, then press Retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault does not open with the key in your keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keychain holds a different key than the one this vault was made with. Restore the right keychain entry and press Retry, or &quot;Reset vault…&quot; to move this vault aside and start an empty one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore the vault file from a backup and press Retry, or &quot;Reset vault…&quot; to move the damaged file aside (it is kept for recovery) and start an empty vault.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault cannot be written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the permissions of the vault&apos;s folder, then press Retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault&apos;s folder is not private</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another user of this computer could change the vault&apos;s folder or files. Follow the advice above, then press Retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The disk is full</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free some disk space, then press Retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault is busy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another MailKey program is using the vault. Wait a moment, then press Retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault was written by a newer MailKey</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open it with the MailKey that wrote it (one built with SQLCipher 4), or install that version here. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This MailKey build cannot encrypt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It was built without SQLCipher and will not write anything. Install an official MailKey package.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault could not be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the disk and the permissions of the vault&apos;s folder, then press Retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault could not be opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Press Retry. If this keeps happening, start MailKey from a terminal to see more details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your keyring is locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Once it is unlocked, press Retry. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Press Unlock to type your keyring&apos;s password in its own window; MailKey then opens the vault. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::app::Main</name>
    <message>
        <source>Connect mailboxes with OAuth 2.0 and keep their tokens in an encrypted vault.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the profile NAME (its own vault). Default: default.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey: a profile name has letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos; only (up to 64 characters).
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start without showing the window (the login autostart entry uses it); starting MailKey again shows it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use FILE as the custom providers file for this run (instead of the one in Settings).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::cli::BackupCommands</name>
    <message>
        <source>--passphrase-fd %1: that file descriptor cannot be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--passphrase-fd %1: the passphrase is longer than %2 bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--passphrase-fd is not supported on this system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--passphrase-fd takes a file descriptor number (e.g. 3 with 3&lt;FILE)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a passphrase is needed, and there is no terminal to type it on: give it on a file descriptor with --passphrase-fd N (e.g. --passphrase-fd 3 3&lt;FILE)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backup passphrase: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The same passphrase again: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the two passphrases differ; nothing was written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>give the passphrase on a file descriptor with --passphrase-fd N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the passphrase is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the passphrase is shorter than %1 characters: the backup holds every token, and a short passphrase can be guessed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli %1: %2.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be read: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is too large to be an import file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>needs --output FILE and no other arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--output %1: not a file in an existing folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 accounts%2 were written to %3, encrypted. Keep your passphrase safe: the backup cannot be restored without it.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> and %1 audit log entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was imported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the token file&apos;s registration &quot;%1&quot; is not google or microsoft: name the MailKey provider with --provider ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a known provider (known: %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account keeps the app registration (client id) of mutt_oauth2.py: its refresh token belongs to that client.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Its grant covers Outlook IMAP, POP and SMTP: ask for tokens with --resource imap or --resource smtp.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>needs one file (or - for standard input)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--provider is for --from mutt-oauth2 only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a mutt_oauth2.py token file has no passphrase (decrypt it with its own pipe, e.g. gpg --decrypt FILE | mailkey-cli import --from mutt-oauth2 -)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--from takes mutt-oauth2 (pizauth and oama: see docs/backup-format.md), not &apos;%1&apos;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::cli::CheckCommand</name>
    <message>
        <source>mailkey-cli check: warning: the check could not be recorded in the audit log (%1).
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every login works.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  =&gt; %1 works (%2, %3 ms).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  =&gt; %1 failed at %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  Problem: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  Fix: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  Administrator: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not checked: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking %1 (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--sasl is xoauth2 or oauthbearer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli check: your administrator has turned the mail connection test off (policy: %1).
</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::cli::Cli</name>
    <message>
        <source>mailkey-cli: %1 needs a value.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli: &apos;%1&apos; is not a valid profile name (letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;, up to 64 characters).
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli: unknown option &apos;%1&apos;. See: mailkey-cli --help
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli: unknown command &apos;%1&apos;. See: mailkey-cli --help
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] token EMAIL [--resource graph|imap|smtp]
                   [--sasl xoauth2|oauthbearer [--host HOST] [--port PORT]]
                   [--provider ID] [--providers FILE]

Prints a valid access token for EMAIL on standard output, followed by a newline. A token
that expires within 60 seconds is refreshed first, and the refreshed token is stored in
the vault before anything is printed. Every hand-out is recorded in the audit log with the
program that asked. When the MailKey window is running, the token comes from it.

  --resource R    graph (default), imap or smtp. Microsoft issues a separate token for
                  Outlook IMAP (https://outlook.office.com/IMAP.AccessAsUser.All) and
                  SMTP (https://outlook.office.com/SMTP.Send); Google and custom
                  providers use the sign-in token for all three.
  --sasl M        print the base64 string for AUTHENTICATE instead of the token
                  (implies --resource imap unless --resource is given):
                  xoauth2      user=EMAIL^Aauth=Bearer TOKEN^A^A
                  oauthbearer  n,a=EMAIL,^Ahost=HOST^Aport=PORT^Aauth=Bearer TOKEN^A^A
                               (RFC 7628; ^A is the byte 0x01)
  --host, --port  the server named in an OAUTHBEARER string. Default: Microsoft
                  outlook.office365.com 993 (imap), smtp.office365.com 587 (smtp);
                  Google imap.gmail.com 993, smtp.gmail.com 587; other providers and
                  graph: left out (RFC 7628 does not require them).
  --provider ID   which account, when EMAIL is connected with several providers
  --providers F   custom providers file (then the window is not asked)

Exit codes: 0 printed, 2 usage, 3 unknown account, 4 needs sign-in,
5 vault or keychain unavailable or locked, 6 network failure, 1 anything else.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] remove EMAIL [--provider ID] [--providers FILE]

Removes the account: deletes its tokens from the vault (always), and revokes its sign-in at
the provider where the provider allows it (Google, custom providers with a revocation
endpoint). Microsoft offers no revocation to apps like MailKey: the tokens are deleted here
and the message says where to remove MailKey&apos;s access in your Microsoft account. What
happened is printed on standard error.
  --provider ID   which account, when EMAIL is connected with several providers
  --providers F   custom providers file (then the window is not asked)
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] sign-out-everywhere --yes [--providers FILE]

For when a token or this computer may be compromised: revokes every sign-in the providers
allow, deletes the tokens of every account (they stay listed as &quot;needs sign-in&quot;), gives
the vault a new key and records an incident in the audit log. Without --yes it only says
what it would do.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] rotate-key

Re-encrypts the vault with a new random key and stores it in the keychain. Safe to
interrupt: the vault always opens with what the keychain holds. When the MailKey window
is running, it does the rotation (it has the vault open).
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] reset-vault --yes

For a vault that cannot be opened with the key in your keychain (the key is gone, or
the file is damaged): moves the vault file aside (kept, never deleted), keeps its key in
the keychain under a new name, and creates a new, empty vault with a new key. Refused,
changing nothing, when the vault opens, when the keyring is locked or unreachable, and
while the MailKey window is running.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli: unknown command &apos;%1&apos;. Did you mean &apos;mailkey-cli %2&apos;? See: mailkey-cli --help
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli help: takes one command name. See: mailkey-cli --help
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] export --output FILE [--passphrase-fd N] [--with-audit]

Writes an encrypted backup of this profile: the accounts with their tokens, the vault&apos;s
settings, settings.ini and the custom providers file; the audit log only with --with-audit.
The passphrase is asked for twice on the terminal (at least 8 characters), or read from
file descriptor N up to the first newline (scripts: --passphrase-fd 3 3&lt;FILE). The file is
written atomically with mode 0600. Encryption: scrypt (N=2^17, r=8, p=1) and AES-256-GCM
(docs/backup-format.md). Anyone with the file and the passphrase can use your mailboxes.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] import FILE [--passphrase-fd N]
       mailkey-cli [--profile NAME] import --from mutt-oauth2 FILE|- [--provider ID]

Merges a backup made by &apos;mailkey-cli export&apos; into this profile&apos;s vault, in one transaction
(all of it or nothing). Accounts are matched by provider and address, as connect matches
them: new ones are added, existing ones get the backup&apos;s tokens, unless the sign-in here is
newer. Settings and custom providers this computer does not have are restored. Says what it
added and updated. FILE - reads standard input.

  --passphrase-fd N      read the passphrase from file descriptor N instead of the terminal
  --from mutt-oauth2     FILE is a mutt_oauth2.py token file as its decryption pipe prints it
                         (gpg --decrypt TOKENFILE | mailkey-cli import --from mutt-oauth2 -);
                         the account keeps that script&apos;s client id and secret
  --provider ID          the MailKey provider for its registration (default: google or
                         microsoft, as the file names it)

Exit codes: 9 the passphrase is wrong; 10 the file is not a backup, is damaged or
truncated, or was written by a newer MailKey. Nothing is changed then.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] check EMAIL [--imap SERVER] [--smtp SERVER] [--ca FILE]
                   [--sasl xoauth2|oauthbearer] [--json] [--provider ID] [--providers FILE]

Checks that a mail program gets in: gets a fresh token for IMAP and one for SMTP (as `token`
does), logs in to each server with it, runs one more command to catch a server that accepts
the login and then refuses to work (IMAP EXAMINE INBOX; SMTP MAIL FROM and RSET: no message is
sent), and logs out. Each step is printed with its time; a failure is explained with what to
do, and for work and school accounts what an administrator must do. The token is never
printed. Every check is recorded in the audit log.

  --imap SERVER   default: the provider&apos;s (Microsoft outlook.office365.com:993, Google
  --smtp SERVER   imap.gmail.com:993; smtp.office365.com:587, smtp.gmail.com:587; custom
                  providers: &quot;imap_host&quot; and &quot;smtp_host&quot; in providers.json).
                  SERVER is HOST[:PORT]: 993 and 465 speak TLS from the first byte, 143 and
                  587 STARTTLS; for other ports write imaps://HOST:PORT or imap://HOST:PORT
                  (smtps://, smtp://).
  --ca FILE       trust only the CA certificates in this PEM file (for your own server)
                  instead of the system&apos;s. A certificate that does not verify ends the
                  check before anything is sent; there is never a fallback to plain text.
  --sasl M        log in with xoauth2 or oauthbearer (default: XOAUTH2 when offered)
  --json          one JSON object, with one object per server and its steps, and the
                  version fields format (1) and mailkey_version
  --provider ID   which account, when EMAIL is connected with several providers
  --providers F   custom providers file (then the window is not asked)

Exit codes: 0 every login works, 7 a server refused the login or the command after it,
8 a server&apos;s certificate is not trusted, 6 network failure, 2 usage, 3 unknown account,
4 needs sign-in, 5 vault or keychain unavailable or locked, 1 anything else.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Managed by your administrator: %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] status [--json]

Prints the profile, where the vault is, the keychain in use, whether the MailKey window
is running (mailkey-cli then asks it for tokens), and, after unlocking the vault, its
cipher version and the number of accounts. Only looks: on first run it says there is
no vault yet and creates nothing (no vault, no folder, no keychain entry), exit 0.
A vault that cannot be unlocked: exit 5, with what to do.
  --json   one JSON object: format, mailkey_version, profile, vault (none, unlocked or
           unavailable), vault_path, cipher, keychain_backend, keychain_service,
           keychain_entry, window (running, starting, incompatible or not-running),
           window_pid, accounts, error (null when none)
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] erase-all --yes [--all-profiles]

Erases everything MailKey keeps for the profile: revokes each account&apos;s access where the
provider allows it, then deletes the vault with its WAL, SHM and lock files, every vault
reset-vault moved aside, and the profile&apos;s keys in the keychain; prints what it removed.
A keychain that cannot be reached, or a running MailKey window, stops it before
anything is deleted.
  --all-profiles  every profile, and MailKey&apos;s settings.ini and providers.json
  --yes           confirm (without it, nothing is done)
Exit codes: 0 everything was removed, 1 something could not be removed (listed),
2 usage, 5 keychain unavailable or locked (nothing was erased).
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] audit [EMAIL] [--json] [--since TIME] [--verify]

Shows the audit log, newest first: sign-ins, refreshes, token hand-outs, failures.
  EMAIL         only the entries of that account
  --since TIME  a date (2026-11-20), a time (2026-11-20T10:00:00Z) or an age (7d, 12h, 30m)
  --until TIME  the end of the range, the same forms (with --since and --json: your own
                export of a period)
  --json        one JSON array, an object per entry (with format, 1, and mailkey_version)
  --verify      check the hash chain instead: exit 0 when intact, 1 when an entry was
                edited or deleted
  --prune [--keep-days N]
                remove the entries older than N days (default: Settings, 365) under a hash
                checkpoint, so --verify still proves the rest
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] connect PROVIDER [--login-hint EMAIL] [--no-browser]
                   [--providers FILE]
       mailkey-cli [--profile NAME] connect PROVIDER --device [--providers FILE]

Connects a mailbox: PROVIDER is microsoft (Outlook.com, Microsoft 365), google (Gmail,
Google Workspace) or the id of a provider in providers.json. The sign-in address is printed
on standard error and opened in your browser; MailKey waits for the answer on a loopback
address (127.0.0.1 or localhost) and a port chosen for this sign-in, then prints the
connected address on standard output. Connecting an account again renews its sign-in.
Ctrl-C cancels (exit code 130). The sign-in expires after 10 minutes.

With --device, no browser is needed here: MailKey prints an address and a code on
standard error; open the address on any device (a phone, another computer), enter the
code and sign in there, and MailKey connects the mailbox when you are done (OAuth 2.0
device authorization grant, RFC 8628). For microsoft and for providers with a
device_authorization_endpoint; not for google, whose device sign-in does not allow mail
access (connect on a computer with a browser, then use export and import).

  --login-hint EMAIL  fill in the account name on the sign-in page
  --no-browser        do not start a browser: open the printed address yourself, in a
                      browser on this computer
  --device            sign in on another device with a code (see above)
  --providers FILE    custom providers file instead of &lt;config&gt;/providers.json
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] COMMAND [OPTIONS]

Keeps OAuth 2.0 tokens of your mailboxes in an encrypted vault and hands fresh access
tokens to mail programs (mutt, msmtp, mbsync, aerc, git send-email).

Commands:
  connect PROVIDER [--login-hint EMAIL] [--no-browser] [--device]
                         sign in to a mailbox (microsoft, google or a custom provider);
                         --device: on another device, with a code
  token EMAIL [--resource graph|imap|smtp] [--sasl xoauth2|oauthbearer]
                         print a valid access token (or the SASL string) for EMAIL
  check EMAIL [--imap SERVER] [--smtp SERVER] [--ca FILE] [--json]
                         log in to the IMAP and SMTP servers with fresh tokens, as a mail
                         program would, and say what fails and how to fix it
  list [--json]          connected accounts with provider, status and expiry
  remove EMAIL           revoke where the provider allows it, delete the tokens here
  audit [EMAIL] [--json] [--since TIME] [--verify]
                         the audit log; --verify checks its hash chain
  rotate-key             re-encrypt the vault with a new key
  sign-out-everywhere --yes
                         revoke and delete every token, new vault key, incident recorded
  status [--json]        the vault, its cipher, the keychain, the MailKey window, the accounts
                         (only looks: creates nothing on first run)
  reset-vault --yes      move an unreadable vault aside and start a new one (keeps the old file)
  export --output FILE [--passphrase-fd N] [--with-audit]
                         write an encrypted backup (accounts, tokens, settings, providers)
  import FILE [--passphrase-fd N] | import --from mutt-oauth2 FILE|-
                         merge a backup, or a mutt_oauth2.py token file, into the vault
  erase-all --yes [--all-profiles]
                         revoke, then delete the vault, its copies and its keychain keys
  serve                  keep the tokens fresh in the background without the window, and
                         answer token requests (a systemd user unit runs it: see the README)

Options:
  --profile NAME         use a separate vault with its own key (default: &quot;default&quot;)
  --providers FILE       custom providers file (used by connect, token, check, remove,
                         sign-out-everywhere and serve)
  --profile and --providers may also follow the command.
  -h, --help             show help (also: mailkey-cli help COMMAND, mailkey-cli COMMAND --help)
  --version              show the version

Only the requested value goes to standard output; messages go to standard error.
Every --json output has &quot;format&quot;: 1 (its schema version) and &quot;mailkey_version&quot;.
When the MailKey window or `mailkey-cli serve` is running, mailkey-cli asks it for tokens
(one shared cache).
Set MAILKEY_DEBUG=1 to see diagnostic messages (secrets are never shown).

Exit codes: 0 success, 1 other failure, 2 usage error, 3 account not found,
4 needs sign-in, 5 vault or keychain unavailable or locked, 6 network failure,
7 a mail server refused the login (check), 8 a mail server&apos;s certificate is not
trusted (check), 9 wrong backup passphrase (import), 10 not a backup, damaged or
from a newer MailKey (import), 130 cancelled (Ctrl-C).
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] serve [--providers FILE]

Keeps the profile&apos;s tokens fresh without the MailKey window: refreshes each access token
ahead of its expiry, keeps idle accounts alive, and answers mailkey-cli token over the
same private socket the window uses. Runs until stopped (SIGTERM, Ctrl-C); a refresh
in flight is committed before it ends.
One process serves a profile at a time: when the MailKey window starts, serve hands
over to it and stands by; when the window closes, serve takes over again. A second
serve for the same profile ends at once.
The package installs a systemd user unit, off until you turn it on:
  systemctl --user enable --now mailkey.service
Exit codes: 0 stopped, 1 already running, 2 usage, 5 keychain unavailable or locked.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: mailkey-cli [--profile NAME] list [--json]

Lists the connected accounts with provider, status and token expiry, under a header
row. Only looks: on first run it creates no vault.
  --json   one JSON array, an object per account: email, provider, display_name,
           status, status_reason, expires_at, last_refresh_at, connected_since,
           sign_in_needed_by (when a new sign-in is expected to be needed, UTC;
           null: unknown), sign_in_needed_reason (inactivity, google-testing,
           max-age or unknown), format (the schema version, 1) and mailkey_version
</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::cli::CliSupport</name>
    <message>
        <source>--providers: there is no file %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 needs a value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is given twice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown option &apos;%1&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli %1: %2. See: mailkey-cli %1 --help
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli: warning: %1.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The MailKey window took the request but stopped answering (%1). Check the result with: mailkey-cli list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>needs the address of an account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>takes one address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an e-mail address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--providers: custom providers are turned off by your administrator (%1).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::cli::ConnectCommand</name>
    <message>
        <source>needs one provider: microsoft, google or the id of a custom provider</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--login-hint &apos;%1&apos; is not an e-mail address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a known provider (known: %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to %1 in your browser at this address:

  %2

</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open it in a browser on this computer (the answer comes back to 127.0.0.1/localhost). Waiting; Ctrl-C cancels.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your browser was asked to open it. Waiting; Ctrl-C cancels.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no graphical session here: open the address in a browser on this computer. Waiting; Ctrl-C cancels.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No browser could be started: open the address yourself. Waiting; Ctrl-C cancels.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in cancelled.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a known provider. Did you mean &apos;%2&apos;? (known: %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To sign in to %1, open %2 on any device (a phone or another computer) and enter the code %3

</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Or open this address, which has the code in it:

  %1

</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The code is valid for %n minute(s), until %1. Waiting for the sign-in; Ctrl-C cancels.
</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>--device cannot be combined with --no-browser or --login-hint</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::cli::EraseCommand</name>
    <message>
        <source>The vault of profile &quot;%1&quot; could not be opened (%2): nothing in it could be revoked at the providers. It is deleted anyway.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The accounts of profile &quot;%1&quot; could not be read for revocation (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>removed: %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There was nothing of MailKey to remove.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>takes no arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli erase-all: this revokes MailKey&apos;s access where the provider allows it and deletes every account, token, the vault with every copy reset-vault kept, and its keys in the keychain, of profile %1%2. It cannot be undone (a backup made with &apos;mailkey-cli export&apos; can be imported). Run again with --yes to confirm.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, and MailKey&apos;s settings and providers file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The MailKey window of profile &quot;%1&quot; is running and has its vault open. Erase it there (File → Erase everything…), or quit it first and run erase-all again. Nothing was erased.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::cli::ServeCommand</name>
    <message>
        <source>account %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>serving profile %1 (mailboxes: %2); mailkey-cli token is answered here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refresh of %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 needs a new sign-in: mailkey-cli connect %2 --login-hint %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>takes no arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--providers: there is no file %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli serve: already running for profile %1 (pid %2); nothing to do.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli serve: already running for profile %1; nothing to do.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the MailKey window is starting: handing over to it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the MailKey window is open and keeps the tokens fresh; serving again when it closes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stopping.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a token refresh did not finish in time; the next start retries it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::cli::TokenCommands</name>
    <message>
        <source>&apos;%1&apos; is not an e-mail address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--resource is graph, imap or smtp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--sasl is xoauth2 or oauthbearer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--port is a number from 1 to 65535 (0 leaves it out)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--host and --port only go with --sasl oauthbearer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--host is a host name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey deleted the tokens of %1 (%2) from this computer. The provider could not be reached to revoke the sign-in, and mailkey-cli does not stay to try again: the sign-in stays valid at the provider until it expires or you remove MailKey&apos;s access there%3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MailKey deleted the tokens of %1 (%2) from this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>needs the address of one account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 provider(s) could not be reached to revoke; mailkey-cli does not stay to try again. Those sign-ins stay valid at the provider until they expire: remove MailKey&apos;s access there by hand.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>takes no arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli sign-out-everywhere: this revokes what the providers allow, deletes the tokens of EVERY account of this profile and gives the vault a new key; every account must then be signed in again. Run again with --yes to confirm.
</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::cli::VaultCommands</name>
    <message>
        <source>connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refreshing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>needs sign-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offline, will retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>takes no arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No accounts are connected. Connect one with: mailkey-cli connect microsoft|google|&lt;custom id&gt;
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>takes at most one address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--since takes a date (2026-11-20), a time (2026-11-20T10:00:00Z) or an age (7d, 12h, 30m)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The audit log is intact (%1 entries).
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The audit log was tampered with: %1.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No account with the address %1 is connected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault was re-encrypted with a new key; the keychain holds the new key.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The MailKey window re-encrypted the vault with a new key; the keychain holds the new key.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running (pid %1); token requests go through it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running (pid %1), its vault is not open yet; mailkey-cli opens the vault itself</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running, but it does not understand this mailkey-cli (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not running (a socket of another user has its name: ignored)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not running; mailkey-cli opens the vault itself</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile:   %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vault:     %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keychain:  %1 (service &quot;%2&quot;, entry &quot;%3&quot;)
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>App:       %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State:     unavailable
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cipher:    SQLCipher %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts:  %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mailkey-cli reset-vault: this moves the current vault file aside and starts an empty one; all connected accounts must then be connected again. The old file is kept. Run again with --yes to confirm.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The MailKey window is running and has the vault open. Quit it first, then run reset-vault again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The unreadable vault was moved to %1 (kept, not deleted).
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Its key stays in your keychain (service &quot;%1&quot;): the entries of profile &quot;%2&quot; ending in %3.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> and </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new, empty vault was created.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ADDRESS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROVIDER</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STATUS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TOKEN EXPIRES</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vault:     none yet (will be %1)
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State:     no vault yet; the first sign-in (mailkey-cli connect PROVIDER, or the MailKey window) creates it and its key
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State:     unlocked
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--keep-days takes a number of days from 1 to 36500</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The audit log is kept forever (Settings); nothing was pruned.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n audit entries older than %1 days removed; the rest still verifies (audit --verify).
</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>--until takes a date (2026-11-20), a time (2026-11-20T10:00:00Z) or an age (7d, 12h, 30m)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not running; mailkey-cli serve (pid %1) keeps the tokens fresh and answers token requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not running; mailkey-cli serve (pid %1) is opening the vault</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::ipc::IpcMessages</name>
    <message>
        <source>text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>text of at most %1 characters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>true or false</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a whole number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a list of texts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an ISO 8601 time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed request: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The MailKey window sent a malformed reply: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; must be %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The MailKey window sent no token.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mailkey::ipc::IpcProtocol</name>
    <message>
        <source>The MailKey app could not answer the request.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
