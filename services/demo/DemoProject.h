#pragma once

// Private to services/demo: the demo project's files as a function of where its history
// is. Each commit of the demo is a set of "knobs" (how far the main line and each topic
// branch have come, how many profile rows, docs, tunings…); the files are rendered from
// them, so a merge is the rendering of the two sides' knobs combined.

#include <QByteArray>
#include <QString>

#include <map>
#include <string>
#include <vector>

namespace bw::demo {

class Knobs {
public:
    [[nodiscard]] int operator[](const std::string &key) const {
        const auto it = m_values.find(key);
        return it == m_values.end() ? 0 : it->second;
    }
    void set(const std::string &key, int value) { m_values[key] = value; }
    void bump(const std::string &key) { ++m_values[key]; }
    // `ours` with every knob `theirs` changed since `base` taken from `theirs`.
    [[nodiscard]] static Knobs merged(const Knobs &ours, const Knobs &theirs, const Knobs &base);

private:
    std::map<std::string, int> m_values;
};

struct ProjectFile {
    QString path;
    QByteArray content;
    bool executable = false;
};

// Every file of the project at `knobs`, sorted by path.
[[nodiscard]] std::vector<ProjectFile> renderProject(const Knobs &knobs);
// True when `make` fails at `knobs` (the interrupt topic's missing semicolon).
[[nodiscard]] bool buildBreaks(const Knobs &knobs);

// The pieces of data the history's subjects name.
struct Profile {
    const char *name;
    int mbps;
    int mtu;
    int ring;
    const char *features; // the profile-features topic's column
};
[[nodiscard]] const std::vector<Profile> &profileTable();
[[nodiscard]] int profileRing(const Knobs &knobs, int row); // with the tunings applied
[[nodiscard]] int profileMtu(const Knobs &knobs, int row);
// Which row the tuning number `tune` changes, and whether it is the ring (else the MTU).
[[nodiscard]] int tunedRow(int tune);
[[nodiscard]] bool tunesRing(int tune);
struct DocSection {
    const char *title;
    const char *body;
};
[[nodiscard]] const std::vector<DocSection> &docSections();
struct Typo {
    const char *wrong;
    const char *right;
};
[[nodiscard]] const std::vector<Typo> &readmeTypos();
struct Person {
    const char *name;
    const char *email;
    int offsetMinutes;
};
[[nodiscard]] const std::vector<Person> &contributors();

} // namespace bw::demo
