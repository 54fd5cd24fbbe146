#include "user_import/import_run.h"

#include <algorithm>

namespace tessera::services {

Status ImportRun::RecordAdded() {
  if (batch_.size() < std::max<size_t>(1, options_.batch_size)) return OkStatus();
  return Flush();
}

Status ImportRun::Flush() {
  if (options_.dry_run) {
    for (const ImportedUser& u : batch_.users) users_read_.insert(u.source_key);
  }
  TESSERA_RETURN_IF_ERROR(service_.Apply(app_, batch_, options_.dry_run, summary_, pending_));
  batch_ = ImportBatch{};
  if (options_.progress) options_.progress(summary_);
  return OkStatus();
}

Result<bool> ImportRun::ReadJsonRecords(std::istream& in,
                                        const std::function<void(const JsonRecord&)>& add) {
  JsonRecordReader reader(in);
  while (auto record = reader.Next()) {
    add(*record);
    TESSERA_RETURN_IF_ERROR(RecordAdded());
  }
  if (reader.Failure()) summary_.stopped = *reader.Failure();
  return !reader.Failure();
}

Result<ImportSummary> ImportRun::Finish() {
  TESSERA_RETURN_IF_ERROR(Flush());
  ImportBatch still;
  TESSERA_RETURN_IF_ERROR(service_.Apply(app_, pending_, options_.dry_run, summary_, still));
  ImportSummary& s = summary_;
  for (const ImportedUserPatch& p : still.patches) {
    if (users_read_.contains(p.user_source_key)) s.patches_applied++;
    else s.Skip(p.line, p.what, "its user (" + p.user_source_key + ") is not in the import");
  }
  for (const ImportedToken& t : still.tokens) {
    if (users_read_.contains(t.user_source_key)) s.tokens_imported++;
    else s.Skip(t.line, "token", "its user (" + t.user_source_key + ") is not in the import");
  }
  // Reported in the input's order (some are found when reading, others when writing).
  std::stable_sort(s.skipped.begin(), s.skipped.end(),
                   [](const SkippedRecord& a, const SkippedRecord& b) { return a.line < b.line; });
  if (options_.progress) options_.progress(s);
  return s;
}

}  // namespace tessera::services
