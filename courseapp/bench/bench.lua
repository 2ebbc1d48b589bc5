-- wrk script for `make bench`: session cookie on every request; for a POST, the CSRF cookie
-- and header, htmx's header, and a form body whose last field toggles between 1 and 0 (so a
-- mark-read POST alternates marking and unmarking the same reading). Prints one JSON line.
local method = os.getenv("BENCH_METHOD") or "GET"
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local body = os.getenv("BENCH_BODY") or ""

wrk.headers["Cookie"] = cookie
wrk.headers["Accept-Encoding"] = os.getenv("BENCH_ACCEPT_ENCODING") or "identity"

if method == "POST" then
  local sent = 0
  local headers = {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-CSRFToken"] = csrf,
    ["HX-Request"] = "true",
  }
  request = function()
    sent = sent + 1
    return wrk.format("POST", nil, headers, body .. (sent % 2))
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p90_ms": %.3f, '
      .. '"p99_ms": %.3f, "max_ms": %.3f, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout
  ))
end
