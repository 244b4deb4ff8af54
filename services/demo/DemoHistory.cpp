#include "services/demo/DemoHistory.h"

#include <QByteArrayList>

#include <array>
#include <cctype>
#include <map>

namespace bw::demo {

namespace {

constexpr qint64 BaseTime = 1700000000; // 2023-11-14, and one commit an hour from there
constexpr int LastMain = 245;           // the main line's commits are 0 … LastMain

enum Who { Ada, Bram, Chen, Dora, Emil, Femi };

struct Stage {
    int at; // main-line index
    const char *subject;
    const char *body;
    Who author;
};

// The main line's story: stage N sets knob "main" to N (see DemoProject.cpp).
const std::array<Stage, 23> stages = {{
    {2, "Add a make check target",
     "Four GiB with the default options: enough to catch a broken build or a\ncrash.", Ada},
    {4, "checksum: move the header checksum into checksum.c", "", Ada},
    {7, "Add --seed to make a run repeatable",
     "The seed still comes from the clock and the pid by default; a run seen\nonce can now be "
     "replayed with the same seed.",
     Bram},
    {10, "transfer: print progress once per GiB", "", Ada},
    {13, "Add --quiet", "", Bram},
    {16, "profiles: a table of simulated NICs", "", Emil},
    {19, "Add --list-profiles", "", Emil},
    {23, "Add --profile NAME: the ring size of a simulated card", "", Emil},
    {27, "stats: report the simulated throughput", "", Chen},
    {31, "checksum: Fletcher-32 instead of a plain sum",
     "A plain sum cannot tell two swapped chunks apart.", Chen},
    {35, "docs: start a manual in docs/netsim.md", "", Femi},
    {40, "Release 0.1", "", Ada},
    {50, "Makefile: honour CPPFLAGS and LDFLAGS", "", Bram},
    {58, "transfer: 32 KiB chunks",
     "Half the descriptors per GiB: the stress test runs twice as fast.", Ada},
    {75, "ring: 128 descriptors by default", "", Ada},
    {85, "transfer: count the polls of a full ring",
     "A poll is a lost interrupt the driver covered for; the summary line now\nsays how many "
     "there were.",
     Dora},
    {100, "Release 0.2", "", Ada},
    {115, "transfer: 64 KiB chunks", "", Ada},
    {140, "main: say which option was not understood", "", Bram},
    {150, "ring: 256 descriptors by default", "", Ada},
    {160, "Release 0.3", "", Ada},
    {200, "stats: throughput in GiB/s", "MiB/s gave seven-digit numbers since the chunks grew.",
     Chen},
    {225, "Release 0.4", "", Ada},
}};

struct TopicCommit {
    const char *subject;
    const char *body;
};

struct Topic {
    const char *branch;
    const char *knob;
    int fork;  // forks after this main-line commit
    int merge; // merged as this main-line commit
    Who author;
    std::vector<TopicCommit> commits; // commit j sets the knob to j + 1
    const char *mergeBody;
};

const std::vector<Topic> &topics() {
    static const std::vector<Topic> list = {
        {"json-output",
         "json",
         44,
         66,
         Bram,
         {
             {"json: --json prints the result as one JSON object",
              "For the scripts that collect results: gib, chunks and checksum for a\nstart."},
             {"json: include the seed", ""},
             {"json: include the elapsed time", ""},
             {"docs: --json", ""},
             {"json: mention --json in the usage", ""},
             {"json: include the profile name, escaped", ""},
             {"json: include the version", ""},
             {"Makefile: a check-json target", ""},
             {"NEWS: --json", ""},
             {"json: say \"ok\": true, like the text output", ""},
         },
         "Machine-readable results for the benchmark scripts."},
        {"crc32",
         "crc",
         106,
         132,
         Chen,
         {
             {"checksum: table-driven CRC-32 (not used yet)", ""},
             {"Add --self-test: the CRC-32 check value", ""},
             {"checksum: CRC-32 for the chunk headers",
              "Fletcher-32 misses errors that CRC-32 catches; the cost is a 1 KiB\ntable."},
             {"--version names the checksum algorithm", ""},
             {"Makefile: make check runs --self-test too", ""},
             {"docs: checksums", ""},
             {"checksum: comment on the polynomial", ""},
             {"NEWS: CRC-32", ""},
             {"checksum: self-test the empty input too", ""},
             {"checksum: parenthesize the bit test", ""},
             {"docs: when the CRC table is built", ""},
             {"checksum: why not CRC-32C", ""},
         },
         "CRC-32 checksums for the chunk headers, with a self-test."},
        {"irq-mode",
         "irq",
         163,
         190,
         Dora,
         {
             {"ring: count interrupts", ""},
             {"transfer: comment on where the ring is reaped", ""},
             {"ring: wait_for_interrupt(), for an interrupt-driven mode", "Not used yet."},
             {"ring: explain the interrupt re-arm race", ""},
             {"transfer: count the completions reaped", ""},
             {"ring: add the missing semicolon",
              "wait_for_interrupt() has not built since it was added."},
             {"main: print the interrupt count", ""},
             {"transfer: wait for the interrupt instead of polling a full ring",
              "Polling the used ring whenever the ring is full costs CPU for nothing:\nthe device "
              "raises an interrupt for every completion. Sleep until it\ndoes."},
             {"docs: interrupt mode", ""},
             {"ring: wake up every millisecond while waiting", ""},
             {"transfer: count the chunk before reaping", ""},
             {"NEWS: interrupt mode", ""},
             {"netsim.h: document the ring's counters", ""},
             {"docs: fix a typo in the interrupt mode section", ""},
         },
         "An interrupt-driven transmit path: no more polling of a full ring."},
        {"profile-features",
         "eth",
         180,
         212,
         Emil,
         {
             {"profiles: an offloads column", ""},
             {"", ""}, // 2-8: one group of rows each, named when planned
             {"", ""},
             {"", ""},
             {"", ""},
             {"", ""},
             {"", ""},
             {"", ""},
             {"--list-profiles shows the offloads", ""},
             {"docs, NEWS: offloads", ""},
         },
         "Which offloads each simulated card has."},
    };
    return list;
}

QByteArray message(const QByteArray &subject, const QByteArray &body) {
    return body.isEmpty() ? subject + '\n' : subject + "\n\n" + body + '\n';
}

class Planner {
public:
    DemoHistory plan();

private:
    int commit(std::vector<int> parents, const Knobs &knobs, const QByteArray &msg, Who author,
               Who committer);
    int commit(std::vector<int> parents, const Knobs &knobs, const QByteArray &msg, Who author) {
        return commit(std::move(parents), knobs, msg, author, author);
    }
    void filler(int i);
    void topicCommit(size_t t);

    struct TopicState {
        Knobs base, knobs;
        int tip = -1;
        int done = 0;
        bool active = false;
    };

    DemoHistory m_history;
    Knobs m_main;
    int m_mainTip = -1;
    std::vector<TopicState> m_topics;
};

int Planner::commit(std::vector<int> parents, const Knobs &knobs, const QByteArray &msg, Who author,
                    Who committer) {
    const qint64 n = qint64(m_history.commits.size());
    PlannedCommit c;
    c.parents = std::move(parents);
    c.knobs = knobs;
    c.message = msg;
    c.author = author;
    c.committer = committer;
    c.time = BaseTime + n * 3600 + (n * 733) % 1800;
    m_history.commits.push_back(std::move(c));
    return int(n);
}

// Small, real changes between the story's events: profile rows and their docs, tunings,
// manual sections, typo fixes, new authors. Which kind comes next rotates with `i`.
void Planner::filler(int i) {
    enum Kind { Profile, ProfDoc, Tune, Doc, Typo, Author };
    static const Kind rotation[] = {Profile, ProfDoc, Tune, Doc,    Profile,
                                    ProfDoc, Typo,    Doc,  Author, Tune};
    const int rows = int(profileTable().size());
    auto available = [&](Kind kind) {
        switch (kind) {
        case Profile:
            return m_main["main"] >= 6 && m_main["profiles"] < rows;
        case ProfDoc:
            return m_main["main"] >= 11 && m_main["profdocs"] < m_main["profiles"];
        case Tune:
            return m_main["profiles"] >= 12;
        case Doc:
            return m_main["main"] >= 11 && m_main["docs"] < int(docSections().size());
        case Typo:
            return m_main["typos"] < int(readmeTypos().size());
        case Author:
            return m_main["authors"] < int(contributors().size()) - 1;
        }
        return false;
    };
    Kind kind = Tune;
    for (int s = 0; s < 10; ++s) {
        const Kind candidate = rotation[(i + s) % 10];
        if (available(candidate)) {
            kind = candidate;
            break;
        }
    }
    QByteArray subject, body;
    Who who = Ada;
    switch (kind) {
    case Profile: {
        const int row = m_main["profiles"];
        const struct Profile &p = profileTable()[size_t(row)];
        m_main.bump("profiles");
        subject = "profiles: add " + QByteArray(p.name);
        body = QByteArray::number(p.mbps) + " Mbit/s, an MTU of " + QByteArray::number(p.mtu) +
               " and " + QByteArray::number(p.ring) +
               " descriptors, as the driver sets them\nby default.";
        static const Who who3[] = {Emil, Bram, Ada};
        who = who3[i % 3];
        break;
    }
    case ProfDoc: {
        const struct Profile &p = profileTable()[size_t(m_main["profdocs"])];
        m_main.bump("profdocs");
        subject = "docs: describe the " + QByteArray(p.name) + " profile";
        who = Femi;
        break;
    }
    case Tune: {
        const int tune = m_main["tunes"];
        const int row = tunedRow(tune);
        m_main.bump("tunes");
        const QByteArray name = profileTable()[size_t(row)].name;
        subject =
            tunesRing(tune)
                ? "profiles: " + name + ": ring of " +
                      QByteArray::number(profileRing(m_main, row)) + " descriptors"
                : "profiles: " + name + ": MTU " + QByteArray::number(profileMtu(m_main, row));
        who = i % 2 ? Emil : Chen;
        break;
    }
    case Doc: {
        QByteArray title = docSections()[size_t(m_main["docs"])].title;
        m_main.bump("docs");
        if (!title.contains('.')) // "ring.c" stays as it is
            title[0] = char(std::tolower(static_cast<unsigned char>(title.at(0))));
        subject = "docs: " + title;
        who = Femi;
        break;
    }
    case Typo: {
        const struct Typo &t = readmeTypos()[size_t(m_main["typos"])];
        m_main.bump("typos");
        subject = "README: " + QByteArray(t.wrong) + " -> " + t.right;
        who = i % 2 ? Femi : Bram;
        break;
    }
    case Author: {
        m_main.bump("authors");
        subject = "AUTHORS: add " + QByteArray(contributors()[size_t(m_main["authors"])].name);
        who = Ada;
        break;
    }
    }
    m_mainTip = commit({m_mainTip}, m_main, message(subject, body), who);
}

void Planner::topicCommit(size_t t) {
    const Topic &topic = topics()[t];
    TopicState &state = m_topics[t];
    const int level = ++state.done;
    state.knobs.set(topic.knob, level);
    QByteArray subject = topic.commits[size_t(level - 1)].subject;
    if (subject.isEmpty()) {
        // profile-features 2-8: the rows whose offloads become visible (group level - 2)
        QByteArrayList names;
        for (int row = level - 2; row < state.knobs["profiles"]; row += 7)
            names << profileTable()[size_t(row)].name;
        subject = "profiles: offloads of " + names.mid(0, 3).join(", ") +
                  (names.size() > 3 ? " and more" : "");
    }
    state.tip = commit({state.tip}, state.knobs,
                       message(subject, topic.commits[size_t(level - 1)].body), topic.author);
    if (QByteArray(topic.branch) == "irq-mode" && level == 8)
        m_history.culprit = state.tip;
}

DemoHistory Planner::plan() {
    m_topics.assign(topics().size(), {});
    std::map<int, const Stage *> stageAt;
    for (const Stage &s : stages)
        stageAt[s.at] = &s;
    for (int i = 0; i <= LastMain; ++i) {
        const Topic *merging = nullptr;
        size_t mergingIndex = 0;
        for (size_t t = 0; t < topics().size(); ++t)
            if (topics()[t].merge == i) {
                merging = &topics()[t];
                mergingIndex = t;
            }
        if (i == 0) {
            m_mainTip = commit({}, m_main,
                               message("Initial commit: netsim, a NIC transfer simulator",
                                       "The driver posts descriptors, the device completes "
                                       "them and raises an\ninterrupt, the driver reaps the "
                                       "ring. `netsim --stress N` pushes N GiB\nthrough it."),
                               Ada);
        } else if (merging) {
            TopicState &state = m_topics[mergingIndex];
            m_main = Knobs::merged(m_main, state.knobs, state.base);
            m_mainTip = commit(
                {m_mainTip, state.tip}, m_main,
                message("Merge branch '" + QByteArray(merging->branch) + "'", merging->mergeBody),
                Ada);
            state.active = false;
        } else if (const auto it = stageAt.find(i); it != stageAt.end()) {
            const Stage &s = *it->second;
            const int stage = int(it->second - stages.data()) + 1;
            m_main.set("main", stage);
            if (stage == 6)
                m_main.set("profiles", 3);
            if (stage == 11)
                m_main.set("docs", 1);
            const bool release = QByteArray(s.subject).startsWith("Release ");
            if (release)
                m_main.bump("release");
            m_mainTip = commit({m_mainTip}, m_main, message(s.subject, s.body), s.author);
            if (release) {
                const QByteArray v = QByteArray(s.subject).mid(8);
                m_history.tags.push_back({QStringLiteral("v") + QString::fromLatin1(v), m_mainTip,
                                          "netsim " + v + '\n',
                                          m_history.commits.back().time + 900});
            }
        } else {
            filler(i);
        }
        for (size_t t = 0; t < topics().size(); ++t) {
            const Topic &topic = topics()[t];
            TopicState &state = m_topics[t];
            if (topic.fork == i) {
                state.base = state.knobs = m_main;
                state.tip = m_mainTip;
                state.active = true;
            }
            const int n = int(topic.commits.size());
            // spread the topic's commits evenly between its fork and its merge
            while (state.active && state.done < n &&
                   topic.fork + 1 + state.done * (topic.merge - topic.fork - 1) / n <= i &&
                   i > topic.fork)
                topicCommit(t);
        }
    }
    m_history.branches.push_back({QStringLiteral("main"), m_mainTip});
    for (size_t t = 0; t < topics().size(); ++t)
        m_history.branches.push_back({QString::fromLatin1(topics()[t].branch), m_topics[t].tip});
    return m_history;
}

} // namespace

DemoHistory planHistory() {
    return Planner().plan();
}

} // namespace bw::demo
