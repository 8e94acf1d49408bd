// hardwire/gen/templates.hpp — the hand-written RTL templates (rtl_templates/*.sv), embedded in the binary at
// build time: (file name, text) in file-name order.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace hardwire::gen {

const std::vector<std::pair<std::string, std::string>>& embedded_templates();
// The templates (module names, no ".sv") that `modules` need: themselves and, recursively, every template module
// they instantiate and every template package they name (generated packages and modules are not templates and are
// left out), packages first, each group in name order. A module in `stop` is neither listed nor followed (black
// boxes). One owner: the templates' own text says what they instantiate.
std::vector<std::string> template_closure(const std::vector<std::string>& modules,
                                          const std::set<std::string>& stop = {});
// The built-in generic cell library (synth/hardwire_generic45.lib), for `hardwire synth` without --liberty.
const std::vector<std::pair<std::string, std::string>>& embedded_cell_library();

}  // namespace hardwire::gen
