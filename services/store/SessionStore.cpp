#include "services/store/SessionStore.h"

namespace bw {} // placeholder, being written
