"""Retention (GDPR Art. 5(1)(e)): what goes when, as operations on the data (never commit).

The schedule itself (months and days from the settings) is `reminders/retention.py`; here each
kind of data has what is still kept (`kept`: a count, for the preview) and a bounded step that
removes some of it (`blank`/`expire`/`forget`: at most `limit` rows, how many went). A row that
went is never found again, so every step can run again at any time and do nothing.
"""
