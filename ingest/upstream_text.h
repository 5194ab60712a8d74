// What voxbase keeps of an upstream's error answer (a provider, an embedder): its own message —
// `error.message`, or `error` when that is a string, or the start of its body — bounded, with
// anything that looks like a credential masked. A gateway behind OPENAI_BASE_URL may echo the key
// it was sent ("Incorrect API key provided: Bearer sk-…"); real OpenAI masks it, others may not.
// The masked text may reach a server-to-server caller and the server's log; a browser caller gets
// only the status and a fixed message (api/route_kit.h: CallerError). Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace voxbase {

// `Bearer <x>` and `Basic <x>`, words that start as keys do (sk-, sk_, pk_, rk_, AIza, eyJ, ghp_,
// xox), and words of 16 or more key-like characters with a letter and a digit in them (hex and
// base64 secrets) become "***".
std::string MaskCredentials(std::string_view text);

// The upstream's own message from an error body, at most 300 bytes, masked.
std::string UpstreamText(std::string_view body);

}  // namespace voxbase
