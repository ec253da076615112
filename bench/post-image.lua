-- wrk script: POST the file named by $IMAGE as the raw body of /classify (or of $REQUEST_PATH).
wrk.method = "POST"
wrk.path = os.getenv("REQUEST_PATH") or "/classify?topK=5"
wrk.headers["Content-Type"] = os.getenv("IMAGE_TYPE") or "image/png"
local f = assert(io.open(os.getenv("IMAGE"), "rb"))
wrk.body = f:read("*all")
f:close()

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("WRK,%.2f,%.2f,%.2f,%d,%d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, errors))
end

-- TIMINGS=1: also the medians of the server's own timings (the response's "timings"), for c=1 runs.
if os.getenv("TIMINGS") then
  local fields = {"decodeAndPreprocessMs", "queueWaitMs", "inferenceMs", "totalMs"}
  seen = "" -- per thread: one line per response, the fields separated by spaces
  response = function(status, headers, body)
    local row = {}
    for _, field in ipairs(fields) do
      row[#row + 1] = body:match('"' .. field .. '":([%d.]+)') or "nan"
    end
    seen = seen .. table.concat(row, " ") .. "\n"
  end
  local threads = {}
  setup = function(thread) table.insert(threads, thread) end
  local report = done
  done = function(summary, latency, requests)
    report(summary, latency, requests)
    local columns = {{}, {}, {}, {}}
    for _, thread in ipairs(threads) do
      for line in thread:get("seen"):gmatch("[^\n]+") do
        local i = 1
        for v in line:gmatch("%S+") do
          table.insert(columns[i], tonumber(v)); i = i + 1
        end
      end
    end
    local medians = {}
    for i, values in ipairs(columns) do
      table.sort(values)
      medians[i] = #values == 0 and 0 / 0 or values[math.floor((#values + 1) / 2)]
    end
    io.write(string.format("TIMINGS,%.2f,%.2f,%.2f,%.2f\n", medians[1], medians[2], medians[3], medians[4]))
  end
end
