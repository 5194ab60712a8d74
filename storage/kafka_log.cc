#include "storage/kafka_log.h"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

namespace voxbase {
namespace {

using Conf = std::unique_ptr<rd_kafka_conf_t, decltype(&rd_kafka_conf_destroy)>;
using Handle = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;

Status SetAll(rd_kafka_conf_t* conf, const std::map<std::string, std::string>& settings) {
  char err[512];
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof(err)) !=
        RD_KAFKA_CONF_OK) {
      return InvalidArgument("kafka setting " + name + "=" + value + ": " + err);
    }
  }
  return Status::Ok();
}

Status KafkaError(const std::string& what, rd_kafka_resp_err_t err) {
  return Status(StatusCode::kUnavailable, what + ": " + rd_kafka_err2str(err));
}

// `opaque` is the log's probe (may be null): a record counts as appended once Kafka confirmed it.
void DeliveryReport(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* done = static_cast<AppendCallback*>(message->_private);
  if (done == nullptr) return;  // a record produced by someone else (tests)
  if (message->err) {
    (*done)(KafkaError("kafka delivery failed", message->err));
  } else {
    if (auto* probe = static_cast<LogProbe*>(opaque)) probe->OnGroupCommit(1, message->len);
    (*done)(LogPosition{message->partition, message->offset});
  }
  delete done;
}

class KafkaReader final : public LogReader {
 public:
  KafkaReader(Handle consumer, std::string topic)
      : consumer_(std::move(consumer)), topic_(std::move(topic)) {}
  ~KafkaReader() override { rd_kafka_consumer_close(consumer_.get()); }

  Result<std::vector<LogRecord>> Poll(size_t max_records, std::chrono::milliseconds wait) override {
    std::vector<LogRecord> out;
    int timeout = static_cast<int>(wait.count());
    while (out.size() < max_records) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), out.empty() ? timeout : 0);
      if (m == nullptr) break;
      std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> owned(
          m, rd_kafka_message_destroy);
      if (m->err) {
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
        // librdkafka retries transient errors itself and reports them here for information; a
        // record we cannot read again (deleted by retention, say) is not one of those.
        if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE ||
            m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
          return Status(StatusCode::kFailedPrecondition, "kafka offset out of range on partition " +
                                                             std::to_string(m->partition) +
                                                             ": the topic no longer holds it");
        }
        std::fprintf(stderr, "voxbase: kafka consumer: %s\n", rd_kafka_message_errstr(m));
        continue;
      }
      out.push_back(
          {{m->partition, m->offset}, std::string(static_cast<const char*>(m->payload), m->len)});
    }
    return out;
  }

 private:
  Handle consumer_;
  std::string topic_;
};

}  // namespace

struct KafkaLog::Impl {
  KafkaLogOptions options;
  Handle producer{nullptr, rd_kafka_destroy};
  rd_kafka_topic_t* topic = nullptr;
  int partitions = 0;
  std::thread poller;
  std::atomic<bool> stopping{false};
  std::mutex close_mu;
  bool closed = false;

  std::map<std::string, std::string> CommonSettings() const {
    return {{"bootstrap.servers", options.brokers},
            {"client.id", "voxbase"},
            {"topic.metadata.refresh.interval.ms", "10000"}};
  }

  // Whether the cluster lists the topic (asks for all topics, so asking creates nothing).
  Result<bool> TopicExists() {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t e = rd_kafka_metadata(producer.get(), 1, nullptr, &md, 10000);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError("kafka metadata", e);
    bool found = false;
    for (int i = 0; i < md->topic_cnt; ++i) {
      found = found || options.topic == md->topics[i].topic;
    }
    rd_kafka_metadata_destroy(md);
    return found;
  }

  Status CreateTopicIfMissing() {
    Result<bool> exists = TopicExists();
    if (!exists.ok()) return exists.status();
    if (*exists) return Status::Ok();
    std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)> queue(
        rd_kafka_queue_new(producer.get()), rd_kafka_queue_destroy);
    char err[512];
    rd_kafka_NewTopic_t* spec = rd_kafka_NewTopic_new(options.topic.c_str(), options.partitions,
                                                      options.replication, err, sizeof(err));
    if (spec == nullptr) return InvalidArgument(std::string("kafka topic spec: ") + err);
    rd_kafka_CreateTopics(producer.get(), &spec, 1, nullptr, queue.get());
    rd_kafka_NewTopic_destroy(spec);
    rd_kafka_event_t* event = rd_kafka_queue_poll(queue.get(), 15000);
    if (event == nullptr) return Status(StatusCode::kUnavailable, "kafka CreateTopics timed out");
    std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)> owned(
        event, rd_kafka_event_destroy);
    const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
    if (result == nullptr) return Internal("unexpected kafka admin event");
    size_t n = 0;
    const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(result, &n);
    for (size_t i = 0; i < n; ++i) {
      rd_kafka_resp_err_t e = rd_kafka_topic_result_error(topics[i]);
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        return KafkaError("kafka create topic " + options.topic, e);
      }
    }
    return Status::Ok();
  }

  Status LoadPartitionCount() {
    const rd_kafka_metadata_t* md = nullptr;
    for (int attempt = 0; attempt < 50; ++attempt) {
      rd_kafka_resp_err_t e = rd_kafka_metadata(producer.get(), 0, topic, &md, 5000);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 && md->topics[0].err == 0 &&
          md->topics[0].partition_cnt > 0) {
        partitions = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
        return Status::Ok();
      }
      if (md) rd_kafka_metadata_destroy(md);
      md = nullptr;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Status(StatusCode::kUnavailable, "kafka topic " + options.topic + " has no metadata");
  }
};

KafkaLog::KafkaLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<KafkaLog>> KafkaLog::Open(KafkaLogOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const KafkaLogOptions& o = impl->options;
  if (o.brokers.empty()) return InvalidArgument("kafka brokers are required (--kafka-brokers)");

  Conf conf(rd_kafka_conf_new(), rd_kafka_conf_destroy);
  std::map<std::string, std::string> settings = impl->CommonSettings();
  settings["enable.idempotence"] = "true";  // implies acks=all, in-order, no duplicates on retry
  settings["acks"] = "all";
  settings["linger.ms"] = "1";
  settings["compression.type"] = "lz4";
  settings["queue.buffering.max.messages"] = std::to_string(o.max_queued_messages);
  settings["message.timeout.ms"] = std::to_string(o.delivery_timeout.count());
  settings["partitioner"] = "murmur2_random";  // Kafka's Java default: same key, same partition
  for (const auto& [k, v] : o.extra) settings[k] = v;
  VOX_RETURN_IF_ERROR(SetAll(conf.get(), settings));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), DeliveryReport);
  rd_kafka_conf_set_opaque(conf.get(), o.probe);
  char err[512];
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof(err));
  if (producer == nullptr) return InvalidArgument(std::string("kafka producer: ") + err);
  conf.release();  // owned by the producer now
  impl->producer.reset(producer);

  VOX_RETURN_IF_ERROR(impl->CreateTopicIfMissing());
  impl->topic = rd_kafka_topic_new(producer, o.topic.c_str(), nullptr);
  VOX_RETURN_IF_ERROR(impl->LoadPartitionCount());

  Impl* raw = impl.get();
  impl->poller = std::thread([raw] {
    while (!raw->stopping) rd_kafka_poll(raw->producer.get(), 100);
  });
  return std::unique_ptr<KafkaLog>(new KafkaLog(std::move(impl)));
}

KafkaLog::~KafkaLog() {
  Close();
  if (impl_->topic) rd_kafka_topic_destroy(impl_->topic);
}

int KafkaLog::partitions() const { return impl_->partitions; }

void KafkaLog::Append(std::string_view key, std::string record, AppendCallback done) {
  {
    std::lock_guard<std::mutex> lock(impl_->close_mu);
    if (impl_->closed) {
      done(Status(StatusCode::kUnavailable, "event log is closed"));
      return;
    }
  }
  auto* callback = new AppendCallback(std::move(done));
  rd_kafka_vu_t fields[5];
  fields[0].vtype = RD_KAFKA_VTYPE_RKT;
  fields[0].u.rkt = impl_->topic;
  fields[1].vtype = RD_KAFKA_VTYPE_KEY;
  fields[1].u.mem = {const_cast<char*>(key.data()), key.size()};
  fields[2].vtype = RD_KAFKA_VTYPE_VALUE;
  fields[2].u.mem = {record.data(), record.size()};
  fields[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  fields[3].u.i = RD_KAFKA_MSG_F_COPY;
  fields[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
  fields[4].u.ptr = callback;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (rd_kafka_error_t* error = rd_kafka_produceva(impl_->producer.get(), fields, 5)) {
    err = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    AppendCallback refused = std::move(*callback);
    delete callback;
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      if (impl_->options.probe) impl_->options.probe->OnRefused();
      refused(Status(StatusCode::kResourceExhausted, "kafka producer queue is full"));
    } else if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
      refused(Status(StatusCode::kPayloadTooLarge, "event exceeds the kafka message size limit"));
    } else {
      refused(KafkaError("kafka produce", err));
    }
    return;
  }
}

Result<std::vector<int64_t>> KafkaLog::Watermarks(bool high) const {
  std::vector<int64_t> marks(static_cast<size_t>(impl_->partitions), 0);
  for (int p = 0; p < impl_->partitions; ++p) {
    int64_t low_mark = 0, high_mark = 0;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        impl_->producer.get(), impl_->options.topic.c_str(), p, &low_mark, &high_mark, 5000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status(StatusCode::kUnavailable, std::string("kafka: cannot read the ") +
                                                  (high ? "end" : "start") + " of partition " +
                                                  std::to_string(p) + ": " + rd_kafka_err2str(err));
    }
    marks[static_cast<size_t>(p)] = high ? high_mark : low_mark;
  }
  return marks;
}

Result<std::vector<int64_t>> KafkaLog::EndOffsets() const { return Watermarks(/*high=*/true); }

Result<std::vector<int64_t>> KafkaLog::StartOffsets() const { return Watermarks(/*high=*/false); }

Result<std::unique_ptr<LogReader>> KafkaLog::NewReader(std::vector<int64_t> start_offsets) {
  Conf conf(rd_kafka_conf_new(), rd_kafka_conf_destroy);
  std::random_device rd;
  std::map<std::string, std::string> settings = impl_->CommonSettings();
  // A group id is required by the consumer API; nothing is ever committed to it.
  // (Appended rather than "literal" + string: GCC 12 at -O3 reports a false -Wrestrict there.)
  std::string group = "voxbase-replica-";
  group.append(std::to_string(rd()));
  settings["group.id"] = group;
  settings["enable.auto.commit"] = "false";
  settings["enable.auto.offset.store"] = "false";
  // A position the topic no longer holds is an error to surface, never a silent jump.
  settings["auto.offset.reset"] = "error";
  settings["enable.partition.eof"] = "false";
  settings["fetch.wait.max.ms"] = "2";
  settings["fetch.error.backoff.ms"] = "50";
  VOX_RETURN_IF_ERROR(SetAll(conf.get(), settings));
  char err[512];
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof(err));
  if (consumer == nullptr) return InvalidArgument(std::string("kafka consumer: ") + err);
  conf.release();
  Handle handle(consumer, rd_kafka_destroy);

  std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)>
      assignment(rd_kafka_topic_partition_list_new(impl_->partitions),
                 rd_kafka_topic_partition_list_destroy);
  for (int p = 0; p < impl_->partitions; ++p) {
    auto i = static_cast<size_t>(p);
    rd_kafka_topic_partition_list_add(assignment.get(), impl_->options.topic.c_str(), p)->offset =
        i < start_offsets.size() ? start_offsets[i] : RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_resp_err_t e = rd_kafka_assign(consumer, assignment.get());
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError("kafka assign", e);
  return std::unique_ptr<LogReader>(new KafkaReader(std::move(handle), impl_->options.topic));
}

void KafkaLog::Close() {
  {
    std::lock_guard<std::mutex> lock(impl_->close_mu);
    if (impl_->closed) return;
    impl_->closed = true;
  }
  // Delivery reports for everything in flight arrive before the poller stops.
  rd_kafka_flush(impl_->producer.get(), 30000);
  impl_->stopping = true;
  if (impl_->poller.joinable()) impl_->poller.join();
}

}  // namespace voxbase
