#include "services/report/ReportFigures.h"
#include "services/report/ReportText.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <map>

namespace bw::report::detail {

namespace {

constexpr double kWidth = 720, kHeight = 250;
const QRectF kPlot(64, 30, kWidth - 64 - 20, kHeight - 30 - 40);

double niceStep(double span, int ticks) {
    if (span <= 0)
        return 1;
    const double raw = span / ticks;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / mag;
    return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
}

QString shortNumber(double v) {
    if (v >= 1e6)
        return QString::number(v / 1e6, 'g', 3) + u'M';
    if (v >= 1e3)
        return QString::number(v / 1e3, 'g', 3) + u'k';
    return QString::number(v, 'g', 4);
}

Ink stageInk(StageKind stage) {
    switch (stage) {
    case StageKind::Checkout:
        return Ink::Checkout;
    case StageKind::Build:
        return Ink::Build;
    case StageKind::Deploy:
        return Ink::Deploy;
    case StageKind::Wait:
        return Ink::Wait;
    case StageKind::Test:
    case StageKind::Any:
        break;
    }
    return Ink::Test;
}

// x positions for `count` slots across the plot.
double slotX(int index, int count) {
    return kPlot.left() + (index + 0.5) * kPlot.width() / std::max(1, count);
}

// Labels under the x axis, thinned so they never collide.
void xLabels(Canvas &c, int count, const std::function<QString(int)> &label, const QString &axis) {
    const int every = std::max(1, int(std::ceil(count / 24.0)));
    for (int i = 0; i < count; i += every)
        c.text(QPointF(slotX(i, count), kPlot.bottom() + 14), label(i), Ink::Muted, 10,
               Anchor::Middle);
    c.text(QPointF(kPlot.center().x(), kHeight - 6), axis, Ink::Muted, 11, Anchor::Middle);
}

// Horizontal grid lines with their labels; `y` maps a value to a pixel row.
void yGrid(Canvas &c, const std::vector<double> &values, const std::function<double(double)> &y,
           const QString &axis) {
    QPainterPath grid;
    for (double v : values) {
        grid.moveTo(kPlot.left(), y(v));
        grid.lineTo(kPlot.right(), y(v));
        c.text(QPointF(kPlot.left() - 6, y(v) + 4), shortNumber(v), Ink::Muted, 10, Anchor::End);
    }
    c.stroke(grid, Ink::Grid, 1);
    c.text(QPointF(kPlot.left(), 16), axis, Ink::Muted, 11);
}

std::optional<Figure> remainingChart(const ReportData &data) {
    if (data.remainingAfterStep.empty())
        return std::nullopt;
    std::vector<int> values{data.candidatesAtStart};
    values.insert(values.end(), data.remainingAfterStep.begin(), data.remainingAfterStep.end());
    // Label each point with its bisect step's number when the counts line up.
    std::vector<int> numbers;
    for (std::size_t i = 0; i < data.steps.size(); ++i)
        if (data.steps[i].purpose == StepPurpose::Bisect && stepMark(data, i))
            numbers.push_back(data.steps[i].number);
    if (numbers.size() != data.remainingAfterStep.size()) {
        numbers.clear();
        for (std::size_t i = 0; i < data.remainingAfterStep.size(); ++i)
            numbers.push_back(int(i) + 1);
    }
    const int maxValue = std::max(1, *std::max_element(values.begin(), values.end()));
    const double decades = std::max(1.0, std::ceil(std::log10(double(maxValue)) - 1e-9));

    Figure f;
    f.id = QStringLiteral("chart-remaining");
    f.title = QStringLiteral("Candidates left after each step");
    f.caption = QStringLiteral("Logarithmic scale; each step should roughly halve the range.");
    f.size = QSizeF(kWidth, kHeight);
    f.draw = [values, numbers, decades](Canvas &c) {
        const auto y = [&](double v) {
            return kPlot.bottom() - std::log10(std::max(1.0, v)) / decades * kPlot.height();
        };
        std::vector<double> grid;
        for (int d = 0; d <= int(decades); ++d)
            grid.push_back(std::pow(10.0, d));
        yGrid(c, grid, y, QStringLiteral("candidates (log)"));
        const int n = int(values.size());
        xLabels(
            c, n,
            [&](int i) {
                return i == 0 ? QStringLiteral("start")
                              : QString::number(numbers[std::size_t(i - 1)]);
            },
            QStringLiteral("step"));
        QPainterPath line;
        for (int i = 0; i < n; ++i) {
            const QPointF p(slotX(i, n), y(values[std::size_t(i)]));
            i == 0 ? line.moveTo(p) : line.lineTo(p);
        }
        c.stroke(line, Ink::Candidate, 2);
        for (int i = 0; i < n; ++i)
            c.circle(QPointF(slotX(i, n), y(values[std::size_t(i)])), 3.5, Ink::Candidate,
                     i == 0 ? QStringLiteral("at the start: %1 candidates").arg(values[0])
                            : QStringLiteral("after step %1: %2 left")
                                  .arg(numbers[std::size_t(i - 1)])
                                  .arg(values[std::size_t(i)]));
    };
    return f;
}

std::optional<Figure> stageChart(const ReportData &data) {
    if (data.steps.empty())
        return std::nullopt;
    Millis longest = 1;
    for (const StepRecord &s : data.steps) {
        Millis total = 0;
        for (const StageResult &st : s.stages)
            total += std::max<Millis>(0, st.durationMs);
        longest = std::max(longest, total);
    }
    const double unit = longest >= 2 * 3'600'000 ? 3'600'000 : longest >= 120'000 ? 60'000 : 1000;
    const QString unitName = unit == 3'600'000 ? QStringLiteral("h")
                             : unit == 60'000  ? QStringLiteral("min")
                                               : QStringLiteral("s");
    const double step = niceStep(double(longest) / unit, 4);
    const double top = std::ceil(double(longest) / unit / step) * step;

    Figure f;
    f.id = QStringLiteral("chart-stages");
    f.title = QStringLiteral("Time per step, by stage");
    f.caption = QStringLiteral("The square under each bar is the step's verdict.");
    f.size = QSizeF(kWidth, kHeight);
    f.draw = [&data, unit, unitName, step, top](Canvas &c) {
        const auto y = [&](double v) { return kPlot.bottom() - v / top * kPlot.height(); };
        std::vector<double> grid;
        for (double v = 0; v <= top + step / 2; v += step)
            grid.push_back(v);
        yGrid(c, grid, y, QStringLiteral("duration (%1)").arg(unitName));
        const int n = int(data.steps.size());
        xLabels(
            c, n, [&](int i) { return QString::number(data.steps[std::size_t(i)].number); },
            QStringLiteral("step"));
        const double slot = kPlot.width() / n;
        const double barWidth = std::clamp(slot * 0.7, 1.0, 28.0);
        for (int i = 0; i < n; ++i) {
            const StepRecord &s = data.steps[std::size_t(i)];
            const double x = slotX(i, n) - barWidth / 2;
            double acc = 0;
            for (const StageResult &st : s.stages) {
                const double v = double(std::max<Millis>(0, st.durationMs)) / unit;
                const double y0 = y(acc), y1 = y(acc + v);
                c.rect(QRectF(x, y1, barWidth, y0 - y1), stageInk(st.stage),
                       QStringLiteral("step %1 %2: %3 (%4)")
                           .arg(s.number)
                           .arg(stageName(st.stage), formatDuration(st.durationMs),
                                outcomeName(st.outcome)));
                acc += v;
            }
            c.rect(
                QRectF(x, kPlot.bottom() + 2, barWidth, 3),
                verdictInk(verdictClass(data, std::size_t(i))),
                QStringLiteral("step %1: %2").arg(s.number).arg(verdictWord(data, std::size_t(i))));
        }
        double lx = kPlot.right() - 5 * 74;
        for (StageKind k : {StageKind::Checkout, StageKind::Build, StageKind::Deploy,
                            StageKind::Wait, StageKind::Test}) {
            c.rect(QRectF(lx, 8, 10, 10), stageInk(k));
            c.text(QPointF(lx + 14, 17), stageName(k), Ink::Text, 11);
            lx += 74;
        }
    };
    return f;
}

std::optional<Figure> throughputChart(const ReportData &data) {
    static const QRegularExpression key(QStringLiteral("^throughput_mbps_(\\d+)$"));
    struct Series {
        std::size_t step;
        std::map<int, double> points; // iteration → Mbps
    };
    std::vector<Series> series;
    int maxIteration = 1;
    double maxValue = 0;
    for (std::size_t i = 0; i < data.steps.size(); ++i) {
        Series s{i, {}};
        for (const StageResult &st : data.steps[i].stages) {
            if (st.stage != StageKind::Test)
                continue;
            for (auto it = st.facts.begin(); it != st.facts.end(); ++it) {
                const QRegularExpressionMatch m = key.match(it.key());
                bool ok = false;
                const double v = it.value().toDouble(&ok);
                if (!m.hasMatch() || !ok || !std::isfinite(v))
                    continue;
                const int iteration = m.captured(1).toInt();
                s.points[iteration] = v;
                maxIteration = std::max(maxIteration, iteration);
                maxValue = std::max(maxValue, v);
            }
        }
        if (!s.points.empty())
            series.push_back(std::move(s));
    }
    if (series.empty())
        return std::nullopt;
    const double step = niceStep(std::max(1.0, maxValue), 4);
    const double top = std::max(step, std::ceil(maxValue * 1.05 / step) * step);

    Figure f;
    f.id = QStringLiteral("chart-throughput");
    f.title = QStringLiteral("Throughput per test iteration");
    f.caption = QStringLiteral("From the test stages' throughput_mbps_<n> facts; one line per "
                               "step, coloured by its verdict.");
    f.size = QSizeF(kWidth, kHeight);
    f.draw = [&data, series, maxIteration, step, top](Canvas &c) {
        const auto y = [&](double v) { return kPlot.bottom() - v / top * kPlot.height(); };
        const auto x = [&](int iteration) { return slotX(iteration - 1, maxIteration); };
        std::vector<double> grid;
        for (double v = 0; v <= top + step / 2; v += step)
            grid.push_back(v);
        yGrid(c, grid, y, QStringLiteral("Mbps"));
        xLabels(
            c, maxIteration, [](int i) { return QString::number(i + 1); },
            QStringLiteral("iteration"));
        for (const Series &s : series) {
            const StepRecord &rec = data.steps[s.step];
            const Ink ink = verdictInk(verdictClass(data, s.step));
            QPainterPath line;
            for (const auto &[iteration, v] : s.points) {
                const QPointF p(x(iteration), y(v));
                line.elementCount() == 0 ? line.moveTo(p) : line.lineTo(p);
            }
            c.stroke(line, ink, 1.5);
            for (const auto &[iteration, v] : s.points)
                c.circle(QPointF(x(iteration), y(v)), 2.5, ink,
                         QStringLiteral("step %1 (%2, %3) iteration %4: %5 Mbps")
                             .arg(QString::number(rec.number), shortSha(rec.commit),
                                  verdictWord(data, s.step), QString::number(iteration),
                                  QString::number(v)));
            const auto &[lastIteration, lastValue] = *s.points.rbegin();
            c.text(QPointF(x(lastIteration) + 5, y(lastValue) + 4),
                   QStringLiteral("#%1").arg(rec.number), ink, 10);
        }
    };
    return f;
}

} // namespace

Ink verdictInk(const QString &cls) {
    if (cls == u"good")
        return Ink::Good;
    if (cls == u"bad")
        return Ink::Bad;
    if (cls == u"skip")
        return Ink::Skipped;
    if (cls == u"retry")
        return Ink::Retry;
    if (cls == u"ask")
        return Ink::Ask;
    return Ink::Abort;
}

std::vector<Figure> chartFigures(const ReportData &data) {
    std::vector<Figure> out;
    for (auto chart : {remainingChart, stageChart, throughputChart})
        if (auto f = chart(data))
            out.push_back(std::move(*f));
    return out;
}

} // namespace bw::report::detail
