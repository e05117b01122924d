"""The sessions' change sets in a Redis or Valkey server that every process on one URL shares
(`--state-url redis://host:6379/0`): a write on one worker or server is read on every other
at once. `mockserver.engine.sessions` says what a change set is and opens this store.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import orjson

from mockserver.engine.sessions import Changes, StoreUnavailable, parse, render
from mockserver.errors import ConfigError

# Versions come from one counter per namespace, so that (session, version) is never reused,
# even across a reset. A counter that is missing (a new server, or FLUSHALL while processes
# keep their caches) starts from the server's clock in microseconds, above any version a
# process can hold. Numbers travel as strings: Lua's are doubles, printed in %.14g.
_BUMP = """
if redis.call('INCR', KEYS[1]) == 1 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], now[1] .. string.format('%06d', tonumber(now[2])))
end
local version = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[2], version)
return version
"""
_NEXT_KEY = """
local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local floor = tonumber(ARGV[2])
if floor > used then used = floor end
local key = string.format('%d', used + 1)
redis.call('HSET', KEYS[1], ARGV[1], key)
return key
"""
# KEYS: clock, v, r, n, c, s; ARGV: field, JSON ("" deleted), collection, key, the version the
# write was validated against ("": none). The record, the largest key used, and the version in
# one step; nothing (nil) when the session has moved from that version, so that a check and
# its put are one atomic step across processes (see `RedisSessions.put`).
_PUT = """
if ARGV[5] ~= '' and (redis.call('GET', KEYS[2]) or '0') ~= ARGV[5] then
  return false
end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
if tonumber(ARGV[4]) > tonumber(redis.call('HGET', KEYS[4], ARGV[3]) or '0') then
  redis.call('HSET', KEYS[4], ARGV[3], ARGV[4])
end
if redis.call('INCR', KEYS[1]) == 1 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], now[1] .. string.format('%06d', tonumber(now[2])))
end
local version = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[2], version)
redis.call('ZADD', KEYS[5], version, ARGV[1])
if redis.call('EXISTS', KEYS[6]) == 0 then
  redis.call('SET', KEYS[6], version)
end
return version
"""
# The records written after a version, with the current version, at once; {version} alone
# when the log cannot tell: `since` is before the log's start (the first put or the last
# load: a server that lost its keys starts a new log, above any version held) or after the
# current version (a reset).
_READ_SINCE = """
local version = redis.call('GET', KEYS[1])
if not version then
  if ARGV[1] == '0' then return {'0', 'ok'} end
  return {'0'}
end
local since = tonumber(ARGV[1])
local start = redis.call('GET', KEYS[2])
if not start or since < tonumber(start) or since > tonumber(version) then
  return {version}
end
local answer = {version, 'ok'}
for _, field in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. ARGV[1], '+inf')) do
  table.insert(answer, field)
  table.insert(answer, redis.call('HGET', KEYS[4], field))
end
return answer
"""
_DELETED = b""  # a record's JSON is never empty


class RedisSessions:
    """Change sets in a Redis or Valkey server that every process on the same URL shares.

    Key layout, under `mockserver:{<namespace>}:` (the braces are a cluster hash tag, so a
    script's keys share a slot):

    - `clock`: the counter versions are drawn from (one per namespace).
    - `v:<session>`: the session's version; absent (0) while its change set is empty.
    - `r:<session>`: a hash, `<collection>#<key>` -> the record's JSON, "" when deleted
      (`#` never occurs in a URL path).
    - `n:<session>`: a hash, `<collection>` -> the largest key used.
    - `c:<session>`: a sorted set, `<collection>#<key>` scored by the version of its last
      put (what `read_since` answers from).
    - `s:<session>`: the version from which `c` is complete: the last load's, else the
      first put's.

    `version` is one GET; `next_key`, `put` and `read_since` are one script each (atomic:
    a put, its check of the version when asked and the new version together); `read` is
    one HGETALL; `load` and `reset` one MULTI each.
    """

    shared = True  # other processes write them too

    def __init__(self, url: str, namespace: str = "", client=None):
        import redis

        self._errors = redis.RedisError
        self.url = url
        self.prefix = f"mockserver:{{{namespace}}}:" if namespace else "mockserver:"
        if client is None:
            try:
                # Bounded waits: a store that hangs costs a request 2 s, not forever (a
                # `?socket_timeout=` in the URL wins).
                client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
                client.ping()
            except ValueError as exc:
                raise ConfigError("setting state_url", f"{_shown_url(url)}: {exc}") from None
            except redis.RedisError as exc:
                raise ConfigError(
                    "setting state_url", f"{_shown_url(url)} cannot be reached: {exc}"
                ) from None
        self._client = client
        self._bump = client.register_script(_BUMP)
        self._next_key = client.register_script(_NEXT_KEY)
        self._put = client.register_script(_PUT)
        self._read_since = client.register_script(_READ_SINCE)

    def version(self, session: str) -> int:
        with self._failing():
            value = self._client.get(self._key("v", session))
        return int(value) if value else 0

    def read(self, session: str) -> Changes:
        with self._failing():
            return _changes(self._client.hgetall(self._key("r", session)))

    def read_since(self, session: str, since: int) -> tuple[int, Changes] | None:
        keys = [self._key(kind, session) for kind in ("v", "s", "c", "r")]
        with self._failing():
            answer = self._read_since(keys=keys, args=[since])
        if len(answer) == 1:
            return None
        pairs = answer[2:]
        return int(answer[0]), _changes(dict(zip(pairs[::2], pairs[1::2], strict=True)))

    def next_key(self, session: str, collection: str, floor: int) -> int:
        with self._failing():
            return int(self._next_key(keys=[self._key("n", session)], args=[collection, floor]))

    def put(
        self,
        session: str,
        collection: str,
        key: int,
        record: bytes | None,
        expected: int | None = None,
    ) -> bool:
        # Optimistic concurrency on the session's version, rather than a unique index kept
        # in Redis: a write's validation reads more than unique values (the records its
        # relations name, the record it updates or deletes, those a delete cascades to), and
        # one compare in the script the put already is covers all of it, at no cost to a
        # write that races nothing. A refused put is validated again (writes.py).
        keys = [self._key(kind, session) for kind in ("clock", "v", "r", "n", "c", "s")]
        field = f"{collection}#{key}"
        record = _DELETED if record is None else record
        args = [field, record, collection, key, "" if expected is None else expected]
        with self._failing():
            return self._put(keys=keys, args=args) is not None

    def dump(self, session: str) -> dict:
        with self._failing():
            pipe = self._client.pipeline(transaction=True)
            pipe.hgetall(self._key("r", session))
            pipe.hgetall(self._key("n", session))
            fields, used = pipe.execute()
        used = {path.decode(): int(key) for path, key in used.items()}
        return orjson.loads(render(_changes(fields), used))

    def load(self, session: str, doc: dict) -> None:
        records, used = parse(doc)
        fields = {
            f"{path}#{key}": _DELETED if record is None else record
            for path, changed in records.items()
            for key, record in changed.items()
        }
        with self._failing():
            pipe = self._client.pipeline(transaction=True)
            pipe.delete(*(self._key(kind, session) for kind in ("r", "n", "c")))
            if fields:
                pipe.hset(self._key("r", session), mapping=fields)
            if used:
                pipe.hset(self._key("n", session), mapping=used)
            self._bump(keys=[self._key("clock", session), self._key("v", session)], client=pipe)
            pipe.copy(self._key("v", session), self._key("s", session), replace=True)
            pipe.execute()

    def reset(self, session: str) -> None:
        with self._failing():
            self._client.delete(*(self._key(kind, session) for kind in ("v", "r", "n", "c", "s")))

    def close(self) -> None:
        self._client.close()

    def _key(self, kind: str, session: str) -> str:
        return self.prefix + ("clock" if kind == "clock" else f"{kind}:{session}")

    def _failing(self):
        return _Failing(self._errors)


def _changes(fields: dict[bytes, bytes]) -> Changes:
    """A session's hash of records read back into a change set."""
    changes: Changes = {}
    for field, record in fields.items():
        path, _, key = field.decode().rpartition("#")
        changes.setdefault(path, {})[int(key)] = None if record == _DELETED else record
    return changes


class _Failing:
    """Any error of the Redis client, raised as StoreUnavailable (the request's 503)."""

    def __init__(self, errors: type[Exception]):
        self._errors = errors

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None and issubclass(kind, self._errors):
            raise StoreUnavailable(f"{type(error).__name__}: {error}") from error
        return False


def _shown_url(url: str) -> str:
    """A URL as an error message may print it: without its password.

    >>> _shown_url("redis://:secret@cache:6379/0")
    'redis://***@cache:6379/0'
    """
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))
