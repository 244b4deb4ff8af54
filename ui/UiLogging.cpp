#include "ui/UiLogging.h"

Q_LOGGING_CATEGORY(bwUi, "bw.ui", QtInfoMsg)
