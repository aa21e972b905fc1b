
limit=2