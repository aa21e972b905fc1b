-- bench/http.lua - wrk script for make bench-http (bench/http.sh): the request from the
-- environment (KITH_METHOD, KITH_PATH, KITH_TOKEN, KITH_BODY, KITH_GZIP) and, when wrk is done,
-- one line "RESULT <req/s> <p50 ms> <p99 ms> <requests> <errors>" for the script to read.
-- A POST body's "{i}" becomes a number that differs on each request of a thread, so that
-- interactions are not all identical.
local method = os.getenv("KITH_METHOD") or "GET"
local path = os.getenv("KITH_PATH") or "/healthz"
local body = os.getenv("KITH_BODY")
local headers = {}
if (os.getenv("KITH_TOKEN") or "") ~= "" then
  headers["Authorization"] = "Bearer " .. os.getenv("KITH_TOKEN")
end
if (os.getenv("KITH_GZIP") or "") ~= "" then
  headers["Accept-Encoding"] = "gzip"
end
if body then
  headers["Content-Type"] = "application/json"
end

local counter = 0

request = function()
  if not body then
    return wrk.format(method, path, headers, nil)
  end
  counter = counter + 1
  return wrk.format(method, path, headers, (body:gsub("{i}", tostring(counter % 997 + 1))))
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %.0f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, errors))
end
