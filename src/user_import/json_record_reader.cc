#include "user_import/json_record_reader.h"

#include <boost/json.hpp>

namespace tessera::services {

int JsonRecordReader::Get() {
  int c = in_.get();
  if (c == '\n') line_++;
  return c;
}

int JsonRecordReader::Peek() { return in_.peek(); }

int JsonRecordReader::SkipSpace() {
  for (int c = Peek(); c != EOF; c = Peek()) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
    Get();
  }
  return EOF;
}

std::optional<JsonRecord> JsonRecordReader::Fail(std::string why) {
  failure_ = "line " + std::to_string(line_) + ": " + why;
  done_ = true;
  return std::nullopt;
}

std::optional<JsonRecord> JsonRecordReader::Next() {
  if (done_) return std::nullopt;
  int c = SkipSpace();
  if (!started_) {
    started_ = true;
    if (c == 0xEF) {  // a UTF-8 byte order mark
      Get(), Get(), Get();
      c = SkipSpace();
    }
    if (c == '[') {
      in_array_ = true;
      Get();
      c = SkipSpace();
    }
  }
  if (in_array_) {
    if (c == ']') {
      Get();
      done_ = true;
      if (SkipSpace() != EOF) return Fail("text after the end of the array");
      return std::nullopt;
    }
    if (need_comma_) {
      if (c != ',') return Fail(c == EOF ? "the array is not closed (a truncated file?)"
                                         : "expected ',' or ']' between records");
      Get();
      c = SkipSpace();
    }
  } else if (c == EOF) {
    done_ = true;
    return std::nullopt;
  }
  if (c != '{') {
    return Fail(c == EOF ? "the array is not closed (a truncated file?)"
                         : "expected a record (a JSON object)");
  }
  // The record's text, from its '{' to the matching '}', strings and escapes respected.
  JsonRecord r;
  r.line = line_;
  std::string text;
  int depth = 0;
  bool in_string = false, escaped = false, too_big = false;
  while (true) {
    int ch = Get();
    if (ch == EOF) return Fail("the input ends inside the record that starts on line " +
                               std::to_string(r.line));
    if (!too_big) {
      text.push_back(static_cast<char>(ch));
      if (text.size() > kMaxRecordBytes) too_big = true, text.clear();
    }
    if (in_string) {
      if (escaped) escaped = false;
      else if (ch == '\\') escaped = true;
      else if (ch == '"') in_string = false;
      continue;
    }
    if (ch == '"') in_string = true;
    else if (ch == '{' || ch == '[') depth++;
    else if ((ch == '}' || ch == ']') && --depth == 0) break;
  }
  need_comma_ = true;
  if (too_big) {
    r.error = "the record is larger than 1 MiB";
    return r;
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) {
    r.error = "not valid JSON: " + ec.message();
  } else if (!v.is_object()) {
    r.error = "not a JSON object";
  } else {
    r.object = std::move(v.as_object());
  }
  return r;
}

}  // namespace tessera::services
