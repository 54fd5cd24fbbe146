#include "store/sql/sql_database.h"

namespace tessera::store::sql {

SqlValue Null() { return std::monostate{}; }
SqlValue Opt(const std::optional<std::string>& v) { return v ? SqlValue(*v) : Null(); }
SqlValue Opt(const std::optional<int64_t>& v) { return v ? SqlValue(*v) : Null(); }

std::string Text(const SqlRow& row, size_t i) {
  if (const auto* s = std::get_if<std::string>(&row.at(i))) return *s;
  if (const auto* n = std::get_if<int64_t>(&row.at(i))) return std::to_string(*n);
  return {};
}

int64_t Int(const SqlRow& row, size_t i) {
  if (const auto* n = std::get_if<int64_t>(&row.at(i))) return *n;
  if (const auto* s = std::get_if<std::string>(&row.at(i))) return std::stoll(*s);
  return 0;
}

std::optional<std::string> OptText(const SqlRow& row, size_t i) {
  if (std::holds_alternative<std::monostate>(row.at(i))) return std::nullopt;
  return Text(row, i);
}

std::optional<int64_t> OptInt(const SqlRow& row, size_t i) {
  if (std::holds_alternative<std::monostate>(row.at(i))) return std::nullopt;
  return Int(row, i);
}

Status SqlConnection::ExecAll(std::span<const SqlStatement> statements) {
  for (const SqlStatement& s : statements) TESSERA_RETURN_IF_ERROR(Exec(s.sql, s.params).status());
  return OkStatus();
}

}  // namespace tessera::store::sql
