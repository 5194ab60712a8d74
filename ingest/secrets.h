// Secrets: app secrets and session tokens, which voxbase keeps only as hashes.
//
// An app secret is stored as SHA-256(salt || secret) with a random 16-byte salt; a session token
// as SHA-256(token). Comparisons run in constant time. Tokens carry their app id in the clear
// ("vxs_<app id>_<64 hex>") so a lookup goes straight to that app's rows. Randomness comes from
// OpenSSL's RAND_bytes. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace voxbase {

std::string RandomBytes(size_t n);
std::string Sha256(std::string_view data);
std::string SaltedSecretHash(std::string_view salt, std::string_view secret);
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// "vxs_<app id>_<64 hex>" where the hex is HMAC-SHA256(key, event_id): unguessable without the
// server's key, and the same every time for the same event, so only its hash need be recorded.
std::string DeriveSessionToken(std::string_view app_id, std::string_view key,
                               std::string_view event_id);
// HMAC-SHA256 of `data` under `key`, raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);
// The app id inside a well-formed session token; false for anything else.
bool SessionTokenAppId(std::string_view token, std::string* app_id);

}  // namespace voxbase
