#!/usr/bin/env bash
# Posts a few events to examples/publish/gateway.yaml, one in each body format the `http`
# source reads. GATEWAY (default http://127.0.0.1:8080) and PUBLISH_TOKEN (default change-me).
set -euo pipefail
gateway="${GATEWAY:-http://127.0.0.1:8080}"
auth="Authorization: Bearer ${PUBLISH_TOKEN:-change-me}"

post() { curl -sS -X POST "$gateway/publish" -H "$auth" -H "Content-Type: $1" --data-binary "$2"; }

post application/json '{"event":"note","id":"n-1","data":{"text":"one JSON object"}}'
post application/json '[{"event":"note","data":{"text":"an array"}},{"event":"note","data":{"text":"of two"}}]'
post application/x-ndjson $'{"event":"note","data":{"text":"NDJSON, line 1"}}\n{"event":"note","data":{"text":"line 2"}}'
post text/event-stream $'event: note\ndata: {"text":"SSE text,"}\n\nevent: note\ndata: {"text":"as an upstream would send it"}\n'
curl -sS -X POST "$gateway/publish" -H "$auth" -d 'type=note' --data-urlencode 'data={"text":"a Mercure-style form"}'
echo
# A malformed item rejects the whole request: nothing of it is published.
post application/json '[{"event":"note","data":{"text":"not sent"}},{"evnt":"typo","data":1}]' || true
echo
