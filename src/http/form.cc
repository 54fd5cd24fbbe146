#include "http/form.h"

#include "base/percent_encoding.h"
#include "base/utf8.h"

namespace tessera::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A decoded name or value that is not UTF-8: refused here, at the edge, for every form body
// and query string alike, so no such byte reaches a service or the database. The parameter is
// named (message and field error); an ill-formed name is shown with U+FFFD.
Status NotUtf8(std::string_view name) {
  std::string shown = ToValidUtf8(name);
  return InvalidArgumentError("parameter '" + shown + "' is not valid UTF-8 text")
      .WithFieldErrors({{shown, "must be valid UTF-8 text"}});
}

}  // namespace

std::optional<std::string> FormDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<std::map<std::string, std::string>> ParseForm(std::string_view body) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i <= body.size()) {
    size_t amp = body.find('&', i);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view pair = body.substr(i, amp - i);
    i = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = FormDecode(pair.substr(0, eq));
    auto value = FormDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) return InvalidArgumentError("malformed form encoding");
    if (!IsValidUtf8(*name) || !IsValidUtf8(*value)) return NotUtf8(*name);
    if (!out.emplace(*name, *value).second) {
      return InvalidArgumentError("parameter '" + *name + "' is repeated");
    }
  }
  return out;
}

std::string FormEncode(std::string_view text) { return PercentEncode(text); }

std::string FormValue(const FormParams& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

Result<FormParams> ReadFormBody(const Request& req) {
  if (!IsFormContentType(req.Header(beast_http::field::content_type))) {
    return InvalidArgumentError("the body must be application/x-www-form-urlencoded");
  }
  return ParseForm(req.body());
}

bool IsNotUtf8Form(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument && !status.field_errors().empty();
}

bool IsFormContentType(std::string_view ct) {
  std::string type(ct.substr(0, ct.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "application/x-www-form-urlencoded";
}

}  // namespace tessera::http
