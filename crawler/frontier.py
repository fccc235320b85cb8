"""The shared crawl frontier in Redis: one site's run, its request queue and what is in flight.

Several crawler workers, on one box or many, crawl the same sites at once (scrapy-redis's
scheduler and dupefilter, crawler/redis_scheduler.py). Per site, Redis holds (keys
`vntrain:site:<domain>:…`):

- ``run``: the site's current run (run id, start time, whether to page every listing to the end,
  whether seeded). The first worker to open the site creates it and announces it to the writer;
  the others join it, so every worker of a run shares its id, its stop-paging decision and the
  stored articles the writer published for it.
- ``queue``: requests waiting (a scrapy-redis priority queue; ``seen`` is its dupefilter).
- ``inflight``: requests a worker has taken, with a lease (ms, Redis clock) the worker renews
  while it works on them. A request leaves it only when the worker has completely handled it:
  its items pushed to the outbox and the requests it led to queued. A worker killed mid-crawl
  stops renewing, and once its leases expire any other worker puts its requests back in the
  queue (`reap`). So nothing is lost; a request handled twice (killed after its items were
  pushed) is stored twice by the idempotent writer, which changes nothing. Articles the spider
  holds back for its layout-drift verdict keep their request's lease until they are released.
- ``scheduled``: canonical URLs requested in this run, shared so that two workers do not fetch
  the article one found on a listing and the other in a feed.

A worker with nothing to do asks `settle`: the run is over when it is seeded and nothing is
queued or in flight anywhere. Exactly one worker then finishes it, in one Lua script: the run's
keys go and its `run_end` message goes to the outbox after every item of the run.
Every step that reads and writes several keys is one Lua script, so workers never interleave.
"""
from __future__ import annotations

import itertools
import os
import socket
from collections import Counter
from dataclasses import dataclass
from typing import Any

import redis

from store.outbox import OUTBOX, PREFIX, encode, pending_key, stats_key

# Milliseconds on Redis's clock, the one clock every worker shares.
LUA_NOW_MS = "local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

_JOIN = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  local run = redis.call('HMGET', KEYS[1], 'run_id', 'started_at', 'full_pass')
  return {run[1], run[2], run[3], 0}
end
redis.call('HSET', KEYS[1], 'run_id', ARGV[1], 'started_at', ARGV[2], 'full_pass', ARGV[3], 'seeded', '0')
redis.call('RPUSH', KEYS[2], ARGV[4])
return {ARGV[1], ARGV[2], ARGV[3], 1}
"""

_CLAIM_SEEDING = """
if redis.call('HGET', KEYS[1], 'run_id') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'seeded') == '1' then
  return 0
end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
return 0
"""

_SEEDED = """
if redis.call('HGET', KEYS[1], 'run_id') == ARGV[1] then redis.call('HSET', KEYS[1], 'seeded', '1') end
redis.call('DEL', KEYS[2])
"""

_TAKE = LUA_NOW_MS + """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], top[1])
redis.call('HSET', KEYS[4], ARGV[1], top[2])
return top[1]
"""

_ACK = """
redis.call('ZREM', KEYS[1], unpack(ARGV))
redis.call('HDEL', KEYS[2], unpack(ARGV))
redis.call('HDEL', KEYS[3], unpack(ARGV))
"""

# Extend leases (a sorted set of token -> expiry) that still exist: ARGV = lease ms, tokens.
LUA_RENEW_LEASES = LUA_NOW_MS + """
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
"""

# Put requests back in the queue: the expired ones (ARGV empty), or the given tokens.
_REQUEUE = LUA_NOW_MS + """
local tokens = ARGV
if #tokens == 0 then tokens = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now) end
for _, token in ipairs(tokens) do
  local data = redis.call('HGET', KEYS[3], token)
  if data then redis.call('ZADD', KEYS[1], tonumber(redis.call('HGET', KEYS[4], token)), data) end
  redis.call('ZREM', KEYS[2], token)
  redis.call('HDEL', KEYS[3], token)
  redis.call('HDEL', KEYS[4], token)
end
return #tokens
"""

_SETTLE = """
if redis.call('HGET', KEYS[1], 'run_id') ~= ARGV[1] then return 'over' end
if redis.call('HGET', KEYS[1], 'seeded') ~= '1' then
  if redis.call('EXISTS', KEYS[2]) == 1 then return 'wait' end
  return 'seed'
end
if redis.call('ZCARD', KEYS[3]) > 0 or redis.call('ZCARD', KEYS[4]) > 0 then return 'wait' end
local started = redis.call('HGET', KEYS[1], 'started_at')
redis.call('DEL', KEYS[1], KEYS[5], KEYS[6])
redis.call('SET', KEYS[7], ARGV[1])
redis.call('RPUSH', KEYS[8], cjson.encode({kind = 'run_end', run_id = ARGV[1], site = ARGV[2],
                                          started_at = started, finished_at = ARGV[3]}))
return 'finished'
"""

WAIT, SEED, FINISHED, OVER = "wait", "seed", "finished", "over"


def worker_name() -> str:
    """This worker's name in leases and logs: host and process id."""
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class Run:
    """A site's run as the frontier holds it.

    :param run_id: shared by every worker of the run (its crawl_runs row)
    :param started_at: when the first worker opened it (UTC ISO)
    :param full_pass: page every listing to the end (the site's previous run did not finish)
    :param created: this worker created the run (and announced it to the writer)
    """

    run_id: str
    started_at: str
    full_pass: bool
    created: bool


class SiteFrontier:
    """One site's part of the frontier, seen from one worker.

    :param server: Redis client
    :param site: the site's domain
    :param worker: this worker's name (see `worker_name`)
    :param lease_seconds: how long a request taken stays this worker's without a renewal
    """

    def __init__(self, server: redis.Redis, site: str, worker: str, lease_seconds: float) -> None:
        self.server = server
        self.site = site
        self.worker = worker
        self.lease_ms = max(1, int(lease_seconds * 1000))
        base = f"{PREFIX}:site:{site}"
        self.run_key, self.seeding_key = f"{base}:run", f"{base}:seeding"
        self.queue_key, self.seen_key, self.scheduled_key = f"{base}:queue", f"{base}:seen", f"{base}:scheduled"
        self.inflight_key = f"{base}:inflight"
        self.inflight_requests_key, self.inflight_priority_key = f"{base}:inflight:requests", f"{base}:inflight:priority"
        self.run: Run | None = None
        self.held: set[str] = set()  # leases of this worker
        self.pins: Counter[str] = Counter()  # lease -> articles of its request held back in the worker
        self.waiting: set[str] = set()  # handled leases that end with their last pinned article
        self._tokens = (f"{worker}:{n}" for n in itertools.count(1))
        self._scripts = {name: server.register_script(source) for name, source in (
            ("join", _JOIN), ("claim", _CLAIM_SEEDING), ("seeded", _SEEDED), ("take", _TAKE), ("ack", _ACK),
            ("renew", LUA_RENEW_LEASES), ("requeue", _REQUEUE), ("settle", _SETTLE))}

    @property
    def _inflight_keys(self) -> list[str]:
        return [self.queue_key, self.inflight_key, self.inflight_requests_key, self.inflight_priority_key]

    def join(self, run_id: str, started_at: str, full_pass: bool, announce: dict[str, Any]) -> Run:
        """Join the site's current run, or create it (and push `announce` to the outbox) if none.

        :param run_id: the id to give a new run
        :param started_at: its start time
        :param full_pass: its stop-paging decision, from the site's last recorded run
        :param announce: the run_start message for the writer (pushed only if the run is created)
        """
        run_id, started_at, full_pass, created = self._scripts["join"](
            keys=[self.run_key, OUTBOX],
            args=[run_id, started_at, int(full_pass), encode({**announce, "run_id": run_id, "started_at": started_at})])
        self.run = Run(run_id.decode(), started_at.decode(), full_pass in (b"1", 1), bool(created))
        return self.run

    def claim_seeding(self) -> bool:
        """Become the worker that queues the run's first requests (unless one is, or it is done)."""
        return bool(self._scripts["claim"](keys=[self.run_key, self.seeding_key],
                                           args=[self.run.run_id, self.worker, self.lease_ms]))

    def mark_seeded(self) -> None:
        """The run's first requests are all queued."""
        self._scripts["seeded"](keys=[self.run_key, self.seeding_key], args=[self.run.run_id])

    def take(self) -> tuple[str, bytes] | None:
        """Move the next request from the queue to in flight under a new lease of this worker.

        :return: (lease token, encoded request), or None when the queue is empty
        """
        token = next(self._tokens)
        data = self._scripts["take"](keys=self._inflight_keys, args=[token, self.lease_ms])
        if data is None:
            return None
        self.held.add(token)
        return token, data

    def handled(self, token: str) -> None:
        """Scrapy is done with the request of this lease: forget it, unless articles it brought
        are still held back in this worker (`pin`), in which case it ends with the last of them."""
        if token in self.held and not self.pins[token]:
            self.held.discard(token)
            self._scripts["ack"](keys=self._inflight_keys[1:], args=[token])
        elif token in self.held:
            self.waiting.add(token)

    def pin(self, token: str) -> None:
        """An article of this lease's request is held back in the worker (not in the outbox yet)."""
        self.pins[token] += 1

    def unpin(self, token: str) -> None:
        """That article went to the outbox, or was deliberately not stored."""
        self.pins[token] -= 1
        if self.pins[token] <= 0:
            del self.pins[token]
            if token in self.waiting:
                self.waiting.discard(token)
                self.handled(token)

    def renew(self) -> None:
        """Extend the leases of the requests this worker still holds."""
        if self.held:
            self._scripts["renew"](keys=[self.inflight_key], args=[self.lease_ms, *sorted(self.held)])

    def give_back(self) -> int:
        """Put every request this worker holds back in the queue now (a worker stopping).

        :return: how many
        """
        tokens, self.held = sorted(self.held), set()
        self.pins.clear()
        self.waiting.clear()
        return self._scripts["requeue"](keys=self._inflight_keys, args=tokens) if tokens else 0

    def reap(self) -> int:
        """Put back in the queue the in-flight requests whose lease expired (their worker died).

        :return: how many
        """
        return self._scripts["requeue"](keys=self._inflight_keys, args=[])

    def settle(self, finished_at: str) -> str:
        """What an idle worker should do: WAIT (others still work), SEED (nobody seeded the run and
        nobody is seeding it), FINISHED (this call finished the run) or OVER (it was finished).

        Requests of dead workers count as in flight until `reap` puts them back in the queue.

        :param finished_at: the run's end time if this call finishes it
        """
        keys = [self.run_key, self.seeding_key, self.queue_key, self.inflight_key, self.seen_key,
                self.scheduled_key, pending_key(self.site), OUTBOX]
        return self._scripts["settle"](keys=keys, args=[self.run.run_id, self.site, finished_at]).decode()

    def count(self, key: str, n: int) -> None:
        """Add to one of the run's figures (e.g. downloader/request_count)."""
        self.server.hincrby(stats_key(self.run.run_id, self.site), key, n)

    def scheduled(self) -> SharedUrlSet:
        """The run's set of canonical URLs already requested, shared by its workers."""
        return SharedUrlSet(self.server, self.scheduled_key)

    def snapshot(self) -> dict[str, Any]:
        """Queue length, requests in flight and the run, for progress lines and reports."""
        run = {k.decode(): v.decode() for k, v in self.server.hgetall(self.run_key).items()}
        return {"site": self.site, "queued": self.server.zcard(self.queue_key),
                "in_flight": self.server.zcard(self.inflight_key), "run": run or None}


class SharedUrlSet:
    """A set of URLs in Redis with the two operations the spider uses (`in` and `add`).

    Two workers may both find a URL missing and both add it in the instant between: the article
    is then fetched twice and stored once (the writer is idempotent).

    :param server: Redis client
    :param key: the Redis set
    """

    def __init__(self, server: redis.Redis, key: str) -> None:
        self.server = server
        self.key = key

    def __contains__(self, url: object) -> bool:
        return bool(self.server.sismember(self.key, str(url)))

    def add(self, url: str) -> None:
        self.server.sadd(self.key, url)


def frontier_runs(server: redis.Redis) -> list[dict[str, Any]]:
    """Every site with a run in the frontier, with its queue and in-flight counts.

    :param server: Redis client
    """
    start, end = len(f"{PREFIX}:site:"), -len(":run")
    sites = sorted(key.decode()[start:end] for key in server.scan_iter(f"{PREFIX}:site:*:run"))
    return [SiteFrontier(server, site, "observer", 1).snapshot() for site in sites]
