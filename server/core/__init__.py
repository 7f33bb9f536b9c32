"""The bottom layer (docs/ARCHITECTURE.md): configuration, extensions, errors, HTTP helpers,
Hanoi time and periods, named locks. It imports no other server package."""
