// application/x-www-form-urlencoded bodies (http/form.h: the OAuth endpoints' and the hosted
// pages' forms) and percent-encoding (base/percent_encoding.h). Properties: a form that parses
// holds only UTF-8 names and values, each name once, and encoding it again parses back to the
// same parameters; FormDecode undoes FormEncode for any bytes; the encoding is only unreserved
// characters and %XX.
#include "base/percent_encoding.h"
#include "base/utf8.h"
#include "fuzz_support.h"
#include "http/form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  std::string_view body = fuzz::AsText(data, size);

  auto form = http::ReadFormBody(fuzz::RequestWithBody("application/x-www-form-urlencoded", body));
  auto direct = http::ParseForm(body);
  FUZZ_CHECK(form.ok() == direct.ok(), "ReadFormBody reads the body ParseForm reads");
  if (form.ok()) {
    std::string again;
    for (const auto& [name, value] : *form) {
      FUZZ_CHECK(IsValidUtf8(name) && IsValidUtf8(value), "parameters are UTF-8");
      again += (again.empty() ? "" : "&") + http::FormEncode(name) + "=" + http::FormEncode(value);
    }
    auto reparsed = http::ParseForm(again);
    FUZZ_CHECK(reparsed.ok() && *reparsed == *form, "encode and parse again: same parameters");
  } else {
    FUZZ_CHECK(form.status().code() == StatusCode::kInvalidArgument, "a bad form is invalid");
    if (http::IsNotUtf8Form(form.status())) {
      FUZZ_CHECK(IsValidUtf8(form.status().message()), "the message names it in UTF-8");
    }
  }

  std::string encoded = PercentEncode(body);
  for (char c : encoded) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~' || c == '%';
    FUZZ_CHECK(ok, "percent-encoding leaves only unreserved characters");
  }
  auto decoded = http::FormDecode(encoded);
  FUZZ_CHECK(decoded && *decoded == body, "FormDecode(FormEncode(x)) == x");
  return 0;
}
