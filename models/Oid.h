#pragma once

#include <QByteArray>
#include <QString>

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace bw {

// A SHA-1 object id: 20 raw bytes, ordered like git orders them (memcmp).
struct Oid {
    std::array<std::uint8_t, 20> bytes{};

    static constexpr int RawSize = 20;
    static constexpr int HexSize = 40;

    [[nodiscard]] static std::optional<Oid> fromHex(std::string_view hex);
    [[nodiscard]] static std::optional<Oid> fromHex(const QString &hex);
    [[nodiscard]] static Oid fromRaw(const unsigned char *raw);

    [[nodiscard]] QByteArray toHex() const;
    [[nodiscard]] QString toString() const { return QString::fromLatin1(toHex()); }
    [[nodiscard]] bool isNull() const;

    friend auto operator<=>(const Oid &, const Oid &) = default;
    friend bool operator==(const Oid &, const Oid &) = default;
};

struct OidHash {
    std::size_t operator()(const Oid &oid) const noexcept {
        std::size_t h;
        static_assert(sizeof(h) <= Oid::RawSize);
        std::memcpy(&h, oid.bytes.data(), sizeof(h));
        return h;
    }
};

} // namespace bw
