#pragma once

// Colours that stay readable on the light and the dark palette alike.

#include <QColor>
#include <QPalette>

namespace bw::palette {

// The text area is dark (a dark theme).
inline bool isDark(const QPalette &palette) {
    return palette.color(QPalette::Base).lightness() < 128;
}
// For a message that something is wrong.
inline QColor errorColor(const QPalette &palette) {
    return isDark(palette) ? QColor(0xef, 0x9a, 0x9a) : QColor(0xc6, 0x28, 0x28);
}
// For a message that something checked out.
inline QColor okColor(const QPalette &palette) {
    return isDark(palette) ? QColor(0x81, 0xc7, 0x84) : QColor(0x2e, 0x7d, 0x32);
}

} // namespace bw::palette
