#include "api/router.h"

#include <gtest/gtest.h>

namespace voxbase {
namespace {

HttpResponse Dispatch(const Router& router, const std::string& method, const std::string& path,
                      std::string_view* route) {
  HttpRequest request;
  request.method = method;
  request.path = path;
  HttpResponse out;
  router.Dispatch(request, Respond::To([&](HttpResponse r) { out = std::move(r); }), route);
  return out;
}

TEST(RouterTest, MatchesMethodAndPathAndNamesUnknownRoutesOnce) {
  Router router;
  router.Add("GET", "/a", Access::kPublic,
             [](HttpRequest&, Respond respond) { respond(JsonResponse(200, "get")); });
  router.Add("POST", "/a", Access::kPublic,
             [](HttpRequest&, Respond respond) { respond(JsonResponse(201, "post")); });
  std::string_view route;
  EXPECT_EQ(Dispatch(router, "GET", "/a", &route).body, "get");
  EXPECT_EQ(route, "/a");
  EXPECT_EQ(Dispatch(router, "POST", "/a", &route).status, 201);

  HttpResponse not_allowed = Dispatch(router, "DELETE", "/a", &route);
  EXPECT_EQ(not_allowed.status, 405);
  ASSERT_EQ(not_allowed.headers.size(), 1u);
  EXPECT_EQ(not_allowed.headers[0].second, "GET, POST");

  HttpResponse missing = Dispatch(router, "GET", "/secret/../a", &route);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(route, "unmatched");
}

}  // namespace
}  // namespace voxbase
