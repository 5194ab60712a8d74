// KafkaMockCluster: librdkafka's mock Kafka cluster (rdkafka_mock.h), which speaks the real Kafka
// protocol over TCP on loopback — for tests and local play, since no broker can be installed
// here. It does not store transactional offsets nor hide aborted records; voxbase does not use
// Kafka transactions. Fault injection: brokers down and up, request errors, leader moves.
//
// `voxbase dev-kafka` runs one in its own process so that nodes under test can be killed while
// the cluster lives on. Not thread-safe; one owner.
#pragma once

#include <memory>
#include <string>

#include "schemas/status.h"

namespace voxbase {

class KafkaMockCluster {
 public:
  static Result<std::unique_ptr<KafkaMockCluster>> Start(int brokers);
  ~KafkaMockCluster();

  std::string bootstrap_servers() const;
  Status CreateTopic(const std::string& topic, int partitions, int replication);
  Status SetBrokerDown(int broker_id, bool down);
  // The next `count` Produce requests each broker gets fail with `error`: a Kafka error code (7
  // REQUEST_TIMED_OUT, 6 NOT_LEADER_OR_FOLLOWER, …) or -195 (transport failure: the mock drops
  // the connection).
  Status PushProduceErrors(int count, int error);
  // Injected Produce errors not yet returned to a client, over all brokers: 0 once every one was
  // hit, which is how a test knows its fault happened.
  Result<size_t> PendingProduceErrors() const;
  Status SetPartitionLeader(const std::string& topic, int partition, int broker_id);
  // Writes raw bytes to a partition as another producer would (for poison-record tests).
  Status ProduceRaw(const std::string& topic, int partition, const std::string& bytes);

  struct Impl;

 private:
  explicit KafkaMockCluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace voxbase
