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

// The scope's name, as the README's table, `voxbase routes` and refusals spell it.
constexpr std::string_view AccessName(Access access) {
  switch (access) {
    case Access::kUndeclared:
      return "undeclared";
    case Access::kPublic:
      return "public";
    case Access::kAdmin:
      return "admin";
    case Access::kSecret:
      return "secret";
    case Access::kOperator:
      return "operator";
    case Access::kSessionRead:
      return "session-read";
    case Access::kSessionWrite:
      return "session-write";
    case Access::kAgent:
      return "agent";
  }
  return "undeclared";
}

// Every declared scope, in the order above (for the catalogue's listing and its tests).
inline constexpr Access kDeclaredAccesses[] = {
    Access::kPublic,      Access::kAdmin,        Access::kSecret, Access::kOperator,
    Access::kSessionRead, Access::kSessionWrite, Access::kAgent};

}  // namespace voxbase
