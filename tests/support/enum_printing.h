// File: enum_printing.h
// GoogleTest prints a closed-set enum (base/enum_text.h) by its text — "browser", not
// "4-byte object <01-00 00-00>" — in any failure message of the tests that include this.
#pragma once

#include <ostream>

#include "base/enum_text.h"

namespace tessera::store {

template <TextEnum E>
void PrintTo(const E& value, std::ostream* os) {
  *os << ToText(value);
}

}  // namespace tessera::store

namespace tessera::services {

template <TextEnum E>
void PrintTo(const E& value, std::ostream* os) {
  *os << ToText(value);
}

}  // namespace tessera::services
