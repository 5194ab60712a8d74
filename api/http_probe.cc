#include "api/http_probe.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace voxbase {

struct HttpProbe::Metrics {
  prometheus::Family<prometheus::Counter>* requests;
  prometheus::Family<prometheus::Histogram>* latency;
  std::mutex mu;
  // Keys compared as string_views, so a lookup needs no allocation. (std::less<> on tuples of
  // string and string_view does not compile with clang and libstdc++ 12.)
  struct ViewLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Views(a) < Views(b);
    }
    static std::tuple<std::string_view, std::string_view, int> Views(
        const std::tuple<std::string, std::string, int>& t) {
      return {std::get<0>(t), std::get<1>(t), std::get<2>(t)};
    }
    static std::tuple<std::string_view, std::string_view, int> Views(
        const std::tuple<std::string_view, std::string_view, int>& t) {
      return t;
    }
    static std::tuple<std::string_view, int> Views(const std::tuple<std::string, int>& t) {
      return {std::get<0>(t), std::get<1>(t)};
    }
    static std::tuple<std::string_view, int> Views(const std::tuple<std::string_view, int>& t) {
      return t;
    }
  };
  std::map<std::tuple<std::string, std::string, int>, prometheus::Counter*, ViewLess> counters;
  std::map<std::tuple<std::string, int>, prometheus::Histogram*, ViewLess> histograms;
};

HttpProbe::HttpProbe(prometheus::Registry& registry) : m_(std::make_unique<Metrics>()) {
  m_->requests = &prometheus::BuildCounter()
                      .Name("voxbase_http_requests_total")
                      .Help("HTTP requests answered, by route, method and status")
                      .Register(registry);
  m_->latency =
      &prometheus::BuildHistogram()
           .Name("voxbase_http_request_duration_seconds")
           .Help("Time from a request being read to its answer being written, by route and status")
           .Register(registry);
}

HttpProbe::~HttpProbe() = default;

namespace {
// Methods become a label only when they are ones the API knows; anything a client makes up is
// "other", so labels cannot grow without bound.
std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known : {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"}) {
    if (method == known) return known;
  }
  return "other";
}
}  // namespace

void HttpProbe::OnRequest(std::string_view route, std::string_view raw_method, int status,
                          double seconds) {
  const std::string_view method = MethodLabel(raw_method);
  prometheus::Counter* counter;
  prometheus::Histogram* histogram;
  {
    std::lock_guard<std::mutex> lock(m_->mu);
    // Looked up by views: no allocation once a (route, method, status) has been seen.
    auto it = m_->counters.find(std::make_tuple(route, method, status));
    if (it == m_->counters.end()) {
      counter = &m_->requests->Add({{"route", std::string(route)},
                                    {"method", std::string(method)},
                                    {"status", std::to_string(status)}});
      m_->counters.emplace(std::make_tuple(std::string(route), std::string(method), status),
                           counter);
    } else {
      counter = it->second;
    }
    auto h = m_->histograms.find(std::make_tuple(route, status));
    if (h == m_->histograms.end()) {
      histogram = &m_->latency->Add(
          {{"route", std::string(route)}, {"status", std::to_string(status)}},
          prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5});
      m_->histograms.emplace(std::make_tuple(std::string(route), status), histogram);
    } else {
      histogram = h->second;
    }
  }
  counter->Increment();
  histogram->Observe(seconds);
}

}  // namespace voxbase
