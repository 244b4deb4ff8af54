#pragma once

#include "models/Recipe.h"

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QTabWidget>

#include <array>

class QLabel;
class QStackedWidget;
class QToolButton;

namespace bw {

class LogView;

// The workbench window's log tabs: Build, Console, Test and Pipeline, one LogView each.
// Live output streams into the live views all the time; showStep() puts a past step's
// log files in front (in views of their own) without interrupting the stream, and
// followLive() brings the live views back. A tab whose live view received output while
// it was not the one shown gets a marker ("Build ●") until it is looked at.
class LogTabs : public QTabWidget {
    Q_OBJECT
public:
    explicit LogTabs(QWidget *parent = nullptr);

    // Live output of the step in progress (GUI thread; cheap, see LogView::append).
    void append(LogKind kind, const QByteArray &chunk);
    // Empties the live views (a new step starts).
    void clearLive();

    // Shows a past step: each kind's file (a kind without a file shows empty). `title`
    // says which step, next to the "Live" button.
    void showStep(const QMap<LogKind, QString> &files, const QString &title = QString());
    // Back to the live views.
    void followLive();
    [[nodiscard]] bool isLive() const { return m_live; }

    [[nodiscard]] LogView *liveView(LogKind kind) const;
    [[nodiscard]] LogView *stepView(LogKind kind) const;
    // The view in front for that kind (live or step).
    [[nodiscard]] LogView *view(LogKind kind) const;
    [[nodiscard]] bool hasMarker(LogKind kind) const;

signals:
    // showStep()/followLive() switched; for the window's step list selection.
    void liveChanged(bool live);

private:
    struct Page {
        QStackedWidget *stack = nullptr;
        LogView *live = nullptr;
        LogView *step = nullptr;
        QString title;
        bool marked = false;
    };

    void setMarked(int index, bool marked);
    void onCurrentChanged(int index);

    std::array<Page, 4> m_pages;
    bool m_live = true;
    QWidget *m_stepCorner = nullptr;
    QLabel *m_stepTitle = nullptr;
};

} // namespace bw
