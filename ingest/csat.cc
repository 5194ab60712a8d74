#include "ingest/csat.h"

#include "schemas/json_writer.h"

namespace voxbase {

Result<CsatCommand> BuildCsatRated(const CommandInput& in) {
  std::optional<std::string_view> session_id, comment;
  std::optional<int64_t> rating;
  VOX_RETURN_IF_ERROR(ReadSessionId(in.body, *in.limits, "", &session_id));
  VOX_RETURN_IF_ERROR(ReadInt(in.body, "rating", Presence::kRequired, 1, 5, &rating));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "comment", Presence::kOptional, 8000, &comment));
  if (comment) {
    size_t characters = 0;
    for (unsigned char c : *comment) characters += (c & 0xc0) != 0x80;
    if (characters > 2000) return InvalidArgument("comment must be at most 2000 characters");
  }
  JsonWriter w;
  w.BeginObject()
      .Field("sessionId", *session_id)
      .Field("rating", *rating)
      .Field("comment", comment.value_or(""))
      .EndObject();
  return CsatCommand{NewEvent(in, EventType::kCsatRated, w.str()), std::string(*session_id)};
}

}  // namespace voxbase
