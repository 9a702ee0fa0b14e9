// Runs code that must fail and hands back the llmgw::Error it threw, so tests can assert
// on kind, status, message and fix. Throwing nothing fails the test.
#pragma once

#include <catch2/catch.hpp>

#include "core/error.hpp"

namespace llmgw::test {

template <class F>
Error error_of(F&& action) {
  try {
    action();
  } catch (const GatewayError& e) {
    return e.error();
  }
  FAIL("expected a GatewayError");
  return {};
}

}  // namespace llmgw::test
