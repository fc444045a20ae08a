"""Staff authentication and authorization: roles, argon2id passwords, opaque tokens, API keys, policy.

Tokens are opaque random strings (256 bits) stored only as SHA-256 hashes, so a database leak yields no
usable token and logout/revocation is a single row update. The prefix names the kind (`yat_` access,
`yrt_` refresh, `yak_` API key), which lets the hub answer each failure with its own error.
"""
