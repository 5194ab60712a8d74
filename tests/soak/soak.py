#!/usr/bin/env python3
"""A crash soak with a model, as RocksDB's db_stress and Jepsen do.

Workers write over every table voxbase serves writes for — messages, telemetry, conversations
(and the analytics they feed, with the analytics' time zone),
handoffs (create, claim, resolve), CSAT, guardrail rules, checks and the violations they record,
experiments and assignments, tools and executions (against a tool endpoint of this script's own,
on loopback), knowledge documents and searches (half of them questions nothing answers, so gaps
open), LiveKit rooms (created and ended), the persona, session tokens (minted and revoked) —
each write with an Idempotency-Key, retried with the same key after a connection error or a 5xx. Meanwhile the
server is killed with kill -9 at random moments and started again. After every restart the
workers pause and every table is checked against the model of what was acknowledged: nothing
acknowledged is missing, nothing is there twice, every row says what its last acknowledged write
said, and every idempotent retry was answered with its first answer. At the end: a clean stop,
then the live checksum must equal the one after `voxbase replay`.

  tests/soak/soak.py --binary build/api/voxbase --seconds 120 [--workers 4] [--kill-every 8]
                     [--data-dir DIR] [--seed N] [--serve-flags "--flush-every-records 0"]

--kill-every 0 runs without kills: a mixed load whose log the replay figure then measures.
Prints one summary line of figures and exits non-zero on any mismatch. Standard library only.
"""
import argparse
import http.client
import http.server
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ADMIN = "soak-admin-token-0123456789abcdef"
SLUG = "soak"
SECRET = "soak-secret-0123456789abcdef"


class Failed(Exception):
    pass


class Server:
    def __init__(self, binary, data_dir, extra):
        self.binary, self.data_dir, self.extra = binary, data_dir, extra
        self.proc, self.port = None, None

    def start(self):
        env = dict(os.environ, VOXBASE_ADMIN_TOKEN=ADMIN, LIVEKIT_API_KEY="soak-lk-key",
                   LIVEKIT_API_SECRET="soak-lk-secret-0123456789abcdef",
                   LIVEKIT_URL="wss://livekit.invalid")
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--port", str(self.port or 0), "--data-dir", self.data_dir,
             "--allow-private-tool-endpoints"] + self.extra,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://[\d.]+:(\d+)", line)
        if not m:
            raise Failed("the server did not start: " + line)
        self.port = int(m.group(1))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                status, _ = request(self.port, "GET", "/readyz", timeout=2)
                if status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.02)
        raise Failed("the server did not become ready in 120 s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


def request(port, method, path, body=None, headers=None, timeout=15):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None if body is None else json.dumps(body)
        hdrs = {"Content-Type": "application/json"}
        hdrs.update(headers or {})
        conn.request(method, path, body=data, headers=hdrs)
        res = conn.getresponse()
        text = res.read().decode()
        return res.status, (json.loads(text) if text else None)
    finally:
        conn.close()


class Soak:
    def __init__(self, args, server, tool_url):
        self.args, self.server, self.tool_url = args, server, tool_url
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.running = threading.Event()  # set: workers may write
        self.running.set()
        self.idle = threading.Semaphore(0)
        self.done = False
        # The model: what was acknowledged.
        self.messages = {}       # session -> set of content ids
        self.events = {}         # session -> set of event ids
        self.conversations = {}  # session -> status
        self.handoffs = {}       # handoff id -> status
        self.csat = {}           # session -> rating
        self.rules = set()
        self.rule_patterns = set()
        self.assignments = {}    # (experiment, session) -> variant
        self.experiments = set()
        self.documents = {}      # document id -> title
        self.executions = {}     # execution id -> (session, status)
        self.violations = {}     # session -> number of recorded violations
        self.rooms = {}          # room name -> status
        self.persona = None      # the last acknowledged personaTone
        self.zone = "UTC"        # the last acknowledged analytics time zone
        self.tokens = {}         # session token -> (its session, revoked)
        self.first_answers = []  # (method, path, body, key, status, answer) to retry later
        self.writes = self.retries = self.checks = 0
        self.restarts = []

    # A write that must be acknowledged: the same key until it is, across kills.
    def write(self, method, path, fields, expect=(200, 201), settled=None, pending=()):
        """`settled(status, answer)` accepts other final answers; `pending` statuses are retried."""
        key = str(uuid.uuid4())
        body = dict(fields, appSlug=SLUG, appSecret=SECRET)
        deadline = time.monotonic() + 90  # a restart, even a slow one, is over by then
        attempt = 0
        while time.monotonic() < deadline:
            attempt += 1
            try:
                status, answer = request(self.server.port, method, path, body,
                                         {"Idempotency-Key": key})
            except OSError:
                status, answer = None, None
            if status in expect or (settled and status is not None and settled(status, answer)):
                with self.lock:
                    self.writes += 1
                    self.retries += attempt - 1
                    # Some answers are kept, to retry at each check: a retry must get the first
                    # answer, whatever happened to the rows since (searches and checks answer
                    # from the moment, by design, and are left out).
                    if (len(self.first_answers) < 2000 and random.random() < 0.05 and
                            not path.startswith(("/api/knowledge/search", "/api/guardrails/check"))):
                        self.first_answers.append((method, path, body, key, status, answer))
                return answer
            if status is not None and 400 <= status < 500 and status not in (429,) + pending:
                raise Failed(f"{method} {path} answered {status}: {answer}")
            time.sleep(0.05)
        raise Failed(f"{method} {path} was never acknowledged")

    def get(self, path):
        sep = "&" if "?" in path else "?"
        status, answer = request(self.server.port, "GET",
                                 f"{path}{sep}appSlug={SLUG}&appSecret={SECRET}")
        if status != 200:
            raise Failed(f"GET {path} answered {status}: {answer}")
        return answer

    def pages(self, path, field):
        rows, cursor = [], None
        while True:
            page = self.get(path + (f"&cursor={cursor}" if cursor else ""))
            rows += page[field]
            cursor = page.get("nextCursor")
            if not cursor:
                return rows

    def worker(self, w):
        rng = random.Random(self.args.seed * 1000 + w)
        sessions = [f"w{w}-s{i}" for i in range(8)]
        experiment = self.write("POST", "/api/experiments", {
            "name": f"exp-{w}", "variants": [{"id": "a", "weight": 1}, {"id": "b", "weight": 2}]})
        with self.lock:
            self.experiments.add(experiment["experimentId"])
        tool = f"tool_{w}"
        self.write("POST", "/api/tools", {
            "name": tool, "endpoint": self.tool_url, "description": "soak",
            "parametersSchema": {"type": "object",
                                 "properties": {"n": {"type": "integer"}}}})
        n = 0
        open_handoffs = []
        while not self.done:
            if not self.running.is_set():
                self.idle.release()
                self.running.wait()
                continue
            n += 1
            s = rng.choice(sessions)
            op = rng.randrange(15)
            if op <= 2:
                ids = [f"{s}-m{n}-{i}" for i in range(rng.randint(1, 5))]
                self.write("POST", "/api/messages", {"messages": [
                    {"sessionId": s, "role": rng.choice(["user", "agent"]), "content": c}
                    for c in ids]})
                with self.lock:
                    self.messages.setdefault(s, set()).update(ids)
            elif op == 3:
                ids = [f"{s}-e{n}-{i}" for i in range(rng.randint(1, 5))]
                self.write("POST", "/api/events", {"events": [
                    {"type": "turn.metrics", "sessionId": s, "data": {"id": c, "ms": n}}
                    for c in ids]})
                with self.lock:
                    self.events.setdefault(s, set()).update(ids)
            elif op == 4:
                status = rng.choice(["active", "resolved", "abandoned"])
                self.write("POST", "/api/conversations", {"sessionId": s, "status": status})
                with self.lock:
                    self.conversations[s] = status
            elif op == 5:
                if open_handoffs and rng.random() < 0.6:
                    h, state, hs = open_handoffs.pop(0)
                    action = "claim" if state == "pending" else "resolve"
                    self.write("PATCH", "/api/handoffs",
                               {"handoffId": h, "action": action, "agentId": f"agent{w}"})
                    new = "claimed" if action == "claim" else "resolved"
                    with self.lock:
                        self.handoffs[h] = new
                        if new == "resolved":  # resolving a handoff resolves its conversation
                            self.conversations[hs] = "resolved"
                    if new == "claimed":
                        open_handoffs.append((h, new, hs))
                else:
                    answer = self.write("POST", "/api/handoffs", {
                        "sessionId": s, "reason": "soak", "priority": "normal"})
                    with self.lock:
                        self.handoffs[answer["handoffId"]] = "pending"
                        self.conversations[s] = "handed_off"
                    open_handoffs.append((answer["handoffId"], "pending", s))
            elif op == 6:
                rating = rng.randint(1, 5)
                self.write("POST", "/api/csat", {"sessionId": s, "rating": rating})
                with self.lock:
                    self.csat[s] = rating
            elif op == 7:
                if rng.random() < 0.1:
                    answer = self.write("POST", "/api/guardrails/rules", {
                        "name": f"r{w}-{n}", "type": "blocked_topic",
                        "pattern": f"forbidden{w}x{n}", "action": "warn"})
                    with self.lock:
                        self.rules.add(answer["ruleId"])
                        self.rule_patterns.add(f"forbidden{w}x{n}")
                else:
                    # Every worker's first rule is "forbidden<w>x…": a check naming it records
                    # a violation (warn: allowed, and kept for audit).
                    with self.lock:
                        mine = sorted(r for r in self.rule_patterns if r.startswith(f"forbidden{w}x"))
                    hit = mine and rng.random() < 0.5
                    answer = self.write("POST", "/api/guardrails/check", {
                        "sessionId": s, "direction": "input",
                        "content": f"about {mine[0]} today" if hit else f"hello {n}"})
                    if hit:
                        if not answer["violations"]:
                            raise Failed(f"rule {mine[0]} did not fire")
                        with self.lock:
                            self.violations[s] = self.violations.get(s, 0) + len(answer["violations"])
            elif op == 8:
                answer = self.write("POST", "/api/experiments/assign", {
                    "experimentId": experiment["experimentId"], "sessionId": s})
                key = (experiment["experimentId"], s)
                with self.lock:
                    if key in self.assignments and self.assignments[key] != answer["variantId"]:
                        raise Failed(f"assignment of {key} moved")
                    self.assignments[key] = answer["variantId"]
            elif op == 9:
                # A call cut by a kill ends interrupted (502), and a retry is then answered so;
                # while the restart has not marked it yet, a retry hears 409 "still running".
                answer = self.write(
                    "POST", "/api/tools/execute",
                    {"sessionId": s, "toolName": tool, "parameters": {"n": n}},
                    settled=lambda st, a: st == 502 and (a or {}).get("status") == "interrupted",
                    pending=(409,))
                with self.lock:
                    self.executions[answer["executionId"]] = (s, answer["status"])
            elif op == 10 and rng.random() < 0.3:
                title = f"Doc {w}-{n}"
                answer = self.write("POST", "/api/knowledge", {
                    "title": title, "category": "faq",
                    "content": f"Orders ship within {n % 9 + 1} days. Returns take 30 days."})
                with self.lock:
                    self.documents[answer["documentId"]] = title
            elif op == 12:
                if rng.random() < 0.5:
                    answer = self.write("POST", "/api/livekit/rooms", {"sessionId": s})
                    with self.lock:
                        self.rooms[answer["room"]["roomName"]] = "waiting"
                else:
                    with self.lock:
                        waiting = [r for r, st in self.rooms.items()
                                   if st == "waiting" and r.startswith(f"{SLUG}.w{w}-")]
                    if waiting:
                        self.write("DELETE", "/api/livekit/rooms", {"roomName": waiting[0]})
                        session = waiting[0].split(".")[1]
                        with self.lock:
                            self.rooms[waiting[0]] = "ended"
                            # Ending a room resolves its session's conversation (made then
                            # when there is none), unless a human has it.
                            if self.conversations.get(session) != "handed_off":
                                self.conversations[session] = "resolved"
            elif op == 13:
                tone = f"tone {w}-{n}"
                if w == 0:  # one writer, so the last acknowledged tone is the stored one
                    self.write("PATCH", "/api/persona", {"personaTone": tone})
                    with self.lock:
                        self.persona = tone
                    if rng.random() < 0.2:  # and of the analytics' zone
                        zone = rng.choice(["UTC", "Europe/Paris", "America/New_York",
                                           "Asia/Kolkata"])
                        self.write("PATCH", "/api/analytics/settings", {"timezone": zone})
                        with self.lock:
                            self.zone = zone
                elif rng.random() < 0.7 or not self.tokens:
                    session = f"tok-{w}-{n}"
                    answer = self.write("POST", "/api/auth/session",
                                        {"ttlMs": 3600000, "sessionId": session})
                    with self.lock:
                        self.tokens[answer["sessionToken"]] = (session, False)
                else:
                    with self.lock:
                        live = [t for t, (_, revoked) in self.tokens.items() if not revoked]
                    if live:
                        token = rng.choice(live)
                        self.write("DELETE", "/api/auth/session", {"sessionToken": token})
                        with self.lock:
                            self.tokens[token] = (self.tokens[token][0], True)
            else:
                query = (f"how long do returns take {n}" if rng.random() < 0.5
                         else f"zebra quantum lighthouse {w} {n}")
                self.write("POST", "/api/knowledge/search", {"query": query, "topK": 3})

    def pause(self):
        self.running.clear()
        for _ in range(self.args.workers):
            self.idle.acquire()

    def check_insights(self):
        # The analytics count what the tables hold: every conversation once, by its status now;
        # every session's last rating; the handoffs still pending.
        zone = self.get("/api/analytics/settings")["timezone"]
        if zone != self.zone:
            raise Failed(f"the analytics zone is {zone}, its last write said {self.zone}")
        overview = self.get("/api/analytics/overview")["overview"]
        if overview["totalConversations"] != len(self.conversations):
            raise Failed(f"the overview counts {overview['totalConversations']} conversations, "
                         f"{len(self.conversations)} were acknowledged")
        pending = sum(1 for s in self.handoffs.values() if s == "pending")
        if overview["pendingHandoffs"] != pending:
            raise Failed(f"the overview has {overview['pendingHandoffs']} pending handoffs, "
                         f"the model {pending}")
        now = int(time.time() * 1000)
        rows = self.get(f"/api/analytics/insights?period=month&from={now - 40 * 86400000}"
                        f"&to={now + 86400000}")["insights"]
        for status in ("active", "handed_off", "resolved", "abandoned"):
            got = sum(r["conversations"][status] for r in rows)
            want = sum(1 for s in self.conversations.values() if s == status)
            if got != want:
                raise Failed(f"insights count {got} {status} conversations, the model {want}")
        for score in range(1, 6):
            got = sum(r["csat"]["distribution"][str(score)] for r in rows)
            want = sum(1 for r in self.csat.values() if r == score)
            if got != want:
                raise Failed(f"insights count {got} ratings of {score}, the model {want}")

    def check(self):
        # The workers are paused: the model holds still while it is compared.
        self.checks += 1
        for table, field, key, model in (("messages", "messages", "content", self.messages),
                                         ("events", "events", None, self.events)):
            for session, wanted in model.items():
                rows = self.pages(f"/api/{table}?sessionId={session}&limit=1000", field)
                got = [r[key] if key else r["data"]["id"] for r in rows]
                if len(got) != len(set(got)):
                    raise Failed(f"{table} of {session}: a row is there twice")
                missing = wanted - set(got)
                if missing:
                    raise Failed(f"{table} of {session}: {len(missing)} acknowledged rows lost")
        for session, status in self.conversations.items():
            got = self.get(f"/api/conversations?sessionId={session}")["conversation"]["status"]
            if got != status:
                raise Failed(f"conversation {session} is {got}, its last write said {status}")
        queues = {}
        for status in ("pending", "claimed", "resolved"):
            for row in self.pages(f"/api/handoffs?status={status}&limit=200", "handoffs"):
                queues[row["handoffId"]] = status
        for h, status in self.handoffs.items():
            if queues.get(h) != status:
                raise Failed(f"handoff {h} is {queues.get(h)}, its last write said {status}")
        for session, rating in self.csat.items():
            got = self.get(f"/api/csat?sessionId={session}")["rating"]["rating"]
            if got != rating:
                raise Failed(f"csat of {session} is {got}, its last write said {rating}")
        listed = [r["ruleId"] for r in self.pages("/api/guardrails/rules?limit=1000", "rules")]
        if len(listed) != len(set(listed)) or not self.rules <= set(listed):
            raise Failed("guardrail rules lost or doubled")
        listed = [e["experimentId"] for e in self.pages("/api/experiments?limit=1000",
                                                       "experiments")]
        if not self.experiments <= set(listed):
            raise Failed("an experiment was lost")
        for doc, title in self.documents.items():
            got = self.get(f"/api/knowledge?documentId={doc}")["document"]["title"]
            if got != title:
                raise Failed(f"document {doc} lost")
        by_session = {}
        for e, (session, status) in self.executions.items():
            by_session.setdefault(session, {})[e] = status
        for session, wanted in by_session.items():
            rows = self.pages(f"/api/tools/executions?sessionId={session}&limit=200",
                              "executions")
            got = {r["executionId"]: r["status"] for r in rows}
            if len(got) != len(rows):
                raise Failed(f"an execution of {session} is there twice")
            for e, status in wanted.items():
                if got.get(e) != status:
                    raise Failed(f"execution {e} is {got.get(e)}, acknowledged {status}")
        for session, count in self.violations.items():
            rows = self.pages(f"/api/guardrails/violations?sessionId={session}&limit=200",
                              "violations")
            if len(rows) != count:
                raise Failed(f"{session} has {len(rows)} violations, {count} were acknowledged")
        for status in ("waiting", "ended"):
            listed = {r["roomName"] for r in self.pages(
                f"/api/livekit/rooms?status={status}&limit=200", "rooms")}
            for room, st in self.rooms.items():
                if (st == status) != (room in listed):
                    raise Failed(f"room {room} should be {st}")
        self.check_insights()
        if self.persona is not None:
            got = self.get("/api/persona")["personaTone"]
            if got != self.persona:
                raise Failed(f"persona tone is {got}, its last write said {self.persona}")
        # Tokens: a live one reaches its own session and no other; a revoked one nothing.
        for token, (session, revoked) in list(self.tokens.items())[-40:]:
            status, answer = request(self.server.port, "GET",
                                     f"/api/messages?sessionId={session}&sessionToken={token}")
            want = 401 if revoked else 200
            if status != want:
                raise Failed(f"a token of session {session} (revoked: {revoked}) answers {status}, "
                             f"not {want}: {answer}")
            if not revoked:
                status, _ = request(self.server.port, "GET",
                                    f"/api/messages?sessionId=other-{session}&sessionToken={token}")
                if status != 403:
                    raise Failed(f"a token of session {session} reads another session: {status}")
        for method, path, body, key, status, answer in list(self.first_answers):
            got_status, got = request(self.server.port, method, path, body,
                                      {"Idempotency-Key": key})
            if (got_status, got) != (status, answer):
                raise Failed(f"a retry of {method} {path} answered {got_status} {got}, "
                             f"the first answer was {status} {answer}")

    def run(self):
        threads = [threading.Thread(target=self.guard, args=(w,), daemon=True)
                   for w in range(self.args.workers)]
        for t in threads:
            t.start()
        end = time.monotonic() + self.args.seconds
        self.error = None
        while time.monotonic() < end and self.error is None:
            wait = (self.rng.uniform(0.4, 1.6) * self.args.kill_every if self.args.kill_every
                    else end - time.monotonic())
            time.sleep(max(0.0, min(wait, end - time.monotonic())))
            if self.args.kill_every and time.monotonic() < end:
                self.server.kill()
                self.restarts.append(self.server.start())
                self.pause()
                self.check()
                self.running.set()
        self.pause()
        if self.error:
            raise self.error
        self.check()
        self.done = True
        self.running.set()

    def guard(self, w):
        try:
            self.worker(w)
        except Exception as e:  # a worker's failure ends the run with its reason
            self.error = e
            self.idle.release()
            while not self.done:
                self.idle.release()
                time.sleep(0.1)


class ToolEndpoint(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"ok":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", default="build/api/voxbase")
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--kill-every", type=float, default=8)
    p.add_argument("--data-dir")
    p.add_argument("--seed", type=int, default=int(time.time()))
    p.add_argument("--serve-flags", default="", help="more flags for voxbase serve")
    args = p.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="voxbase-soak-")
    tool = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ToolEndpoint)
    threading.Thread(target=tool.serve_forever, daemon=True).start()
    server = Server(args.binary, data_dir, args.serve_flags.split())
    started = time.monotonic()
    try:
        server.start()
        status, answer = request(server.port, "POST", "/api/admin/apps",
                                 {"slug": SLUG, "name": "Soak", "secret": SECRET},
                                 {"Authorization": "Bearer " + ADMIN})
        if status != 201:
            raise Failed(f"cannot create the app: {status} {answer}")
        soak = Soak(args, server, f"http://127.0.0.1:{tool.server_port}/tool")
        soak.run()
        server.stop()
        live = subprocess.run([args.binary, "checksum", "--data-dir", data_dir],
                              capture_output=True, text=True, check=True).stdout.split()[-1]
        replay = subprocess.run([args.binary, "replay", "--data-dir", data_dir],
                                capture_output=True, text=True, check=True)
        replayed = subprocess.run([args.binary, "checksum", "--data-dir", data_dir],
                                  capture_output=True, text=True, check=True).stdout.split()[-1]
        if live != replayed:
            raise Failed(f"live checksum {live} != replayed {replayed}")
        rate = re.search(r"rebuilt (\d+) events in ([\d.]+)s \((\d+) events/s\)", replay.stderr)
        restarts = sorted(soak.restarts)
        print("soak: seed %d, %.0f s, %d workers, %d kills, %d writes acknowledged "
              "(%d retries), %d checks, 0 lost, 0 doubled, live == replayed%s%s" % (
                  args.seed, time.monotonic() - started, args.workers, len(restarts),
                  soak.writes, soak.retries, soak.checks,
                  "; restart to ready p50 %.2f s, p90 %.2f s, max %.2f s" % (
                      statistics.median(restarts), restarts[int(0.9 * (len(restarts) - 1))],
                      restarts[-1]) if restarts else "",
                  "; replay %s events in %s s, %s events/s" % rate.groups() if rate else ""))
        print("1 passed, 0 failed")
    except Failed as e:
        print(f"soak FAILED (seed {args.seed}): {e}", file=sys.stderr)
        print("0 passed, 1 failed")
        if server.proc and server.proc.poll() is None:
            server.kill()
        sys.exit(1)
    finally:
        tool.shutdown()
    if not args.data_dir:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
