// What a test needs to sign and read LiveKit JWTs the way LiveKit does, with OpenSSL directly (not
// the server's JWT library): base64url, HMAC-SHA256, and a webhook's Authorization token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace voxbase::testing {

std::string Base64Url(std::string_view bytes);
std::string Base64UrlDecode(std::string s);
std::string Hmac(std::string_view key, std::string_view data);
std::string Sha256Base64(std::string_view data);

// A JWT as LiveKit signs a webhook: HS256, iss = API key, sha256 = base64 SHA-256 of the body,
// nbf 5 s ago and exp `exp_offset_s` from now (no exp claim at all when nullopt).
std::string WebhookToken(const std::string& body, const std::string& key, const std::string& secret,
                         std::optional<int64_t> exp_offset_s = 300);

}  // namespace voxbase::testing
