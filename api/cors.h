// CORS for the endpoints a browser calls from another origin (GET /realtime/token): the
// Access-Control-Allow-Origin header echoes the request's Origin only when it is one of the
// configured origins (CLIENT_ORIGIN, comma-separated); any other origin gets no CORS headers, so
// the browser refuses to hand it the answer. Errors carry the headers too, so the page can read
// them. Stateless apart from the origin list; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "api/router.h"

namespace voxbase {

// `handler`, with CORS headers on every answer.
Handler WithCors(const std::vector<std::string>* origins, Handler handler);
// The OPTIONS preflight for a path served by WithCors.
Handler CorsPreflight(const std::vector<std::string>* origins, std::string allowed_methods);

std::vector<std::string> SplitOrigins(std::string_view comma_separated);

}  // namespace voxbase
