"""AIS decoding: NMEA framing, multi-part assembly, payload decoding, CSV import. No SQL, no detection."""
