-- wrk script: the file named by $IMAGE as an Open Inference Protocol request to the model $MODEL,
-- as BYTES [1] through the binary-data extension ($V2_MODE=binary) or base64 inline (base64), with
-- classification: 5 as /classify?topK=5 gives.
local f = assert(io.open(os.getenv("IMAGE"), "rb"))
local image = f:read("*all")
f:close()
local mode = os.getenv("V2_MODE") or "binary"
wrk.method = "POST"
wrk.path = "/v2/models/" .. os.getenv("MODEL") .. "/infer"
local outputs = '"outputs":[{"name":"probabilities","parameters":{"classification":5}}]'

local function le32(n)
  return string.char(n % 256, math.floor(n / 256) % 256, math.floor(n / 65536) % 256, math.floor(n / 16777216) % 256)
end

local function base64(data)
  local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = {}
    for k = 3, 0, -1 do
      local idx = math.floor(n / 64 ^ k) % 64 + 1
      chars[#chars + 1] = alphabet:sub(idx, idx)
    end
    if not b then chars[3] = "=" end
    if not c then chars[4] = "=" end
    out[#out + 1] = table.concat(chars)
  end
  return table.concat(out)
end

if mode == "binary" then
  local element = le32(#image) .. image
  local head = '{"inputs":[{"name":"image","datatype":"BYTES","shape":[1],"parameters":{"binary_data_size":'
    .. #element .. '}}],' .. outputs .. '}'
  wrk.headers["Content-Type"] = "application/octet-stream"
  wrk.headers["Inference-Header-Content-Length"] = tostring(#head)
  wrk.body = head .. element
else
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"inputs":[{"name":"image","datatype":"BYTES","shape":[1],"data":["' .. base64(image) .. '"]}],' .. outputs .. '}'
end

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("WRK,%.2f,%.2f,%.2f,%d,%d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, errors))
end
