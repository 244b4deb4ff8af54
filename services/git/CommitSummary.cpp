#include "services/git/CommitSummary.h"

#include "services/git/RepositoryPrivate.h"

#include <QDateTime>
#include <QLocale>
#include <QTimeZone>

namespace bw::git {

QString gitDefaultDate(qint64 time, int offsetMinutes) {
    const QDateTime local = QDateTime::fromSecsSinceEpoch(time, QTimeZone(offsetMinutes * 60));
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const QDate d = local.date();
    const QTime t = local.time();
    const int absOffset = std::abs(offsetMinutes);
    return QString::asprintf("%s %s %d %02d:%02d:%02d %d %c%02d%02d", days[d.dayOfWeek() - 1],
                             months[d.month() - 1], d.day(), t.hour(), t.minute(), t.second(),
                             d.year(), offsetMinutes < 0 ? '-' : '+', absOffset / 60,
                             absOffset % 60);
}

Result<QString> diffTreeSummary(const Repository &repo, const Oid &commit) {
    git_repository *r = raw(repo);
    CommitPtr c;
    const git_oid id = toGit(commit);
    if (int rc = git_commit_lookup(out(c), r, &id); rc < 0)
        return lastError(QStringLiteral("cannot read commit %1").arg(commit.toString()), rc);
    const unsigned parents = git_commit_parentcount(c.get());
    if (parents == 0)
        return QString(); // diff-tree without --root prints nothing for a root commit

    TreePtr tree;
    if (int rc = git_commit_tree(out(tree), c.get()); rc < 0)
        return lastError(QStringLiteral("cannot read the tree of %1").arg(commit.toString()), rc);
    // A single-parent commit without changes shows nothing; a merge always shows its
    // header, and its diffstat is against the first parent (what --cc --stat prints).
    if (parents == 1) {
        CommitPtr parent;
        if (int rc = git_commit_parent(out(parent), c.get(), 0); rc < 0)
            return lastError(QStringLiteral("cannot read the parent of %1").arg(commit.toString()),
                             rc);
        if (git_oid_equal(git_commit_tree_id(parent.get()), git_tree_id(tree.get())))
            return QString();
    }

    CommitPtr first;
    TreePtr firstTree;
    if (int rc = git_commit_parent(out(first), c.get(), 0); rc < 0)
        return lastError(QStringLiteral("cannot read a parent of %1").arg(commit.toString()), rc);
    if (int rc = git_commit_tree(out(firstTree), first.get()); rc < 0)
        return lastError(QStringLiteral("cannot read a tree"), rc);
    DiffPtr diff;
    git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
    if (int rc = git_diff_tree_to_tree(out(diff), r, firstTree.get(), tree.get(), &opts); rc < 0)
        return lastError(QStringLiteral("cannot diff %1").arg(commit.toString()), rc);
    git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
    git_diff_find_similar(diff.get(), &find);
    DiffStatsPtr stats;
    if (int rc = git_diff_get_stats(out(stats), diff.get()); rc < 0)
        return lastError(QStringLiteral("cannot compute the diffstat of %1").arg(commit.toString()),
                         rc);
    GitBuf statText;
    if (int rc = git_diff_stats_to_buf(&statText.buf, stats.get(),
                                       static_cast<git_diff_stats_format_t>(
                                           GIT_DIFF_STATS_FULL | GIT_DIFF_STATS_INCLUDE_SUMMARY),
                                       80);
        rc < 0)
        return lastError(QStringLiteral("cannot format the diffstat of %1").arg(commit.toString()),
                         rc);

    QString text = QStringLiteral("commit %1\n").arg(commit.toString());
    if (parents > 1) {
        // Abbreviated like git's bisect report (core.abbrev, at least 7 and unique).
        text += QStringLiteral("Merge:");
        for (unsigned i = 0; i < parents; ++i) {
            CommitPtr parent;
            GitBuf shortId;
            int rc = git_commit_parent(out(parent), c.get(), i);
            if (rc >= 0)
                rc =
                    git_object_short_id(&shortId.buf, reinterpret_cast<git_object *>(parent.get()));
            if (rc < 0)
                return lastError(
                    QStringLiteral("cannot read a parent of %1").arg(commit.toString()), rc);
            text += u' ' + QString::fromLatin1(shortId.view());
        }
        text += u'\n';
    }
    const git_signature *author = git_commit_author(c.get());
    text += QStringLiteral("Author: %1 <%2>\n")
                .arg(QString::fromUtf8(author->name), QString::fromUtf8(author->email));
    text += QStringLiteral("Date:   %1\n\n")
                .arg(gitDefaultDate(author->when.time, author->when.offset));
    QString message = QString::fromUtf8(git_commit_message(c.get()));
    while (message.endsWith(u'\n'))
        message.chop(1);
    for (const QString &line : message.split(u'\n'))
        text += QStringLiteral("    ") + line + u'\n';
    text += u'\n';
    if (git_diff_num_deltas(diff.get()) > 0) // an unchanged merge shows no diffstat
        text += QString::fromUtf8(statText.view());
    return text;
}

} // namespace bw::git
