// voxbase_loadgen: keep-alive HTTP load against a running voxbase, N connections, one request in
// flight per connection, for a fixed duration. Reports requests/s, items/s and latency percentiles.
//
//   voxbase_loadgen --url http://127.0.0.1:8080 --admin-token T --mode events --connections 64
//                   --seconds 10 [--batch 100] [--threads 1]
//
// --mode events:   POST /api/events with --batch telemetry events per request (default 1)
// --mode messages: POST /api/messages with --batch messages per request
// --mode search:   first adds --documents FAQ-like documents (default 10000) through
//                  POST /api/knowledge, then POST /api/knowledge/search, topK 5, a different
//                  question per connection
// --mode read:     first writes 50 messages into each connection's session, then reads them:
//                  GET /api/messages?sessionId=…&limit=50, a 50-row page
// --mode get:      GET --path on every connection, and nothing else (no app, no writes): the
//                  same client against any HTTP server, e.g. nginx serving a 50-row page's bytes
// --rate R:        open loop at R requests/s in all (spread over the connections) instead of as
//                  fast as answers come; latency counts from when a request was due, so a slow
//                  answer that delays the next request is not hidden (coordinated omission)
// It creates its own app through the admin API. Every answer must be 200; others are counted
// and reported as errors.
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string admin_token;
  std::string mode = "events";
  std::string path;  // --mode get
  int connections = 64;
  int seconds = 10;
  int batch = 1;
  int threads = 1;
  int documents = 10000;
  double rate = 0;  // requests/s in all; 0: closed loop
};

// FAQ-like text from a small vocabulary, deterministic per seed.
std::string FaqText(std::mt19937& rng, int words) {
  static const char* vocabulary[] = {
      "order",    "refund",    "return",  "delivery",     "shipping", "parcel",    "card",
      "account",  "password",  "invoice", "subscription", "cancel",   "plan",      "price",
      "discount", "voucher",   "store",   "branch",       "opening",  "hours",     "weekend",
      "holiday",  "warranty",  "repair",  "exchange",     "size",     "colour",    "receipt",
      "payment",  "transfer",  "bank",    "fee",          "limit",    "booking",   "ticket",
      "seat",     "luggage",   "flight",  "hotel",        "room",     "breakfast", "parking",
      "member",   "points",    "reward",  "gift",         "wrap",     "collect",   "courier",
      "tracking", "address",   "phone",   "email",        "support",  "chat",      "agent",
      "manager",  "complaint", "damaged", "missing"};
  constexpr size_t kWords = sizeof(vocabulary) / sizeof(vocabulary[0]);
  std::uniform_int_distribution<size_t> pick(0, kWords - 1);
  std::string text;
  for (int i = 0; i < words; ++i) {
    text += vocabulary[pick(rng)];
    text += i % 12 == 11 ? ". " : " ";
  }
  return text;
}

struct Stats {
  std::vector<uint32_t> latencies_us;
  uint64_t ok = 0;
  uint64_t errors = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // An empty body makes a GET. `interval` zero: closed loop; otherwise one request per interval,
  // the first at `first`.
  Connection(net::io_context& ioc, const tcp::resolver::results_type& endpoints, std::string target,
             std::string body, Clock::time_point end, Stats* stats, Clock::duration interval = {},
             Clock::time_point first = {})
      : stream_(ioc),
        timer_(ioc),
        endpoints_(endpoints),
        end_(end),
        stats_(stats),
        interval_(interval),
        due_(first) {
    request_.method(body.empty() ? http::verb::get : http::verb::post);
    request_.target(target);
    request_.version(11);
    request_.keep_alive(true);
    request_.set(http::field::host, "voxbase");
    if (!body.empty()) request_.set(http::field::content_type, "application/json");
    request_.body() = std::move(body);
    request_.prepare_payload();
    // Beast reads at most the buffer's free room (at least 512 bytes) per call: a 50-row page
    // took some twenty reads, and the client, not the server, was the limit.
    buffer_.reserve(64 << 10);
  }

  void Start() {
    stream_.async_connect(endpoints_,
                          [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
                            if (ec) {
                              std::cerr << "connect: " << ec.message() << "\n";
                              return;
                            }
                            self->stream_.socket().set_option(tcp::no_delay(true));
                            self->Send();
                          });
  }

 private:
  void Send() {
    if (interval_ != Clock::duration{}) {
      // Open loop: wait for the next due time; latency counts from it.
      if (due_ >= end_) return;
      if (Clock::now() < due_) {
        timer_.expires_at(due_);
        timer_.async_wait([self = shared_from_this(), due = due_](beast::error_code ec) {
          if (!ec) self->Write(due);
        });
      } else {
        Write(due_);
      }
      due_ += interval_;
      return;
    }
    if (Clock::now() >= end_) return;
    Write(Clock::now());
  }

  void Write(Clock::time_point counted_from) {
    sent_at_ = counted_from;
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Fail(ec);
      self->response_ = {};
      http::async_read(
          self->stream_, self->buffer_, self->response_, [self](beast::error_code ec2, size_t) {
            if (ec2) return self->Fail(ec2);
            auto us =
                std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - self->sent_at_)
                    .count();
            self->stats_->latencies_us.push_back(static_cast<uint32_t>(us));
            if (self->response_.result_int() == 200) {
              self->stats_->ok++;
            } else {
              if (self->stats_->errors++ < 3) {
                std::cerr << "status " << self->response_.result_int() << ": "
                          << self->response_.body() << "\n";
              }
            }
            self->Send();
          });
    });
  }

  void Fail(beast::error_code ec) {
    stats_->errors++;
    std::cerr << "connection error: " << ec.message() << "\n";
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  tcp::resolver::results_type endpoints_;
  Clock::time_point end_;
  Stats* stats_;
  Clock::duration interval_;
  Clock::time_point due_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
  Clock::time_point sent_at_;
};

std::string Post(const Options& o, const std::string& target, const std::string& body,
                 const std::string& auth_header, int* status) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.connect(resolver.resolve(o.host, o.port));
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, o.host);
  req.set(http::field::content_type, "application/json");
  if (!auth_header.empty()) req.set(http::field::authorization, auth_header);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  *status = static_cast<int>(res.result_int());
  return res.body();
}

std::string Body(const Options& o, const std::string& auth, int connection) {
  std::string session = "bench-" + std::to_string(connection);
  std::string body = "{" + auth;
  if (o.mode == "search") {
    std::mt19937 rng(static_cast<unsigned>(connection) + 1000003u);
    return body + R"(,"query":")" + FaqText(rng, 8) + R"(","topK":5})";
  }
  if (o.mode == "messages" || o.mode == "read") {
    body += R"(,"messages":[)";
    for (int i = 0; i < (o.mode == "read" ? 50 : o.batch); ++i) {
      body +=
          std::string(i ? "," : "") + R"({"sessionId":")" + session +
          R"(","roomName":"room-1","participantIdentity":"user","role":"user","content":"I would like to check the status of my order please, it was due yesterday.","isFinal":true})";
    }
  } else {
    body += R"(,"events":[)";
    for (int i = 0; i < o.batch; ++i) {
      body += std::string(i ? "," : "") + R"({"type":"latency","sessionId":")" + session +
              R"(","data":{"stage":"tts","ms":182}})";
    }
  }
  return body + "]}";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  if (args.count("--url")) {
    std::string url = args["--url"];
    url = url.substr(url.find("//") + 2);
    o.host = url.substr(0, url.find(':'));
    o.port = url.substr(url.find(':') + 1);
  }
  if (args.count("--admin-token")) o.admin_token = args["--admin-token"];
  if (o.admin_token.empty() && std::getenv("VOXBASE_ADMIN_TOKEN")) {
    o.admin_token = std::getenv("VOXBASE_ADMIN_TOKEN");
  }
  if (args.count("--mode")) o.mode = args["--mode"];
  if (args.count("--connections")) o.connections = std::stoi(args["--connections"]);
  if (args.count("--seconds")) o.seconds = std::stoi(args["--seconds"]);
  if (args.count("--batch")) o.batch = std::stoi(args["--batch"]);
  if (args.count("--threads")) o.threads = std::stoi(args["--threads"]);
  if (args.count("--documents")) o.documents = std::stoi(args["--documents"]);
  if (args.count("--rate")) o.rate = std::stod(args["--rate"]);
  if (args.count("--path")) o.path = args["--path"];
  if (o.mode != "events" && o.mode != "messages" && o.mode != "search" && o.mode != "read" &&
      o.mode != "get") {
    std::cerr << "--mode must be events, messages, search, read or get\n";
    return 2;
  }
  if ((o.mode == "get") != !o.path.empty()) {
    std::cerr << "--path goes with --mode get, and --mode get needs it\n";
    return 2;
  }

  std::random_device rd;
  std::string slug = "bench-" + std::to_string(rd() % 1000000000);
  std::string secret = "bench-secret-0123456789-" + std::to_string(rd());
  int status = 0;
  if (o.mode != "get") {
    std::string created =
        Post(o, "/api/admin/apps",
             R"({"slug":")" + slug + R"(","name":"bench","secret":")" + secret + "\"}",
             "Bearer " + o.admin_token, &status);
    if (status != 201) {
      std::cerr << "cannot create the bench app (" << status << "): " << created << "\n";
      return 1;
    }
  }
  const std::string auth = R"("appSlug":")" + slug + R"(","appSecret":")" + secret + "\"";
  const std::string target = o.mode == "messages" ? "/api/messages"
                             : o.mode == "search" ? "/api/knowledge/search"
                                                  : "/api/events";
  if (o.mode == "search") {
    auto loading = Clock::now();
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> length(30, 120);
    for (int i = 0; i < o.documents; ++i) {
      std::string doc = "{" + auth + R"(,"title":"Question )" + std::to_string(i) +
                        R"(","category":"c)" + std::to_string(i % 20) + R"(","content":")" +
                        FaqText(rng, length(rng)) + "\"}";
      std::string answer = Post(o, "/api/knowledge", doc, "", &status);
      if (status != 200) {
        std::cerr << "cannot add document " << i << " (" << status << "): " << answer << "\n";
        return 1;
      }
    }
    std::printf("added %d documents in %.1f s\n", o.documents,
                std::chrono::duration<double>(Clock::now() - loading).count());
  }

  if (o.mode == "read") {
    for (int c = 0; c < o.connections; ++c) {
      std::string answer = Post(o, "/api/messages", Body(o, auth, c), "", &status);
      if (status != 200) {
        std::cerr << "cannot write the messages to read (" << status << "): " << answer << "\n";
        return 1;
      }
    }
  }
  auto TargetFor = [&](int c) {
    if (o.mode == "get") return o.path;
    if (o.mode != "read") return target;
    return "/api/messages?sessionId=bench-" + std::to_string(c) + "&limit=50&appSlug=" + slug +
           "&appSecret=" + secret;
  };
  auto BodyFor = [&](int c) {
    return o.mode == "read" || o.mode == "get" ? std::string() : Body(o, auth, c);
  };
  const Clock::duration interval = o.rate > 0
                                       ? std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(o.connections / o.rate))
                                       : Clock::duration{};

  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<Stats> stats(static_cast<size_t>(o.threads));
  auto start = Clock::now();
  auto end = start + std::chrono::seconds(o.seconds);
  for (int t = 0; t < o.threads; ++t) {
    contexts.push_back(std::make_unique<net::io_context>(1));
    tcp::resolver resolver(*contexts.back());
    auto endpoints = resolver.resolve(o.host, o.port);
    for (int c = t; c < o.connections; c += o.threads) {
      // Open loop: the connections' due times are spread evenly over one interval.
      Clock::time_point first = start + interval * c / std::max(1, o.connections);
      std::make_shared<Connection>(*contexts.back(), endpoints, TargetFor(c), BodyFor(c), end,
                                   &stats[static_cast<size_t>(t)], interval, first)
          ->Start();
    }
  }
  std::vector<std::thread> threads;
  for (auto& ioc : contexts) threads.emplace_back([&ioc] { ioc->run(); });
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  Stats all;
  for (auto& s : stats) {
    all.ok += s.ok;
    all.errors += s.errors;
    all.latencies_us.insert(all.latencies_us.end(), s.latencies_us.begin(), s.latencies_us.end());
  }
  std::sort(all.latencies_us.begin(), all.latencies_us.end());
  auto pct = [&](double p) -> double {
    if (all.latencies_us.empty()) return 0;
    size_t i = std::min(all.latencies_us.size() - 1,
                        static_cast<size_t>(p * static_cast<double>(all.latencies_us.size())));
    return all.latencies_us[i] / 1000.0;
  };
  std::printf(
      "mode=%s batch=%d connections=%d rate=%.0f seconds=%.1f\n"
      "requests ok=%llu errors=%llu  %.0f req/s  %.0f items/s\n"
      "latency ms: p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f\n",
      o.mode.c_str(), o.batch, o.connections, o.rate, elapsed,
      static_cast<unsigned long long>(all.ok), static_cast<unsigned long long>(all.errors),
      static_cast<double>(all.ok) / elapsed, static_cast<double>(all.ok) * o.batch / elapsed,
      pct(0.50), pct(0.90), pct(0.99), pct(0.999),
      all.latencies_us.empty() ? 0.0 : all.latencies_us.back() / 1000.0);
  return all.errors == 0 ? 0 : 1;
}
