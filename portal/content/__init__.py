"""The national training content: files in content/ -> checked sources -> versioned database rows."""
