// KafkaLog: the EventLog on a Kafka topic, through librdkafka, for deployments that outgrow one
// machine (DESIGN.md, "Event log backends").
//
// One topic of events keyed by app id, so each app's events keep their order in one partition.
// The producer is idempotent with acks=all, and an append is acknowledged from its delivery
// report: a 2xx means the record is on the in-sync replicas. A full producer queue refuses the
// append at once (kResourceExhausted → 503 Retry-After) instead of growing memory. The topic is
// created at open if missing.
//
// Readers assign partitions at explicit offsets and never commit to a consumer group: positions
// live in the projection store with the projections (every node is a full replica), so they are
// exactly as durable as the state they describe.
//
// Thread-safety: Append from any thread (delivery reports run on the log's poll thread); each
// reader on one thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "storage/event_log.h"
#include "storage/log_probe.h"

namespace voxbase {

struct KafkaLogOptions {
  std::string brokers;  // host:port[,host:port]
  std::string topic = "voxbase.events";
  int partitions = 6;   // used when the topic is created
  int replication = 3;  // used when the topic is created (capped by the broker count)
  int max_queued_messages = 100000;
  std::chrono::milliseconds delivery_timeout{30000};
  // Any other librdkafka settings, applied last (e.g. "linger.ms").
  std::map<std::string, std::string> extra;
  LogProbe* probe = nullptr;
};

class KafkaLog final : public EventLog {
 public:
  static Result<std::unique_ptr<KafkaLog>> Open(KafkaLogOptions options);
  ~KafkaLog() override;

  void Append(std::string_view key, std::string record, AppendCallback done) override;
  bool MayHoldDuplicates() const override { return true; }
  Result<std::vector<int64_t>> EndOffsets() const override;
  Result<std::vector<int64_t>> StartOffsets() const override;
  Result<std::unique_ptr<LogReader>> NewReader(std::vector<int64_t> start_offsets) override;
  void Close() override;

  int partitions() const;

  struct Impl;

 private:
  explicit KafkaLog(std::unique_ptr<Impl> impl);
  Result<std::vector<int64_t>> Watermarks(bool high) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace voxbase
