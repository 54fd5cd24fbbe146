// The table of audit actions (audit/audit_actions.h) and the other closed sets of the audit
// records: one row per value, names that read back as their value, former names that never
// shadow a current one. The OpenAPI document's list is checked against the table in
// api/openapi_test.cc.
#include "audit/audit_actions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "audit/audit_log.h"
#include "audit/audit_records.h"

namespace tessera::store {
namespace {

using ::testing::ElementsAre;

TEST(AuditActions, EachActionHasOneRowWithANameAndADescription) {
  std::set<AuditAction> actions;
  std::set<std::string_view> names;
  const std::regex shape("[a-z_]+\\.[a-z_]+");
  for (const AuditActionInfo& a : kAuditActions) {
    EXPECT_TRUE(actions.insert(a.action).second) << a.name << ": a second row of one action";
    EXPECT_TRUE(names.insert(a.name).second) << a.name << ": a name used twice";
    EXPECT_TRUE(std::regex_match(std::string(a.name), shape)) << a.name;
    EXPECT_FALSE(a.description.empty()) << a.name;
    EXPECT_EQ(ToText(a.action), a.name);
    EXPECT_EQ(FromText<AuditAction>(a.name), a.action);
  }
  // The enum's values are 0..N-1 and each has its row: none was added without one.
  EXPECT_EQ(actions.size(), std::size(kAuditActions));
  EXPECT_EQ(static_cast<size_t>(*actions.rbegin()) + 1, actions.size());
}

TEST(AuditActions, FormerNamesReadAsTheirActionAndAreNeverWritten) {
  for (const EnumText<AuditAction>& former : kFormerAuditActionNames) {
    EXPECT_EQ(FromText<AuditAction>(former.text), former.value) << former.text;
    EXPECT_NE(ToText(former.value), former.text) << former.text;
  }
  EXPECT_EQ(FromText<AuditAction>("user.logout"), AuditAction::kSessionLogout);
  EXPECT_THAT(StoredNamesOf(AuditAction::kSessionLogout),
              ElementsAre("session.logout", "user.logout"));
  EXPECT_THAT(StoredNamesOf(AuditAction::kUserLogin), ElementsAre("user.login"));
  EXPECT_EQ(FromText<AuditAction>("user.logged_out"), std::nullopt);
}

// Every closed set of the audit records: values 0..N-1 each with one text, read back.
template <typename E>
void ExpectCompleteTable(std::span<const EnumText<E>> table) {
  std::set<E> values;
  std::set<std::string_view> texts;
  for (const auto& row : table) {
    EXPECT_TRUE(texts.insert(row.text).second) << row.text;
    EXPECT_EQ(FromText<E>(row.text), row.value) << row.text;
    values.insert(row.value);
  }
  EXPECT_EQ(static_cast<size_t>(*values.rbegin()) + 1, values.size());
}

TEST(AuditRecords, ActorSubjectAndOutcomeTablesAreComplete) {
  ExpectCompleteTable<AuditActorType>(kAuditActorTypeTexts);
  ExpectCompleteTable<AuditSubjectType>(kAuditSubjectTypeTexts);
  ExpectCompleteTable<AuditOutcome>(kAuditOutcomeTexts);
}

TEST(AuditRecords, JsonWritesTheTexts) {
  AuditEvent e;
  e.id = "e-1";
  e.action = AuditAction::kAppApiKeyCreated;
  e.actor_type = AuditActorType::kApiKey;
  e.subject_type = AuditSubjectType::kAppApiKey;
  e.outcome = AuditOutcome::kFailure;
  std::string json = services::AuditEventJson(e);
  EXPECT_THAT(json, ::testing::HasSubstr(R"("action":"app_api_key.created")"));
  EXPECT_THAT(json, ::testing::HasSubstr(R"("actor_type":"api_key")"));
  EXPECT_THAT(json, ::testing::HasSubstr(R"("subject_type":"app_api_key")"));
  EXPECT_THAT(json, ::testing::HasSubstr(R"("outcome":"failure")"));
}

}  // namespace
}  // namespace tessera::store
