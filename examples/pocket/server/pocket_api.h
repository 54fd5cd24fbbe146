// File: pocket_api.h
// Pocket's HTTP API and its static front end, behind one handler.
//
//   GET    /config.json                 the issuer and client_id the front end signs in with
//   GET    /api/me                      who the token says you are          (signed in)
//   GET    /api/posts                   newest first, ?limit=&offset=        (anyone)
//   POST   /api/posts                   {title, content, author_name?}      (role admin)
//   GET    /api/posts/{id}                                                   (anyone)
//   PUT    /api/posts/{id}              {title, content}                    (role admin)
//   DELETE /api/posts/{id}                                                   (role admin)
//   GET    /api/posts/{id}/comments                                          (anyone)
//   POST   /api/posts/{id}/comments     {content, name?}                    (signed in)
//   POST   /api/contact                 {name, email, subject, message}     (anyone)
//   GET    /api/contact                 ?limit=&offset=                      (role admin)
//   GET    /, /index.html, /admin.html, /pocket.js, /style.css, …           (the front end)
//
// "Signed in" is a valid Tessera access token of the configured issuer in
// `Authorization: Bearer …` (401 with WWW-Authenticate otherwise); "role admin" is `admin` in
// its `roles` claim (403 otherwise). With an introspector, a Bearer token that is not a JWT
// (no dots: a Tessera API token, or an old blog token brought over by `tessera import
// django`) is checked by introspection instead, and the user's roles from its answer count
// the same; Tessera unreachable is 503, not 401. A token that is sent is always checked, even
// where none is needed. Errors are JSON: {"error": code, "message": sentence, "fields": {…}?}.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "http_server.h"
#include "store.h"
#include "tessera/resource_server/access_token_verifier.h"
#include "tessera/resource_server/token_introspector.h"

namespace pocket {

struct ApiOptions {
  std::string issuer;
  std::string client_id;  // the front end's public client (config.json)
  std::string scope = "openid profile email roles";
  std::string web_dir;    // the static front end
  // Contact form: at most this many messages per client address per window.
  int contact_per_window = 10;
  std::chrono::seconds contact_window{600};
};

class PocketApi {
 public:
  // `introspector` may be null: then only access tokens (JWTs) are accepted.
  PocketApi(ApiOptions options, Store& store,
            std::shared_ptr<const tessera::resource_server::AccessTokenVerifier> verifier,
            std::shared_ptr<tessera::resource_server::TokenIntrospector> introspector = nullptr);
  Response Handle(const Request& req, const std::string& remote_ip);

 private:
  Response Route(const Request& req, const std::string& remote_ip);
  Response Static(const Request& req, const std::string& path);
  Response Config(const Request& req);
  Response Me(const Request& req);
  Response ListPosts(const Request& req);
  Response CreatePost(const Request& req);
  Response GetPost(const Request& req, std::int64_t id);
  Response UpdatePost(const Request& req, std::int64_t id);
  Response DeletePost(const Request& req, std::int64_t id);
  Response ListComments(const Request& req, std::int64_t post_id);
  Response AddComment(const Request& req, std::int64_t post_id);
  Response SendContact(const Request& req, const std::string& remote_ip);
  Response ListContact(const Request& req);
  bool ContactAllowed(const std::string& remote_ip);

  ApiOptions options_;
  Store& store_;
  std::shared_ptr<const tessera::resource_server::AccessTokenVerifier> verifier_;
  std::shared_ptr<tessera::resource_server::TokenIntrospector> introspector_;
  std::string csp_;
  std::mutex contact_mu_;
  std::map<std::string, std::pair<std::int64_t, int>> contact_counts_;  // ip → (window start, n)
};

}  // namespace pocket
