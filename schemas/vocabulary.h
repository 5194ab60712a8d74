// Vocabularies: the closed sets of words the API accepts (statuses, roles, …), each defined once
// and shared by request validation, folds and list filters. Constant; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace voxbase {

template <size_t N>
struct Vocabulary {
  std::array<std::string_view, N> words;

  constexpr bool Contains(std::string_view word) const {
    for (std::string_view w : words) {
      if (w == word) return true;
    }
    return false;
  }
  // "a, b, c": for error messages.
  std::string List() const {
    std::string out;
    for (std::string_view w : words) {
      if (!out.empty()) out += ", ";
      out += w;
    }
    return out;
  }
};

// Seed 001's conversation lifecycle.
inline constexpr Vocabulary<4> kConversationStatuses{
    {"active", "handed_off", "resolved", "abandoned"}};
inline constexpr std::string_view kConversationDefaultStatus = "active";
// The telemetry convention for voice quality (events of type turn.metrics): the stages of a turn's
// latency in its data, in ms (LiveKit Agents' per-turn metrics), and the usage fields summed per
// day.
inline constexpr Vocabulary<5> kTurnStages{
    {"e2eLatencyMs", "sttDelayMs", "llmTtftMs", "ttsTtfbMs", "endOfTurnDelayMs"}};
inline constexpr Vocabulary<4> kUsageFields{
    {"promptTokens", "completionTokens", "audioSeconds", "ttsCharacters"}};

// Why a call ended (Retell and Vapi report the same): a closed list, so it can be counted.
inline constexpr Vocabulary<8> kEndReasons{{"user_hangup", "agent_hangup", "transfer", "voicemail",
                                            "inactivity", "max_duration", "error", "other"}};

// Who said a transcript line.
inline constexpr Vocabulary<5> kMessageRoles{{"user", "agent", "assistant", "system", "tool"}};

// Voices an OpenAI Realtime session can speak with (seed 003).
inline constexpr Vocabulary<8> kRealtimeVoices{
    {"alloy", "echo", "shimmer", "ash", "ballad", "coral", "sage", "verse"}};

// Who mints a browser token.
inline constexpr Vocabulary<3> kTokenProviders{{"openai", "gemini", "livekit"}};

// A LiveKit room's lifecycle (seed 001), and who is in one.
inline constexpr Vocabulary<3> kRoomStatuses{{"waiting", "active", "ended"}};
inline constexpr Vocabulary<3> kParticipantKinds{{"user", "agent", "observer"}};

// A session token's role (api/access.h): a user token is bound to one session.
inline constexpr Vocabulary<2> kTokenRoles{{"user", "operator"}};

// Handoffs (seed 001): the queue is urgent first, so the order of kHandoffPriorities is the
// queue's order; statuses and the moves between them.
inline constexpr Vocabulary<4> kHandoffPriorities{{"urgent", "high", "normal", "low"}};
inline constexpr Vocabulary<3> kHandoffStatuses{{"pending", "claimed", "resolved"}};
inline constexpr Vocabulary<2> kHandoffActions{{"claim", "resolve"}};

// Guardrails (seed 001).
inline constexpr Vocabulary<4> kGuardrailTypes{
    {"blocked_topic", "topic_boundary", "pii_filter", "jailbreak_detection"}};
inline constexpr Vocabulary<3> kGuardrailActions{{"block", "warn", "log"}};
inline constexpr Vocabulary<3> kGuardrailDirections{{"input", "output", "both"}};
inline constexpr Vocabulary<2> kCheckDirections{{"input", "output"}};
inline constexpr Vocabulary<2> kGuardrailPacks{{"pii-basic", "jailbreak-basic"}};

// An experiment is running or stopped.
inline constexpr Vocabulary<2> kExperimentStatuses{{"running", "stopped"}};

// A tool execution's statuses: pending_confirmation and started are open, the rest terminal.
inline constexpr Vocabulary<7> kExecutionStatuses{
    {"pending_confirmation", "started", "success", "error", "timeout", "rejected", "interrupted"}};

}  // namespace voxbase
