#pragma once

#include <QStringList>

namespace mailkey::cli {

// Entry point of mailkey-cli. Only the requested value goes to stdout; messages go to stderr.
int run(int argc, char **argv);

} // namespace mailkey::cli
