"""The sandbox: the real bot on a local Telegram and mailbox, with a demo cohort and a movable
clock, to try the bot without a token, train advisers and rehearse a cohort (`advisorybot
sandbox`). runtime.py starts the pieces; terminal.py plays people; walk.py rehearses a cohort.
"""
