/// The pages the `SharedEventSource` browser test serves from its own origin (a Python static
/// server), so `client.js` and the stream are loaded from the gateway across origins, with CORS.
/// `GATEWAY` stands for the gateway's `http://127.0.0.1:PORT`, `GIVE_UP` for the milliseconds
/// after which the host page stops waiting.
enum SharedEventSourcePages {
    /// Three same-origin frames play three tabs: frames of one origin share Web Locks and
    /// BroadcastChannels as tabs do, and `--dump-dom` cannot open tabs. Once every frame has
    /// events and exactly one leads, the leader goes: `?mode=remove` removes its frame (its tab
    /// closes), `?mode=close` calls its `close()`. The page is done when both others have 10
    /// events past the last id seen then, and one of them leads. With `?mode=fallback` the frames
    /// have no Web Locks, and the page is done when each has 10 events. `<pre id=result>` holds
    /// the state as JSON all along.
    static let host = #"""
        <!doctype html>
        <meta charset="utf-8">
        <title>SharedEventSource hand-over</title>
        <pre id="result">{"done":false,"frames":[]}</pre>
        <iframe id="hold"></iframe>
        <script>
          // --dump-dom dumps the page once it has loaded: a frame whose document is left open holds
          // the load until the result is written, or the page gives up.
          const hold = document.getElementById('hold').contentDocument;
          hold.open();
          const finish = () => { clearInterval(timer); hold.close(); };
          setTimeout(finish, GIVE_UP);
          const mode = new URLSearchParams(location.search).get('mode');
          const frames = [0, 1, 2].map((i) => {
            const frame = document.createElement('iframe');
            frame.src = 'frame.html?i=' + i + '&mode=' + mode;
            document.body.append(frame);
            return frame;
          });
          const state = { done: false, firstLeader: null, handoverAfter: null, frames: [] };
          const look = (frame, i) => {
            const view = frame.contentWindow, source = view && view.source;
            if (!source) return { i, ids: [] };
            return { i, leader: source.isLeader, ids: view.ids.slice(), opens: view.opens, errors: view.errors, readyState: source.readyState };
          };
          const last = (ids) => (ids.length ? ids[ids.length - 1] : 0);
          const timer = setInterval(() => {
            const present = frames.map(look).filter((frame) => frame.i !== state.firstLeader);
            const leaders = present.filter((frame) => frame.leader);
            if (mode === 'fallback') {
              state.done = present.every((frame) => frame.ids.length >= 10);
            } else if (state.firstLeader === null) {
              if (leaders.length === 1 && present.every((frame) => frame.ids.length >= 5)) {
                state.firstLeader = leaders[0].i;
                if (mode === 'close') frames[state.firstLeader].contentWindow.source.close();
                else frames[state.firstLeader].remove();
                state.handoverAfter = Math.max(...present.filter((frame) => frame.i !== state.firstLeader).map((frame) => last(frame.ids)));
              }
            } else if (leaders.length === 1 && present.every((frame) => last(frame.ids) >= state.handoverAfter + 10)) {
              state.done = true;
            }
            state.frames = present.filter((frame) => frame.i !== state.firstLeader);
            document.getElementById('result').textContent = JSON.stringify(state);
            if (state.done) finish();
          }, 50);
        </script>
        """#

    /// One "tab": a `SharedEventSource` of `/ticks` that records the number N of every `tick`
    /// event's id (`EPOCH-N`), and how often `open` and `error` fired.
    static let frame = #"""
        <!doctype html>
        <meta charset="utf-8">
        <script type="module">
          import { SharedEventSource } from 'GATEWAY/_gateway/client.js';
          const query = new URLSearchParams(location.search);
          const index = Number(query.get('i'));
          // A browser without Web Locks: each frame falls back to its own EventSource.
          if (query.get('mode') === 'fallback') Object.defineProperty(navigator, 'locks', { value: undefined });
          window.ids = [];
          window.opens = 0;
          window.errors = 0;
          const source = new SharedEventSource('GATEWAY/ticks');
          source.onopen = () => window.opens++;
          source.onerror = () => window.errors++;
          const listen = () => source.addEventListener('tick', (event) => window.ids.push(Number(event.lastEventId.split('-')[1])));
          // Frame 0, often the first leader, listens a second late: until then its own EventSource
          // forwards `tick` only because the other frames announced that they listen to it.
          if (index === 0) setTimeout(listen, 1000); else listen();
          window.source = source;
        </script>
        """#
}
