-- wrk script: MyFamily for a rotating set of guardians, one (token, body) pair each.
--   BENCH_TOKENS: a file of access tokens, one a line; BENCH_BODY: the JSON request body.
-- Each thread starts at a different place in the rotation. done() prints one JSON line
-- with the counts, answers with GraphQL errors, and latency percentiles (microseconds).

local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
  if #line > 0 then tokens[#tokens + 1] = line end
end
local file = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
local body = file:read("*a")
file:close()

local threads = {}
function setup(thread)
  thread:set("thread_number", #threads)
  threads[#threads + 1] = thread
end

local prepared = {}
local position = 0
function init(args)
  for index, token in ipairs(tokens) do
    prepared[index] = wrk.format("POST", nil, {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
      ["Accept-Language"] = "ar",
    }, body)
  end
  position = ((thread_number or 0) * 61) % #prepared
end

function request()
  position = position % #prepared + 1
  return prepared[position]
end

-- A 200 answer may still carry GraphQL errors (a registry timing out, a refused field).
graphql_errors = 0
function response(status, headers, body)
  if status == 200 and string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  local with_errors = 0
  for _, thread in ipairs(threads) do
    with_errors = with_errors + (thread:get("graphql_errors") or 0)
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
    '"non_2xx": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"timeouts": %d, "graphql_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, errors.status, errors.connect, errors.read, errors.write, errors.timeout, with_errors))
end
