"""api layer of Ouro Desktop (see architecture.md)."""
