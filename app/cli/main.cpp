#include "core/common/ProcessHardening.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    mailkey::hardenProcess();
    QCoreApplication app(argc, argv);
    return 0;
}
