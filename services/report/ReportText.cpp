#include "services/report/ReportText.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

namespace bw::report::detail {

namespace {

QString plural(qint64 n, const char *one, const char *many) {
    return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? one : many));
}

QString quotedCommit(const Markup &m, const Oid &oid, const QString &subject) {
    QString s = m.code(shortSha(oid));
    if (!subject.isEmpty())
        s += m.text(QStringLiteral(" (\"%1\")").arg(subject));
    return s;
}

QString stepsSentence(const Tally &t) {
    return QStringLiteral("%1 (%2 skipped)").arg(plural(t.marked, "step", "steps")).arg(t.skipped);
}

} // namespace

QString shortSha(const Oid &oid) {
    return oid.toString().left(12);
}

QString isoTime(qint64 secs, int offsetMinutes) {
    const QDateTime t = QDateTime::fromSecsSinceEpoch(secs, Qt::OffsetFromUTC, offsetMinutes * 60);
    const int off = std::abs(offsetMinutes);
    return t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) +
           QStringLiteral("%1%2:%3")
               .arg(QChar(offsetMinutes < 0 ? u'-' : u'+'))
               .arg(off / 60, 2, 10, QLatin1Char('0'))
               .arg(off % 60, 2, 10, QLatin1Char('0'));
}

QString isoUtcMs(qint64 ms) {
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)
               .toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz")) +
           u'Z';
}

QString authorDate(const CommitRef &c) {
    return isoTime(c.authorTime, c.authorOffsetMinutes);
}

QString formatDuration(qint64 ms) {
    if (ms < 0)
        ms = 0;
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 60'000)
        return QStringLiteral("%1 s").arg(QString::number(double(ms) / 1000.0, 'f', 1));
    const qint64 secs = ms / 1000;
    if (secs < 3600)
        return QStringLiteral("%1 min %2 s").arg(secs / 60).arg(secs % 60);
    return QStringLiteral("%1 h %2 min")
        .arg(secs / 3600)
        .arg((secs % 3600) / 60, 2, 10, QLatin1Char('0'));
}

Tally tally(const ReportData &data) {
    Tally t;
    t.runs = int(data.steps.size());
    for (std::size_t i = 0; i < data.steps.size(); ++i) {
        const StepRecord &s = data.steps[i];
        if (s.classification.verdict == Verdict::Retry)
            ++t.retries;
        switch (s.purpose) {
        case StepPurpose::Bisect:
            if (data.flaky) {
                // Flaky mode marks nothing in git: every decided run is evidence.
                const Verdict v = s.classification.verdict;
                if (!s.cancelled() &&
                    (v == Verdict::Good || v == Verdict::Bad || v == Verdict::Skip)) {
                    ++t.marked;
                    t.skipped += v == Verdict::Skip;
                }
            } else if (const auto mark = stepMark(data, i)) {
                ++t.marked;
                if (*mark == MarkKind::Skip)
                    ++t.skipped;
            }
            break;
        case StepPurpose::Endpoint:
            ++t.endpointRuns;
            break;
        case StepPurpose::Confirm:
            ++t.confirmRuns;
            break;
        case StepPurpose::GoodCheck:
            ++t.goodChecks;
            break;
        }
    }
    if (data.startedMs > 0 && data.finishedMs >= data.startedMs) {
        t.durationMs = data.finishedMs - data.startedMs;
    } else if (!data.steps.empty()) {
        const qint64 first = data.startedMs > 0 ? data.startedMs : data.steps.front().startedMs;
        t.durationMs = std::max<qint64>(0, data.steps.back().finishedMs - first);
    }
    return t;
}

std::optional<MarkKind> stepMark(const ReportData &data, std::size_t index) {
    return index < data.stepMarks.size() ? data.stepMarks[index] : std::nullopt;
}

QString verdictWord(const ReportData &data, std::size_t index) {
    if (const auto mark = stepMark(data, index))
        return data.terms.termFor(*mark);
    switch (data.steps[index].classification.verdict) {
    case Verdict::Good:
        return data.terms.good;
    case Verdict::Bad:
        return data.terms.bad;
    default:
        return verdictName(data.steps[index].classification.verdict);
    }
}

QString verdictClass(const ReportData &data, std::size_t index) {
    if (const auto mark = stepMark(data, index)) {
        switch (*mark) {
        case MarkKind::Good:
            return QStringLiteral("good");
        case MarkKind::Bad:
            return QStringLiteral("bad");
        case MarkKind::Skip:
            return QStringLiteral("skip");
        }
    }
    return verdictName(data.steps[index].classification.verdict);
}

QString stepLabel(const StepRecord &step) {
    QString label = QString::number(step.number);
    if (step.attempt > 1)
        label += QStringLiteral(" (attempt %1)").arg(step.attempt);
    if (step.purpose != StepPurpose::Bisect)
        label += QStringLiteral(" (%1)").arg(purposeName(step.purpose).replace(u'-', u' '));
    return label;
}

QString subjectOf(const ReportData &data, const Oid &oid) {
    if (data.culprit && data.culprit->oid == oid)
        return data.culprit->subject;
    if (data.bad.oid == oid)
        return data.bad.subject;
    for (const CommitRef &g : data.goods)
        if (g.oid == oid)
            return g.subject;
    for (const StepRecord &s : data.steps)
        if (s.commit == oid && !s.subject.isEmpty())
            return s.subject;
    return {};
}

QString summary(const ReportData &data, const Markup &m) {
    const Tally t = tally(data);
    const QString took = formatDuration(t.durationMs);
    if (data.culprit) {
        return quotedCommit(m, data.culprit->oid, data.culprit->subject) +
               m.text(QStringLiteral(" is the first %1 commit, found in %2 in %3.")
                          .arg(data.terms.bad, stepsSentence(t), took));
    }
    if (!data.possibleCulprits.empty()) {
        QString s = m.text(QStringLiteral("Only skipped commits are left to test: the first %1 "
                                          "commit is one of ")
                               .arg(data.terms.bad));
        for (std::size_t i = 0; i < data.possibleCulprits.size(); ++i) {
            if (i > 0)
                s += m.text(QStringLiteral(", "));
            const Oid &oid = data.possibleCulprits[i];
            s += quotedCommit(m, oid, subjectOf(data, oid));
        }
        return s + m.text(QStringLiteral(". Found after %1 in %2.").arg(stepsSentence(t), took));
    }
    const int left =
        data.remainingAfterStep.empty() ? data.candidatesAtStart : data.remainingAfterStep.back();
    QString s = QStringLiteral("The bisect is %1")
                    .arg(data.status.isEmpty() ? QStringLiteral("unfinished") : data.status);
    if (!data.statusMessage.isEmpty())
        s += QStringLiteral(": ") + data.statusMessage;
    if (!s.endsWith(u'.'))
        s += u'.';
    s += QStringLiteral(" %1 so far in %2; %3 left to test.")
             .arg(stepsSentence(t), took, plural(left, "candidate", "candidates"));
    return m.text(s);
}

QStringList certainty(const ReportData &data) {
    const Tally t = tally(data);
    QStringList out;
    out << (data.flaky ? QStringLiteral("%1 with a verdict (observations: flaky mode marks "
                                        "nothing in git), %2 of them skipped; %3 in total over %4.")
                       : QStringLiteral("%1 marked by a test, %2 of them skipped; %3 in total "
                                        "over %4."))
               .arg(plural(t.marked, "bisect step", "bisect steps"))
               .arg(t.skipped)
               .arg(plural(t.runs, "run", "runs"), formatDuration(t.durationMs));
    if (t.confirmRuns > 0 || data.confirmations > 0)
        out << QStringLiteral("Confirmation: %1 at the end (confirm_culprit), %2 agreed with "
                              "the result.")
                   .arg(plural(t.confirmRuns, "re-test", "re-tests"))
                   .arg(data.confirmations);
    else
        out << QStringLiteral("Confirmation: none (the culprit was not re-tested).");
    if (data.confidence)
        out << QStringLiteral("Flaky mode: the culprit's posterior probability is %1%.")
                   .arg(QString::number(*data.confidence * 100.0, 'f', 1));
    if (data.flaky && !data.statusMessage.isEmpty())
        out << QStringLiteral("Flaky mode: %1.").arg(data.statusMessage);
    out << (t.retries > 0 ? QStringLiteral("%1 after an infrastructure error (never counted as "
                                           "evidence about a commit).")
                                .arg(plural(t.retries, "retry", "retries"))
                          : QStringLiteral("No infrastructure retries."));
    if (t.endpointRuns > 0)
        out << QStringLiteral("The endpoints were tested first: %1.")
                   .arg(plural(t.endpointRuns, "run", "runs"));
    if (t.goodChecks > 0)
        out << QStringLiteral("%1 on a %2 commit after exit code 126/127.")
                   .arg(plural(t.goodChecks, "double-check", "double-checks"), data.terms.good);
    return out;
}

QString htmlEscape(const QString &text) {
    return text.toHtmlEscaped();
}

QString markdownEscape(const QString &text) {
    QString out;
    out.reserve(text.size() + 8);
    const auto isWordChar = [&](qsizetype i) {
        return i >= 0 && i < text.size() && (text[i].isLetterOrNumber() || text[i] == u'_');
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        bool escape = QStringView(u"\\`*[]<").contains(c);
        if (c == u'_') {
            // Only a run of underscores touching a non-word character can open or close
            // emphasis.
            qsizetype b = i, e = i;
            while (b > 0 && text[b - 1] == u'_')
                --b;
            while (e + 1 < text.size() && text[e + 1] == u'_')
                ++e;
            escape = !isWordChar(b - 1) || !isWordChar(e + 1);
        }
        if (escape)
            out += u'\\';
        out += c;
    }
    return out;
}

QString fenceFor(const QString &text) {
    int longest = 0, run = 0;
    for (QChar c : text) {
        run = c == u'`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return QString(std::max(3, longest + 1), u'`');
}

} // namespace bw::report::detail
