// The daemon's Prometheus metrics: the exact text for known observations, exact counts
// under concurrent recording, the caps on label values and series, and the text format
// read back by an independent parser of the exposition format.
#include "daemon/metrics.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon/prometheus_text.hpp"

using namespace llmgw;
using namespace llmgw::daemon;

namespace {

using Statuses = std::vector<HealthRegistry::DeploymentStatus>;

// One sample line, read back: name, unescaped labels in their order, value text.
struct Sample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  std::string value;
};

// Reads a label block `{a="x",b="y"}` starting at `text[at] == '{'`; returns the index
// after the closing brace. Fails the test on anything the format does not allow.
std::size_t read_labels(const std::string& text, std::size_t at, Sample& sample) {
  REQUIRE(text[at] == '{');
  ++at;
  while (text[at] != '}') {
    const std::size_t equals = text.find('=', at);
    REQUIRE(equals != std::string::npos);
    std::string name = text.substr(at, equals - at);
    REQUIRE(text[equals + 1] == '"');
    std::string value;
    std::size_t i = equals + 2;
    for (; text[i] != '"'; ++i) {
      REQUIRE(i < text.size());
      REQUIRE(text[i] != '\n');
      if (text[i] == '\\') {
        ++i;
        REQUIRE((text[i] == '\\' || text[i] == '"' || text[i] == 'n'));
        value += text[i] == 'n' ? '\n' : text[i];
      } else {
        value += text[i];
      }
    }
    sample.labels.emplace_back(std::move(name), std::move(value));
    at = i + 1;
    if (text[at] == ',')
      ++at;
  }
  return at + 1;
}

// Every sample of a rendered text, checking the line grammar on the way: comments are
// only HELP and TYPE, each family's come once and before its samples, values parse as
// finite numbers in the C locale.
std::vector<Sample> parse(const std::string& text) {
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  std::vector<Sample> out;
  std::map<std::string, int> helps, types;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      ++helps[line.substr(7, line.find(' ', 7) - 7)];
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      const std::string family = line.substr(7, line.find(' ', 7) - 7);
      ++types[family];
      CHECK(helps[family] == 1);
      continue;
    }
    REQUIRE(line[0] != '#');
    Sample sample;
    std::size_t at = line.find_first_of("{ ");
    REQUIRE(at != std::string::npos);
    sample.name = line.substr(0, at);
    if (line[at] == '{')
      at = read_labels(line, at, sample);
    REQUIRE(line[at] == ' ');
    sample.value = line.substr(at + 1);
    char* end = nullptr;
    const double value = std::strtod(sample.value.c_str(), &end);
    CHECK(*end == '\0');
    CHECK(std::isfinite(value));
    out.push_back(std::move(sample));
  }
  for (const auto& [family, count] : helps) {
    CHECK(count == 1);
    CHECK(types[family] == 1);
  }
  return out;
}

std::vector<const Sample*> named(const std::vector<Sample>& samples, const std::string& name) {
  std::vector<const Sample*> out;
  for (const Sample& sample : samples)
    if (sample.name == name)
      out.push_back(&sample);
  return out;
}

// What value_of gives for a sample that is not there.
const std::string k_absent = "(absent)";

// The value of the one sample with this name and exactly these labels, or k_absent.
std::string value_of(const std::vector<Sample>& samples, const std::string& name,
                     const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string found = k_absent;
  for (const Sample& sample : samples)
    if (sample.name == name && sample.labels == labels) {
      REQUIRE(found == k_absent);
      found = sample.value;
    }
  return found;
}

RequestObservation chat(const std::string& provider, const std::string& model, int status = 200) {
  RequestObservation o;
  o.endpoint = "chat";
  o.provider = provider;
  o.model = model;
  o.status = status;
  return o;
}

// Exactly representable durations, so that sums can be compared as text.
RequestObservation sample_observation() {
  RequestObservation o = chat("openai", "gpt-4o-mini");
  o.duration_seconds = 0.25;
  o.upstream_seconds = 0.2421875;  // so the overhead is 0.0078125 (2^-7)
  o.input_tokens = 100;
  o.output_tokens = 20;
  o.cached_input_tokens = 64;
  o.reasoning_tokens = 8;
  o.cost_usd = 0.0015;
  o.cache = CacheOutcome::miss;
  o.retries = 1;
  return o;
}

std::string duration_buckets(const std::string& name, const std::string& labels,
                             const std::vector<int>& cumulative) {
  static const char* bounds[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
                                 "2.5",   "5",    "10",    "30",   "60",  "120",  "300", "+Inf"};
  std::string out;
  for (std::size_t i = 0; i < 16; ++i)
    out += name + "_bucket{" + labels + ",le=\"" + bounds[i] + "\"} " +
           std::to_string(cumulative[i]) + "\n";
  return out;
}

}  // namespace

TEST_CASE("metrics: the exact text for one request", "[metrics]") {
  Metrics metrics;
  metrics.observe(sample_observation());
  const auto guard = metrics.in_flight();
  Statuses breakers(1);
  breakers[0].provider = "openai";
  breakers[0].base_url = "https://api.openai.com/v1";
  breakers[0].requests = 2;
  breakers[0].failures = 1;

  const std::vector<int> at_quarter = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const std::string expected =
      "# HELP llmgw_requests_total Requests finished, by endpoint, the provider and model that "
      "served or last failed (empty when none was known) and the HTTP status sent.\n"
      "# TYPE llmgw_requests_total counter\n"
      "llmgw_requests_total{endpoint=\"chat\",provider=\"openai\",model=\"gpt-4o-mini\","
      "status=\"200\"} 1\n"
      "# HELP llmgw_request_duration_seconds Duration of whole requests, as the client saw them.\n"
      "# TYPE llmgw_request_duration_seconds histogram\n" +
      duration_buckets("llmgw_request_duration_seconds", "endpoint=\"chat\"", at_quarter) +
      "llmgw_request_duration_seconds_sum{endpoint=\"chat\"} 0.25\n"
      "llmgw_request_duration_seconds_count{endpoint=\"chat\"} 1\n"
      "# HELP llmgw_upstream_duration_seconds Time a request waited on providers (every "
      "attempt), by the provider that served or last failed.\n"
      "# TYPE llmgw_upstream_duration_seconds histogram\n" +
      duration_buckets("llmgw_upstream_duration_seconds", "provider=\"openai\"", at_quarter) +
      "llmgw_upstream_duration_seconds_sum{provider=\"openai\"} 0.2421875\n"
      "llmgw_upstream_duration_seconds_count{provider=\"openai\"} 1\n"
      "# HELP llmgw_overhead_seconds The gateway's own time per request: its duration minus the "
      "time upstream.\n"
      "# TYPE llmgw_overhead_seconds histogram\n"
      "llmgw_overhead_seconds_bucket{le=\"1e-05\"} 0\n"
      "llmgw_overhead_seconds_bucket{le=\"2.5e-05\"} 0\n"
      "llmgw_overhead_seconds_bucket{le=\"5e-05\"} 0\n"
      "llmgw_overhead_seconds_bucket{le=\"0.0001\"} 0\n"
      "llmgw_overhead_seconds_bucket{le=\"0.00025\"} 0\n"
      "llmgw_overhead_seconds_bucket{le=\"0.0005\"} 0\n"
      "llmgw_overhead_seconds_bucket{le=\"0.001\"} 0\n"
      "llmgw_overhead_seconds_bucket{le=\"0.0025\"} 0\n"
      "llmgw_overhead_seconds_bucket{le=\"0.005\"} 0\n"
      "llmgw_overhead_seconds_bucket{le=\"0.01\"} 1\n"
      "llmgw_overhead_seconds_bucket{le=\"0.025\"} 1\n"
      "llmgw_overhead_seconds_bucket{le=\"0.05\"} 1\n"
      "llmgw_overhead_seconds_bucket{le=\"0.1\"} 1\n"
      "llmgw_overhead_seconds_bucket{le=\"+Inf\"} 1\n"
      "llmgw_overhead_seconds_sum 0.0078125\n"
      "llmgw_overhead_seconds_count 1\n"
      "# HELP llmgw_tokens_total Tokens providers reported; cached_input and cache_write are "
      "part of input, reasoning part of output.\n"
      "# TYPE llmgw_tokens_total counter\n"
      "llmgw_tokens_total{provider=\"openai\",model=\"gpt-4o-mini\",type=\"cache_write\"} 0\n"
      "llmgw_tokens_total{provider=\"openai\",model=\"gpt-4o-mini\",type=\"cached_input\"} 64\n"
      "llmgw_tokens_total{provider=\"openai\",model=\"gpt-4o-mini\",type=\"input\"} 100\n"
      "llmgw_tokens_total{provider=\"openai\",model=\"gpt-4o-mini\",type=\"output\"} 20\n"
      "llmgw_tokens_total{provider=\"openai\",model=\"gpt-4o-mini\",type=\"reasoning\"} 8\n"
      "# HELP llmgw_cost_usd_total Cost of the answers in US dollars at llmgw's prices "
      "(unpriced answers add nothing).\n"
      "# TYPE llmgw_cost_usd_total counter\n"
      "llmgw_cost_usd_total{provider=\"openai\",model=\"gpt-4o-mini\"} 0.0015\n"
      "# HELP llmgw_cache_requests_total Requests the response cache could answer, by result.\n"
      "# TYPE llmgw_cache_requests_total counter\n"
      "llmgw_cache_requests_total{result=\"hit\"} 0\n"
      "llmgw_cache_requests_total{result=\"miss\"} 1\n"
      "# HELP llmgw_retries_total Attempts beyond a request's first, by the provider that "
      "served or last failed.\n"
      "# TYPE llmgw_retries_total counter\n"
      "llmgw_retries_total{provider=\"openai\"} 1\n"
      "# HELP llmgw_in_flight_requests Requests being answered now.\n"
      "# TYPE llmgw_in_flight_requests gauge\n"
      "llmgw_in_flight_requests 1\n"
      "# HELP llmgw_breaker_state Circuit breaker per deployment: 0 closed, 1 half-open, 2 open "
      "(the worst of its keys).\n"
      "# TYPE llmgw_breaker_state gauge\n"
      "llmgw_breaker_state{provider=\"openai\",base_url=\"https://api.openai.com/v1\"} 0\n"
      "# HELP llmgw_breaker_requests_total Attempts sent to a deployment, all its keys "
      "together.\n"
      "# TYPE llmgw_breaker_requests_total counter\n"
      "llmgw_breaker_requests_total{provider=\"openai\",base_url=\"https://api.openai.com/v1\"} "
      "2\n"
      "# HELP llmgw_breaker_failures_total Of those attempts, the ones that counted against the "
      "deployment's health.\n"
      "# TYPE llmgw_breaker_failures_total counter\n"
      "llmgw_breaker_failures_total{provider=\"openai\",base_url=\"https://api.openai.com/v1\"} "
      "1\n"
      "# HELP llmgw_uptime_seconds Seconds since the daemon started.\n"
      "# TYPE llmgw_uptime_seconds gauge\n"
      "llmgw_uptime_seconds 42.5\n";
  CHECK(metrics.render(breakers, 42.5) == expected);
}

TEST_CASE("metrics: series are sorted, labels escaped, requests without provider counted",
          "[metrics]") {
  Metrics metrics;
  RequestObservation weird = chat("mock", "we\"ird\\na\nme");
  weird.duration_seconds = 0.001;
  weird.output_tokens = 3;
  metrics.observe(weird);
  RequestObservation bad_request = chat("", "", 400);  // rejected before any routing
  bad_request.duration_seconds = 0.0001;
  metrics.observe(bad_request);
  metrics.observe(chat("openai", "gpt-4o", 429));
  metrics.observe(chat("anthropic", "claude-sonnet-4"));
  RequestObservation embed = chat("openai", "text-embedding-3-small");
  embed.endpoint = "embeddings";
  metrics.observe(embed);
  RequestObservation hit = chat("openai", "gpt-4o");
  hit.cache = CacheOutcome::hit;
  metrics.observe(hit);
  metrics.observe(hit);

  const std::string text = metrics.render({}, 1);
  // The raw line shows each escape the format defines.
  CHECK(text.find("model=\"we\\\"ird\\\\na\\nme\"") != std::string::npos);
  const auto samples = parse(text);

  std::vector<std::vector<std::string>> request_labels;
  for (const Sample* s : named(samples, "llmgw_requests_total")) {
    std::vector<std::string> values;
    for (const auto& [name, value] : s->labels)
      values.push_back(value);
    request_labels.push_back(values);
  }
  const std::vector<std::vector<std::string>> sorted = {
      {"chat", "", "", "400"},
      {"chat", "anthropic", "claude-sonnet-4", "200"},
      {"chat", "mock", "we\"ird\\na\nme", "200"},
      {"chat", "openai", "gpt-4o", "200"},
      {"chat", "openai", "gpt-4o", "429"},
      {"embeddings", "openai", "text-embedding-3-small", "200"},
  };
  CHECK(request_labels == sorted);
  CHECK(
      value_of(
          samples, "llmgw_requests_total",
          {{"endpoint", "chat"}, {"provider", "openai"}, {"model", "gpt-4o"}, {"status", "200"}}) ==
      "2");
  CHECK(value_of(samples, "llmgw_tokens_total",
                 {{"provider", "mock"}, {"model", "we\"ird\\na\nme"}, {"type", "output"}}) == "3");
  CHECK(value_of(samples, "llmgw_cache_requests_total", {{"result", "hit"}}) == "2");
  CHECK(value_of(samples, "llmgw_cache_requests_total", {{"result", "miss"}}) == "0");
  CHECK(value_of(samples, "llmgw_request_duration_seconds_count", {{"endpoint", "chat"}}) == "6");
  CHECK(value_of(samples, "llmgw_request_duration_seconds_bucket",
                 {{"endpoint", "chat"}, {"le", "0.005"}}) == "6");
  // Nothing went upstream and nothing was retried: no provider series, no cost series
  // for models without a price.
  CHECK(named(samples, "llmgw_upstream_duration_seconds_count").empty());
  CHECK(named(samples, "llmgw_retries_total").empty());
  CHECK(value_of(samples, "llmgw_cost_usd_total",
                 {{"provider", "mock"}, {"model", "we\"ird\\na\nme"}}) == "0");
  CHECK(named(samples, "llmgw_cost_usd_total").size() == 1);
}

TEST_CASE("metrics: histogram buckets are cumulative, bounds inclusive", "[metrics]") {
  Metrics metrics;
  for (const double seconds : {0.005, 0.0050001, 0.3, 301.0, 0.0})
    metrics.observe([&] {
      RequestObservation o = chat("openai", "gpt-4o");
      o.duration_seconds = seconds;
      o.upstream_seconds = seconds;
      return o;
    }());
  const auto samples = parse(metrics.render({}, 0));
  const auto bucket = [&](const std::string& le) {
    return value_of(samples, "llmgw_request_duration_seconds_bucket",
                    {{"endpoint", "chat"}, {"le", le}});
  };
  CHECK(bucket("0.005") == "2");  // 0 and exactly 0.005
  CHECK(bucket("0.01") == "3");
  CHECK(bucket("0.25") == "3");
  CHECK(bucket("0.5") == "4");
  CHECK(bucket("300") == "4");
  CHECK(bucket("+Inf") == "5");
  CHECK(value_of(samples, "llmgw_request_duration_seconds_count", {{"endpoint", "chat"}}) == "5");
  CHECK(std::stod(value_of(samples, "llmgw_request_duration_seconds_sum",
                           {{"endpoint", "chat"}})) == Approx(301.3100001));
  // Upstream took the whole request each time: no overhead at all.
  CHECK(value_of(samples, "llmgw_overhead_seconds_bucket", {{"le", "1e-05"}}) == "5");
  CHECK(value_of(samples, "llmgw_overhead_seconds_sum", {}) == "0");
}

TEST_CASE("metrics: nonsense measurements still render as finite numbers", "[metrics]") {
  Metrics metrics;
  RequestObservation o = chat("openai", "gpt-4o");
  o.duration_seconds = std::numeric_limits<double>::quiet_NaN();
  o.upstream_seconds = -3;
  o.cost_usd = std::numeric_limits<double>::infinity();
  o.input_tokens = -5;
  o.output_tokens = 7;
  metrics.observe(o);
  RequestObservation forever = chat("openai", "gpt-4o");
  forever.duration_seconds = std::numeric_limits<double>::infinity();
  metrics.observe(forever);
  const auto samples = parse(metrics.render({}, std::numeric_limits<double>::quiet_NaN()));
  CHECK(value_of(samples, "llmgw_request_duration_seconds_bucket",
                 {{"endpoint", "chat"}, {"le", "0.005"}}) == "1");
  CHECK(value_of(samples, "llmgw_request_duration_seconds_bucket",
                 {{"endpoint", "chat"}, {"le", "+Inf"}}) == "2");
  CHECK(value_of(samples, "llmgw_cost_usd_total", {{"provider", "openai"}, {"model", "gpt-4o"}}) ==
        "0");
  CHECK(value_of(samples, "llmgw_tokens_total",
                 {{"provider", "openai"}, {"model", "gpt-4o"}, {"type", "input"}}) == "0");
  CHECK(value_of(samples, "llmgw_uptime_seconds", {}) == "0");
}

TEST_CASE("metrics: 8 threads x 10,000 observations give exact counts and sums", "[metrics]") {
  Metrics metrics;
  constexpr int k_threads = 8;
  constexpr int k_each = 10'000;
  std::vector<std::thread> threads;
  std::atomic<bool> done{false};
  // Scrapes all the while; the first ones are kept and read afterwards (Catch's assertions
  // are for the main thread).
  std::vector<std::string> scrapes;
  std::thread scraper([&] {
    while (!done.load()) {
      std::string text = metrics.render({}, 1);
      if (scrapes.size() < 200)
        scrapes.push_back(std::move(text));
    }
  });
  for (int t = 0; t < k_threads; ++t)
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < k_each; ++i) {
        const auto guard = metrics.in_flight();
        // Half the threads share one model; the others have one each.
        RequestObservation o = chat("openai", t % 2 == 0 ? "shared" : "own-" + std::to_string(t));
        // Multiples of 1/512 s: exact in binary and in nanoseconds.
        o.duration_seconds = 3.0 / 512;
        o.upstream_seconds = 2.0 / 512;
        o.input_tokens = 3;
        o.output_tokens = 2;
        o.cost_usd = 0.0001;
        o.cache = i % 4 == 0 ? CacheOutcome::hit : CacheOutcome::miss;
        o.retries = i % 10 == 0 ? 1 : 0;
        metrics.observe(o);
      }
    });
  for (auto& thread : threads)
    thread.join();
  done = true;
  scraper.join();

  const auto samples = parse(metrics.render({}, 1));
  const auto requests = [&](const std::string& model) {
    return value_of(
        samples, "llmgw_requests_total",
        {{"endpoint", "chat"}, {"provider", "openai"}, {"model", model}, {"status", "200"}});
  };
  CHECK(requests("shared") == "40000");
  for (const int t : {1, 3, 5, 7})
    CHECK(requests("own-" + std::to_string(t)) == "10000");
  CHECK(value_of(samples, "llmgw_request_duration_seconds_count", {{"endpoint", "chat"}}) ==
        "80000");
  CHECK(value_of(samples, "llmgw_request_duration_seconds_sum", {{"endpoint", "chat"}}) ==
        "468.75");
  CHECK(value_of(samples, "llmgw_request_duration_seconds_bucket",
                 {{"endpoint", "chat"}, {"le", "0.005"}}) == "0");
  CHECK(value_of(samples, "llmgw_request_duration_seconds_bucket",
                 {{"endpoint", "chat"}, {"le", "0.01"}}) == "80000");
  CHECK(value_of(samples, "llmgw_upstream_duration_seconds_sum", {{"provider", "openai"}}) ==
        "312.5");
  CHECK(value_of(samples, "llmgw_overhead_seconds_sum", {}) == "156.25");
  CHECK(value_of(samples, "llmgw_overhead_seconds_bucket", {{"le", "0.001"}}) == "0");
  CHECK(value_of(samples, "llmgw_overhead_seconds_bucket", {{"le", "0.0025"}}) == "80000");
  CHECK(value_of(samples, "llmgw_tokens_total",
                 {{"provider", "openai"}, {"model", "shared"}, {"type", "input"}}) == "120000");
  CHECK(value_of(samples, "llmgw_cost_usd_total", {{"provider", "openai"}, {"model", "shared"}}) ==
        "4");
  CHECK(value_of(samples, "llmgw_cache_requests_total", {{"result", "hit"}}) == "20000");
  CHECK(value_of(samples, "llmgw_cache_requests_total", {{"result", "miss"}}) == "60000");
  CHECK(value_of(samples, "llmgw_retries_total", {{"provider", "openai"}}) == "8000");
  CHECK(value_of(samples, "llmgw_in_flight_requests", {}) == "0");

  // Every scrape taken meanwhile was well-formed, and counters never went back.
  REQUIRE(!scrapes.empty());
  std::uint64_t previous = 0;
  for (const std::string& text : scrapes) {
    const auto during = parse(text);
    const auto count =
        value_of(during, "llmgw_request_duration_seconds_count", {{"endpoint", "chat"}});
    const std::uint64_t now = count == k_absent ? 0 : std::stoull(count);
    CHECK(now >= previous);
    CHECK(now <= 80000);
    previous = now;
    const auto in_flight = std::stoi(value_of(during, "llmgw_in_flight_requests", {}));
    CHECK(in_flight >= 0);
    CHECK(in_flight <= k_threads);
  }
}

TEST_CASE("metrics: in-flight requests are counted while their guard lives", "[metrics]") {
  Metrics metrics;
  const auto in_flight = [&] {
    return value_of(parse(metrics.render({}, 0)), "llmgw_in_flight_requests", {});
  };
  CHECK(in_flight() == "0");
  {
    auto first = metrics.in_flight();
    const auto second = metrics.in_flight();
    CHECK(in_flight() == "2");
    {
      const auto moved = std::move(first);
      CHECK(in_flight() == "2");
    }
    CHECK(in_flight() == "1");
  }
  CHECK(in_flight() == "0");
}

TEST_CASE("metrics: model labels past the cap are \"other\"", "[metrics]") {
  MetricsLimits limits;
  limits.max_models = 3;
  Metrics metrics(limits);
  for (int i = 0; i < 10; ++i) {
    RequestObservation o = chat("openai", "model-" + std::to_string(i));
    o.input_tokens = 1;
    metrics.observe(o);
  }
  // A model admitted before the cap was reached keeps its own series.
  metrics.observe(chat("openai", "model-1"));
  metrics.observe(chat("openai", std::string(201, 'x')));  // too long for a label

  const auto samples = parse(metrics.render({}, 0));
  const auto requests = [&](const std::string& model) {
    return value_of(
        samples, "llmgw_requests_total",
        {{"endpoint", "chat"}, {"provider", "openai"}, {"model", model}, {"status", "200"}});
  };
  CHECK(requests("model-0") == "1");
  CHECK(requests("model-1") == "2");
  CHECK(requests("model-2") == "1");
  CHECK(requests("model-3") == k_absent);
  CHECK(requests("other") == "8");
  CHECK(named(samples, "llmgw_requests_total").size() == 4);
  // The same cut in every family.
  CHECK(value_of(samples, "llmgw_tokens_total",
                 {{"provider", "openai"}, {"model", "other"}, {"type", "input"}}) == "7");
  CHECK(named(samples, "llmgw_tokens_total").size() == 4 * 5);
}

TEST_CASE("metrics: a full family puts new series under provider and model \"other\"",
          "[metrics]") {
  MetricsLimits limits;
  limits.max_series = 2;
  Metrics metrics(limits);
  metrics.observe(chat("openai", "a"));
  metrics.observe(chat("openai", "b"));
  for (int i = 0; i < 1000; ++i)
    metrics.observe(chat("anthropic", "m" + std::to_string(i), i % 2 == 0 ? 200 : 500));

  const auto samples = parse(metrics.render({}, 0));
  CHECK(named(samples, "llmgw_requests_total").size() == 4);
  CHECK(
      value_of(samples, "llmgw_requests_total",
               {{"endpoint", "chat"}, {"provider", "openai"}, {"model", "b"}, {"status", "200"}}) ==
      "1");
  // The daemon's own labels (endpoint, status) are kept, so errors stay visible.
  CHECK(value_of(
            samples, "llmgw_requests_total",
            {{"endpoint", "chat"}, {"provider", "other"}, {"model", "other"}, {"status", "200"}}) ==
        "500");
  CHECK(value_of(
            samples, "llmgw_requests_total",
            {{"endpoint", "chat"}, {"provider", "other"}, {"model", "other"}, {"status", "500"}}) ==
        "500");
}

TEST_CASE("metrics: breakers are shown per provider and base URL, worst key first", "[metrics]") {
  const auto status = [](const std::string& provider, const std::string& url, BreakerState state,
                         std::uint64_t requests, std::uint64_t failures) {
    HealthRegistry::DeploymentStatus s;
    s.provider = provider;
    s.base_url = url;
    s.breaker.state = state;
    s.requests = requests;
    s.failures = failures;
    return s;
  };
  const Statuses breakers = {
      status("anthropic", "https://api.anthropic.com", BreakerState::half_open, 4, 3),
      status("openai", "https://api.openai.com/v1", BreakerState::closed, 10, 0),
      status("openai", "https://api.openai.com/v1", BreakerState::open, 5, 5),
      status("openai", "https://proxy.example/v1", BreakerState::closed, 1, 0),
  };
  Metrics metrics;
  const auto samples = parse(metrics.render(breakers, 0));
  const auto labels = [](const std::string& provider, const std::string& url) {
    return std::vector<std::pair<std::string, std::string>>{{"provider", provider},
                                                            {"base_url", url}};
  };
  CHECK(named(samples, "llmgw_breaker_state").size() == 3);
  CHECK(value_of(samples, "llmgw_breaker_state",
                 labels("anthropic", "https://api.anthropic.com")) == "1");
  CHECK(value_of(samples, "llmgw_breaker_state", labels("openai", "https://api.openai.com/v1")) ==
        "2");
  CHECK(value_of(samples, "llmgw_breaker_state", labels("openai", "https://proxy.example/v1")) ==
        "0");
  CHECK(value_of(samples, "llmgw_breaker_requests_total",
                 labels("openai", "https://api.openai.com/v1")) == "15");
  CHECK(value_of(samples, "llmgw_breaker_failures_total",
                 labels("openai", "https://api.openai.com/v1")) == "5");
}

TEST_CASE("prometheus text: label escapes and number forms", "[metrics]") {
  CHECK(escape_label_value("plain") == "plain");
  CHECK(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
  CHECK(escape_label_value("tab\tstays") == "tab\tstays");
  CHECK(format_value(0) == "0");
  CHECK(format_value(2) == "2");
  CHECK(format_value(0.1) == "0.1");
  CHECK(format_value(0.0001) == "0.0001");
  CHECK(format_value(1e-5) == "1e-05");
  CHECK(format_value(-12.5) == "-12.5");
  CHECK(format_value(1e20) == "1e+20");
  CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  for (const double value : {0.1, 1.0 / 3, 123456.789, 2.5e-7, 9007199254740993.0})
    CHECK(std::strtod(format_value(value).c_str(), nullptr) == value);
}
