// One conformance suite for EventLog, run against both backends: the embedded SegmentLog and the
// KafkaLog on librdkafka's mock cluster (in this process: no node is killed here).
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <thread>

#include "storage/kafka_log.h"
#include "storage/kafka_mock_cluster.h"
#include "storage/segment_log.h"
#include "storage/tests/test_dir.h"

namespace voxbase {
namespace {

using std::chrono::milliseconds;

class EmbeddedBackend {
 public:
  // A small queue makes a burst of appends overflow it.
  std::unique_ptr<EventLog> Open(bool small_queue = false) {
    SegmentLogOptions options;
    options.dir = dir_.path() + "/log";
    if (small_queue) options.max_queued_bytes = 4096;
    Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open(options);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::unique_ptr<EventLog>(std::move(*log)) : nullptr;
  }

 private:
  TestDir dir_;
};

class KafkaBackend {
 public:
  KafkaBackend() {
    Result<std::unique_ptr<KafkaMockCluster>> cluster = KafkaMockCluster::Start(3);
    EXPECT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(*cluster);
    EXPECT_TRUE(cluster_->CreateTopic("conformance", 3, 3).ok());
  }
  std::unique_ptr<EventLog> Open(bool small_queue = false) {
    KafkaLogOptions options;
    options.brokers = cluster_->bootstrap_servers();
    options.topic = "conformance";
    if (small_queue) {
      options.max_queued_messages = 8;
      options.extra["linger.ms"] = "500";  // keep them queued long enough to overflow
    }
    Result<std::unique_ptr<KafkaLog>> log = KafkaLog::Open(options);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::unique_ptr<EventLog>(std::move(*log)) : nullptr;
  }

 private:
  std::unique_ptr<KafkaMockCluster> cluster_;
};

template <typename Backend>
class EventLogConformanceTest : public ::testing::Test {
 protected:
  Backend backend_;
};

using Backends = ::testing::Types<EmbeddedBackend, KafkaBackend>;
TYPED_TEST_SUITE(EventLogConformanceTest, Backends);

struct Appended {
  std::string key;
  std::string payload;
  LogPosition position;
};

// Appends `count` records round-robin over `keys` keys, all in flight at once.
std::vector<Appended> AppendMany(EventLog& log, int count, int keys, const std::string& tag) {
  std::vector<Appended> records(static_cast<size_t>(count));
  std::vector<std::promise<Result<LogPosition>>> done(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    auto& r = records[static_cast<size_t>(i)];
    r.key = "key-" + std::to_string(i % keys);
    r.payload = tag + "-" + std::to_string(i);
    log.Append(r.key, r.payload, [&done, i](Result<LogPosition> at) {
      done[static_cast<size_t>(i)].set_value(std::move(at));
    });
  }
  for (int i = 0; i < count; ++i) {
    Result<LogPosition> at = done[static_cast<size_t>(i)].get_future().get();
    EXPECT_TRUE(at.ok()) << at.status().ToString();
    if (at.ok()) records[static_cast<size_t>(i)].position = *at;
  }
  return records;
}

// Reads until `expected` records arrived (or 20 s passed).
std::vector<LogRecord> ReadN(EventLog& log, std::vector<int64_t> from, size_t expected) {
  Result<std::unique_ptr<LogReader>> reader = log.NewReader(std::move(from));
  EXPECT_TRUE(reader.ok());
  std::vector<LogRecord> out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (out.size() < expected && std::chrono::steady_clock::now() < deadline) {
    Result<std::vector<LogRecord>> batch = (*reader)->Poll(1000, milliseconds(100));
    EXPECT_TRUE(batch.ok());
    if (!batch.ok()) break;
    for (auto& r : *batch) out.push_back(std::move(r));
  }
  return out;
}

size_t Total(const std::vector<int64_t>& ends) {
  size_t n = 0;
  for (int64_t e : ends) n += static_cast<size_t>(e);
  return n;
}

TYPED_TEST(EventLogConformanceTest, AppendedRecordsReadBackAtTheirPositionsInOrderPerKey) {
  auto log = this->backend_.Open();
  std::vector<Appended> appended = AppendMany(*log, 300, 5, "a");
  EXPECT_EQ(Total(log->EndOffsets().value()), 300u);
  std::vector<LogRecord> read = ReadN(*log, {}, 300);
  ASSERT_EQ(read.size(), 300u);

  std::map<std::pair<int32_t, int64_t>, std::string> at;
  for (const LogRecord& r : read)
    at[std::make_pair(r.position.partition, r.position.offset)] = r.payload;
  std::map<std::string, std::vector<std::pair<int32_t, int64_t>>> positions_by_key;
  for (const Appended& a : appended) {
    EXPECT_EQ(at[std::make_pair(a.position.partition, a.position.offset)], a.payload);
    positions_by_key[a.key].push_back({a.position.partition, a.position.offset});
  }
  // One key, one partition, positions increasing in append order.
  for (const auto& [key, positions] : positions_by_key) {
    for (size_t i = 1; i < positions.size(); ++i) {
      EXPECT_EQ(positions[i].first, positions[0].first) << key;
      EXPECT_LT(positions[i - 1].second, positions[i].second) << key;
    }
  }
}

TYPED_TEST(EventLogConformanceTest, AReaderStartsAtTheOffsetsItIsGiven) {
  auto log = this->backend_.Open();
  AppendMany(*log, 100, 3, "first");
  std::vector<int64_t> middle = log->EndOffsets().value();
  std::vector<Appended> later = AppendMany(*log, 50, 3, "later");
  std::vector<LogRecord> read = ReadN(*log, middle, 50);
  ASSERT_EQ(read.size(), 50u);
  for (const LogRecord& r : read) EXPECT_TRUE(r.payload.starts_with("later-")) << r.payload;
  // And nothing more arrives.
  Result<std::unique_ptr<LogReader>> reader = log->NewReader(log->EndOffsets().value());
  ASSERT_TRUE(reader.ok());
  Result<std::vector<LogRecord>> none = (*reader)->Poll(10, milliseconds(300));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TYPED_TEST(EventLogConformanceTest, ReopeningKeepsEveryAcknowledgedRecord) {
  std::vector<int64_t> ends;
  {
    auto log = this->backend_.Open();
    AppendMany(*log, 120, 4, "before");
    ends = log->EndOffsets().value();
    log->Close();
  }
  auto log = this->backend_.Open();
  EXPECT_EQ(log->EndOffsets().value(), ends);
  AppendMany(*log, 30, 4, "after");
  std::vector<LogRecord> read = ReadN(*log, {}, 150);
  ASSERT_EQ(read.size(), 150u);
  size_t before = 0;
  for (const LogRecord& r : read) before += r.payload.starts_with("before-");
  EXPECT_EQ(before, 120u);
}

TYPED_TEST(EventLogConformanceTest, AFullQueueRefusesAtOnceAndLosesNothingItAccepted) {
  auto log = this->backend_.Open(/*small_queue=*/true);
  constexpr int kBurst = 500;
  std::atomic<int> refused{0};
  std::mutex mu;
  std::vector<std::string> accepted;
  std::vector<std::promise<void>> done(kBurst);
  for (int i = 0; i < kBurst; ++i) {
    std::string payload = "burst-" + std::to_string(i) + std::string(400, 'x');
    log->Append("k", payload, [&, i, payload](Result<LogPosition> at) {
      if (at.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        accepted.push_back(payload);
      } else {
        EXPECT_EQ(at.status().code(), StatusCode::kResourceExhausted) << at.status().ToString();
        ++refused;
      }
      done[static_cast<size_t>(i)].set_value();
    });
  }
  for (auto& d : done) d.get_future().wait();
  EXPECT_GT(refused.load(), 0) << "the queue never filled";
  EXPECT_GT(accepted.size(), 0u);
  std::vector<LogRecord> read = ReadN(*log, {}, accepted.size());
  EXPECT_EQ(read.size(), accepted.size());
}

TYPED_TEST(EventLogConformanceTest, AppendAfterCloseIsRefused) {
  auto log = this->backend_.Open();
  log->Close();
  Result<LogPosition> at = log->AppendAndWait("k", "late");
  ASSERT_FALSE(at.ok());
  EXPECT_EQ(at.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace voxbase
