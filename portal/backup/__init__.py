"""`flask backup`: a consistent copy of the database, and its restore into an empty database."""
