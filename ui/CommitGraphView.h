#pragma once

#include "models/BisectTypes.h"
#include "models/Oid.h"

#include <QTableView>

namespace bw {

class CommitGraphModel;
class RemainingOnlyFilterModel;

// The commit graph as a table with uniform rows: lanes, subject, author, date, sha,
// coloured by the bisect state. Keys G, B and S (and the context menu) ask to mark the
// current commit, C to take its marks back; "remaining only" hides everything the bisect has
// eliminated.
class CommitGraphView : public QTableView {
    Q_OBJECT
public:
    explicit CommitGraphView(QWidget *parent = nullptr);

    void setGraphModel(CommitGraphModel *model);
    [[nodiscard]] CommitGraphModel *graphModel() const { return m_model; }
    [[nodiscard]] RemainingOnlyFilterModel *filterModel() const { return m_filter; }

    // The commit of the current row, if any.
    [[nodiscard]] std::optional<Oid> currentCommit() const;
    // Selects and shows the commit's row; false when it is not shown.
    bool goToCommit(const Oid &oid);
    // The same, turning "remaining only" off when that hides the commit.
    bool reveal(const Oid &oid);
    void setRemainingOnly(bool on);
    // Finds a commit by sha prefix, branch or tag name, or text in the subject (searching
    // down from the current row, wrapping) and makes it current. Returns an empty
    // string when found, otherwise what to tell the user.
    [[nodiscard]] QString find(const QString &text);

signals:
    void markRequested(bw::MarkKind kind, const bw::Oid &commit);
    void clearMarksRequested(const bw::Oid &commit);
    void currentCommitChanged(const bw::Oid &commit);
    // The view turned "remaining only" off by itself (to show a found commit).
    void remainingOnlyChanged(bool on);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void requestMark(MarkKind kind);

    CommitGraphModel *m_model = nullptr;
    RemainingOnlyFilterModel *m_filter = nullptr;
};

} // namespace bw
