// File: import_run.h
// One run of an import, whatever the source's format: the reader adds each record's users,
// additions and tokens to the current batch; the run applies a full batch in one
// transaction (UserImportService), reports progress, and at the end applies the records that
// waited for a user named later in the input (files in any order), skipping those whose
// user never came.
#pragma once

#include <functional>
#include <string>
#include <unordered_set>

#include "user_import/json_record_reader.h"
#include "user_import/user_import_service.h"

namespace tessera::services {

struct ImportOptions {
  bool dry_run = false;
  size_t batch_size = 500;  // records per transaction
  std::function<void(const ImportSummary&)> progress;  // after each batch
};

class ImportRun {
 public:
  ImportRun(UserImportService& service, const store::App& app, const ImportOptions& options)
      : service_(service), app_(app), options_(options) {
    summary_.dry_run = options.dry_run;
  }

  ImportBatch& batch() { return batch_; }
  ImportSummary& summary() { return summary_; }
  // After each record: applies the batch once it is full.
  Status RecordAdded();
  // Reads the JSON records of `in` (json_record_reader.h), handing each to `add` and applying
  // full batches; false when the input could not be read to its end (summary().stopped).
  Result<bool> ReadJsonRecords(std::istream& in, const std::function<void(const JsonRecord&)>& add);
  // Applies what is left and the records that waited; the summary of the whole run.
  Result<ImportSummary> Finish();

 private:
  Status Flush();

  UserImportService& service_;
  const store::App& app_;
  const ImportOptions& options_;
  ImportSummary summary_;
  ImportBatch batch_, pending_;
  // A dry run writes no user, so the records waiting for one count those it read.
  std::unordered_set<std::string> users_read_;
};

}  // namespace tessera::services
