#include "base/log.h"

#include "base/json_util.h"

namespace tessera {

void LogJson(spdlog::level::level_enum level, std::string_view msg, boost::json::object fields) {
  if (!spdlog::should_log(level)) return;
  boost::json::object line;
  line.reserve(fields.size() + 1);
  line["msg"] = msg;
  for (auto& [k, v] : fields) line[k] = std::move(v);
  // The logger's pattern opens the object with ts and level (see cli/command_support.cc), so the
  // serialized object is appended without its opening brace.
  std::string text = ToJsonText(line);  // a logged User-Agent may hold any byte
  spdlog::log(level, "{}", std::string_view(text).substr(1));
}

}  // namespace tessera
