#include "services/ServicesLogging.h"

Q_LOGGING_CATEGORY(bwGit, "bw.git", QtInfoMsg)
Q_LOGGING_CATEGORY(bwVm, "bw.vm", QtInfoMsg)
Q_LOGGING_CATEGORY(bwSsh, "bw.ssh", QtInfoMsg)
Q_LOGGING_CATEGORY(bwPipeline, "bw.pipeline", QtInfoMsg)
Q_LOGGING_CATEGORY(bwStore, "bw.store", QtInfoMsg)
Q_LOGGING_CATEGORY(bwReport, "bw.report", QtInfoMsg)
