#pragma once

#include "models/Oid.h"

#include <QWidget>

#include <memory>
#include <vector>

class QLabel;
class QPlainTextEdit;
class QSplitter;
class QSyntaxHighlighter;
class QToolButton;
class QTreeWidget;

namespace bw {

namespace git {
struct CommitDetails;
}

// The commit details pane: header (sha, author, dates, parents, refs), message, file
// list, diffstat and highlighted patch. Loads off the GUI thread; the newest request
// wins and an older result is dropped; errors show inline.
class CommitDetailsView : public QWidget {
    Q_OBJECT
public:
    enum class State { Empty, Loading, Shown, Failed };

    explicit CommitDetailsView(QWidget *parent = nullptr);
    ~CommitDetailsView() override;

    // Loads `oid` from the repository at `repoPath` on a worker (which opens its own
    // repository handle) and shows it when done, unless a newer request came first.
    void showCommit(const QString &repoPath, const Oid &oid);
    void clear();

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] Oid currentOid() const { return m_shown; } // null unless Shown
    // Patch size limit for later loads (bytes of UTF-8; negative: none).
    void setMaxPatchBytes(qsizetype bytes) { m_maxPatchBytes = bytes; }

signals:
    void loaded(const bw::Oid &oid);
    void loadFailed(const QString &message);
    void parentActivated(const bw::Oid &oid);

protected:
    void changeEvent(QEvent *event) override;

private:
    void display(const git::CommitDetails &details);
    void showFailure(const QString &message);
    void setState(State state, const QString &status = {});
    void scrollPatchToFile(int fileIndex);
    void copySha();
    [[nodiscard]] QString headerHtml(const git::CommitDetails &details) const;

    QLabel *m_status = nullptr;
    QWidget *m_content = nullptr;
    QLabel *m_header = nullptr;
    QToolButton *m_copy = nullptr;
    QPlainTextEdit *m_message = nullptr;
    QTreeWidget *m_files = nullptr;
    QPlainTextEdit *m_patch = nullptr;
    QSyntaxHighlighter *m_highlighter = nullptr;

    State m_state = State::Empty;
    Oid m_shown;
    std::shared_ptr<const git::CommitDetails> m_details; // for re-rendering the header
    quint64 m_generation = 0; // bumped by every request; older results are dropped
    qsizetype m_maxPatchBytes = 4 * 1024 * 1024;
    std::vector<int> m_fileBlocks; // first block of each file's patch, -1 if cut off
    int m_truncationBlock = -1;
};

} // namespace bw
