"""Networks and schools of the district."""
