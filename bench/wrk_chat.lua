-- wrk script for bench/daemon.sh: POSTs one non-streamed chat completion per request.
-- The model comes from the environment (WRK_MODEL): "gpt-4o-mini" straight to the fake
-- upstream, "bench/gpt-4o-mini" through the daemon. Prints the answers that failed.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"' .. (os.getenv("WRK_MODEL") or "gpt-4o-mini") ..
           '","messages":[{"role":"user","content":"Say hello"}]}'

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("  errors: %d answers of 4xx/5xx, %d socket (connect %d, read %d, " ..
                         "write %d, timeout %d)\n", e.status,
                         e.connect + e.read + e.write + e.timeout,
                         e.connect, e.read, e.write, e.timeout))
end
