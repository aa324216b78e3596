"""Loaders for reference geography (ports, land): file I/O that feeds the pure `detect/` structures."""
