#include "ui/LogTabs.h"

#include "ui/LogView.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStackedWidget>
#include <QToolButton>

namespace bw {

namespace {

constexpr std::array<LogKind, 4> kKinds{LogKind::Build, LogKind::Console, LogKind::Test,
                                        LogKind::Pipeline};

int pageIndex(LogKind kind) {
    return int(kind);
}

QString tabTitle(LogKind kind) {
    switch (kind) {
    case LogKind::Build:
        return LogTabs::tr("Build");
    case LogKind::Console:
        return LogTabs::tr("Console");
    case LogKind::Test:
        return LogTabs::tr("Test");
    case LogKind::Pipeline:
        return LogTabs::tr("Pipeline");
    }
    return {};
}

} // namespace

LogTabs::LogTabs(QWidget *parent)
    : QTabWidget(parent) {
    setObjectName(QStringLiteral("logTabs"));
    setDocumentMode(true);
    for (LogKind kind : kKinds) {
        Page &page = m_pages[size_t(pageIndex(kind))];
        page.title = tabTitle(kind);
        page.stack = new QStackedWidget(this);
        page.live = new LogView(page.stack);
        page.live->setObjectName(QStringLiteral("live-%1").arg(logName(kind)));
        page.step = new LogView(page.stack);
        page.step->setObjectName(QStringLiteral("step-%1").arg(logName(kind)));
        page.stack->addWidget(page.live);
        page.stack->addWidget(page.step);
        addTab(page.stack, page.title);
    }

    m_stepCorner = new QWidget(this);
    auto *corner = new QHBoxLayout(m_stepCorner);
    corner->setContentsMargins(4, 0, 4, 0);
    m_stepTitle = new QLabel(m_stepCorner);
    m_stepTitle->setObjectName(QStringLiteral("logStepTitle"));
    auto *liveButton = new QToolButton(m_stepCorner);
    liveButton->setObjectName(QStringLiteral("logFollowLive"));
    liveButton->setText(tr("Back to live"));
    liveButton->setAutoRaise(true);
    corner->addWidget(m_stepTitle);
    corner->addWidget(liveButton);
    setCornerWidget(m_stepCorner, Qt::TopRightCorner);
    m_stepCorner->setVisible(false);

    connect(liveButton, &QToolButton::clicked, this, &LogTabs::followLive);
    connect(this, &QTabWidget::currentChanged, this, &LogTabs::onCurrentChanged);
}

void LogTabs::append(LogKind kind, const QByteArray &chunk) {
    const int index = pageIndex(kind);
    m_pages[size_t(index)].live->append(chunk);
    if (!chunk.isEmpty() && (!m_live || currentIndex() != index))
        setMarked(index, true);
}

void LogTabs::clearLive() {
    for (int i = 0; i < int(m_pages.size()); ++i) {
        m_pages[size_t(i)].live->clear();
        setMarked(i, false);
    }
}

void LogTabs::showStep(const QMap<LogKind, QString> &files, const QString &title) {
    for (LogKind kind : kKinds) {
        Page &page = m_pages[size_t(pageIndex(kind))];
        const QString path = files.value(kind);
        if (path.isEmpty())
            page.step->clear();
        else
            page.step->loadFile(path);
        page.stack->setCurrentWidget(page.step);
    }
    m_stepTitle->setText(title);
    m_stepCorner->setVisible(true);
    if (m_live) {
        m_live = false;
        emit liveChanged(false);
    }
}

void LogTabs::followLive() {
    for (Page &page : m_pages) {
        page.stack->setCurrentWidget(page.live);
        page.step->clear(); // frees the past step's text
    }
    m_stepCorner->setVisible(false);
    setMarked(currentIndex(), false);
    if (!m_live) {
        m_live = true;
        emit liveChanged(true);
    }
}

LogView *LogTabs::liveView(LogKind kind) const {
    return m_pages[size_t(pageIndex(kind))].live;
}

LogView *LogTabs::stepView(LogKind kind) const {
    return m_pages[size_t(pageIndex(kind))].step;
}

LogView *LogTabs::view(LogKind kind) const {
    return m_live ? liveView(kind) : stepView(kind);
}

bool LogTabs::hasMarker(LogKind kind) const {
    return m_pages[size_t(pageIndex(kind))].marked;
}

void LogTabs::setMarked(int index, bool marked) {
    if (index < 0 || index >= int(m_pages.size()))
        return;
    Page &page = m_pages[size_t(index)];
    if (page.marked == marked)
        return;
    page.marked = marked;
    setTabText(index, marked ? page.title + QStringLiteral(" ●") : page.title);
    setTabToolTip(index, marked ? tr("New output") : QString());
}

void LogTabs::onCurrentChanged(int index) {
    if (m_live)
        setMarked(index, false);
}

} // namespace bw
