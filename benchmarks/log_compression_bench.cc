// voxbase_log_compression_bench: what zstd would save on the embedded log, measured on a real one.
//
//   voxbase_log_compression_bench --data-dir /tmp/d [--dict-records 5000] [--group 64]
//
// Reads every record of <data-dir>/log (the server must be stopped: the log is opened) and
// prints bytes per record on disk as the log stores them now, then compressed with zstd: each
// record alone at levels 1 and 3, each record alone with a dictionary trained on the first
// --dict-records records, and --group consecutive records together (what compressing a group
// commit would give). Each line also gives the CPU time to compress and decompress a record.
#include <zdict.h>
#include <zstd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "storage/segment_log.h"

using namespace voxbase;

namespace {

constexpr size_t kHeaderBytes = 16;  // crc32, length, offset: segment_log.h

struct Outcome {
  double bytes = 0;  // compressed bytes, in total
  double compress_ns = 0;
  double decompress_ns = 0;
};

double Now() {
  return std::chrono::duration<double, std::nano>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Compresses each group of `group` records as one frame; with `dict`, through that dictionary.
Outcome Measure(const std::vector<std::string>& records, int level, size_t group,
                const std::string& dict) {
  Outcome out;
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ZSTD_CDict* cdict = dict.empty() ? nullptr : ZSTD_createCDict(dict.data(), dict.size(), level);
  ZSTD_DDict* ddict = dict.empty() ? nullptr : ZSTD_createDDict(dict.data(), dict.size());
  std::string input, compressed, restored;
  for (size_t i = 0; i < records.size(); i += group) {
    input.clear();
    for (size_t j = i; j < records.size() && j < i + group; ++j) input += records[j];
    compressed.resize(ZSTD_compressBound(input.size()));
    double t0 = Now();
    size_t n = cdict ? ZSTD_compress_usingCDict(cctx, compressed.data(), compressed.size(),
                                                input.data(), input.size(), cdict)
                     : ZSTD_compressCCtx(cctx, compressed.data(), compressed.size(), input.data(),
                                         input.size(), level);
    double t1 = Now();
    if (ZSTD_isError(n)) {
      std::fprintf(stderr, "zstd: %s\n", ZSTD_getErrorName(n));
      std::exit(1);
    }
    restored.resize(input.size());
    size_t m =
        ddict ? ZSTD_decompress_usingDDict(dctx, restored.data(), restored.size(),
                                           compressed.data(), n, ddict)
              : ZSTD_decompressDCtx(dctx, restored.data(), restored.size(), compressed.data(), n);
    double t2 = Now();
    if (ZSTD_isError(m) || m != input.size() || restored != input) {
      std::fprintf(stderr, "zstd: a frame did not round-trip\n");
      std::exit(1);
    }
    out.bytes += static_cast<double>(n);
    out.compress_ns += t1 - t0;
    out.decompress_ns += t2 - t1;
  }
  ZSTD_freeCDict(cdict);
  ZSTD_freeDDict(ddict);
  ZSTD_freeCCtx(cctx);
  ZSTD_freeDCtx(dctx);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  if (!args.count("--data-dir")) {
    std::fprintf(stderr, "usage: voxbase_log_compression_bench --data-dir D\n");
    return 2;
  }
  const std::string log_dir = args["--data-dir"] + "/log";
  const size_t dict_records =
      args.count("--dict-records") ? std::stoul(args["--dict-records"]) : 5000;
  const size_t group = args.count("--group") ? std::stoul(args["--group"]) : 64;

  uint64_t disk_bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(log_dir)) {
    if (e.path().extension() == ".log") disk_bytes += e.file_size();
  }
  SegmentLogOptions options;
  options.dir = log_dir;
  Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open(options);
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", log.status().ToString().c_str());
    return 1;
  }
  Result<std::unique_ptr<LogReader>> reader = (*log)->NewReader((*log)->StartOffsets().value());
  if (!reader.ok()) return 1;
  std::vector<std::string> records;
  double payload_bytes = 0;
  while (true) {
    Result<std::vector<LogRecord>> batch = (*reader)->Poll(4096, std::chrono::milliseconds(0));
    if (!batch.ok() || batch->empty()) break;
    for (LogRecord& r : *batch) {
      payload_bytes += static_cast<double>(r.payload.size());
      records.push_back(std::move(r.payload));
    }
  }
  if (records.size() < 2 * dict_records) {
    std::fprintf(stderr, "need at least %zu records, the log has %zu\n", 2 * dict_records,
                 records.size());
    return 1;
  }
  const double n = static_cast<double>(records.size());
  std::printf("records %zu, on disk %.1f bytes/record (payload %.1f + %zu header)\n",
              records.size(), static_cast<double>(disk_bytes) / n, payload_bytes / n, kHeaderBytes);

  // The dictionary is trained on the first records and measured on the rest.
  std::string samples;
  std::vector<size_t> sizes;
  for (size_t i = 0; i < dict_records; ++i) {
    samples += records[i];
    sizes.push_back(records[i].size());
  }
  std::string dict(16 << 10, '\0');
  size_t dict_size = ZDICT_trainFromBuffer(dict.data(), dict.size(), samples.data(), sizes.data(),
                                           static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(dict_size)) {
    std::fprintf(stderr, "dictionary: %s\n", ZDICT_getErrorName(dict_size));
    return 1;
  }
  dict.resize(dict_size);
  std::vector<std::string> rest(records.begin() + static_cast<ptrdiff_t>(dict_records),
                                records.end());
  const double rn = static_cast<double>(rest.size());

  struct Variant {
    const char* name;
    int level;
    size_t group;
    bool dict;
  };
  const Variant variants[] = {{"zstd -1, each record", 1, 1, false},
                              {"zstd -3, each record", 3, 1, false},
                              {"zstd -1, each record, 16 KiB dictionary", 1, 1, true},
                              {"zstd -3, each record, 16 KiB dictionary", 3, 1, true},
                              {"zstd -1, groups of records", 1, group, false}};
  for (const Variant& v : variants) {
    Outcome o = Measure(rest, v.level, v.group, v.dict ? dict : std::string());
    std::printf(
        "%-42s %7.1f bytes/record (+%zu header), compress %6.0f ns, decompress %5.0f ns "
        "per record%s\n",
        v.name, o.bytes / rn, kHeaderBytes, o.compress_ns / rn, o.decompress_ns / rn,
        v.group > 1 ? (" (groups of " + std::to_string(v.group) + ")").c_str() : "");
  }
  return 0;
}
