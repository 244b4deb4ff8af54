#include "services/recipe/RecipeLoader.h"

#include "models/BisectTypes.h"

#include <QLocale>
#include <QRegularExpression>
#include <QStringList>

#include <functional>

namespace bw::recipe {

// Writing a recipe back as TOML (the GUI editor, the copy a session keeps).

namespace {

QString tomlString(const QString &text) {
    QString out = QStringLiteral("\"");
    for (QChar c : text) {
        switch (c.unicode()) {
        case u'"':
            out += QStringLiteral("\\\"");
            break;
        case u'\\':
            out += QStringLiteral("\\\\");
            break;
        case u'\b':
            out += QStringLiteral("\\b");
            break;
        case u'\t':
            out += QStringLiteral("\\t");
            break;
        case u'\n':
            out += QStringLiteral("\\n");
            break;
        case u'\f':
            out += QStringLiteral("\\f");
            break;
        case u'\r':
            out += QStringLiteral("\\r");
            break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    out += u'"';
    return out;
}

// A script with several lines as a multi-line basic string, so the file reads like it.
QString tomlScript(const QString &text) {
    if (!text.contains(u'\n'))
        return tomlString(text);
    QString out = QStringLiteral("\"\"\"\n");
    const QStringList lines = text.split(u'\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString escaped = tomlString(lines[i]);
        out += QStringView(escaped).mid(1, escaped.size() - 2);
        if (i + 1 < lines.size())
            out += u'\n';
    }
    out += QStringLiteral("\"\"\"");
    return out;
}

QString tomlKey(const QString &key) {
    static const QRegularExpression bare(QStringLiteral("^[A-Za-z0-9_-]+$"));
    return bare.match(key).hasMatch() ? key : tomlString(key);
}

QString tomlList(const QStringList &words) {
    QStringList items;
    for (const QString &w : words)
        items.append(tomlString(w));
    return u'[' + items.join(QStringLiteral(", ")) + u']';
}

QString tomlTable(const QMap<QString, QString> &map) {
    QStringList items;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        items.append(tomlKey(it.key()) + QStringLiteral(" = ") + tomlString(it.value()));
    return items.isEmpty()
               ? QStringLiteral("{}")
               : QStringLiteral("{ ") + items.join(QStringLiteral(", ")) + QStringLiteral(" }");
}

QString tomlCommand(const CommandSpec &c) {
    return c.form == CommandSpec::Form::Argv ? tomlList(c.argv) : tomlScript(c.shell);
}

QString tomlDouble(double d) {
    QString s = QString::number(d, 'g', QLocale::FloatingPointShortest);
    if (!s.contains(u'.') && !s.contains(u'e') && !s.contains(u'n') && !s.contains(u'i'))
        s += QStringLiteral(".0");
    return s;
}

// Collects one table's lines; only values that differ from the defaults are written.
class SectionWriter {
public:
    void line(const QString &key, const QString &value) {
        m_lines += key + QStringLiteral(" = ") + value + u'\n';
    }
    void string(const QString &key, const QString &value, const QString &fallback) {
        if (value != fallback)
            line(key, tomlString(value));
    }
    void flag(const QString &key, bool value, bool fallback) {
        if (value != fallback)
            line(key, value ? QStringLiteral("true") : QStringLiteral("false"));
    }
    void integer(const QString &key, qint64 value, qint64 fallback) {
        if (value != fallback)
            line(key, QString::number(value));
    }
    void number(const QString &key, double value, double fallback) {
        if (value != fallback)
            line(key, tomlDouble(value));
    }
    void duration(const QString &key, Millis value) {
        if (value != 0)
            line(key, tomlString(formatDuration(value)));
    }
    void command(const QString &key, const CommandSpec &value) {
        if (value.isSet())
            line(key, tomlCommand(value));
    }
    void list(const QString &key, const QStringList &value) {
        if (!value.isEmpty())
            line(key, tomlList(value));
    }
    void env(const QString &key, const QMap<QString, QString> &value) {
        if (!value.isEmpty())
            line(key, tomlTable(value));
    }

    [[nodiscard]] const QString &text() const { return m_lines; }

private:
    QString m_lines;
};

void writeSection(QString &out, const QString &header, const SectionWriter &w) {
    if (w.text().isEmpty())
        return;
    out += u'\n' + header + u'\n' + w.text();
}

} // namespace

QString RecipeLoader::toToml(const Recipe &r) {
    const Recipe d; // the defaults, which are left out
    QString out;
    if (!r.name.isEmpty())
        out += QStringLiteral("name = ") + tomlString(r.name) + u'\n';

    SectionWriter bisect;
    if (r.bisect.termOld != d.bisect.termOld || r.bisect.termNew != d.bisect.termNew)
        bisect.line(QStringLiteral("terms"), tomlList({r.bisect.termOld, r.bisect.termNew}));
    bisect.flag(QStringLiteral("first_parent"), r.bisect.firstParent, d.bisect.firstParent);
    bisect.flag(QStringLiteral("check_endpoints"), r.bisect.checkEndpoints,
                d.bisect.checkEndpoints);
    bisect.integer(QStringLiteral("confirm_culprit"), r.bisect.confirmCulprit,
                   d.bisect.confirmCulprit);
    bisect.string(QStringLiteral("mode"), bisectModeName(r.bisect.mode),
                  bisectModeName(d.bisect.mode));
    if (r.bisect.detectionAuto)
        bisect.line(QStringLiteral("detection"), tomlString(QStringLiteral("auto")));
    else
        bisect.number(QStringLiteral("detection"), r.bisect.detection, d.bisect.detection);
    bisect.number(QStringLiteral("false_alarm"), r.bisect.falseAlarm, d.bisect.falseAlarm);
    bisect.number(QStringLiteral("confidence"), r.bisect.confidence, d.bisect.confidence);
    writeSection(out, QStringLiteral("[bisect]"), bisect);

    SectionWriter checkout;
    checkout.string(QStringLiteral("mode"), checkoutModeName(r.checkout),
                    checkoutModeName(d.checkout));
    writeSection(out, QStringLiteral("[checkout]"), checkout);

    if (r.build != d.build) {
        const BuildSpec &b = r.build;
        SectionWriter w;
        w.line(QStringLiteral("kind"), tomlString(buildKindName(b.kind)));
        w.command(QStringLiteral("command"), b.command);
        w.duration(QStringLiteral("timeout"), b.timeout);
        w.env(QStringLiteral("env"), b.env);
        w.string(QStringLiteral("target"), b.target, d.build.target);
        w.integer(QStringLiteral("jobs"), b.jobs, d.build.jobs);
        w.list(QStringLiteral("args"), b.args);
        w.string(QStringLiteral("flake"), b.flake, d.build.flake);
        w.string(QStringLiteral("result"), b.result, d.build.result);
        writeSection(out, QStringLiteral("[build]"), w);
    }
    if (r.deploy != d.deploy) {
        const DeploySpec &p = r.deploy;
        SectionWriter w;
        w.line(QStringLiteral("kind"), tomlString(deployKindName(p.kind)));
        w.string(QStringLiteral("uri"), p.uri, d.deploy.uri);
        w.string(QStringLiteral("xml"), p.xml, d.deploy.xml);
        w.string(QStringLiteral("domain"), p.domain, d.deploy.domain);
        w.string(QStringLiteral("kernel"), p.kernel, d.deploy.kernel);
        w.string(QStringLiteral("initrd"), p.initrd, d.deploy.initrd);
        w.string(QStringLiteral("cmdline"), p.cmdline, d.deploy.cmdline);
        w.string(QStringLiteral("image"), p.image, d.deploy.image);
        w.string(QStringLiteral("disk"), p.disk, d.deploy.disk);
        w.string(QStringLiteral("format"), p.format, d.deploy.format);
        w.string(QStringLiteral("resize"), p.resize, d.deploy.resize);
        w.command(QStringLiteral("command"), p.command);
        w.duration(QStringLiteral("timeout"), p.timeout);
        writeSection(out, QStringLiteral("[deploy]"), w);
    }
    if (r.wait != d.wait) {
        const WaitSpec &s = r.wait;
        SectionWriter w;
        w.line(QStringLiteral("kind"), tomlString(waitKindName(s.kind)));
        w.string(QStringLiteral("host"), s.host, d.wait.host);
        w.integer(QStringLiteral("port"), s.port, d.wait.port);
        w.string(QStringLiteral("user"), s.user, d.wait.user);
        w.string(QStringLiteral("identity"), s.identity, d.wait.identity);
        w.string(QStringLiteral("known_hosts"), s.knownHosts, d.wait.knownHosts);
        w.string(QStringLiteral("pattern"), s.pattern, d.wait.pattern);
        w.flag(QStringLiteral("expect_version"), s.expectVersion, d.wait.expectVersion);
        w.duration(QStringLiteral("timeout"), s.timeout);
        writeSection(out, QStringLiteral("[wait]"), w);
    }
    {
        const TestSpec &s = r.test;
        SectionWriter w;
        w.line(QStringLiteral("kind"), tomlString(testKindName(s.kind)));
        w.command(QStringLiteral("command"), s.command);
        w.env(QStringLiteral("env"), s.env);
        w.string(QStringLiteral("file"), s.file, d.test.file);
        w.string(QStringLiteral("destination"), s.destination, d.test.destination);
        w.integer(QStringLiteral("repeat"), s.repeat, d.test.repeat);
        w.duration(QStringLiteral("timeout"), s.timeout);
        writeSection(out, QStringLiteral("[test]"), w);
    }
    for (const ClassifyRule &rule : r.classify) {
        SectionWriter w;
        w.line(QStringLiteral("stage"), tomlString(stageName(rule.stage)));
        if (rule.outcome.kind != OutcomeMatch::Kind::Any)
            w.line(QStringLiteral("outcome"), tomlString(outcomeMatchName(rule.outcome)));
        if (rule.log)
            w.line(QStringLiteral("log"), tomlString(logName(*rule.log)));
        w.string(QStringLiteral("pattern"), rule.pattern, QString());
        w.line(QStringLiteral("verdict"), tomlString(verdictName(rule.verdict)));
        writeSection(out, QStringLiteral("[[classify]]"), w);
    }
    SectionWriter notify;
    notify.flag(QStringLiteral("desktop"), r.notify.desktop, d.notify.desktop);
    notify.string(QStringLiteral("webhook"), r.notify.webhook, d.notify.webhook);
    writeSection(out, QStringLiteral("[notify]"), notify);
    for (const WorkerSpec &worker : r.workers) {
        SectionWriter w;
        w.string(QStringLiteral("name"), worker.name, QString());
        w.string(QStringLiteral("uri"), worker.uri, QString());
        w.string(QStringLiteral("domain"), worker.domain, QString());
        w.string(QStringLiteral("host"), worker.host, QString());
        w.integer(QStringLiteral("port"), worker.port, 0);
        w.string(QStringLiteral("user"), worker.user, QString());
        if (w.text().isEmpty())
            out += QStringLiteral("\n[[worker]]\n"); // a local slot: nothing to change
        else
            writeSection(out, QStringLiteral("[[worker]]"), w);
    }

    if (out.startsWith(u'\n'))
        out.remove(0, 1);
    return out;
}

} // namespace bw::recipe
