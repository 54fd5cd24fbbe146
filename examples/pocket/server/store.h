// File: store.h
// Pocket's data in SQLite (the C API; every statement prepared, values bound): posts, their
// comments, and the messages of the contact form. Users are not here: they live in Tessera,
// and a row names its author by the token's `sub` (plus the display name given at the time).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pocket {

struct Post {
  std::int64_t id = 0;
  std::string title, content, author_sub, author_name;
  std::int64_t created_at = 0, updated_at = 0;  // Unix seconds
  std::int64_t comment_count = 0;
};

struct Comment {
  std::int64_t id = 0, post_id = 0;
  std::string content, author_sub, author_name;
  std::int64_t created_at = 0;
};

struct ContactMessage {
  std::int64_t id = 0;
  std::string name, email, subject, message;
  std::optional<std::string> sender_sub;  // when sent signed in
  std::int64_t created_at = 0;
};

// Thrown for a database failure (not for "not found", which is an empty optional / false).
struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One connection, serialised by a mutex: plenty for an example (SQLite serialises writers
// anyway). Thread-safe.
class Store {
 public:
  // Opens (creating) the database file and its tables; ":memory:" for a throwaway one.
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  std::vector<Post> ListPosts(int limit, int offset);
  std::int64_t CountPosts();
  std::optional<Post> GetPost(std::int64_t id);
  Post CreatePost(const std::string& title, const std::string& content, const std::string& author_sub,
                  const std::string& author_name, std::int64_t now);
  std::optional<Post> UpdatePost(std::int64_t id, const std::string& title, const std::string& content,
                                 std::int64_t now);
  bool DeletePost(std::int64_t id);  // and its comments

  std::vector<Comment> ListComments(std::int64_t post_id, int limit);
  // nullopt when the post does not exist.
  std::optional<Comment> AddComment(std::int64_t post_id, const std::string& content,
                                    const std::string& author_sub, const std::string& author_name,
                                    std::int64_t now);

  ContactMessage AddContactMessage(const ContactMessage& m);
  std::vector<ContactMessage> ListContactMessages(int limit, int offset);

 private:
  class Statement;
  void Exec(const char* sql);
  sqlite3* db_ = nullptr;
  std::mutex mu_;
};

}  // namespace pocket
