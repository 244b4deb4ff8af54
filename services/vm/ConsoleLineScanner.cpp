#include "services/vm/ConsoleLineScanner.h"

namespace bw::vm {

namespace {

// A line this long without '\n' is cut, so a guest that floods without newlines cannot
// grow memory without bound.
constexpr qsizetype MaxLineBytes = 16 * 1024;

// Removes escape sequences and control characters from one '\r'-free segment.
QString stripSegment(QByteArrayView raw) {
    QByteArray out;
    out.reserve(raw.size());
    const qsizetype n = raw.size();
    for (qsizetype i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(raw[i]);
        if (c == 0x1b) {
            if (i + 1 >= n)
                break; // a sequence cut by the end of the line
            const auto k = static_cast<unsigned char>(raw[++i]);
            if (k == '[') { // CSI: parameters and intermediates, then a final 0x40-0x7e
                while (i + 1 < n) {
                    const auto p = static_cast<unsigned char>(raw[++i]);
                    if (p >= 0x40 && p <= 0x7e)
                        break;
                }
            } else if (k == ']' || k == 'P' || k == 'X' || k == '^' || k == '_') {
                // OSC / DCS / SOS / PM / APC: a string up to BEL or ESC backslash
                while (i + 1 < n) {
                    const auto p = static_cast<unsigned char>(raw[++i]);
                    if (p == 0x07)
                        break;
                    if (p == 0x1b && i + 1 < n && raw[i + 1] == '\\') {
                        ++i;
                        break;
                    }
                }
            } else if (k == '(' || k == ')' || k == '*' || k == '+' || k == '#' || k == '%') {
                ++i; // charset designation: one more byte
            }
            // any other ESC x (ESC c, ESC 7, ESC =, …) is two bytes: already skipped
            continue;
        }
        if (c == '\t' || c >= 0x20) {
            if (c != 0x7f)
                out.append(char(c));
        }
    }
    return QString::fromUtf8(out);
}

} // namespace

ConsoleLineScanner::ConsoleLineScanner(int historyLines)
    : m_historyLines(historyLines > 0 ? historyLines : 1) {}

QStringList ConsoleLineScanner::clean(QByteArrayView raw) {
    while (!raw.isEmpty() && raw.back() == '\r')
        raw.chop(1);
    QStringList lines;
    qsizetype start = 0;
    for (;;) {
        const qsizetype cr = raw.indexOf('\r', start);
        const QByteArrayView seg = raw.sliced(start, (cr < 0 ? raw.size() : cr) - start);
        QString text = stripSegment(seg);
        if (!text.isEmpty())
            lines << text;
        if (cr < 0)
            break;
        start = cr + 1;
    }
    if (lines.isEmpty())
        lines << QString();
    return lines;
}

void ConsoleLineScanner::push(std::vector<QString> &out, const QStringList &lines) {
    for (const QString &l : lines) {
        m_history.push_back(l);
        ++m_count;
        if (int(m_history.size()) > m_historyLines)
            m_history.pop_front();
        out.push_back(l);
    }
}

void ConsoleLineScanner::cutLongLine(std::vector<QString> &out) {
    // Cut at every MaxLineBytes from the start of the line, whether the line arrived in
    // one chunk or in many: the lines never depend on how the stream was split.
    while (m_pending.size() > MaxLineBytes) {
        push(out, clean(QByteArrayView(m_pending).first(MaxLineBytes)));
        m_pending.remove(0, MaxLineBytes);
    }
}

std::vector<QString> ConsoleLineScanner::feed(QByteArrayView chunk) {
    std::vector<QString> out;
    qsizetype start = 0;
    while (start < chunk.size()) {
        const qsizetype nl = chunk.indexOf('\n', start);
        if (nl < 0) {
            m_pending.append(chunk.sliced(start));
            break;
        }
        m_pending.append(chunk.sliced(start, nl - start));
        cutLongLine(out);
        push(out, clean(m_pending));
        m_pending.clear();
        start = nl + 1;
    }
    cutLongLine(out);
    return out;
}

std::vector<QString> ConsoleLineScanner::flush() {
    std::vector<QString> out;
    if (!partial().isEmpty())
        push(out, clean(m_pending));
    m_pending.clear();
    return out;
}

QString ConsoleLineScanner::partial() const {
    if (m_pending.isEmpty())
        return {};
    const QStringList lines = clean(m_pending);
    return lines.join(QLatin1Char(' '));
}

QStringList ConsoleLineScanner::tail(int n) const {
    QStringList out;
    const int have = int(m_history.size());
    for (int i = std::max(0, have - n); i < have; ++i)
        out << m_history[size_t(i)];
    if (const QString p = partial(); !p.isEmpty())
        out << p;
    return out;
}

const QString &ConsoleLineScanner::line(qint64 number) const {
    static const QString none;
    const qint64 index = number - firstRetained();
    if (index < 0 || index >= qint64(m_history.size()))
        return none;
    return m_history[size_t(index)];
}

} // namespace bw::vm
