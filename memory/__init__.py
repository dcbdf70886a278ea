"""What persists: the Chroma memory of documents and the SQLite conversation log."""
