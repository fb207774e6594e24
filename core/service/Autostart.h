#pragma once

#include "core/common/Result.h"

#include <QString>

namespace mailkey {

// "Start MailKey when you log in": an XDG autostart entry (the freedesktop Desktop Application
// Autostart Specification), $XDG_CONFIG_HOME/autostart/io.github.mailkey.MailKey.desktop, that
// starts `PROGRAM --background` (the window stays hidden; the tokens are kept fresh). Removing
// it turns the option off. On macOS the login item and on Windows the Run key would do the same;
// this project builds on Linux only, so those are documented, not implemented.
namespace Autostart {

QString entryPath();
bool isEnabled();
// Writes (atomically) or removes the entry. `program`: the absolute path of mailkey.
Status setEnabled(bool enabled, const QString &program);

} // namespace Autostart

} // namespace mailkey
