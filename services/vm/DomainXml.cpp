#include "services/vm/DomainXml.h"

#include "services/vm/VmError.h"

#include <QXmlStreamReader>

#include <algorithm>

namespace bw::vm {

namespace {

// One element of the document with the positions of its tags, for splicing.
struct Node {
    QString path; // "domain/os/kernel"
    int depth = 0;
    int parent = -1;
    qsizetype start = 0;       // at '<' of the start tag
    qsizetype startTagEnd = 0; // after its '>'
    qsizetype endTagStart = 0; // at '<' of the end tag (== startTagEnd when self-closing)
    qsizetype end = 0;         // after the end tag
    bool selfClosing = false;
    QXmlStreamAttributes attributes;
    QString text; // the element's own character data
};

struct Document {
    QString xml;
    std::vector<Node> nodes;

    [[nodiscard]] int first(const QString &path, int from = 0) const {
        for (int i = from; i < int(nodes.size()); ++i)
            if (nodes[i].path == path)
                return i;
        return -1;
    }
    [[nodiscard]] int child(int parent, const QString &name) const {
        for (int i = parent + 1; i < int(nodes.size()); ++i)
            if (nodes[i].parent == parent && nodes[i].path.section(QLatin1Char('/'), -1) == name)
                return i;
        return -1;
    }
    [[nodiscard]] QString attribute(int node, const QString &name) const {
        return nodes[node].attributes.value(name).toString();
    }
};

Result<Document> parse(const QString &xml) {
    Document doc;
    doc.xml = xml;
    QXmlStreamReader reader(xml);
    std::vector<int> stack;
    while (!reader.atEnd()) {
        reader.readNext();
        // Character tokens swallow the '<' that ends them, so a tag's start is found by
        // looking back for its '<' (attribute values cannot hold one).
        const qsizetype after = reader.characterOffset();
        switch (reader.tokenType()) {
        case QXmlStreamReader::StartElement: {
            Node n;
            n.parent = stack.empty() ? -1 : stack.back();
            n.depth = int(stack.size());
            n.path = (n.parent < 0 ? QString() : doc.nodes[n.parent].path + QLatin1Char('/')) +
                     reader.qualifiedName().toString();
            n.startTagEnd = after;
            n.start = xml.lastIndexOf(QLatin1Char('<'), after - 1);
            n.selfClosing = after >= 2 && xml.at(after - 2) == QLatin1Char('/');
            n.attributes = reader.attributes();
            doc.nodes.push_back(std::move(n));
            stack.push_back(int(doc.nodes.size()) - 1);
            break;
        }
        case QXmlStreamReader::EndElement: {
            Node &n = doc.nodes[stack.back()];
            n.endTagStart =
                n.selfClosing ? n.startTagEnd : xml.lastIndexOf(QLatin1Char('<'), after - 1);
            n.end = n.selfClosing ? n.startTagEnd : after;
            stack.pop_back();
            break;
        }
        case QXmlStreamReader::Characters:
            if (!stack.empty())
                doc.nodes[stack.back()].text += reader.text();
            break;
        default:
            break;
        }
    }
    if (reader.hasError())
        return infrastructureError(QStringLiteral("The domain XML is not well-formed"),
                                   QStringLiteral("line %1, column %2: %3")
                                       .arg(reader.lineNumber())
                                       .arg(reader.columnNumber())
                                       .arg(reader.errorString()));
    if (doc.nodes.empty() || doc.nodes.front().path != QStringLiteral("domain"))
        return infrastructureError(QStringLiteral("The domain XML has no <domain> root element"));
    return doc;
}

struct Splice {
    qsizetype start;
    qsizetype end;
    QString text;
};

QString apply(QString xml, std::vector<Splice> splices) {
    std::sort(splices.begin(), splices.end(),
              [](const Splice &a, const Splice &b) { return a.start > b.start; });
    for (const Splice &s : splices)
        xml.replace(s.start, s.end - s.start, s.text);
    return xml;
}

QString element(const QString &name, const QString &text) {
    return QStringLiteral("<%1>%2</%1>").arg(name, DomainXml::escape(text));
}

// The start tag of `node` with one attribute set (added when missing).
QString startTagWith(const Document &doc, int node, const QString &name, const QString &value) {
    const Node &n = doc.nodes[node];
    QString tag = QLatin1Char('<') + n.path.section(QLatin1Char('/'), -1);
    bool done = false;
    for (const QXmlStreamAttribute &a : n.attributes) {
        const QString qn = a.qualifiedName().toString();
        const QString v = qn == name ? value : a.value().toString();
        done = done || qn == name;
        tag += QStringLiteral(" %1='%2'").arg(qn, DomainXml::escape(v));
    }
    if (!done)
        tag += QStringLiteral(" %1='%2'").arg(name, DomainXml::escape(value));
    // Namespace declarations on this element are not attributes for the reader: keep
    // them by refusing to rewrite such a tag (libvirt never puts them on disk elements).
    return tag + (n.selfClosing ? QStringLiteral("/>") : QStringLiteral(">"));
}

// Sets the text of the child `name` of `parent`: replaced in place, inserted before the
// parent's end tag, or removed when `value` is empty and `removeWhenEmpty`.
void setChildText(const Document &doc, int parent, const QString &name, const QString &value,
                  bool removeWhenEmpty, std::vector<Splice> &splices, QString &inserted) {
    const int c = doc.child(parent, name);
    if (c >= 0) {
        const Node &n = doc.nodes[c];
        if (value.isEmpty() && removeWhenEmpty)
            splices.push_back({n.start, n.end, QString()});
        else
            splices.push_back({n.start, n.end, element(name, value)});
    } else if (!(value.isEmpty() && removeWhenEmpty)) {
        inserted += element(name, value);
    }
}

// Inserts `text` as the last children of `node` (turning <x/> into <x>…</x>).
void insertInto(const Document &doc, int node, const QString &text, std::vector<Splice> &splices) {
    if (text.isEmpty())
        return;
    const Node &n = doc.nodes[node];
    if (n.selfClosing) {
        const QString name = n.path.section(QLatin1Char('/'), -1);
        QString open = doc.xml.mid(n.start, n.startTagEnd - n.start);
        open.chop(2);
        splices.push_back(
            {n.start, n.end,
             open + QLatin1Char('>') + text + QStringLiteral("</") + name + QLatin1Char('>')});
    } else {
        splices.push_back({n.endTagStart, n.endTagStart, text});
    }
}

} // namespace

QString DomainXml::escape(const QString &value) {
    QString out;
    out.reserve(value.size() + value.size() / 8);
    for (const QChar c : value) {
        switch (c.unicode()) {
        case '&':
            out += QStringLiteral("&amp;");
            break;
        case '<':
            out += QStringLiteral("&lt;");
            break;
        case '>':
            out += QStringLiteral("&gt;");
            break;
        case '"':
            out += QStringLiteral("&quot;");
            break;
        case '\'':
            out += QStringLiteral("&apos;");
            break;
        case '\n':
            out += QStringLiteral("&#10;"); // survives attribute-value normalisation
            break;
        case '\t':
            out += QStringLiteral("&#9;");
            break;
        default:
            out += c;
        }
    }
    return out;
}

Result<QString> DomainXml::render(const QString &templateText,
                                  const QMap<QString, QString> &variables) {
    QString out;
    out.reserve(templateText.size());
    for (qsizetype i = 0; i < templateText.size();) {
        if (templateText.mid(i, 3) == QStringLiteral("$${")) {
            out += QStringLiteral("${");
            i += 3;
            continue;
        }
        if (templateText.mid(i, 2) != QStringLiteral("${")) {
            out += templateText.at(i++);
            continue;
        }
        const qsizetype close = templateText.indexOf(QLatin1Char('}'), i + 2);
        const int line = int(templateText.left(i).count(QLatin1Char('\n'))) + 1;
        if (close < 0)
            return infrastructureError(
                QStringLiteral("The domain XML template has an unterminated ${ on line %1")
                    .arg(line));
        const QString name = templateText.mid(i + 2, close - i - 2);
        if (!variables.contains(name))
            return infrastructureError(
                QStringLiteral("The domain XML template uses ${%1} on line %2, which has no "
                               "value here")
                    .arg(name)
                    .arg(line),
                QStringLiteral("known: %1").arg(variables.keys().join(QStringLiteral(", "))));
        out += escape(variables.value(name));
        i = close + 1;
    }
    if (Status ok = check(out); !ok)
        return ok.error();
    return out;
}

Status DomainXml::check(const QString &xml) {
    auto doc = parse(xml);
    if (!doc)
        return doc.error();
    return okStatus();
}

Result<QString> DomainXml::name(const QString &xml) {
    auto doc = parse(xml);
    if (!doc)
        return doc.error();
    const int n = doc->child(0, QStringLiteral("name"));
    if (n < 0)
        return infrastructureError(QStringLiteral("The domain XML has no <name>"));
    return doc->nodes[n].text.trimmed();
}

Result<QString> DomainXml::setName(const QString &xml, const QString &name) {
    if (name.trimmed().isEmpty())
        return infrastructureError(QStringLiteral("A domain needs a name"));
    auto doc = parse(xml);
    if (!doc)
        return doc.error();
    std::vector<Splice> splices;
    const int n = doc->child(0, QStringLiteral("name"));
    if (n >= 0)
        splices.push_back(
            {doc->nodes[n].start, doc->nodes[n].end, element(QStringLiteral("name"), name)});
    else if (doc->nodes[0].selfClosing)
        insertInto(*doc, 0, element(QStringLiteral("name"), name), splices);
    else
        splices.push_back({doc->nodes[0].startTagEnd, doc->nodes[0].startTagEnd,
                           element(QStringLiteral("name"), name)});
    return apply(xml, std::move(splices));
}

Result<QString> DomainXml::removeUuid(const QString &xml) {
    auto doc = parse(xml);
    if (!doc)
        return doc.error();
    const int n = doc->child(0, QStringLiteral("uuid"));
    if (n < 0)
        return xml;
    return apply(xml, {{doc->nodes[n].start, doc->nodes[n].end, QString()}});
}

Result<DomainXml::DirectBoot> DomainXml::directBoot(const QString &xml) {
    auto doc = parse(xml);
    if (!doc)
        return doc.error();
    DirectBoot boot;
    const int os = doc->child(0, QStringLiteral("os"));
    if (os < 0)
        return boot;
    auto text = [&](const char *name) {
        const int c = doc->child(os, QLatin1String(name));
        return c < 0 ? QString() : doc->nodes[c].text;
    };
    boot.kernel = text("kernel");
    boot.initrd = text("initrd");
    boot.cmdline = text("cmdline");
    return boot;
}

Result<QString> DomainXml::setDirectBoot(const QString &xml, const DirectBoot &boot) {
    if (boot.kernel.isEmpty())
        return infrastructureError(QStringLiteral("Direct kernel boot needs a kernel path"));
    auto doc = parse(xml);
    if (!doc)
        return doc.error();
    const int os = doc->child(0, QStringLiteral("os"));
    if (os < 0)
        return infrastructureError(
            QStringLiteral("The domain XML has no <os> element to point at the kernel"));
    std::vector<Splice> splices;
    QString inserted;
    setChildText(*doc, os, QStringLiteral("kernel"), boot.kernel, false, splices, inserted);
    setChildText(*doc, os, QStringLiteral("initrd"), boot.initrd, true, splices, inserted);
    setChildText(*doc, os, QStringLiteral("cmdline"), boot.cmdline, true, splices, inserted);
    insertInto(*doc, os, inserted, splices);
    QString out = apply(xml, std::move(splices));
    if (Status ok = check(out); !ok)
        return ok.error();
    return out;
}

Result<std::vector<DomainXml::Disk>> DomainXml::disks(const QString &xml) {
    auto doc = parse(xml);
    if (!doc)
        return doc.error();
    std::vector<Disk> out;
    const QString path = QStringLiteral("domain/devices/disk");
    for (int d = doc->first(path); d >= 0; d = doc->first(path, d + 1)) {
        Disk disk;
        disk.type = doc->attribute(d, QStringLiteral("type"));
        disk.device = doc->attribute(d, QStringLiteral("device"));
        if (const int s = doc->child(d, QStringLiteral("source")); s >= 0) {
            disk.source = doc->attribute(s, QStringLiteral("file"));
            if (disk.source.isEmpty())
                disk.source = doc->attribute(s, QStringLiteral("dev"));
        }
        if (const int dr = doc->child(d, QStringLiteral("driver")); dr >= 0)
            disk.format = doc->attribute(dr, QStringLiteral("type"));
        if (const int t = doc->child(d, QStringLiteral("target")); t >= 0)
            disk.target = doc->attribute(t, QStringLiteral("dev"));
        out.push_back(disk);
    }
    return out;
}

Result<QString> DomainXml::setDiskSource(const QString &xml, const QString &match,
                                         const QString &source, const QString &format) {
    auto doc = parse(xml);
    if (!doc)
        return doc.error();
    const QString path = QStringLiteral("domain/devices/disk");
    for (int d = doc->first(path); d >= 0; d = doc->first(path, d + 1)) {
        const int s = doc->child(d, QStringLiteral("source"));
        const int t = doc->child(d, QStringLiteral("target"));
        const bool bySource = s >= 0 && (doc->attribute(s, QStringLiteral("file")) == match ||
                                         doc->attribute(s, QStringLiteral("dev")) == match);
        const bool byTarget = t >= 0 && doc->attribute(t, QStringLiteral("dev")) == match;
        if (!bySource && !byTarget)
            continue;
        if (doc->attribute(d, QStringLiteral("type")) != QStringLiteral("file"))
            return infrastructureError(
                QStringLiteral("The disk '%1' is not a file disk, so its image cannot be replaced")
                    .arg(match));
        std::vector<Splice> splices;
        const QString sourceTag = QStringLiteral("<source file='%1'/>").arg(escape(source));
        if (s >= 0)
            splices.push_back({doc->nodes[s].start, doc->nodes[s].startTagEnd,
                               startTagWith(*doc, s, QStringLiteral("file"), source)});
        else
            insertInto(*doc, d, sourceTag, splices);
        if (!format.isEmpty()) {
            if (const int dr = doc->child(d, QStringLiteral("driver")); dr >= 0)
                splices.push_back({doc->nodes[dr].start, doc->nodes[dr].startTagEnd,
                                   startTagWith(*doc, dr, QStringLiteral("type"), format)});
            else
                splices.push_back(
                    {doc->nodes[d].startTagEnd, doc->nodes[d].startTagEnd,
                     QStringLiteral("<driver name='qemu' type='%1'/>").arg(escape(format))});
        }
        QString out = apply(xml, std::move(splices));
        if (Status ok = check(out); !ok)
            return ok.error();
        return out;
    }
    return infrastructureError(
        QStringLiteral("The domain has no disk with source or target '%1'").arg(match));
}

} // namespace bw::vm
