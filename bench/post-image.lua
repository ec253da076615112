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
