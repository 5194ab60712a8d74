// QuotaProbe: writes refused by the per-app write quota (voxbase_app_write_refusals_total),
// labelled by app only when asked (--metrics-per-app), since apps are unbounded. Thread-safe.
#pragma once

#include <memory>
#include <string>

namespace prometheus {
class Registry;
}

namespace voxbase {

class QuotaProbe {
 public:
  QuotaProbe(prometheus::Registry& registry, bool per_app);
  ~QuotaProbe();
  QuotaProbe(const QuotaProbe&) = delete;
  QuotaProbe& operator=(const QuotaProbe&) = delete;

  void OnRefused(const std::string& app_id);

 private:
  struct Metrics;
  std::unique_ptr<Metrics> m_;
};

}  // namespace voxbase
