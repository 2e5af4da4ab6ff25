"""/stories on a server's first request, handed to the router (see components/routes.py)."""

from components.routes import hand_over_to_router

hand_over_to_router()
