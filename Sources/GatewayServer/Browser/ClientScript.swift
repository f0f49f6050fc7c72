/// `GET /_gateway/client.js`: a dependency-free ES module exporting `SharedEventSource`, an
/// `EventSource` that every tab and frame of an origin shares (SPEC §6, "one connection per
/// browser").
///
/// It is not part of the dashboard, so it is served whether or not the dashboard is on; it
/// carries the CORS headers of the request's origin, since a module imported from another
/// origin needs them.
enum ClientScript {
    /// Where the module is served.
    static let path = "/_gateway/client.js"

    /// The module's response, with `corsHeaders` (the request origin's, when CORS allows it).
    static func response(corsHeaders: [(String, String)]) -> Response {
        // Five minutes of caching: a page reload does not fetch it again, and an upgraded
        // gateway's script reaches browsers soon enough. `Vary: Origin` comes with the CORS
        // headers of a listed origin, so a shared cache keeps one copy per origin.
        Response(
            .ok,
            headers: [("Content-Type", "text/javascript; charset=utf-8"), ("Cache-Control", "public, max-age=300")] + corsHeaders,
            body: source)
    }

    // Kept readable rather than minified: it is a few kilobytes, and whoever debugs a page
    // should be able to read what runs in it.
    static let source = #"""
        // SharedEventSource: one EventSource per URL for every tab and frame of an origin.
        //
        //   import { SharedEventSource } from '/_gateway/client.js';
        //   const source = new SharedEventSource('/orders');
        //   source.addEventListener('created', (event) => console.log(event.data));
        //
        // A browser allows about six HTTP/1.1 connections per host, and every tab holding an
        // EventSource takes one. Here one instance leads: it holds a Web Lock named after the URL
        // for its tab's life, owns the only real EventSource and posts every event on a
        // BroadcastChannel of the same name; every other instance dispatches what it receives.
        // When the leader goes (its tab closes, or close() is called), the browser grants the lock
        // to a waiting instance, which opens its own EventSource resuming after the last event id it
        // dispatched. An EventSource cannot send Last-Event-ID on its first request, so the id goes
        // in the query, ?last_event_id=, which the gateway reads like the header (and the header,
        // sent by the EventSource's own reconnections later, wins). Events that have left the
        // endpoint's replay buffer cannot be resumed: the gateway then sends its `reset` event.
        //
        // Event types: EventSource has no "every type" listener, so the leader must name each type
        // it forwards. Every instance announces the types it listens to on the channel, and every
        // instance keeps the union, so the leader forwards it and a new leader already knows it.
        // A type is never withdrawn: forwarding an event nobody listens to costs a message.
        //
        // Without Web Locks or BroadcastChannel, each instance opens its own EventSource.
        // Non-standard: `isLeader` says whether this instance owns the real connection (in the
        // fallback, always); `lastEventId` is the id of the last event dispatched.

        const CONNECTING = 0, OPEN = 1, CLOSED = 2;
        // An EventSource fires these by itself; they are never events of the stream.
        const STATE_TYPES = new Set(['open', 'error']);
        // Event ids remembered to drop the overlap of a hand-over: the new leader resumes from the
        // last id it saw, which can be older than what the old leader had posted just before going.
        const REMEMBERED_IDS = 1024;

        export class SharedEventSource extends EventTarget {
          static CONNECTING = CONNECTING;
          static OPEN = OPEN;
          static CLOSED = CLOSED;

          #url;
          #withCredentials;
          #origin;
          #readyState = CONNECTING;
          #lastEventId = '';
          #channel = null;          // the BroadcastChannel; null in the fallback and once closed
          #source = null;           // the real EventSource, while this instance leads
          #sourceId = '';           // the id the real EventSource reported last
          #release = null;          // ends the Web Lock's callback: hands the lead to another instance
          #abort = null;            // withdraws a lock request still waiting
          #types = new Set(['message']); // the types to forward: every instance's, ours included
          #seen = new Set();        // recent event ids, oldest first
          #handlers = {};           // onopen, onmessage, onerror

          constructor(url, { withCredentials = false } = {}) {
            super();
            const resolved = new URL(url, globalThis.location?.href);
            this.#url = resolved.href;
            this.#origin = resolved.origin;
            this.#withCredentials = Boolean(withCredentials);
            if (!globalThis.navigator?.locks || typeof BroadcastChannel !== 'function') {
              this.#lead(); // nothing to share with: a plain EventSource
              return;
            }
            // With and without credentials are different streams: they share nothing.
            const name = `gateway SharedEventSource ${this.#withCredentials ? 'credentials' : 'anonymous'} ${this.#url}`;
            this.#channel = new BroadcastChannel(name);
            this.#channel.onmessage = (message) => this.#receive(message.data);
            this.#abort = new AbortController();
            // The callback's promise holds the lock until close() or the end of the tab. It runs
            // after the constructor returns, so the caller's listeners are known when it connects.
            navigator.locks
              .request(name, { signal: this.#abort.signal }, () => new Promise((release) => {
                this.#release = release;
                if (this.#readyState === CLOSED) release(); else this.#lead();
              }))
              .catch(() => {}); // withdrawn by close() before leading: nothing to undo
            this.#post({ kind: 'hello' }); // a leader, if there is one, answers with its state
          }

          get url() { return this.#url; }
          get withCredentials() { return this.#withCredentials; }
          get readyState() { return this.#readyState; }
          get lastEventId() { return this.#lastEventId; }
          get isLeader() { return this.#source !== null; }
          get CONNECTING() { return CONNECTING; }
          get OPEN() { return OPEN; }
          get CLOSED() { return CLOSED; }

          get onopen() { return this.#handlers.open ?? null; }
          set onopen(handler) { this.#setHandler('open', handler); }
          get onmessage() { return this.#handlers.message ?? null; }
          set onmessage(handler) { this.#setHandler('message', handler); }
          get onerror() { return this.#handlers.error ?? null; }
          set onerror(handler) { this.#setHandler('error', handler); }

          addEventListener(type, listener, options) {
            super.addEventListener(type, listener, options);
            if (this.#forward(type)) this.#post({ kind: 'types', types: [type] });
          }

          close() {
            if (this.#readyState === CLOSED) return;
            this.#readyState = CLOSED;
            this.#shutDown();
          }

          // Leading: one real EventSource, resuming after the last event this instance dispatched.
          #lead() {
            const url = new URL(this.#url);
            if (this.#lastEventId) {
              const resume = 'last_event_id=' + encodeURIComponent(this.#lastEventId);
              url.search = url.search ? url.search + '&' + resume : '?' + resume;
            }
            this.#sourceId = this.#lastEventId;
            const source = new EventSource(url.href, { withCredentials: this.#withCredentials });
            this.#source = source;
            source.onopen = () => this.#changeState(OPEN, 'open');
            source.onerror = () => this.#changeState(source.readyState, 'error');
            for (const type of this.#types) source.addEventListener(type, this.#fromSource);
            this.#post({ kind: 'leader' }); // the others answer with their types
          }

          #fromSource = (event) => {
            // An event without an id: field carries the previous id again. The EventSource does
            // not know the id it resumed after (that went in the query), so before its first id
            // such an event (the gateway's `reset`) comes with '': it keeps the previous id too.
            const id = event.lastEventId || this.#sourceId;
            // Only a new id can repeat an event dispatched before.
            const message = { kind: 'event', type: event.type, data: event.data, id, fresh: id !== this.#sourceId };
            this.#sourceId = id;
            this.#post(message);
            this.#dispatch(message);
          };

          // A leader's connection changed: follow it here, and tell the others.
          #changeState(readyState, type) {
            this.#post({ kind: 'state', readyState, type, types: [...this.#types] });
            this.#followState(readyState, type);
          }

          #followState(readyState, type) {
            const before = this.#readyState;
            if (before === CLOSED) return;
            this.#readyState = readyState;
            // A hand-over is invisible: the new leader's `open` finds the instances already open.
            if (type === 'error') this.dispatchEvent(new Event('error'));
            else if (readyState === OPEN && before !== OPEN) this.dispatchEvent(new Event('open'));
            // The leader's EventSource gave up (the server refused it): this instance is closed,
            // and the lock goes to the next one.
            if (readyState === CLOSED) this.#shutDown();
          }

          #receive(message) {
            switch (message.kind) {
              case 'event':
                this.#dispatch(message);
                break;
              case 'state':
                for (const type of message.types) this.#forward(type);
                // A leader's EventSource that gave up is not followed: a leader whose frame is
                // being removed reports that too. The lock goes to the next instance, which tries
                // itself and, if the server refuses it as well, closes on its own error, as a
                // plain EventSource in its tab would have.
                if (!this.#source && message.readyState !== CLOSED) this.#followState(message.readyState, message.type);
                break;
              case 'hello':
                if (this.#source) this.#post({ kind: 'state', readyState: this.#readyState, type: null, types: [...this.#types] });
                break;
              case 'leader':
                this.#post({ kind: 'types', types: [...this.#types] });
                break;
              case 'types':
                for (const type of message.types) this.#forward(type);
                break;
            }
          }

          #dispatch({ type, data, id, fresh }) {
            if (this.#readyState === CLOSED) return;
            if (fresh && id) {
              if (this.#seen.has(id)) return; // dispatched already, before a hand-over
              this.#seen.add(id);
              if (this.#seen.size > REMEMBERED_IDS) this.#seen.delete(this.#seen.values().next().value);
            }
            this.#lastEventId = id;
            this.dispatchEvent(new MessageEvent(type, { data, lastEventId: id, origin: this.#origin }));
          }

          // Adds `type` to the union (and to the leader's EventSource); false when it was there.
          #forward(type) {
            if (STATE_TYPES.has(type) || this.#types.has(type)) return false;
            this.#types.add(type);
            this.#source?.addEventListener(type, this.#fromSource);
            return true;
          }

          #setHandler(type, handler) {
            // One listener per attribute, added once, calling whichever handler is set now.
            if (!(type in this.#handlers)) this.addEventListener(type, (event) => this.#handlers[type]?.call(this, event));
            this.#handlers[type] = typeof handler === 'function' ? handler : null;
          }

          #post(message) { this.#channel?.postMessage(message); }

          // The connection is closed before the lock is released, so the gateway sees the old
          // leader's stream end before the new leader's begins.
          #shutDown() {
            this.#source?.close();
            this.#source = null;
            this.#abort?.abort();
            this.#release?.();
            this.#channel?.close();
            this.#channel = null;
          }
        }
        """#
}
