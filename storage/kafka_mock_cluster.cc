#include "storage/kafka_mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace voxbase {

struct KafkaMockCluster::Impl {
  rd_kafka_t* host = nullptr;      // the handle the mock cluster lives in
  rd_kafka_t* producer = nullptr;  // for ProduceRaw
  rd_kafka_mock_cluster_t* cluster = nullptr;
  int brokers = 0;

  ~Impl() {
    if (producer) {
      rd_kafka_flush(producer, 5000);
      rd_kafka_destroy(producer);
    }
    if (cluster) rd_kafka_mock_cluster_destroy(cluster);
    if (host) rd_kafka_destroy(host);
  }
};

KafkaMockCluster::KafkaMockCluster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaMockCluster::~KafkaMockCluster() = default;

Result<std::unique_ptr<KafkaMockCluster>> KafkaMockCluster::Start(int brokers) {
  if (brokers < 1 || brokers > 16) return InvalidArgument("--brokers must be 1 to 16");
  auto impl = std::make_unique<Impl>();
  char err[512];
  impl->host = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err, sizeof(err));
  if (impl->host == nullptr) return Internal(std::string("kafka handle: ") + err);
  impl->cluster = rd_kafka_mock_cluster_new(impl->host, brokers);
  impl->brokers = brokers;
  if (impl->cluster == nullptr) return Internal("cannot start the kafka mock cluster");

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(impl->cluster),
                        err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return Internal(err);
  }
  impl->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (impl->producer == nullptr) return Internal(std::string("kafka producer: ") + err);
  return std::unique_ptr<KafkaMockCluster>(new KafkaMockCluster(std::move(impl)));
}

std::string KafkaMockCluster::bootstrap_servers() const {
  return rd_kafka_mock_cluster_bootstraps(impl_->cluster);
}

static Status FromKafka(rd_kafka_resp_err_t err, const std::string& what) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
  return Status(StatusCode::kFailedPrecondition, what + ": " + rd_kafka_err2str(err));
}

Status KafkaMockCluster::CreateTopic(const std::string& topic, int partitions, int replication) {
  return FromKafka(
      rd_kafka_mock_topic_create(impl_->cluster, topic.c_str(), partitions, replication),
      "create topic");
}

Status KafkaMockCluster::SetBrokerDown(int broker_id, bool down) {
  return FromKafka(down ? rd_kafka_mock_broker_set_down(impl_->cluster, broker_id)
                        : rd_kafka_mock_broker_set_up(impl_->cluster, broker_id),
                   "broker state");
}

Status KafkaMockCluster::PushProduceErrors(int count, int error) {
  for (int broker = 1; broker <= impl_->brokers; ++broker) {
    for (int i = 0; i < count; ++i) {
      rd_kafka_resp_err_t err = rd_kafka_mock_broker_push_request_error_rtts(
          impl_->cluster, broker, 0 /* Produce */, 1, static_cast<rd_kafka_resp_err_t>(error), 0);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Internal(std::string("push produce error: ") + rd_kafka_err2str(err));
      }
    }
  }
  return Status::Ok();
}

Result<size_t> KafkaMockCluster::PendingProduceErrors() const {
  size_t total = 0;
  for (int broker = 1; broker <= impl_->brokers; ++broker) {
    size_t count = 0;
    rd_kafka_resp_err_t err =
        rd_kafka_mock_broker_error_stack_cnt(impl_->cluster, broker, 0 /* Produce */, &count);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Internal(std::string("error stack count: ") + rd_kafka_err2str(err));
    }
    total += count;
  }
  return total;
}

Status KafkaMockCluster::SetPartitionLeader(const std::string& topic, int partition,
                                            int broker_id) {
  return FromKafka(
      rd_kafka_mock_partition_set_leader(impl_->cluster, topic.c_str(), partition, broker_id),
      "set leader");
}

Status KafkaMockCluster::ProduceRaw(const std::string& topic, int partition,
                                    const std::string& bytes) {
  rd_kafka_vu_t fields[4];
  fields[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  fields[0].u.cstr = topic.c_str();
  fields[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  fields[1].u.i32 = partition;
  fields[2].vtype = RD_KAFKA_VTYPE_VALUE;
  fields[2].u.mem = {const_cast<char*>(bytes.data()), bytes.size()};
  fields[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  fields[3].u.i = RD_KAFKA_MSG_F_COPY;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (rd_kafka_error_t* error = rd_kafka_produceva(impl_->producer, fields, 4)) {
    err = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
  }
  VOX_RETURN_IF_ERROR(FromKafka(err, "produce"));
  return FromKafka(rd_kafka_flush(impl_->producer, 10000), "flush");
}

}  // namespace voxbase
