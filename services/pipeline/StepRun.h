#pragma once

// What one run of StepRunner::run() carries from stage to stage (private to the pipeline).

#include "models/RecipeVariables.h"
#include "models/StepRecord.h"
#include "services/pipeline/StepLogs.h"
#include "services/pipeline/StepRunner.h"
#include "services/process/CancelToken.h"
#include "services/ssh/SshSession.h"
#include "services/vm/VmDeployer.h"

#include <memory>
#include <optional>

namespace bw::pipeline {

struct StepRunner::Run {
    StepRecord record;
    RecipeVariables vars;
    std::unique_ptr<StepLogs> logs;
    const process::CancelToken *cancel = nullptr;
    StepObserver *observer = nullptr;
    int repeat = 0; // test iterations for this step; 0: the recipe's
    // The wait stage's SSH session, reused by a remote test on the same thread.
    std::optional<ssh::SshSession> ssh;
    // The guest the deploy stage started: destroyed when the step ends.
    std::unique_ptr<vm::VmInstance> vm;
};

} // namespace bw::pipeline
