#pragma once

#include <QMainWindow>

namespace mailkey {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace mailkey
