"""advisorybot: the advisory side of "Cyfrowy rozwój oświaty w JST" on Telegram and e-mail."""
