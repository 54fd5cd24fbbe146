#include "oauth/oauth_error.h"

namespace tessera::services {

OAuthError UnexpectedFailure(const Status& status) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted: return OAuthError(kTemporarilyUnavailable);
    default: return OAuthError(kServerError);
  }
}

}  // namespace tessera::services
