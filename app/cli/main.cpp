#include "cli/Cli.h"
#include "core/common/ProcessHardening.h"

int main(int argc, char **argv)
{
    mailkey::hardenProcess();
    return mailkey::cli::run(argc, argv);
}
