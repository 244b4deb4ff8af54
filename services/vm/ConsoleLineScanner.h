#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <deque>
#include <vector>

namespace bw::vm {

// Turns a serial console's raw bytes into clean text lines: split on '\n', a lone '\r'
// (a progress line redrawn in place) also ends a line, ANSI/VT100 escape sequences
// (SeaBIOS's ESC c and ESC [2J, colours, OSC titles) and other control characters are
// dropped, UTF-8 is decoded leniently. Chunks may split lines, escape sequences and
// UTF-8 characters anywhere. Keeps the last `historyLines` lines, numbered from 1.
// Not thread-safe: ConsoleStream guards it.
class ConsoleLineScanner {
public:
    explicit ConsoleLineScanner(int historyLines = 20000);

    // The lines the chunk completed, in order.
    std::vector<QString> feed(QByteArrayView chunk);
    // Ends the pending line (stream closed); returns it when it had text.
    std::vector<QString> flush();

    // The unterminated last line, cleaned (a prompt such as "login: ").
    [[nodiscard]] QString partial() const;
    // The last `n` complete lines, plus the partial line when it has text.
    [[nodiscard]] QStringList tail(int n) const;
    // Number of complete lines so far; line k (1-based) is available while
    // k > lineCount() - historySize().
    [[nodiscard]] qint64 lineCount() const { return m_count; }
    [[nodiscard]] qint64 firstRetained() const { return m_count - qint64(m_history.size()) + 1; }
    [[nodiscard]] const QString &line(qint64 number) const;

    // One raw line (no '\n') to its clean text lines (split at inner '\r's).
    [[nodiscard]] static QStringList clean(QByteArrayView raw);

private:
    void push(std::vector<QString> &out, const QStringList &lines);
    void cutLongLine(std::vector<QString> &out);

    int m_historyLines;
    QByteArray m_pending;
    std::deque<QString> m_history;
    qint64 m_count = 0;
};

} // namespace bw::vm
