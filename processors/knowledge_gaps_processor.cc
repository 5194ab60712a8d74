#include "processors/knowledge_gaps_processor.h"

#include <algorithm>

#include "processors/fold.h"
#include "processors/knowledge_events.h"
#include "projections/insights.h"
#include "projections/knowledge.h"
#include "projections/rows.h"
#include "projections/tables.h"
#include "schemas/ids.h"
#include "schemas/json_writer.h"
#include "schemas/text.h"
#include "schemas/vector_codec.h"

namespace voxbase {
namespace {

class Gaps {
 public:
  Gaps(const DecodedEvent& event, StoreBatch& batch, simdjson::dom::parser& parser,
       GapVectorCache& vectors)
      : event_(event), batch_(batch), parser_(parser), vectors_(vectors), app_(event.app_id) {}

  Result<std::optional<GapRow>> Load(std::string_view gap_id) {
    std::string stored;
    Result<bool> found =
        batch_.Get(Family(Table::kKnowledgeGaps), KnowledgeGapKey(app_, gap_id), &stored);
    if (!found.ok()) return found.status();
    if (!*found) return std::optional<GapRow>();
    Result<GapRow> row = GapRow::Decode(parser_, stored);
    if (!row.ok()) return row.status();
    return std::optional<GapRow>(std::move(*row));
  }

  void Save(const GapRow& g) {
    batch_.Put(Family(Table::kKnowledgeGaps), KnowledgeGapKey(app_, g.gap_id), g.Encode());
  }

  Result<std::vector<std::string>> OpenIds() {
    std::string stored;
    Result<bool> found = batch_.Get(Family(Table::kIndexes), OpenGapsKey(app_), &stored);
    if (!found.ok()) return found.status();
    std::vector<std::string> ids;
    if (!*found) return ids;
    simdjson::dom::array array;
    if (parser_.parse(stored).get(array)) return Corruption("the open gaps list is not JSON");
    for (simdjson::dom::element e : array) {
      std::string_view id;
      if (!e.get(id)) ids.emplace_back(id);
    }
    return ids;
  }

  void SaveOpenIds(const std::vector<std::string>& ids) {
    JsonWriter w;
    w.BeginArray();
    for (const std::string& id : ids) w.String(id);
    w.EndArray();
    batch_.Put(Family(Table::kIndexes), OpenGapsKey(app_), w.view());
  }

  // The embedder and vector of a gap's first question; null when the gap has none.
  Result<const GapVectorCache::Entry*> Vector(std::string_view id) {
    if (const GapVectorCache::Entry* cached = vectors_.Find(app_, id)) return cached;
    std::string stored;
    Result<bool> found = batch_.Get(Family(Table::kIndexes), GapVectorKey(app_, id), &stored);
    if (!found.ok()) return found.status();
    if (!*found) return static_cast<const GapVectorCache::Entry*>(nullptr);
    size_t nul = stored.find('\0');
    if (nul == std::string::npos) return Corruption("a gap vector entry is malformed");
    Result<std::vector<float>> v = DecodeVector(std::string_view(stored).substr(nul + 1));
    if (!v.ok()) return Corruption("a gap vector entry is malformed");
    vectors_.Put(app_, id, GapVectorCache::Entry{stored.substr(0, nul), std::move(*v)});
    return vectors_.Find(app_, id);
  }

  // A gap counts in the insights (projections/insights.h) on the day it was first asked, and as
  // open there (in the overview's unresolvedGaps) until it closes; its close counts on its day.
  static EntityCounts Counted(const GapRow& g, bool open) {
    EntityCounts counts{g.first_asked_at, {{"gaps.opened", 1}}};
    if (open) counts.counters["gaps.open"] = 1;
    return counts;
  }

  Status CountOpened(const GapRow& g) {
    Result<TimeZone> zone = InsightZone(batch_, app_);
    if (!zone.ok()) return zone.status();
    MoveEntity(batch_, app_, *zone, "g" + g.gap_id, std::nullopt, Counted(g, true));
    return Status::Ok();
  }

  Status CountClosed(const GapRow& g, std::string_view counter) {
    Result<TimeZone> zone = InsightZone(batch_, app_);
    if (!zone.ok()) return zone.status();
    MoveEntity(batch_, app_, *zone, "g" + g.gap_id, Counted(g, true), Counted(g, false));
    CountOnDay(batch_, app_, zone->Day(event_.ts_ms), {{std::string(counter), 1}});
    return Status::Ok();
  }

  // Removes a gap from every open-gap index, and from `open` (saved by the caller).
  void Close(const GapRow& g, std::vector<std::string>& open) {
    batch_.Delete(Family(Table::kIndexes), GapQuestionKey(app_, NormalizedQuestion(g.question)));
    batch_.Delete(Family(Table::kIndexes), GapCountKey(app_, g.count, g.gap_id));
    batch_.Delete(Family(Table::kIndexes), GapVectorKey(app_, g.gap_id));
    vectors_.Erase(app_, g.gap_id);
    open.erase(std::remove(open.begin(), open.end(), g.gap_id), open.end());
  }

  Status OnSearched() {
    Result<Searched> s = ReadSearched(event_);
    if (!s.ok()) return s.status();
    if (s->best_score >= s->gap_threshold) return Status::Ok();
    const std::string normalized = NormalizedQuestion(s->query);
    if (normalized.empty()) return Status::Ok();
    Result<std::vector<std::string>> open = OpenIds();
    if (!open.ok()) return open.status();

    std::string target;
    Result<bool> same =
        batch_.Get(Family(Table::kIndexes), GapQuestionKey(app_, normalized), &target);
    if (!same.ok()) return same.status();
    if (!*same) {
      float best = kGapFoldSimilarity;
      for (const std::string& id : *open) {
        Result<const GapVectorCache::Entry*> v = Vector(id);
        if (!v.ok()) return v.status();
        if (*v == nullptr || (*v)->embedder != s->embedder) continue;
        float similarity = Similarity((*v)->vector, s->vector);
        if (similarity >= best) {
          best = similarity;
          target = id;
        }
      }
    }
    if (!target.empty()) {
      Result<std::optional<GapRow>> row = Load(target);
      if (!row.ok()) return row.status();
      if (row->has_value() && (*row)->status == "open") {
        GapRow g = std::move(**row);
        batch_.Delete(Family(Table::kIndexes), GapCountKey(app_, g.count, g.gap_id));
        ++g.count;
        g.last_asked_at = std::max(g.last_asked_at, event_.ts_ms);
        g.last_event_id = std::string(event_.id);
        bool known = false;
        for (const std::string& e : g.examples) known |= NormalizedQuestion(e) == normalized;
        if (!known && g.examples.size() < kMaxGapExamples) g.examples.emplace_back(s->query);
        batch_.Put(Family(Table::kIndexes), GapCountKey(app_, g.count, g.gap_id), "");
        Save(g);
        open->erase(std::remove(open->begin(), open->end(), g.gap_id), open->end());
        open->push_back(g.gap_id);
        SaveOpenIds(*open);
        return Status::Ok();
      }
    }
    GapRow g;
    g.gap_id = "gap_" + std::string(EventIdSuffix(event_.id));
    g.question = std::string(s->query);
    g.category = std::string(s->category);
    g.count = 1;
    g.first_asked_at = g.last_asked_at = event_.ts_ms;
    g.best_score = s->best_score;
    g.examples.emplace_back(s->query);
    g.last_event_id = std::string(event_.id);
    Save(g);
    VOX_RETURN_IF_ERROR(CountOpened(g));
    batch_.Put(Family(Table::kIndexes), GapQuestionKey(app_, normalized), g.gap_id);
    batch_.Put(Family(Table::kIndexes), GapCountKey(app_, g.count, g.gap_id), "");
    std::string vector_entry(s->embedder);
    vector_entry.push_back('\0');
    vector_entry += EncodeVector(s->vector);
    batch_.Put(Family(Table::kIndexes), GapVectorKey(app_, g.gap_id), vector_entry);
    open->push_back(g.gap_id);
    if (open->size() > kMaxOpenGapsCompared) {
      vectors_.Erase(app_, open->front());  // no longer compared: kept only in the store
      open->erase(open->begin());
    }
    SaveOpenIds(*open);
    return Status::Ok();
  }

  Status OnDocumentSaved() {
    Result<SavedDocument> doc = ReadSavedDocument(event_);
    if (!doc.ok()) return doc.status();
    Result<std::vector<std::string>> open = OpenIds();
    if (!open.ok()) return open.status();
    std::vector<std::string> resolved;
    for (const std::string& id : *open) {
      Result<const GapVectorCache::Entry*> v = Vector(id);
      if (!v.ok()) return v.status();
      if (*v == nullptr || (*v)->embedder != doc->embedder) continue;
      for (const StoredChunk& chunk : doc->chunks.chunks) {
        if (Similarity((*v)->vector, chunk.vector) >= doc->gap_threshold) {
          resolved.push_back(id);
          break;
        }
      }
    }
    if (resolved.empty()) return Status::Ok();
    for (const std::string& id : resolved) {
      Result<std::optional<GapRow>> row = Load(id);
      if (!row.ok()) return row.status();
      if (!row->has_value() || (*row)->status != "open") continue;
      GapRow g = std::move(**row);
      Close(g, *open);
      g.status = "resolved";
      g.resolved_by = std::string(doc->document_id);
      g.resolved_at = event_.ts_ms;
      g.last_event_id = std::string(event_.id);
      Save(g);
      VOX_RETURN_IF_ERROR(CountClosed(g, "gaps.resolved"));
    }
    SaveOpenIds(*open);
    return Status::Ok();
  }

  Status OnDismissed() {
    std::string_view id;
    if (event_.payload["gapId"].get(id)) return BadPayload(event_, "no gapId");
    Result<std::optional<GapRow>> row = Load(id);
    if (!row.ok()) return row.status();
    if (!row->has_value() || (*row)->status != "open") return Status::Ok();
    Result<std::vector<std::string>> open = OpenIds();
    if (!open.ok()) return open.status();
    GapRow g = std::move(**row);
    Close(g, *open);
    g.status = "dismissed";
    g.dismissed_at = event_.ts_ms;
    g.last_event_id = std::string(event_.id);
    Save(g);
    VOX_RETURN_IF_ERROR(CountClosed(g, "gaps.dismissed"));
    SaveOpenIds(*open);
    return Status::Ok();
  }

 private:
  const DecodedEvent& event_;
  StoreBatch& batch_;
  simdjson::dom::parser& parser_;
  GapVectorCache& vectors_;
  std::string_view app_;
};

}  // namespace

std::string GapVectorCache::Key(std::string_view app_id, std::string_view gap_id) {
  std::string key(app_id);
  key.push_back('\0');
  key.append(gap_id);
  return key;
}

const GapVectorCache::Entry* GapVectorCache::Find(std::string_view app_id,
                                                  std::string_view gap_id) const {
  auto it = entries_.find(Key(app_id, gap_id));
  return it == entries_.end() ? nullptr : &it->second;
}

void GapVectorCache::Put(std::string_view app_id, std::string_view gap_id, Entry entry) {
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.insert_or_assign(Key(app_id, gap_id), std::move(entry));
}

void GapVectorCache::Erase(std::string_view app_id, std::string_view gap_id) {
  entries_.erase(Key(app_id, gap_id));
}

Status KnowledgeGapsProcessor::Apply(const DecodedEvent& event, const LogPosition&,
                                     StoreBatch& batch) {
  Gaps gaps(event, batch, parser_, vectors_);
  switch (event.type) {
    case EventType::kKnowledgeSearched:
      return gaps.OnSearched();
    case EventType::kKnowledgeDocumentSaved:
      return gaps.OnDocumentSaved();
    case EventType::kKnowledgeGapDismissed:
      return gaps.OnDismissed();
    default:
      return Status::Ok();
  }
}

}  // namespace voxbase
