// The OpenAPI document (src/api/openapi.json, embedded in the binary and served at
// /api/openapi.json) against the router: every route TesseraApp mounts is documented with its
// method, and every documented path and method is a real route. Router patterns and OpenAPI
// paths use the same `{name}` template syntax, so they are compared as strings.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <random>
#include <set>

#include "api/docs_api.h"
#include "api/embedded_api_docs.h"
#include "app/tessera_app.h"
#include "audit/audit_actions.h"
#include "audit/audit_records.h"
#include "base/strings.h"

namespace tessera {
namespace {
namespace json = boost::json;
namespace fs = std::filesystem;

const std::set<std::string> kOperations = {"get", "put", "post", "delete", "options",
                                           "head", "patch", "trace"};

json::object Document() {
  boost::system::error_code ec;
  json::value doc = json::parse(api::DocsApi::OpenApiDocument(), ec);
  EXPECT_FALSE(ec) << "openapi.json does not parse: " << ec.message();
  EXPECT_TRUE(doc.is_object());
  return doc.is_object() ? doc.as_object() : json::object();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A TesseraApp built like `serve` does, on SQLite in a fresh directory; it never listens.
class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tessera-openapi-" + std::to_string(std::random_device{}()));
    app::Config config;
    config.db.data_dir = dir_.string();
    config.listen = "127.0.0.1:0";
    config.public_url = "http://127.0.0.1:0";
    auto built = app::TesseraApp::Build(config);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    app_ = std::move(*built);
    for (const auto& route : app_->router().routes()) {
      routes_.emplace(route.pattern, Lower(std::string(http::beast_http::to_string(route.method))));
    }
  }
  void TearDown() override {
    app_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path dir_;
  std::unique_ptr<app::TesseraApp> app_;
  std::set<std::pair<std::string, std::string>> routes_;  // (pattern, lowercase method)
};

TEST_F(OpenApiTest, IsOpenApi31) {
  json::object doc = Document();
  ASSERT_TRUE(doc.contains("openapi") && doc.at("openapi").is_string());
  EXPECT_EQ(std::string(doc.at("openapi").as_string()).rfind("3.1.", 0), 0u);
  ASSERT_TRUE(doc.contains("info") && doc.at("info").is_object());
  EXPECT_TRUE(doc.at("info").as_object().contains("title"));
  EXPECT_TRUE(doc.at("info").as_object().contains("version"));
  ASSERT_TRUE(doc.contains("paths") && doc.at("paths").is_object());
  ASSERT_TRUE(doc.contains("servers") && doc.at("servers").is_array());
  EXPECT_EQ(doc.at("servers").as_array().at(0).as_object().at("url"), "/");
}

TEST_F(OpenApiTest, EveryRouteIsDocumented) {
  json::object paths = Document()["paths"].as_object();
  ASSERT_FALSE(routes_.empty());
  for (const auto& [pattern, method] : routes_) {
    auto* item = paths.if_contains(pattern);
    EXPECT_TRUE(item && item->is_object() && item->as_object().contains(method))
        << Lower(method) << " " << pattern << " is routed but not in src/api/openapi.json";
  }
}

TEST_F(OpenApiTest, EveryDocumentedOperationIsRouted) {
  json::object paths = Document()["paths"].as_object();
  size_t operations = 0;
  for (const auto& [path, item] : paths) {
    ASSERT_TRUE(item.is_object()) << path;
    for (const auto& [key, value] : item.as_object()) {
      if (!kOperations.contains(std::string(key))) continue;  // parameters, summary …
      ++operations;
      EXPECT_TRUE(routes_.contains({std::string(path), std::string(key)}))
          << key << " " << path << " is documented but no route serves it";
    }
  }
  EXPECT_EQ(operations, routes_.size());
}

// Each operation: a tag among the document's, a unique operationId, at least one response;
// every "$ref" points at something in the document.
TEST_F(OpenApiTest, OperationsAreWellFormed) {
  json::object doc = Document();
  std::set<std::string> tags, ids;
  for (const auto& t : doc["tags"].as_array()) tags.insert(std::string(t.at("name").as_string()));
  EXPECT_EQ(tags, (std::set<std::string>{"Accounts", "Email", "OAuth 2.0 / OIDC", "Hosted pages",
                                         "Server-to-server", "Developer console", "Operators",
                                         "System"}));
  for (const auto& [path, item] : doc["paths"].as_object()) {
    for (const auto& [key, value] : item.as_object()) {
      if (!kOperations.contains(std::string(key))) continue;
      const json::object& op = value.as_object();
      std::string where = std::string(key) + " " + std::string(path);
      ASSERT_TRUE(op.contains("tags")) << where;
      for (const auto& t : op.at("tags").as_array()) {
        EXPECT_TRUE(tags.contains(std::string(t.as_string()))) << where;
      }
      ASSERT_TRUE(op.contains("operationId")) << where;
      EXPECT_TRUE(ids.insert(std::string(op.at("operationId").as_string())).second)
          << "duplicate operationId at " << where;
      EXPECT_TRUE(op.contains("responses") && !op.at("responses").as_object().empty()) << where;
    }
  }
  json::value root = doc;
  std::function<void(const json::value&)> walk = [&](const json::value& v) {
    if (v.is_array()) {
      for (const auto& e : v.as_array()) walk(e);
    } else if (v.is_object()) {
      for (const auto& [k, e] : v.as_object()) {
        if (k == "$ref" && e.is_string()) {
          std::string ref(e.as_string());
          ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
          boost::system::error_code ec;
          root.find_pointer(ref.substr(1), ec);
          EXPECT_FALSE(ec) << "dangling $ref " << ref;
        } else {
          walk(e);
        }
      }
    }
  };
  walk(root);
}

// The `enum` of an AuditEvent property in the document.
std::set<std::string> AuditEventEnum(std::string_view property) {
  std::set<std::string> out;
  json::value doc = Document();
  boost::system::error_code ec;
  const json::value* values = doc.find_pointer(
      StrCat({"/components/schemas/AuditEvent/properties/", property, "/enum"}), ec);
  EXPECT_TRUE(values && values->is_array()) << "AuditEvent." << property << " has no enum";
  if (!values || !values->is_array()) return out;
  for (const auto& v : values->as_array()) {
    EXPECT_TRUE(out.insert(std::string(v.as_string())).second) << v << " listed twice";
  }
  return out;
}

// Every name the server writes, and nothing else, both ways: an action added to the table
// without the document (or documented but never emitted) fails here.
void ExpectSameNames(std::string_view property, const std::set<std::string>& written) {
  std::set<std::string> documented = AuditEventEnum(property);
  for (const auto& name : written) {
    EXPECT_TRUE(documented.contains(name))
        << name << " is recorded but missing from AuditEvent." << property << " in openapi.json";
  }
  for (const auto& name : documented) {
    EXPECT_TRUE(written.contains(name))
        << name << " is in AuditEvent." << property << " of openapi.json but never recorded";
  }
}

template <typename E>
std::set<std::string> CurrentTexts() {
  std::set<std::string> out;
  for (const auto& row : TextsOf(E{})) {
    if (ToText(row.value) == row.text) out.emplace(row.text);  // not a former text
  }
  return out;
}

TEST(OpenApiAuditEvent, ActionsAreTheServersTableOfActions) {
  std::set<std::string> table;
  for (const store::AuditActionInfo& a : store::kAuditActions) table.emplace(a.name);
  ExpectSameNames("action", table);
  EXPECT_FALSE(AuditEventEnum("action").contains("user.logout")) << "a former name, never written";
}

TEST(OpenApiAuditEvent, ActorAndSubjectTypesAreTheServersTables) {
  ExpectSameNames("actor_type", CurrentTexts<store::AuditActorType>());
  ExpectSameNames("subject_type", CurrentTexts<store::AuditSubjectType>());
  ExpectSameNames("outcome", CurrentTexts<store::AuditOutcome>());
}

TEST(ApiDocsAssets, SwaggerUiIsEmbedded) {
  const auto& files = api::EmbeddedApiDocs();
  for (const char* name : {"index.html", "swagger-initializer.js", "swagger-ui.css",
                           "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                           "favicon-32x32.png"}) {
    auto it = files.find(name);
    ASSERT_NE(it, files.end()) << name;
    EXPECT_GT(it->second.size(), 100u) << name;
  }
  EXPECT_NE(files.at("swagger-ui-bundle.js").find("SwaggerUIBundle"), std::string_view::npos);
  EXPECT_EQ(files.at("favicon-32x32.png").substr(1, 3), "PNG");
}

}  // namespace
}  // namespace tessera
