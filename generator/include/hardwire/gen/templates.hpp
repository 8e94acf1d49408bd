// hardwire/gen/templates.hpp — the hand-written RTL templates (rtl_templates/*.sv), embedded in the binary at
// build time: (file name, text) in file-name order.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hardwire::gen {

const std::vector<std::pair<std::string, std::string>>& embedded_templates();

}  // namespace hardwire::gen
