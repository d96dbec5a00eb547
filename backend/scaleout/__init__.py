"""Scale-out on Redis: one engine process (ROLE=engine), many web processes (ROLE=web).

engine.py publishes ticks and views and takes commands; web.py stands in for the engine in a
web process; link.py is the Redis connection with back-off; codec.py the records on the wire.
Design and the choice of streams: docs/interfaces.md, section "Scale-out".
"""
