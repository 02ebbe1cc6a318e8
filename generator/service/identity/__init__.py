"""Identity: who a reader is, from the organisation's single sign-on (see ARCHITECTURE.md, "Identity").

`principal.py` is what the rest of the service sees; `modes.py` turns a request's headers into one, in the
mode PRACTICA_AUTH_MODE chooses; `jwks.py` keeps the identity provider's public keys."""
