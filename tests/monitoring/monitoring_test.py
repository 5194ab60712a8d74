#!/usr/bin/env python3
"""The dashboard and the alerts against a real Prometheus scraping a real voxbase.

1. `promtool check rules` and `promtool test rules` on ops/monitoring (the alerts' unit tests).
2. Starts voxbase on a fresh data directory and a Prometheus (Debian's package) that scrapes it
   every second with ops/monitoring/alerts.yml loaded, then drives a scripted load: conversations
   in every status, handoffs created, claimed and resolved, ratings, messages, turn metrics, a
   guardrail violation, knowledge searches (one unanswered), a tool call against a tool endpoint of
   this script's own on loopback.
3. Evaluates every panel's expression (ops/monitoring/grafana/dashboards/*.json) and every alert's
   (as Prometheus loaded it, /api/v1/rules) through Prometheus's HTTP API, and fails on any that
   returns no series, or that names a metric or a label /metrics does not have. An alert's
   comparisons are evaluated with `bool` (`x > bool 0.3`), so a quiet system still returns the
   series the alert watches.

  tests/monitoring/monitoring_test.py --binary build/api/voxbase --ops ops/monitoring
Standard library only.
"""
import argparse
import glob
import http.client
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ADMIN = "monitoring-admin-token-0123456789"
SECRET = "0123456789abcdef0"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    data = None if body is None else json.dumps(body)
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    conn.request(method, path, data, h)
    r = conn.getresponse()
    text = r.read().decode()
    conn.close()
    return r.status, text


def wait_for(predicate, what, seconds=30):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


class ToolHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def load(port, tool_url, round_):
    auth = {"appSlug": "mon", "appSecret": SECRET}

    def post(path, body, method="POST"):
        status, text = call(port, method, path, dict(auth, **body))
        if status >= 300 and not (path == "/api/tools/execute" and status == 502):
            raise SystemExit(f"{method} {path} answered {status}: {text}")
        return json.loads(text) if text else {}

    now = int(time.time() * 1000)
    for i, status in enumerate(["active", "resolved", "abandoned", "resolved"]):
        s = f"r{round_}-s{i}"
        post("/api/conversations", {"sessionId": s, "status": status, "startedAt": now - 60000,
                                    "endedAt": now if status != "active" else None,
                                    "endReason": "user_hangup"})
        post("/api/messages", {"messages": [{"sessionId": s, "role": "user", "content": "hi"},
                                            {"sessionId": s, "role": "assistant", "content": "yo"}]})
        post("/api/events", {"events": [{"type": "turn.metrics", "sessionId": s, "data": {
            "e2eLatencyMs": 700 + 100 * i, "sttDelayMs": 150, "llmTtftMs": 300, "ttsTtfbMs": 120,
            "endOfTurnDelayMs": 80, "promptTokens": 40}}]})
        post("/api/csat", {"sessionId": s, "rating": 1 + (round_ + i) % 5})
    h = post("/api/handoffs", {"sessionId": f"r{round_}-s0", "reason": "asked", "priority": "high"})
    post("/api/handoffs", {"handoffId": h["handoffId"], "action": "claim", "agentId": "ann"}, "PATCH")
    if round_ % 2:
        post("/api/handoffs", {"handoffId": h["handoffId"], "action": "resolve"}, "PATCH")
    post("/api/guardrails/check", {"sessionId": f"r{round_}-s1", "direction": "input",
                                   "content": "mail me at ann@example.com"})
    post("/api/knowledge/search", {"query": f"how do I reset my password {round_}"})
    post("/api/knowledge/search", {"query": "return policy"})
    post("/api/tools/execute", {"sessionId": f"r{round_}-s1", "toolName": "lookup",
                                "parameters": {"q": "x"}})


def scrape_names(text):
    """metric name → set of label names, from /metrics."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?", line)
        labels = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', m.group(3) or ""))
        out.setdefault(m.group(1), set()).update(labels)
    return out


def check_names(expr, names, where):
    """Every metric the expression names exists, and every label it names is one of theirs."""
    errors = []
    metrics = set(re.findall(r"\b(voxbase_[a-z0-9_]+)", expr))
    known_labels = {"instance", "job"}
    for metric in metrics:
        if metric not in names:
            errors.append(f"{where}: /metrics has no {metric}")
            continue
        known_labels |= names[metric]
    for metric, matchers in re.findall(r"\b(voxbase_[a-z0-9_]+)\{([^}]*)\}", expr):
        for label in re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!=|!~|=)", matchers):
            if metric in names and label not in names[metric] | {"instance", "job"}:
                errors.append(f"{where}: {metric} has no label {label}")
    for group in re.findall(r"\b(?:by|on|without|ignoring)\s*\(([^)]*)\)", expr):
        for label in [l.strip() for l in group.split(",") if l.strip()]:
            if label not in known_labels:
                errors.append(f"{where}: no metric it reads has the label {label}")
    for label in re.findall(r"\{\{\s*\$labels\.([a-zA-Z_]+)\s*\}\}", expr):
        if label not in known_labels:
            errors.append(f"{where}: no metric it reads has the label {label}")
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--ops", required=True)
    ap.add_argument("--seconds", type=int, default=20)
    args = ap.parse_args()
    ops = os.path.abspath(args.ops)

    for cmd in (["promtool", "check", "rules", "alerts.yml"],
                ["promtool", "test", "rules", "alerts_test.yml"]):
        r = subprocess.run(cmd, cwd=ops, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stdout}{r.stderr}")

    work = tempfile.mkdtemp(prefix="voxbase-monitoring-")
    procs = []
    tool = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ToolHandler)
    threading.Thread(target=tool.serve_forever, daemon=True).start()
    try:
        port = free_port()
        procs.append(subprocess.Popen(
            [args.binary, "serve", "--data-dir", f"{work}/data", "--port", str(port),
             "--allow-private-tool-endpoints"],
            env=dict(os.environ, VOXBASE_ADMIN_TOKEN=ADMIN),
            stdout=subprocess.DEVNULL, stderr=open(f"{work}/voxbase.log", "w")))
        wait_for(lambda: call(port, "GET", "/readyz")[0] == 200, "voxbase")
        status, text = call(port, "POST", "/api/admin/apps",
                            {"slug": "mon", "name": "Monitoring", "secret": SECRET},
                            {"Authorization": f"Bearer {ADMIN}"})
        assert status == 201, text
        auth = {"appSlug": "mon", "appSecret": SECRET}
        status, text = call(port, "POST", "/api/guardrails/rules",
                            dict(auth, name="pii", action="block", pack="pii-basic"))
        assert status == 201, text
        status, text = call(port, "POST", "/api/knowledge",
                            dict(auth, title="Returns", content="Our return policy: 30 days."))
        assert status < 300, text
        status, text = call(port, "POST", "/api/tools", dict(
            auth, name="lookup", description="d",
            endpoint=f"http://127.0.0.1:{tool.server_address[1]}/t"))
        assert status < 300, text

        prom_port = free_port()
        with open(f"{work}/prometheus.yml", "w") as f:
            f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - {ops}/alerts.yml
scrape_configs:
  - job_name: voxbase
    static_configs:
      - targets: ["127.0.0.1:{port}"]
""")
        procs.append(subprocess.Popen(
            ["prometheus", f"--config.file={work}/prometheus.yml",
             f"--storage.tsdb.path={work}/tsdb", f"--web.listen-address=127.0.0.1:{prom_port}"],
            stdout=subprocess.DEVNULL, stderr=open(f"{work}/prometheus.log", "w")))
        wait_for(lambda: call(prom_port, "GET", "/-/ready")[0] == 200, "prometheus")

        end = time.monotonic() + args.seconds
        round_ = 0
        while time.monotonic() < end:
            load(port, tool.server_address[1], round_)
            round_ += 1
            time.sleep(0.5)
        time.sleep(2)  # a last scrape after the last round

        def query(expr):
            status, text = call(prom_port, "GET",
                                "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
            answer = json.loads(text)
            if status != 200 or answer.get("status") != "success":
                return None, answer.get("error", text)
            return answer["data"]["result"], None

        names = scrape_names(call(port, "GET", "/metrics")[1])
        errors = []
        exprs = []
        for path in sorted(glob.glob(f"{ops}/grafana/dashboards/*.json")):
            for panel in json.load(open(path))["panels"]:
                for target in panel.get("targets", []):
                    exprs.append((f"panel '{panel['title']}'", target["expr"], target["expr"]))
        status, text = call(prom_port, "GET", "/api/v1/rules")
        rules = [r for g in json.loads(text)["data"]["groups"] for r in g["rules"]]
        if len(rules) != 5:
            errors.append(f"Prometheus loaded {len(rules)} rules, alerts.yml has 5")
        for rule in rules:
            as_bool = re.sub(r"\s(>=|<=|>|<|==|!=)\s(?!bool)", r" \1 bool ", rule["query"])
            summary = rule.get("annotations", {}).get("summary", "")
            exprs.append((f"alert {rule['name']}", as_bool, rule["query"] + " " + summary))
            if rule.get("health") != "ok":
                errors.append(f"alert {rule['name']}: health {rule.get('health')}: "
                              f"{rule.get('lastError')}")
        for where, expr, named in exprs:
            errors += check_names(named, names, where)
            result, error = query(expr)
            if error:
                errors.append(f"{where}: {error}: {expr}")
            elif not result:
                errors.append(f"{where}: no series: {expr}")
        if errors:
            print("\n".join(errors))
            print(f"FAILED: {len(errors)} of {len(exprs)} expressions")
            return 1
        print(f"monitoring: {len(exprs)} expressions ({len(rules)} alerts) return series "
              f"after {round_} rounds of load; every metric and label they name is in /metrics")
        return 0
    finally:
        tool.shutdown()
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
