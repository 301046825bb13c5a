/**
 * The Lua scripts that make the Redis store's decisions atomic: Redis runs each one whole, with
 * nothing of another server's in between, which is what makes two claims of one name on two
 * servers end with exactly one owner.
 *
 * Entries are stored as the JSON the server wrote and republished as those same bytes (never
 * re-encoded in Lua: cjson would round timestamps to 14 digits). Keys other than KEYS[] are
 * built from the prefix, so the store wants one Redis (or a primary), not a Redis Cluster.
 */
import { createHash } from 'node:crypto';

export interface Script {
  lua: string;
  sha: string;
  keys: number;
}

function script(keys: number, lua: string): Script {
  return { lua, keys, sha: createHash('sha1').update(lua).digest('hex') };
}

const LIVE = `
local function live(servers, id, now)
  local rec = redis.call('HGET', servers, id)
  return rec ~= false and tonumber(cjson.decode(rec).expiresAt) > now
end
`;

/**
 * KEYS: components, servers, events channel.
 * ARGV: name, entry JSON, session, server id, now, member event, prefix.
 * Returns 'OK', or the JSON of the live owner that keeps the name.
 */
export const CLAIM = script(
  3,
  `${LIVE}
local name, entry, session, server, now, event, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7]
local cur = redis.call('HGET', KEYS[1], name)
if cur then
  local e = cjson.decode(cur)
  if e.server ~= server and e.session ~= session and live(KEYS[2], e.server, now) then return cur end
  if e.server ~= server then redis.call('SREM', prefix .. ':names:' .. e.server, name) end
end
redis.call('HSET', KEYS[1], name, entry)
redis.call('SADD', prefix .. ':names:' .. server, name)
redis.call('PUBLISH', KEYS[3], '{"type":"member","origin":"' .. server .. '","event":"' .. event .. '","entry":' .. entry .. '}')
return 'OK'
`,
);

/** KEYS: components, events channel. ARGV: name, session, server id, prefix. Returns 1 when removed. */
export const REMOVE = script(
  2,
  `
local name, session, server, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local cur = redis.call('HGET', KEYS[1], name)
if not cur then return 0 end
local e = cjson.decode(cur)
if e.server ~= server or e.session ~= session then return 0 end
redis.call('HDEL', KEYS[1], name)
redis.call('SREM', prefix .. ':names:' .. server, name)
redis.call('PUBLISH', KEYS[2], '{"type":"member","origin":"' .. server .. '","event":"leave","entry":' .. cur .. '}')
return 1
`,
);

/**
 * KEYS: servers, this server's lease key. ARGV: server id, record JSON, now, lease ms.
 * Returns 1 when the lease had expired (or never existed) before this renewal.
 */
export const RENEW = script(
  2,
  `${LIVE}
local dead = 1
if live(KEYS[1], ARGV[1], tonumber(ARGV[3])) then dead = 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[4])
return dead
`,
);

/**
 * Forgets a server's entries and its record. KEYS: servers, components, its lease key.
 * ARGV: server id, now, prefix, force ('1': the server itself is leaving). Returns the names dropped.
 */
export const PURGE = script(
  3,
  `${LIVE}
local server, now, prefix = ARGV[1], tonumber(ARGV[2]), ARGV[3]
if ARGV[4] ~= '1' and live(KEYS[1], server, now) then return 0 end
local set = prefix .. ':names:' .. server
local names = redis.call('SMEMBERS', set)
local dropped = 0
for _, n in ipairs(names) do
  local cur = redis.call('HGET', KEYS[2], n)
  if cur and cjson.decode(cur).server == server then
    redis.call('HDEL', KEYS[2], n)
    dropped = dropped + 1
  end
end
redis.call('DEL', set)
redis.call('HDEL', KEYS[1], server)
redis.call('DEL', KEYS[3])
return dropped
`,
);
