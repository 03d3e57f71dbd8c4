-- Steps demo runs of trygghetskedjan to their end, the way a visitor with the run page does
-- (POST .../step, X-Live: 1): each wrk thread has one connection and its own list of runs, steps the
-- first until the live part says the run is over, then goes on with the next. So every step measured
-- moves a live run. Arguments after "--": CSRF token, number of wrk threads, run ids. The JSON line at
-- the end is the one bench/wrk_report.lua prints.
local threads = 0

function setup(thread)
  thread:set("number", threads)
  threads = threads + 1
end

function init(args)
  local count = tonumber(args[2])
  runs = {}
  for i = 3 + number, #args, count do
    runs[#runs + 1] = args[i]
  end
  current = 1
  wrk.method = "POST"
  wrk.body = "csrf_token=" .. args[1]
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["X-Live"] = "1"
end

function request()
  return wrk.format(nil, "/trygghetskedjan/runs/" .. runs[(current - 1) % #runs + 1] .. "/step")
end

function response(status, headers, body)
  if string.find(body, 'data-over="1"', 1, true) then
    current = current + 1
  end
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"rps":%.1f,"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
