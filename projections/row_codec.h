// Row codecs written once: a row type's fields are listed once, as a tuple of RowField, and that
// list drives both its JSON writer (what is stored, and what the API shows) and its reader.
//
//   constexpr auto kRoomFields = std::make_tuple(
//       Required(Col("roomName", &RoomRow::room_name)), Col("createdAt", &RoomRow::created_at),
//       Col("endedAt", &RoomRow::ended_at));
//   std::string RoomRow::ToJson() const { return RowJson(*this, kRoomFields); }
//   Result<RoomRow> RoomRow::Decode(parser, stored) {
//     return DecodeRow<RoomRow>(parser, stored, kVersion, kRoomFields, "room");
//   }
//
// Member types: std::string (a JSON string, or with RawCol the JSON text of any value), integers,
// double, bool, std::optional of those (null when absent), std::vector<std::string>, and
// std::vector of another row type with fields of its own (RowsCol); a member of a struct the row
// holds is Col(name, &Row::part, &Part::member). Computed fields (written,
// never read) are WriteOnly. A Required field must be present and of its type (a string one also
// not empty); another one that is absent keeps the member's default. Room for per-field
// attributes (personal data, for erasure) is in RowField.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "projections/rows.h"
#include "schemas/json_writer.h"
#include "schemas/status.h"

namespace voxbase {

template <typename Row, typename Member>
struct RowField {
  std::string_view name;
  Member Row::*member;
  bool raw_json = false;  // a std::string holding JSON text
  bool required = false;

  Member& Of(Row& row) const { return row.*member; }
  const Member& Of(const Row& row) const { return row.*member; }
};

// A field of a struct the row holds (RuleRow::rule.name), written as one of the row's own.
template <typename Row, typename Part, typename Member>
struct PartField {
  std::string_view name;
  Part Row::*part;
  Member Part::*member;
  bool raw_json = false;
  bool required = false;

  Member& Of(Row& row) const { return row.*part.*member; }
  const Member& Of(const Row& row) const { return row.*part.*member; }
};

// A vector of rows of another type, each an object with `fields`.
template <typename Row, typename Sub, typename SubFields>
struct RowsField {
  std::string_view name;
  std::vector<Sub> Row::*member;
  SubFields fields;
  bool required = false;
};

// A value the row derives when it is written (a duration): never read back.
template <typename Row, typename Fn>
struct WriteOnlyField {
  std::string_view name;
  Fn value;  // (const Row&) -> int64_t or std::optional<int64_t>
};

template <typename Row, typename Member>
constexpr RowField<Row, Member> Col(std::string_view name, Member Row::*member) {
  return {name, member};
}
template <typename Row, typename Part, typename Member>
constexpr PartField<Row, Part, Member> Col(std::string_view name, Part Row::*part,
                                           Member Part::*member) {
  return {name, part, member};
}
template <typename Row>
constexpr RowField<Row, std::string> RawCol(std::string_view name, std::string Row::*member) {
  return {name, member, true};
}
template <typename Row, typename Sub, typename SubFields>
constexpr RowsField<Row, Sub, SubFields> RowsCol(std::string_view name,
                                                 std::vector<Sub> Row::*member, SubFields fields) {
  return {name, member, fields};
}
template <typename Row, typename Fn>
constexpr WriteOnlyField<Row, Fn> WriteOnly(std::string_view name, Fn value) {
  return {name, value};
}
template <typename Field>
constexpr Field Required(Field field) {
  field.required = true;
  return field;
}

namespace row_codec {

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <typename T>
void WriteValue(JsonWriter& w, const T& value, bool raw_json) {
  if constexpr (IsOptional<T>::value) {
    if (value) {
      WriteValue(w, *value, raw_json);
    } else {
      w.Null();
    }
  } else if constexpr (std::is_same_v<T, std::string>) {
    raw_json ? w.Raw(value) : w.String(value);
  } else if constexpr (std::is_same_v<T, bool>) {
    w.Bool(value);
  } else if constexpr (std::is_same_v<T, double>) {
    w.Double(value);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    w.BeginArray();
    for (const std::string& s : value) w.String(s);
    w.EndArray();
  } else {
    static_assert(std::is_integral_v<T>, "a row field of a type the codec does not know");
    w.Int(static_cast<int64_t>(value));
  }
}

// False when the element is not of the member's type.
template <typename T>
bool ReadValue(simdjson::dom::element e, T& out, bool raw_json) {
  if constexpr (IsOptional<T>::value) {
    if (e.is_null()) {
      out.reset();
      return true;
    }
    typename T::value_type inner{};
    if (!ReadValue(e, inner, raw_json)) return false;
    out = std::move(inner);
    return true;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (raw_json) {
      out = simdjson::minify(e);
      return true;
    }
    std::string_view s;
    if (e.get(s)) return false;
    out = std::string(s);
    return true;
  } else if constexpr (std::is_same_v<T, bool>) {
    return !e.get(out);
  } else if constexpr (std::is_same_v<T, double>) {
    return !e.get(out);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    simdjson::dom::array array;
    if (e.get(array)) return false;
    out.clear();
    for (simdjson::dom::element item : array) {
      std::string_view s;
      if (item.get(s)) return false;
      out.emplace_back(s);
    }
    return true;
  } else {
    static_assert(std::is_integral_v<T>, "a row field of a type the codec does not know");
    int64_t value = 0;
    if (e.get(value)) return false;
    out = static_cast<T>(value);
    return true;
  }
}

template <typename Row, typename Fields>
void WriteFields(JsonWriter& w, const Row& row, const Fields& fields);
template <typename Row, typename Fields>
bool ReadFields(simdjson::dom::object obj, Row& row, const Fields& fields, std::string* bad);

// A field that is one value of the row (RowField, PartField).
template <typename Field, typename Row>
concept ValueField = requires(const Field& f, Row& row) {
  f.Of(row);
};

template <typename Row, typename Field>
requires ValueField<Field, Row>
void WriteField(JsonWriter& w, const Row& row, const Field& f) {
  w.Key(f.name);
  WriteValue(w, f.Of(row), f.raw_json);
}
template <typename Row, typename Sub, typename SubFields>
void WriteField(JsonWriter& w, const Row& row, const RowsField<Row, Sub, SubFields>& f) {
  w.Key(f.name).BeginArray();
  for (const Sub& sub : row.*f.member) {
    w.BeginObject();
    WriteFields(w, sub, f.fields);
    w.EndObject();
  }
  w.EndArray();
}
template <typename Row, typename Fn>
void WriteField(JsonWriter& w, const Row& row, const WriteOnlyField<Row, Fn>& f) {
  w.Key(f.name);
  WriteValue(w, f.value(row), false);
}

template <typename Row, typename Field>
requires ValueField<Field, Row>
bool ReadField(simdjson::dom::object obj, Row& row, const Field& f) {
  simdjson::dom::element e;
  if (obj[f.name].get(e)) return !f.required;
  auto& value = f.Of(row);
  if (!ReadValue(e, value, f.raw_json)) return false;
  if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::string>) {
    if (f.required && value.empty()) return false;
  }
  return true;
}
template <typename Row, typename Sub, typename SubFields>
bool ReadField(simdjson::dom::object obj, Row& row, const RowsField<Row, Sub, SubFields>& f) {
  simdjson::dom::array array;
  if (obj[f.name].get(array)) return !f.required;
  (row.*f.member).clear();
  for (simdjson::dom::element item : array) {
    simdjson::dom::object sub_object;
    if (item.get(sub_object)) return false;
    Sub sub;
    std::string unused;
    if (!ReadFields(sub_object, sub, f.fields, &unused)) return false;
    (row.*f.member).push_back(std::move(sub));
  }
  return true;
}
template <typename Row, typename Fn>
bool ReadField(simdjson::dom::object, Row&, const WriteOnlyField<Row, Fn>&) {
  return true;
}

template <typename Row, typename Fields>
void WriteFields(JsonWriter& w, const Row& row, const Fields& fields) {
  std::apply([&](const auto&... f) { (WriteField(w, row, f), ...); }, fields);
}

template <typename Row, typename Fields>
bool ReadFields(simdjson::dom::object obj, Row& row, const Fields& fields, std::string* bad) {
  bool ok = true;
  std::apply(
      [&](const auto&... f) {
        ((ok = ok && (ReadField(obj, row, f) || (*bad = std::string(f.name), false))), ...);
      },
      fields);
  return ok;
}

}  // namespace row_codec

// The row as one JSON object.
template <typename Row, typename Fields>
std::string RowJson(const Row& row, const Fields& fields) {
  JsonWriter w;
  w.BeginObject();
  row_codec::WriteFields(w, row, fields);
  w.EndObject();
  return w.str();
}

// A stored row of `version`; Corruption naming `what` and the field when it is malformed.
template <typename Row, typename Fields>
Result<Row> DecodeRow(simdjson::dom::parser& parser, std::string_view stored, char version,
                      const Fields& fields, std::string_view what) {
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, version);
  if (!obj.ok()) return obj.status();
  Row row;
  std::string bad;
  if (!row_codec::ReadFields(*obj, row, fields, &bad)) {
    return Corruption("stored " + std::string(what) + " is malformed: " + bad);
  }
  return row;
}

}  // namespace voxbase
