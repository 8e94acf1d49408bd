// hardwire/gen/templates.hpp — the hand-written RTL templates (rtl_templates/*.sv), embedded in the binary at
// build time: (file name, text) in file-name order.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hardwire::gen {

const std::vector<std::pair<std::string, std::string>>& embedded_templates();
// The built-in generic cell library (synth/hardwire_generic45.lib), for `hardwire synth` without --liberty.
const std::vector<std::pair<std::string, std::string>>& embedded_cell_library();

}  // namespace hardwire::gen
