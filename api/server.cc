#include "api/server.h"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/beast_request.h"
#include "schemas/json_writer.h"
#include "schemas/thread_name.h"

namespace voxbase {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

using Executor = net::io_context::executor_type;
using Stream = beast::basic_stream<tcp, Executor>;

// A connection the server may close to make room: one waiting for a request.
class Evictable {
 public:
  virtual ~Evictable() = default;
  virtual void Evict() = 0;  // from any thread
};

// One io_context per thread: a connection lives on one of them for its whole life, so it needs no
// strand, and its executor is a concrete type rather than a type-erased one.
struct HttpServer::Impl {
  Impl(HttpServerOptions o, const Router& r, HttpProbe* p)
      : options(std::move(o)), router(r), probe(p) {
    for (int i = 0; i < std::max(1, options.threads); ++i) {
      contexts.push_back(std::make_unique<net::io_context>(1));
      guards.push_back(net::make_work_guard(*contexts.back()));
    }
    acceptor.emplace(*contexts[0]);
    accept_backoff.emplace(*contexts[0]);
  }

  net::io_context& NextContext() { return *contexts[next_context++ % contexts.size()]; }
  void Accept();
  void AcceptLater();

  // Connections waiting for a request, oldest first by when they started waiting.
  uint64_t MarkIdle(std::weak_ptr<Evictable> connection) {
    std::lock_guard<std::mutex> lock(idle_mu);
    idle.emplace(++idle_seq, std::move(connection));
    return idle_seq;
  }
  void UnmarkIdle(uint64_t seq) {
    std::lock_guard<std::mutex> lock(idle_mu);
    idle.erase(seq);
  }
  // Closes the connection idle longest; false when none is.
  bool EvictOldestIdle() {
    std::shared_ptr<Evictable> victim;
    {
      std::lock_guard<std::mutex> lock(idle_mu);
      while (!idle.empty() && !victim) {
        victim = idle.begin()->second.lock();
        idle.erase(idle.begin());
      }
    }
    if (!victim) return false;
    victim->Evict();
    return true;
  }
  // Counts a connection from `client`; false (and not counted) past the per-client cap.
  bool AdmitClient(const std::string& client) {
    std::lock_guard<std::mutex> lock(clients_mu);
    int64_t& n = per_client[client];
    if (n >= options.max_connections_per_client) return false;
    ++n;
    return true;
  }
  void ReleaseClient(const std::string& client) {
    std::lock_guard<std::mutex> lock(clients_mu);
    auto it = per_client.find(client);
    if (it != per_client.end() && --it->second <= 0) per_client.erase(it);
  }

  const HttpServerOptions options;
  const Router& router;
  HttpProbe* probe;
  // Declared before the io_contexts: connections still queued in one unregister from these when
  // the context is destroyed, so these must outlive them.
  std::mutex idle_mu;
  uint64_t idle_seq = 0;                              // guarded by idle_mu
  std::map<uint64_t, std::weak_ptr<Evictable>> idle;  // guarded by idle_mu
  std::mutex clients_mu;
  std::unordered_map<std::string, int64_t> per_client;  // guarded by clients_mu
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<net::executor_work_guard<Executor>> guards;
  std::optional<net::basic_socket_acceptor<tcp, Executor>> acceptor;
  std::atomic<size_t> next_context{0};
  std::vector<std::thread> threads;
  std::atomic<int64_t> in_flight{0};
  std::atomic<int64_t> connections{0};
  std::atomic<bool> accepting{false};
  std::optional<net::steady_timer> accept_backoff;
};

namespace {

constexpr size_t kMaxLingerBytes = 64ull << 20;
constexpr uint64_t kBodyReadBytes = 64 << 10;  // the most a connection's read buffer keeps
// The only request headers handlers read (auth.h, route_kit.h, CORS); others are not copied.
class Session final : public ResponseSink,
                      public Evictable,
                      public std::enable_shared_from_this<Session> {
 public:
  Session(net::basic_stream_socket<tcp, Executor>&& socket, HttpServer::Impl* server,
          std::string client)
      : stream_(std::move(socket)), server_(server), client_(std::move(client)) {
    server_->connections++;
  }
  ~Session() override {
    if (idle_seq_ != 0) server_->UnmarkIdle(idle_seq_);
    server_->ReleaseClient(client_);
    server_->connections--;
  }

  // Counts the connection as waiting for a request from the moment it is accepted, so it can
  // be evicted even before its thread first runs it.
  void MarkIdleAtAccept() { idle_seq_ = server_->MarkIdle(weak_from_this()); }

  void Evict() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->stream_.socket().close(ec);
    });
  }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  // Waits for the next request's headers (the connection is idle, and evictable, meanwhile),
  // then reads its body under the body timeout.
  void Read() {
    parser_.emplace();
    LimitParser(*parser_, server_->options.max_body_bytes, server_->options.max_header_bytes);
    stream_.expires_after(requests_ == 0 ? server_->options.header_timeout
                                         : server_->options.idle_timeout);
    if (idle_seq_ == 0) idle_seq_ = server_->MarkIdle(weak_from_this());
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t /*bytes*/) {
    server_->UnmarkIdle(idle_seq_);
    idle_seq_ = 0;
    if (ec) return OnRead(ec, 0);
    ++requests_;
    stream_.expires_after(server_->options.read_timeout);
    // Beast reads no more than the buffer's free capacity (at least 512 bytes) per call: room
    // for the body, up to 64 KiB, reads a 100-message batch in one or two calls, not thirty.
    if (auto length = parser_->content_length()) {  // boost::optional
      buffer_.reserve(static_cast<size_t>(std::min<uint64_t>(*length, kBodyReadBytes)));
    }
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    if (ec) {
      if (ec == http::error::body_limit) {
        return Refuse(413, "request body exceeds " +
                               std::to_string(server_->options.max_body_bytes) + " bytes");
      }
      if (ec == http::error::header_limit) return Refuse(431, "request headers are too large");
      if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message) {
        return Refuse(400, "malformed HTTP request: " + ec.message());
      }
      return Close();  // end of stream, timeout, reset: nobody to answer
    }
    http::request<http::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();

    method_ = std::string(req.method_string());
    started_ = std::chrono::steady_clock::now();
    server_->in_flight++;
    Result<HttpRequest> request = ToHttpRequest(req);
    if (!request.ok()) {
      route_ = "unmatched";
      return Write(ErrorResponse(request.status()));
    }
    server_->router.Dispatch(*request, Respond(shared_from_this()), &route_);
  }

  // ResponseSink: answers may come from any thread; writing happens on this connection's.
  void Send(HttpResponse response) override {
    net::post(stream_.get_executor(),
              [self = shared_from_this(), response = std::move(response)]() mutable {
                self->Write(std::move(response));
              });
  }
  void SendLater(std::function<HttpResponse()> make) override {
    net::post(stream_.get_executor(),
              [self = shared_from_this(), make = std::move(make)] { self->Write(make()); });
  }

  // Answers a request that could not be read whole, then closes the connection.
  void Refuse(int status, const std::string& message) {
    keep_alive_ = false;
    linger_ = true;
    version_ = 11;
    method_ = "?";
    route_ = "unmatched";
    started_ = std::chrono::steady_clock::now();
    server_->in_flight++;
    Write(ErrorResponse(status, message));
  }

  void Write(HttpResponse response) {
    if (server_->probe) {
      server_->probe->OnRequest(
          route_, method_, response.status,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
    }
    // One request is in flight per connection, so one buffer serves them all in turn.
    SerializeResponse(response, version_, keep_alive_, &out_);
    stream_.expires_after(server_->options.read_timeout);
    net::async_write(stream_, net::buffer(out_),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->server_->in_flight--;
                       self->OnWrite(ec, !self->keep_alive_);
                     });
  }

  void OnWrite(beast::error_code ec, bool close) {
    if (ec) return;
    if (linger_) return Linger();
    if (close) return Close();
    Read();
  }

  // After refusing a request that was not read whole, keep reading (and dropping) what the client
  // is still sending for a short, bounded while, so it gets to read the answer instead of a reset.
  void Linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    DrainSome();
  }

  void DrainSome() {
    drain_.resize(64 * 1024);
    stream_.async_read_some(net::buffer(drain_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kMaxLingerBytes) {
                                beast::error_code ignored;
                                self->stream_.socket().close(ignored);
                                return;
                              }
                              self->DrainSome();
                            });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  Stream stream_;
  HttpServer::Impl* server_;
  const std::string client_;  // the peer's address, for the per-client cap
  uint64_t idle_seq_ = 0;     // non-zero while waiting for a request
  uint64_t requests_ = 0;
  beast::flat_buffer buffer_;
  std::string out_;  // the answer being written
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::string method_;
  std::string_view route_ = "unmatched";
  std::chrono::steady_clock::time_point started_;
  bool linger_ = false;
  std::string drain_;
  size_t drained_ = 0;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor->async_accept(
      NextContext(), [this](beast::error_code ec, net::basic_stream_socket<tcp, Executor> socket) {
        if (!accepting) return;
        if (ec == net::error::no_descriptors || ec.value() == ENFILE) {
          // Out of file descriptors: make room by closing the connection idle longest, and try
          // again shortly instead of spinning on accept.
          EvictOldestIdle();
          return AcceptLater();
        }
        if (!ec) {
          beast::error_code ignored;
          tcp::endpoint peer = socket.remote_endpoint(ignored);
          std::string client = peer.address().to_string();
          if (connections.load() >= options.max_connections && !EvictOldestIdle()) {
            socket.close(ignored);  // every connection is busy: refuse the new one
          } else if (!AdmitClient(client)) {
            socket.close(ignored);  // this client address holds its share already
          } else {
            socket.set_option(tcp::no_delay(true), ignored);
            auto session = std::make_shared<Session>(std::move(socket), this, std::move(client));
            session->MarkIdleAtAccept();
            session->Start();
          }
        }
        Accept();
      });
}

void HttpServer::Impl::AcceptLater() {
  accept_backoff->expires_after(std::chrono::milliseconds(50));
  accept_backoff->async_wait([this](beast::error_code ec) {
    if (!ec && accepting) Accept();
  });
}

int64_t FitConnectionsToFileLimit(int64_t max_connections) {
  constexpr rlim_t kOtherFiles = 512;  // log segments, RocksDB, outbound calls
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return max_connections;
  const rlim_t need = static_cast<rlim_t>(max_connections) + kOtherFiles;
  if (limit.rlim_cur < need) {
    limit.rlim_cur = std::min(need, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur >= need) return max_connections;
  return limit.rlim_cur > kOtherFiles ? static_cast<int64_t>(limit.rlim_cur - kOtherFiles) : 16;
}

HttpServer::HttpServer(HttpServerOptions options, const Router& router, HttpProbe* probe)
    : impl_(std::make_unique<Impl>(std::move(options), router, probe)) {}

HttpServer::~HttpServer() { Stop(); }

Result<uint16_t> HttpServer::Start() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.bind, ec);
  if (ec) return InvalidArgument("bad bind address '" + impl_->options.bind + "'");
  tcp::endpoint endpoint(address, impl_->options.port);
  impl_->acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor->bind(endpoint, ec);
  if (!ec) impl_->acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(StatusCode::kUnavailable, "cannot listen on " + impl_->options.bind + ":" +
                                                std::to_string(impl_->options.port) + ": " +
                                                ec.message());
  }
  uint16_t port = impl_->acceptor->local_endpoint().port();
  impl_->accepting = true;
  impl_->Accept();
  for (auto& context : impl_->contexts) {
    impl_->threads.emplace_back([&context, n = impl_->threads.size()] {
      NameThisThread("vox-http-" + std::to_string(n));
      context->run();
    });
  }
  return port;
}

void HttpServer::StopAccepting() {
  if (!impl_->accepting.exchange(false)) return;
  net::post(impl_->acceptor->get_executor(), [this] {
    beast::error_code ec;
    impl_->acceptor->close(ec);
  });
}

void HttpServer::Drain(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (impl_->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void HttpServer::Stop() {
  StopAccepting();
  for (auto& guard : impl_->guards) guard.reset();
  for (auto& context : impl_->contexts) context->stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

}  // namespace voxbase
