// File: tenancy_records.h
// Apps, their console members and their backends' API keys.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/enum_text.h"
#include "tenancy/app_settings.h"

namespace tessera::store {

struct App {
  std::string id;
  std::string slug;  // URL segment of the issuer: {PUBLIC_URL}/apps/{slug}
  std::string name;
  bool disabled = false;
  AppSettings settings;  // the settings_json column, parsed once when the app is read
  UnixMillis created_at = 0;
};

// A developer's place in an app (the developer console): the user is a user of the
// console app; an owner may manage members, a member everything else.
enum class MemberRole { kOwner, kMember };
inline constexpr EnumText<MemberRole> kMemberRoleTexts[] = {{MemberRole::kOwner, "owner"},
                                                            {MemberRole::kMember, "member"}};
constexpr std::span<const EnumText<MemberRole>> TextsOf(MemberRole) { return kMemberRoleTexts; }

struct AppMember {
  std::string app_id;
  std::string user_id;  // a user of the console app
  MemberRole role = MemberRole::kMember;
  UnixMillis created_at = 0;
};

// An owner's invitation of an email address to become a member of an app (issue 11, item
// 7): nobody becomes a member without accepting. The token mailed to the address is stored
// only as its SHA-256; an invitation is deleted when accepted, declined or revoked, and is
// void after expires_at.
struct AppInvitation {
  std::string id;
  std::string app_id;
  std::string email;  // the invited address, normalized (accounts/identity_rules.h)
  MemberRole role = MemberRole::kMember;
  std::string token_hash;
  std::string invited_by;  // the inviting console user's id
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
};

// A secret key of an app's backend (server-to-server API): shown once, stored as SHA-256,
// listed by prefix and name.
struct AppApiKey {
  std::string id;
  std::string app_id;
  std::string name;
  std::string prefix;  // the first characters of the key, shown in lists
  std::string key_hash;
  std::string created_by;  // console user id (or "" for the CLI)
  UnixMillis created_at = 0;
  std::optional<UnixMillis> last_used_at;
  std::optional<UnixMillis> revoked_at;
};

}  // namespace tessera::store
