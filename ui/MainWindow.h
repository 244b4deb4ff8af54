#pragma once

#include <QMainWindow>

class QLabel;

namespace bw {

// The workbench window. For now: the frame (menus, status bar, a welcome page) that
// later features fill in.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);

    // Shows `path` as the current repository in the title and the welcome page.
    void setRepositoryPath(const QString &path);

private:
    void createActions();
    void showAbout();

    QLabel *m_welcome = nullptr;
    QString m_repositoryPath;
};

} // namespace bw
