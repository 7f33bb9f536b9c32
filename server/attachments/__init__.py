"""Photos, content-addressed by SHA-256, bytes on disk under ATTACHMENTS_DIR."""
