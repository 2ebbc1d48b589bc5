-- wrk script for `make bench`: session cookie on every request; for a POST, the CSRF cookie
-- and header, htmx's header, and a form body whose last field toggles between 1 and 0 (so a
-- mark-read POST alternates marking and unmarking a reading). Prints one JSON line.
local method = os.getenv("BENCH_METHOD") or "GET"
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local body = os.getenv("BENCH_BODY") or ""

wrk.headers["Cookie"] = cookie
wrk.headers["Accept-Encoding"] = os.getenv("BENCH_ACCEPT_ENCODING") or "identity"
-- A repeat view by the same browser: the page's ETag, answered 304 while nothing changed.
local etag = os.getenv("BENCH_IF_NONE_MATCH") or ""
if etag ~= "" then wrk.headers["If-None-Match"] = etag end

-- BENCH_PATHS and BENCH_COOKIES (one per line, in step): requests go round these people and
-- paths, each person's form field toggling on their own turns.
local function lines(text)
  local out = {}
  for line in string.gmatch(text or "", "[^\n]+") do out[#out + 1] = line end
  return out
end
local paths, cookies = lines(os.getenv("BENCH_PATHS")), lines(os.getenv("BENCH_COOKIES"))

if method == "POST" then
  local sent, turns = 0, {}
  local headers = {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-CSRFToken"] = csrf,
    ["HX-Request"] = "true",
  }
  request = function()
    sent = sent + 1
    if #paths == 0 then
      return wrk.format("POST", nil, headers, body .. (sent % 2))
    end
    local i = (sent - 1) % #paths + 1
    turns[i] = (turns[i] or 0) + 1
    headers["Cookie"] = cookies[i]
    return wrk.format("POST", paths[i], headers, body .. (turns[i] % 2))
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
