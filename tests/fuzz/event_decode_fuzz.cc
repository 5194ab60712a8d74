// Log record decoding: any bytes on the log (a Kafka topic anyone can produce to) decode to an
// event or an error, never a crash.
#include "schemas/event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static voxbase::EventDecoder decoder;
  (void)decoder.Decode(std::string_view(reinterpret_cast<const char*>(data), size)).ok();
  return 0;
}
