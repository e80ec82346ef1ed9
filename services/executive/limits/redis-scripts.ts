/**
 * The Lua scripts the Redis store registers with ioredis `defineCommand` (EVALSHA, falling back to
 * EVAL after a Redis restart flushed the script cache). Each runs atomically on the server, so one
 * admission check over a writer, its tables and their quotas is one round trip and no two
 * executives can both spend the same credit.
 *
 * Time comes from Redis's own clock (TIME) unless a test passes one: executives with skewed clocks
 * would otherwise disagree about every key's TAT.
 */

import { LIMITS_EPOCH_S } from './gcra.ts';

/** Redis's clock in microseconds since LIMITS_EPOCH (see gcra.ts). */
const redisNowUs = `local t = redis.call('TIME')
local now = (tonumber(t[1]) - ${LIMITS_EPOCH_S}) * 1000000 + tonumber(t[2])`;

/**
 * KEYS: quota-bytes, growth, growth-prev, then one rate key per rate check.
 * ARGV: nowUs ('' = Redis TIME), rate count, size count,
 *       per rate: intervalUs, burst, cost;
 *       per size: field, maxBytes (-1 = none), grows (1/0), addBytes, knownBytes.
 * Returns {0, 0, 0, fill...} admitted; {1, worstIndex, retryAfterUs, fill...} rate-limited;
 *         {2, sizeIndex, bytes} table full. fill = TAT minus now per rate key, in µs.
 * The GCRA arithmetic mirrors gcra.ts operation for operation (see the comment there).
 */
export const admitLua = `
${redisNowUs}
if ARGV[1] ~= '' then now = tonumber(ARGV[1]) end
local nRates = tonumber(ARGV[2])
local nSizes = tonumber(ARGV[3])
local sizeBase = 4 + 3 * nRates

-- Quotas first: waiting does not help a full table, so a 507 beats a 429.
for j = 0, nSizes - 1 do
  local a = sizeBase + 5 * j
  local max = tonumber(ARGV[a + 1])
  if max >= 0 and ARGV[a + 2] == '1' then
    local field = ARGV[a]
    local bytes = tonumber(redis.call('HGET', KEYS[1], field)) or tonumber(ARGV[a + 4])
    bytes = bytes + (tonumber(redis.call('HGET', KEYS[2], field)) or 0)
      + (tonumber(redis.call('HGET', KEYS[3], field)) or 0)
    if bytes + tonumber(ARGV[a + 3]) > max then
      return {2, j, bytes}
    end
  end
end

local tats = {}
local bases = {}
local worst = -1
local worstWait = 0
for i = 1, nRates do
  local a = 4 + 3 * (i - 1)
  local interval = tonumber(ARGV[a])
  local burst = tonumber(ARGV[a + 1])
  local cost = tonumber(ARGV[a + 2])
  local stored = tonumber(redis.call('GET', KEYS[3 + i]))
  local base = now
  if stored and stored > now then base = stored end
  bases[i] = base
  local charge = cost
  if charge > burst then charge = burst end
  local newTat = base + charge * interval
  local allowAt = newTat - burst * interval
  if now < allowAt then
    local wait = math.ceil(allowAt - now)
    if wait > worstWait then
      worst = i - 1
      worstWait = wait
    end
  end
  tats[i] = newTat
end

if worst >= 0 then
  local refused = {1, worst, worstWait}
  for i = 1, nRates do refused[#refused + 1] = bases[i] - now end
  return refused
end

local admitted = {0, 0, 0}
for i = 1, nRates do
  -- A second of slack: an expired key must already be idle, whatever the clock jitter.
  local ttlMs = math.ceil((tats[i] - now) / 1000) + 1000
  redis.call('SET', KEYS[3 + i], string.format('%.17g', tats[i]), 'PX', ttlMs)
  admitted[#admitted + 1] = tats[i] - now
end
for j = 0, nSizes - 1 do
  local a = sizeBase + 5 * j
  local add = tonumber(ARGV[a + 3])
  if add > 0 then redis.call('HINCRBY', KEYS[2], ARGV[a], add) end
end
return admitted
`;

/**
 * Gives back admitted charges (gcra.ts gcraRefund). KEYS: rate keys. ARGV: nowUs ('' = Redis
 * TIME), then per key the µs the charge moved its TAT (chargeOf × interval). A key whose TAT falls to
 * now or before is idle: deleted.
 */
export const refundLua = `
${redisNowUs}
if ARGV[1] ~= '' then now = tonumber(ARGV[1]) end
for i = 1, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i]))
  if tat then
    local refunded = tat - tonumber(ARGV[i + 1])
    if refunded > now then
      redis.call('SET', KEYS[i], string.format('%.17g', refunded), 'PX', math.ceil((refunded - now) / 1000) + 1000)
    else
      redis.call('DEL', KEYS[i])
    end
  end
end
return 1
`;

/**
 * KEYS: rate keys. ARGV: none. Returns TAT minus now (µs, 0 when idle) per key, for usage reports.
 */
export const rateFillLua = `
${redisNowUs}
local out = {}
for i = 1, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i]))
  if tat and tat > now then out[i] = tat - now else out[i] = 0 end
end
return out
`;

/**
 * Starts a measurement. KEYS: measure-lock, growth, growth-prev. ARGV: token, lock TTL in ms.
 * Growth admitted so far moves to growth-prev: it stays counted until the new measurement (which
 * may or may not see those rows) replaces it; growth admitted from now on stays after the commit.
 * Returns 1 when this caller holds the lock, 0 when another measurement is running.
 */
export const beginMeasurementLua = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
local g = redis.call('HGETALL', KEYS[2])
for i = 1, #g, 2 do redis.call('HINCRBY', KEYS[3], g[i], g[i + 1]) end
redis.call('DEL', KEYS[2])
return 1
`;

/**
 * Publishes a measurement. KEYS: measure-lock, quota-bytes, size-info, growth-prev, measurements.
 * ARGV: token, then per table: field, quota bytes, info JSON. Tables no longer present disappear.
 * Returns 0 (and changes nothing) when the lock expired and may be held by someone else.
 */
export const commitMeasurementLua = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
for i = 2, #ARGV, 3 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 2])
end
redis.call('INCR', KEYS[5])
redis.call('DEL', KEYS[1])
return 1
`;

/** Gives up a measurement. KEYS: measure-lock. ARGV: token. */
export const abortMeasurementLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;
