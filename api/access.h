// Access: who may call a route, declared once per route where it is added (Router::Add,
// AddWriteRoute, AddListRoute) and enforced by the Authenticator, which reads the matched route's
// declaration from the request (DESIGN.md invariant 7). The route catalogue, `voxbase routes`, the
// README's scope table and the scope test all read the same declarations.
//
// The credentials, from most to least trusted:
//   secret    appSlug + appSecret: every right of the app (server to server)
//   operator  a session token minted with role "operator": lists, analytics, the handoff queue
//   user      a session token minted with role "user" (the default), bound to one sessionId:
//             that session's data, and the agent-facing reads
//   legacy    a token minted before roles existed: treated as a user token bound to no session,
//             or with --legacy-session-tokens as the app-wide token it used to be
// A refusal names the scope the route needs, so a caller can tell what to ask for.
#pragma once

#include <cstddef>
#include <iterator>
#include <string_view>

namespace voxbase {

enum class Access {
  kUndeclared,    // the router refuses to add such a route; requests carry it until matched
  kPublic,        // no credentials (health, metrics, the signed LiveKit webhook)
  kAdmin,         // Authorization: Bearer $VOXBASE_ADMIN_TOKEN
  kSecret,        // the app secret only: configuration, minting and revoking tokens
  kOperator,      // the secret or an operator token: cross-session lists, analytics, the queue
  kSessionRead,   // the secret, an operator token, or a user token of the session it names
  kSessionWrite,  // the secret, or a user token of the session it names
  kAgent,         // any credential of the app: what the agent and the browser read and mint
};

// Each scope's name (as the README's table, `voxbase routes` and refusals spell it) and who holds
// it (what a refusal says it needs), in the order of the enum.
struct AccessInfo {
  std::string_view name;
  std::string_view holders;
};
inline constexpr AccessInfo kAccessInfo[] = {
    {"undeclared", "no app credentials"},
    {"public", "no app credentials"},
    {"admin", "the admin token"},
    {"secret", "the app secret"},
    {"operator", "the app secret or an operator token"},
    {"session-read", "the app secret, an operator token, or a user token of the session it names"},
    {"session-write", "the app secret, or a user token of the session it names"},
    {"agent", "any credential of the app"},
};
static_assert(std::size(kAccessInfo) == static_cast<size_t>(Access::kAgent) + 1,
              "one line per scope");

constexpr std::string_view AccessName(Access access) {
  return kAccessInfo[static_cast<size_t>(access)].name;
}
constexpr std::string_view AccessHolders(Access access) {
  return kAccessInfo[static_cast<size_t>(access)].holders;
}

}  // namespace voxbase
