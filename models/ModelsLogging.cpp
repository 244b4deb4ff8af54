#include "models/ModelsLogging.h"

Q_LOGGING_CATEGORY(bwModels, "bw.models", QtInfoMsg)
