#include "models/RecipeVariables.h"

#include "models/BisectLog.h"

#include <QDir>
#include <QRegularExpression>

#include <utility>
#include <vector>

namespace bw {

namespace {

// One piece of a template: literal text, or a `${…}` reference (well formed or not).
struct Token {
    enum class Kind { Literal, Reference, Unterminated, Malformed };
    Kind kind = Kind::Literal;
    QString text; // Literal: the text (with "$${" already turned into "${"); else the name
};

bool isNameStart(QChar c) {
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}

bool isName(const QString &name) {
    if (name.isEmpty() || !isNameStart(name[0]))
        return false;
    for (QChar c : name) {
        if (!isNameStart(c) && !(c >= u'0' && c <= u'9'))
            return false;
    }
    return true;
}

std::vector<Token> tokenize(const QString &text) {
    std::vector<Token> tokens;
    QString literal;
    qsizetype i = 0;
    while (i < text.size()) {
        if (text[i] != u'$') { // the common case, without building a view
            literal += text[i++];
            continue;
        }
        const QStringView rest = QStringView(text).mid(i);
        if (rest.startsWith(u"$${")) {
            literal += QStringLiteral("${");
            i += 3;
            continue;
        }
        if (!rest.startsWith(u"${")) {
            literal += text[i++];
            continue;
        }
        if (!literal.isEmpty())
            tokens.push_back({Token::Kind::Literal, std::exchange(literal, {})});
        const qsizetype close = text.indexOf(u'}', i + 2);
        if (close < 0) {
            tokens.push_back({Token::Kind::Unterminated, text.mid(i + 2)});
            return tokens;
        }
        const QString name = text.mid(i + 2, close - i - 2);
        tokens.push_back({isName(name) ? Token::Kind::Reference : Token::Kind::Malformed, name});
        i = close + 1;
    }
    if (!literal.isEmpty())
        tokens.push_back({Token::Kind::Literal, literal});
    return tokens;
}

Error unterminated(const QString &rest) {
    return Error(QStringLiteral("unterminated \"${%1\": a variable is written ${name}, and $${ "
                                "is a literal ${")
                     .arg(rest.left(40)));
}

Error malformed(const QString &name) {
    return Error(QStringLiteral("\"${%1}\" is not a variable name; $${ is a literal ${").arg(name));
}

Error unknown(const QString &name) {
    const QString suggestion = closestName(name, RecipeVariables::knownNames());
    if (!suggestion.isEmpty())
        return Error(
            QStringLiteral("unknown variable ${%1}; did you mean ${%2}?").arg(name, suggestion));
    return Error(QStringLiteral("unknown variable ${%1}; known variables: %2")
                     .arg(name, RecipeVariables::knownNames().join(QStringLiteral(", "))));
}

// Follows just enough of the POSIX shell grammar to know, at each point of a script, how
// a substituted word must be quoted: outside quotes, inside '…', inside "…", with `$(…)`
// starting a fresh unquoted context. Backquotes, here-documents and a preceding backslash
// are places where no quoting is reliable; they are reported instead.
class ShellContext {
public:
    enum class Where { Unquoted, Single, Double, Backquote, HereDocument, Escaped, Arithmetic };

    void feed(QChar c) {
        const bool afterDollar = std::exchange(m_afterDollar, false);
        const bool afterLess = std::exchange(m_afterLess, false);
        if (m_inComment) {
            if (c == u'\n') {
                m_inComment = false;
                newline();
            }
            return;
        }
        if (m_inBody) {
            bodyChar(c);
            return;
        }
        if (m_readingDelimiter) {
            if (delimiterChar(c))
                return;
        }
        if (m_escaped) {
            m_escaped = false;
            m_wordStart = false;
            return;
        }
        Frame &top = m_frames.back();
        switch (top.where) {
        case Where::Single:
            if (c == u'\'')
                m_frames.pop_back();
            return;
        case Where::Double:
            if (c == u'\\')
                m_escaped = true;
            else if (c == u'"')
                m_frames.pop_back();
            else if (c == u'`')
                m_frames.push_back({Where::Backquote, 0, false});
            else if (c == u'$')
                m_afterDollar = true;
            else if (c == u'(' && afterDollar)
                m_frames.push_back({Where::Unquoted, 0, true, true, false});
            return;
        case Where::Backquote:
            if (c == u'\\')
                m_escaped = true;
            else if (c == u'`')
                m_frames.pop_back();
            return;
        case Where::Unquoted:
        case Where::HereDocument:
        case Where::Escaped:
        case Where::Arithmetic:
            break;
        }
        const bool wordStart = std::exchange(m_wordStart, false);
        if (std::exchange(top.fresh, false) && c == u'(')
            top.arithmetic = true;
        switch (c.unicode()) {
        case u'\\':
            m_escaped = true;
            break;
        case u'\'':
            m_frames.push_back({Where::Single, 0, false});
            break;
        case u'"':
            m_frames.push_back({Where::Double, 0, false});
            break;
        case u'`':
            m_frames.push_back({Where::Backquote, 0, false});
            break;
        case u'$':
            m_afterDollar = true;
            break;
        case u'#':
            m_inComment = wordStart;
            break;
        case u'(':
            if (afterDollar)
                m_frames.push_back({Where::Unquoted, 0, true, true, false});
            else
                ++top.parens;
            m_wordStart = true;
            break;
        case u')':
            if (top.parens > 0)
                --top.parens;
            else if (top.substitution)
                m_frames.pop_back();
            m_wordStart = true;
            break;
        case u'<':
            if (afterLess) {
                m_readingDelimiter = true;
                m_delimiterStarted = false;
                m_pending.push_back({});
            } else {
                m_afterLess = true;
            }
            m_wordStart = true;
            break;
        case u'\n':
            m_wordStart = true;
            newline();
            break;
        default:
            m_wordStart = c.isSpace() || c == u';' || c == u'&' || c == u'|' || c == u'>';
            break;
        }
    }

    // After a substituted word: the shell is in the middle of a word.
    void substituted() {
        m_afterDollar = false;
        m_afterLess = false;
        m_wordStart = false;
        if (m_readingDelimiter)
            m_delimiterStarted = true;
    }

    [[nodiscard]] Where where() const {
        if (m_inBody || m_readingDelimiter)
            return Where::HereDocument;
        if (m_escaped)
            return Where::Escaped;
        for (const Frame &f : m_frames) {
            if (f.where == Where::Backquote)
                return Where::Backquote;
        }
        if (m_inComment)
            return Where::Unquoted; // inert there; quoted anyway in case this is no comment
        if (m_frames.back().arithmetic)
            return Where::Arithmetic;
        return m_frames.back().where;
    }

private:
    struct Frame {
        Where where = Where::Unquoted;
        int parens = 0;            // unquoted: open "(" not yet closed
        bool substitution = false; // unquoted: inside $(…), closed by ")"
        bool fresh = false;        // substitution: nothing read yet
        bool arithmetic = false;   // substitution: $((…))
    };
    struct HereDocument {
        QString delimiter;
        bool stripTabs = false;
    };

    // Reads the word after "<<" (or "<<-"); returns whether `c` was used up by it.
    bool delimiterChar(QChar c) {
        HereDocument &doc = m_pending.back();
        if (!m_delimiterStarted) {
            if (c == u'-' && doc.delimiter.isEmpty() && !doc.stripTabs) {
                doc.stripTabs = true;
                return true;
            }
            if (c == u' ' || c == u'\t')
                return true;
        }
        if (m_delimiterQuote != QChar()) {
            if (c == m_delimiterQuote)
                m_delimiterQuote = QChar();
            else
                doc.delimiter += c;
            return true;
        }
        if (c == u'\'' || c == u'"') {
            m_delimiterQuote = c;
            m_delimiterStarted = true;
            return true;
        }
        if (c == u'\\') {
            m_delimiterStarted = true;
            return true;
        }
        if (c.isSpace() || QStringView(u";&|<>()").contains(c)) {
            m_readingDelimiter = false; // the word ended; `c` is the shell's again
            return false;
        }
        doc.delimiter += c;
        m_delimiterStarted = true;
        return true;
    }

    void newline() {
        if (!m_pending.empty())
            m_inBody = true;
    }

    void bodyChar(QChar c) {
        if (c != u'\n') {
            m_line += c;
            return;
        }
        const HereDocument &doc = m_pending.front();
        QStringView line(m_line);
        while (doc.stripTabs && line.startsWith(u'\t'))
            line = line.mid(1);
        if (line == doc.delimiter) {
            m_pending.erase(m_pending.begin());
            m_inBody = !m_pending.empty();
        }
        m_line.clear();
    }

    std::vector<Frame> m_frames{Frame{}};
    bool m_escaped = false;
    bool m_afterDollar = false;
    bool m_afterLess = false;
    bool m_wordStart = true;
    bool m_inComment = false;
    bool m_readingDelimiter = false;
    bool m_delimiterStarted = false;
    QChar m_delimiterQuote;
    std::vector<HereDocument> m_pending;
    bool m_inBody = false;
    QString m_line;
};

Status checkTokens(const std::vector<Token> &tokens) {
    for (const Token &t : tokens) {
        switch (t.kind) {
        case Token::Kind::Literal:
            break;
        case Token::Kind::Unterminated:
            return unterminated(t.text);
        case Token::Kind::Malformed:
            return malformed(t.text);
        case Token::Kind::Reference:
            if (!RecipeVariables::knownNames().contains(t.text))
                return unknown(t.text);
            break;
        }
    }
    return okStatus();
}

} // namespace

const QStringList &RecipeVariables::knownNames() {
    static const QStringList names = {
        QStringLiteral("commit"),  QStringLiteral("short"),    QStringLiteral("subject"),
        QStringLiteral("repo"),    QStringLiteral("worktree"), QStringLiteral("session"),
        QStringLiteral("step"),    QStringLiteral("result"),   QStringLiteral("version"),
        QStringLiteral("port"),    QStringLiteral("kernel"),   QStringLiteral("initrd"),
        QStringLiteral("cmdline"), QStringLiteral("disk")};
    return names;
}

QStringList RecipeVariables::referencedNames(const QString &text) {
    QStringList names;
    for (const Token &t : tokenize(text)) {
        if (t.kind == Token::Kind::Reference && !names.contains(t.text))
            names.append(t.text);
    }
    return names;
}

Status RecipeVariables::check(const QString &text) {
    return checkTokens(tokenize(text));
}

Status RecipeVariables::checkShell(const QString &script) {
    if (Status s = check(script); !s)
        return s;
    RecipeVariables placeholders;
    // Any value quotes the same way; a number is also what $((…)) accepts.
    for (const QString &name : knownNames())
        placeholders.set(name, QStringLiteral("0"));
    auto expanded = placeholders.expandForShell(script);
    if (!expanded)
        return expanded.error();
    return okStatus();
}

Result<QString> RecipeVariables::expand(const QString &text) const {
    return expandImpl(text, false);
}

Result<QString> RecipeVariables::expandForShell(const QString &text) const {
    return expandImpl(text, true);
}

Result<QString> RecipeVariables::expandImpl(const QString &text, bool quote) const {
    QString out;
    out.reserve(text.size());
    ShellContext shell;
    for (const Token &t : tokenize(text)) {
        switch (t.kind) {
        case Token::Kind::Literal:
            out += t.text;
            if (quote) {
                for (QChar c : t.text)
                    shell.feed(c);
            }
            continue;
        case Token::Kind::Unterminated:
            return unterminated(t.text);
        case Token::Kind::Malformed:
            return malformed(t.text);
        case Token::Kind::Reference:
            break;
        }
        if (!m_values.contains(t.text)) {
            if (!knownNames().contains(t.text))
                return unknown(t.text);
            return Error(QStringLiteral("${%1} has no value yet").arg(t.text));
        }
        const QString &value = m_values[t.text];
        if (!quote) {
            out += value;
            continue;
        }
        switch (shell.where()) {
        case ShellContext::Where::Unquoted:
            out += shellQuote(value);
            break;
        case ShellContext::Where::Single:
            out += QStringLiteral("'") + shellQuote(value) + QStringLiteral("'");
            break;
        case ShellContext::Where::Double:
            out += QStringLiteral("\"") + shellQuote(value) + QStringLiteral("\"");
            break;
        case ShellContext::Where::Arithmetic: {
            // Quotes are not allowed in $((…)); only a number may go there.
            static const QRegularExpression number(QStringLiteral("^-?[0-9]+$"));
            if (!number.match(value).hasMatch())
                return Error(QStringLiteral("${%1} is used in $((…)) but its value %2 is not a "
                                            "number")
                                 .arg(t.text, shellQuote(value)));
            out += value;
            break;
        }
        case ShellContext::Where::Backquote:
            return Error(QStringLiteral("${%1} inside backquotes can't be quoted safely; write "
                                        "$(…) instead of `…`")
                             .arg(t.text));
        case ShellContext::Where::HereDocument:
            return Error(QStringLiteral("${%1} inside a here-document can't be quoted safely; "
                                        "use \"$BW_%2\" there")
                             .arg(t.text, t.text.toUpper()));
        case ShellContext::Where::Escaped:
            return Error(QStringLiteral("a backslash before ${%1} would unquote its value; "
                                        "write $${ for a literal ${")
                             .arg(t.text));
        }
        shell.substituted();
    }
    return out;
}

Result<QString> RecipeVariables::expandPath(const QString &text, const QString &folder) const {
    if (text.isEmpty())
        return QString();
    QString home;
    QString rest = text;
    if (text == u"~" || text.startsWith(u"~/")) {
        home = QDir::homePath();
        rest = text.mid(1);
    }
    auto expanded = expand(rest);
    if (!expanded)
        return expanded.error();
    QString path = home + *expanded;
    if (QDir::isRelativePath(path) && !folder.isEmpty())
        path = folder + u'/' + path;
    return QDir::cleanPath(path);
}

Result<QStringList> RecipeVariables::argv(const CommandSpec &command) const {
    switch (command.form) {
    case CommandSpec::Form::None:
        return Error(QStringLiteral("no command given"));
    case CommandSpec::Form::Shell: {
        auto script = expandForShell(command.shell);
        if (!script)
            return script.error();
        return QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c"), *script};
    }
    case CommandSpec::Form::Argv:
        break;
    }
    if (command.argv.isEmpty())
        return Error(QStringLiteral("the command is empty"));
    QStringList out;
    out.reserve(command.argv.size());
    for (const QString &word : command.argv) {
        auto expanded = expand(word);
        if (!expanded)
            return expanded.error();
        out.append(*expanded);
    }
    return out;
}

QMap<QString, QString> RecipeVariables::environment() const {
    QMap<QString, QString> env;
    for (auto it = m_values.cbegin(); it != m_values.cend(); ++it)
        env.insert(QStringLiteral("BW_") + it.key().toUpper(), it.value());
    return env;
}

} // namespace bw
