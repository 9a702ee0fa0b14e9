// The building blocks of daemon/metrics: a histogram of atomics, and a family of labelled
// series in a sharded map with a cap on how many series it makes. Internal to metrics.cpp
// (a header of its own only to keep that file about the daemon's series, not mechanics).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/resilience/sharded_map.hpp"
#include "daemon/prometheus_text.hpp"

namespace llmgw::daemon::series {

// A value in billionths (nanoseconds, nano-dollars), clamped to [0, max]; NaN is 0.
inline std::uint64_t to_billionths(double value, double max) {
  if (!(value > 0))
    return 0;
  return static_cast<std::uint64_t>(std::llround(std::min(value, max) * 1e9));
}

inline double from_billionths(std::uint64_t value) {
  return static_cast<double>(value) / 1e9;
}

// The longest duration a histogram adds to its sum (about 116 days), so that the sum
// cannot overflow from one absurd measurement.
inline constexpr double k_max_seconds = 1e7;

class Histogram {
 public:
  // `bounds` ascending, and outliving the histogram (a constant).
  explicit Histogram(std::span<const double> bounds)
      : m_bounds(bounds), m_counts(bounds.size() + 1) {}

  void observe(double seconds) {
    const double value = seconds > 0 ? seconds : 0;  // NaN too
    // The first bucket whose bound is >= value: Prometheus buckets are "less or equal".
    const auto bucket =
        std::lower_bound(m_bounds.begin(), m_bounds.end(), value) - m_bounds.begin();
    m_counts[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
    m_sum.fetch_add(to_billionths(value, k_max_seconds), std::memory_order_relaxed);
  }

  void write(PrometheusText& text, std::string_view name, const Labels& labels) const {
    std::vector<std::uint64_t> counts;
    counts.reserve(m_counts.size());
    for (const auto& count : m_counts)
      counts.push_back(count.load(std::memory_order_relaxed));
    text.histogram(name, labels, m_bounds, counts,
                   from_billionths(m_sum.load(std::memory_order_relaxed)));
  }

 private:
  std::span<const double> m_bounds;
  std::vector<std::atomic<std::uint64_t>> m_counts;  // per bucket, not cumulative; last: +Inf
  std::atomic<std::uint64_t> m_sum{0};               // nanoseconds
};

// A ShardedMap that makes at most `cap` values: past it, get() declines with null.
template <class Value>
class CappedMap {
 public:
  explicit CappedMap(std::size_t cap) : m_cap(cap) {}

  Value* find(const std::string& key) { return m_map.find(key); }

  template <class Make>
  Value* get(const std::string& key, Make&& make) {
    if (Value* found = m_map.find(key))
      return found;
    // A slot is reserved before the value is made, so that racing threads never make more
    // than `cap` between them.
    if (m_size.load(std::memory_order_relaxed) >= m_cap)
      return nullptr;
    if (m_size.fetch_add(1, std::memory_order_relaxed) >= m_cap) {
      m_size.fetch_sub(1, std::memory_order_relaxed);
      return nullptr;
    }
    bool made = false;
    Value& value = m_map.get(key, [&] {
      made = true;
      return make();
    });
    if (!made)  // another thread made it meanwhile: give the slot back
      m_size.fetch_sub(1, std::memory_order_relaxed);
    return &value;
  }

  // Made whatever the cap: for the overflow series, whose number is bounded by their labels.
  template <class Make>
  Value& get_beyond_cap(const std::string& key, Make&& make) {
    return m_map.get(key, std::forward<Make>(make));
  }

  template <class Visit>
  void for_each(Visit&& visit) const {
    m_map.for_each(std::forward<Visit>(visit));
  }

 private:
  ShardedMap<Value> m_map;
  std::size_t m_cap;
  std::atomic<std::size_t> m_size{0};
};

// The series of one family, each with its N label values.
template <class Series, std::size_t N>
class Family {
 public:
  using Values = std::array<std::string, N>;
  using Views = std::array<std::string_view, N>;
  struct Entry {
    explicit Entry(Values label_values) : values(std::move(label_values)) {}
    const Values values;
    Series series;
  };

  explicit Family(std::size_t max_series) : m_entries(max_series) {}

  // The series for `values` (views, so that the common case, a series that exists, copies
  // no label). A series not seen yet is made for `admit(values)` (the values with the ones
  // past their caps replaced), or, when the family is full, for `overflow(admitted)`.
  template <class Admit, class Overflow>
  Series& at(const Views& values, Admit&& admit, Overflow&& overflow) {
    if (Entry* found = m_entries.find(key_of(values)))
      return found->series;
    const Values admitted = admit(values);
    if (Entry* entry = m_entries.get(key_of(admitted), maker(admitted)))
      return entry->series;
    const Values spilled = overflow(admitted);
    return m_entries.get_beyond_cap(key_of(spilled), maker(spilled)).series;
  }

  // Every series, sorted by its label values.
  std::vector<const Entry*> sorted() const {
    std::vector<const Entry*> out;
    m_entries.for_each([&](const std::string&, const Entry& entry) { out.push_back(&entry); });
    std::sort(out.begin(), out.end(),
              [](const Entry* a, const Entry* b) { return a->values < b->values; });
    return out;
  }

 private:
  // Each value prefixed by its length, so that no two lists of values share a key.
  template <class Strings>
  static std::string key_of(const Strings& values) {
    std::string key;
    for (const std::string_view value : values)
      key.append(std::to_string(value.size())).append(":").append(value);
    return key;
  }
  static auto maker(const Values& values) {
    return [&values] { return std::make_unique<Entry>(values); };
  }

  CappedMap<Entry> m_entries;
};

}  // namespace llmgw::daemon::series
