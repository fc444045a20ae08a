"""춘향골 교육공동체 멘토 풀 / the education community's mentor pool: a partner federation subgraph.

It owns its own data (SQLite) and joins the hub's graph through a federation gateway: it adds `mentors` to
the hub's `Organisation` (key `slug`) and points its `Mentor.sessions` at the hub's `FeedItem` (key `id`).
It imports nothing from `hub` or `schema`: a partner only shares the graph's keys, never code.
"""
