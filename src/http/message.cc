#include "http/message.h"

#include "base/json_util.h"

namespace tessera::http {

Response& Response::WithHeader(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

const std::string& Request::Param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

Response JsonResponse(unsigned status, const boost::json::value& body) {
  // Always valid UTF-8, even when a stored string holds bytes from before the edge checked.
  return Response{status, "application/json", ToJsonText(body), {}};
}

Response TextResponse(unsigned status, std::string content_type, std::string body) {
  return Response{status, std::move(content_type), std::move(body), {}};
}

Response NoContent() { return Response{204, "", "", {}}; }

}  // namespace tessera::http
