"""`python -m bot.localapi ...`: the same as `python -m localapi ...`."""

from localapi.__main__ import main

if __name__ == "__main__":
    main()
