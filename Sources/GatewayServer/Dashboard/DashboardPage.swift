/// The dashboard at `/`: one self-contained page (no CDN, no build step) that follows the
/// status stream with `EventSource` and draws endpoints, clients, rates and recent events.
enum DashboardPage {
    // The page only ever talks to the gateway that served it (a relative URL), and
    // loads nothing from elsewhere: it works offline and behind a path prefix.
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>gateway · live</title>
        <style>
          :root {
            --bg: #0d1117; --panel: #161b22; --panel2: #1c2330; --line: #2a3240; --text: #e6edf3;
            --muted: #8b98a9; --accent: #58a6ff; --good: #3fb950; --warn: #d29922; --bad: #f85149;
          }
          * { box-sizing: border-box; }
          body { margin: 0; background: radial-gradient(1200px 600px at 10% -10%, #1b2940 0%, var(--bg) 55%);
                 color: var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; min-height: 100vh; }
          header { display: flex; align-items: center; gap: 16px; padding: 20px 28px; border-bottom: 1px solid var(--line);
                   background: rgba(13,17,23,.7); backdrop-filter: blur(6px); position: sticky; top: 0; z-index: 1; }
          .logo { font-weight: 700; font-size: 18px; letter-spacing: .3px; }
          .logo span { color: var(--accent); }
          .pill { display: inline-flex; align-items: center; gap: 8px; padding: 4px 12px; border-radius: 999px;
                  background: var(--panel); border: 1px solid var(--line); color: var(--muted); font-size: 12px; }
          .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--bad); box-shadow: 0 0 0 3px rgba(248,81,73,.15); }
          .dot.on { background: var(--good); box-shadow: 0 0 0 3px rgba(63,185,80,.18); animation: pulse 2s infinite; }
          @keyframes pulse { 50% { box-shadow: 0 0 0 6px rgba(63,185,80,.05); } }
          .spacer { flex: 1; }
          main { padding: 24px 28px 40px; max-width: 1400px; margin: 0 auto; }
          .totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 14px; margin-bottom: 22px; }
          .total { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; }
          .total .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .08em; }
          .total .value { font-size: 28px; font-weight: 650; font-variant-numeric: tabular-nums; margin-top: 2px; }
          h2 { font-size: 13px; color: var(--muted); text-transform: uppercase; letter-spacing: .1em; margin: 26px 0 12px; font-weight: 600; }
          .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 16px; }
          .card { background: linear-gradient(180deg, var(--panel2), var(--panel)); border: 1px solid var(--line);
                  border-radius: 14px; padding: 16px 18px; box-shadow: 0 8px 24px rgba(0,0,0,.25); }
          .card-head { display: flex; align-items: baseline; gap: 10px; }
          .path { font: 600 16px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--accent); }
          .path a { color: inherit; text-decoration: none; }
          .stats { display: flex; gap: 22px; margin: 12px 0 6px; }
          .stat .n { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
          .stat .l { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .08em; }
          canvas { width: 100%; height: 56px; display: block; margin: 6px 0 10px; }
          .events { list-style: none; margin: 0; padding: 0; border-top: 1px solid var(--line); }
          .events li { display: grid; grid-template-columns: auto 1fr; gap: 10px; padding: 7px 0; border-bottom: 1px dashed var(--line);
                       align-items: start; animation: fade .6s ease; }
          @keyframes fade { from { background: rgba(88,166,255,.12); } to { background: transparent; } }
          .type { font-size: 11px; padding: 2px 8px; border-radius: 6px; background: rgba(88,166,255,.14); color: var(--accent);
                  white-space: nowrap; font-weight: 600; }
          .data { font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #c9d1d9; word-break: break-all; }
          .id { color: var(--muted); font-size: 11px; display: block; }
          .empty { color: var(--muted); padding: 10px 0; font-style: italic; }
          .sources { display: flex; flex-wrap: wrap; gap: 10px; }
          .source { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; min-width: 190px; }
          .source .name { font-weight: 600; display: flex; align-items: center; gap: 8px; }
          .source .meta { color: var(--muted); font-size: 12px; margin-top: 2px; font-variant-numeric: tabular-nums; }
          .cluster { color: var(--muted); font-size: 12px; margin: 2px 0 6px; }
          .channels { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin: 8px 0; font-size: 12px; }
          .channels .row { display: flex; justify-content: space-between; gap: 8px; padding: 2px 0; }
          .channels a { color: inherit; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
          .channels .meta, .channels .empty { color: var(--muted); }
          footer { color: var(--muted); font-size: 12px; text-align: center; padding: 20px; }
        </style>
        </head>
        <body>
        <header>
          <div class="logo">gate<span>way</span></div>
          <div class="pill"><span class="dot" id="dot"></span><span id="conn">connecting…</span></div>
          <div class="spacer"></div>
          <div class="pill">up <span id="uptime">–</span></div>
        </header>
        <main>
          <section class="totals">
            <div class="total"><div class="label">Clients</div><div class="value" id="t-clients">–</div></div>
            <div class="total"><div class="label">Events / s</div><div class="value" id="t-rate">–</div></div>
            <div class="total"><div class="label">Events sent</div><div class="value" id="t-events">–</div></div>
            <div class="total"><div class="label">Sources ready</div><div class="value" id="t-ready">–</div></div>
          </section>
          <h2>Endpoints</h2>
          <div class="grid" id="endpoints"></div>
          <h2>Sources</h2>
          <div class="sources" id="sources"></div>
        </main>
        <footer>Live from <code>./_gateway/status</code> over Server-Sent Events · metrics at <a href="metrics" style="color:inherit">/metrics</a></footer>
        <script>
        "use strict";
        const history = new Map();
        const fmt = new Intl.NumberFormat();
        const $ = (id) => document.getElementById(id);
        function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
        function uptime(s) { const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
          return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s"; }
        function rateText(r) { return r >= 100 ? fmt.format(Math.round(r)) : r.toFixed(1); }
        function spark(canvas, points) {
          const ratio = window.devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight;
          canvas.width = w * ratio; canvas.height = h * ratio;
          const c = canvas.getContext("2d"); c.scale(ratio, ratio); c.clearRect(0, 0, w, h);
          if (points.length === 1) points = [points[0], points[0]];
          const max = Math.max(1, ...points), step = w / (points.length - 1);
          const y = (v) => h - 4 - (v / max) * (h - 10);
          const x0 = 0;
          const grad = c.createLinearGradient(0, 0, 0, h); grad.addColorStop(0, "rgba(88,166,255,.35)"); grad.addColorStop(1, "rgba(88,166,255,0)");
          c.beginPath(); points.forEach((v, i) => i ? c.lineTo(x0 + i * step, y(v)) : c.moveTo(x0, y(v)));
          c.lineTo(w, h); c.lineTo(x0, h); c.closePath(); c.fillStyle = grad; c.fill();
          c.beginPath(); points.forEach((v, i) => i ? c.lineTo(x0 + i * step, y(v)) : c.moveTo(x0, y(v)));
          c.strokeStyle = "#58a6ff"; c.lineWidth = 1.6; c.stroke();
        }
        function card(endpoint) {
          const card = el("div", "card"); card.dataset.path = endpoint.path;
          const head = el("div", "card-head"); const path = el("div", "path");
          if (endpoint.channels) { path.append(el("span", "", endpoint.path)); }
          else { const link = el("a", "", endpoint.path); link.href = "." + endpoint.path; path.append(link); }
          head.append(path); card.append(head);
          if (endpoint.cluster) card.append(el("div", "cluster"));
          const stats = el("div", "stats");
          for (const [key, label] of [["clients", "clients"], ["rate", "events/s"], ["events", "sent"]]) {
            const s = el("div", "stat"); s.append(el("div", "n"), el("div", "l", label)); s.dataset.key = key; stats.append(s);
          }
          if (endpoint.channels) {
            const s = el("div", "stat"); s.append(el("div", "n"), el("div", "l", "channels")); s.dataset.key = "channels"; stats.append(s);
          }
          card.append(stats, el("canvas"));
          if (endpoint.channels) card.append(el("div", "channels"));
          card.append(el("ul", "events"));
          return card;
        }
        function render(status) {
          $("uptime").textContent = uptime(status.uptime);
          let clients = 0, rate = 0, events = 0;
          const grid = $("endpoints");
          for (const endpoint of status.endpoints) {
            clients += endpoint.clients; rate += endpoint.rate; events += endpoint.events;
            let c = grid.querySelector(`[data-path="${CSS.escape(endpoint.path)}"]`);
            if (!c) { c = card(endpoint); grid.append(c); }
            c.querySelector('[data-key="clients"] .n').textContent = fmt.format(endpoint.clients);
            c.querySelector('[data-key="rate"] .n').textContent = rateText(endpoint.rate);
            c.querySelector('[data-key="events"] .n').textContent = fmt.format(endpoint.events);
            if (endpoint.cluster) {
              const k = endpoint.cluster;
              c.querySelector(".cluster").textContent = "cluster stream " + (k.stream || "(opening)") + " · " +
                (k.connected ? "" : "engine unreachable · ") + (k.lease ? "this instance runs the sources" : "another instance runs the sources");
            }
            if (endpoint.channels) {
              c.querySelector('[data-key="channels"] .n').textContent = fmt.format(endpoint.channels.count);
              const box = c.querySelector(".channels"); box.replaceChildren();
              for (const [title, list, key, unit] of [["Top channels by clients", endpoint.channels.top_clients, "clients", "clients"],
                                                      ["Top channels by events", endpoint.channels.top_events, "events", "events"]]) {
                const group = el("div", "top"); group.append(el("div", "l", title));
                if (!list.length) group.append(el("div", "empty", "none yet"));
                for (const ch of list) {
                  const row = el("div", "row"); const link = el("a", "", ch.name);
                  link.href = "." + endpoint.path.replace(/\{[^}]*\}/, encodeURIComponent(ch.name));
                  row.append(link, el("span", "meta", fmt.format(ch[key]) + " " + unit)); group.append(row);
                }
                box.append(group);
              }
            }
            const points = history.get(endpoint.path) || []; points.push(endpoint.rate); if (points.length > 60) points.shift();
            history.set(endpoint.path, points); spark(c.querySelector("canvas"), points);
            const list = c.querySelector(".events"), key = endpoint.recent.map(e => e.id + e.data).join("|");
            if (list.dataset.key !== key) {
              list.dataset.key = key; list.replaceChildren();
              if (!endpoint.recent.length) list.append(el("li", "empty", "no events yet"));
              for (const e of endpoint.recent) {
                const li = el("li"); li.append(el("span", "type", e.type));
                const body = el("div"); body.append(el("span", "data", e.data));
                if (e.id) body.append(el("span", "id", "id " + e.id));
                li.append(body); list.append(li);
              }
            }
          }
          $("t-clients").textContent = fmt.format(clients); $("t-rate").textContent = rateText(rate); $("t-events").textContent = fmt.format(events);
          const ready = status.sources.filter(s => s.ready).length;
          $("t-ready").textContent = ready + " / " + status.sources.length;
          const sources = $("sources"); sources.replaceChildren();
          for (const s of status.sources) {
            const box = el("div", "source"); const name = el("div", "name"); const dot = el("span", "dot" + (s.ready ? " on" : ""));
            name.append(dot, document.createTextNode(s.name)); box.append(name, el("div", "meta", s.type + " · " + fmt.format(s.events) + " events"));
            sources.append(box);
          }
        }
        function connect() {
          const source = new EventSource("./_gateway/status");
          source.onopen = () => { $("dot").className = "dot on"; $("conn").textContent = "live"; };
          source.onerror = () => { $("dot").className = "dot"; $("conn").textContent = "reconnecting…"; };
          source.addEventListener("status", (e) => render(JSON.parse(e.data)));
        }
        connect();
        </script>
        </body>
        </html>
        """#
}
