#include "models/Oid.h"

namespace bw {

namespace {
int hexValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
} // namespace

std::optional<Oid> Oid::fromHex(std::string_view hex) {
    if (hex.size() != HexSize)
        return std::nullopt;
    Oid oid;
    for (int i = 0; i < RawSize; ++i) {
        const int hi = hexValue(hex[2 * i]);
        const int lo = hexValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        oid.bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return oid;
}

std::optional<Oid> Oid::fromHex(const QString &hex) {
    const QByteArray latin = hex.toLatin1();
    return fromHex(std::string_view(latin.constData(), latin.size()));
}

Oid Oid::fromRaw(const unsigned char *raw) {
    Oid oid;
    std::memcpy(oid.bytes.data(), raw, RawSize);
    return oid;
}

QByteArray Oid::toHex() const {
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), RawSize).toHex();
}

bool Oid::isNull() const {
    for (auto b : bytes)
        if (b)
            return false;
    return true;
}

} // namespace bw
