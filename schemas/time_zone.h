// Time zones: an app's IANA zone, and the local calendar (days, Monday weeks, months) its
// analytics are counted in. Backed by Howard Hinnant's date library over the system's tz
// database (GCC 12 has no std::chrono::tzdb). Thread-safe; a TimeZone is a cheap handle.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "schemas/status.h"

namespace date {
class time_zone;
}

namespace voxbase {

// The periods analytics are grouped in: a local day, a week starting Monday, a calendar month.
enum class Period { kDay, kWeek, kMonth };
// "day", "week", "month"; false for any other word.
bool ParsePeriod(std::string_view word, Period* period);
std::string_view PeriodName(Period period);

class TimeZone {
 public:
  // UTC.
  TimeZone() = default;
  // InvalidArgument naming `name` when the tz database does not know it.
  static Result<TimeZone> Find(std::string_view name);

  std::string name() const;
  // "YYYY-MM-DD": the local date at `ms` (ms since the epoch).
  std::string Day(int64_t ms) const;
  // The local date of the period holding local date `day` ("YYYY-MM-DD"): the day itself, the
  // Monday on or before it, or the first of its month.
  static std::string PeriodDay(Period period, std::string_view day);
  // The local date that starts the period after the one `period_day` starts.
  static std::string NextPeriodDay(Period period, std::string_view period_day);
  // Epoch ms of local midnight at the start of `day` (the earliest such instant around a DST
  // change; the moment the day starts where midnight does not exist).
  int64_t DayStartMillis(std::string_view day) const;

 private:
  explicit TimeZone(const date::time_zone* zone) : zone_(zone) {}
  const date::time_zone* zone_ = nullptr;  // null: UTC
};

}  // namespace voxbase
