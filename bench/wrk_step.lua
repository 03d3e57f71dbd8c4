-- Ticks the clock of demo runs of trygghetskedjan the way the run page's script does (POST .../advance,
-- X-Live: 1). Arguments after "--": CSRF token, number of wrk threads, the action ("advance"), extra
-- form fields (e.g. "seconds=60", or "-"), run ids. Each thread ticks its own share of the runs in
-- turn, so with one connection per run a run is rarely ticked twice at once. The JSON
-- line at the end is the one bench/wrk_report.lua prints.
local threads = 0

function setup(thread)
  thread:set("number", threads)
  threads = threads + 1
end

function init(args)
  local count = tonumber(args[2])
  paths = {}
  for i = 5 + number, #args, count do
    paths[#paths + 1] = "/trygghetskedjan/runs/" .. args[i] .. "/" .. args[3]
  end
  sent = 0
  wrk.method = "POST"
  wrk.body = "csrf_token=" .. args[1]
  if args[4] ~= "-" then
    wrk.body = wrk.body .. "&" .. args[4]
  end
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["X-Live"] = "1"
end

function request()
  sent = sent + 1
  return wrk.format(nil, paths[(sent - 1) % #paths + 1])
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
