// The import's readers of untrusted files (user_import/): the streaming record reader of a
// `manage.py dumpdata` fixture (or JSON lines), what each record becomes (users, additions,
// tokens), Django's datetimes and the mapping file. Properties: the reader ends (never more
// records than '{' in the input), its lines never go back, a record has an object or an
// error and never both; every record read is counted once and becomes at most one item; a
// parsed datetime is the same when parsed again.
#include <algorithm>
#include <sstream>

#include "fuzz_support.h"
#include "user_import/django_fixture.h"
#include "user_import/json_record_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera::services;
  std::string_view input = tessera::fuzz::AsText(data, size);

  DjangoImportMapping mapping;
  mapping.profiles["api.customer"] = {.user_field = "user",
                                      .fields = {{"phone", "phone_number"}, {"address", "address"},
                                                 {"profile_picture", "picture"}}};
  mapping.media_url = "https://media.example/";
  std::istringstream in{std::string(input)};
  JsonRecordReader reader(in);
  ImportBatch batch;
  ImportSummary summary;
  const auto braces = static_cast<size_t>(std::count(input.begin(), input.end(), '{'));
  size_t records = 0;
  int64_t last_line = 0;
  while (auto r = reader.Next()) {
    ++records;
    FUZZ_CHECK(records <= braces, "no more records than objects");
    FUZZ_CHECK(r->line >= 1 && r->line >= last_line, "lines never go back");
    FUZZ_CHECK(r->object.has_value() != !r->error.empty(), "an object or an error");
    last_line = r->line;
    size_t before = batch.size();
    int64_t skipped = summary.skipped_count;
    AddDjangoRecord(mapping, *r, batch, summary);
    FUZZ_CHECK(batch.size() + static_cast<size_t>(summary.skipped_count) <=
                   before + static_cast<size_t>(skipped) + 1,
               "a record is at most one item or one skip");
  }
  FUZZ_CHECK(summary.records == static_cast<int64_t>(records), "every record counted once");

  if (auto t = ParseDjangoDateTime(input)) {
    FUZZ_CHECK(ParseDjangoDateTime(input) == t, "deterministic");
  }
  (void)DjangoImportMapping::FromJson(input);
  return 0;
}
