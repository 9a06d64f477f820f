"""The application layer: one function per job, taking and returning plain values (docs/architecture.md)."""
