// The value at fraction p (0..1) of `values` sorted (nearest rank); 0 for none. For the
// bench programs' figures.
#pragma once

#include <algorithm>
#include <vector>

inline double percentile(std::vector<double> values, double p) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[index];
}
