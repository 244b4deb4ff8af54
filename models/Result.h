#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace bw {

// An error as a value: built on the thread where the call failed, carried across
// threads and signals as plain data. `what` is one sentence for the user; `detail`
// holds what the library said.
struct Error {
    Error() = default;
    Error(QString what_, int code_ = 1, QString detail_ = {})
        : what(std::move(what_))
        , code(code_)
        , detail(std::move(detail_)) {}

    QString what;
    int code = 1;
    QString detail;

    [[nodiscard]] QString message() const {
        return detail.isEmpty() ? what : what + QStringLiteral(": ") + detail;
    }
};

template <typename T> class [[nodiscard]] Result {
public:
    Result(T value)
        : m_value(std::move(value)) {}
    Result(Error error)
        : m_value(std::move(error)) {}

    [[nodiscard]] bool ok() const { return std::holds_alternative<T>(m_value); }
    explicit operator bool() const { return ok(); }

    [[nodiscard]] T &value() & { return std::get<T>(m_value); }
    [[nodiscard]] const T &value() const & { return std::get<T>(m_value); }
    [[nodiscard]] T &&value() && { return std::get<T>(std::move(m_value)); }
    [[nodiscard]] const Error &error() const { return std::get<Error>(m_value); }

    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

private:
    std::variant<T, Error> m_value;
};

// For operations that return nothing but may fail.
struct Unit {};
using Status = Result<Unit>;
inline Status okStatus() {
    return Unit{};
}

} // namespace bw
