#include "user_import/generic_import.h"

#include <boost/json.hpp>

#include "accounts/profile.h"

#include "accounts/identity_rules.h"
#include "user_import/django_fixture.h"
#include "user_import/json_record_reader.h"

namespace tessera::services {
namespace json = boost::json;
namespace {


std::optional<bool> BoolText(std::string_view v) {
  if (v == "true" || v == "1" || v == "yes" || v == "TRUE" || v == "True") return true;
  if (v == "false" || v == "0" || v == "no" || v == "FALSE" || v == "False" || v.empty()) {
    return false;
  }
  return std::nullopt;
}

std::string SourceKey(const std::optional<std::string>& id, const std::string& email) {
  return id ? "generic:" + *id : "generic:email:" + NormalizeEmail(email);
}

// One JSON record → a user, or the reason it cannot be one.
std::optional<std::string> UserOfJson(const json::object& o, ImportedUser& u) {
  std::optional<std::string> id;
  for (const auto& [key, v] : o) {
    auto text = [&](std::optional<std::string>& out) -> std::optional<std::string> {
      if (v.is_null()) return std::nullopt;
      if (!v.is_string()) return std::string(key) + " must be a string";
      out = std::string(v.as_string());
      return std::nullopt;
    };
    auto flag = [&](auto set) -> std::optional<std::string> {
      if (!v.is_bool()) return std::string(key) + " must be true or false";
      set(v.as_bool());
      return std::nullopt;
    };
    auto date = [&](std::optional<UnixMillis>& out) -> std::optional<std::string> {
      if (v.is_null()) return std::nullopt;
      if (!v.is_string() || !(out = ParseDjangoDateTime(v.as_string()))) {
        return std::string(key) + " must be a date-time (RFC 3339)";
      }
      return std::nullopt;
    };
    std::optional<std::string> why, email;
    if (key == "id") {
      if (v.is_int64()) id = std::to_string(v.as_int64());
      else why = text(id);
    } else if (key == "email") {
      why = text(email);
      u.email = email.value_or("");
    } else if (key == "username") {
      why = text(u.username);
    } else if (key == "password_hash") {
      why = text(u.password_hash);
    } else if (key == "email_verified") {
      why = flag([&](bool b) { u.email_verified = b; });
    } else if (key == "disabled") {
      why = flag([&](bool b) { u.disabled = b; });
    } else if (key == "created_at") {
      why = date(u.created_at);
    } else if (key == "last_login_at") {
      why = date(u.last_login_at);
    } else if (key == "roles") {
      if (!v.is_array()) return "roles must be an array of strings";
      for (const auto& r : v.as_array()) {
        if (!r.is_string() || r.as_string().empty()) return "roles must be an array of strings";
        u.roles.emplace_back(r.as_string());
      }
    } else if (key == "profile") {
      if (!v.is_object()) return "profile must be an object of profile claims";
      u.profile = v.as_object();
    } else {
      return "unknown field \"" + std::string(key) + "\"";
    }
    if (why) return why;
  }
  u.managed_roles = u.roles;
  u.source_key = SourceKey(id, u.email);
  return std::nullopt;
}

void AddJsonRecord(const JsonRecord& r, ImportRun& run) {
  ImportSummary& s = run.summary();
  s.records++;
  if (!r.object) return s.Skip(r.line, "record", r.error);
  ImportedUser u;
  u.line = r.line;
  if (auto why = UserOfJson(*r.object, u)) return s.Skip(r.line, "record", *why);
  run.batch().users.push_back(std::move(u));
}

// RFC 4180 CSV, read one record at a time; quoted fields may hold commas, quotes ("") and
// line breaks. `line` is where the record starts.
class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}
  bool Next(std::vector<std::string>& fields, int64_t& line, std::string& error) {
    fields.clear();
    error.clear();
    if (in_.peek() == EOF) return false;
    line = line_;
    std::string field;
    bool quoted = false, was_quoted = false;
    size_t bytes = 0;
    for (int c = in_.get();; c = in_.get()) {
      if (c == EOF) {
        if (quoted) error = "a quoted field is not closed";
        break;
      }
      if (++bytes > JsonRecordReader::kMaxRecordBytes) {
        // Read to the row's end, keeping nothing of it: memory stays bounded by the limit.
        error = "the row is larger than 1 MiB";
        fields.clear();
        field.clear();
      }
      if (c == '\n') line_++;
      if (quoted) {
        if (c == '"' && in_.peek() == '"') field += static_cast<char>(in_.get());
        else if (c == '"') quoted = false;
        else field += static_cast<char>(c);
      } else if (c == '"' && field.empty() && !was_quoted) {
        quoted = was_quoted = true;
      } else if (c == ',') {
        fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
      } else if (c == '\n') {
        break;
      } else if (c != '\r') {
        field += static_cast<char>(c);
      }
    }
    fields.push_back(std::move(field));
    return true;
  }

 private:
  std::istream& in_;
  int64_t line_ = 1;
};

// The CSV header's columns as the JSON record's fields; an unknown one stops the import.
std::optional<std::string> CheckCsvHeader(const std::vector<std::string>& header) {
  for (const std::string& h : header) {
    if (h.rfind("profile.", 0) == 0 && IsProfileField(std::string_view(h).substr(8))) continue;
    if (h == "id" || h == "email" || h == "username" || h == "password_hash" ||
        h == "email_verified" || h == "disabled" || h == "roles" || h == "created_at" ||
        h == "last_login_at") {
      continue;
    }
    return "the CSV header names an unknown column \"" + h + "\"";
  }
  if (std::find(header.begin(), header.end(), "email") == header.end()) {
    return "the CSV header has no email column";
  }
  return std::nullopt;
}

// A CSV row as the JSON record the JSON format would have.
std::optional<std::string> CsvRowAsJson(const std::vector<std::string>& header,
                                        const std::vector<std::string>& row, json::object& out) {
  if (row.size() != header.size()) {
    return "it has " + std::to_string(row.size()) + " fields, the header " +
           std::to_string(header.size());
  }
  json::object profile;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string& h = header[i];
    const std::string& v = row[i];
    if (h.rfind("profile.", 0) == 0) {
      if (v.empty()) continue;
      std::string claim = h.substr(8);
      if (claim == "address") profile[claim] = json::object{{"formatted", v}};
      else profile[claim] = v;
    } else if (h == "email_verified" || h == "disabled") {
      auto b = BoolText(v);
      if (!b) return h + " must be true or false";
      out[h] = *b;
    } else if (h == "roles") {
      json::array roles;
      size_t pos = 0;
      while (pos < v.size()) {
        size_t end = v.find_first_of(" ;", pos);
        if (end == std::string::npos) end = v.size();
        if (end > pos) roles.emplace_back(v.substr(pos, end - pos));
        pos = end + 1;
      }
      out[h] = std::move(roles);
    } else if (!v.empty()) {
      out[h] = v;
    }
  }
  if (!profile.empty()) out["profile"] = std::move(profile);
  return std::nullopt;
}

Status ReadCsv(std::istream& in, ImportRun& run) {
  CsvReader reader(in);
  std::vector<std::string> header, row;
  int64_t line = 0;
  std::string error;
  if (!reader.Next(header, line, error)) return OkStatus();  // an empty file
  if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0].erase(0, 3);
  if (auto why = CheckCsvHeader(header)) {
    run.summary().stopped = "line 1: " + *why;
    return OkStatus();
  }
  while (reader.Next(row, line, error)) {
    if (row.size() == 1 && row[0].empty() && error.empty()) continue;  // a blank line
    JsonRecord record;
    record.line = line;
    json::object o;
    if (!error.empty()) {
      record.error = error;
    } else if (auto why = CsvRowAsJson(header, row, o)) {
      record.error = *why;
    } else {
      record.object = std::move(o);
    }
    AddJsonRecord(record, run);
    TESSERA_RETURN_IF_ERROR(run.RecordAdded());
  }
  return OkStatus();
}

}  // namespace

Result<ImportSummary> ImportGenericUsers(UserImportService& service, const store::App& app,
                                         GenericFormat format,
                                         const std::vector<std::istream*>& inputs,
                                         const ImportOptions& options) {
  ImportRun run(service, app, options);
  for (std::istream* in : inputs) {
    if (format == GenericFormat::kCsv) {
      TESSERA_RETURN_IF_ERROR(ReadCsv(*in, run));
      if (run.summary().stopped) break;
      continue;
    }
    TESSERA_ASSIGN_OR_RETURN(bool read_to_end, run.ReadJsonRecords(*in, [&](const JsonRecord& r) {
      AddJsonRecord(r, run);
    }));
    if (!read_to_end) break;
  }
  return run.Finish();
}

}  // namespace tessera::services
