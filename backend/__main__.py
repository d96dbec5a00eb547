"""`python -m backend`: serve the app on HOST:PORT (see backend/serve.py)."""

from backend.serve import main

main()
