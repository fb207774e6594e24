#include "ui/MainWindow.h"

namespace mailkey {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("MailKey"));
}

} // namespace mailkey
