#include "core/common/ProcessHardening.h"
#include "ui/MainWindow.h"

#include <QApplication>

int main(int argc, char **argv)
{
    mailkey::hardenProcess();
    QApplication app(argc, argv);
    mailkey::MainWindow window;
    window.show();
    return app.exec();
}
