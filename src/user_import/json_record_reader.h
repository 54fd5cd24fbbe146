// File: json_record_reader.h
// Reads the objects of a JSON array (`manage.py dumpdata` writes one) or of JSON lines, one at
// a time from a stream: memory holds one record, not the file, so a dump of a million users
// reads in the memory of one. Each record comes with the line it starts on. A record that is
// not valid JSON is reported and skipped; the reader goes on with the next one. A broken
// structure between records (not `,` or `]`) ends the reading with an error.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>

namespace tessera::services {

struct JsonRecord {
  int64_t line = 0;
  std::optional<boost::json::object> object;  // nullopt: the record was bad, see `error`
  std::string error;
};

class JsonRecordReader {
 public:
  static constexpr size_t kMaxRecordBytes = 1 << 20;  // one user's record is far smaller

  explicit JsonRecordReader(std::istream& in) : in_(in) {}
  // The next record; nullopt at the end of the input or when it cannot go on (`Failure`).
  std::optional<JsonRecord> Next();
  // Why reading stopped before the end, if it did.
  const std::optional<std::string>& Failure() const { return failure_; }

 private:
  int Get();
  int Peek();
  int SkipSpace();  // the next non-space character, not consumed; EOF at the end
  std::optional<JsonRecord> Fail(std::string why);

  std::istream& in_;
  int64_t line_ = 1;
  bool started_ = false, in_array_ = false, done_ = false, need_comma_ = false;
  std::optional<std::string> failure_;
};

}  // namespace tessera::services
