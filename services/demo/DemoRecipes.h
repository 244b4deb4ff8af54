#pragma once

// Private to services/demo: the files written beside the demo project (not committed):
// the recipes and what vm.toml needs.

#include "services/demo/DemoProject.h"

#include <vector>

namespace bw::demo {

// local.toml, flaky.toml, vm.toml, vm/domain.xml, vm/build-initramfs.sh, vm/check-vm.sh,
// vm/prepare-vm.sh.
[[nodiscard]] std::vector<ProjectFile> recipeFilesContent();

} // namespace bw::demo
