#include "tests/support/RandomHistory.h"

#include <QFile>

namespace bw::test {

bool generate(TestRepo &repo, std::mt19937 &rng, Generated &g) {
    const int n = 3 + static_cast<int>(rng() % 120);
    const bool equalDates = rng() % 5 == 0;
    QByteArray stream;
    qint64 time = 946684800;
    g.parents.assign(n, {});
    for (int i = 0; i < n; ++i) {
        std::vector<int> &ps = g.parents[i];
        if (i > 0 && rng() % 25 != 0) {
            ps.push_back(i - 1 - static_cast<int>(rng() % std::min(i, 4)));
            const int extra = rng() % 4 == 0 ? 1 + (rng() % 6 == 0 ? 1 : 0) : 0;
            for (int k = 0; k < extra; ++k) {
                const int p = static_cast<int>(rng() % i);
                if (std::find(ps.begin(), ps.end(), p) == ps.end())
                    ps.push_back(p);
            }
        }
        if (!equalDates)
            time += rng() % 7 == 0 ? -static_cast<int>(rng() % 4) : static_cast<int>(rng() % 3);
        stream +=
            "reset refs/heads/gen\ncommit refs/heads/gen\nmark :" + QByteArray::number(i + 1) +
            "\n";
        stream += "committer T <t@example.com> " + QByteArray::number(time) + " +0000\n";
        const QByteArray msg =
            "commit " + QByteArray::number(i) + (rng() % 3 == 0 ? "\n\nwith a body\n" : "\n");
        stream += "data " + QByteArray::number(msg.size()) + "\n" + msg;
        for (std::size_t k = 0; k < ps.size(); ++k)
            stream += (k == 0 ? "from :" : "merge :") + QByteArray::number(ps[k] + 1) + "\n";
        stream += "\n";
    }
    stream += "reset refs/heads/main\nfrom :" + QByteArray::number(n) + "\n\n";
    const QString marks = repo.path() + QStringLiteral("/.git/marks");
    if (repo.git({QStringLiteral("fast-import"), QStringLiteral("--quiet"),
                  QStringLiteral("--export-marks=") + marks},
                 stream)
            .exitCode != 0)
        return false;
    QFile f(marks);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    g.sha.assign(n, {});
    for (const QByteArray &line : f.readAll().split('\n')) {
        const auto parts = line.split(' ');
        if (parts.size() == 2)
            g.sha[parts[0].mid(1).toInt() - 1] = QString::fromLatin1(parts[1]);
    }
    repo.git({QStringLiteral("branch"), QStringLiteral("-D"), QStringLiteral("gen")});
    return repo.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")})
               .exitCode == 0;
}

std::set<int> ancestorsOf(const Generated &g, int c) {
    std::set<int> seen{c};
    std::vector<int> stack{c};
    while (!stack.empty()) {
        const int x = stack.back();
        stack.pop_back();
        for (int p : g.parents[x])
            if (seen.insert(p).second)
                stack.push_back(p);
    }
    return seen;
}

std::vector<int> strictAncestorsOf(const Generated &g, int c) {
    const std::set<int> all = ancestorsOf(g, c);
    std::vector<int> out(all.begin(), all.end());
    out.erase(std::find(out.begin(), out.end(), c));
    return out;
}

} // namespace bw::test
