#include "services/recipe/RecipeLoader.h"

#include "models/BisectTypes.h"
#include "models/RecipeVariables.h"

#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <climits>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>

// Debian's libtomlplusplus is built with exceptions (its symbols are in toml::v3::ex), so
// parse() throws toml::parse_error; it is caught right here and never leaves this file.
#include <toml++/toml.h>

namespace bw::recipe {

namespace {

QString fromToml(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QString typeName(const toml::node &node) {
    switch (node.type()) {
    case toml::node_type::string:
        return QStringLiteral("a string");
    case toml::node_type::integer:
        return QStringLiteral("an integer");
    case toml::node_type::floating_point:
        return QStringLiteral("a floating-point number");
    case toml::node_type::boolean:
        return QStringLiteral("a boolean");
    case toml::node_type::table:
        return QStringLiteral("a table");
    case toml::node_type::array:
        return QStringLiteral("an array");
    case toml::node_type::date:
        return QStringLiteral("a date");
    case toml::node_type::time:
        return QStringLiteral("a time");
    case toml::node_type::date_time:
        return QStringLiteral("a date-time");
    case toml::node_type::none:
        break;
    }
    return QStringLiteral("nothing");
}

QString quoted(const QString &text) {
    return u'"' + text + u'"';
}

QString oneOf(const QStringList &names) {
    return QStringLiteral("expected one of: ") + names.join(QStringLiteral(", "));
}

const QString kDurationHint =
    QStringLiteral("expected a duration like \"3m\" or a number of seconds");

// The keys each table knows, in the order toToml() writes them.
struct TableKeys {
    const char16_t *table;
    QStringList keys;
};

const std::vector<TableKeys> &allTableKeys() {
    static const std::vector<TableKeys> tables = {
        {u"",
         {"name", "bisect", "checkout", "build", "deploy", "wait", "test", "classify", "notify",
          "worker"}},
        {u"bisect",
         {"terms", "first_parent", "check_endpoints", "confirm_culprit", "mode", "detection",
          "false_alarm", "confidence"}},
        {u"checkout", {"mode"}},
        {u"build",
         {"kind", "command", "timeout", "env", "target", "jobs", "args", "flake", "result"}},
        {u"deploy",
         {"kind", "uri", "xml", "domain", "kernel", "initrd", "cmdline", "image", "disk", "format",
          "resize", "command", "timeout"}},
        {u"wait",
         {"kind", "host", "port", "user", "identity", "known_hosts", "pattern", "expect_version",
          "timeout"}},
        {u"test", {"kind", "command", "env", "file", "destination", "repeat", "timeout"}},
        {u"classify", {"stage", "outcome", "log", "pattern", "verdict"}},
        {u"notify", {"desktop", "webhook"}},
        {u"worker", {"name", "uri", "domain", "host", "port", "user"}},
    };
    return tables;
}

const QStringList &keysOf(QStringView table) {
    for (const TableKeys &t : allTableKeys()) {
        if (table == QStringView(t.table))
            return t.keys;
    }
    static const QStringList none;
    return none;
}

template <typename Enum>
QStringList namesOf(std::initializer_list<Enum> values, QString (*name)(Enum)) {
    QStringList names;
    for (Enum v : values)
        names.append(name(v));
    return names;
}

// Checks one table's keys and reads its values, reporting each mistake against the
// dotted key and the place it was written.
class Validator;

class TableReader {
public:
    TableReader(Validator &validator, const toml::table *table, QString path, QString keysName);

    [[nodiscard]] QString keyPath(const QString &key) const {
        return m_path.isEmpty() ? key : m_path + u'.' + key;
    }
    [[nodiscard]] const toml::node *node(const QString &key) const {
        return m_table ? m_table->get(key.toStdString()) : nullptr;
    }
    [[nodiscard]] bool has(const QString &key) const { return node(key) != nullptr; }
    [[nodiscard]] const QString &path() const { return m_path; }
    // Where a missing key would go: the table itself, when it was written.
    [[nodiscard]] const toml::source_region *source() const {
        return m_table ? &m_table->source() : nullptr;
    }

    std::optional<QString> string(const QString &key, bool variables = true);
    std::optional<bool> boolean(const QString &key);
    std::optional<qint64> integer(const QString &key, qint64 min, qint64 max, const QString &what);
    std::optional<double> number(const QString &key);
    std::optional<Millis> duration(const QString &key);
    std::optional<CommandSpec> command(const QString &key);
    std::optional<QStringList> stringList(const QString &key);
    std::optional<QMap<QString, QString>> env(const QString &key);
    std::optional<QString> regex(const QString &key);
    template <typename Enum>
    std::optional<Enum> choice(const QString &key, std::optional<Enum> (*fromName)(const QString &),
                               const QStringList &allowed);

    void read(const QString &key, QString &into) {
        if (auto v = string(key))
            into = *v;
    }
    void read(const QString &key, bool &into) {
        if (auto v = boolean(key))
            into = *v;
    }
    void readDuration(const QString &key, Millis &into) {
        if (auto v = duration(key))
            into = *v;
    }

private:
    void typeError(const toml::node &n, const QString &key, const QString &expected);
    bool checkVariables(const toml::node &n, const QString &key, const QString &text, bool shell);

    Validator &m_validator;
    const toml::table *m_table;
    QString m_path;
};

class Validator {
public:
    explicit Validator(QString file)
        : m_file(std::move(file)) {}

    void issue(const toml::source_region *where, const QString &key, const QString &message) {
        RecipeIssue i;
        i.file = m_file;
        if (where) {
            i.line = int(where->begin.line);
            i.column = int(where->begin.column);
        }
        i.key = key;
        i.message = message;
        m_issues.push_back(std::move(i));
    }
    void issue(const toml::node &where, const QString &key, const QString &message) {
        issue(&where.source(), key, message);
    }

    void run(const toml::table &root);

    Recipe m_recipe;
    std::vector<RecipeIssue> m_issues;

private:
    // The table at `key` of `root`, or null (reported when it is something else).
    const toml::table *section(TableReader &root, const QString &key);
    void unknownKeys(const toml::table &table, const QString &path, const QString &keysName);

    void readBisect(TableReader &t);
    void readBuild(TableReader &t);
    void readDeploy(TableReader &t);
    void readWait(TableReader &t);
    void readTest(TableReader &t);
    void readClassify(const toml::node *node);
    void readWorkers(const toml::node *node);
    void readNotify(TableReader &t);
    void require(TableReader &t, const QString &key, const toml::node *kindNode,
                 const QString &why);

    QString m_file;
    QStringList m_brokenSections;
};

TableReader::TableReader(Validator &validator, const toml::table *table, QString path,
                         QString keysName)
    : m_validator(validator)
    , m_table(table)
    , m_path(std::move(path)) {
    if (!m_table)
        return;
    const QStringList &known = keysOf(keysName);
    for (auto &&[k, v] : *m_table) {
        const QString key = fromToml(k.str());
        if (known.contains(key))
            continue;
        QString message = QStringLiteral("unknown key '%1'").arg(key);
        const QString close = closestName(key, known);
        QStringList elsewhere;
        for (const TableKeys &t : allTableKeys()) {
            if (QStringView(t.table) != keysName && t.keys.contains(key))
                elsewhere.append(QStringView(t.table).isEmpty() ? QStringLiteral("the top level")
                                 : QStringView(t.table) == u"classify"
                                     ? QStringLiteral("[[classify]]")
                                 : QStringView(t.table) == u"worker"
                                     ? QStringLiteral("[[worker]]")
                                     : QStringLiteral("[%1]").arg(QStringView(t.table)));
        }
        if (!close.isEmpty())
            message += QStringLiteral("; did you mean '%1'?").arg(close);
        else if (!elsewhere.isEmpty())
            message += QStringLiteral("; it belongs in %1").arg(elsewhere.join(u" or "));
        else
            message += QStringLiteral("; known keys: %1").arg(known.join(QStringLiteral(", ")));
        m_validator.issue(&k.source(), keyPath(key), message);
    }
}

void TableReader::typeError(const toml::node &n, const QString &key, const QString &expected) {
    m_validator.issue(n, keyPath(key), QStringLiteral("%1, not %2").arg(expected, typeName(n)));
}

bool TableReader::checkVariables(const toml::node &n, const QString &key, const QString &text,
                                 bool shell) {
    const Status s = shell ? RecipeVariables::checkShell(text) : RecipeVariables::check(text);
    if (!s) {
        m_validator.issue(n, keyPath(key), s.error().message());
        return false;
    }
    return true;
}

std::optional<QString> TableReader::string(const QString &key, bool variables) {
    const toml::node *n = node(key);
    if (!n)
        return std::nullopt;
    const auto *s = n->as_string();
    if (!s) {
        typeError(*n, key, QStringLiteral("expected a string"));
        return std::nullopt;
    }
    const QString value = fromToml(s->get());
    if (variables && !checkVariables(*n, key, value, false))
        return std::nullopt;
    return value;
}

std::optional<bool> TableReader::boolean(const QString &key) {
    const toml::node *n = node(key);
    if (!n)
        return std::nullopt;
    const auto *b = n->as_boolean();
    if (!b) {
        typeError(*n, key, QStringLiteral("expected true or false"));
        return std::nullopt;
    }
    return b->get();
}

std::optional<qint64> TableReader::integer(const QString &key, qint64 min, qint64 max,
                                           const QString &what) {
    const toml::node *n = node(key);
    if (!n)
        return std::nullopt;
    const auto *i = n->as_integer();
    if (!i) {
        typeError(*n, key, QStringLiteral("expected %1").arg(what));
        return std::nullopt;
    }
    const qint64 value = i->get();
    if (value < min || value > max) {
        const QString range = max == LLONG_MAX || max == INT_MAX
                                  ? QStringLiteral("at least %1").arg(min)
                                  : QStringLiteral("%1 to %2").arg(min).arg(max);
        m_validator.issue(*n, keyPath(key),
                          QStringLiteral("expected %1 (%2), got %3").arg(what, range).arg(value));
        return std::nullopt;
    }
    return value;
}

std::optional<double> TableReader::number(const QString &key) {
    const toml::node *n = node(key);
    if (!n)
        return std::nullopt;
    if (const auto *f = n->as_floating_point())
        return f->get();
    if (const auto *i = n->as_integer())
        return double(i->get());
    typeError(*n, key, QStringLiteral("expected a number"));
    return std::nullopt;
}

std::optional<Millis> TableReader::duration(const QString &key) {
    const toml::node *n = node(key);
    if (!n)
        return std::nullopt;
    if (const auto *i = n->as_integer()) {
        const qint64 seconds = i->get();
        if (seconds < 0) {
            m_validator.issue(*n, keyPath(key), QStringLiteral("a duration can't be negative"));
            return std::nullopt;
        }
        if (seconds > std::numeric_limits<Millis>::max() / 1000) {
            m_validator.issue(*n, keyPath(key),
                              QStringLiteral("%1 seconds is too long").arg(seconds));
            return std::nullopt;
        }
        return seconds * 1000;
    }
    const auto *s = n->as_string();
    if (!s) {
        typeError(*n, key, kDurationHint);
        return std::nullopt;
    }
    const QString text = fromToml(s->get());
    if (auto ms = parseDuration(text))
        return ms;
    const QString why =
        text.startsWith(u'-')
            ? QStringLiteral("a duration can't be negative")
            : QStringLiteral("%1 is not a duration; %2").arg(quoted(text), kDurationHint);
    m_validator.issue(*n, keyPath(key), why);
    return std::nullopt;
}

std::optional<CommandSpec> TableReader::command(const QString &key) {
    const toml::node *n = node(key);
    if (!n)
        return std::nullopt;
    if (const auto *s = n->as_string()) {
        const QString script = fromToml(s->get());
        if (script.trimmed().isEmpty()) {
            m_validator.issue(*n, keyPath(key), QStringLiteral("the command is empty"));
            return std::nullopt;
        }
        if (!checkVariables(*n, key, script, true))
            return std::nullopt;
        return CommandSpec::fromShell(script);
    }
    const auto *array = n->as_array();
    if (!array) {
        typeError(*n, key,
                  QStringLiteral("expected a command: an array of strings like [\"make\", "
                                 "\"-j2\"] or a string for /bin/sh -c"));
        return std::nullopt;
    }
    if (array->empty()) {
        m_validator.issue(*n, keyPath(key), QStringLiteral("the command is empty"));
        return std::nullopt;
    }
    QStringList argv;
    bool ok = true;
    for (const toml::node &element : *array) {
        const auto *s = element.as_string();
        if (!s) {
            typeError(element, key,
                      QStringLiteral("expected each word of the command to be a string"));
            ok = false;
            continue;
        }
        const QString word = fromToml(s->get());
        ok = checkVariables(element, key, word, false) && ok;
        argv.append(word);
    }
    if (ok && argv.first().isEmpty()) {
        m_validator.issue(*n, keyPath(key), QStringLiteral("the program to run is empty"));
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    return CommandSpec::fromArgv(argv);
}

std::optional<QStringList> TableReader::stringList(const QString &key) {
    const toml::node *n = node(key);
    if (!n)
        return std::nullopt;
    const auto *array = n->as_array();
    if (!array) {
        typeError(*n, key, QStringLiteral("expected an array of strings"));
        return std::nullopt;
    }
    QStringList out;
    bool ok = true;
    for (const toml::node &element : *array) {
        const auto *s = element.as_string();
        if (!s) {
            typeError(element, key, QStringLiteral("expected an array of strings"));
            ok = false;
            continue;
        }
        const QString word = fromToml(s->get());
        ok = checkVariables(element, key, word, false) && ok;
        out.append(word);
    }
    if (!ok)
        return std::nullopt;
    return out;
}

std::optional<QMap<QString, QString>> TableReader::env(const QString &key) {
    const toml::node *n = node(key);
    if (!n)
        return std::nullopt;
    const auto *table = n->as_table();
    if (!table) {
        typeError(*n, key, QStringLiteral("expected a table of strings like { CC = \"gcc\" }"));
        return std::nullopt;
    }
    static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    QMap<QString, QString> out;
    bool ok = true;
    for (auto &&[k, v] : *table) {
        const QString name = fromToml(k.str());
        const QString path = key + u'.' + name;
        if (!envName.match(name).hasMatch()) {
            m_validator.issue(&k.source(), keyPath(path),
                              QStringLiteral("'%1' is not an environment variable name").arg(name));
            ok = false;
            continue;
        }
        const auto *s = v.as_string();
        if (!s) {
            typeError(v, path, QStringLiteral("expected a string"));
            ok = false;
            continue;
        }
        const QString value = fromToml(s->get());
        ok = checkVariables(v, path, value, false) && ok;
        out.insert(name, value);
    }
    if (!ok)
        return std::nullopt;
    return out;
}

std::optional<QString> TableReader::regex(const QString &key) {
    auto pattern = string(key);
    if (!pattern)
        return std::nullopt;
    const QRegularExpression re(*pattern);
    if (!re.isValid()) {
        m_validator.issue(*node(key), keyPath(key),
                          QStringLiteral("invalid regular expression: %1 at offset %2")
                              .arg(re.errorString())
                              .arg(re.patternErrorOffset()));
        return std::nullopt;
    }
    return pattern;
}

template <typename Enum>
std::optional<Enum> TableReader::choice(const QString &key,
                                        std::optional<Enum> (*fromName)(const QString &),
                                        const QStringList &allowed) {
    auto text = string(key, false);
    if (!text)
        return std::nullopt;
    std::optional<Enum> value = allowed.contains(*text) ? fromName(*text) : std::nullopt;
    if (!value) {
        m_validator.issue(
            *node(key), keyPath(key),
            QStringLiteral("unknown %1 %2; %3").arg(key, quoted(*text), oneOf(allowed)));
    }
    return value;
}

const toml::table *Validator::section(TableReader &root, const QString &key) {
    const toml::node *n = root.node(key);
    if (!n)
        return nullptr;
    if (const auto *t = n->as_table())
        return t;
    issue(*n, key, QStringLiteral("expected a table ([%1]), not %2").arg(key, typeName(*n)));
    m_brokenSections.append(key);
    return nullptr;
}

void Validator::require(TableReader &t, const QString &key, const toml::node *kindNode,
                        const QString &why) {
    if (m_brokenSections.contains(t.path()))
        return; // the section itself was reported
    const QString path = t.keyPath(key);
    if (std::any_of(m_issues.cbegin(), m_issues.cend(),
                    [&](const RecipeIssue &i) { return i.key == path; }))
        return; // what is wrong with it was said when it was read
    const toml::node *n = t.node(key);
    if (n) {
        // Present: a wrong type was reported when it was read; an empty string is missing.
        const auto *s = n->as_string();
        if (!s || !s->get().empty())
            return;
        issue(*n, t.keyPath(key), QStringLiteral("must not be empty: %1").arg(why));
        return;
    }
    issue(kindNode ? &kindNode->source() : t.source(), t.keyPath(key),
          QStringLiteral("missing: %1").arg(why));
}

void Validator::run(const toml::table &root) {
    TableReader top(*this, &root, QString(), QString());
    top.read(QStringLiteral("name"), m_recipe.name);

    TableReader bisect(*this, section(top, QStringLiteral("bisect")), QStringLiteral("bisect"),
                       QStringLiteral("bisect"));
    readBisect(bisect);

    TableReader checkout(*this, section(top, QStringLiteral("checkout")),
                         QStringLiteral("checkout"), QStringLiteral("checkout"));
    if (auto mode = checkout.choice(
            QStringLiteral("mode"), &checkoutModeFromName,
            namesOf({CheckoutMode::Worktree, CheckoutMode::InPlace, CheckoutMode::None},
                    &checkoutModeName)))
        m_recipe.checkout = *mode;

    TableReader build(*this, section(top, QStringLiteral("build")), QStringLiteral("build"),
                      QStringLiteral("build"));
    readBuild(build);
    TableReader deploy(*this, section(top, QStringLiteral("deploy")), QStringLiteral("deploy"),
                       QStringLiteral("deploy"));
    readDeploy(deploy);
    TableReader wait(*this, section(top, QStringLiteral("wait")), QStringLiteral("wait"),
                     QStringLiteral("wait"));
    readWait(wait);
    TableReader test(*this, section(top, QStringLiteral("test")), QStringLiteral("test"),
                     QStringLiteral("test"));
    readTest(test);
    readClassify(top.node(QStringLiteral("classify")));
    TableReader notify(*this, section(top, QStringLiteral("notify")), QStringLiteral("notify"),
                       QStringLiteral("notify"));
    readNotify(notify);
    readWorkers(top.node(QStringLiteral("worker")));
}

void Validator::readWorkers(const toml::node *node) {
    if (!node)
        return;
    const auto *array = node->as_array();
    if (!array || !array->is_array_of_tables()) {
        issue(*node, QStringLiteral("worker"),
              QStringLiteral("expected [[worker]] entries (an array of tables), not %1")
                  .arg(typeName(*node)));
        return;
    }
    int index = 0;
    for (const toml::node &element : *array) {
        ++index;
        const toml::table &table = *element.as_table();
        TableReader t(*this, &table, QStringLiteral("worker[%1]").arg(index),
                      QStringLiteral("worker"));
        WorkerSpec w;
        t.read(QStringLiteral("name"), w.name);
        t.read(QStringLiteral("uri"), w.uri);
        t.read(QStringLiteral("domain"), w.domain);
        t.read(QStringLiteral("host"), w.host);
        t.read(QStringLiteral("user"), w.user);
        if (auto port = t.integer(QStringLiteral("port"), 1, 65535, QStringLiteral("a TCP port")))
            w.port = int(*port);
        m_recipe.workers.push_back(w);
    }
}

void Validator::readBisect(TableReader &t) {
    RecipeBisect &b = m_recipe.bisect;
    if (const toml::node *n = t.node(QStringLiteral("terms"))) {
        const auto *array = n->as_array();
        const bool pair =
            array && array->size() == 2 && (*array)[0].is_string() && (*array)[1].is_string();
        if (!pair) {
            issue(*n, t.keyPath(QStringLiteral("terms")),
                  QStringLiteral("expected two terms [old, new], like [\"good\", \"bad\"]"));
        } else {
            const QString termOld = fromToml((*array)[0].as_string()->get());
            const QString termNew = fromToml((*array)[1].as_string()->get());
            const QString problem = Terms::validate(termNew, termOld);
            if (!problem.isEmpty()) {
                issue(*n, t.keyPath(QStringLiteral("terms")), problem);
            } else {
                b.termOld = termOld;
                b.termNew = termNew;
            }
        }
    }
    t.read(QStringLiteral("first_parent"), b.firstParent);
    t.read(QStringLiteral("check_endpoints"), b.checkEndpoints);
    if (auto n = t.integer(QStringLiteral("confirm_culprit"), 0, INT_MAX,
                           QStringLiteral("a number of re-tests")))
        b.confirmCulprit = int(*n);
    if (auto mode = t.choice(QStringLiteral("mode"), &bisectModeFromName,
                             namesOf({BisectMode::Classic, BisectMode::Flaky}, &bisectModeName)))
        b.mode = *mode;

    // Probabilities: each in its range, and a failure must say more on a bad commit than
    // on a good one.
    const auto probability = [&](const QString &key, double &into, bool zeroOk, bool oneOk,
                                 const QString &range) {
        auto p = t.number(key);
        if (!p)
            return false;
        const bool ok = (*p > 0.0 || (zeroOk && *p == 0.0)) && (*p < 1.0 || (oneOk && *p == 1.0));
        if (!ok) {
            issue(*t.node(key), t.keyPath(key),
                  QStringLiteral("expected a probability in %1, got %2")
                      .arg(range, QString::number(*p)));
            return false;
        }
        into = *p;
        return true;
    };
    // detection = "auto": unknown, estimated from the runs (flaky mode).
    const toml::node *detectionNode = t.node(QStringLiteral("detection"));
    const bool detectionAuto = detectionNode && detectionNode->is_string();
    bool detectionOk = false;
    if (detectionAuto) {
        if (detectionNode->as_string()->get() == "auto")
            b.detectionAuto = true;
        else
            issue(*detectionNode, t.keyPath(QStringLiteral("detection")),
                  QStringLiteral("expected a probability in (0, 1] or \"auto\" (estimated from "
                                 "the runs)"));
    } else {
        detectionOk = probability(QStringLiteral("detection"), b.detection, false, true,
                                  QStringLiteral("(0, 1]"));
    }
    const bool falseAlarmOk = probability(QStringLiteral("false_alarm"), b.falseAlarm, true, false,
                                          QStringLiteral("[0, 1)"));
    probability(QStringLiteral("confidence"), b.confidence, false, false, QStringLiteral("(0, 1)"));
    const bool anyGiven = (t.has(QStringLiteral("detection")) && !detectionAuto) ||
                          t.has(QStringLiteral("false_alarm"));
    if (detectionOk && falseAlarmOk && anyGiven && !(b.detection > b.falseAlarm)) {
        const QString key = t.has(QStringLiteral("false_alarm")) ? QStringLiteral("false_alarm")
                                                                 : QStringLiteral("detection");
        issue(*t.node(key), t.keyPath(key),
              QStringLiteral("detection (%1) must be greater than false_alarm (%2): otherwise a "
                             "failing test says nothing about the commit")
                  .arg(QString::number(b.detection), QString::number(b.falseAlarm)));
    }
}

void Validator::readBuild(TableReader &t) {
    BuildSpec &b = m_recipe.build;
    if (auto kind =
            t.choice(QStringLiteral("kind"), &buildKindFromName,
                     namesOf({BuildKind::Command, BuildKind::Make, BuildKind::Nix, BuildKind::None},
                             &buildKindName)))
        b.kind = *kind;
    if (auto c = t.command(QStringLiteral("command")))
        b.command = *c;
    // `[build] command = …` alone means a command build: without a kind, a build that was
    // given a command runs it.
    if (!t.has(QStringLiteral("kind")) && t.has(QStringLiteral("command")))
        b.kind = BuildKind::Command;
    t.readDuration(QStringLiteral("timeout"), b.timeout);
    if (auto e = t.env(QStringLiteral("env")))
        b.env = *e;
    t.read(QStringLiteral("target"), b.target);
    if (auto j = t.integer(QStringLiteral("jobs"), 0, INT_MAX, QStringLiteral("a number of jobs")))
        b.jobs = int(*j);
    if (auto a = t.stringList(QStringLiteral("args")))
        b.args = *a;
    t.read(QStringLiteral("flake"), b.flake);
    t.read(QStringLiteral("result"), b.result);
    if (t.has(QStringLiteral("result")) && b.result.isEmpty())
        issue(*t.node(QStringLiteral("result")), t.keyPath(QStringLiteral("result")),
              QStringLiteral("the out-link's name must not be empty"));

    const toml::node *kindNode = t.node(QStringLiteral("kind"));
    if (b.kind == BuildKind::Command)
        require(t, QStringLiteral("command"), kindNode,
                QStringLiteral("build kind \"command\" needs a command to run"));
    if (b.kind == BuildKind::Nix)
        require(t, QStringLiteral("flake"), kindNode,
                QStringLiteral("build kind \"nix\" needs the flake output to build, like "
                               "\".#qemuImage\""));
}

void Validator::readDeploy(TableReader &t) {
    DeploySpec &d = m_recipe.deploy;
    if (auto kind = t.choice(QStringLiteral("kind"), &deployKindFromName,
                             namesOf({DeployKind::None, DeployKind::LibvirtKernel,
                                      DeployKind::LibvirtDisk, DeployKind::SshInstall},
                                     &deployKindName)))
        d.kind = *kind;
    t.read(QStringLiteral("uri"), d.uri);
    t.read(QStringLiteral("xml"), d.xml);
    t.read(QStringLiteral("domain"), d.domain);
    t.read(QStringLiteral("kernel"), d.kernel);
    t.read(QStringLiteral("initrd"), d.initrd);
    t.read(QStringLiteral("cmdline"), d.cmdline);
    t.read(QStringLiteral("image"), d.image);
    t.read(QStringLiteral("disk"), d.disk);
    t.read(QStringLiteral("format"), d.format);
    t.read(QStringLiteral("resize"), d.resize);
    if (auto c = t.command(QStringLiteral("command")))
        d.command = *c;
    t.readDuration(QStringLiteral("timeout"), d.timeout);

    const toml::node *kindNode = t.node(QStringLiteral("kind"));
    const QString kind = quoted(deployKindName(d.kind));
    const auto needsDomain = [&] {
        if (!d.xml.isEmpty() || !d.domain.isEmpty() || t.has(QStringLiteral("xml")) ||
            t.has(QStringLiteral("domain")))
            return;
        issue(kindNode ? &kindNode->source() : t.source(), t.keyPath(QStringLiteral("xml")),
              QStringLiteral("missing: deploy kind %1 needs xml (a domain XML template) or "
                             "domain (an existing domain to redefine)")
                  .arg(kind));
    };
    switch (d.kind) {
    case DeployKind::None:
        break;
    case DeployKind::LibvirtKernel:
        require(t, QStringLiteral("kernel"), kindNode,
                QStringLiteral("deploy kind %1 needs the kernel image to boot").arg(kind));
        needsDomain();
        break;
    case DeployKind::LibvirtDisk:
        require(t, QStringLiteral("image"), kindNode,
                QStringLiteral("deploy kind %1 needs the new disk image").arg(kind));
        require(t, QStringLiteral("disk"), kindNode,
                QStringLiteral("deploy kind %1 needs the domain's disk to replace").arg(kind));
        needsDomain();
        break;
    case DeployKind::SshInstall:
        require(t, QStringLiteral("command"), kindNode,
                QStringLiteral("deploy kind %1 needs the install command").arg(kind));
        break;
    }
}

void Validator::readWait(TableReader &t) {
    WaitSpec &w = m_recipe.wait;
    if (auto kind =
            t.choice(QStringLiteral("kind"), &waitKindFromName,
                     namesOf({WaitKind::None, WaitKind::Ssh, WaitKind::Console}, &waitKindName)))
        w.kind = *kind;
    t.read(QStringLiteral("host"), w.host);
    if (auto p = t.integer(QStringLiteral("port"), 1, 65535, QStringLiteral("a port number")))
        w.port = int(*p);
    t.read(QStringLiteral("user"), w.user);
    t.read(QStringLiteral("identity"), w.identity);
    t.read(QStringLiteral("known_hosts"), w.knownHosts);
    if (auto p = t.regex(QStringLiteral("pattern")))
        w.pattern = *p;
    t.read(QStringLiteral("expect_version"), w.expectVersion);
    t.readDuration(QStringLiteral("timeout"), w.timeout);

    const toml::node *kindNode = t.node(QStringLiteral("kind"));
    if (w.kind == WaitKind::Ssh && w.host.isEmpty())
        require(t, QStringLiteral("host"), kindNode,
                QStringLiteral("wait kind \"ssh\" needs the host to connect to"));
    if (w.kind == WaitKind::Console)
        require(t, QStringLiteral("pattern"), kindNode,
                QStringLiteral("wait kind \"console\" needs a pattern to wait for"));
}

void Validator::readTest(TableReader &t) {
    TestSpec &s = m_recipe.test;
    if (auto kind = t.choice(QStringLiteral("kind"), &testKindFromName,
                             namesOf({TestKind::Command, TestKind::RemoteCommand,
                                      TestKind::Transfer, TestKind::Script},
                                     &testKindName)))
        s.kind = *kind;
    if (auto c = t.command(QStringLiteral("command")))
        s.command = *c;
    if (auto e = t.env(QStringLiteral("env")))
        s.env = *e;
    t.read(QStringLiteral("file"), s.file);
    t.read(QStringLiteral("destination"), s.destination);
    if (auto r = t.integer(QStringLiteral("repeat"), 1, INT_MAX,
                           QStringLiteral("a number of iterations")))
        s.repeat = int(*r);
    t.readDuration(QStringLiteral("timeout"), s.timeout);

    const toml::node *kindNode = t.node(QStringLiteral("kind"));
    const QString kind = quoted(testKindName(s.kind));
    if (s.kind == TestKind::Transfer) {
        require(t, QStringLiteral("file"), kindNode,
                QStringLiteral("test kind %1 needs the local file to upload").arg(kind));
        if (s.destination.isEmpty())
            require(t, QStringLiteral("destination"), kindNode,
                    QStringLiteral("test kind %1 needs the remote path to upload to").arg(kind));
    } else {
        require(t, QStringLiteral("command"), kindNode,
                QStringLiteral("test kind %1 needs a command to run").arg(kind));
    }
}

void Validator::readClassify(const toml::node *node) {
    if (!node)
        return;
    const auto *array = node->as_array();
    if (!array || !array->is_array_of_tables()) {
        issue(*node, QStringLiteral("classify"),
              QStringLiteral("expected [[classify]] rules (an array of tables), not %1")
                  .arg(typeName(*node)));
        return;
    }
    int index = 0;
    for (const toml::node &element : *array) {
        ++index;
        const toml::table &table = *element.as_table();
        const QString path = QStringLiteral("classify[%1]").arg(index);
        TableReader t(*this, &table, path, QStringLiteral("classify"));
        ClassifyRule rule;
        rule.line = int(table.source().begin.line);
        const auto stage =
            t.choice(QStringLiteral("stage"), &stageFromName,
                     namesOf({StageKind::Checkout, StageKind::Build, StageKind::Deploy,
                              StageKind::Wait, StageKind::Test, StageKind::Any},
                             &stageName));
        if (stage)
            rule.stage = *stage;
        const bool stageOk = stage || !t.has(QStringLiteral("stage"));
        if (auto text = t.string(QStringLiteral("outcome"), false)) {
            if (auto match = outcomeMatchFromName(*text)) {
                rule.outcome = *match;
            } else {
                const QString why =
                    text->startsWith(u"exit:")
                        ? QStringLiteral("%1 is not an exit code or range: expected exit:N or "
                                         "exit:A-B with 0 <= A <= B <= 255")
                              .arg(quoted(*text))
                        : QStringLiteral("unknown outcome %1; expected passed, failed, timeout, "
                                         "error, exit:N or exit:A-B")
                              .arg(quoted(*text));
                issue(*t.node(QStringLiteral("outcome")), t.keyPath(QStringLiteral("outcome")),
                      why);
            }
        }
        rule.log = t.choice(QStringLiteral("log"), &logFromName,
                            namesOf({LogKind::Build, LogKind::Console, LogKind::Test}, &logName));
        if (auto pattern = t.regex(QStringLiteral("pattern"))) {
            rule.pattern = *pattern;
            if (pattern->isEmpty())
                issue(*t.node(QStringLiteral("pattern")), t.keyPath(QStringLiteral("pattern")),
                      QStringLiteral("an empty pattern matches everything; leave it out"));
        }
        const bool hasPattern = t.has(QStringLiteral("pattern"));
        const bool hasLog = t.has(QStringLiteral("log"));
        if (hasLog && !hasPattern)
            issue(*t.node(QStringLiteral("log")), t.keyPath(QStringLiteral("log")),
                  QStringLiteral("log only applies with a pattern"));
        // Without `log` a pattern searches the log of the rule's stage; "any" has none.
        if (hasPattern && !hasLog && rule.stage == StageKind::Any && stageOk)
            issue(&table.source(), t.keyPath(QStringLiteral("log")),
                  QStringLiteral("missing: a pattern on stage \"any\" needs log = \"build\", "
                                 "\"console\" or \"test\" to say which log to search"));

        // The recipe's own terms are accepted for good and bad.
        if (const toml::node *v = t.node(QStringLiteral("verdict")); v && v->is_string()) {
            const QString text = fromToml(v->as_string()->get());
            std::optional<Verdict> verdict = verdictFromName(text);
            if (!verdict && text == m_recipe.bisect.termOld)
                verdict = Verdict::Good;
            if (!verdict && text == m_recipe.bisect.termNew)
                verdict = Verdict::Bad;
            if (verdict)
                rule.verdict = *verdict;
            else
                issue(*v, t.keyPath(QStringLiteral("verdict")),
                      QStringLiteral("unknown verdict %1; %2")
                          .arg(quoted(text),
                               oneOf(namesOf({Verdict::Good, Verdict::Bad, Verdict::Skip,
                                              Verdict::Retry, Verdict::Abort, Verdict::Ask},
                                             &verdictName))));
        } else if (v) {
            (void)t.string(QStringLiteral("verdict"), false); // reports the type
        } else {
            issue(&table.source(), t.keyPath(QStringLiteral("verdict")),
                  QStringLiteral("missing: a rule needs a verdict (good, bad, skip, retry, abort "
                                 "or ask)"));
        }
        m_recipe.classify.push_back(rule);
    }
}

void Validator::readNotify(TableReader &t) {
    NotifySpec &n = m_recipe.notify;
    t.read(QStringLiteral("desktop"), n.desktop);
    t.read(QStringLiteral("webhook"), n.webhook);
    if (!n.webhook.isEmpty() && RecipeVariables::referencedNames(n.webhook).isEmpty()) {
        const QUrl url(n.webhook, QUrl::StrictMode);
        const bool web = url.isValid() && !url.host().isEmpty() &&
                         (url.scheme() == u"http" || url.scheme() == u"https");
        if (!web)
            issue(*t.node(QStringLiteral("webhook")), t.keyPath(QStringLiteral("webhook")),
                  QStringLiteral("expected an http:// or https:// URL, got %1")
                      .arg(quoted(n.webhook)));
    }
}

RecipeLoad parseBytes(const QByteArray &bytes, const QString &file) {
    RecipeLoad load;
    if (!file.isEmpty()) {
        const QFileInfo info(file);
        load.recipe.file = info.absoluteFilePath();
        load.recipe.folder = info.absolutePath();
    }
    toml::table root;
    try {
        root = toml::parse(std::string_view(bytes.constData(), std::size_t(bytes.size())),
                           file.toStdString());
    } catch (const toml::parse_error &e) {
        RecipeIssue i;
        i.file = file;
        i.line = int(e.source().begin.line);
        i.column = int(e.source().begin.column);
        i.message = fromToml(e.description());
        load.issues.push_back(std::move(i));
        return load;
    }
    Validator v(file);
    v.m_recipe.file = load.recipe.file;
    v.m_recipe.folder = load.recipe.folder;
    v.run(root);
    load.recipe = std::move(v.m_recipe);
    load.issues = std::move(v.m_issues);
    // In file order; issues without a place (none so far) last.
    std::stable_sort(load.issues.begin(), load.issues.end(),
                     [](const RecipeIssue &a, const RecipeIssue &b) {
                         const auto place = [](const RecipeIssue &i) {
                             return std::pair(i.line > 0 ? i.line : INT_MAX, i.column);
                         };
                         return place(a) < place(b);
                     });
    return load;
}

} // namespace

QString RecipeLoad::message() const {
    QStringList lines;
    for (const RecipeIssue &i : issues)
        lines.append(i.toString());
    return lines.join(u'\n');
}

RecipeLoad RecipeLoader::loadFile(const QString &path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        RecipeLoad load;
        RecipeIssue i;
        i.file = path;
        i.message = QStringLiteral("cannot read the recipe: %1").arg(f.errorString());
        load.issues.push_back(std::move(i));
        return load;
    }
    return parseBytes(f.readAll(), path);
}

RecipeLoad RecipeLoader::parse(const QString &text, const QString &file) {
    return parseBytes(text.toUtf8(), file);
}

} // namespace bw::recipe
