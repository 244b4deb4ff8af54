#include "services/report/ReportWriter.h"

namespace bw {} // placeholder, being written
