"""Atom feeds of new events (RFC 4287), written with escaping for every text node."""

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape, quoteattr


def _text(value: object) -> str:
    return escape(str(value))


def atom_feed(feed_id: str, title: str, self_url: str, base_url: str, events: list[dict[str, Any]]) -> str:
    now = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    updated = max((str(e["end_ts"]) for e in events), default=now)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<id>{_text(feed_id)}</id>",
        f"<title>{_text(title)}</title>",
        f"<updated>{_text(updated)}</updated>",
        f'<link rel="self" href={quoteattr(self_url)}/>',
        "<author><name>shadowfleet</name></author>",
    ]
    for event in events:
        url = base_url.rstrip("/") + str(event["url"])
        marker = "[SIMULATED] " if event.get("simulated") else ""
        summary = (
            f"{marker}{event['title']} involving MMSI {event['mmsi']}"
            + (f" and MMSI {event['other_mmsi']}" if event.get("other_mmsi") else "")
            + f", {event['start_ts']} to {event['end_ts']}; detector {event['detector_version']}, "
            f"confidence {event['confidence']}."
        )
        parts += [
            "<entry>",
            f"<id>{_text(url)}</id>",
            f"<title>{_text(marker + str(event['title']))} (MMSI {_text(event['mmsi'])})</title>",
            f"<updated>{_text(event['end_ts'])}</updated>",
            f"<published>{_text(event['start_ts'])}</published>",
            f"<link href={quoteattr(url)}/>",
            f"<summary>{_text(summary)}</summary>",
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts) + "\n"
