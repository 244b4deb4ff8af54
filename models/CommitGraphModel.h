#pragma once

#include "models/BisectEngine.h"
#include "models/CommitDag.h"
#include "models/LaneLayout.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QFlags>
#include <QMetaType>
#include <QSortFilterProxyModel>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace bw {

// The bisect state of one commit, as flags: a commit can be skipped and possibly the
// first bad, bad and the first bad, a candidate and under test.
enum class CommitState : std::uint8_t {
    Good = 0x01,
    Bad = 0x02,
    Skipped = 0x04,
    Candidate = 0x08,  // still in the range
    Eliminated = 0x10, // out of the range (an ancestor of a good, or not below bad)
    UnderTest = 0x20,  // the commit the engine picked next
    FirstBad = 0x40,
    PossibleFirstBad = 0x80, // only skipped commits are left: one of these
};
Q_DECLARE_FLAGS(CommitStates, CommitState)

// Per-commit bisect state, kept apart from the LaneLayout so a verdict changes colours
// and never the layout. Indexed by DAG id; empty means "no bisect".
class BisectAnnotations {
public:
    BisectAnnotations() = default;
    // Marks from the query, candidate/eliminated from BisectEngine::candidates(), under
    // test / first bad / possibly first bad from the outcome. Without a bad commit only
    // the ancestors of the goods are eliminated; when bad is reachable from a good
    // (BothGoodAndBad) there is no range and nothing is candidate or eliminated.
    [[nodiscard]] static BisectAnnotations compute(const CommitDag &dag, const BisectQuery &q,
                                                   const BisectOutcome &outcome);

    [[nodiscard]] int size() const { return static_cast<int>(m_states.size()); }
    [[nodiscard]] bool isEmpty() const { return m_states.empty(); }
    [[nodiscard]] CommitStates states(CommitDag::Id c) const {
        return c < m_states.size() ? CommitStates::fromInt(m_states[c]) : CommitStates();
    }
    // Whether a range exists (some commit is a candidate or eliminated).
    [[nodiscard]] bool hasRange() const { return m_hasRange; }
    [[nodiscard]] int candidateCount() const;

    // For callers that build annotations by hand (replays, tests). `size` commits, none.
    explicit BisectAnnotations(int size)
        : m_states(static_cast<std::size_t>(size), 0) {}
    void set(CommitDag::Id c, CommitStates states);

    friend bool operator==(const BisectAnnotations &, const BisectAnnotations &) = default;

private:
    std::vector<std::uint8_t> m_states;
    bool m_hasRange = false;
};

// Texts that are not in the CommitDag; supplied later by whoever reads commit messages.
struct CommitText {
    QString subject;
    QString author;
    QDateTime date;   // the author date; invalid: the DAG's committer time is shown
    QStringList refs; // branch and tag names pointing here (badges)
};

// The LanesRole value: one row of a LaneLayout. Holds the (immutable) layout, so it stays
// valid whatever the model does afterwards; copying it is one reference count.
class LaneRow {
public:
    LaneRow() = default;
    LaneRow(std::shared_ptr<const LaneLayout> layout, int row)
        : m_layout(std::move(layout))
        , m_row(row) {}

    [[nodiscard]] bool isNull() const { return !m_layout; }
    [[nodiscard]] std::span<const LaneSegment> segments() const {
        return m_layout ? m_layout->row(m_row) : std::span<const LaneSegment>();
    }
    [[nodiscard]] int nodeLane() const { return m_layout ? m_layout->lane(m_row) : -1; }
    [[nodiscard]] int width() const { return m_layout ? m_layout->rowWidth(m_row) : 0; }

    // Same drawing, whichever layout object it comes from.
    friend bool operator==(const LaneRow &a, const LaneRow &b) {
        const auto sa = a.segments();
        const auto sb = b.segments();
        return a.isNull() == b.isNull() && std::equal(sa.begin(), sa.end(), sb.begin(), sb.end());
    }

private:
    std::shared_ptr<const LaneLayout> m_layout;
    int m_row = 0;
};

// A table over an immutable DAG and its lanes (row r = commit id r, newest first), with
// commit texts and bisect annotations layered on top. Nothing is stored per row: data()
// computes every value on demand, so a million rows cost nothing at construction.
// GUI thread only; the DAG and layout may be computed anywhere and handed in.
class CommitGraphModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Column { Graph, Subject, Author, Date, Sha };
    static constexpr int ColumnCount = 5;

    enum class Role {
        LanesRole = Qt::UserRole + 1, // LaneRow; invalid until a layout is set
        StateRole,                    // int: CommitStates
        OidRole,                      // bw::Oid
        ShaRole,                      // QString: the full 40-digit hex
        CommitIdRole,                 // uint: the DAG id (== row)
        TimeRole,                     // qint64: committer time, seconds since the epoch
        RefsRole,                     // QStringList: branches and tags pointing here
    };
    static constexpr int ShortShaLength = 12;

    using TextProvider = std::function<CommitText(CommitDag::Id)>;

    explicit CommitGraphModel(QObject *parent = nullptr);
    CommitGraphModel(std::shared_ptr<const CommitDag> dag, std::shared_ptr<const LaneLayout> lanes,
                     QObject *parent = nullptr);

    // A new history: resets the model, drops texts and annotations.
    void setGraph(std::shared_ptr<const CommitDag> dag, std::shared_ptr<const LaneLayout> lanes);
    // The layout arriving after the DAG (computed on a worker): repaints the graph column.
    void setLanes(std::shared_ptr<const LaneLayout> lanes);
    // Texts by DAG id (shorter vectors leave the rest empty), or a provider called from
    // data(); setting either repaints the text columns.
    void setCommitTexts(std::vector<CommitText> texts);
    void setTextProvider(TextProvider provider);
    // Emits dataChanged (StateRole) over the rows whose state changed, in one signal;
    // never resets the model and never touches the layout.
    void setAnnotations(BisectAnnotations annotations);

    [[nodiscard]] const std::shared_ptr<const CommitDag> &dag() const { return m_dag; }
    [[nodiscard]] const std::shared_ptr<const LaneLayout> &lanes() const { return m_lanes; }
    [[nodiscard]] const BisectAnnotations &annotations() const { return m_annotations; }
    [[nodiscard]] CommitStates states(int row) const {
        return m_annotations.states(static_cast<CommitDag::Id>(row));
    }

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;
    [[nodiscard]] Qt::ItemFlags flags(const QModelIndex &index) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

private:
    [[nodiscard]] CommitText text(CommitDag::Id c) const;
    void textsChanged();

    std::shared_ptr<const CommitDag> m_dag;
    std::shared_ptr<const LaneLayout> m_lanes;
    std::vector<CommitText> m_texts;
    TextProvider m_provider;
    BisectAnnotations m_annotations;
};

// The "remaining only" mode: with it on, only the rows still in play stay — candidates,
// marked commits, the commit under test and the (possible) first bad. A proxy rather
// than a flag inside CommitGraphModel, so the base model stays a plain uniform table and
// QSortFilterProxyModel does the row bookkeeping (rowsRemoved/rowsInserted as verdicts
// arrive, persistent indexes and selection kept). It filters on StateRole, so the
// source's annotation dataChanged re-filters exactly the changed rows. With no range
// yet, or the mode off, every row is accepted.
class RemainingOnlyFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RemainingOnlyFilterModel(QObject *parent = nullptr);

    void setRemainingOnly(bool on);
    [[nodiscard]] bool remainingOnly() const { return m_remainingOnly; }

    [[nodiscard]] static bool isRemaining(CommitStates states);

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow,
                                        const QModelIndex &sourceParent) const override;

private:
    bool m_remainingOnly = false;
};

} // namespace bw

Q_DECLARE_OPERATORS_FOR_FLAGS(bw::CommitStates)
Q_DECLARE_METATYPE(bw::LaneRow)
