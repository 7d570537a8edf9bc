-- wrk script for benchmarks/incidents_intake.py: one request per distinct elevator.
-- args: <stride = number of wrk threads> <path> <first elevator index>
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  n = 0
  stride = tonumber(args[1]) or 1
  path = args[2] or "/api/v1/incidents"
  first = tonumber(args[3]) or 0
end

function request()
  local i = first + id + n * stride
  n = n + 1
  if path ~= "/api/v1/incidents" then
    return wrk.format("POST", path, {["Content-Type"] = "application/json"}, "{}")
  end
  local body = string.format(
    '{"rescue_code":"%06d","kind":"trapped","trapped_count":1,"caller_phone":"13800000000"}', i)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%d-%d", first, i),
    -- one resident per elevator: the per-client rate limit stays in the path, never trips
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d",
      math.floor(i / 65536) % 256, math.floor(i / 256) % 256, i % 256),
  }
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    "RESULT requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
