"""shadowfleet: open, evidence-backed tracking of sanctioned maritime trade with Venezuela."""

__version__ = "0.1.0"
