// The catalogue of event types: one line per type, the only list of them there is.
//
// X(enumerator, "wire name", current version). The EventType enum, the name and version tables,
// the decoder, metric labels and every test that loops over types are generated from this list,
// so a new type is one line here plus its fold (processors/) — nothing is sized by hand. Wire
// names and versions are on the log forever: never rename one; add a version and an upcaster.
#pragma once

#define VOXBASE_EVENT_TYPES(X)                                        \
  X(kAppCreated, "app.created", 1)                                    \
  X(kSessionCreated, "session.created", 1)                            \
  X(kSessionRevoked, "session.revoked", 1)                            \
  X(kSessionsRevokedAll, "session.revoked_all", 1)                    \
  X(kTelemetryRecorded, "telemetry.recorded", 1)                      \
  X(kConversationSaved, "conversation.saved", 1)                      \
  X(kMessagesAdded, "messages.added", 1)                              \
  X(kTokenMinted, "token.minted", 1)                                  \
  X(kLivekitRoomCreated, "livekit.room.created", 1)                   \
  X(kLivekitRoomEnded, "livekit.room.ended", 1)                       \
  X(kLivekitWebhookReceived, "livekit.webhook.received", 1)           \
  X(kToolRegistered, "tool.registered", 1)                            \
  X(kToolUpdated, "tool.updated", 1)                                  \
  X(kToolExecutionPending, "tool.execution.pending", 1)               \
  X(kToolExecutionStarted, "tool.execution.started", 1)               \
  X(kToolExecutionFinished, "tool.execution.finished", 1)             \
  X(kHandoffCreated, "handoff.created", 1)                            \
  X(kHandoffMoved, "handoff.moved", 1)                                \
  X(kCsatRated, "csat.rated", 1)                                      \
  X(kPersonaUpdated, "persona.updated", 1)                            \
  X(kGuardrailRuleCreated, "guardrail.rule.created", 1)               \
  X(kGuardrailRuleUpdated, "guardrail.rule.updated", 1)               \
  X(kGuardrailViolationsRecorded, "guardrail.violations.recorded", 1) \
  X(kExperimentCreated, "experiment.created", 1)                      \
  X(kExperimentUpdated, "experiment.updated", 1)                      \
  X(kExperimentAssigned, "experiment.assigned", 1)                    \
  X(kKnowledgeDocumentSaved, "knowledge.document.saved", 1)           \
  X(kKnowledgeDocumentDeleted, "knowledge.document.deleted", 1)       \
  X(kKnowledgeSearched, "knowledge.searched", 1)                      \
  X(kKnowledgeGapDismissed, "knowledge.gap.dismissed", 1)             \
  X(kAnalyticsSettingsUpdated, "analytics.settings.updated", 1)
