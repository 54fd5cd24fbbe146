#include "store.h"

namespace pocket {

// A prepared statement: bind by position (1-based), step, read columns.
class Store::Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw StoreError(std::string("prepare: ") + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int i, std::int64_t v) {
    Check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  Statement& Bind(int i, const std::string& v) {
    Check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& Bind(int i, const std::optional<std::string>& v) {
    if (!v) {
      Check(sqlite3_bind_null(stmt_, i));
      return *this;
    }
    return Bind(i, *v);
  }
  // True while there is a row.
  bool Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(std::string("step: ") + sqlite3_errmsg(db_));
  }
  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) throw StoreError(std::string("bind: ") + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

namespace {

constexpr const char* kPostColumns =
    "p.id, p.title, p.content, p.author_sub, p.author_name, p.created_at, p.updated_at, "
    "(SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id)";

template <class S>
Post ReadPost(const S& s) {
  Post p;
  p.id = s.Int(0);
  p.title = s.Text(1);
  p.content = s.Text(2);
  p.author_sub = s.Text(3);
  p.author_name = s.Text(4);
  p.created_at = s.Int(5);
  p.updated_at = s.Int(6);
  p.comment_count = s.Int(7);
  return p;
}

template <class S>
Comment ReadComment(const S& s) {
  return Comment{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5)};
}

}  // namespace

Store::Store(const std::string& path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string error = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw StoreError("cannot open " + path + ": " + error);
  }
  sqlite3_busy_timeout(db_, 5000);
  Exec("PRAGMA foreign_keys = ON");
  Exec("PRAGMA journal_mode = WAL");
  Exec(R"sql(
    CREATE TABLE IF NOT EXISTS posts (
      id          INTEGER PRIMARY KEY,
      title       TEXT NOT NULL,
      content     TEXT NOT NULL,
      author_sub  TEXT NOT NULL,
      author_name TEXT NOT NULL,
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS comments (
      id          INTEGER PRIMARY KEY,
      post_id     INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
      content     TEXT NOT NULL,
      author_sub  TEXT NOT NULL,
      author_name TEXT NOT NULL,
      created_at  INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS comments_by_post ON comments(post_id, id);
    CREATE TABLE IF NOT EXISTS contact_messages (
      id          INTEGER PRIMARY KEY,
      name        TEXT NOT NULL,
      email       TEXT NOT NULL,
      subject     TEXT NOT NULL,
      message     TEXT NOT NULL,
      sender_sub  TEXT,
      created_at  INTEGER NOT NULL);
  )sql");
}

Store::~Store() { sqlite3_close(db_); }

void Store::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw StoreError(message);
  }
}

std::vector<Post> Store::ListPosts(int limit, int offset) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_, (std::string("SELECT ") + kPostColumns +
                    " FROM posts p ORDER BY p.created_at DESC, p.id DESC LIMIT ?1 OFFSET ?2")
                       .c_str());
  s.Bind(1, std::int64_t{limit}).Bind(2, std::int64_t{offset});
  std::vector<Post> out;
  while (s.Step()) out.push_back(ReadPost(s));
  return out;
}

std::int64_t Store::CountPosts() {
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_, "SELECT COUNT(*) FROM posts");
  s.Step();
  return s.Int(0);
}

std::optional<Post> Store::GetPost(std::int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_, (std::string("SELECT ") + kPostColumns + " FROM posts p WHERE p.id = ?1").c_str());
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return ReadPost(s);
}

Post Store::CreatePost(const std::string& title, const std::string& content,
                       const std::string& author_sub, const std::string& author_name, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_,
              "INSERT INTO posts (title, content, author_sub, author_name, created_at, updated_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id");
  s.Bind(1, title).Bind(2, content).Bind(3, author_sub).Bind(4, author_name).Bind(5, now);
  if (!s.Step()) throw StoreError("insert returned no id");
  return Post{s.Int(0), title, content, author_sub, author_name, now, now, 0};
}

std::optional<Post> Store::UpdatePost(std::int64_t id, const std::string& title,
                                      const std::string& content, std::int64_t now) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Statement s(db_, "UPDATE posts SET title = ?1, content = ?2, updated_at = ?3 WHERE id = ?4");
    s.Bind(1, title).Bind(2, content).Bind(3, now).Bind(4, id);
    s.Step();
    if (sqlite3_changes(db_) == 0) return std::nullopt;
  }
  return GetPost(id);
}

bool Store::DeletePost(std::int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_, "DELETE FROM posts WHERE id = ?1");  // comments: ON DELETE CASCADE
  s.Bind(1, id);
  s.Step();
  return sqlite3_changes(db_) > 0;
}

std::vector<Comment> Store::ListComments(std::int64_t post_id, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_,
              "SELECT id, post_id, content, author_sub, author_name, created_at FROM comments "
              "WHERE post_id = ?1 ORDER BY id LIMIT ?2");
  s.Bind(1, post_id).Bind(2, std::int64_t{limit});
  std::vector<Comment> out;
  while (s.Step()) out.push_back(ReadComment(s));
  return out;
}

std::optional<Comment> Store::AddComment(std::int64_t post_id, const std::string& content,
                                         const std::string& author_sub,
                                         const std::string& author_name, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  // The post may be deleted between a check and the insert: insert only if it exists.
  Statement s(db_,
              "INSERT INTO comments (post_id, content, author_sub, author_name, created_at) "
              "SELECT id, ?2, ?3, ?4, ?5 FROM posts WHERE id = ?1 RETURNING id");
  s.Bind(1, post_id).Bind(2, content).Bind(3, author_sub).Bind(4, author_name).Bind(5, now);
  if (!s.Step()) return std::nullopt;
  return Comment{s.Int(0), post_id, content, author_sub, author_name, now};
}

ContactMessage Store::AddContactMessage(const ContactMessage& m) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_,
              "INSERT INTO contact_messages (name, email, subject, message, sender_sub, created_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
  s.Bind(1, m.name).Bind(2, m.email).Bind(3, m.subject).Bind(4, m.message).Bind(5, m.sender_sub)
      .Bind(6, m.created_at);
  if (!s.Step()) throw StoreError("insert returned no id");
  ContactMessage out = m;
  out.id = s.Int(0);
  return out;
}

std::vector<ContactMessage> Store::ListContactMessages(int limit, int offset) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_,
              "SELECT id, name, email, subject, message, sender_sub, created_at FROM contact_messages "
              "ORDER BY id DESC LIMIT ?1 OFFSET ?2");
  s.Bind(1, std::int64_t{limit}).Bind(2, std::int64_t{offset});
  std::vector<ContactMessage> out;
  while (s.Step()) {
    ContactMessage m;
    m.id = s.Int(0);
    m.name = s.Text(1);
    m.email = s.Text(2);
    m.subject = s.Text(3);
    m.message = s.Text(4);
    if (!s.IsNull(5)) m.sender_sub = s.Text(5);
    m.created_at = s.Int(6);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace pocket
