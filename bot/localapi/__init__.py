"""The local Bot API server's old place: it is the top-level package `localapi` now; this keeps
`python -m bot.localapi` working for scripts written before the move."""
