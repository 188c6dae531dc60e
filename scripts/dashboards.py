#!/usr/bin/env python3
"""The one source of Dashboards/*.json, docs/dashboards.md and Sources/Sidecar/ShippedDashboards.swift.

Every panel is declared once below: title, description, unit, queries, what to look for, what it
needs, and, where the shipped fixtures cannot fill it, why. Run after editing:

    python3 scripts/dashboards.py            # writes the files
    python3 scripts/dashboards.py --check    # exit 1 and names the stale files (CI runs this)

The dashboards are Grafana's classic JSON (schemaVersion 39), importable as they are: `__inputs`
asks for one Prometheus data source (Prometheus, or `ctlmon serve`), which becomes the default of
the `datasource` variable. Every selector carries `cluster=~"$cluster"`; rates use
`$__rate_interval`; panels read the shipped recording rules where they exist.
"""
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DS = {"type": "prometheus", "uid": "${datasource}"}
C = 'cluster=~"$cluster"'
CI = 'cluster=~"$cluster", instance=~"$instance"'
RI = "$__rate_interval"


def q(expr, legend="", fmt=None, instant=False):
    """One query of a panel."""
    return {"expr": " ".join(expr.split()), "legend": legend, "format": fmt, "instant": instant}


def panel(title, description, unit, queries, look, needs, kind="timeseries", width=12, height=8,
          empty=None, thresholds=None, stack=False, no_value=None, decimals=None, compare="values"):
    """A panel. `look`: what the person on call looks for; `needs`: the metrics or rules it reads;
    `empty`: why it may show no data on the shipped fixtures (the CI test accepts that panel
    empty then, and only then); `compare`: how the CI test compares Prometheus and ctlmon on it
    ("values", or "series" when the two evaluate rules on their own clocks)."""
    return dict(title=title, description=description, unit=unit, queries=queries, look=look, needs=needs,
                kind=kind, width=width, height=height, empty=empty, thresholds=thresholds, stack=stack,
                no_value=no_value, decimals=decimals, compare=compare)


def p99(by, selector, metric="apiserver_request_duration_seconds_bucket"):
    return f"histogram_quantile(0.99, sum by ({by}, le) (rate({metric}{{{selector}}}[{RI}])))"


# The latency histogram as the shipped rules record it (Rules/apiserver.yaml): 5-minute rates per
# instance, verb and scope, WATCH, CONNECT and streaming subresources already left out.
LATENCY = "cluster_instance_verb_scope_le:apiserver_request_duration_seconds_bucket:rate5m"
LATENCY_NEEDS = f"the recording rule {LATENCY} (Rules/apiserver.yaml), from apiserver_request_duration_seconds_bucket"


def recorded_p99(by, selector):
    return f"histogram_quantile(0.99, sum by ({by}, le) ({LATENCY}{{{selector}}}))"


ETCD_SIZE = "cluster:etcd_db_size_bytes:max"
ETCD_QUOTA = "cluster:etcd_quota_bytes:max"
WEBHOOK_P99 = p99("cluster, name", C, "apiserver_admission_webhook_admission_duration_seconds_bucket")
WEBHOOK_INFO = f'ctlmon_webhook_config_info{{{C}}}'
REJECTIONS = f'sum by (cluster, name, error_type) (rate(apiserver_admission_webhook_rejection_count{{{C}}}[{RI}]))'


def joined(expr, labels):
    """`expr` with the labels of the webhook's configuration where ctlmon lists it, else as is."""
    return f"({expr}) * on(cluster, name) group_left({labels}) {WEBHOOK_INFO} or ({expr}) unless on(cluster, name) {WEBHOOK_INFO}"


DASHBOARDS = [
    dict(uid="ctlmon-overview", file="control-plane-overview.json", title="Control plane overview",
         description="The verdict at a glance, per cluster: API availability and errors, latency against the SLOs, load and shedding, etcd against its quota, the slowest webhook, alerts.",
         panels=[
             panel("API availability", "Share of API requests answered without a 5xx code, per cluster.", "percentunit",
                   [q(f'sum by (cluster) (rate(apiserver_request_total{{{C}, code!~"5.."}}[{RI}])) / sum by (cluster) (rate(apiserver_request_total{{{C}}}[{RI}]))', "{{cluster}}")],
                   "Below 99 %: clients see errors; the 5xx panel and the API server dashboard say which verbs and codes.",
                   "apiserver_request_total", kind="stat", width=6, decimals=3,
                   thresholds=[("red", None), ("orange", 0.99), ("green", 0.999)]),
             panel("5xx ratio", "Share of API requests answered 5xx, per cluster; the KubeAPIServerErrorsHigh alert fires above 5 % for 10 minutes.", "percentunit",
                   [q(f'sum by (cluster) (rate(apiserver_request_total{{{C}, code=~"5.."}}[{RI}])) / sum by (cluster) (rate(apiserver_request_total{{{C}}}[{RI}]))', "{{cluster}}")],
                   "Any lasting rise: etcd trouble, an overloaded server, or a failing aggregated API (metrics-server).",
                   "apiserver_request_total", width=6, thresholds=[("green", None), ("red", 0.05)]),
             panel("p99 latency by verb group", "99th-percentile latency of reads (GET/LIST) by scope and of writes, without WATCH, CONNECT and streaming subresources. The SLO lines: 1 s for writes and single-object reads, 5 s for namespace LISTs, 30 s for cluster LISTs.", "s",
                   [q(recorded_p99("cluster, scope", f'{C}, verb=~"GET|LIST", scope!=""'), "{{cluster}} read {{scope}}"),
                    q(recorded_p99("cluster", f'{C}, verb=~"POST|PUT|PATCH|DELETE"'), "{{cluster}} write")],
                   "A line above its SLO for minutes: find the resource on the API server dashboard, then look at webhooks and etcd.",
                   LATENCY_NEEDS, width=12, compare="series",
                   thresholds=[("green", None), ("orange", 1), ("red", 5), ("dark-red", 30)]),
             panel("Requests in flight", "Requests being served, read-only and mutating, summed over the API servers of each cluster.", "short",
                   [q(f'sum by (cluster, request_kind) (apiserver_current_inflight_requests{{{C}}})', "{{cluster}} {{request_kind}}")],
                   "Close to --max-requests-inflight (400) or --max-mutating-requests-inflight (200) per server: requests queue, then are rejected.",
                   "apiserver_current_inflight_requests (a gauge)", width=8),
             panel("APF rejections", "Requests API Priority and Fairness rejected (429), per priority level and reason.", "reqps",
                   [q(f'sum by (cluster, priority_level, reason) (rate(apiserver_flowcontrol_rejected_requests_total{{{C}}}[{RI}]))', "{{cluster}} {{priority_level}} {{reason}}")],
                   "Any rejection: a client exhausts its level's share. Find the flow schema and the client behind it.",
                   "apiserver_flowcontrol_rejected_requests_total", width=8, no_value="no rejections",
                   empty="the counter exists only after a first rejection, and the fixtures have none"),
             panel("Terminated requests", "Requests the API server terminated (timeouts, self-defense under overload), per second.", "reqps",
                   [q(f'sum by (cluster, code) (rate(apiserver_request_terminations_total{{{C}}}[{RI}]))', "{{cluster}} {{code}}")],
                   "A lasting rate: the server sheds load; the KubeAPIServerTerminatedRequests alert fires above 20 % of requests.",
                   "apiserver_request_terminations_total", width=8),
             panel("etcd size against quota", "The etcd database size (the largest across the API servers or etcd members: max, never sum), its quota (etcd's own where scraped, else 8 GiB) and the size projected 4 h ahead from the last 4 h.", "bytes",
                   [q(f'{ETCD_SIZE}{{{C}}}', "{{cluster}} size"),
                    q(f'{ETCD_QUOTA}{{{C}}}', "{{cluster}} quota"),
                    q(f'predict_linear({ETCD_SIZE}{{{C}}}[4h], 4 * 3600)', "{{cluster}} in 4 h")],
                   "The size or its projection near the quota: at the quota etcd raises NOSPACE and the cluster turns read-only.",
                   "the recording rules cluster:etcd_db_size_bytes:max and cluster:etcd_quota_bytes:max (Rules/etcd.yaml)", width=12),
             panel("Time to full", "How long until the etcd database reaches its quota at the growth rate of the last 4 h; empty while it does not grow.", "s",
                   [q(f'({ETCD_QUOTA}{{{C}}} - {ETCD_SIZE}{{{C}}}) / (deriv({ETCD_SIZE}{{{C}}}[4h]) > 0)', "{{cluster}}")],
                   "Under a day: the EtcdDatabaseGrowthWillFillQuota alert is close; find the growing resource on the etcd capacity dashboard.",
                   "the etcd recording rules (Rules/etcd.yaml)", kind="stat", width=6, no_value="not growing",
                   empty="the fixtures' database size is constant: nothing grows", thresholds=[("red", None), ("orange", 86400), ("green", 7 * 86400)]),
             panel("Slowest webhook p99", "The admission webhook with the highest 99th-percentile latency per cluster, with its timeout where ctlmon lists the webhook configurations (ctlmon_webhook_config_info).", "s",
                   [q(f'topk by (cluster) (1, {joined(WEBHOOK_P99, "timeout_seconds, failure_policy")})', "{{cluster}} {{name}} (timeout {{timeout_seconds}} s)")],
                   "Near its timeout (10 s by default): calls time out and writes fail, or skip the webhook with failurePolicy Ignore.",
                   "apiserver_admission_webhook_admission_duration_seconds_bucket; ctlmon_webhook_config_info for the timeout", kind="stat", width=6,
                   thresholds=[("green", None), ("orange", 1), ("red", 5)]),
             panel("Alerts pending and firing", "The shipped rules' alerts (ALERTS), counted by state and name.", "short",
                   [q(f'count by (cluster, alertstate, alertname) (ALERTS{{{C}}})', "{{cluster}} {{alertstate}} {{alertname}}")],
                   "Firing ones lead to their runbook (Rules/RUNBOOK.md); pending ones are about to fire.",
                   "the shipped rules (Rules/) evaluated by the data source", width=12, compare="series"),
         ]),
    dict(uid="ctlmon-apiserver", file="api-server.json", title="API server",
         description="Per API server instance: requests by verb and code, latency without long-running requests, terminations, watches, its own client's errors and deprecated APIs requested.",
         panels=[
             panel("Requests by verb", "Requests per second per instance and verb.", "reqps",
                   [q(f'sum by (instance, verb) (rate(apiserver_request_total{{{CI}}}[{RI}]))', "{{instance}} {{verb}}")],
                   "A step in LIST or in writes: a controller or a client in a loop (audit log: user agent).",
                   "apiserver_request_total", stack=True),
             panel("Requests by code", "Requests per second per instance and response code.", "reqps",
                   [q(f'sum by (instance, code) (rate(apiserver_request_total{{{CI}}}[{RI}]))', "{{instance}} {{code}}")],
                   "5xx: the server or etcd; 429: API Priority and Fairness; many 409: controllers fighting over objects.",
                   "apiserver_request_total", stack=True),
             panel("Latency distribution", "Request latency as a heatmap of 5-minute rates, every verb but WATCH, WATCHLIST, CONNECT and PROXY and without streaming subresources (their latency is the stream's life).", "s",
                   [q(f'sum by (le) ({LATENCY}{{{CI}}})', "{{le}}", fmt="heatmap")],
                   "Mass moving up: everything is slower (etcd, webhooks, CPU); a band alone: one slow resource or verb.",
                   LATENCY_NEEDS, kind="heatmap", width=12, compare="series"),
             panel("p99 latency by verb", "99th-percentile latency per instance and verb over 5 minutes, without long-running requests.", "s",
                   [q(recorded_p99("instance, verb", CI), "{{instance}} {{verb}}")],
                   "Writes above 1 s: webhooks or etcd; LIST above 5 s: large unpaginated lists.",
                   LATENCY_NEEDS, width=12, compare="series", thresholds=[("green", None), ("orange", 1), ("red", 5)]),
             panel("Error budget burn", "The share of reads and writes that failed (5xx, or slower than the API-call SLO) over the windows of the multi-window burn-rate alerts, against the 99 % SLO's 1 % budget: the series KubeAPIErrorBudgetBurn reads (Rules/apiserver-slo.yaml).", "percentunit",
                   [q(f'cluster_verb:apiserver_request:burnrate{w}{{{C}}}', "{{cluster}} {{verb}} " + w) for w in ["1h", "6h", "1d", "3d"]],
                   "Above 14.4 % over 1 h or 6 % over 6 h pages; above 1 % over 3 days the month's budget runs out. Find the cause in the errors and latency panels.",
                   "the recording rules cluster_verb:apiserver_request:burnrate* (Rules/apiserver-slo.yaml)", width=24, compare="series",
                   thresholds=[("green", None), ("orange", 0.01), ("red", 0.06)]),
             panel("Terminated requests", "Requests terminated by the server (timeouts, overload), per instance, code and resource.", "reqps",
                   [q(f'sum by (instance, code, resource) (rate(apiserver_request_terminations_total{{{CI}}}[{RI}]))', "{{instance}} {{code}} {{resource}}")],
                   "Lasting terminations: the server sheds load; look at APF and the heaviest clients.",
                   "apiserver_request_terminations_total", width=8),
             panel("Long-running requests", "Open WATCH and CONNECT requests per instance and resource (the 10 largest): a gauge, never rated.", "short",
                   [q(f'topk(10, sum by (instance, verb, resource) (apiserver_longrunning_requests{{{CI}}}) or sum by (instance, verb, resource) (apiserver_longrunning_gauge{{{CI}}}))', "{{instance}} {{verb}} {{resource}}")],
                   "Thousands of watches on one resource: a client leaking watches; after a restart, watches reconnect here.",
                   "apiserver_longrunning_requests (1.23+) or apiserver_longrunning_gauge (before)", width=8),
             panel("API server's own client errors", "Requests the API server itself made (rest_client_*: to aggregated APIs, webhooks' services, itself) that got no 2xx answer.", "reqps",
                   [q(f'sum by (instance, code, method) (rate(rest_client_requests_total{{{CI}, code!~"2.."}}[{RI}]))', "{{instance}} {{code}} {{method}}")],
                   "<error> or 5xx: an aggregated API or a webhook service unreachable; 404 on DELETE/GET is usually benign.",
                   "rest_client_requests_total", width=8),
             panel("Deprecated APIs requested", "APIs requested since the server started that a later release removes (apiserver_requested_deprecated_apis).", "short",
                   [q(f'max by (cluster, group, version, resource, removed_release) (apiserver_requested_deprecated_apis{{{CI}}})', "", fmt="table", instant=True)],
                   "Any row with removed_release: an upgrade to that release breaks the clients that still use it.",
                   "apiserver_requested_deprecated_apis", kind="table", width=24, height=7),
         ]),
    dict(uid="ctlmon-webhooks", file="admission-webhooks.json", title="Admission webhooks",
         description="Per admission webhook: latency against its own timeout, calls, rejections graded by failure policy, calls that failed open.",
         panels=[
             panel("p99 latency against timeout", "99th-percentile latency per webhook; the legend carries its timeoutSeconds and failurePolicy where ctlmon lists the webhook configurations (ctlmon_webhook_config_info).", "s",
                   [q(joined(WEBHOOK_P99, "timeout_seconds, failure_policy"), "{{name}} (timeout {{timeout_seconds}} s, {{failure_policy}})")],
                   "A webhook near its timeout: requests it intercepts wait that long, then fail (Fail) or skip it (Ignore).",
                   "apiserver_admission_webhook_admission_duration_seconds_bucket; ctlmon_webhook_config_info", width=24,
                   thresholds=[("green", None), ("orange", 1), ("red", 5)]),
             panel("Calls", "Calls per second per webhook, operation and type (validating or admit).", "reqps",
                   [q(f'sum by (cluster, name, operation, type) (rate(apiserver_admission_webhook_admission_duration_seconds_count{{{C}}}[{RI}]))', "{{name}} {{operation}} {{type}}")],
                   "A webhook called for everything (a catch-all rule) slows every write; narrow its rules.",
                   "apiserver_admission_webhook_admission_duration_seconds_count"),
             panel("Rejections by error type and failure policy", "Requests rejected per webhook and error type: calling_webhook_error and apiserver_internal_error are failures to call it, no_error a deliberate denial. Graded by failurePolicy where ctlmon lists the configurations.", "reqps",
                   [q(joined(REJECTIONS, "failure_policy"), "{{name}} {{error_type}} {{failure_policy}}")],
                   "calling_webhook_error with failurePolicy Fail: writes are blocked now (KubeAdmissionWebhookFailing, critical).",
                   "apiserver_admission_webhook_rejection_count; ctlmon_webhook_config_info"),
             panel("Fail-open calls", "Calls that failed and were admitted anyway (failurePolicy Ignore): the webhook's policy was not applied.", "reqps",
                   [q(f'sum by (cluster, name) (rate(apiserver_admission_webhook_fail_open_count{{{C}}}[{RI}]))', "{{name}}")],
                   "Any: objects were admitted without the policy (security, defaults); fix the webhook and review what got in.",
                   "apiserver_admission_webhook_fail_open_count (1.24+)"),
             panel("Share of calls rejected", "Rejections per call, per webhook.", "percentunit",
                   [q(f'sum by (cluster, name) (rate(apiserver_admission_webhook_rejection_count{{{C}}}[{RI}])) / sum by (cluster, name) (rate(apiserver_admission_webhook_admission_duration_seconds_count{{{C}}}[{RI}]))', "{{name}}")],
                   "A sudden rise: a new policy denying, or the webhook failing.",
                   "apiserver_admission_webhook_rejection_count, apiserver_admission_webhook_admission_duration_seconds_count"),
         ]),
    dict(uid="ctlmon-etcd", file="etcd-capacity.json", title="etcd capacity",
         description="The etcd database against its quota per cluster (max across API servers, under every metric name from Kubernetes 1.19 to 1.35), what fills it, and how fast.",
         panels=[
             panel("Size against quota", "The database size and quota per cluster, from the shipped recording rules (the largest value across API servers and etcd members, whichever metric name the version exposes).", "bytes",
                   [q(f'{ETCD_SIZE}{{{C}}}', "{{cluster}} size"), q(f'{ETCD_QUOTA}{{{C}}}', "{{cluster}} quota")],
                   "Size above 80 % of the quota (EtcdDatabaseNearQuota); at 100 % the cluster turns read-only.",
                   "the recording rules of Rules/etcd.yaml", width=12),
             panel("Used", "Size over quota, per cluster.", "percentunit",
                   [q(f'{ETCD_SIZE}{{{C}}} / on(cluster) {ETCD_QUOTA}{{{C}}}', "{{cluster}}")],
                   "Above 0.8: free space (events, old objects), compact and defragment.",
                   "the recording rules of Rules/etcd.yaml", kind="stat", width=6, thresholds=[("green", None), ("orange", 0.8), ("red", 0.9)]),
             panel("Days to full", "Days until the quota at the growth of the last 4 h; empty while the database does not grow.", "d",
                   [q(f'({ETCD_QUOTA}{{{C}}} - {ETCD_SIZE}{{{C}}}) / (deriv({ETCD_SIZE}{{{C}}}[4h]) > 0) / 86400', "{{cluster}}")],
                   "Under one day: EtcdDatabaseGrowthWillFillQuota; stop what creates objects.",
                   "the recording rules of Rules/etcd.yaml, 4 h of history", kind="stat", width=6, no_value="not growing",
                   empty="the fixtures' database size is constant: nothing grows", thresholds=[("red", None), ("orange", 1), ("green", 7)]),
             panel("Size per member", "The size each API server or etcd member reports, by metric name: apiserver_storage_size_bytes (1.28+), apiserver_storage_db_total_size_in_bytes (1.26-1.27), etcd_db_total_size_in_bytes (1.19-1.25), etcd_mvcc_db_total_size_in_bytes (etcd's own).", "bytes",
                   [q(f'max by (cluster, instance) (apiserver_storage_size_bytes{{{CI}}}) or max by (cluster, instance) (apiserver_storage_db_total_size_in_bytes{{{CI}}}) or max by (cluster, instance) (etcd_db_total_size_in_bytes{{{CI}}}) or max by (cluster, instance) (etcd_mvcc_db_total_size_in_bytes{{{CI}}})', "{{instance}}")],
                   "Members far apart: one was defragmented, the others not yet.",
                   "one of the four size metrics", width=12),
             panel("Growth per hour", "How fast the database grows, per cluster (derivative over the last hour).", "bytes",
                   [q(f'deriv({ETCD_SIZE}{{{C}}}[1h]) * 3600', "{{cluster}}")],
                   "Steady growth with no drop after compaction: objects accumulate (events with long TTLs, leaked custom resources).",
                   "the recording rules of Rules/etcd.yaml", width=12),
             panel("Objects by resource", "The 15 resources with the most objects stored, per cluster (the largest count across API servers).", "short",
                   [q(f'topk(15, max by (cluster, resource) (apiserver_storage_objects{{{C}}}) or max by (cluster, resource) (etcd_object_counts{{{C}}}))', "{{cluster}} {{resource}}")],
                   "A resource in the tens of thousands (events, secrets, custom resources) is what fills the database.",
                   "apiserver_storage_objects (1.21+) or etcd_object_counts (before)", width=24),
         ]),
    dict(uid="ctlmon-scheduler-kcm", file="scheduler-controller-manager.json", title="Scheduler and controller manager",
         description="kube-scheduler and kube-controller-manager (on EKS from their ksh and kcm metrics endpoints): pending pods, scheduling attempts, work queues.",
         panels=[
             panel("Pending pods by queue", "Pods waiting in the scheduler's queues: active, backoff, gated, unschedulable.", "short",
                   [q(f'sum by (cluster, queue) (scheduler_pending_pods{{{CI}}})', "{{cluster}} {{queue}}")],
                   "Unschedulable for more than minutes: no node fits (KubeSchedulerPodsUnschedulable); FailedScheduling events say why.",
                   "scheduler_pending_pods (a gauge)", stack=True),
             panel("Scheduling attempts by result", "Scheduling attempts per second: scheduled, unschedulable, error.", "ops",
                   [q(f'sum by (cluster, result) (rate(scheduler_schedule_attempts_total{{{CI}}}[{RI}]))', "{{cluster}} {{result}}")],
                   "A steady rate of unschedulable or error: pods retried in a loop (KubeSchedulerRetryLoop).",
                   "scheduler_schedule_attempts_total"),
             panel("Scheduling attempt p99", "99th-percentile duration of a scheduling attempt.", "s",
                   [q(p99("cluster", CI, "scheduler_scheduling_attempt_duration_seconds_bucket"), "{{cluster}}")],
                   "Rising with the number of nodes or pods: expensive affinities or topology spread constraints.",
                   "scheduler_scheduling_attempt_duration_seconds_bucket"),
             panel("Work queue depth", "Items waiting per work queue, the queues that hold any (a gauge, never rated); empty while every queue is empty.", "short",
                   [q(f'sum by (cluster, name) (workqueue_depth{{{CI}}}) > 0', "{{cluster}} {{name}}")],
                   "Deep and growing: the controller cannot keep up (KubeControllerWorkQueueGrowing).",
                   "workqueue_depth (a gauge)", no_value="every queue empty",
                   empty="every work queue of the fixtures is empty (depth 0)"),
             panel("Work queue wait p99", "99th-percentile time an item waits in its work queue before a worker takes it (the 10 slowest queues).", "s",
                   [q(f'topk(10, {p99("cluster, name", CI, "workqueue_queue_duration_seconds_bucket")})', "{{cluster}} {{name}}")],
                   "Above a minute: the controller reacts late (KubeControllerWorkQueueSlow).",
                   "workqueue_queue_duration_seconds_bucket"),
             panel("Work queue adds", "Items added per second per work queue (the 10 busiest).", "ops",
                   [q(f'topk(10, sum by (cluster, name) (rate(workqueue_adds_total{{{CI}}}[{RI}])))', "{{cluster}} {{name}}")],
                   "A queue far busier than usual: something changes objects in a loop.",
                   "workqueue_adds_total"),
         ]),
]


def thresholds(steps):
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for c, v in (steps or [("green", None)])]}


def render_panel(p, pid, x, y):
    """A panel's Grafana JSON."""
    targets = []
    for i, query in enumerate(p["queries"]):
        t = {"datasource": DS, "expr": query["expr"], "legendFormat": query["legend"], "refId": chr(65 + i)}
        if query["format"]:
            t["format"] = query["format"]
        t["instant"] = query["instant"]
        t["range"] = not query["instant"]
        targets.append(t)
    defaults = {"unit": p["unit"], "thresholds": thresholds(p["thresholds"]), "color": {"mode": "palette-classic" if p["kind"] == "timeseries" else "thresholds"}}
    if p["decimals"] is not None:
        defaults["decimals"] = p["decimals"]
    if p["no_value"]:
        defaults["noValue"] = p["no_value"]
    options = {}
    if p["kind"] == "timeseries":
        defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10 if p["stack"] else 0, "showPoints": "never",
                              "spanNulls": False, "stacking": {"mode": "normal" if p["stack"] else "none", "group": "A"},
                              "thresholdsStyle": {"mode": "dashed" if p["thresholds"] else "off"}}
        options = {"legend": {"displayMode": "table", "placement": "bottom", "showLegend": True, "calcs": ["lastNotNull", "max"]},
                   "tooltip": {"mode": "multi", "sort": "desc"}}
    elif p["kind"] == "stat":
        options = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}, "colorMode": "value",
                   "graphMode": "area", "justifyMode": "auto", "textMode": "auto", "orientation": "auto"}
    elif p["kind"] == "heatmap":
        options = {"calculate": False, "yAxis": {"unit": p["unit"], "axisPlacement": "left"}, "cellGap": 1,
                   "color": {"mode": "scheme", "scheme": "Oranges", "exponent": 0.5, "fill": "dark-orange", "steps": 64},
                   "rowsFrame": {"layout": "auto"}, "tooltip": {"mode": "single", "yHistogram": False}, "legend": {"show": True},
                   "filterValues": {"le": 1e-9}}
    elif p["kind"] == "table":
        options = {"showHeader": True, "cellHeight": "sm", "footer": {"show": False, "reducer": ["sum"], "fields": ""}}
    out = {"id": pid, "type": p["kind"], "title": p["title"], "description": p["description"], "datasource": DS,
           "gridPos": {"h": p["height"], "w": p["width"], "x": x, "y": y},
           "fieldConfig": {"defaults": defaults, "overrides": []}, "options": options, "targets": targets}
    if p["kind"] == "table":
        out["transformations"] = [{"id": "organize", "options": {"excludeByName": {"Time": True, "Value": True}}}]
    if p["kind"] == "heatmap":
        out["maxDataPoints"] = 60
    return out


def variable_query(name, query):
    return {"name": name, "label": name, "type": "query", "datasource": DS,
            "definition": query, "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1},
            "refresh": 2, "multi": True, "includeAll": True, "allValue": ".*", "sort": 1, "regex": "", "hide": 0,
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "options": [], "skipUrlSync": False}


def render_dashboard(d):
    """A dashboard's Grafana JSON (a dict)."""
    panels, x, y, row_height, pid = [], 0, 0, 0, 1
    for p in d["panels"]:
        if x + p["width"] > 24:
            x, y, row_height = 0, y + row_height, 0
        panels.append(render_panel(p, pid, x, y))
        pid += 1
        x += p["width"]
        row_height = max(row_height, p["height"])
    kinds = sorted({p["kind"] for p in d["panels"]})
    names = {"timeseries": "Time series", "stat": "Stat", "heatmap": "Heatmap", "table": "Table"}
    return {
        "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "description": "Prometheus, or ctlmon serve (its API answers Grafana's Prometheus data source)",
                      "type": "datasource", "pluginId": "prometheus", "pluginName": "Prometheus"}],
        "__requires": [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.4.0"},
                       {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}]
                      + [{"type": "panel", "id": k, "name": names[k], "version": ""} for k in kinds],
        "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True, "hide": True,
                                  "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard"}]},
        "description": d["description"],
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "links": [{"title": "ctlmon dashboards", "type": "dashboards", "tags": ["ctlmon"], "asDropdown": True, "includeVars": True, "keepTime": True}],
        "panels": panels,
        "refresh": "30s",
        "schemaVersion": 39,
        "tags": ["ctlmon", "kubernetes", "control-plane"],
        "templating": {"list": [
            {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus", "regex": "", "hide": 0,
             "current": {"selected": False, "text": "${DS_PROMETHEUS}", "value": "${DS_PROMETHEUS}"}, "options": [], "refresh": 1, "skipUrlSync": False},
            variable_query("cluster", "label_values(up, cluster)"),
            variable_query("instance", 'label_values(up{cluster=~"$cluster"}, instance)'),
        ]},
        "time": {"from": "now-1h", "to": "now"},
        "timepicker": {},
        "timezone": "",
        "title": d["title"],
        "uid": d["uid"],
        "version": 1,
        "weekStart": "",
    }


def compare(p, query):
    """How the CI test compares a query on Prometheus and ctlmon: "values" (same series, same
    values), "series" (same series: each evaluates the rules on its own clock), or "ranked" for
    topk (the same values at each step: which of equal series topk keeps is Prometheus's
    series-creation order, which differs from run to run)."""
    if p["compare"] == "values" and "topk" in query["expr"]:
        return "ranked"
    return p["compare"]


def render_swift():
    lines = ["// Generated by scripts/dashboards.py from its panel list: do not edit.", "",
             "/// Every query of the shipped dashboards (Dashboards/*.json), Grafana's variables unexpanded:",
             "/// `ctlmon serve` keeps the metrics they read (``DashboardQuery``), and the tests lint them and",
             "/// run them against Prometheus and ctlmon.",
             "package enum ShippedDashboards {",
             "    /// (dashboard file, panel title, why the fixtures may leave it empty or nil, how Prometheus and",
             "    /// ctlmon compare on it: \"values\", \"series\" or \"ranked\" (topk: the same values at each step,",
             "    /// ties aside), query), in dashboard and panel order.",
             "    package static let queries: [(file: String, panel: String, empty: String?, compare: String, expr: String)] = ["]
    for d in DASHBOARDS:
        for p in d["panels"]:
            for query in p["queries"]:
                assert '"#' not in query["expr"]
                empty = "nil" if p["empty"] is None else json.dumps(p["empty"])
                lines.append(f'        ("{d["file"]}", {json.dumps(p["title"])}, {empty}, "{compare(p, query)}", #"{query["expr"]}"#),')
    lines += ["    ]", "}", ""]
    return "\n".join(lines)


def render_doc():
    out = ["# Dashboards", "",
           "Generated by `scripts/dashboards.py` with `Dashboards/*.json`: edit the script, run it, commit both.", "",
           "Five Grafana dashboards (classic JSON, schemaVersion 39, Grafana 10.4 or later) for the control plane.",
           "Import them (Dashboards > New > Import > Upload) and choose a Prometheus data source: a Prometheus",
           "(or Thanos, Mimir, VictoriaMetrics) that scrapes the control plane and loads `Rules/`, or `ctlmon serve`",
           "itself, added to Grafana as a Prometheus data source at its URL (`http://ctlmon:9095`, with the user and",
           "password of its web config if it has one). Nothing else is needed.", "",
           "Variables: `datasource`; `cluster` (from `up`'s `cluster` label, several at once; a single cluster without",
           "the label works too: every selector reads `cluster=~\"$cluster\"`, which then matches the empty value);",
           "`instance` (several, or All). Rates use `$__rate_interval`: set the data source's scrape interval to",
           "the scrape interval you use (15 s in ctlmon's defaults and `deploy/`), so that every rate window holds",
           "several scrapes.", "",
           "`ctlmon serve` keeps every metric these queries read for `--storage.dashboard-retention` (default 1 h,",
           "the dashboards' default time range), besides what its rules need; longer ranges show what is kept.",
           "The latency panels read the latency histogram as the shipped rules record it (per instance, verb and",
           "scope), not the raw histogram, so that hour costs about 1,000 series per API server (measured on the",
           "1.35 fixture: 4,408 series kept instead of 4,305, about 240 points more each at 15 s, some 4 MB).", "",
           "How they are checked (`swift test --filter Dashboard`): the JSON is what the script writes; every query",
           "passes dashboard-linter's rules and ours (a `cluster` matcher on every selector, counters only under",
           "`rate`/`increase`, gauges never rated, etcd sizes under `max`, no WATCH in latency) and parses in",
           "promtool; a Prometheus 2.42 with `Rules/` and `ctlmon serve` scrape the same fixtures and every panel",
           "gets data from both (but those listed as empty below, for the reason given), the same series and",
           "values within 1e-9.", ""]
    for d in DASHBOARDS:
        out += [f"## {d['title']} (`Dashboards/{d['file']}`)", "", d["description"], ""]
        for p in d["panels"]:
            out += [f"### {p['title']}", "", p["description"], ""]
            for query in p["queries"]:
                out += ["```promql", query["expr"], "```", ""]
            out += [f"- Look for: {p['look']}", f"- Needs: {p['needs']}"]
            if p["empty"]:
                out.append(f"- Empty on the shipped fixtures: {p['empty']}.")
            if p["compare"] == "series":
                out.append("- Prometheus and ctlmon each evaluate the rules on their own clock: the tests compare this panel's series, not its values.")
            elif any(compare(p, query) == "ranked" for query in p["queries"]):
                out.append("- Among series with equal values, which ones `topk` keeps depends on the order the data source created them: the tests compare the values at each step.")
            out.append("")
    return "\n".join(out)


def outputs():
    files = {}
    for d in DASHBOARDS:
        files[os.path.join("Dashboards", d["file"])] = json.dumps(render_dashboard(d), indent=2, sort_keys=False) + "\n"
    files[os.path.join("Sources", "Sidecar", "ShippedDashboards.swift")] = render_swift()
    files[os.path.join("docs", "dashboards.md")] = render_doc()
    return files


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for path, text in outputs().items():
        full = os.path.join(ROOT, path)
        current = open(full).read() if os.path.exists(full) else None
        if current != text:
            stale.append(path)
            if not check:
                open(full, "w").write(text)
    if check and stale:
        print("stale (run python3 scripts/dashboards.py and commit): " + ", ".join(stale), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
