#!/usr/bin/env python3
"""An `exec` transform for the gateway, in plain Python 3 (standard library only).

The gateway writes one JSON object per line to stdin:
    {"event": "quote", "id": null, "data": "{\"symbol\":\"ACME\",\"price\":101}"}
and reads the events to send on from stdout, one JSON object per line, in the same shape.
`data` may be a string or any JSON value (sent as compact JSON).

This one enriches quotes: it remembers the last price of each symbol and adds the change
since then and its direction. Events whose data is not a JSON object pass unchanged.
Anything written to stderr ends up in the gateway's log.
"""
import json
import sys

last_price = {}


def enrich(event):
    try:
        quote = json.loads(event["data"])
    except (TypeError, ValueError):
        return event
    if not isinstance(quote, dict) or "symbol" not in quote or "price" not in quote:
        return event
    symbol, price = quote["symbol"], quote["price"]
    previous = last_price.get(symbol)
    last_price[symbol] = price
    change = 0 if previous is None else round(price - previous, 4)
    quote["change"] = change
    quote["direction"] = "up" if change > 0 else "down" if change < 0 else "flat"
    event["data"] = quote  # an object: the gateway serialises it as compact JSON
    return event


def main():
    for line in sys.stdin:
        try:
            event = json.loads(line)
        except ValueError:
            print(f"enrich.py: skipping a line that is not JSON: {line[:80]!r}", file=sys.stderr)
            continue
        sys.stdout.write(json.dumps(enrich(event), separators=(",", ":")) + "\n")
        sys.stdout.flush()  # one event at a time: never let stdio buffer hold them back


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, KeyboardInterrupt):
        pass
