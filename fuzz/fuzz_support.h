// File: fuzz_support.h
// What every fuzz target shares: the property check (a failed one is a finding, like a
// crash: libFuzzer saves the input) and requests built without a network, as handlers get
// them.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/message.h"

// A property the code must keep for every input; abort() makes libFuzzer record the input.
#define FUZZ_CHECK(cond, what)                                                        \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                   #cond, what);                                                      \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

namespace tessera::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline http::Request RequestWithBody(std::string_view content_type, std::string_view body) {
  http::Request r;
  r.raw.method(http::beast_http::verb::post);
  r.raw.target("/x");
  r.raw.set(http::beast_http::field::content_type, content_type);
  r.raw.body() = std::string(body);
  return r;
}

inline http::Request RequestAt(std::string_view target) {
  http::Request r;
  r.raw.method(http::beast_http::verb::get);
  r.raw.target(target);
  return r;
}

}  // namespace tessera::fuzz
