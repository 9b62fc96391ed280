-- wrk script for deploy/bench.sh http: GETs the paths listed in WRK_PATHS (one per line), each thread its own share of
-- them in turn, so no two requests in flight read the same ticket (one reader per ticket, as PC pages poll their own).
local threads = 0
function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
  thread:set("count", tonumber(os.getenv("WRK_THREADS") or "1"))
end

local paths = {}
local cursor = 1
function init(args)
  local all = {}
  for line in io.lines(os.getenv("WRK_PATHS")) do all[#all + 1] = line end
  for i = index + 1, #all, count do paths[#paths + 1] = all[i] end
end

function request()
  local path = paths[cursor]
  cursor = cursor % #paths + 1
  return wrk.format("GET", path)
end
