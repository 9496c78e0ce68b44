"""Shared pure normalisers every source's records pass through: citations of laws, department
names and their rules, topics, Chinese numerals, curated corrections, provisional documents
and the administrative divisions (GB/T 2260) that place a jurisdiction."""
