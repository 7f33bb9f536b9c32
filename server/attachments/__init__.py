"""Photos, content-addressed by SHA-256; bytes in a local folder or an S3-compatible store."""
