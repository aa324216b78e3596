"""Registry defaults, importable without loading the database layer (the CLI starts faster)."""

DEFAULT_DB_URL = "sqlite:///var/registry.db"
