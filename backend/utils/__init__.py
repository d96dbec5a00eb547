"""Web-layer helpers: the one API error type, strict JSON parsing, body schemas."""
