#include "pocket_api.h"

#include <boost/json.hpp>

#include <cctype>
#include <charconv>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "tessera/resource_server/bearer.h"

namespace pocket {
namespace json = boost::json;
namespace rs = tessera::resource_server;

namespace {

constexpr char kRealm[] = "pocket";

// Input limits, in Unicode code points.
constexpr std::size_t kTitleMax = 200;
constexpr std::size_t kPostMax = 20000;
constexpr std::size_t kCommentMax = 2000;
constexpr std::size_t kNameMax = 80;
constexpr std::size_t kContactNameMax = 100;
constexpr std::size_t kEmailMax = 254;
constexpr std::size_t kSubjectMax = 200;
constexpr std::size_t kMessageMax = 5000;
constexpr std::size_t kMaxStaticBytes = 1 << 20;

std::int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Rfc3339(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// --- responses ---

Response Json(unsigned status, const json::value& body) {
  Response r{static_cast<http::status>(status), 11};
  r.set(http::field::content_type, "application/json");
  r.set(http::field::cache_control, "no-store");
  r.set("X-Content-Type-Options", "nosniff");
  r.set("Referrer-Policy", "no-referrer");
  r.body() = json::serialize(body);
  return r;
}

Response Error(unsigned status, std::string_view code, std::string_view message,
               const std::map<std::string, std::string>& fields = {}) {
  json::object body{{"error", code}, {"message", message}};
  if (!fields.empty()) {
    json::object f;
    for (const auto& [k, v] : fields) f[k] = v;
    body["fields"] = std::move(f);
  }
  return Json(status, body);
}

Response NoContent() {
  Response r{http::status::no_content, 11};
  r.set(http::field::cache_control, "no-store");
  return r;
}

Response MethodNotAllowed(std::string_view allow) {
  Response r = Error(405, "method_not_allowed", "This method is not allowed here.");
  r.set(http::field::allow, allow);
  return r;
}

json::object PostJson(const Post& p, bool with_content = true) {
  json::object o{{"id", p.id},
                 {"title", p.title},
                 {"author", json::object{{"sub", p.author_sub}, {"name", p.author_name}}},
                 {"created_at", Rfc3339(p.created_at)},
                 {"updated_at", Rfc3339(p.updated_at)},
                 {"comment_count", p.comment_count}};
  if (with_content) o["content"] = p.content;
  return o;
}

json::object CommentJson(const Comment& c) {
  return {{"id", c.id},
          {"post_id", c.post_id},
          {"content", c.content},
          {"author", json::object{{"sub", c.author_sub}, {"name", c.author_name}}},
          {"created_at", Rfc3339(c.created_at)}};
}

json::object ContactJson(const ContactMessage& m) {
  json::object o{{"id", m.id},           {"name", m.name},       {"email", m.email},
                 {"subject", m.subject}, {"message", m.message}, {"created_at", Rfc3339(m.created_at)}};
  o["sender_sub"] = m.sender_sub ? json::value(*m.sender_sub) : json::value(nullptr);
  return o;
}

// --- authentication ---

enum class Need { kOptional, kUser, kAdmin };

// Who calls, whichever way the token was checked.
struct Caller {
  std::string subject;    // Tessera's user id
  std::string client_id;  // the OAuth client of an access token; empty for an API token
  std::string token_type;  // "access_token" (a JWT, checked here) or "api_token" (introspection)
  std::set<std::string> roles;
  std::set<std::string> scopes;
  std::optional<std::int64_t> expires_at;  // none: an API token without expiry
  json::object claims;  // the JWT's claims, or the introspection answer

  bool HasRole(std::string_view role) const { return roles.count(std::string(role)) > 0; }
};

Caller FromAccessToken(rs::VerifiedToken t) {
  return {std::move(t.subject), std::move(t.client_id), "access_token", std::move(t.roles),
          std::move(t.scopes),  t.expires_at,           std::move(t.claims)};
}

Caller FromIntrospection(rs::IntrospectedToken t) {
  return {std::move(t.subject), std::move(t.client_id), std::move(t.token_type), std::move(t.roles),
          std::move(t.scopes),  t.expires_at,           std::move(t.claims)};
}

struct Auth {
  std::optional<Caller> caller;
  std::optional<Response> refusal;
};

Response Refusal(const rs::VerifyError& e) {
  std::cerr << "pocket: token refused: " << rs::ErrorCodeName(e.code) << ": " << e.reason << "\n";
  Response r = e.unavailable()
                   ? Error(503, "unavailable", "Sign-in cannot be checked just now; try again.")
                   : Error(401, "invalid_token", "The token was refused: " + e.reason + ".");
  if (e.unavailable()) r.set(http::field::retry_after, "5");
  r.set(http::field::www_authenticate, rs::WwwAuthenticate(kRealm, &e));
  return r;
}

// A JWT (header.claims.signature) is checked locally; anything else — an API token or an old
// blog token imported into Tessera — is asked about by introspection, when configured.
Auth Authenticate(const Request& req, const rs::AccessTokenVerifier& verifier,
                  rs::TokenIntrospector* introspector, Need need) {
  auto header = req.find(http::field::authorization);
  if (header == req.end()) {
    if (need == Need::kOptional) return {};
    Response r = Error(401, "unauthorized", "Sign in first.");
    r.set(http::field::www_authenticate, rs::WwwAuthenticate(kRealm));
    return {std::nullopt, std::move(r)};
  }
  std::optional<std::string_view> bearer = rs::BearerToken(header->value());
  if (!bearer) {
    Response r = Error(401, "invalid_token", "Send the access token as \"Authorization: Bearer …\".");
    rs::VerifyError e{rs::VerifyErrorCode::kMalformed, "not a Bearer token"};
    r.set(http::field::www_authenticate, rs::WwwAuthenticate(kRealm, &e));
    return {std::nullopt, std::move(r)};
  }
  Caller caller;
  if (introspector && bearer->find('.') == std::string_view::npos) {
    rs::IntrospectionResult v = introspector->Introspect(*bearer);
    if (!v.ok()) return {std::nullopt, Refusal(v.error())};
    caller = FromIntrospection(std::move(v.value()));
  } else {
    rs::VerifyResult v = verifier.Verify(*bearer);
    if (!v.ok()) return {std::nullopt, Refusal(v.error())};
    caller = FromAccessToken(std::move(v.value()));
  }
  if (need == Need::kAdmin && !caller.HasRole("admin")) {
    return {std::move(caller), Error(403, "forbidden", "Only admins can do this.")};
  }
  return {std::move(caller), std::nullopt};
}

// --- request bodies ---

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// The fields of a JSON object body, checked one by one; errors collect per field.
class Fields {
 public:
  explicit Fields(const json::object& o) : o_(o) {}

  // A string of min..max code points (after trimming). One line unless `multiline` (then \n
  // and \t are kept, \r dropped). Other control characters are refused.
  std::string Text(const char* name, std::size_t min, std::size_t max, bool multiline) {
    auto it = o_.find(name);
    if (it == o_.end() || it->value().is_null()) {
      if (min > 0) errors_[name] = "is required";
      return {};
    }
    if (!it->value().is_string()) {
      errors_[name] = "must be a string";
      return {};
    }
    std::string raw(it->value().get_string());
    std::string s;
    s.reserve(raw.size());
    for (char c : raw) {
      unsigned char u = static_cast<unsigned char>(c);
      if (c == '\r') continue;
      if ((u < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || u == 0x7F) {
        errors_[name] = multiline ? "contains control characters" : "must be one line of text";
        return {};
      }
      s.push_back(c);
    }
    s = Trim(s);
    std::size_t n = CodePoints(s);
    if (n < min) {
      errors_[name] = min == 1 ? "is required" : "is too short";
    } else if (n > max) {
      errors_[name] = "must be at most " + std::to_string(max) + " characters";
    }
    return s;
  }

  std::string Email(const char* name) {
    std::string s = Text(name, 1, kEmailMax, false);
    if (errors_.count(name)) return s;
    size_t at = s.find('@');
    bool ok = at != std::string::npos && at > 0 && at <= 64 && s.find('@', at + 1) == std::string::npos &&
              s.find(' ') == std::string::npos;
    if (ok) {
      std::string_view domain = std::string_view(s).substr(at + 1);
      ok = domain.size() >= 3 && domain.find('.') != std::string_view::npos && domain.front() != '.' &&
           domain.back() != '.' && domain.find("..") == std::string_view::npos;
    }
    if (!ok) errors_[name] = "is not an email address";
    return s;
  }

  const std::map<std::string, std::string>& errors() const { return errors_; }

 private:
  const json::object& o_;
  std::map<std::string, std::string> errors_;
};

// The body as a JSON object, or the error response.
std::optional<json::object> JsonBody(const Request& req, Response* error) {
  auto ct = req.find(http::field::content_type);
  if (ct == req.end() || Lower(ct->value()).rfind("application/json", 0) != 0) {
    *error = Error(415, "unsupported_media_type", "Send JSON (Content-Type: application/json).");
    return std::nullopt;
  }
  boost::system::error_code ec;
  json::value v = json::parse(req.body(), ec);  // invalid UTF-8 is a parse error
  if (ec || !v.is_object()) {
    *error = Error(400, "invalid_json", "The body is not a JSON object.");
    return std::nullopt;
  }
  return std::move(v.get_object());
}

Response FieldErrors(const std::map<std::string, std::string>& errors) {
  return Error(400, "validation_failed", "Please check the highlighted fields.", errors);
}

// The display name for a new post or comment: the one the front end sends (from the ID
// token), else a profile claim of the access token (or the introspection answer's username
// or email), else a short form of the user's id.
std::string DisplayName(const std::string& given, const Caller& token) {
  if (!given.empty()) return given;
  for (const char* claim : {"name", "preferred_username", "username", "email"}) {
    auto it = token.claims.find(claim);
    if (it != token.claims.end() && it->value().is_string() && !it->value().get_string().empty()) {
      std::string s(it->value().get_string());
      if (CodePoints(s) <= kNameMax) return s;
    }
  }
  return "user " + token.subject.substr(0, 8);
}

// --- query strings and paths ---

std::map<std::string, std::string> Query(std::string_view target) {
  std::map<std::string, std::string> out;
  size_t q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    size_t eq = pair.find('=');
    out.emplace(std::string(pair.substr(0, eq)),
                eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return out;
}

// A non-negative integer query parameter within [0, max], `fallback` when absent.
std::optional<int> IntParam(const std::map<std::string, std::string>& q, const std::string& name,
                            int fallback, int min, int max) {
  auto it = q.find(name);
  if (it == q.end()) return fallback;
  int v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || v < min || v > max) {
    return std::nullopt;
  }
  return v;
}

// "/api/posts/12" → 12 (digits only, no leading zeros beyond "0"); nullopt otherwise.
std::optional<std::int64_t> Id(std::string_view s) {
  if (s.empty() || s.size() > 15 || s.front() == '0') return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string OriginOf(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t path = url.find('/', scheme + 3);
  return url.substr(0, path);
}

}  // namespace

PocketApi::PocketApi(ApiOptions options, Store& store,
                     std::shared_ptr<const rs::AccessTokenVerifier> verifier,
                     std::shared_ptr<rs::TokenIntrospector> introspector)
    : options_(std::move(options)),
      store_(store),
      verifier_(std::move(verifier)),
      introspector_(std::move(introspector)) {
  // The pages run one script of our own and talk to us and to Tessera (discovery, JWKS,
  // token endpoint); sign-in and sign-out are navigations to Tessera.
  csp_ = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
         "connect-src 'self' " + OriginOf(options_.issuer) +
         "; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
}

Response PocketApi::Handle(const Request& req, const std::string& remote_ip) {
  auto start = std::chrono::steady_clock::now();
  Response r;
  try {
    r = Route(req, remote_ip);
  } catch (const StoreError& e) {
    std::cerr << "pocket: database: " << e.what() << "\n";
    r = Error(500, "internal_error", "Something went wrong on our side.");
  }
  // One log line per request; never the query string (the OAuth callback carries the code).
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  std::cerr << "pocket: " << req.method_string() << " " << path << " " << r.result_int() << " "
            << ms.count() << "ms\n";
  return r;
}

Response PocketApi::Route(const Request& req, const std::string& remote_ip) {
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));
  http::verb m = req.method();
  if (path.rfind("/api/", 0) != 0) {
    if (path == "/config.json") {
      return m == http::verb::get ? Config(req) : MethodNotAllowed("GET");
    }
    return m == http::verb::get ? Static(req, std::string(path)) : MethodNotAllowed("GET");
  }
  if (path == "/api/me") return m == http::verb::get ? Me(req) : MethodNotAllowed("GET");
  if (path == "/api/posts") {
    if (m == http::verb::get) return ListPosts(req);
    if (m == http::verb::post) return CreatePost(req);
    return MethodNotAllowed("GET, POST");
  }
  if (path == "/api/contact") {
    if (m == http::verb::post) return SendContact(req, remote_ip);
    if (m == http::verb::get) return ListContact(req);
    return MethodNotAllowed("GET, POST");
  }
  constexpr std::string_view kPosts = "/api/posts/";
  if (path.rfind(kPosts, 0) == 0) {
    std::string_view rest = path.substr(kPosts.size());
    size_t slash = rest.find('/');
    std::optional<std::int64_t> id = Id(rest.substr(0, slash));
    if (id && slash == std::string_view::npos) {
      if (m == http::verb::get) return GetPost(req, *id);
      if (m == http::verb::put) return UpdatePost(req, *id);
      if (m == http::verb::delete_) return DeletePost(req, *id);
      return MethodNotAllowed("GET, PUT, DELETE");
    }
    if (id && rest.substr(slash) == "/comments") {
      if (m == http::verb::get) return ListComments(req, *id);
      if (m == http::verb::post) return AddComment(req, *id);
      return MethodNotAllowed("GET, POST");
    }
  }
  return Error(404, "not_found", "No such API resource.");
}

Response PocketApi::Static(const Request& req, const std::string& path) {
  (void)req;
  std::string name = path == "/" ? "index.html" : path.substr(1);
  // Only plain file names of the web folder: no directories, no dot files, no "..".
  std::string ext = name.substr(name.rfind('.') == std::string::npos ? name.size() : name.rfind('.'));
  bool plain = !name.empty() && name.size() <= 64 && name.front() != '.';
  for (char c : name) plain &= std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
      {".png", "image/png"},                 {".ico", "image/x-icon"}};
  auto type = kTypes.find(ext);
  if (!plain || type == kTypes.end() || name.find("..") != std::string::npos) {
    return Error(404, "not_found", "No such page.");
  }
  std::ifstream in(options_.web_dir + "/" + name, std::ios::binary);
  if (!in) return Error(404, "not_found", "No such page.");
  std::ostringstream data;
  data << in.rdbuf();
  if (data.str().size() > kMaxStaticBytes) return Error(500, "internal_error", "File too large.");
  Response r{http::status::ok, 11};
  r.set(http::field::content_type, type->second);
  r.set(http::field::cache_control, "no-cache");
  r.set("X-Content-Type-Options", "nosniff");
  r.set("Referrer-Policy", "no-referrer");  // the callback URL holds the code: never leak it
  r.set("X-Frame-Options", "DENY");
  if (ext == ".html") r.set("Content-Security-Policy", csp_);
  r.body() = data.str();
  return r;
}

Response PocketApi::Config(const Request&) {
  Response r = Json(200, json::object{{"issuer", options_.issuer},
                                      {"client_id", options_.client_id},
                                      {"scope", options_.scope}});
  r.set(http::field::cache_control, "no-cache");
  return r;
}

Response PocketApi::Me(const Request& req) {
  Auth a = Authenticate(req, *verifier_, introspector_.get(), Need::kUser);
  if (a.refusal) return std::move(*a.refusal);
  const Caller& c = *a.caller;
  json::array roles, scopes;
  for (const auto& r : c.roles) roles.emplace_back(r);
  for (const auto& s : c.scopes) scopes.emplace_back(s);
  return Json(200, json::object{
                       {"sub", c.subject},
                       {"client_id", c.client_id.empty() ? json::value(nullptr) : json::value(c.client_id)},
                       {"token_type", c.token_type},
                       {"roles", roles},
                       {"scopes", scopes},
                       {"admin", c.HasRole("admin")},
                       {"expires_at", c.expires_at ? json::value(Rfc3339(*c.expires_at)) : json::value(nullptr)}});
}

Response PocketApi::ListPosts(const Request& req) {
  Auth a = Authenticate(req, *verifier_, introspector_.get(), Need::kOptional);
  if (a.refusal) return std::move(*a.refusal);
  auto q = Query(req.target());
  auto limit = IntParam(q, "limit", 20, 1, 100);
  auto offset = IntParam(q, "offset", 0, 0, 1'000'000);
  if (!limit || !offset) {
    return Error(400, "invalid_query", "limit is 1-100 and offset 0-1000000.");
  }
  json::array posts;
  for (const Post& p : store_.ListPosts(*limit, *offset)) posts.emplace_back(PostJson(p));
  return Json(200, json::object{{"posts", posts}, {"total", store_.CountPosts()},
                                {"limit", *limit}, {"offset", *offset}});
}

Response PocketApi::CreatePost(const Request& req) {
  Auth a = Authenticate(req, *verifier_, introspector_.get(), Need::kAdmin);
  if (a.refusal) return std::move(*a.refusal);
  Response error;
  auto body = JsonBody(req, &error);
  if (!body) return error;
  Fields f(*body);
  std::string title = f.Text("title", 1, kTitleMax, false);
  std::string content = f.Text("content", 1, kPostMax, true);
  std::string name = f.Text("author_name", 0, kNameMax, false);
  if (!f.errors().empty()) return FieldErrors(f.errors());
  Post p = store_.CreatePost(title, content, a.caller->subject, DisplayName(name, *a.caller), Now());
  Response r = Json(201, PostJson(p));
  r.set(http::field::location, "/api/posts/" + std::to_string(p.id));
  return r;
}

Response PocketApi::GetPost(const Request& req, std::int64_t id) {
  Auth a = Authenticate(req, *verifier_, introspector_.get(), Need::kOptional);
  if (a.refusal) return std::move(*a.refusal);
  auto p = store_.GetPost(id);
  if (!p) return Error(404, "not_found", "No such post.");
  return Json(200, PostJson(*p));
}

Response PocketApi::UpdatePost(const Request& req, std::int64_t id) {
  Auth a = Authenticate(req, *verifier_, introspector_.get(), Need::kAdmin);
  if (a.refusal) return std::move(*a.refusal);
  Response error;
  auto body = JsonBody(req, &error);
  if (!body) return error;
  Fields f(*body);
  std::string title = f.Text("title", 1, kTitleMax, false);
  std::string content = f.Text("content", 1, kPostMax, true);
  if (!f.errors().empty()) return FieldErrors(f.errors());
  auto p = store_.UpdatePost(id, title, content, Now());
  if (!p) return Error(404, "not_found", "No such post.");
  return Json(200, PostJson(*p));
}

Response PocketApi::DeletePost(const Request& req, std::int64_t id) {
  Auth a = Authenticate(req, *verifier_, introspector_.get(), Need::kAdmin);
  if (a.refusal) return std::move(*a.refusal);
  if (!store_.DeletePost(id)) return Error(404, "not_found", "No such post.");
  return NoContent();
}

Response PocketApi::ListComments(const Request& req, std::int64_t post_id) {
  Auth a = Authenticate(req, *verifier_, introspector_.get(), Need::kOptional);
  if (a.refusal) return std::move(*a.refusal);
  if (!store_.GetPost(post_id)) return Error(404, "not_found", "No such post.");
  json::array comments;
  for (const Comment& c : store_.ListComments(post_id, 500)) comments.emplace_back(CommentJson(c));
  return Json(200, json::object{{"comments", comments}});
}

Response PocketApi::AddComment(const Request& req, std::int64_t post_id) {
  Auth a = Authenticate(req, *verifier_, introspector_.get(), Need::kUser);
  if (a.refusal) return std::move(*a.refusal);
  Response error;
  auto body = JsonBody(req, &error);
  if (!body) return error;
  Fields f(*body);
  std::string content = f.Text("content", 1, kCommentMax, true);
  std::string name = f.Text("name", 0, kNameMax, false);
  if (!f.errors().empty()) return FieldErrors(f.errors());
  auto c = store_.AddComment(post_id, content, a.caller->subject, DisplayName(name, *a.caller), Now());
  if (!c) return Error(404, "not_found", "No such post.");
  return Json(201, CommentJson(*c));
}

bool PocketApi::ContactAllowed(const std::string& ip) {
  std::lock_guard<std::mutex> lock(contact_mu_);
  std::int64_t now = Now();
  std::int64_t window = options_.contact_window.count();
  if (contact_counts_.size() > 10000) {  // bounded: forget finished windows
    for (auto it = contact_counts_.begin(); it != contact_counts_.end();) {
      it = now - it->second.first >= window ? contact_counts_.erase(it) : std::next(it);
    }
    if (contact_counts_.size() > 10000) return false;
  }
  auto& [start, n] = contact_counts_[ip];
  if (now - start >= window) {
    start = now;
    n = 0;
  }
  return ++n <= options_.contact_per_window;
}

Response PocketApi::SendContact(const Request& req, const std::string& remote_ip) {
  // Anyone may write; a token, if sent, must be valid (and names the sender).
  Auth a = Authenticate(req, *verifier_, introspector_.get(), Need::kOptional);
  if (a.refusal) return std::move(*a.refusal);
  Response error;
  auto body = JsonBody(req, &error);
  if (!body) return error;
  Fields f(*body);
  ContactMessage m;
  m.name = f.Text("name", 1, kContactNameMax, false);
  m.email = f.Email("email");
  m.subject = f.Text("subject", 1, kSubjectMax, false);
  m.message = f.Text("message", 1, kMessageMax, true);
  if (!f.errors().empty()) return FieldErrors(f.errors());
  if (!ContactAllowed(remote_ip)) {
    Response r = Error(429, "too_many_requests", "Too many messages from here; try again later.");
    r.set(http::field::retry_after, std::to_string(options_.contact_window.count()));
    return r;
  }
  if (a.caller) m.sender_sub = a.caller->subject;
  m.created_at = Now();
  ContactMessage saved = store_.AddContactMessage(m);
  return Json(201, json::object{{"id", saved.id}, {"message", "Thank you! We will get back to you."}});
}

Response PocketApi::ListContact(const Request& req) {
  Auth a = Authenticate(req, *verifier_, introspector_.get(), Need::kAdmin);
  if (a.refusal) return std::move(*a.refusal);
  auto q = Query(req.target());
  auto limit = IntParam(q, "limit", 100, 1, 500);
  auto offset = IntParam(q, "offset", 0, 0, 1'000'000);
  if (!limit || !offset) return Error(400, "invalid_query", "limit is 1-500 and offset 0-1000000.");
  json::array out;
  for (const ContactMessage& m : store_.ListContactMessages(*limit, *offset)) out.emplace_back(ContactJson(m));
  return Json(200, json::object{{"messages", out}});
}

}  // namespace pocket
