import { createHash } from 'node:crypto';

/** A Lua script run with EVALSHA, sent whole only when Redis does not know it yet (e.g. after a restart). */
export interface Script {
  lua: string;
  sha: string;
  keys: number;
}

const script = (keys: number, body: string): Script => {
  const lua = PRELUDE + body;
  return { lua, sha: createHash('sha1').update(lua).digest('hex'), keys };
};

/** Counters live a day after their last use; their only job is to tell one acquisition from the next. */
const DAY = 24 * 60 * 60 * 1000;

/** A waiter's place is kept this long past the wait it announced, so a slow final attempt keeps its turn. */
export const QUEUE_SLACK = 250;

// Redis's own clock, so instances never compare theirs; waiters whose wait ran out (their process may be
// dead) leave the queue.
const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function prune(queue, deadlines, now, keep)
  for _, w in ipairs(redis.call('ZRANGE', queue, 0, -1)) do
    local d = tonumber(redis.call('HGET', deadlines, w))
    if w ~= keep and (not d or d < now) then
      redis.call('ZREM', queue, w)
      redis.call('HDEL', deadlines, w)
    end
  end
end
`;

/**
 * KEYS: lease, seq, queue, deadlines. ARGV: waiter, token suffix, lease ms, wait left ms,
 * mode (try | wait | final), channel, key. Returns {1, token} when granted, else {0, holder token}
 * ('' while the lock is free but promised to an earlier waiter).
 * A lock is free when no lease exists or the lease is a reservation (token '') kept for the queue's head;
 * only the head of the queue may take it, so nobody slips in between a release and the next waiter.
 */
export const ACQUIRE = script(
  4,
  `
local now = now_ms()
prune(KEYS[3], KEYS[4], now, ARGV[1])
local token = redis.call('HGET', KEYS[1], 'token')
local head = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
if (not token or token == '') and (not head or head == ARGV[1]) then
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('HDEL', KEYS[4], ARGV[1])
  local n = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ${DAY})
  local mine = n .. ':' .. ARGV[2]
  redis.call('HSET', KEYS[1], 'token', mine, 'settling', '0')
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {1, mine}
end
if ARGV[5] ~= 'wait' then
  if redis.call('ZREM', KEYS[3], ARGV[1]) == 1 then
    redis.call('HDEL', KEYS[4], ARGV[1])
    if token == '' and redis.call('ZCARD', KEYS[3]) == 0 then redis.call('DEL', KEYS[1]) end
    if not token or token == '' then redis.call('PUBLISH', ARGV[6], 'free ' .. ARGV[7]) end
  end
  return {0, token or ''}
end
if not redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ${DAY})
end
local keep = tonumber(ARGV[4]) + ${QUEUE_SLACK}
redis.call('HSET', KEYS[4], ARGV[1], now + keep)
for _, k in ipairs({KEYS[3], KEYS[4]}) do
  if redis.call('PTTL', k) < keep then redis.call('PEXPIRE', k, keep) end
end
return {0, token or ''}
`,
);

/**
 * KEYS: lease, queue, deadlines. ARGV: token, lease ms, channel, key. With waiters, the lease becomes a
 * reservation for the first of them, keeping the committed offset for status; else it is deleted.
 */
export const RELEASE = script(
  3,
  `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
prune(KEYS[2], KEYS[3], now_ms(), '')
if redis.call('ZCARD', KEYS[2]) > 0 then
  redis.call('HSET', KEYS[1], 'token', '', 'settling', '0')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
else
  redis.call('DEL', KEYS[1])
end
redis.call('PUBLISH', ARGV[3], 'free ' .. ARGV[4])
return 1
`,
);

/**
 * KEYS: lease. ARGV: token, lease ms, committed ('' = not yet known), settling (0 | 1), channel, key,
 * publish (0 | 1). Renews the lease and records the holder's state; 0 when the lease is no longer this one.
 */
export const SYNC = script(
  1,
  `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'committed', ARGV[3]) end
redis.call('HSET', KEYS[1], 'settling', ARGV[4])
if ARGV[7] == '1' then redis.call('PUBLISH', ARGV[5], 'state ' .. ARGV[6]) end
return 1
`,
);

/** KEYS: lease, seq. Returns {held 0 | 1, committed or '', settling 0 | 1, acquisitions so far}. */
export const STATE = script(
  2,
  `
local held = redis.call('EXISTS', KEYS[1])
local committed = redis.call('HGET', KEYS[1], 'committed') or ''
local settling = redis.call('HGET', KEYS[1], 'settling') or '0'
return {held, committed, settling, redis.call('GET', KEYS[2]) or '0'}
`,
);
