#include "schemas/time_zone.h"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <cstdio>

namespace voxbase {
namespace {

using Millis = std::chrono::milliseconds;

std::string FormatDate(date::year_month_day ymd) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// Dates passed here were written by Day or PeriodDay: "YYYY-MM-DD".
date::sys_days ParseDate(std::string_view day) {
  int y = 1970;
  unsigned m = 1, d = 1;
  if (day.size() == 10) {
    std::from_chars(day.data(), day.data() + 4, y);
    std::from_chars(day.data() + 5, day.data() + 7, m);
    std::from_chars(day.data() + 8, day.data() + 10, d);
  }
  return date::sys_days(date::year{y} / date::month{m} / date::day{d});
}

}  // namespace

bool ParsePeriod(std::string_view word, Period* period) {
  if (word == "day")
    *period = Period::kDay;
  else if (word == "week")
    *period = Period::kWeek;
  else if (word == "month")
    *period = Period::kMonth;
  else
    return false;
  return true;
}

std::string_view PeriodName(Period period) {
  switch (period) {
    case Period::kDay:
      return "day";
    case Period::kWeek:
      return "week";
    case Period::kMonth:
      return "month";
  }
  return "day";
}

Result<TimeZone> TimeZone::Find(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC") return TimeZone();
  try {
    return TimeZone(date::locate_zone(name));
  } catch (const std::exception&) {
    return InvalidArgument("timezone " + std::string(name) +
                           " is not an IANA time zone this server knows (e.g. Europe/Paris)");
  }
}

std::string TimeZone::name() const { return zone_ == nullptr ? "UTC" : zone_->name(); }

std::string TimeZone::Day(int64_t ms) const {
  const date::sys_time<Millis> t{Millis(ms)};
  if (zone_ == nullptr) return FormatDate(date::year_month_day(date::floor<date::days>(t)));
  const date::local_time<Millis> local = zone_->to_local(t);
  return FormatDate(date::year_month_day(date::floor<date::days>(local)));
}

std::string TimeZone::PeriodDay(Period period, std::string_view day) {
  const date::sys_days d = ParseDate(day);
  switch (period) {
    case Period::kDay:
      return FormatDate(date::year_month_day(d));
    case Period::kWeek: {
      const date::weekday wd{d};
      return FormatDate(date::year_month_day(d - (wd - date::Monday)));
    }
    case Period::kMonth: {
      const date::year_month_day ymd{d};
      return FormatDate(ymd.year() / ymd.month() / date::day{1});
    }
  }
  return std::string(day);
}

std::string TimeZone::NextPeriodDay(Period period, std::string_view period_day) {
  const date::sys_days d = ParseDate(period_day);
  switch (period) {
    case Period::kDay:
      return FormatDate(date::year_month_day(d + date::days{1}));
    case Period::kWeek:
      return FormatDate(date::year_month_day(d + date::days{7}));
    case Period::kMonth: {
      const date::year_month_day ymd{d};
      const date::year_month next = ymd.year() / ymd.month() + date::months{1};
      return FormatDate(next / date::day{1});
    }
  }
  return std::string(period_day);
}

int64_t TimeZone::DayStartMillis(std::string_view day) const {
  const date::sys_days d = ParseDate(day);
  if (zone_ == nullptr) return date::sys_time<Millis>(d).time_since_epoch().count();
  const date::local_days local{d.time_since_epoch()};
  date::local_info info = zone_->get_info(date::local_seconds(local));
  date::sys_seconds start;
  if (info.result == date::local_info::nonexistent) {
    start = info.second.begin;  // midnight was skipped: the day starts when clocks jump
  } else {
    start = zone_->to_sys(date::local_seconds(local), date::choose::earliest);
  }
  return std::chrono::duration_cast<Millis>(start.time_since_epoch()).count();
}

}  // namespace voxbase
