#include "services/report/ReportFigures.h"
#include "services/report/ReportText.h"
#include "services/report/ReportWriter.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <unordered_map>

namespace bw::report {

using namespace detail;

namespace {

// One dot of the picture: a commit, or a run of untested commits in a line.
struct DisplayNode {
    int newest = -1; // index into ReportData::graph
    int oldest = -1;
    int count = 1;
    GraphNode::State state = GraphNode::State::Candidate;
    bool tested = false;
    std::vector<int> parents; // display indexes
    std::vector<int> children;
    int layer = 0;
    int column = 0;
};

struct GraphLayout {
    std::vector<DisplayNode> nodes;
    int layers = 0;
    int columns = 0;
};

void link(std::vector<DisplayNode> &nodes, int child, int parent) {
    if (child == parent)
        return;
    std::vector<int> &ps = nodes[std::size_t(child)].parents;
    if (std::find(ps.begin(), ps.end(), parent) != ps.end())
        return;
    ps.push_back(parent);
    nodes[std::size_t(parent)].children.push_back(child);
}

// Groups the commits into display nodes: every commit alone, except (in big ranges)
// runs of untested commits in a straight line with the same state.
std::vector<DisplayNode> groupNodes(const std::vector<GraphNode> &g) {
    const int n = int(g.size());
    std::vector<std::vector<int>> parents(g.size());
    std::vector<int> childCount(g.size(), 0), onlyChild(g.size(), -1);
    for (int i = 0; i < n; ++i) {
        for (int p : g[std::size_t(i)].parents) {
            auto &ps = parents[std::size_t(i)];
            if (p < 0 || p >= n || p == i || std::find(ps.begin(), ps.end(), p) != ps.end())
                continue;
            ps.push_back(p);
            ++childCount[std::size_t(p)];
            onlyChild[std::size_t(p)] = i;
        }
    }
    const bool collapse = n > kCollapseAbove;
    const auto collapsible = [&](int i) {
        const GraphNode &node = g[std::size_t(i)];
        return collapse && !node.tested && node.state != GraphNode::State::Culprit &&
               parents[std::size_t(i)].size() == 1 && childCount[std::size_t(i)] == 1;
    };

    std::vector<DisplayNode> nodes;
    std::vector<int> disp(g.size(), -1);
    const auto single = [&](int i) {
        disp[std::size_t(i)] = int(nodes.size());
        nodes.push_back({i, i, 1, g[std::size_t(i)].state, g[std::size_t(i)].tested, {}, {}, 0, 0});
    };
    for (int i = 0; i < n; ++i) {
        if (disp[std::size_t(i)] != -1)
            continue;
        if (!collapsible(i)) {
            single(i);
            continue;
        }
        const int child = onlyChild[std::size_t(i)];
        const auto state = g[std::size_t(i)].state;
        if (collapsible(child) && g[std::size_t(child)].state == state)
            continue; // not the newest of its run: its run starts elsewhere
        std::vector<int> run{i};
        disp[std::size_t(i)] = -2;
        for (int cur = i;;) {
            const int p = parents[std::size_t(cur)].front();
            if (!collapsible(p) || g[std::size_t(p)].state != state || disp[std::size_t(p)] != -1)
                break;
            run.push_back(p);
            disp[std::size_t(p)] = -2;
            cur = p;
        }
        if (int(run.size()) < kMinCollapsedRun) {
            for (int r : run)
                single(r);
            continue;
        }
        for (int r : run)
            disp[std::size_t(r)] = int(nodes.size());
        nodes.push_back({run.front(), run.back(), int(run.size()), state, false, {}, {}, 0, 0});
    }
    for (int i = 0; i < n; ++i) // a cycle of runs (never in a real history) has no newest
        if (disp[std::size_t(i)] < 0)
            single(i);
    for (int i = 0; i < n; ++i)
        for (int p : parents[std::size_t(i)])
            link(nodes, disp[std::size_t(i)], disp[std::size_t(p)]);
    return nodes;
}

GraphLayout layout(const std::vector<GraphNode> &graph) {
    GraphLayout l;
    l.nodes = groupNodes(graph);
    auto &nodes = l.nodes;
    const std::size_t m = nodes.size();

    // Longest-path layering from the newest: a commit sits below all its children.
    std::vector<int> pending(m);
    std::deque<int> ready;
    for (std::size_t i = 0; i < m; ++i) {
        pending[i] = int(nodes[i].children.size());
        if (pending[i] == 0)
            ready.push_back(int(i));
    }
    std::size_t placed = 0;
    while (!ready.empty()) {
        const int c = ready.front();
        ready.pop_front();
        ++placed;
        for (int p : nodes[std::size_t(c)].parents) {
            auto &pn = nodes[std::size_t(p)];
            pn.layer = std::max(pn.layer, nodes[std::size_t(c)].layer + 1);
            if (--pending[std::size_t(p)] == 0)
                ready.push_back(p);
        }
    }
    int maxLayer = 0;
    for (const DisplayNode &d : nodes)
        maxLayer = std::max(maxLayer, d.layer);
    if (placed < m) // a cycle in bad input: put what is left below, one per layer
        for (std::size_t i = 0; i < m; ++i)
            if (pending[i] > 0)
                nodes[i].layer = ++maxLayer;
    l.layers = m == 0 ? 0 : maxLayer + 1;

    // Columns, layer by layer: under the leftmost child, pushed right when taken.
    std::vector<std::vector<int>> byLayer(std::size_t(l.layers));
    for (std::size_t i = 0; i < m; ++i)
        byLayer[std::size_t(nodes[i].layer)].push_back(int(i));
    for (auto &layer : byLayer) {
        struct Key {
            int minChild;
            double mean;
            int index;
        };
        std::vector<Key> keys;
        keys.reserve(layer.size());
        for (int i : layer) {
            const auto &ch = nodes[std::size_t(i)].children;
            int minChild = ch.empty() ? 0 : nodes[std::size_t(ch.front())].column;
            double sum = 0;
            for (int c : ch) {
                minChild = std::min(minChild, nodes[std::size_t(c)].column);
                sum += nodes[std::size_t(c)].column;
            }
            keys.push_back({minChild, ch.empty() ? 0.0 : sum / double(ch.size()), i});
        }
        std::sort(keys.begin(), keys.end(), [&](const Key &a, const Key &b) {
            if (a.minChild != b.minChild)
                return a.minChild < b.minChild;
            if (a.mean != b.mean)
                return a.mean < b.mean;
            return nodes[std::size_t(a.index)].newest < nodes[std::size_t(b.index)].newest;
        });
        int next = 0;
        for (const Key &k : keys) {
            const int col = std::max(next, k.minChild);
            nodes[std::size_t(k.index)].column = col;
            next = col + 1;
            l.columns = std::max(l.columns, col + 1);
        }
    }
    return l;
}

QString stateWord(const ReportData &data, GraphNode::State state) {
    switch (state) {
    case GraphNode::State::Good:
        return data.terms.good;
    case GraphNode::State::Bad:
        return data.terms.bad;
    case GraphNode::State::Culprit:
        return QStringLiteral("first %1 commit").arg(data.terms.bad);
    default:
        return stateName(state);
    }
}

} // namespace

namespace detail {

Ink stateInk(GraphNode::State state) {
    switch (state) {
    case GraphNode::State::Candidate:
        return Ink::Candidate;
    case GraphNode::State::Good:
        return Ink::Good;
    case GraphNode::State::Bad:
        return Ink::Bad;
    case GraphNode::State::Skipped:
        return Ink::Skipped;
    case GraphNode::State::Eliminated:
        return Ink::Eliminated;
    case GraphNode::State::Culprit:
        return Ink::Culprit;
    }
    return Ink::Candidate;
}

QString stateName(GraphNode::State state) {
    switch (state) {
    case GraphNode::State::Candidate:
        return QStringLiteral("candidate");
    case GraphNode::State::Good:
        return QStringLiteral("good");
    case GraphNode::State::Bad:
        return QStringLiteral("bad");
    case GraphNode::State::Skipped:
        return QStringLiteral("skipped");
    case GraphNode::State::Eliminated:
        return QStringLiteral("eliminated");
    case GraphNode::State::Culprit:
        return QStringLiteral("culprit");
    }
    return QStringLiteral("candidate");
}

Figure graphFigure(const ReportData &data) {
    auto l = std::make_shared<GraphLayout>(layout(data.graph));
    const double top = 36, margin = 12, labelWidth = 460;
    const double col = std::clamp(900.0 / std::max(1, l->columns), 4.0, 16.0);
    const double row = std::clamp(6000.0 / std::max(1, l->layers), 4.0, 20.0);
    const bool labels = row >= 12;
    const double graphRight = margin + std::max(1, l->columns) * col;
    const double width = std::max(560.0, graphRight + (labels ? 12 + labelWidth : margin));
    const double height = top + std::max(1, l->layers) * row + margin;

    // Which step tested a commit (the last one), for the labels and tooltips.
    auto steps = std::make_shared<std::unordered_map<Oid, int, OidHash>>();
    for (std::size_t i = 0; i < data.steps.size(); ++i)
        (*steps)[data.steps[i].commit] = int(i);

    Figure f;
    f.id = QStringLiteral("graph");
    f.title = QStringLiteral("The tested range");
    f.caption = QStringLiteral("%1 commits, newest at the top; the first %2 commit is ringed.")
                    .arg(data.graph.size())
                    .arg(data.terms.bad);
    f.size = QSizeF(width, height);
    f.draw = [l, steps, &data, top, margin, col, row, labels, graphRight](Canvas &c) {
        const auto at = [&](const DisplayNode &d) {
            return QPointF(margin + (d.column + 0.5) * col, top + (d.layer + 0.5) * row);
        };
        // Legend.
        double x = margin;
        for (auto s :
             {GraphNode::State::Candidate, GraphNode::State::Good, GraphNode::State::Bad,
              GraphNode::State::Skipped, GraphNode::State::Eliminated, GraphNode::State::Culprit}) {
            c.circle(QPointF(x + 5, 14), 5, stateInk(s));
            const QString word = stateWord(data, s);
            c.text(QPointF(x + 14, 18), word, Ink::Text, 12);
            x += 30 + 7.5 * word.size();
        }
        // Edges, all in one path: straight down, bending next to the merge or the fork.
        QPainterPath edges;
        for (const DisplayNode &d : l->nodes) {
            const QPointF a = at(d);
            for (int p : d.parents) {
                const QPointF b = at(l->nodes[std::size_t(p)]);
                edges.moveTo(a);
                if (a.x() == b.x()) {
                    edges.lineTo(b);
                } else if (b.x() > a.x()) { // a merge: leave towards the branch at once
                    edges.cubicTo(a.x(), a.y() + row / 2, b.x(), a.y() + row / 2, b.x(),
                                  a.y() + row);
                    edges.lineTo(b);
                } else { // a fork: join the parent's column just above it
                    edges.lineTo(a.x(), b.y() - row);
                    edges.cubicTo(a.x(), b.y() - row / 2, b.x(), b.y() - row / 2, b.x(), b.y());
                }
            }
        }
        c.stroke(edges, Ink::Edge, 1.2);
        const double r = std::min({5.0, row * 0.4, col * 0.4});
        const auto &g = data.graph;
        for (const DisplayNode &d : l->nodes) {
            const QPointF p = at(d);
            const GraphNode &newest = g[std::size_t(d.newest)];
            const QString word = stateWord(data, d.state);
            QString label;
            if (d.count > 1) {
                const QString title =
                    QStringLiteral("%1 commits, %2: %3 … %4")
                        .arg(d.count)
                        .arg(word, shortSha(newest.oid), shortSha(g[std::size_t(d.oldest)].oid));
                c.rect(QRectF(p.x() - r * 0.6, p.y() - row * 0.45, r * 1.2, row * 0.9),
                       stateInk(d.state), title);
                label = QStringLiteral("… %1 commits (%2)").arg(d.count).arg(word);
            } else {
                const auto step = steps->find(newest.oid);
                QString title = QStringLiteral("%1 %2").arg(newest.oid.toString(), word);
                if (step != steps->end())
                    title += QStringLiteral(" (step %1)")
                                 .arg(data.steps[std::size_t(step->second)].number);
                c.circle(p, d.tested ? r : r * 0.7, stateInk(d.state), title);
                if (d.state == GraphNode::State::Culprit)
                    c.ring(p, r + 3, Ink::Culprit, 2);
                const bool endpoint =
                    newest.oid == data.bad.oid ||
                    std::any_of(data.goods.begin(), data.goods.end(),
                                [&](const CommitRef &gr) { return gr.oid == newest.oid; });
                if (d.tested || endpoint || d.state == GraphNode::State::Culprit) {
                    label = shortSha(newest.oid) + QStringLiteral("  ") + word;
                    if (step != steps->end())
                        label += QStringLiteral(" · step %1")
                                     .arg(data.steps[std::size_t(step->second)].number);
                    QString subject = subjectOf(data, newest.oid);
                    if (subject.size() > 48)
                        subject = subject.left(47) + u'…';
                    if (!subject.isEmpty())
                        label += QStringLiteral(" · ") + subject;
                }
            }
            if (labels && !label.isEmpty())
                c.text(QPointF(graphRight + 12, p.y() + 4), label,
                       d.count > 1 ? Ink::Muted : Ink::Text, 11, Anchor::Start,
                       d.state == GraphNode::State::Culprit);
        }
    };
    return f;
}

} // namespace detail

QString graphSvg(const ReportData &data) {
    return toSvg(graphFigure(data), true);
}

} // namespace bw::report
