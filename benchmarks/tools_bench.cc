// Tool benchmarks.
//   --mode schema   parameter validation per call against a 20-property schema (valijson), one
//                   core, in-process.
//   --mode execute  POST /api/tools/execute through a running voxbase (--url) against a local
//                   endpoint that answers at once, compared with calling that endpoint directly
//                   with the same client: the added p50/p99 latency, and executions/s with
//                   --connections clients.
// The endpoint is this process's own loopback server; the voxbase server must run with
// --allow-private-tool-endpoints.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "api/http_client.h"
#include "ingest/json_schema.h"
#include "tests/support/fake_upstream.h"

namespace voxbase {
namespace {

using Clock = std::chrono::steady_clock;

std::string Flag(int argc, char** argv, const std::string& name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

std::string TwentyPropertySchema() {
  std::string props;
  for (int i = 0; i < 20; ++i) {
    if (i) props += ",";
    switch (i % 4) {
      case 0:
        props += "\"s" + std::to_string(i) + "\":{\"type\":\"string\",\"maxLength\":64}";
        break;
      case 1:
        props +=
            "\"n" + std::to_string(i) + "\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1000}";
        break;
      case 2:
        props += "\"e" + std::to_string(i) + "\":{\"enum\":[\"a\",\"b\",\"c\"]}";
        break;
      default:
        props += "\"a" + std::to_string(i) +
                 "\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"sku\":{"
                 "\"type\":\"string\"}},\"required\":[\"sku\"]}}";
    }
  }
  return R"({"type":"object","additionalProperties":false,"properties":{)" + props + "}}";
}

std::string TwentyPropertyCall() {
  std::string fields;
  for (int i = 0; i < 20; ++i) {
    if (i) fields += ",";
    switch (i % 4) {
      case 0:
        fields += "\"s" + std::to_string(i) + "\":\"value\"";
        break;
      case 1:
        fields += "\"n" + std::to_string(i) + "\":42";
        break;
      case 2:
        fields += "\"e" + std::to_string(i) + "\":\"b\"";
        break;
      default:
        fields += "\"a" + std::to_string(i) + "\":[{\"sku\":\"A1\"},{\"sku\":\"B2\"}]";
    }
  }
  return "{" + fields + "}";
}

int SchemaBench(int calls) {
  Result<std::shared_ptr<const JsonSchema>> schema = JsonSchema::Compile(TwentyPropertySchema());
  if (!schema.ok()) {
    std::fprintf(stderr, "%s\n", schema.status().ToString().c_str());
    return 1;
  }
  const std::string call = TwentyPropertyCall();
  auto compile_start = Clock::now();
  for (int i = 0; i < 1000; ++i) (void)JsonSchema::Compile(TwentyPropertySchema());
  double compile_us =
      std::chrono::duration<double, std::micro>(Clock::now() - compile_start).count() / 1000;
  auto start = Clock::now();
  int failures = 0;
  for (int i = 0; i < calls; ++i) failures += !(*schema)->Validate(call, "parameters").ok();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "schema: %d validations of a 20-property call in %.3f s: %.2f us/call (%.0f/s), "
      "%d failures; compile %.1f us\n",
      calls, seconds, seconds * 1e6 / calls, calls / seconds, failures, compile_us);
  return failures == 0 ? 0 : 1;
}

struct Latencies {
  std::vector<double> ms;
  double Percentile(double p) {
    std::sort(ms.begin(), ms.end());
    return ms.empty() ? 0 : ms[static_cast<size_t>(p * static_cast<double>(ms.size() - 1))];
  }
};

int ExecuteBench(const std::string& url, const std::string& admin_token, int calls, int connections,
                 int seconds) {
  testing::FakeUpstream endpoint([](const testing::UpstreamRequest&) {
    testing::UpstreamReply reply;
    reply.body = R"({"ok":true,"status":"shipped"})";
    return reply;
  });
  std::string host;
  uint16_t port = 0;
  if (!ParseHttpUrl(url, &host, &port)) return 2;
  BlockingHttpClient admin(host, port);
  const std::string slug =
      "bench-" + std::to_string(Clock::now().time_since_epoch().count() % 100000);
  const std::string auth = R"("appSlug":")" + slug + R"(","appSecret":"bench-secret-0123456789")";
  Result<HttpResponse> app =
      admin.Request("POST", "/api/admin/apps",
                    R"({"slug":")" + slug + R"(","name":"B","secret":"bench-secret-0123456789"})",
                    {{"Authorization", "Bearer " + admin_token}});
  Result<HttpResponse> tool =
      admin.Request("POST", "/api/tools",
                    "{" + auth + R"(,"name":"ship","endpoint":")" + endpoint.Url("/ship") +
                        R"(","parametersSchema":)" + TwentyPropertySchema() + "}");
  if (!app.ok() || app->status != 201 || !tool.ok() || tool->status != 201) {
    std::fprintf(stderr, "setup failed: %s\n", tool.ok() ? tool->body.c_str() : "no answer");
    return 1;
  }
  const std::string execute = "{" + auth +
                              R"(,"sessionId":"bench","toolName":"ship","parameters":)" +
                              TwentyPropertyCall() + "}";
  // Sequential: voxbase's execute against the endpoint called directly, same client code.
  BlockingHttpClient direct("127.0.0.1", endpoint.port());
  Latencies through, straight;
  for (int i = 0; i < calls; ++i) {
    auto t0 = Clock::now();
    Result<HttpResponse> d = direct.Request("POST", "/ship", TwentyPropertyCall());
    auto t1 = Clock::now();
    Result<HttpResponse> v = admin.Request("POST", "/api/tools/execute", execute);
    auto t2 = Clock::now();
    if (!d.ok() || !v.ok() || v->status != 200) {
      std::fprintf(stderr, "call %d failed: %s\n", i, v.ok() ? v->body.c_str() : "no answer");
      return 1;
    }
    straight.ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    through.ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  double d50 = straight.Percentile(0.5), d99 = straight.Percentile(0.99);
  double v50 = through.Percentile(0.5), v99 = through.Percentile(0.99);
  std::printf(
      "execute, sequential (%d calls): direct p50 %.3f ms p99 %.3f ms; through voxbase "
      "p50 %.3f ms p99 %.3f ms; added p50 %.3f ms p99 %.3f ms\n",
      calls, d50, d99, v50, v99, v50 - d50, v99 - d99);
  // Throughput with concurrent clients.
  std::atomic<int64_t> done{0}, failed{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&] {
      BlockingHttpClient client(host, port);
      while (!stop) {
        Result<HttpResponse> r = client.Request("POST", "/api/tools/execute", execute);
        (r.ok() && r->status == 200 ? done : failed)++;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : clients) t.join();
  std::printf("execute, %d connections for %d s: %.0f executions/s, %lld failed\n", connections,
              seconds, static_cast<double>(done.load()) / seconds,
              static_cast<long long>(failed.load()));
  return failed.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace voxbase

int main(int argc, char** argv) {
  using namespace voxbase;
  std::string mode = Flag(argc, argv, "mode", "schema");
  if (mode == "schema") return SchemaBench(std::stoi(Flag(argc, argv, "calls", "200000")));
  return ExecuteBench(Flag(argc, argv, "url", "http://127.0.0.1:18090"),
                      Flag(argc, argv, "admin-token", "bt"),
                      std::stoi(Flag(argc, argv, "calls", "2000")),
                      std::stoi(Flag(argc, argv, "connections", "16")),
                      std::stoi(Flag(argc, argv, "seconds", "5")));
}
